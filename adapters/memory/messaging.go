package memory

import (
	"context"
	"sync"
	"time"

	"github.com/clientele-go/clientele/adapters"
)

var _ adapters.Messaging = (*Messaging)(nil)

// Messaging is an in-memory messaging provider that records every message it
// accepts instead of delivering it. Tests read OTPs and tokens from Sent and Last.
type Messaging struct {
	cfg  config
	mu   sync.Mutex
	sent []adapters.Message
	idem keyLog
}

// NewMessaging returns a provider that has sent nothing.
func NewMessaging(opts ...Option) *Messaging { return &Messaging{cfg: newConfig(opts)} }

// Faults returns the fake's fault switch.
func (s *Messaging) Faults() *Faults { return s.cfg.faults }

// Send implements adapters.Messaging.
func (s *Messaging) Send(ctx context.Context, msg adapters.Message) (adapters.Receipt, error) {
	return mutate(ctx, s.cfg, &s.mu, &s.idem, "Send", msg.TenantID, msg.IdempotencyKey, msg, same[adapters.Receipt],
		func(now time.Time) (adapters.Receipt, error) {
			s.sent = append(s.sent, msg.Clone())
			return adapters.Receipt{ID: newID(), TenantID: msg.TenantID, Status: "accepted", AcceptedAt: now}, nil
		})
}

// Sent returns every message accepted so far, oldest first (copies).
func (s *Messaging) Sent() []adapters.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return cloneSlice(s.sent, adapters.Message.Clone)
}

// Last returns the latest message accepted for recipient.
func (s *Messaging) Last(recipient string) (adapters.Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := len(s.sent) - 1; i >= 0; i-- {
		if s.sent[i].Recipient == recipient {
			return s.sent[i].Clone(), true
		}
	}
	return adapters.Message{}, false
}

// Reset forgets every message sent (idempotency keys stay remembered).
func (s *Messaging) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sent = nil
}

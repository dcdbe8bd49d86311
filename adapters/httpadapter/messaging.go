package httpadapter

import (
	"context"
	"net/http"

	"github.com/clientele-go/clientele/adapters"
)

var _ adapters.Messaging = (*Messaging)(nil)

// Messaging is the HTTP client of the messaging contract.
type Messaging struct{ c *conn }

// NewMessaging returns a client of the messaging handler mounted at baseURL.
func NewMessaging(baseURL string, opts ...Option) (*Messaging, error) {
	c, err := newConn(baseURL, opts)
	if err != nil {
		return nil, err
	}
	return &Messaging{c}, nil
}

// Send implements adapters.Messaging.
func (s *Messaging) Send(ctx context.Context, msg adapters.Message) (adapters.Receipt, error) {
	if err := msg.Validate(); err != nil {
		return adapters.Receipt{}, err
	}
	return do[adapters.Receipt](ctx, s.c, http.MethodPost, tenantPath(msg.TenantID)+"/messages", nil, msg.IdempotencyKey, msg)
}

// NewMessagingHandler serves the messaging contract over impl.
func NewMessagingHandler(impl adapters.Messaging) (http.Handler, error) {
	if impl == nil {
		return nil, nilImpl("NewMessagingHandler")
	}
	return newMux(messagingRoutes(impl)), nil
}

func messagingRoutes(impl adapters.Messaging) []route {
	return []route{
		changeRoute("POST", "/tenants/{tenantId}/messages", "Send", "MW001 / MU002 / MC001 / MD001, OTP and invitation delivery by email or SMS", maxBodyBytes,
			func(r *adapters.Message) *string { return &r.IdempotencyKey },
			func(r *adapters.Message) []binding { return []binding{bind("tenantId", &r.TenantID)} },
			impl.Send),
	}
}

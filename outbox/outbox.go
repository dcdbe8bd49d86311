package outbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/clientele-go/clientele"
)

// Target names the adapter an effect is delivered to.
type Target string

// The adapters of package adapters.
const (
	CoreBanking Target = "corebanking"
	Identity    Target = "identity"
	CRM         Target = "crm"
	Documents   Target = "documents"
	Messaging   Target = "messaging"
	Persistence Target = "persistence"
)

// Entity names what an effect is about: its kind ("client", "user") and its id.
type Entity struct {
	Kind string `json:"kind"`
	ID   string `json:"id"`
}

// Effect is one adapter call a committed change implies.
type Effect struct {
	TenantID string `json:"tenantId"`
	// Op is the adapter operation (CC001, IU002, MC001, …); it selects the
	// Handler.
	Op     string `json:"op"`
	Target Target `json:"target"`
	Entity Entity `json:"entity"`
	// Key is the idempotency key the handler sends to the adapter. It is unique
	// per tenant: an effect enqueued twice under one key is delivered once.
	Key string `json:"key"`
	// Params holds what the handler needs beyond the entity's current state.
	// Never a secret: it is stored in clear until the effect is pruned.
	Params json.RawMessage `json:"params,omitempty"`
	// Delay is for an effect its own request delivers at once, after
	// commit, recording the outcome and the effect's delivery in one
	// transaction (the portal's transfers do): the dispatcher leaves the
	// effect alone for Delay (at most MaxDelay), so it only takes over the
	// deliveries the request hands over (it could not make them) or did not
	// live to record. Zero: the dispatcher may deliver the effect as soon as
	// it is committed. It is not shown in the effect's Record.
	Delay time.Duration `json:"-"`
}

// MaxDelay is the longest Effect.Delay.
const MaxDelay = time.Hour

// Validate reports a malformed effect (a programming error in the declaring
// package, never user input).
func (e Effect) Validate() error {
	v := &clientele.ValidationError{}
	for _, f := range []struct{ name, value string }{
		{"tenantId", e.TenantID}, {"op", e.Op}, {"target", string(e.Target)},
		{"entity.kind", e.Entity.Kind}, {"entity.id", e.Entity.ID}, {"key", e.Key},
	} {
		if f.value == "" {
			v.Add(f.name, "required", "is required")
		} else if len(f.value) > 200 {
			v.Add(f.name, "max", "must be at most 200 characters")
		}
	}
	if e.Delay < 0 || e.Delay > MaxDelay {
		v.Add("delay", "range", "must be between 0 and "+MaxDelay.String())
	}
	if err := v.OrNil(); err != nil {
		return fmt.Errorf("outbox: effect: %w", err)
	}
	return nil
}

// Status is where an effect stands.
type Status string

// Effect states.
const (
	// Pending: committed, not yet delivered (or being retried).
	Pending Status = "pending"
	// Delivered: the handler succeeded.
	Delivered Status = "delivered"
	// Parked: the handler kept failing; an operator may replay it.
	Parked Status = "parked"
	// Skipped: the tenant has no adapter configured for the effect's target.
	Skipped Status = "skipped"
)

// ParseStatus parses a Status.
func ParseStatus(s string) (Status, error) {
	switch st := Status(s); st {
	case Pending, Delivered, Parked, Skipped:
		return st, nil
	}
	return "", fmt.Errorf("outbox: unknown status %q (want pending, delivered, parked or skipped): %w", s, clientele.ErrInvalid)
}

// Record is what the library knows of one effect.
type Record struct {
	Effect
	Status    Status    `json:"status"`
	Attempts  int       `json:"attempts"`
	LastError string    `json:"lastError,omitempty"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// Progress is what has reached one target adapter of one entity so far. The
// dispatcher keeps it and only moves it forward.
type Progress struct {
	// Created: the entity exists at the adapter.
	Created bool `json:"created"`
	// Version is the entity version last delivered (0: none known).
	Version int64 `json:"version"`
}

// Delivery is one attempt at an effect.
type Delivery struct {
	Effect
	// Attempt counts from 1; above 1 an earlier attempt may have reached the
	// adapter before failing, so handlers must not assume a clean slate.
	Attempt int
	// Progress of Entity at Target when the attempt began.
	Progress Progress
}

// Handler carries out effects of one operation against its adapter. It
// returns the entity's progress after the call. An error is retried, unless it
// wraps ErrPermanent.
type Handler interface {
	Deliver(ctx context.Context, d Delivery) (Progress, error)
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(ctx context.Context, d Delivery) (Progress, error)

// Deliver calls f.
func (f HandlerFunc) Deliver(ctx context.Context, d Delivery) (Progress, error) { return f(ctx, d) }

// Handlers maps an operation (Effect.Op) to its handler.
type Handlers map[string]Handler

// Merge returns the union of hs; a later map wins for a repeated operation.
func Merge(hs ...Handlers) Handlers {
	out := Handlers{}
	for _, h := range hs {
		for op, x := range h {
			out[op] = x
		}
	}
	return out
}

// ErrPermanent marks a failure retrying cannot fix (the adapter refused the
// request as invalid, say): the effect is parked at once.
var ErrPermanent = errors.New("outbox: permanent failure")

// Permanent wraps err so the dispatcher parks the effect without retrying.
func Permanent(err error) error { return fmt.Errorf("%w: %w", ErrPermanent, err) }

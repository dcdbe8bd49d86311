package clients

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/adapters"
	"github.com/clientele-go/clientele/authz"
	"github.com/clientele-go/clientele/outbox"
)

// OpSyncFavorite is the Persistence adapter operation a favourite toggle
// implies (seed 002, MC007).
const OpSyncFavorite = "MC007"

// StarStore keeps back-office members' favourite clients (CL008). The store
// is where client search reads them (the filter term starred:true), so the
// starred set is a condition of the same query as the rest of the filter,
// the data scope and the keyset cursor; the Persistence adapter receives each
// toggle through an outbox effect written in the same transaction.
type StarStore interface {
	// ToggleStar stars the client with this ID for the member when it is not
	// starred, and unstars it otherwise, in one transaction with the audit
	// entry and effects change returns for the new state. It returns whether
	// the client is now starred. Concurrent toggles of one client by one
	// member each flip it once.
	ToggleStar(ctx context.Context, tenantID, memberID, clientID string, change func(starred bool, at time.Time) Change) (starred bool, err error)
}

// Favorite is the result of a toggle (CL008): whether the client is now
// starred for the acting member.
type Favorite struct {
	Reference string `json:"reference"`
	Starred   bool   `json:"starred"`
}

// favoriteParams are the Params of an MC007 effect.
type favoriteParams struct {
	MemberID string `json:"memberId"`
}

// ToggleStar stars a client for the acting back-office member, or unstars it
// when it is starred (CL008). The member's starred clients are listed by the
// client list with the filter starred:true (List).
//
// The client is authorized and read as for Get, with the operation CL008: a
// principal without it gets ErrForbidden before anything is read, and a
// client missing, out of scope or one the principal may not touch is
// ErrNotFound. CL008 counts as a change of the client (authz.Operation.Changes):
// on a staff-owned client it also needs the employee-account permission.
//
// The toggle, its audit entry and an MC007 effect (FavoriteHandlers), which
// toggles the favourite at the Persistence adapter under a key of its own,
// are written in one transaction.
func (s *Service) ToggleStar(ctx context.Context, p authz.Principal, reference string) (Favorite, error) {
	fail := func(err error) (Favorite, error) {
		return Favorite{}, fmt.Errorf("clients: star %s: %w", reference, err)
	}
	c, _, err := s.readAuthorized(ctx, p, authz.OpToggleFavourite, reference)
	if err != nil {
		return fail(err)
	}
	if p.UserID == "" {
		return fail(fmt.Errorf("the principal names no user: %w", clientele.ErrForbidden))
	}
	id, err := uuid.NewV7()
	if err != nil {
		return fail(err)
	}
	params, err := json.Marshal(favoriteParams{MemberID: p.UserID})
	if err != nil {
		return fail(err)
	}
	starred, err := s.store.ToggleStar(ctx, p.TenantID, p.UserID, c.ID, func(starred bool, at time.Time) Change {
		e := s.entry(p, authz.OpToggleFavourite, c.ID, []string{"starred"}, at)
		e.Before, e.After = starredJSON(!starred), starredJSON(starred)
		return Change{
			Audit: e,
			Effects: []outbox.Effect{{
				TenantID: c.TenantID, Op: OpSyncFavorite, Target: outbox.Persistence,
				Entity: outbox.Entity{Kind: EntityKind, ID: c.ID},
				// Every toggle has its own key: the adapter flips once per
				// toggle however often the effect is delivered.
				Key:    fmt.Sprintf("client:%s:favorite:%s", c.ID, id),
				Params: params,
			}},
		}
	})
	if err != nil {
		return fail(err)
	}
	return Favorite{Reference: c.Reference, Starred: starred}, nil
}

func starredJSON(starred bool) json.RawMessage {
	if starred {
		return json.RawMessage(`{"starred":true}`)
	}
	return json.RawMessage(`{"starred":false}`)
}

// FavoriteHandlers returns the outbox handler of MC007 effects for the
// dispatcher: it toggles the favourite at the Persistence adapter, or nothing
// when a.Persistence is nil (the effects are then skipped).
//
// Toggles commute, so the effects of one member's toggles may run in any
// order: each carries its own idempotency key, the adapter flips once per
// key, and once every effect is delivered the adapter holds the starred set
// the store holds. A parked effect leaves the adapter one flip behind until an
// operator replays it.
func FavoriteHandlers(a Adapters) outbox.Handlers {
	if a.Persistence == nil {
		return outbox.Handlers{}
	}
	return outbox.Handlers{OpSyncFavorite: favoriteHandler{a.Persistence}}
}

type favoriteHandler struct{ f adapters.Favorites }

func (h favoriteHandler) Deliver(ctx context.Context, d outbox.Delivery) (outbox.Progress, error) {
	var ps favoriteParams
	if err := json.Unmarshal(d.Params, &ps); err != nil || ps.MemberID == "" {
		return d.Progress, outbox.Permanent(fmt.Errorf("clients: MC007 effect %s has no member: %w", d.Key, clientele.ErrInvalid))
	}
	_, err := h.f.ToggleFavorite(ctx, adapters.ToggleFavoriteRequest{
		TenantID: d.TenantID, MemberID: ps.MemberID, ClientID: d.Entity.ID, IdempotencyKey: d.Key,
	})
	if err != nil {
		return d.Progress, classify(err)
	}
	return d.Progress, nil
}

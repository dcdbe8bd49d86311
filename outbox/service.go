package outbox

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/audit"
	"github.com/clientele-go/clientele/authz"
	"github.com/clientele-go/clientele/internal/keyset"
)

// Filter narrows a list of effects; zero fields match everything.
type Filter struct {
	Status Status
	Entity Entity
}

// TargetState is where one entity stands at one target adapter.
type TargetState struct {
	Status    Status    `json:"status"`
	LastError string    `json:"lastError,omitempty"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// Fold adds r to s, the state of r's target so far (records in the order they
// were enqueued): parked wins over pending, pending over delivered.
func Fold(s TargetState, r Record) TargetState {
	rank := func(st Status) int {
		switch st {
		case Parked:
			return 3
		case Pending:
			return 2
		}
		return 1
	}
	if s.Status == "" || rank(r.Status) >= rank(s.Status) {
		return TargetState{Status: r.Status, LastError: r.LastError, UpdatedAt: r.UpdatedAt}
	}
	return s
}

// Store is what the Service needs from persistence; storage implements it.
type Store interface {
	// List returns up to limit effects of the tenant matching f, oldest first,
	// after the effect whose ID is after, with the ID of each.
	List(ctx context.Context, tenantID string, f Filter, after string, limit int) ([]Record, []string, error)
	// State summarizes where the effects of one entity stand, per target.
	State(ctx context.Context, tenantID string, e Entity) (map[Target]TargetState, error)
	// Replay makes a parked effect pending and deliverable again, writing entry
	// in the same transaction.
	Replay(ctx context.Context, tenantID, key string, entry audit.Entry) (Record, error)
}

// Service lets an operator see and replay a tenant's effects.
type Service struct {
	store Store
	authz *authz.Authorizer
	clock func() time.Time
}

// New returns the service; both dependencies are required.
func New(store Store, az *authz.Authorizer) (*Service, error) {
	if store == nil || az == nil {
		return nil, fmt.Errorf("outbox: New needs a Store and an Authorizer: %w", clientele.ErrInvalid)
	}
	return &Service{store: store, authz: az, clock: time.Now}, nil
}

// ListInput selects a page of effects.
type ListInput struct {
	Status     string // pending, delivered, parked, skipped; "" for all
	EntityKind string
	EntityID   string
	Cursor     string
	Limit      int // default 50, at most 500
}

// Page is one page of effects.
type Page struct {
	Effects    []Record `json:"effects"`
	NextCursor string   `json:"nextCursor,omitempty"`
}

const cursorPrefix = "e1:"

// List returns the principal's tenant's effects (OB001).
func (s *Service) List(ctx context.Context, p authz.Principal, in ListInput) (Page, error) {
	if err := s.authz.Authorize(ctx, p, authz.OpListEffects, authz.Resource{}); err != nil {
		return Page{}, fmt.Errorf("outbox: list: %w", err)
	}
	v := &clientele.ValidationError{}
	var f Filter
	if in.Status != "" {
		st, err := ParseStatus(in.Status)
		if err != nil {
			v.Add("status", "oneof", "must be pending, delivered, parked or skipped")
		}
		f.Status = st
	}
	f.Entity = Entity{Kind: in.EntityKind, ID: in.EntityID}
	if len(in.EntityKind) > 64 || len(in.EntityID) > 200 {
		v.Add("entity", "max", "kind at most 64, id at most 200 characters")
	}
	r := keyset.Parse(cursorPrefix, in.Cursor, in.Limit, 50, 500, v)
	if err := v.OrNil(); err != nil {
		return Page{}, fmt.Errorf("outbox: list: %w", err)
	}
	recs, ids, err := s.store.List(ctx, p.TenantID, f, r.After, r.Limit+1)
	if err != nil {
		return Page{}, fmt.Errorf("outbox: list: %w", err)
	}
	type item struct {
		rec Record
		id  string
	}
	items := make([]item, len(recs))
	for i := range recs {
		items[i] = item{recs[i], ids[i]}
	}
	page, next := keyset.Page(cursorPrefix, r, items, func(it item) string { return it.id })
	out := Page{Effects: make([]Record, len(page)), NextCursor: next}
	for i, it := range page {
		out.Effects[i] = it.rec
	}
	return out, nil
}

// Replay delivers a parked effect of the principal's tenant again, under its
// same idempotency key (OB002). An effect that is not parked fails with
// ErrPrecondition, an unknown key with ErrNotFound.
func (s *Service) Replay(ctx context.Context, p authz.Principal, key string) (Record, error) {
	if err := s.authz.Authorize(ctx, p, authz.OpReplayEffect, authz.Resource{}); err != nil {
		return Record{}, fmt.Errorf("outbox: replay: %w", err)
	}
	if key == "" || len(key) > 200 {
		return Record{}, fmt.Errorf("outbox: replay: %w", clientele.NewValidationError("key", "required", "is required, at most 200 characters"))
	}
	entry := audit.Entry{
		TenantID: p.TenantID, Actor: p.UserID, Operation: string(authz.OpReplayEffect),
		EntityType: "effect", Changed: []string{"status"}, At: s.clock().UTC(),
	}
	rec, err := s.store.Replay(ctx, p.TenantID, key, entry)
	if errors.Is(err, clientele.ErrNotFound) {
		return Record{}, fmt.Errorf("outbox: replay: no effect with this key: %w", clientele.ErrNotFound)
	}
	if err != nil {
		return Record{}, fmt.Errorf("outbox: replay: %w", err)
	}
	return rec, nil
}

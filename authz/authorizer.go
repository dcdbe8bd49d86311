package authz

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/clientele-go/clientele"
)

// CatalogueStore gives the Authorizer each tenant's catalogue: the preset the
// tenant picked at setup plus the roles it added or edited. It returns an error
// wrapping clientele.ErrNotFound for an unknown tenant. Storage implements it.
type CatalogueStore interface {
	Catalogue(ctx context.Context, tenantID string) (Spec, error)
}

// OrgSource gives the Authorizer what policies know about a tenant (its app
// subscriptions and the client portal switch). It returns an error wrapping
// clientele.ErrNotFound for an unknown tenant. It is asked on every decision,
// so it should be cheap (storage may cache). Storage implements it.
type OrgSource interface {
	Org(ctx context.Context, tenantID string) (Org, error)
}

// DeniedError is a denied authorization. It unwraps to clientele.ErrForbidden
// (and also to clientele.ErrPortalDisabled when the tenant has switched the
// client portal off), and carries the decision with its reason.
type DeniedError struct {
	Op       Operation
	UserID   string
	TenantID string
	Decision Decision
}

func (e *DeniedError) Error() string {
	return fmt.Sprintf("authz: %s (%s) denied to user %q of tenant %q: %s",
		e.Op, e.Op.Summary(), e.UserID, e.TenantID, e.Decision.Reason)
}

// Unwrap makes errors.Is(err, clientele.ErrForbidden) true.
func (e *DeniedError) Unwrap() []error {
	if e.Decision.Reason == reasonPortal {
		return []error{clientele.ErrForbidden, clientele.ErrPortalDisabled}
	}
	return []error{clientele.ErrForbidden}
}

// Authorizer decides every call of every domain service. It compiles each
// tenant's catalogue once and keeps it until Invalidate is called for the
// tenant (the role service calls it after every change) or, with
// WithCacheTTL, until it expires. It is safe for
// concurrent use.
type Authorizer struct {
	catalogues CatalogueStore
	orgs       OrgSource

	ttl time.Duration
	now func() time.Time

	mu    sync.RWMutex
	cache map[string]cached
	gen   map[string]uint64 // per tenant: bumped by Invalidate
}

type cached struct {
	cat      *Catalogue
	loadedAt time.Time
}

// Option configures an Authorizer.
type Option func(*Authorizer)

// WithCacheTTL makes a compiled catalogue expire d after it was loaded, so that
// role changes made by another process are seen within d even when this
// process's Invalidate is not called. Zero (the default) keeps catalogues until
// Invalidate.
func WithCacheTTL(d time.Duration) Option { return func(a *Authorizer) { a.ttl = d } }

// WithClock replaces time.Now for the cache TTL (tests).
func WithClock(now func() time.Time) Option { return func(a *Authorizer) { a.now = now } }

// New returns an Authorizer reading catalogues and org attributes from the given
// sources. Both are required.
func New(catalogues CatalogueStore, orgs OrgSource, opts ...Option) (*Authorizer, error) {
	if catalogues == nil || orgs == nil {
		return nil, fmt.Errorf("authz: New needs a CatalogueStore and an OrgSource: %w", clientele.ErrInvalid)
	}
	a := &Authorizer{catalogues: catalogues, orgs: orgs, now: time.Now,
		cache: map[string]cached{}, gen: map[string]uint64{}}
	for _, o := range opts {
		o(a)
	}
	if a.ttl < 0 || a.now == nil {
		return nil, fmt.Errorf("authz: New: negative cache TTL or nil clock: %w", clientele.ErrInvalid)
	}
	return a, nil
}

const reasonUnknownTenant = "unknown tenant"

// Authorize returns nil when p may perform op on r, and otherwise an error: a
// *DeniedError wrapping clientele.ErrForbidden whose message carries the reason
// (the missing permission or the failed policy; an unknown tenant or a
// principal and resource of different tenants are denied too), or the error of
// a catalogue or org source that failed (the call is then not allowed either).
func (a *Authorizer) Authorize(ctx context.Context, p Principal, op Operation, r Resource) error {
	d, err := a.Decide(ctx, p, op, r)
	if err != nil {
		return err
	}
	if !d.Allowed {
		return &DeniedError{Op: op, UserID: p.UserID, TenantID: p.TenantID, Decision: d}
	}
	return nil
}

// Decide is Authorize returning the decision itself. err is non-nil only when
// a source failed or ctx is done; the decision is then a denial.
func (a *Authorizer) Decide(ctx context.Context, p Principal, op Operation, r Resource) (Decision, error) {
	if err := ctx.Err(); err != nil {
		return Decision{Reason: "context done"}, fmt.Errorf("authz: %s: %w", op, err)
	}
	if p.TenantID == "" {
		return Decision{Reason: "principal has no tenant"}, nil
	}
	if r.TenantID != "" && r.TenantID != p.TenantID {
		return Decision{Reason: reasonTenant}, nil
	}
	cat, err := a.Catalogue(ctx, p.TenantID)
	if errors.Is(err, clientele.ErrNotFound) {
		return Decision{Reason: reasonUnknownTenant}, nil
	}
	if err != nil {
		return Decision{Reason: "catalogue unavailable"}, err
	}
	org, err := a.orgs.Org(ctx, p.TenantID)
	if errors.Is(err, clientele.ErrNotFound) {
		return Decision{Reason: reasonUnknownTenant}, nil
	}
	if err != nil {
		return Decision{Reason: "tenant attributes unavailable"}, fmt.Errorf("authz: org of tenant %s: %w", p.TenantID, err)
	}
	if org.TenantID == "" {
		org.TenantID = p.TenantID
	}
	return cat.Decide(p, org, op, r), nil
}

// Catalogue returns the tenant's compiled catalogue, compiling and caching it on
// first use. A stored catalogue that does not compile is an error wrapping
// clientele.ErrInvalid.
func (a *Authorizer) Catalogue(ctx context.Context, tenantID string) (*Catalogue, error) {
	a.mu.RLock()
	e, gen := a.cache[tenantID], a.gen[tenantID]
	a.mu.RUnlock()
	if e.cat != nil && (a.ttl == 0 || a.now().Sub(e.loadedAt) < a.ttl) {
		return e.cat, nil
	}
	loadedAt := a.now()
	spec, err := a.catalogues.Catalogue(ctx, tenantID)
	if err != nil {
		return nil, fmt.Errorf("authz: catalogue of tenant %s: %w", tenantID, err)
	}
	c, err := Compile(spec)
	if err != nil {
		return nil, fmt.Errorf("authz: tenant %s: %w", tenantID, err)
	}
	a.mu.Lock()
	if a.gen[tenantID] == gen { // not invalidated while we compiled
		a.cache[tenantID] = cached{cat: c, loadedAt: loadedAt}
	}
	a.mu.Unlock()
	return c, nil
}

// Invalidate drops the tenant's compiled catalogue; the next call compiles it
// again from the CatalogueStore. Call it whenever the tenant's roles change.
func (a *Authorizer) Invalidate(tenantID string) {
	a.mu.Lock()
	delete(a.cache, tenantID)
	a.gen[tenantID]++
	a.mu.Unlock()
}

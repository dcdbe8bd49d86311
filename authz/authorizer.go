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
// clientele.ErrNotFound for an unknown tenant. The Authorizer asks it when it
// loads the tenant's catalogue and caches the answer with the catalogue (see
// Authorizer). Storage implements it.
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

// DefaultCacheTTL is how long an Authorizer uses a compiled catalogue before it
// loads it again, unless WithCacheTTL says otherwise. It bounds how long a role
// change made by another process (another replica, an operator's script) goes
// unseen here: a revoked permission keeps working for at most this long. Five
// seconds keeps that window shorter than a person takes to act on a revoked
// right, while costing each process, per active tenant, one CatalogueStore read
// and one Compile every five seconds (compiling the Retail Engine preset takes
// about 0.15 ms), against thousands of decisions served from the cache
// meanwhile.
const DefaultCacheTTL = 5 * time.Second

// Authorizer decides every call of every domain service. It compiles each
// tenant's catalogue once and keeps it, with the tenant's org attributes
// (OrgSource: app subscriptions, the client portal switch), until Invalidate
// is called for the tenant (the role service calls it after every change made
// through it, the tenant service after every change of the tenant) or until
// the cache TTL (DefaultCacheTTL, or WithCacheTTL) has passed since it was
// loaded, whichever comes first. A decision therefore reads nothing from the
// stores while the entry is fresh. When a catalogue is missing or expired,
// one caller per tenant loads it and concurrent callers wait for that load
// instead of loading it again. It is safe for concurrent use.
type Authorizer struct {
	catalogues CatalogueStore
	orgs       OrgSource

	ttl time.Duration
	now func() time.Time

	mu      sync.RWMutex
	cache   map[string]cached
	loading map[string]*load // per tenant: the load in progress, if any
}

type cached struct {
	cat      *Catalogue
	org      Org
	loadedAt time.Time
}

// load is one load of a tenant's catalogue and org in progress. cat, org and
// err are set before done is closed and read only after.
type load struct {
	done    chan struct{}
	cat     *Catalogue
	org     Org
	err     error
	waiters int // callers that joined this load (guarded by Authorizer.mu)
}

// Option configures an Authorizer.
type Option func(*Authorizer)

// WithCacheTTL makes a compiled catalogue expire d after it was loaded
// (DefaultCacheTTL when not given), so that role changes made by another
// process are seen within d even though this process's Invalidate is not
// called. d must be positive: New refuses zero or less.
func WithCacheTTL(d time.Duration) Option { return func(a *Authorizer) { a.ttl = d } }

// WithClock replaces time.Now for the cache TTL (tests).
func WithClock(now func() time.Time) Option { return func(a *Authorizer) { a.now = now } }

// New returns an Authorizer reading catalogues and org attributes from the given
// sources. Both are required.
func New(catalogues CatalogueStore, orgs OrgSource, opts ...Option) (*Authorizer, error) {
	if catalogues == nil || orgs == nil {
		return nil, fmt.Errorf("authz: New needs a CatalogueStore and an OrgSource: %w", clientele.ErrInvalid)
	}
	a := &Authorizer{catalogues: catalogues, orgs: orgs, ttl: DefaultCacheTTL, now: time.Now,
		cache: map[string]cached{}, loading: map[string]*load{}}
	for _, o := range opts {
		o(a)
	}
	if a.ttl <= 0 || a.now == nil {
		return nil, fmt.Errorf("authz: New: cache TTL must be positive and the clock not nil: %w", clientele.ErrInvalid)
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
	cat, org, err := a.tenant(ctx, p.TenantID)
	if errors.Is(err, clientele.ErrNotFound) {
		return Decision{Reason: reasonUnknownTenant}, nil
	}
	if err != nil {
		return Decision{Reason: "catalogue unavailable"}, err
	}
	return cat.Decide(p, org, op, r), nil
}

// TenantWide reports whether p sees every client of its tenant
// (Catalogue.TenantWide) rather than only its associate's data scope. An
// unknown tenant is false; err is non-nil only when the catalogue could not
// be loaded or ctx is done.
func (a *Authorizer) TenantWide(ctx context.Context, p Principal) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, fmt.Errorf("authz: tenant-wide scope: %w", err)
	}
	if p.TenantID == "" {
		return false, nil
	}
	cat, err := a.Catalogue(ctx, p.TenantID)
	if errors.Is(err, clientele.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return cat.TenantWide(p), nil
}

// Catalogue returns the tenant's compiled catalogue, loading and compiling it
// when it is not cached or its TTL has passed. Only one load per tenant runs at
// a time: concurrent callers wait for it (or for their own ctx to end), and
// when the caller running it gave up because its ctx ended, a waiter whose ctx
// is still live loads again. A stored catalogue that does not compile is an
// error wrapping clientele.ErrInvalid.
func (a *Authorizer) Catalogue(ctx context.Context, tenantID string) (*Catalogue, error) {
	cat, _, err := a.tenant(ctx, tenantID)
	return cat, err
}

// tenant returns the tenant's compiled catalogue and org attributes, from the
// cache or loaded as Catalogue describes. The org's TenantID is tenantID.
func (a *Authorizer) tenant(ctx context.Context, tenantID string) (*Catalogue, Org, error) {
	for {
		a.mu.RLock()
		e := a.cache[tenantID]
		a.mu.RUnlock()
		if a.fresh(e) {
			return e.cat, e.org, nil
		}

		a.mu.Lock()
		if e := a.cache[tenantID]; a.fresh(e) {
			a.mu.Unlock()
			return e.cat, e.org, nil
		}
		if l := a.loading[tenantID]; l != nil {
			l.waiters++
			a.mu.Unlock()
			select {
			case <-l.done:
			case <-ctx.Done():
				return nil, Org{}, fmt.Errorf("authz: catalogue of tenant %s: %w", tenantID, ctx.Err())
			}
			if l.err != nil && ctx.Err() == nil &&
				(errors.Is(l.err, context.Canceled) || errors.Is(l.err, context.DeadlineExceeded)) {
				continue // the loading caller's ctx ended, not ours
			}
			return l.cat, l.org, l.err
		}
		l := &load{done: make(chan struct{})}
		a.loading[tenantID] = l
		a.mu.Unlock()
		return a.load(ctx, tenantID, l)
	}
}

// fresh reports whether e holds a catalogue whose TTL has not passed.
func (a *Authorizer) fresh(e cached) bool {
	return e.cat != nil && a.now().Sub(e.loadedAt) < a.ttl
}

// load runs l: it loads and compiles the tenant's catalogue and reads its org,
// caches both unless the tenant was invalidated meanwhile, and releases l's
// waiters, also when a source panics.
func (a *Authorizer) load(ctx context.Context, tenantID string, l *load) (*Catalogue, Org, error) {
	loadedAt := a.now() // the TTL counts from before the read: never longer than d
	l.err = fmt.Errorf("authz: catalogue of tenant %s: the load did not finish: %w", tenantID, clientele.ErrUnavailable)
	defer func() {
		a.mu.Lock()
		if a.loading[tenantID] == l { // not invalidated while we loaded
			delete(a.loading, tenantID)
			if l.err == nil {
				a.cache[tenantID] = cached{cat: l.cat, org: l.org, loadedAt: loadedAt}
			}
		}
		a.mu.Unlock()
		close(l.done)
	}()
	spec, err := a.catalogues.Catalogue(ctx, tenantID)
	if err != nil {
		l.err = fmt.Errorf("authz: catalogue of tenant %s: %w", tenantID, err)
		return nil, Org{}, l.err
	}
	c, err := Compile(spec)
	if err != nil {
		l.err = fmt.Errorf("authz: tenant %s: %w", tenantID, err)
		return nil, Org{}, l.err
	}
	org, err := a.orgs.Org(ctx, tenantID)
	if err != nil {
		l.err = fmt.Errorf("authz: org of tenant %s: %w", tenantID, err)
		return nil, Org{}, l.err
	}
	if org.TenantID == "" {
		org.TenantID = tenantID
	}
	l.cat, l.org, l.err = c, org, nil
	return c, org, nil
}

// Invalidate drops the tenant's compiled catalogue and org attributes; the
// next call loads them again from the CatalogueStore and the OrgSource. A
// load already running is not cached, and callers arriving after Invalidate
// do not wait for it. Call Invalidate whenever the tenant's roles, app
// subscriptions or portal switch change (the role and tenant services do).
func (a *Authorizer) Invalidate(tenantID string) {
	a.mu.Lock()
	delete(a.cache, tenantID)
	delete(a.loading, tenantID)
	a.mu.Unlock()
}

// loadWaiters is how many callers joined the tenant's load in progress (tests).
func (a *Authorizer) loadWaiters(tenantID string) int {
	a.mu.RLock()
	defer a.mu.RUnlock()
	if l := a.loading[tenantID]; l != nil {
		return l.waiters
	}
	return 0
}

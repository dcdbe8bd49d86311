package authz

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/audit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeClock is a clock tests move by hand; safe for concurrent use.
type fakeClock struct{ ns atomic.Int64 }

func newFakeClock() *fakeClock {
	c := &fakeClock{}
	c.ns.Store(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano())
	return c
}

func (c *fakeClock) Now() time.Time      { return time.Unix(0, c.ns.Load()).UTC() }
func (c *fakeClock) Add(d time.Duration) { c.ns.Add(int64(d)) }

// revokeArchive removes CL005 from RP001 directly in the store, as another
// process would: nobody calls Invalidate on this Authorizer.
func revokeArchive(t *testing.T, store *MemoryStore) {
	t.Helper()
	require.NoError(t, store.UpdateRole(context.Background(), "t1", "RP001", func(r *Role) (audit.Entry, error) {
		r.Permissions = []string{"clnt_list", "dev_mgmt_admin"}
		return audit.Entry{}, nil
	}))
}

// TestAuthorizerDefaultTTL: by default a compiled catalogue expires after
// DefaultCacheTTL, so a permission revoked by another process stops working
// within it, and not before (the cache still saves the reloads).
func TestAuthorizerDefaultTTL(t *testing.T) {
	store := NewMemoryStore()
	require.NoError(t, store.PutTenant(activeRetail, RetailEngine()))
	clock := newFakeClock()
	az, err := New(store, store, WithClock(clock.Now))
	require.NoError(t, err)
	ctx := context.Background()
	admin := staff("RP001")

	require.NoError(t, az.Authorize(ctx, admin, OpArchiveClient, Resource{ClientID: "c1"}))
	revokeArchive(t, store)

	clock.Add(DefaultCacheTTL - time.Nanosecond)
	assert.NoError(t, az.Authorize(ctx, admin, OpArchiveClient, Resource{ClientID: "c1"}),
		"within the TTL the cached catalogue is used")

	clock.Add(time.Nanosecond)
	err = az.Authorize(ctx, admin, OpArchiveClient, Resource{ClientID: "c1"})
	assert.ErrorIs(t, err, clientele.ErrForbidden, "after the TTL the revocation is seen")
	assert.NoError(t, az.Authorize(ctx, admin, OpListClients, Resource{}))
}

// TestAuthorizerOrgFollowsTheTTL: the org attributes are cached with the
// catalogue, so the portal switched off by another process bites within
// DefaultCacheTTL, and a decision in between reads no store.
func TestAuthorizerOrgFollowsTheTTL(t *testing.T) {
	store := NewMemoryStore()
	require.NoError(t, store.PutTenant(Org{TenantID: "t1", Apps: map[string]string{AppRetail: "active"}, ClientPortal: true}, RetailEngine()))
	clock := newFakeClock()
	az, err := New(store, store, WithClock(clock.Now))
	require.NoError(t, err)
	ctx := context.Background()
	cust := Principal{TenantID: "t1", Kind: Customer, Roles: []string{RolePortalViewer}, ClientID: "c1"}

	require.NoError(t, az.Authorize(ctx, cust, OpPortalListSavings, Resource{ClientID: "c1"}))
	require.NoError(t, store.SetOrg(Org{TenantID: "t1", Apps: map[string]string{AppRetail: "active"}}))
	clock.Add(DefaultCacheTTL - time.Nanosecond)
	require.NoError(t, az.AuthorizeOperation(ctx, cust, OpPortalListSavings), "within the TTL")
	clock.Add(time.Nanosecond)
	assert.ErrorIs(t, az.AuthorizeOperation(ctx, cust, OpPortalListSavings), clientele.ErrPortalDisabled, "after it")
	assert.ErrorIs(t, az.Authorize(ctx, cust, OpPortalListSavings, Resource{ClientID: "c1"}), clientele.ErrPortalDisabled)
}

// TestAuthorizerInvalidateBeforeTTL: Invalidate still takes effect at once.
func TestAuthorizerInvalidateBeforeTTL(t *testing.T) {
	store := NewMemoryStore()
	require.NoError(t, store.PutTenant(activeRetail, RetailEngine()))
	clock := newFakeClock()
	az, err := New(store, store, WithClock(clock.Now), WithCacheTTL(time.Hour))
	require.NoError(t, err)
	ctx := context.Background()
	require.NoError(t, az.Authorize(ctx, staff("RP001"), OpArchiveClient, Resource{ClientID: "c1"}))
	revokeArchive(t, store)
	require.NoError(t, az.Authorize(ctx, staff("RP001"), OpArchiveClient, Resource{ClientID: "c1"}))
	az.Invalidate("t1")
	assert.ErrorIs(t, az.Authorize(ctx, staff("RP001"), OpArchiveClient, Resource{ClientID: "c1"}), clientele.ErrForbidden)
}

func TestCacheTTLOption(t *testing.T) {
	store := NewMemoryStore()
	for _, d := range []time.Duration{0, -time.Second} {
		_, err := New(store, store, WithCacheTTL(d))
		assert.ErrorIs(t, err, clientele.ErrInvalid, "%v", d)
	}
	_, err := New(store, store, WithClock(nil))
	assert.ErrorIs(t, err, clientele.ErrInvalid)
}

// gatedStore counts catalogue loads and, while closed, holds every load until
// the test opens it.
type gatedStore struct {
	*MemoryStore
	loads   atomic.Int32
	mu      sync.Mutex
	gate    chan struct{} // nil: open
	entered chan struct{}
}

func (g *gatedStore) Catalogue(ctx context.Context, tenantID string) (Spec, error) {
	g.loads.Add(1)
	g.mu.Lock()
	gate := g.gate
	g.mu.Unlock()
	if gate != nil {
		g.entered <- struct{}{}
		<-gate
	}
	return g.MemoryStore.Catalogue(ctx, tenantID)
}

// TestAuthorizerTTLNoStampede: when the catalogue expires under 20 concurrent
// callers, one of them reloads it and the others wait for that load.
func TestAuthorizerTTLNoStampede(t *testing.T) {
	mem := NewMemoryStore()
	require.NoError(t, mem.PutTenant(activeRetail, RetailEngine()))
	gs := &gatedStore{MemoryStore: mem, entered: make(chan struct{}, 100)}
	clock := newFakeClock()
	az, err := New(gs, mem, WithClock(clock.Now), WithCacheTTL(time.Minute))
	require.NoError(t, err)
	ctx := context.Background()
	require.NoError(t, az.Authorize(ctx, staff("RP001"), OpListClients, Resource{}))
	require.EqualValues(t, 1, gs.loads.Load())

	gate := make(chan struct{})
	var open sync.Once
	release := func() { open.Do(func() { close(gate) }) }
	t.Cleanup(release)
	gs.mu.Lock()
	gs.gate = gate
	gs.mu.Unlock()
	clock.Add(time.Minute)

	const callers = 20
	var wg sync.WaitGroup
	for range callers {
		wg.Go(func() {
			assert.NoError(t, az.Authorize(ctx, staff("RP001"), OpListClients, Resource{}))
		})
	}
	select { // one load is running and held
	case <-gs.entered:
	case <-time.After(10 * time.Second):
		t.Fatal("the expired catalogue was not reloaded")
	}
	// Wait until every other caller is either waiting for that load or has
	// started a load of its own (a stampede).
	deadline := time.Now().Add(10 * time.Second)
	for az.loadWaiters("t1") < callers-1 && gs.loads.Load() < callers+1 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	release()
	wg.Wait()
	assert.EqualValues(t, 2, gs.loads.Load(), "one reload for 20 callers")

	// The reloaded catalogue is cached again.
	require.NoError(t, az.Authorize(ctx, staff("RP001"), OpListClients, Resource{}))
	assert.EqualValues(t, 2, gs.loads.Load())
}

// TestAuthorizerWaiterContext: a caller waiting for another's load gives up
// when its own context ends, and a load whose caller gave up does not fail
// the callers that wait for it.
func TestAuthorizerWaiterContext(t *testing.T) {
	mem := NewMemoryStore()
	require.NoError(t, mem.PutTenant(activeRetail, RetailEngine()))
	gate := make(chan struct{})
	var open sync.Once
	release := func() { open.Do(func() { close(gate) }) }
	t.Cleanup(release)
	gs := &gatedStore{MemoryStore: mem, entered: make(chan struct{}, 100), gate: gate}
	az, err := New(gs, mem)
	require.NoError(t, err)

	leaderCtx, cancelLeader := context.WithCancel(context.Background())
	leaderDone := make(chan error, 1)
	go func() { _, err := az.Catalogue(leaderCtx, "t1"); leaderDone <- err }()
	<-gs.entered

	// A waiter whose context ends returns at once with its context's error.
	waitCtx, cancelWait := context.WithCancel(context.Background())
	waitDone := make(chan error, 1)
	go func() { _, err := az.Catalogue(waitCtx, "t1"); waitDone <- err }()
	waitFor(t, func() bool { return az.loadWaiters("t1") >= 1 })
	cancelWait()
	assert.ErrorIs(t, <-waitDone, context.Canceled)

	// A patient waiter survives the leader's cancellation: it loads again.
	patient := make(chan error, 1)
	go func() { _, err := az.Catalogue(context.Background(), "t1"); patient <- err }()
	waitFor(t, func() bool { return az.loadWaiters("t1") >= 2 })
	gs.mu.Lock()
	gs.gate = nil // the patient waiter's own load goes through
	gs.mu.Unlock()
	cancelLeader()
	release()
	assert.ErrorIs(t, <-leaderDone, context.Canceled)
	assert.NoError(t, <-patient)
}

// waitFor polls cond until it holds, failing the test after 10 s.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached in 10 s")
		}
	}
}

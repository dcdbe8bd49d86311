package storage_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/audit"
	"github.com/clientele-go/clientele/internal/dbtest"
	"github.com/clientele-go/clientele/internal/testkit"
	"github.com/clientele-go/clientele/outbox"
	"github.com/clientele-go/clientele/storage"
)

// recorder is a handler that counts deliveries per key, fails while failing is
// set, and checks that no two deliveries of one entity overlap.
type recorder struct {
	mu        sync.Mutex
	delivered map[string]int
	busy      map[string]bool
	overlap   atomic.Bool
	failing   atomic.Bool
	permanent atomic.Bool
	calls     atomic.Int64
}

func newRecorder() *recorder {
	return &recorder{delivered: map[string]int{}, busy: map[string]bool{}}
}

func (r *recorder) Deliver(ctx context.Context, d outbox.Delivery) (outbox.Progress, error) {
	r.calls.Add(1)
	ent := d.Entity.Kind + "/" + d.Entity.ID + "/" + string(d.Target)
	r.mu.Lock()
	if r.busy[ent] {
		r.overlap.Store(true)
	}
	r.busy[ent] = true
	r.mu.Unlock()
	time.Sleep(2 * time.Millisecond)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.busy[ent] = false
	if r.permanent.Load() {
		return d.Progress, outbox.Permanent(errors.New("adapter refused the request"))
	}
	if r.failing.Load() {
		return d.Progress, errors.New("core banking is down")
	}
	r.delivered[d.Key]++
	return outbox.Progress{Created: true, Version: d.Progress.Version + 1}, nil
}

func (r *recorder) count(key string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.delivered[key]
}

func (r *recorder) total() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, c := range r.delivered {
		n += c
	}
	return n
}

func effect(tenant, entity, key string) outbox.Effect {
	return outbox.Effect{TenantID: tenant, Op: "TEST1", Target: outbox.CoreBanking,
		Entity: outbox.Entity{Kind: "client", ID: entity}, Key: key}
}

func startDispatcher(t *testing.T, db *storage.DB, h outbox.Handler, opts ...storage.DispatcherOption) *storage.Dispatcher {
	t.Helper()
	opts = append([]storage.DispatcherOption{storage.WithBackoff(10*time.Millisecond, 20*time.Millisecond)}, opts...)
	d, err := db.NewDispatcher(outbox.Handlers{"TEST1": h}, opts...)
	require.NoError(t, err)
	require.NoError(t, d.Start(context.Background()))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = d.Stop(ctx)
	})
	return d
}

func effectState(t *testing.T, db *storage.DB, tenant, key string) outbox.Record {
	t.Helper()
	recs, _, err := db.Effects().List(context.Background(), tenant, outbox.Filter{}, "", 1000)
	require.NoError(t, err)
	for _, r := range recs {
		if r.Key == key {
			return r
		}
	}
	t.Fatalf("no effect %s", key)
	return outbox.Record{}
}

func TestOutboxDeliversOnceAfterRestart(t *testing.T) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		rec := newRecorder()
		// Committed while no dispatcher runs: nothing is lost.
		require.NoError(t, db.Enqueue(ctx, effect("t1", "c1", "k1"), effect("t1", "c1", "k1")))
		startDispatcher(t, db, rec)
		require.Eventually(t, func() bool { return rec.count("k1") == 1 }, 10*time.Second, 10*time.Millisecond)
		// Enqueuing the same key again delivers nothing more.
		require.NoError(t, db.Enqueue(ctx, effect("t1", "c1", "k1")))
		time.Sleep(200 * time.Millisecond)
		assert.Equal(t, 1, rec.count("k1"))
		r := effectState(t, db, "t1", "k1")
		assert.Equal(t, outbox.Delivered, r.Status)
		assert.Equal(t, 1, r.Attempts)
	})
}

func TestOutboxParksAndReplays(t *testing.T) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		require.NoError(t, db.Tenants().Create(ctx, testkit.Tenant("t1")))
		rec := newRecorder()
		rec.failing.Store(true)
		startDispatcher(t, db, rec)
		require.NoError(t, db.Enqueue(ctx, effect("t1", "c1", "k-park")))
		require.Eventually(t, func() bool {
			return effectState(t, db, "t1", "k-park").Status == outbox.Parked
		}, 10*time.Second, 20*time.Millisecond)
		r := effectState(t, db, "t1", "k-park")
		assert.Equal(t, 3, r.Attempts, "parked after WithMaxAttempts(3)")
		assert.Contains(t, r.LastError, "core banking is down")
		state, err := db.Effects().State(ctx, "t1", outbox.Entity{Kind: "client", ID: "c1"})
		require.NoError(t, err)
		assert.Equal(t, outbox.Parked, state[outbox.CoreBanking].Status)
		// Not parked: nothing to replay; unknown key: not found.
		entry := audit.Entry{TenantID: "t1", Actor: "ops", Operation: "OB002", EntityType: "effect", At: time.Now()}
		_, err = db.Effects().Replay(ctx, "t2", "k-park", entry)
		assert.Error(t, err)

		rec.failing.Store(false)
		// The job may still be finishing the attempt that parked it: a replay
		// then says so (a conflict) and changes nothing.
		require.Eventually(t, func() bool {
			_, err = db.Effects().Replay(ctx, "t1", "k-park", entry)
			return !errors.Is(err, clientele.ErrConflict)
		}, 5*time.Second, 10*time.Millisecond)
		require.NoError(t, err)
		require.Eventually(t, func() bool { return rec.count("k-park") == 1 }, 10*time.Second, 10*time.Millisecond)
		require.Eventually(t, func() bool {
			return effectState(t, db, "t1", "k-park").Status == outbox.Delivered
		}, 5*time.Second, 10*time.Millisecond)
		_, err = db.Effects().Replay(ctx, "t1", "k-park", entry)
		assert.Error(t, err, "a delivered effect is not replayed")
		time.Sleep(100 * time.Millisecond)
		assert.Equal(t, 1, rec.count("k-park"))
	}, storage.WithMaxAttempts(3))
}

func TestOutboxPermanentFailureParksAtOnce(t *testing.T) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		rec := newRecorder()
		rec.permanent.Store(true)
		startDispatcher(t, db, rec)
		require.NoError(t, db.Enqueue(context.Background(), effect("t1", "c1", "k-perm")))
		require.Eventually(t, func() bool {
			return effectState(t, db, "t1", "k-perm").Status == outbox.Parked
		}, 10*time.Second, 20*time.Millisecond)
		assert.Equal(t, 1, effectState(t, db, "t1", "k-perm").Attempts)
	})
}

func TestOutboxTwoDispatchersDeliverEachOnce(t *testing.T) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		rec := newRecorder()
		startDispatcher(t, db, rec)
		startDispatcher(t, db, rec)
		const n = 30
		// Committed one after another while both dispatchers run. (Sixty
		// concurrent writers on one SQLite file can outwait its 5 s busy timeout
		// under the race detector; that is SQLite's single writer, not the
		// dispatchers under test.)
		for i := range n {
			// Ten entities, so effects of one entity compete for its lease.
			require.NoError(t, db.Enqueue(ctx, effect("t1", fmt.Sprintf("c%d", i%10), fmt.Sprintf("k%d", i))))
		}
		require.Eventually(t, func() bool { return rec.total() == n }, 60*time.Second, 20*time.Millisecond)
		time.Sleep(200 * time.Millisecond)
		for i := range n {
			assert.Equal(t, 1, rec.count(fmt.Sprintf("k%d", i)), "k%d", i)
		}
		assert.False(t, rec.overlap.Load(), "two deliveries of one entity overlapped")
	})
}

func TestOutboxPrunesOnlySettledEffects(t *testing.T) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		rec := newRecorder()
		startDispatcher(t, db, rec)
		require.NoError(t, db.Enqueue(ctx, effect("t1", "c1", "done")))
		require.Eventually(t, func() bool { return rec.count("done") == 1 }, 10*time.Second, 10*time.Millisecond)
		require.Eventually(t, func() bool {
			return effectState(t, db, "t1", "done").Status == outbox.Delivered
		}, 5*time.Second, 10*time.Millisecond)
		// A pending effect: the handler fails from now on.
		rec.failing.Store(true)
		require.NoError(t, db.Enqueue(ctx, effect("t1", "c2", "open")))
		n, err := db.PruneEffects(ctx, time.Now().Add(-time.Hour))
		require.NoError(t, err)
		assert.Zero(t, n, "nothing is older than the cutoff")
		n, err = db.PruneEffects(ctx, time.Now().Add(time.Hour))
		require.NoError(t, err)
		assert.Equal(t, int64(1), n)
		recs, _, err := db.Effects().List(ctx, "t1", outbox.Filter{}, "", 10)
		require.NoError(t, err)
		require.Len(t, recs, 1)
		assert.Equal(t, "open", recs[0].Key)
	})
}

// The same effect enqueued by eight concurrent transactions, then its parked
// self replayed by eight concurrent operators: one record, one River job, one
// successful replay, and one delivery.
func TestOutboxConcurrentEnqueueAndReplay(t *testing.T) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		require.NoError(t, db.Tenants().Create(ctx, testkit.Tenant("t1")))
		rec := newRecorder()
		rec.permanent.Store(true)
		var g sync.WaitGroup
		for range 8 {
			g.Add(1)
			go func() {
				defer g.Done()
				assert.NoError(t, db.Enqueue(ctx, effect("t1", "c1", "k-same")))
			}()
		}
		g.Wait()
		var jobs int
		require.NoError(t, db.SQL().QueryRowContext(ctx, "SELECT count(*) FROM river_job").Scan(&jobs))
		assert.Equal(t, 1, jobs, "one River job for one key")
		recs, _, err := db.Effects().List(ctx, "t1", outbox.Filter{}, "", 10)
		require.NoError(t, err)
		require.Len(t, recs, 1)

		startDispatcher(t, db, rec)
		require.Eventually(t, func() bool {
			return effectState(t, db, "t1", "k-same").Status == outbox.Parked
		}, 10*time.Second, 10*time.Millisecond)
		rec.permanent.Store(false)
		entry := audit.Entry{TenantID: "t1", Actor: "ops", Operation: "OB002", EntityType: "effect", At: time.Now()}
		// Wait until the attempt that parked it is finalized, so the race below
		// is between the replays only.
		require.Eventually(t, func() bool {
			var state string
			_ = db.SQL().QueryRowContext(ctx, "SELECT state FROM river_job").Scan(&state)
			return state == "cancelled" || state == "discarded"
		}, 10*time.Second, 10*time.Millisecond)
		var ok sync.WaitGroup
		var replayed, refused atomic.Int32
		for range 8 {
			ok.Add(1)
			go func() {
				defer ok.Done()
				_, err := db.Effects().Replay(ctx, "t1", "k-same", entry)
				switch {
				case err == nil:
					replayed.Add(1)
				case errors.Is(err, clientele.ErrPrecondition):
					refused.Add(1)
				default:
					t.Errorf("replay: %v", err)
				}
			}()
		}
		ok.Wait()
		assert.Equal(t, int32(1), replayed.Load(), "one replay wins")
		assert.Equal(t, int32(7), refused.Load(), "the others find it no longer parked")
		require.Eventually(t, func() bool { return rec.count("k-same") == 1 }, 10*time.Second, 10*time.Millisecond)
		time.Sleep(200 * time.Millisecond)
		assert.Equal(t, 1, rec.count("k-same"))
	})
}

// TestOutboxSweepsDelayedEffects: an effect with a Delay gets no job while
// its request may still deliver it; once the Delay has passed, the sweep of
// two dispatchers at once gives each exactly one job, and each is delivered
// once.
func TestOutboxSweepsDelayedEffects(t *testing.T) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		rec := newRecorder()
		startDispatcher(t, db, rec, storage.WithSweep(10*time.Millisecond))
		startDispatcher(t, db, rec, storage.WithSweep(10*time.Millisecond))
		const n, delay = 30, 500 * time.Millisecond
		var effects []outbox.Effect
		for i := range n {
			e := effect("t1", fmt.Sprintf("c%d", i%10), fmt.Sprintf("k%d", i))
			e.Delay = delay
			effects = append(effects, e)
		}
		start := time.Now()
		require.NoError(t, db.Enqueue(ctx, effects...))
		jobs := func() int {
			var c int
			require.NoError(t, db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM river_job WHERE kind = 'clientele_effect'`).Scan(&c))
			return c
		}
		if time.Since(start) < delay/2 {
			assert.Zero(t, jobs(), "no job within the Delay")
			assert.Zero(t, rec.total())
		}
		require.Eventually(t, func() bool { return rec.total() == n }, 30*time.Second, 10*time.Millisecond)
		assert.GreaterOrEqual(t, time.Since(start), delay, "not before the Delay")
		time.Sleep(100 * time.Millisecond)
		assert.Equal(t, n, jobs(), "one job each, whichever dispatcher swept it")
		for i := range n {
			assert.Equal(t, 1, rec.count(fmt.Sprintf("k%d", i)), "k%d", i)
		}
	})
}

package storage_test

import (
	"context"
	"database/sql"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/adapters"
	"github.com/clientele-go/clientele/clients"
	"github.com/clientele-go/clientele/idempotency"
	"github.com/clientele-go/clientele/internal/dbtest"
	"github.com/clientele-go/clientele/internal/testkit"
	"github.com/clientele-go/clientele/outbox"
	"github.com/clientele-go/clientele/storage"
)

// keyRows counts the rows of the one idempotency table holding key.
func keyRows(t *testing.T, db *storage.DB, key string) int {
	t.Helper()
	var n int
	// key is a test constant: no input reaches this SQL.
	require.NoError(t, db.SQL().QueryRowContext(context.Background(),
		"SELECT count(*) FROM idempotency_keys WHERE key = '"+key+"'").Scan(&n))
	return n
}

// clientsNamed returns the clients of t1 whose name contains name.
func clientsNamed(t *testing.T, svc *clients.Service, name string) []clients.Client {
	t.Helper()
	page, err := svc.List(context.Background(), testkit.Staff("t1", "u1"), clients.ListRequest{Filter: "name~" + name})
	require.NoError(t, err)
	return page.Clients
}

// exactlyOnce checks that c was written once: one audit entry, one effect per
// adapter it syncs to, as a create without a key writes.
func exactlyOnce(t *testing.T, db *storage.DB, c clients.Client, effects int) {
	t.Helper()
	ctx := context.Background()
	entries, err := db.AuditLog(ctx, "t1", "client", c.ID, 10)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "one audit entry")
	recs, _, err := db.Effects().List(ctx, "t1", outbox.Filter{Entity: outbox.Entity{Kind: clients.EntityKind, ID: c.ID}}, "", 50)
	require.NoError(t, err)
	assert.Len(t, recs, effects, "one effect per adapter")
}

// effectsOfOneCreate is how many effects a create without a key enqueues.
func effectsOfOneCreate(t *testing.T, db *storage.DB, svc *clients.Service) int {
	t.Helper()
	ctx := context.Background()
	c, err := svc.Create(ctx, testkit.Staff("t1", "u1"), testkit.Person("Zawadi", "Baseline"), "")
	require.NoError(t, err)
	recs, _, err := db.Effects().List(ctx, "t1", outbox.Filter{Entity: outbox.Entity{Kind: clients.EntityKind, ID: c.ID}}, "", 50)
	require.NoError(t, err)
	require.NotEmpty(t, recs)
	return len(recs)
}

func TestIdempotentCreateWritesOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		svc := newService(t, db, "t1")
		effects := effectsOfOneCreate(t, db, svc)
		p := testkit.Staff("t1", "u1")
		first, err := svc.Create(ctx, p, testkit.Person("Neema", "Once"), "once-1")
		require.NoError(t, err)
		again, err := svc.Create(ctx, p, testkit.Person("Neema", "Once"), "once-1")
		require.NoError(t, err)
		assert.Equal(t, first, again)
		assert.Len(t, clientsNamed(t, svc, "once"), 1, "one row")
		exactlyOnce(t, db, first, effects)
		assert.Equal(t, 1, keyRows(t, db, "once-1"))

		_, err = svc.Create(ctx, p, testkit.Person("Neema", "Twice"), "once-1")
		require.ErrorIs(t, err, clientele.ErrConflict)
		assert.Contains(t, err.Error(), "idempotency key was used for a different request")
		assert.NotContains(t, err.Error(), "once-1", "the caller's key is not echoed")
		assert.Empty(t, clientsNamed(t, svc, "twice"))
	})
}

// A key belongs to the principal that sent it: another user's identical request
// under the same key is a request of its own, not a replay of someone else's
// client.
func TestIdempotencyKeyScopedToPrincipal(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		svc := newService(t, db, "t1")
		in := testkit.Person("Imani", "Scoped")
		a, err := svc.Create(ctx, testkit.Staff("t1", "u1"), in, "shared-key")
		require.NoError(t, err)
		b, err := svc.Create(ctx, testkit.Staff("t1", "u2"), in, "shared-key")
		require.NoError(t, err)
		assert.NotEqual(t, a.ID, b.ID, "u2 does not receive u1's client")
		again, err := svc.Create(ctx, testkit.Staff("t1", "u2"), in, "shared-key")
		require.NoError(t, err)
		assert.Equal(t, b.ID, again.ID)
		assert.Len(t, clientsNamed(t, svc, "scoped"), 2)
	})
}

// Eight concurrent creates under one key create exactly one client, written
// once. Every other call either replays it or, on PostgreSQL when it arrives
// while the first is still in flight, fails at once with the in-progress
// conflict. SQLite's writers take turns, so there every other call replays.
func TestIdempotencyConcurrentDuplicates(t *testing.T) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		svc := newService(t, db, "t1")
		effects := effectsOfOneCreate(t, db, svc)
		p := testkit.Staff("t1", "u1")
		const n = 8
		got := make([]clients.Client, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() { got[i], errs[i] = svc.Create(ctx, p, testkit.Person("Chausiku", "Concurrent"), "race-key") })
		}
		wg.Wait()
		created := clientsNamed(t, svc, "concurrent")
		require.Len(t, created, 1, "exactly one client")
		exactlyOnce(t, db, created[0], effects)
		conflicts := 0
		for i := range n {
			if errs[i] != nil {
				conflicts++
				require.ErrorIs(t, errs[i], clientele.ErrConflict)
				assert.Contains(t, errs[i].Error(), "a request with this idempotency key is in progress")
				continue
			}
			assert.Equal(t, created[0].ID, got[i].ID)
		}
		assert.Less(t, conflicts, n, "the first call succeeds")
		if db.Dialect() == storage.SQLite {
			assert.Zero(t, conflicts, "SQLite serializes writers: every duplicate replays")
		}
		t.Logf("%s: %d of %d duplicates answered in progress", db.Dialect(), conflicts, n-1)
	})
}

// A duplicate that arrives while the first request's transaction is open is
// answered at once on PostgreSQL ("in progress"), without waiting for it. On
// SQLite it cannot begin before the first commits, and then replays.
func TestIdempotencyKeyInFlight(t *testing.T) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		svc := newService(t, db, "t1")
		p := testkit.Staff("t1", "u1")
		in := testkit.Person("Pendo", "Inflight")
		type result struct {
			c   clients.Client
			err error
		}
		second := make(chan result, 1)
		var first clients.Client
		err := db.InTx(ctx, func(txCtx context.Context, _ *sql.Tx) error {
			var err error
			if first, err = svc.Create(txCtx, p, in, "flight-key"); err != nil {
				return err
			}
			go func() {
				c, err := svc.Create(ctx, p, in, "flight-key")
				second <- result{c, err}
			}()
			if db.Dialect() == storage.Postgres {
				select {
				case r := <-second:
					require.ErrorIs(t, r.err, clientele.ErrConflict)
					assert.Contains(t, r.err.Error(), "a request with this idempotency key is in progress")
				case <-time.After(3 * time.Second):
					t.Error("the duplicate waited for the first request instead of answering")
				}
				return nil
			}
			select {
			case r := <-second:
				t.Errorf("on SQLite the duplicate cannot run beside an open write transaction: %+v", r)
			case <-time.After(200 * time.Millisecond):
			}
			return nil
		})
		require.NoError(t, err)
		if db.Dialect() == storage.Postgres {
			// After the first commits, a retry replays.
			again, err := svc.Create(ctx, p, in, "flight-key")
			require.NoError(t, err)
			assert.Equal(t, first.ID, again.ID)
			return
		}
		select {
		case r := <-second:
			require.NoError(t, r.err)
			assert.Equal(t, first.ID, r.c.ID, "replayed once the first committed")
		case <-time.After(10 * time.Second):
			t.Fatal("the duplicate never finished")
		}
	})
}

// A key is remembered for 24 hours. An older one is ignored: its reuse is a
// new request.
func TestIdempotencyKeyExpires(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		svc := newService(t, db, "t1")
		p := testkit.Staff("t1", "u1")
		in := testkit.Person("Tumaini", "Expiry")
		db.SetClock(func() time.Time { return time.Now().Add(-idempotency.TTL - time.Minute) })
		old, err := svc.Create(ctx, p, in, "old-key")
		require.NoError(t, err)
		db.SetClock(time.Now)
		fresh, err := svc.Create(ctx, p, in, "old-key")
		require.NoError(t, err)
		assert.NotEqual(t, old.ID, fresh.ID, "an expired key starts a new request")
		again, err := svc.Create(ctx, p, in, "old-key")
		require.NoError(t, err)
		assert.Equal(t, fresh.ID, again.ID, "and is remembered anew")
		assert.Equal(t, 1, keyRows(t, db, "old-key"))

		// Just inside the 24 hours it still replays.
		db.SetClock(func() time.Time { return time.Now().Add(-idempotency.TTL + time.Minute) })
		recent, err := svc.Create(ctx, p, testkit.Person("Tumaini", "Recent"), "recent-key")
		require.NoError(t, err)
		db.SetClock(time.Now)
		again, err = svc.Create(ctx, p, testkit.Person("Tumaini", "Recent"), "recent-key")
		require.NoError(t, err)
		assert.Equal(t, recent.ID, again.ID)
	})
}

// The dispatcher's prune job deletes keys older than 24 hours and keeps the
// others.
func TestPruneJobDeletesExpiredKeys(t *testing.T) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		svc := newService(t, db, "t1")
		p := testkit.Staff("t1", "u1")
		db.SetClock(func() time.Time { return time.Now().Add(-idempotency.TTL - time.Minute) })
		_, err := svc.Create(ctx, p, testkit.Person("Baraka", "Pruned"), "prune-old")
		require.NoError(t, err)
		_, err = db.Persistence().RegisterDevice(ctx, adapters.RegisterDeviceRequest{TenantID: "t1", ClientID: "c1",
			Name: "phone", Platform: "android", Fingerprint: "fp", IdempotencyKey: "prune-old-device"})
		require.NoError(t, err)
		db.SetClock(time.Now)
		_, err = svc.Create(ctx, p, testkit.Person("Baraka", "Kept"), "prune-new")
		require.NoError(t, err)
		require.Equal(t, 1, keyRows(t, db, "prune-old"))
		require.Equal(t, 1, keyRows(t, db, "prune-old-device"))

		dbtest.StartDispatcher(t, db, outbox.Handlers{}) // the prune job runs on start, then hourly
		require.Eventually(t, func() bool {
			return keyRows(t, db, "prune-old") == 0 && keyRows(t, db, "prune-old-device") == 0
		}, 10*time.Second, 20*time.Millisecond)
		assert.Equal(t, 1, keyRows(t, db, "prune-new"))
	})
}

// The Persistence adapter's keys live in the one table, scoped to the adapter,
// and expire like every other key.
func TestPersistenceKeysAreTheOneMechanism(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		s := db.Persistence()
		req := adapters.RegisterDeviceRequest{TenantID: "t1", ClientID: "c1", Name: "phone", Platform: "android",
			Fingerprint: "fp", IdempotencyKey: "device-key"}
		db.SetClock(func() time.Time { return time.Now().Add(-idempotency.TTL - time.Minute) })
		first, err := s.RegisterDevice(ctx, req)
		require.NoError(t, err)
		db.SetClock(time.Now)
		assert.Equal(t, 1, keyRows(t, db, "device-key"))
		second, err := s.RegisterDevice(ctx, req)
		require.NoError(t, err)
		assert.NotEqual(t, first.ID, second.ID, "an expired key starts a new request")
		again, err := s.RegisterDevice(ctx, req)
		require.NoError(t, err)
		assert.Equal(t, second, again)
		req.Name = "tablet"
		_, err = s.RegisterDevice(ctx, req)
		require.ErrorIs(t, err, clientele.ErrConflict)
		assert.Contains(t, err.Error(), "idempotency key was used for a different request")
		devices, err := s.ListDevices(ctx, "t1", "c1")
		require.NoError(t, err)
		assert.Len(t, devices, 2)
	})
}

// Inside one app transaction, a repeated key replays what that transaction
// recorded.
func TestIdempotencyKeyRepeatedInOneTransaction(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		svc := newService(t, db, "t1")
		p := testkit.Staff("t1", "u1")
		in := testkit.Person("Faraji", "Sametx")
		err := db.InTx(ctx, func(ctx context.Context, _ *sql.Tx) error {
			first, err := svc.Create(ctx, p, in, "tx-key")
			require.NoError(t, err)
			again, err := svc.Create(ctx, p, in, "tx-key")
			require.NoError(t, err)
			assert.Equal(t, first.ID, again.ID)
			return nil
		})
		require.NoError(t, err)
		assert.Len(t, clientsNamed(t, svc, "sametx"), 1)
	})
}

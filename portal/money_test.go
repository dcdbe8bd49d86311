package portal_test

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
	"github.com/clientele-go/clientele/authz"
	"github.com/clientele-go/clientele/internal/dbtest"
	"github.com/clientele-go/clientele/internal/testkit"
	"github.com/clientele-go/clientele/portal"
	"github.com/clientele-go/clientele/storage"
)

// burst is how many parallel requests a money test sends: 100 on
// PostgreSQL, 20 on SQLite, whose one writer at a time makes a bigger burst
// only slower, not more concurrent.
func burst(db *storage.DB) int {
	if db.Dialect() == storage.Postgres {
		return 100
	}
	return 20
}

func count(t *testing.T, db *storage.DB, query string, args ...any) int {
	t.Helper()
	var n int
	require.NoError(t, db.SQL().QueryRowContext(context.Background(), query, args...).Scan(&n))
	return n
}

// TestSameKeyBurst: n concurrent transfers with one key and one body record
// one transfer with one effect and move the money once; every answer is that
// transfer or "in progress" (ErrConflict).
func TestSameKeyBurst(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		pa, a1, b1 := f.ends(t, 10_000)
		in := portal.TransferInput{FromAccountID: a1, ToAccountID: b1, Amount: kes(700)}
		n := burst(db)
		ids := make([]string, n)
		errs := make([]error, n)
		testkit.Together(n, func(i int) {
			tr, err := f.ps.Transfer(ctx, pa, in, "one-key")
			ids[i], errs[i] = tr.ID, err
		})
		var id string
		ok := 0
		for i := range n {
			if errs[i] != nil {
				assert.ErrorIs(t, errs[i], clientele.ErrConflict)
				continue
			}
			ok++
			if id == "" {
				id = ids[i]
			}
			assert.Equal(t, id, ids[i], "every success is the one transfer")
		}
		assert.Positive(t, ok)
		assert.Equal(t, 1, count(t, db, "SELECT count(*) FROM portal_transfers"))
		assert.Equal(t, 1, count(t, db, "SELECT count(*) FROM clientele_effects WHERE op = '"+portal.OpTransfer+"'"))
		assert.Equal(t, int64(10_000-700), f.balance(t, a1))
		assert.Equal(t, int64(700), f.balance(t, b1))
	})
}

// TestOverdraftBurst: n parallel distinct transfers from an account funded
// for n/2 of them: exactly n/2 complete, the others are refused by core
// banking and recorded failed, the balance is never negative, and the money
// is conserved.
func TestOverdraftBurst(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		pa, a := f.customer(t, "100001", "+254700000101", authz.RolePortalTransactor)
		_, b := f.customer(t, "100002", "+254700000102", authz.RolePortalViewer)
		n := burst(db)
		const each = 100
		a1, b1 := f.savings(t, a.ID, int64(n/2*each)), f.savings(t, b.ID, 0)

		var lowest atomic.Int64
		lowest.Store(int64(n / 2 * each))
		stop := make(chan struct{})
		watched := make(chan struct{})
		go func() { // watch the balance during the burst
			defer close(watched)
			for {
				select {
				case <-stop:
					return
				default:
				}
				if bal := f.balance(t, a1); bal < lowest.Load() {
					lowest.Store(bal)
				}
				time.Sleep(100 * time.Microsecond)
			}
		}()
		var completed, failed atomic.Int64
		testkit.Together(n, func(i int) {
			_, err := f.ps.Transfer(ctx, pa, portal.TransferInput{FromAccountID: a1, ToAccountID: b1, Amount: kes(each)}, fmt.Sprintf("k-%d", i))
			var fe *portal.FailedError
			switch {
			case err == nil:
				completed.Add(1)
			case errors.As(err, &fe):
				failed.Add(1)
			default:
				t.Errorf("transfer %d: %v", i, err)
			}
		})
		close(stop)
		<-watched
		assert.Equal(t, int64(n/2), completed.Load())
		assert.Equal(t, int64(n-n/2), failed.Load())
		assert.Zero(t, f.balance(t, a1))
		assert.GreaterOrEqual(t, lowest.Load(), int64(0), "never negative")
		assert.Equal(t, int64(n/2*each), f.balance(t, a1)+f.balance(t, b1), "conserved")
		assert.Equal(t, n/2, count(t, db, "SELECT count(*) FROM portal_transfers WHERE status = 'completed'"))
		assert.Equal(t, n-n/2, count(t, db, "SELECT count(*) FROM portal_transfers WHERE status = 'failed'"))
	})
}

// TestBankDownMidBurst: core banking goes down in the middle of a burst; the
// requests it could not serve are answered pending, and once it is back the
// dispatcher completes every accepted transfer exactly once.
func TestBankDownMidBurst(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		pa, a := f.customer(t, "100001", "+254700000101", authz.RolePortalTransactor)
		_, b := f.customer(t, "100002", "+254700000102", authz.RolePortalViewer)
		const funded = 1_000_000
		a1, b1 := f.savings(t, a.ID, funded), f.savings(t, b.ID, 0)
		dbtest.StartDispatcher(t, db, f.ps.Handlers(), storage.WithBackoff(20*time.Millisecond, 100*time.Millisecond))

		n := burst(db)
		var done atomic.Int64
		var once sync.Once
		var mu sync.Mutex
		var accepted int64
		statuses := map[portal.TransferStatus]int{}
		testkit.Together(n, func(i int) {
			amount := int64(i + 1)
			tr, err := f.ps.Transfer(ctx, pa, portal.TransferInput{FromAccountID: a1, ToAccountID: b1, Amount: kes(amount)}, fmt.Sprintf("k-%d", i))
			if !assert.NoError(t, err, "transfer %d", i) {
				return
			}
			mu.Lock()
			accepted += amount
			statuses[tr.Status]++
			mu.Unlock()
			if done.Add(1) == int64(n/3) {
				once.Do(func() { f.bank.Faults().FailAll(clientele.ErrUnavailable) })
			}
		})
		// Make sure some were left pending even if the burst outran the switch.
		tr, err := f.ps.Transfer(ctx, pa, portal.TransferInput{FromAccountID: a1, ToAccountID: b1, Amount: kes(1)}, "k-last")
		require.NoError(t, err)
		assert.Equal(t, portal.TransferPending, tr.Status)
		accepted++
		statuses[portal.TransferPending]++
		t.Logf("answers: %v", statuses)
		f.bank.Faults().Reset()
		dbtest.Drain(t, db)

		got, err := f.ps.GetTransfer(ctx, pa, tr.ID)
		require.NoError(t, err)
		assert.Equal(t, portal.TransferCompleted, got.Status)
		assert.Equal(t, n+1, count(t, db, "SELECT count(*) FROM portal_transfers WHERE status = 'completed'"))
		assert.Equal(t, accepted, f.balance(t, b1), "every accepted transfer moved once")
		assert.Equal(t, int64(funded)-accepted, f.balance(t, a1))
	})
}

package portal_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/audit"
	"github.com/clientele-go/clientele/internal/dbtest"
	"github.com/clientele-go/clientele/outbox"
	"github.com/clientele-go/clientele/portal"
	"github.com/clientele-go/clientele/storage"
)

// TestInlineTransferWithdrawsItsEffect: a transfer the request executes
// records its effect delivered and withdraws its job in the settlement's
// transaction, so the dispatcher, running all along, never works it.
func TestInlineTransferWithdrawsItsEffect(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		pa, a1, b1 := f.ends(t, 1_000)
		var worked atomic.Int64
		deliver := f.ps.Handlers()[portal.OpTransfer]
		dbtest.StartDispatcher(t, db, outbox.Handlers{portal.OpTransfer: outbox.HandlerFunc(
			func(ctx context.Context, d outbox.Delivery) (outbox.Progress, error) {
				worked.Add(1)
				return deliver.Deliver(ctx, d)
			})})
		dbtest.Drain(t, db)
		jobs := `SELECT count(*) FROM river_job WHERE kind = 'clientele_effect'`
		before := count(t, db, jobs)

		for i, key := range []string{"k1", "k2", "k3"} {
			tr, err := f.ps.Transfer(ctx, pa, portal.TransferInput{FromAccountID: a1, ToAccountID: b1, Amount: kes(int64(i + 1))}, key)
			require.NoError(t, err)
			assert.Equal(t, portal.TransferCompleted, tr.Status)
		}
		dbtest.Drain(t, db)
		assert.Zero(t, worked.Load(), "the dispatcher never worked a transfer the request executed")
		assert.Equal(t, before, count(t, db, jobs), "their jobs were withdrawn")
		assert.Equal(t, 3, count(t, db, `SELECT count(*) FROM clientele_effects WHERE op = '`+portal.OpTransfer+`' AND status = 'delivered' AND attempts = 1`))
		assert.Equal(t, int64(6), f.balance(t, b1))
	})
}

// dyingStore is the store of a process that stops right after a transfer's
// record commits: it never records the outcome, nor hands anything over.
type dyingStore struct{ portal.Store }

var errStopped = errors.New("the process stopped")

func (dyingStore) SettleTransfer(context.Context, string, string, portal.TransferStatus, string, string, time.Time, audit.Entry, string) (portal.Transfer, error) {
	return portal.Transfer{}, errStopped
}

func (dyingStore) HandOver(context.Context, string, string) error { return errStopped }

// TestDispatcherFinishesAfterTheGrace: a process executes a transfer at core
// banking and stops before it records the outcome. The dispatcher leaves the
// transfer alone for the grace, then executes it again under the same
// idempotency key: the transfer is completed, the money moved once.
func TestDispatcherFinishesAfterTheGrace(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		pa, a1, b1 := f.ends(t, 1_000)
		const grace = 2 * time.Second
		dying, err := portal.New(dyingStore{db.Portal()}, f.az, f.bank, f.cs, f.us, portal.WithInlineGrace(grace))
		require.NoError(t, err)
		dbtest.StartDispatcher(t, db, f.ps.Handlers())
		dbtest.Drain(t, db)

		start := time.Now()
		_, err = dying.Transfer(ctx, pa, portal.TransferInput{FromAccountID: a1, ToAccountID: b1, Amount: kes(250)}, "k")
		require.ErrorIs(t, err, errStopped)
		assert.Equal(t, int64(250), f.balance(t, b1), "core banking moved it")
		if time.Since(start) < grace/2 {
			assert.Equal(t, 1, count(t, db, `SELECT count(*) FROM clientele_effects WHERE op = '`+portal.OpTransfer+`' AND status = 'pending' AND attempts = 0`),
				"within the grace the dispatcher leaves it alone")
		}

		dbtest.Drain(t, db)
		assert.GreaterOrEqual(t, time.Since(start), grace, "not before the grace")
		assert.Equal(t, 1, count(t, db, `SELECT count(*) FROM portal_transfers WHERE status = 'completed'`))
		assert.Equal(t, int64(250), f.balance(t, b1), "moved once")
		assert.Equal(t, int64(750), f.balance(t, a1))
	})
}

// TestTransferRecordIsExact: what a transfer records (on PostgreSQL one
// statement for the record and one for the settlement) reads back exactly,
// text with quotes, placeholders and comment marks included; it has both
// audit entries and its effect delivered once; a replay returns it. A
// transfer handed over to the dispatcher has its job withdrawn when the
// request's settlement comes first, and a second settlement changes
// nothing.
func TestTransferRecordIsExact(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		pa, a1, b1 := f.ends(t, 1_000)
		const narration = `it's "50%" off? $1 -- ; /* x */ :name ?? \ ü ✓`
		in := portal.TransferInput{FromAccountID: a1, ToAccountID: b1, Amount: kes(7), Narration: narration}
		tr, err := f.ps.Transfer(ctx, pa, in, `k?'1 $2`)
		require.NoError(t, err)
		assert.Equal(t, portal.TransferCompleted, tr.Status)
		assert.Equal(t, narration, tr.Narration)
		got, err := f.ps.GetTransfer(ctx, pa, tr.ID)
		require.NoError(t, err)
		assert.Equal(t, tr, got, "read back as answered")
		again, err := f.ps.Transfer(ctx, pa, in, `k?'1 $2`)
		require.NoError(t, err)
		assert.Equal(t, tr, again, "the replay")

		entries, err := db.AuditLog(ctx, tenantID, portal.TransferEntity, tr.ID, 10)
		require.NoError(t, err)
		require.Len(t, entries, 2)
		assert.Equal(t, [2]string{"PT003", portal.AuditTransferSettled}, [2]string{entries[0].Operation, entries[1].Operation})
		assert.Equal(t, [2]string{pa.UserID, "system"}, [2]string{entries[0].Actor, entries[1].Actor})
		assert.Equal(t, []string{"status", "bankTransferId"}, entries[1].Changed)
		effects := `SELECT count(*) FROM clientele_effects WHERE entity_id = '` + tr.ID + `' AND status = 'delivered' AND attempts = 1 AND job_id = 0`
		assert.Equal(t, 1, count(t, db, effects))
		assert.Equal(t, int64(7), f.balance(t, b1))

		// Core banking is down: the transfer is handed over (a River job),
		// and no dispatcher runs. The request's settlement comes first.
		f.bank.Faults().FailAll(clientele.ErrUnavailable)
		pending, err := f.ps.Transfer(ctx, pa, portal.TransferInput{FromAccountID: a1, ToAccountID: b1, Amount: kes(3)}, "k2")
		require.NoError(t, err)
		require.Equal(t, portal.TransferPending, pending.Status)
		f.bank.Faults().Reset()
		var job int64
		require.NoError(t, db.SQL().QueryRowContext(ctx, `SELECT job_id FROM clientele_effects WHERE entity_id = '`+pending.ID+`'`).Scan(&job))
		require.NotZero(t, job, "handed over")
		jobs := fmt.Sprintf(`SELECT count(*) FROM river_job WHERE id = %d`, job)
		require.Equal(t, 1, count(t, db, jobs))

		settle := func() (portal.Transfer, error) {
			return db.Portal().SettleTransfer(ctx, tenantID, pending.ID, portal.TransferCompleted, "bank-1", "", time.Now(),
				audit.Entry{TenantID: tenantID, Actor: "system", Operation: portal.AuditTransferSettled,
					EntityType: portal.TransferEntity, EntityID: pending.ID, Changed: []string{"status"}, At: time.Now()},
				"portal-transfer:"+pending.ID)
		}
		settled, err := settle()
		require.NoError(t, err)
		assert.Equal(t, portal.TransferCompleted, settled.Status)
		assert.Equal(t, "bank-1", settled.BankTransferID)
		assert.Zero(t, count(t, db, jobs), "its job was withdrawn")
		assert.Equal(t, 1, count(t, db, `SELECT count(*) FROM clientele_effects WHERE entity_id = '`+pending.ID+`' AND status = 'delivered'`))

		twice, err := settle()
		require.NoError(t, err)
		assert.Equal(t, settled, twice, "settled already: as it stands")
		entries, err = db.AuditLog(ctx, tenantID, portal.TransferEntity, pending.ID, 10)
		require.NoError(t, err)
		assert.Len(t, entries, 2, "one settlement entry")
	})
}

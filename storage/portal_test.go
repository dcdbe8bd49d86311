package storage_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/adapters"
	"github.com/clientele-go/clientele/audit"
	"github.com/clientele-go/clientele/idempotency"
	"github.com/clientele-go/clientele/internal/dbtest"
	"github.com/clientele-go/clientele/internal/testkit"
	"github.com/clientele-go/clientele/outbox"
	"github.com/clientele-go/clientele/portal"
	"github.com/clientele-go/clientele/storage"
)

// TestTransferRecordsAndSettlementsInBursts: concurrent records and
// settlements (on PostgreSQL, shared statements) each get their own
// outcome: every transfer of the tenant is recorded with its key, audit
// entry and effect, and settled once; one of a missing tenant fails alone
// and leaves nothing; a replayed key records nothing new.
func TestTransferRecordsAndSettlementsInBursts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		require.NoError(t, db.Tenants().Create(ctx, testkit.Tenant("t1")))
		ps := db.Portal()
		const n = 40
		record := func(tenantID string, i int) (portal.Transfer, bool, error) {
			id := uuid.Must(uuid.NewV7()).String()
			now := time.Now().UTC().Truncate(time.Microsecond)
			tr := portal.Transfer{ID: id, TenantID: tenantID, ClientID: "c", UserID: "u", FromAccountID: "a", ToAccountID: "b",
				Amount: adapters.Money{Amount: int64(i + 1), Currency: "KES"}, Narration: fmt.Sprintf("n'%d?", i),
				Status: portal.TransferPending, CreatedAt: now, UpdatedAt: now}
			return ps.CreateTransfer(ctx, tr,
				idempotency.Key{Principal: "u", Operation: "PT003", Value: fmt.Sprintf("k-%d", i), RequestHash: fmt.Sprint(i)},
				audit.Entry{TenantID: tenantID, Actor: "u", Operation: "PT003", EntityType: portal.TransferEntity, EntityID: id, At: now},
				outbox.Effect{TenantID: tenantID, Op: portal.OpTransfer, Target: outbox.CoreBanking,
					Entity: outbox.Entity{Kind: portal.TransferEntity, ID: id}, Key: "portal-transfer:" + id, Delay: time.Minute})
		}

		made := make([]portal.Transfer, n)
		testkit.Together(n, func(i int) {
			tenant := "t1"
			if i == 13 {
				tenant = "no-such-tenant"
			}
			tr, replayed, err := record(tenant, i)
			if i == 13 {
				assert.Error(t, err, "another tenant's transfer fails")
				return
			}
			if assert.NoError(t, err, "transfer %d", i) {
				assert.False(t, replayed)
				made[i] = tr
			}
		})
		count := func(q string) int {
			var c int
			require.NoError(t, db.SQL().QueryRowContext(ctx, q).Scan(&c))
			return c
		}
		assert.Equal(t, n-1, count(`SELECT count(*) FROM portal_transfers`))
		assert.Equal(t, n-1, count(`SELECT count(*) FROM idempotency_keys WHERE operation = 'PT003'`))
		assert.Equal(t, n-1, count(`SELECT count(*) FROM audit_log WHERE entity_type = 'portal_transfer'`))
		assert.Equal(t, n-1, count(`SELECT count(*) FROM clientele_effects WHERE op = 'CC012' AND status = 'pending'`))
		for i, tr := range made {
			if i == 13 {
				continue
			}
			got, err := ps.Transfer(ctx, "t1", tr.ID)
			require.NoError(t, err)
			assert.Equal(t, tr, got)
		}

		// A key again, with the same request: the replay of its transfer,
		// and nothing new recorded.
		again, replayed, err := record("t1", 5)
		require.NoError(t, err)
		assert.True(t, replayed)
		assert.Equal(t, made[5], again)
		assert.Equal(t, n-1, count(`SELECT count(*) FROM portal_transfers`))

		// Settle every transfer twice at once: one settlement each writes.
		testkit.Together(n, func(i int) {
			if i == 13 {
				return
			}
			tr := made[i]
			for range 2 {
				at := time.Now().UTC().Truncate(time.Microsecond)
				got, err := ps.SettleTransfer(ctx, "t1", tr.ID, portal.TransferCompleted, "bank-"+tr.ID, "", at,
					audit.Entry{TenantID: "t1", Actor: "system", Operation: portal.AuditTransferSettled,
						EntityType: portal.TransferEntity, EntityID: tr.ID, Changed: []string{"status"}, At: at},
					"portal-transfer:"+tr.ID)
				if assert.NoError(t, err) {
					assert.Equal(t, portal.TransferCompleted, got.Status)
					assert.Equal(t, "bank-"+tr.ID, got.BankTransferID)
				}
			}
		})
		assert.Equal(t, n-1, count(`SELECT count(*) FROM portal_transfers WHERE status = 'completed'`))
		assert.Equal(t, n-1, count(`SELECT count(*) FROM audit_log WHERE operation = '`+portal.AuditTransferSettled+`'`), "one settlement entry each")
		assert.Equal(t, n-1, count(`SELECT count(*) FROM clientele_effects WHERE op = 'CC012' AND status = 'delivered' AND attempts = 1`))
	})
}

package authz_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/audit"
	"github.com/clientele-go/clientele/authz"
	"github.com/clientele-go/clientele/internal/dbtest"
	"github.com/clientele-go/clientele/internal/testkit"
	"github.com/clientele-go/clientele/storage"
)

// TestCacheTTLSeesOtherProcess runs on both dialects: a role change written
// straight to the database, as another process would (nobody calls this
// Authorizer's Invalidate), is not seen before the default TTL and is seen
// after it, both for a revocation and for a grant.
func TestCacheTTLSeesOtherProcess(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		require.NoError(t, db.Tenants().Create(ctx, testkit.Tenant("t1")))
		var clock atomic.Int64
		clock.Store(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano())
		now := func() time.Time { return time.Unix(0, clock.Load()) }
		az, err := authz.New(db.Authz(), db.Authz(), authz.WithClock(now))
		require.NoError(t, err)

		admin := testkit.Staff("t1", "u1", "RP001")
		helpdesk := testkit.Staff("t1", "u2", "RP005")
		client := authz.Resource{ClientID: "c1"}
		require.NoError(t, az.Authorize(ctx, admin, authz.OpArchiveClient, client))
		require.ErrorIs(t, az.Authorize(ctx, helpdesk, authz.OpViewClient, client), clientele.ErrForbidden)

		// "Another process" revokes archiving from RP001 and grants viewing to RP005.
		other := db.Authz()
		require.NoError(t, other.UpdateRole(ctx, "t1", "RP001", func(r *authz.Role) (audit.Entry, error) {
			r.Permissions = []string{"clnt_list", "dev_mgmt_admin"}
			return audit.Entry{TenantID: "t1", Actor: "other", Operation: "AD004", EntityType: "role", EntityID: "RP001", At: now()}, nil
		}))
		require.NoError(t, other.UpdateRole(ctx, "t1", "RP005", func(r *authz.Role) (audit.Entry, error) {
			r.Permissions = append(r.Permissions, "clnt_read_updt")
			return audit.Entry{TenantID: "t1", Actor: "other", Operation: "AD004", EntityType: "role", EntityID: "RP005", At: now()}, nil
		}))

		clock.Add(int64(authz.DefaultCacheTTL - time.Millisecond))
		assert.NoError(t, az.Authorize(ctx, admin, authz.OpArchiveClient, client), "before the TTL: cached")
		assert.ErrorIs(t, az.Authorize(ctx, helpdesk, authz.OpViewClient, client), clientele.ErrForbidden, "before the TTL: cached")

		clock.Add(int64(time.Millisecond))
		assert.ErrorIs(t, az.Authorize(ctx, admin, authz.OpArchiveClient, client), clientele.ErrForbidden, "after the TTL: revoked")
		assert.NoError(t, az.Authorize(ctx, helpdesk, authz.OpViewClient, client), "after the TTL: granted")
	})
}

package users_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/adapters/memory"
	"github.com/clientele-go/clientele/authz"
	"github.com/clientele-go/clientele/internal/dbtest"
	"github.com/clientele-go/clientele/internal/testkit"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/users"
)

// countingStore counts the account reads IsNodeOperator makes.
type countingStore struct {
	users.Store
	gets atomic.Int64
}

func (s *countingStore) Get(ctx context.Context, tenantID, userID string) (users.Account, error) {
	s.gets.Add(1)
	return s.Store.Get(ctx, tenantID, userID)
}

// TestIsNodeOperatorReadsOnlyWhatCanChange: a user's type never changes, so
// a user known to be of another type is answered without a read; the node
// operator's state is read every time, and so is an unknown user.
func TestIsNodeOperatorReadsOnlyWhatCanChange(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		require.NoError(t, db.Tenants().Create(ctx, testkit.Tenant("t1")))
		seedStaff(t, db, "t1", staffT1)
		cats, err := authz.New(db.Authz(), db.Authz())
		require.NoError(t, err)
		store := &countingStore{Store: db.Users()}
		svc, err := users.New(store, testkit.AllowAll{}, cats, knownClients{}, db.Associates(), memory.NewMessaging(), memory.NewIdentity(),
			users.WithHashing(users.InsecureTestHashing()))
		require.NoError(t, err)
		acc, err := svc.Bootstrap(ctx, "t1", users.NodeOperatorInput{Email: operatorEmail, Name: "Node Operator", Password: operatorPassword, Roles: []string{authz.RoleSecurityAdmin}})
		require.NoError(t, err)
		op := acc.Principal()
		admin, err := svc.Invite(ctx, op, adminInput("ada@bank.example"), "")
		require.NoError(t, err)
		staff := authz.Principal{TenantID: "t1", UserID: admin.ID, Kind: authz.Backoffice}

		reads := func(p authz.Principal, want bool) int64 {
			before := store.gets.Load()
			for range 3 {
				got, err := svc.IsNodeOperator(ctx, p)
				require.NoError(t, err)
				assert.Equal(t, want, got)
			}
			return store.gets.Load() - before
		}
		assert.EqualValues(t, 3, reads(op, true), "the operator's state, every time")
		assert.EqualValues(t, 1, reads(staff, false), "another type: read once")
		assert.EqualValues(t, 3, reads(authz.Principal{TenantID: "t1", UserID: "01937000-0000-7000-8000-00000000dead"}, false), "unknown: every time")
		assert.EqualValues(t, 3, reads(authz.Principal{TenantID: "t2", UserID: admin.ID}, false), "another tenant's user of that ID")
	})
}

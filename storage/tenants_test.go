package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/audit"
	"github.com/clientele-go/clientele/authz"
	"github.com/clientele-go/clientele/idempotency"
	"github.com/clientele-go/clientele/internal/dbtest"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/tenants"
	"github.com/clientele-go/clientele/users"
)

// An unknown preset is refused when the tenant is created, not discovered on
// every later authorization.
func TestTenantCreateRefusesUnknownPreset(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		err := db.Tenants().Create(ctx, tenants.Tenant{ID: "bank", Name: "Example Bank", Preset: "retail"})
		require.ErrorIs(t, err, clientele.ErrInvalid)
		assert.Contains(t, err.Error(), "preset")
		_, err = db.Tenants().Get(ctx, "bank")
		assert.ErrorIs(t, err, clientele.ErrNotFound, "nothing was stored")
	})
}

// A tenant created as in the storage Example (ExampleOpen) serves the calls of
// the README's quick start: its administrator may list and create clients.
func TestTenantAsInExampleServesReadmeCalls(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		require.NoError(t, db.Tenants().Create(ctx, exampleTenant()))
		az, err := authz.New(db.Authz(), db.Authz())
		require.NoError(t, err)
		admin := authz.Principal{TenantID: "bank", UserID: "u1", Kind: authz.Backoffice, Roles: []string{authz.RetailAdministrator}}
		for _, op := range []authz.Operation{authz.OpCreateClient, authz.OpViewClient, authz.OpUpdateClient, authz.OpListClients, authz.OpSearchClients} {
			assert.NoError(t, az.Authorize(ctx, admin, op, authz.Resource{TenantID: "bank"}), "%s", op)
		}
	})
}

// exampleTenant is the tenant ExampleOpen creates; keep the two identical.
func exampleTenant() tenants.Tenant {
	return tenants.Tenant{
		ID: "bank", Name: "Example Bank", Preset: authz.PresetRetailEngine,
		Apps: map[authz.App]authz.AppState{authz.AppRetail: authz.AppActive},
	}
}

// The setup path writes an audit entry with the tenant, and AdminLevel reads the
// acting user's type and state.
func TestTenantStoreSetupAuditAndAdminLevel(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		require.NoError(t, db.Tenants().Create(ctx, exampleTenant()))
		got, err := db.Tenants().Get(ctx, "bank")
		require.NoError(t, err)
		assert.EqualValues(t, 1, got.Version)
		assert.False(t, got.CreatedAt.IsZero(), "a zero CreatedAt means now")
		assert.Equal(t, got.CreatedAt, got.UpdatedAt)
		log, err := db.AuditLog(ctx, "bank", tenants.AuditEntity, "bank", 10)
		require.NoError(t, err)
		require.Len(t, log, 1)
		assert.Equal(t, tenants.AuditSetup, log[0].Operation)

		now := time.Now().UTC()
		for _, u := range []struct {
			id    string
			typ   users.Type
			state users.State
			want  tenants.AdminLevel
		}{
			{"op", users.NodeOperator, users.Active, tenants.NodeOperator},
			{"admin", users.OriginatorAdmin, users.Active, tenants.TenantAdmin},
			{"agent", users.OriginatorAgent, users.Active, tenants.NotAdmin},
			{"investor", users.Investor, users.Active, tenants.NotAdmin},
			{"blocked-op", users.NodeOperator, users.Blocked, tenants.NotAdmin},
			{"invited-admin", users.OriginatorAdmin, users.Invited, tenants.NotAdmin},
		} {
			_, _, err := db.Users().Create(ctx, users.Account{User: users.User{ID: u.id, TenantID: "bank", Type: u.typ, State: u.state,
				Name: u.id, Email: u.id + "@bank.example", Roles: []string{}, Version: 1, CreatedAt: now, UpdatedAt: now}},
				nil, idempotency.Key{}, audit.Entry{TenantID: "bank", Operation: "test", EntityType: "user", EntityID: u.id, At: now})
			require.NoError(t, err)
			lvl, err := db.Tenants().AdminLevel(ctx, "bank", u.id)
			require.NoError(t, err)
			assert.Equal(t, u.want, lvl, u.id)
		}
		lvl, err := db.Tenants().AdminLevel(ctx, "other", "op")
		require.NoError(t, err)
		assert.Equal(t, tenants.NotAdmin, lvl, "a user of another tenant")
		lvl, err = db.Tenants().AdminLevel(ctx, "bank", "ghost")
		require.NoError(t, err)
		assert.Equal(t, tenants.NotAdmin, lvl)
	})
}

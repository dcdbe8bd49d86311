package storage_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/authz"
	"github.com/clientele-go/clientele/internal/dbtest"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/tenants"
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
		admin := authz.Principal{TenantID: "bank", UserID: "u1", Kind: authz.Backoffice, Roles: []string{"RP001"}}
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

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
	"github.com/clientele-go/clientele/internal/dbtest"
	"github.com/clientele-go/clientele/internal/testkit"
	"github.com/clientele-go/clientele/storage"
)

func roleEntry(op, code string) audit.Entry {
	return audit.Entry{TenantID: "t1", Actor: "u1", Operation: op, EntityType: "role", EntityID: code, At: time.Now()}
}

func TestAuthzStoreCatalogueAndRoles(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		require.NoError(t, db.Tenants().Create(ctx, testkit.Tenant("t1")))
		st := db.Authz()

		spec, err := st.Catalogue(ctx, "t1")
		require.NoError(t, err)
		assert.Equal(t, authz.PresetRetailEngine, spec.Name)

		org, err := st.Org(ctx, "t1")
		require.NoError(t, err)
		assert.Equal(t, "active", org.Apps["retail"])

		_, err = st.Catalogue(ctx, "nope")
		assert.ErrorIs(t, err, clientele.ErrNotFound)

		// The storage refuses a mixed role even when called directly.
		mixed := authz.Role{Code: "MIX", Name: "Mixed", Type: authz.Customer, Permissions: []string{"clnt_list", authz.PermPortalSavings}}
		err = st.CreateRole(ctx, "t1", mixed, audit.Entry{})
		require.ErrorIs(t, err, clientele.ErrInvalid)
		assert.Contains(t, err.Error(), "clnt_list")

		portal := authz.Role{Code: "PORTAL", Name: "Portal viewer", Type: authz.Customer, Permissions: []string{authz.PermPortalSavings}}
		require.NoError(t, st.CreateRole(ctx, "t1", portal, roleEntry("AD003", "PORTAL")))
		assert.ErrorIs(t, st.CreateRole(ctx, "t1", portal, roleEntry("AD003", "PORTAL")), clientele.ErrConflict)
		assert.ErrorIs(t, st.CreateRole(ctx, "t1", authz.Role{Code: "RP001", Name: "x", Type: authz.Backoffice, Permissions: []string{"clnt_list"}}, audit.Entry{}), clientele.ErrConflict, "a preset code is taken")

		// Editing a preset role stores the tenant's own version; type mixing is refused.
		err = st.UpdateRole(ctx, "t1", "RP002", func(r *authz.Role) (audit.Entry, error) {
			r.Permissions = append(r.Permissions, authz.PermPortalTransfer)
			return roleEntry("AD004", "RP002"), nil
		})
		require.ErrorIs(t, err, clientele.ErrInvalid)
		require.NoError(t, st.UpdateRole(ctx, "t1", "RP002", func(r *authz.Role) (audit.Entry, error) {
			r.Permissions = []string{"clnt_list"}
			return roleEntry("AD004", "RP002"), nil
		}))
		assert.ErrorIs(t, st.UpdateRole(ctx, "t1", "NOPE", func(*authz.Role) (audit.Entry, error) { return audit.Entry{}, nil }), clientele.ErrNotFound)

		// Each change left one audit entry; the refused ones left none.
		for code, want := range map[string]int{"PORTAL": 1, "RP002": 1, "MIX": 0} {
			got, err := db.AuditLog(ctx, "t1", "role", code, 10)
			require.NoError(t, err)
			assert.Len(t, got, want, code)
		}

		spec, err = st.Catalogue(ctx, "t1")
		require.NoError(t, err)
		roles := map[string]authz.Role{}
		for _, r := range spec.Roles {
			roles[r.Code] = r
		}
		assert.Equal(t, []string{"clnt_list"}, roles["RP002"].Permissions)
		assert.Equal(t, authz.Customer, roles["PORTAL"].Type)
		_, err = authz.Compile(spec)
		require.NoError(t, err)
	})
}

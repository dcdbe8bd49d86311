package storage_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/authz"
	"github.com/clientele-go/clientele/internal/dbtest"
	"github.com/clientele-go/clientele/internal/testkit"
	"github.com/clientele-go/clientele/storage"
)

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
		err = st.CreateRole(ctx, "t1", mixed)
		require.ErrorIs(t, err, clientele.ErrInvalid)
		assert.Contains(t, err.Error(), "clnt_list")

		portal := authz.Role{Code: "PORTAL", Name: "Portal viewer", Type: authz.Customer, Permissions: []string{authz.PermPortalSavings}}
		require.NoError(t, st.CreateRole(ctx, "t1", portal))
		assert.ErrorIs(t, st.CreateRole(ctx, "t1", portal), clientele.ErrConflict)
		assert.ErrorIs(t, st.CreateRole(ctx, "t1", authz.Role{Code: "RP001", Name: "x", Type: authz.Backoffice, Permissions: []string{"clnt_list"}}), clientele.ErrConflict, "a preset code is taken")

		// Editing a preset role stores the tenant's own version; type mixing is refused.
		err = st.UpdateRole(ctx, "t1", "RP002", func(r *authz.Role) error {
			r.Permissions = append(r.Permissions, authz.PermPortalTransfer)
			return nil
		})
		require.ErrorIs(t, err, clientele.ErrInvalid)
		require.NoError(t, st.UpdateRole(ctx, "t1", "RP002", func(r *authz.Role) error {
			r.Permissions = []string{"clnt_list"}
			return nil
		}))
		assert.ErrorIs(t, st.UpdateRole(ctx, "t1", "NOPE", func(*authz.Role) error { return nil }), clientele.ErrNotFound)

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

package authz

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
)

// Which roles of each preset see the whole tenant's clients: the
// administrator (full client management) only; every other role sees its
// associate's data scope.
func TestPresetTenantWideRoles(t *testing.T) {
	for _, spec := range []Spec{BackofficePlatform(), RetailEngine()} {
		t.Run(spec.Name, func(t *testing.T) {
			cat, err := Compile(spec)
			require.NoError(t, err)
			for _, r := range spec.Roles {
				p := Principal{TenantID: "t", UserID: "u", Kind: r.Type, Roles: []string{r.Code}}
				assert.Equal(t, r.Code == "RP001", cat.TenantWide(p), "role %s", r.Code)
			}
			// A customer holding a back-office role is not tenant-wide.
			assert.False(t, cat.TenantWide(Principal{TenantID: "t", Kind: Customer, Roles: []string{"RP001"}}))
			assert.False(t, cat.TenantWide(Principal{TenantID: "t", Kind: Backoffice}))
		})
	}
}

// A tenant makes a role tenant-wide by giving it a tenant-wide permission
// (through the role service, under the no-escalation rule), or changes which
// permissions are tenant-wide in its catalogue.
func TestTenantWideFollowsTheCatalogue(t *testing.T) {
	spec := RetailEngine()
	spec.Roles = append(spec.Roles, Role{Code: "AUD", Name: "Auditor", Type: Backoffice, Permissions: []string{"clnt_list", "clnt_mgmt_admin"}})
	cat, err := Compile(spec)
	require.NoError(t, err)
	assert.True(t, cat.TenantWide(Principal{TenantID: "t", Kind: Backoffice, Roles: []string{"RP003", "AUD"}}))

	spec.TenantWidePermissions = []string{"clnt_list"}
	cat, err = Compile(spec)
	require.NoError(t, err)
	assert.True(t, cat.TenantWide(Principal{TenantID: "t", Kind: Backoffice, Roles: []string{"RP005"}}))
	assert.False(t, cat.TenantWide(Principal{TenantID: "t", Kind: Backoffice, Roles: []string{RoleSecurityAdmin}}))

	for _, bad := range []string{"nope", PermPortalSavings} {
		spec.TenantWidePermissions = []string{bad}
		_, err := Compile(spec)
		var verr *clientele.ValidationError
		require.ErrorAs(t, err, &verr, bad)
		assert.Equal(t, "tenantWidePermissions", verr.Problems[0].Field)
	}
}

func TestAuthorizerTenantWide(t *testing.T) {
	ctx := context.Background()
	store := NewMemoryStore()
	require.NoError(t, store.PutTenant(Org{TenantID: "t1", Apps: map[string]string{"retail": "active"}}, RetailEngine()))
	az, err := New(store, store)
	require.NoError(t, err)
	wide, err := az.TenantWide(ctx, Principal{TenantID: "t1", Kind: Backoffice, Roles: []string{"RP001"}})
	require.NoError(t, err)
	assert.True(t, wide)
	wide, err = az.TenantWide(ctx, Principal{TenantID: "t1", Kind: Backoffice, Roles: []string{"RP002"}})
	require.NoError(t, err)
	assert.False(t, wide)
	wide, err = az.TenantWide(ctx, Principal{TenantID: "nope", Kind: Backoffice, Roles: []string{"RP001"}})
	require.NoError(t, err)
	assert.False(t, wide, "an unknown tenant")
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = az.TenantWide(cancelled, Principal{TenantID: "t1", Kind: Backoffice, Roles: []string{"RP001"}})
	assert.ErrorIs(t, err, context.Canceled)
}

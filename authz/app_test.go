package authz

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
)

func TestParseAppAndState(t *testing.T) {
	for _, a := range Apps() {
		got, err := ParseApp(string(a))
		require.NoError(t, err)
		assert.Equal(t, a, got)
		_, ok := lookupAttrOK("org.apps." + string(a))
		assert.True(t, ok, "every app is a policy attribute: %s", a)
	}
	for _, s := range []string{"", "Retail", "lending", "retail\x00"} {
		_, err := ParseApp(s)
		assert.ErrorIs(t, err, clientele.ErrInvalid, "%q", s)
	}
	for _, s := range []AppState{AppActive, AppInactive} {
		got, err := ParseAppState(string(s))
		require.NoError(t, err)
		assert.Equal(t, s, got)
	}
	_, err := ParseAppState("paused")
	assert.ErrorIs(t, err, clientele.ErrInvalid)
}

func lookupAttrOK(path string) (attrID, bool) {
	id, _, _, ok := lookupAttr(path)
	return id, ok
}

// No preset grants tenant administration: the tenants service authorizes it
// for the node operator, outside the tenant's own catalogue.
func TestPresetsGrantNoTenantAdministration(t *testing.T) {
	for _, spec := range []Spec{BackofficePlatform(), RetailEngine()} {
		c, err := Compile(spec)
		require.NoError(t, err)
		org := Org{TenantID: "t", Apps: map[string]string{AppBackoffice: "active", AppRetail: "active"}, ClientPortal: true}
		for _, r := range spec.Roles {
			p := Principal{TenantID: "t", UserID: "u", Kind: r.Type, Roles: []string{r.Code}}
			for _, op := range []Operation{OpListTenants, OpViewTenant, OpCreateTenant, OpUpdateTenant} {
				assert.False(t, c.Decide(p, org, op, Resource{}).Allowed, "%s: %s grants %s", spec.Name, r.Code, op)
			}
		}
	}
}

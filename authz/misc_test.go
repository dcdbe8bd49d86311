package authz

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/clientele-go/clientele"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestOperations(t *testing.T) {
	seen := map[Operation]bool{}
	var changes []Operation
	for _, op := range Operations() {
		require.False(t, seen[op], "%s listed twice", op)
		seen[op] = true
		assert.True(t, op.Known())
		assert.NotEmpty(t, op.Summary())
		want := Backoffice
		if strings.HasPrefix(string(op), "PT") {
			want = Customer
		}
		assert.Equal(t, want, op.Type(), "%s", op)
		if op.Changes() {
			changes = append(changes, op)
		}
	}
	assert.Len(t, seen, 44)
	assert.Equal(t, []Operation{OpCreateClient, OpUpdateClient, OpArchiveClient, OpToggleFavourite,
		OpLockDevice, OpTransferDevice, OpActivateDevice, OpResetDevicePIN, OpSetKYCStatus}, changes)
	assert.False(t, Operation("CL014").Known())
	assert.Equal(t, PermissionType(0), Operation("x").Type())
}

func TestPermissionTypeText(t *testing.T) {
	for _, s := range []string{"backoffice", "employee", "customer"} {
		_, err := ParsePermissionType(s)
		assert.NoError(t, err)
	}
	_, err := ParsePermissionType("admin")
	assert.ErrorIs(t, err, clientele.ErrInvalid)

	r := Role{Code: "RC1", Name: "n", Type: Customer, Permissions: []string{PermPortalLoans}}
	b, err := json.Marshal(r)
	require.NoError(t, err)
	assert.JSONEq(t, `{"code":"RC1","name":"n","type":"customer","permissions":["portal_loans_view"]}`, string(b))
	var back Role
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, r, back)
	assert.Error(t, json.Unmarshal([]byte(`{"type":"root"}`), &back))
	assert.Equal(t, "ListType(9)", ListType(9).String())
	assert.Equal(t, "all", ListAll.String())
}

func TestCatalogueAccessors(t *testing.T) {
	cat, err := Compile(BackofficePlatform())
	require.NoError(t, err)
	assert.Equal(t, PresetBackofficePlatform, cat.Name())
	s := cat.Spec()
	s.Roles[0].Permissions[0] = "changed"
	s.Permissions[0].Operations[0] = "changed"
	assert.Equal(t, "clnt_admin", cat.Spec().Roles[0].Permissions[0])
	p, ok := cat.Permission("dev_mgmt")
	require.True(t, ok)
	assert.Equal(t, "Manage Client Devices", p.Name)
	_, ok = cat.Permission("nope")
	assert.False(t, ok)
	_, ok = cat.Role("nope")
	assert.False(t, ok)
	pols := cat.Policies()
	require.Len(t, pols, 2)
	assert.Nil(t, pols[0].RoleBound())
	assert.True(t, pols[0].Covers(OpPortalTransfer))
	assert.Equal(t, []string{"RP002"}, pols[1].RoleBound())
	assert.True(t, pols[1].Covers(OpUpdateClient))
	assert.False(t, pols[1].Covers(OpViewClient))
}

func TestEmptyValuesNeverMatch(t *testing.T) {
	p := Principal{TenantID: "t", Kind: Backoffice, AssociateID: "a1"}
	org := Org{TenantID: "t"}
	r := Resource{ClientID: "c1"}
	for _, c := range []string{
		"client.id eq member.office", "client.id ne member.office", "client.id contain member.office",
		"role eq member.office", "member.clients contain {client}", "member.id in client.assigned",
	} {
		cp, err := CompilePolicy(Policy{Condition: c})
		require.NoError(t, err)
		assert.False(t, cp.Eval(p, org, OpViewClient, r), c)
	}
}

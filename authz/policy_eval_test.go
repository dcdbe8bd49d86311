package authz

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// holds3 tells true, false and unknown apart through the public API alone: a
// condition is true when it holds, false when its negation holds, and unknown
// when neither does. Both holding is a bug.
func holds3(t *testing.T, cond string, p Principal, org Org, r Resource) string {
	t.Helper()
	pos, err := CompilePolicy(Policy{Code: "T", Condition: cond})
	require.NoError(t, err, cond)
	neg, err := CompilePolicy(Policy{Code: "T", Condition: "NOT (" + cond + ")"})
	require.NoError(t, err, cond)
	is, isNot := pos.Eval(p, org, OpUpdateClient, r), neg.Eval(p, org, OpUpdateClient, r)
	switch {
	case is && isNot:
		t.Fatalf("%s and its negation both hold", cond)
	case is:
		return "true"
	case isNot:
		return "false"
	}
	return "unknown"
}

// TestKleeneLogic checks NOT, AND and OR over true, false and unknown (a
// comparison with a missing attribute) against Kleene's tables, and that only
// true allows.
func TestKleeneLogic(t *testing.T) {
	// The principal has no office: member.office is missing.
	p := Principal{TenantID: "t1", Kind: Backoffice, Roles: []string{"RP002"}, AssociateID: "a1"}
	org := Org{TenantID: "t1", Apps: map[string]string{AppRetail: "active"}}
	r := Resource{ClientID: "c1", OfficeID: "o1", AssignedAssociates: []string{"a1"}}
	const (
		T = "org.tenant eq t1"
		F = "org.tenant eq t2"
		U = "member.office eq {office}"
	)
	tests := []struct{ cond, want string }{
		{T, "true"},
		{F, "false"},
		{U, "unknown"},
		{"NOT " + T, "false"},
		{"NOT " + F, "true"},
		{"NOT " + U, "unknown"},
		{"NOT NOT " + U, "unknown"},
		{T + " AND " + T, "true"},
		{T + " AND " + F, "false"},
		{F + " AND " + T, "false"},
		{T + " AND " + U, "unknown"},
		{U + " AND " + T, "unknown"},
		{F + " AND " + U, "false"},
		{U + " AND " + F, "false"},
		{U + " AND " + U, "unknown"},
		{T + " OR " + F, "true"},
		{F + " OR " + F, "false"},
		{T + " OR " + U, "true"},
		{U + " OR " + T, "true"},
		{F + " OR " + U, "unknown"},
		{U + " OR " + F, "unknown"},
		{U + " OR " + U, "unknown"},
		{"NOT (" + U + " AND " + F + ")", "true"},
		{"NOT (" + U + " OR " + T + ")", "false"},
		{"NOT (" + U + " OR " + F + ")", "unknown"},
		{"NOT (" + U + " AND " + T + ")", "unknown"},
		{F + " OR NOT " + U + " AND " + T, "unknown"},
		{T + " OR NOT " + U + " AND " + T, "true"},
	}
	for _, tt := range tests {
		t.Run(tt.cond, func(t *testing.T) {
			assert.Equal(t, tt.want, holds3(t, tt.cond, p, org, r))
		})
	}
}

// TestMissingAttributeIsUnknown: every comparison that reads a missing value is
// unknown, so neither it nor its negation holds. Booleans and numbers always
// have a value.
func TestMissingAttributeIsUnknown(t *testing.T) {
	full := Principal{TenantID: "t1", UserID: "u1", Kind: Backoffice, Roles: []string{"RP002"},
		AssociateID: "a1", OfficeID: "o1"}
	org := Org{TenantID: "t1", Apps: map[string]string{AppRetail: "active"}}
	res := Resource{ClientID: "c1", OfficeID: "o1", AssignedAssociates: []string{"a1"}, InMemberScope: InScope,
		StaffOwned: true, StaffAssociateID: "a7"}

	noOffice := full
	noOffice.OfficeID = ""
	noAssociate := full
	noAssociate.AssociateID = ""
	noRoles := full
	noRoles.Roles = nil
	badKind := full
	badKind.Kind = 0
	noApps := org
	noApps.Apps = nil
	bare := Resource{}
	unassigned := res
	unassigned.AssignedAssociates = nil
	unscoped := res
	unscoped.InMemberScope = ScopeUnknown
	outside := res
	outside.InMemberScope = OutOfScope

	tests := []struct {
		name string
		cond string
		p    Principal
		org  Org
		r    Resource
		want string
	}{
		// The example: both forms deny when the office is missing.
		{"member.office eq", "member.office eq {office}", noOffice, org, res, "unknown"},
		{"member.office ne", "member.office ne {office}", noOffice, org, res, "unknown"},
		{"client.office eq member.office", "client.office eq member.office", noOffice, org, res, "unknown"},
		{"member.office in list", "member.office in (o1, o2)", noOffice, org, res, "unknown"},
		{"member.office contain", `member.office contain "o"`, noOffice, org, res, "unknown"},
		{"placeholder missing", "client.office eq {office}", full, org, bare, "unknown"},
		{"client.id in list", "client.id in (c1)", full, org, bare, "unknown"},
		{"app missing", "org.apps.retail ne inactive", full, noApps, res, "unknown"},
		{"kind invalid", "member.kind ne customer", badKind, org, res, "unknown"},
		{"assigned empty in", "member.id in client.assigned", full, org, unassigned, "unknown"},
		{"assigned empty ne", "client.assigned ne member.id", full, org, unassigned, "unknown"},
		{"assigned empty contain", "client.assigned contain a1", full, org, unassigned, "unknown"},
		{"assigned empty in list", "client.assigned in (a1, a2)", full, org, unassigned, "unknown"},
		{"member.id missing in set", "member.id in client.assigned", noAssociate, org, res, "unknown"},
		{"set ne missing member", "client.assigned ne member.id", noAssociate, org, res, "unknown"},
		{"no roles", "role ne RP001", noRoles, org, res, "unknown"},
		{"clients no associate", "member.clients contain {client}", noAssociate, org, res, "unknown"},
		{"clients membership not given", "member.clients contain {client}", full, org, unscoped, "unknown"},
		{"clients other client", "member.clients contain c2", full, org, res, "unknown"},
		{"clients no client", "member.clients contain {client}", full, org, bare, "unknown"},
		// Known values stay two-valued.
		{"office known ne", "member.office ne {office}", full, org, res, "false"},
		{"office known eq", "member.office eq {office}", full, org, res, "true"},
		{"clients in scope", "member.clients contain {client}", full, org, res, "true"},
		{"clients out of scope", "member.clients contain {client}", full, org, outside, "false"},
		{"clients unassigned does not matter", "member.clients contain {client}", full, org, unassigned, "true"},
		{"roles known ne", "role ne RP001", full, org, res, "true"},
		{"assigned known ne", "client.assigned ne a9", full, org, res, "true"},
		{"literal empty string", `client.office ne ""`, full, org, res, "true"},
		{"bool false is a value", "org.clientPortal eq false", full, org, res, "true"},
		{"zero amount is a value", "request.amount eq 0", full, org, bare, "true"},
		{"staff associate", "client.staffAssociate ne member.id", full, org, res, "true"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, holds3(t, tt.cond, tt.p, tt.org, tt.r), tt.cond)
		})
	}
}

// TestDecideDeniesOnUnknown: a tenant-wide policy written with NOT denies a
// principal whose office is missing, where two-valued logic let it through.
func TestDecideDeniesOnUnknown(t *testing.T) {
	s := RetailEngine()
	s.Policies = append(s.Policies,
		Policy{Code: "P_X_001", Name: "Other offices only", Condition: "NOT member.office eq {office}",
			Operations: []Operation{OpViewClient}},
		Policy{Code: "P_X_002", Name: "Own office only", Condition: "role eq RP003 AND NOT member.office ne {office}",
			Operations: []Operation{OpUpdateClient}})
	cat, err := Compile(s)
	require.NoError(t, err)
	org := Org{TenantID: "t1", Apps: map[string]string{AppRetail: "active"}}
	r := Resource{ClientID: "c1", OfficeID: "o1"}

	withOffice := Principal{TenantID: "t1", Kind: Backoffice, Roles: []string{"RP003"}, OfficeID: "o2"}
	noOffice := withOffice
	noOffice.OfficeID = ""

	// Tenant-wide: another office passes, a missing office does not.
	assert.True(t, cat.Decide(withOffice, org, OpViewClient, r).Allowed)
	d := cat.Decide(noOffice, org, OpViewClient, r)
	assert.False(t, d.Allowed)
	assert.Equal(t, "P_X_001", d.Policy)

	// Role-bound: the own office passes, a missing office does not.
	same := withOffice
	same.OfficeID = "o1"
	assert.True(t, cat.Decide(same, org, OpUpdateClient, r).Allowed)
	assert.False(t, cat.Decide(withOffice, org, OpUpdateClient, r).Allowed)
	d = cat.Decide(noOffice, org, OpUpdateClient, r)
	assert.False(t, d.Allowed)
	assert.Equal(t, "P_X_002", d.Policy)
}

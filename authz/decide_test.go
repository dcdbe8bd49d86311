package authz

import (
	"testing"

	"github.com/clientele-go/clientele"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// retailWith compiles the Retail Engine preset plus extra roles.
func retailWith(t *testing.T, extra ...Role) *Catalogue {
	t.Helper()
	s := RetailEngine()
	s.Roles = append(s.Roles, extra...)
	c, err := Compile(s)
	require.NoError(t, err)
	return c
}

var activeRetail = Org{TenantID: "t1", Apps: map[string]string{AppRetail: "active"}, ClientPortal: true}

func staff(roles ...string) Principal {
	return Principal{TenantID: "t1", UserID: "u1", Kind: Backoffice, Roles: roles, AssociateID: "a1"}
}

func TestDecideSemantics(t *testing.T) {
	cat := retailWith(t,
		Role{Code: "STAFF", Name: "Staff Accounts Officer", Type: Backoffice,
			Permissions: []string{"clnt_read_updt", PermStaffAccounts}},
		Role{Code: "STAFFONLY", Name: "Employee accounts only", Type: Backoffice,
			Permissions: []string{PermStaffAccounts}},
	)
	assigned := Resource{ClientID: "c1", AssignedAssociates: []string{"a1"}, InMemberScope: InScope}
	unassigned := Resource{ClientID: "c1", AssignedAssociates: []string{"a2"}, InMemberScope: OutOfScope}
	staffOwned := Resource{ClientID: "c9", StaffOwned: true, StaffAssociateID: "a5", AssignedAssociates: []string{"a1"}, InMemberScope: InScope}
	ownAccount := Resource{ClientID: "c8", StaffOwned: true, StaffAssociateID: "a1", AssignedAssociates: []string{"a1"}, InMemberScope: InScope}
	inactive := Org{TenantID: "t1", Apps: map[string]string{AppRetail: "inactive"}, ClientPortal: true}
	customer := Principal{TenantID: "t1", UserID: "u2", Kind: Customer, Roles: []string{RolePortalTransactor}, ClientID: "c1"}

	tests := []struct {
		name       string
		p          Principal
		org        Org
		op         Operation
		r          Resource
		allowed    bool
		permission string
		policy     string
		reason     string
	}{
		// P_RE_002 qualifies what RP002 grants.
		{"RP002 updates an assigned client", staff("RP002"), activeRetail, OpUpdateClient, assigned, true, "clnt_read_updt", "P_RE_002", "under policy P_RE_002"},
		{"RP002 may not update another client", staff("RP002"), activeRetail, OpUpdateClient, unassigned, false, "", "P_RE_002", "only where policy P_RE_002"},
		{"RP002 with no client at all", staff("RP002"), activeRetail, OpUpdateClient, Resource{}, false, "", "P_RE_002", ""},
		{"RP002 views any client (policy covers CL004 only)", staff("RP002"), activeRetail, OpViewClient, unassigned, true, "clnt_read_updt", "", ""},
		// ... and leaves other roles alone: RP003 grants CL004 unconditionally.
		{"RP002+RP003 update through RP003", staff("RP002", "RP003"), activeRetail, OpUpdateClient, unassigned, true, "clnt_read_updt", "", "role RP003"},
		{"RP003+RP002 same, other order", staff("RP003", "RP002"), activeRetail, OpUpdateClient, unassigned, true, "clnt_read_updt", "", "role RP003"},
		{"RP003 alone", staff("RP003"), activeRetail, OpUpdateClient, unassigned, true, "clnt_read_updt", "", ""},
		{"RP002+RP005 cannot update another client", staff("RP002", "RP005"), activeRetail, OpUpdateClient, unassigned, false, "", "P_RE_002", ""},
		// P_RE_001 holds for every operation.
		{"inactive subscription stops the administrator", staff("RP001"), inactive, OpListClients, Resource{}, false, "", "P_RE_001", "does not hold"},
		{"no subscription at all", staff("RP001"), Org{TenantID: "t1"}, OpListClients, Resource{}, false, "", "P_RE_001", ""},
		{"inactive subscription stops the portal too", customer, inactive, OpPortalListSavings, Resource{}, false, "", "P_RE_001", ""},
		// Deny by default.
		{"no roles", staff(), activeRetail, OpListClients, Resource{}, false, "", "", "no role of the principal grants CL001"},
		{"unknown role", staff("RP999"), activeRetail, OpListClients, Resource{}, false, "", "", ""},
		{"RP004 cannot archive", staff("RP004"), activeRetail, OpArchiveClient, Resource{}, false, "", "", "permissions that do: clnt_mgmt_admin"},
		{"unknown operation", staff("RP001"), activeRetail, Operation("CL999"), Resource{}, false, "", "", "unknown operation"},
		{"tenant mismatch with org", staff("RP001"), Org{TenantID: "t2", Apps: activeRetail.Apps}, OpListClients, Resource{}, false, "", "", "tenant"},
		{"tenant mismatch with resource", staff("RP001"), activeRetail, OpListClients, Resource{TenantID: "t2"}, false, "", "", "tenant"},
		{"no kind", Principal{TenantID: "t1", Roles: []string{"RP001"}}, activeRetail, OpListClients, Resource{}, false, "", "", "kind"},
		// Staff-owned clients (seed 000).
		{"administrator cannot update a staff-owned client", staff("RP001"), activeRetail, OpUpdateClient, staffOwned, false, PermStaffAccounts, "", "employee-account permission staff_acct_updt"},
		{"administrator cannot archive a staff-owned client", staff("RP001"), activeRetail, OpArchiveClient, staffOwned, false, PermStaffAccounts, "", ""},
		{"administrator cannot reset its device PIN", staff("RP001"), activeRetail, OpResetDevicePIN, staffOwned, false, PermStaffAccounts, "", ""},
		{"administrator may view a staff-owned client", staff("RP001"), activeRetail, OpViewClient, staffOwned, true, "clnt_mgmt_admin", "", ""},
		{"administrator cannot star a staff-owned client", staff("RP001"), activeRetail, OpToggleFavourite, staffOwned, false, PermStaffAccounts, "", ""},
		{"staff accounts officer stars it", staff("RP001", "STAFFONLY"), activeRetail, OpToggleFavourite, staffOwned, true, "clnt_mgmt_admin", "", ""},
		{"staff accounts officer updates it", staff("STAFF"), activeRetail, OpUpdateClient, staffOwned, true, "clnt_read_updt", "", ""},
		{"administrator plus employee-account permission from another role", staff("RP001", "STAFFONLY"), activeRetail, OpArchiveClient, staffOwned, true, "clnt_mgmt_admin", "", ""},
		{"employee-account permission alone grants nothing", staff("STAFFONLY"), activeRetail, OpUpdateClient, staffOwned, false, "", "", "no role"},
		{"nobody changes their own staff account", staff("STAFF"), activeRetail, OpUpdateClient, ownAccount, false, "", "", "own"},
		{"RP002 with employee permission still needs the assignment", staff("RP002", "STAFFONLY"), activeRetail, OpUpdateClient,
			Resource{ClientID: "c9", StaffOwned: true, AssignedAssociates: []string{"a3"}, InMemberScope: OutOfScope}, false, "", "P_RE_002", ""},
		// Customers and the portal.
		{"customer transfers", customer, activeRetail, OpPortalTransfer, Resource{ClientID: "c1", Amount: 100}, true, PermPortalTransfer, "", ""},
		{"customer transfers from a staff-owned account (agent cash-in)", customer, activeRetail, OpPortalTransfer,
			Resource{ClientID: "c1", StaffOwned: true}, true, PermPortalTransfer, "", ""},
		{"portal viewer cannot transfer", Principal{TenantID: "t1", Kind: Customer, Roles: []string{RolePortalViewer}}, activeRetail, OpPortalTransfer, Resource{}, false, "", "", "permissions that do: portal_transfer"},
		{"portal switched off", customer, Org{TenantID: "t1", Apps: activeRetail.Apps}, OpPortalListLoans, Resource{}, false, "", "", "portal off"},
		{"customer never does back-office operations", customer, activeRetail, OpListClients, Resource{}, false, "", "", "is a backoffice operation"},
		{"staff never does portal operations", staff("RP001"), activeRetail, OpPortalTransfer, Resource{}, false, "", "", "is a customer operation"},
		// Type mixing in a principal is denied outright.
		{"customer holding a back-office role", Principal{TenantID: "t1", Kind: Customer, Roles: []string{RolePortalViewer, "RP001"}}, activeRetail, OpPortalListSavings, Resource{}, false, "", "", "role RP001 is a backoffice role"},
		{"staff holding a customer role", staff("RP001", RolePortalTransactor), activeRetail, OpListClients, Resource{}, false, "", "", "role RC002 is a customer role"},
		// Administration.
		{"security administrator creates roles", staff(RoleSecurityAdmin), activeRetail, OpCreateRole, Resource{}, true, PermRoleAdmin, "", ""},
		{"administrator (seed role) does not", staff("RP001"), activeRetail, OpCreateRole, Resource{}, false, "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := cat.Decide(tt.p, tt.org, tt.op, tt.r)
			assert.Equal(t, tt.allowed, d.Allowed, "%+v", d)
			assert.Equal(t, tt.permission, d.Permission, "permission")
			assert.Equal(t, tt.policy, d.Policy, "policy")
			assert.NotEmpty(t, d.Reason)
			if tt.reason != "" {
				assert.Contains(t, d.Reason, tt.reason)
			}
		})
	}
}

func TestCompileRejectsMixedTypes(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*Spec)
		field string
	}{
		{"back-office role holding a customer permission", func(s *Spec) {
			s.Roles[0].Permissions = append(s.Roles[0].Permissions, PermPortalTransfer)
		}, "roles[0].permissions[3]"},
		{"customer role holding a back-office permission", func(s *Spec) {
			s.Roles = append(s.Roles, Role{Code: "C", Name: "c", Type: Customer, Permissions: []string{PermPortalLoans, "clnt_list"}})
		}, "roles[10].permissions[1]"},
		{"customer permission granting a back-office operation", func(s *Spec) {
			s.Permissions = append(s.Permissions, Permission{Code: "sneaky", Name: "s", Type: Customer, Operations: []Operation{OpUpdateClient}})
		}, "permissions[16].operations[0]"},
		{"back-office permission granting a portal operation", func(s *Spec) {
			s.Permissions[0].Operations = append(s.Permissions[0].Operations, OpPortalTransfer)
		}, "permissions[0].operations[3]"},
		{"unknown permission", func(s *Spec) { s.Roles[1].Permissions = []string{"nope"} }, "roles[1].permissions[0]"},
		{"role without type", func(s *Spec) { s.Roles[1].Type = 0 }, "roles[1].type"},
		{"duplicate role", func(s *Spec) { s.Roles = append(s.Roles, s.Roles[0]) }, "roles[10].code"},
		{"unknown operation", func(s *Spec) { s.Permissions[0].Operations = []Operation{"XX1"} }, "permissions[0].operations[0]"},
		{"policy naming an unknown role", func(s *Spec) { s.Policies[1].Condition = "role eq RP009 AND member.clients contain {client}" }, "policies[1].condition"},
		{"policy that does not compile", func(s *Spec) { s.Policies[0].Condition = "org.apps.retail eq" }, "policies[0].condition"},
		{"customer employee-account permission", func(s *Spec) { s.StaffPermission = PermPortalLoans }, "staffPermission"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := RetailEngine()
			tt.edit(&s)
			_, err := Compile(s)
			require.ErrorIs(t, err, clientele.ErrInvalid)
			var ve *clientele.ValidationError
			require.ErrorAs(t, err, &ve)
			var fields []string
			for _, p := range ve.Problems {
				fields = append(fields, p.Field)
			}
			assert.Contains(t, fields, tt.field, "%v", err)
		})
	}
}

func TestValidateAssignment(t *testing.T) {
	cat := retailWith(t)
	rp1, _ := cat.Role("RP001")
	viewer, _ := cat.Role(RolePortalViewer)
	assert.NoError(t, ValidateAssignment(Backoffice, []Role{rp1}))
	assert.NoError(t, ValidateAssignment(Customer, []Role{viewer}))
	err := ValidateAssignment(Customer, []Role{viewer, rp1})
	require.ErrorIs(t, err, clientele.ErrInvalid)
	assert.Contains(t, err.Error(), "roles[1]: a customer user cannot hold backoffice role RP001")
	err = ValidateAssignment(Backoffice, []Role{viewer})
	assert.Contains(t, err.Error(), "a backoffice user cannot hold customer role RC001")
	assert.ErrorIs(t, ValidateAssignment(0, nil), clientele.ErrInvalid)

	assert.NoError(t, cat.ValidatePrincipal(staff("RP001", "RP002")))
	err = cat.ValidatePrincipal(Principal{Kind: Customer, Roles: []string{RolePortalViewer, "RP002", "RPX"}})
	require.ErrorIs(t, err, clientele.ErrInvalid)
	assert.Contains(t, err.Error(), "customer user cannot hold backoffice role RP002")
	assert.Contains(t, err.Error(), "unknown role RPX")
}

func TestListing(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want ListType
	}{{"", ListEmployee}, {"employee", ListEmployee}, {"backoffice", ListEmployee}, {"customer", ListCustomer}, {"all", ListAll}, {" ALL ", ListAll}} {
		got, err := ParseListType(tt.in)
		require.NoError(t, err)
		assert.Equal(t, tt.want, got)
	}
	_, err := ParseListType("staff")
	assert.ErrorIs(t, err, clientele.ErrInvalid)

	cat := retailWith(t)
	codes := func(ps []Permission) (out []string) {
		for _, p := range ps {
			out = append(out, p.Code)
		}
		return out
	}
	assert.Equal(t, []string{PermPortalSavings, PermPortalLoans, PermPortalTransfer}, codes(cat.Permissions(ListCustomer)))
	assert.Len(t, cat.Permissions(ListEmployee), 13)
	assert.Len(t, cat.Permissions(ListAll), 16)
	roleCodes := func(rs []Role) (out []string) {
		for _, r := range rs {
			out = append(out, r.Code)
		}
		return out
	}
	assert.Equal(t, []string{"RP001", "RP002", "RP003", "RP004", "RP005", RoleSecurityAdmin, RoleOperations, RoleKYCOfficer}, roleCodes(cat.Roles(ListEmployee)))
	assert.Equal(t, []string{RolePortalViewer, RolePortalTransactor}, roleCodes(cat.Roles(ListCustomer)))
	assert.Len(t, cat.Roles(ListAll), 10)
	// Listings are copies.
	cat.Roles(ListAll)[0].Permissions[0] = "x"
	r, _ := cat.Role("RP001")
	assert.Equal(t, "clnt_mgmt_admin", r.Permissions[0])
}

package authz

// Preset names.
const (
	PresetBackofficePlatform = "backoffice-platform"
	PresetRetailEngine       = "retail-engine"
)

// The seed roles of the Backoffice Platform preset (seed 001). The same codes
// name other roles in the Retail Engine preset: RP004 is a support officer here
// and a credit controller there.
const (
	BackofficeAdministrator       = "RP001" // clnt_admin, dev_mgmt, acct_list
	BackofficeRelationshipOfficer = "RP002" // clnt_list, clnt_update; P_BO_002: edits only assigned clients
	BackofficeComplianceOfficer   = "RP003" // clnt_list, clnt_update
	BackofficeSupportOfficer      = "RP004" // dev_mgmt, clnt_list
)

// The seed roles of the Retail Engine preset (seed 002). The same codes name
// other roles in the Backoffice Platform preset.
const (
	RetailAdministrator       = "RP001" // clnt_mgmt_admin, dev_mgmt_admin, clnt_acct_list
	RetailRelationshipOfficer = "RP002" // clnt_list, clnt_read_updt; P_RE_002: updates only assigned clients
	RetailComplianceOfficer   = "RP003" // clnt_list, clnt_read_updt
	RetailCreditController    = "RP004" // clnt_list, clnt_read_updt
	RetailHelpdeskOfficer     = "RP005" // clnt_list, dev_mgmt_admin
)

// Codes of the permissions and roles every preset adds to its seed's tables.
// They are this library's own, not the seeds'.
const (
	// PermStaffAccounts is the employee-account permission of seed 000 ("a new set
	// of update permissions for acting on loan/savings accounts belonging to
	// Staff"). It grants no operation by itself; a change to a staff-owned client
	// needs it in addition to a permission granting the change.
	PermStaffAccounts = "staff_acct_updt"

	// Customer (client portal) permissions of seed 000.
	PermPortalSavings  = "portal_savings_view" // PT001
	PermPortalLoans    = "portal_loans_view"   // PT002
	PermPortalTransfer = "portal_transfer"     // PT003

	// Administration permissions.
	PermRoleList  = "role_list"  // AD001, AD002
	PermRoleAdmin = "role_admin" // AD001–AD004
	PermUserAdmin = "user_admin" // US001–US005
	// PermOutboxAdmin sees the tenant's effects and replays parked ones.
	PermOutboxAdmin = "outbox_admin" // OB001, OB002
	// PermAssociateAdmin manages offices, classifications, associates and
	// their links (seed 000's staff extensions).
	PermAssociateAdmin = "associate_admin" // AS001–AS012
	// PermKYCVerify sets a client's KYC status by hand (issue 12): a
	// compliance decision that the update permissions of the seeds do not
	// grant.
	PermKYCVerify = "clnt_kyc_verify" // KY001

	// RoleSecurityAdmin holds the administration permissions: roles, users
	// and associates (the staff the users are, seed 000).
	RoleSecurityAdmin = "RA001"
	// RoleOperations holds the outbox permission: the people who watch adapter
	// deliveries and replay the parked ones.
	RoleOperations = "RO001"
	// RoleKYCOfficer holds the KYC permission: the compliance staff who decide
	// a client's KYC status by hand. No seed role holds it (the seeds' role
	// tables are kept cell by cell); a tenant gives RK001 to its compliance
	// officers beside their seed role (RP003).
	RoleKYCOfficer = "RK001"
	// RolePortalViewer may view its own savings and loans (seed 000: "some client
	// would only have the ability to view their loan and savings data").
	RolePortalViewer = "RC001"
	// RolePortalTransactor may also transfer ("some may be allowed to do account
	// transfers").
	RolePortalTransactor = "RC002"
)

// BackofficePlatform is the catalogue of seed 001 (Backoffice Platform): the
// seed's permissions clnt_list, clnt_update, clnt_admin, dev_mgmt, acct_list,
// roles RP001–RP004 and policies P_BO_001, P_BO_002, each cell as in the seed,
// plus the library's common additions (see the comments in the body).
//
// Choices where the seed is open: dev_mgmt grants the range CL007–CL013 exactly
// as written (so it includes CL008 and CL009, which every seed role holding
// dev_mgmt has anyway); P_BO_001 covers every operation; P_BO_002 ("RP002 can
// only edit assigned clients") covers CL004.
func BackofficePlatform() Spec {
	s := Spec{
		Name: PresetBackofficePlatform,
		// From seed 001, "Permissions & APIs".
		Permissions: []Permission{
			{Code: "clnt_list", Name: "List Clients", Type: Backoffice,
				Operations: []Operation{OpListClients, OpToggleFavourite, OpSearchClients}},
			{Code: "clnt_update", Name: "Update Clients", Type: Backoffice,
				Operations: []Operation{OpViewClient, OpUpdateClient}},
			{Code: "clnt_admin", Name: "Full Client Management", Type: Backoffice,
				Operations: []Operation{OpListClients, OpViewClient, OpCreateClient, OpUpdateClient, OpArchiveClient,
					OpToggleFavourite, OpSearchClients}},
			{Code: "dev_mgmt", Name: "Manage Client Devices", Type: Backoffice,
				Operations: []Operation{OpListDevices, OpToggleFavourite, OpSearchClients, OpLockDevice,
					OpTransferDevice, OpActivateDevice, OpResetDevicePIN}},
			{Code: "acct_list", Name: "View Client Accounts", Type: Backoffice,
				Operations: []Operation{OpListClientAccounts}},
		},
		// From seed 001, "Roles & Permissions".
		Roles: []Role{
			{Code: BackofficeAdministrator, Name: "Administrator", Type: Backoffice, Permissions: []string{"clnt_admin", "dev_mgmt", "acct_list"}},
			{Code: BackofficeRelationshipOfficer, Name: "Relationship Officer", Type: Backoffice, Permissions: []string{"clnt_list", "clnt_update"}},
			{Code: BackofficeComplianceOfficer, Name: "Compliance Officer", Type: Backoffice, Permissions: []string{"clnt_list", "clnt_update"}},
			{Code: BackofficeSupportOfficer, Name: "Support Officer", Type: Backoffice, Permissions: []string{"dev_mgmt", "clnt_list"}},
		},
		// From seed 001, "Policies & Attributes" (Operations: this library's choice).
		Policies: []Policy{
			{Code: "P_BO_001", Name: "Org must have active Backoffice subscription",
				Condition: "org.apps.backoffice eq active"},
			{Code: "P_BO_002", Name: "RP002 can only edit assigned clients",
				Condition:  "role eq RP002 AND member.clients contain {client}",
				Operations: []Operation{OpUpdateClient}},
		},
		// Library: the administrator's full client management sees every
		// client of the tenant; the other roles see their associate's scope.
		TenantWidePermissions: []string{"clnt_admin"},
	}
	return withCommon(s)
}

// RetailEngine is the catalogue of seed 002 (Retail Engine): the seed's
// permissions clnt_list, clnt_read_updt, clnt_mgmt_admin, dev_list,
// dev_mgmt_admin, clnt_acct_list, roles RP001–RP005 and policies P_RE_001,
// P_RE_002, each cell as in the seed, plus the library's common additions.
//
// The seed lists role permissions by name; "List Client" (RP005) is read as
// "List Clients" (clnt_list). P_RE_001 covers every operation; P_RE_002 covers
// CL004.
func RetailEngine() Spec {
	s := Spec{
		Name: PresetRetailEngine,
		// From seed 002, "Permissions & APIs".
		Permissions: []Permission{
			{Code: "clnt_list", Name: "List Clients", Type: Backoffice,
				Operations: []Operation{OpListClients, OpToggleFavourite, OpSearchClients}},
			{Code: "clnt_read_updt", Name: "Update Clients", Type: Backoffice,
				Operations: []Operation{OpViewClient, OpUpdateClient}},
			{Code: "clnt_mgmt_admin", Name: "Clients Admin", Type: Backoffice,
				Operations: []Operation{OpListClients, OpViewClient, OpCreateClient, OpUpdateClient, OpArchiveClient,
					OpToggleFavourite, OpSearchClients}},
			{Code: "dev_list", Name: "List Devices", Type: Backoffice,
				Operations: []Operation{OpListDevices}},
			{Code: "dev_mgmt_admin", Name: "Device Admin", Type: Backoffice,
				Operations: []Operation{OpListDevices, OpLockDevice, OpTransferDevice, OpActivateDevice, OpResetDevicePIN}},
			{Code: "clnt_acct_list", Name: "List Client Accounts", Type: Backoffice,
				Operations: []Operation{OpListClientAccounts}},
		},
		// From seed 002, "Roles & Permissions".
		Roles: []Role{
			{Code: RetailAdministrator, Name: "Administrator", Type: Backoffice, Permissions: []string{"clnt_mgmt_admin", "dev_mgmt_admin", "clnt_acct_list"}},
			{Code: RetailRelationshipOfficer, Name: "Relationship Officer", Type: Backoffice, Permissions: []string{"clnt_list", "clnt_read_updt"}},
			{Code: RetailComplianceOfficer, Name: "Compliance Officer", Type: Backoffice, Permissions: []string{"clnt_list", "clnt_read_updt"}},
			{Code: RetailCreditController, Name: "Credit Controller", Type: Backoffice, Permissions: []string{"clnt_list", "clnt_read_updt"}},
			{Code: RetailHelpdeskOfficer, Name: "Helpdesk Officer", Type: Backoffice, Permissions: []string{"clnt_list", "dev_mgmt_admin"}},
		},
		// From seed 002, "Policies & Attributes" (Operations: this library's choice).
		Policies: []Policy{
			{Code: "P_RE_001", Name: "Org MUST have active RE Subscription",
				Condition: "org.apps.retail eq active"},
			{Code: "P_RE_002", Name: "RP002 can ONLY update assigned clients",
				Condition:  "role eq RP002 AND member.clients contain {client}",
				Operations: []Operation{OpUpdateClient}},
		},
		// Library: as in BackofficePlatform.
		TenantWidePermissions: []string{"clnt_mgmt_admin"},
	}
	return withCommon(s)
}

// withCommon appends what both presets add to their seed: seed 000's customer
// permissions and employee-account permission, the administration permissions,
// a security administrator role, an operations role, a KYC officer role and
// two customer roles.
func withCommon(s Spec) Spec {
	s.Permissions = append(s.Permissions,
		// Seed 000: the employee-account permission.
		Permission{Code: PermStaffAccounts, Name: "Update Employee Accounts", Type: Backoffice},
		// Seed 000: the client portal permissions.
		Permission{Code: PermPortalSavings, Name: "View Own Savings", Type: Customer,
			Operations: []Operation{OpPortalListSavings}},
		Permission{Code: PermPortalLoans, Name: "View Own Loans", Type: Customer,
			Operations: []Operation{OpPortalListLoans}},
		Permission{Code: PermPortalTransfer, Name: "Account Transfer", Type: Customer,
			Operations: []Operation{OpPortalTransfer}},
		// Library: administration.
		Permission{Code: PermRoleList, Name: "View Permissions and Roles", Type: Backoffice,
			Operations: []Operation{OpListPermissions, OpListRoles}},
		Permission{Code: PermRoleAdmin, Name: "Manage Roles", Type: Backoffice,
			Operations: []Operation{OpListPermissions, OpListRoles, OpCreateRole, OpUpdateRole}},
		Permission{Code: PermUserAdmin, Name: "Manage Users", Type: Backoffice,
			Operations: []Operation{OpInviteUser, OpListUsers, OpBlockUser, OpUnblockUser, OpAssignRoles}},
		Permission{Code: PermOutboxAdmin, Name: "Operate the Outbox", Type: Backoffice,
			Operations: []Operation{OpListEffects, OpReplayEffect}},
		Permission{Code: PermAssociateAdmin, Name: "Manage Associates", Type: Backoffice,
			Operations: []Operation{OpListOffices, OpCreateOffice, OpUpdateOffice, OpCloseOffice,
				OpListClassifications, OpCreateClassification,
				OpListAssociates, OpCreateAssociate, OpUpdateAssociate, OpDeactivateAssociate,
				OpListAssociateLinks, OpLinkAssociate}},
		// Library: the manual KYC decision (issue 12).
		Permission{Code: PermKYCVerify, Name: "Verify Client KYC", Type: Backoffice,
			Operations: []Operation{OpSetKYCStatus}},
	)
	s.Roles = append(s.Roles,
		Role{Code: RoleSecurityAdmin, Name: "Security Administrator", Type: Backoffice,
			Permissions: []string{PermRoleAdmin, PermUserAdmin, PermAssociateAdmin}},
		Role{Code: RoleOperations, Name: "Operations", Type: Backoffice,
			Permissions: []string{PermOutboxAdmin}},
		Role{Code: RoleKYCOfficer, Name: "KYC Officer", Type: Backoffice,
			Permissions: []string{PermKYCVerify}},
		Role{Code: RolePortalViewer, Name: "Portal Viewer", Type: Customer,
			Permissions: []string{PermPortalSavings, PermPortalLoans}},
		Role{Code: RolePortalTransactor, Name: "Portal Transactor", Type: Customer,
			Permissions: []string{PermPortalSavings, PermPortalLoans, PermPortalTransfer}},
	)
	s.StaffPermission = PermStaffAccounts
	return s
}

// Preset returns the preset with the given name (PresetBackofficePlatform or
// PresetRetailEngine). Each call returns a fresh copy.
func Preset(name string) (Spec, bool) {
	switch name {
	case PresetBackofficePlatform:
		return BackofficePlatform(), true
	case PresetRetailEngine:
		return RetailEngine(), true
	}
	return Spec{}, false
}

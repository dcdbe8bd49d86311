package authz

// Operation is an action the library authorizes. The client operations carry the
// seeds' codes (CL001–CL013) so catalogues can name them as the seeds do. The
// portal (PT…), administration (AD…), user (US…), tenant (TN…), outbox (OB…),
// associate (AS…) and KYC (KY…) codes are this library's own; they are stable and may be stored.
type Operation string

// Client operations of seeds 001 and 002.
const (
	OpListClients        Operation = "CL001"
	OpViewClient         Operation = "CL002"
	OpCreateClient       Operation = "CL003"
	OpUpdateClient       Operation = "CL004"
	OpArchiveClient      Operation = "CL005"
	OpListClientAccounts Operation = "CL006"
	OpListDevices        Operation = "CL007"
	OpToggleFavourite    Operation = "CL008"
	OpSearchClients      Operation = "CL009"
	OpLockDevice         Operation = "CL010"
	OpTransferDevice     Operation = "CL011"
	OpActivateDevice     Operation = "CL012"
	OpResetDevicePIN     Operation = "CL013"
)

// Client portal operations (seed 000: the wrappers under /client-portal/api/v1).
// They are customer operations: only customer permissions grant them.
// Package portal implements them.
const (
	OpPortalListSavings Operation = "PT001" // GET /savings: the client's own savings accounts
	OpPortalListLoans   Operation = "PT002" // GET /loans: the client's own loans
	OpPortalTransfer    Operation = "PT003" // POST /accounttransfer from an own savings account
)

// Administration operations: the catalogue (seed 000: permissions and roles APIs).
const (
	OpListPermissions Operation = "AD001" // GET /permissions?type=
	OpListRoles       Operation = "AD002" // GET /roles?type=
	OpCreateRole      Operation = "AD003" // POST /roles
	OpUpdateRole      Operation = "AD004" // PUT /roles/{code}
)

// Administration operations: user accounts (seed 003 and seed 000).
const (
	OpInviteUser  Operation = "US001" // invite a user (originator admin, node operator)
	OpListUsers   Operation = "US002" // GET /users?type=
	OpBlockUser   Operation = "US003" // block a user
	OpUnblockUser Operation = "US004" // unblock a user
	OpAssignRoles Operation = "US005" // replace the roles of a user
)

// Tenant administration (the tenants service). No preset permission grants
// them: a tenant's catalogue and subscriptions are what they change, so the
// tenants service authorizes them itself, for the node operator (see package
// tenants), and the presets' catalogues deny them to everyone. They are listed
// here so that audit entries and errors carry stable codes.
const (
	OpListTenants  Operation = "TN001" // list the tenants of the deployment
	OpViewTenant   Operation = "TN002" // read one tenant
	OpCreateTenant Operation = "TN003" // create a tenant
	OpUpdateTenant Operation = "TN004" // change apps, portal switch, settings, name
)

// Administration operations: the outbox (effects delivered to the adapters).
const (
	OpListEffects  Operation = "OB001" // list a tenant's effects (pending, delivered, parked)
	OpReplayEffect Operation = "OB002" // replay a parked effect
)

// Associate operations (seed 000's staff extensions, package associates):
// offices, classifications, associates and their links to entities.
const (
	OpListOffices          Operation = "AS001" // read an office, list a subtree of offices
	OpCreateOffice         Operation = "AS002" // create an office (root or under a parent)
	OpUpdateOffice         Operation = "AS003" // rename or move an office
	OpCloseOffice          Operation = "AS004" // close an empty office
	OpListClassifications  Operation = "AS005" // read and list associate classifications
	OpCreateClassification Operation = "AS006" // define a classification and its data table
	OpListAssociates       Operation = "AS007" // read an associate, list a hierarchy
	OpCreateAssociate      Operation = "AS008" // create an associate
	OpUpdateAssociate      Operation = "AS009" // update, transfer, re-parent, tag as agent
	OpDeactivateAssociate  Operation = "AS010" // deactivate an associate
	OpListAssociateLinks   Operation = "AS011" // list the links of an entity or an associate
	OpLinkAssociate        Operation = "AS012" // link or unlink an associate and an entity
)

// Onboarding verification (issue 12). Setting a client's KYC status by hand
// is a compliance decision, apart from updating its profile (CL004): it has
// its own operation so a catalogue can give it to some roles only.
const (
	OpSetKYCStatus Operation = "KY001" // set a client's KYC status by hand (verified, rejected, pending)
)

// opInfo is what the library knows about one operation.
type opInfo struct {
	typ     PermissionType
	changes bool // changes the client (or what belongs to it)
	summary string
}

func (op Operation) info() (opInfo, bool) {
	switch op {
	case OpListClients:
		return opInfo{Backoffice, false, "List Clients"}, true
	case OpViewClient:
		return opInfo{Backoffice, false, "View Client Details"}, true
	case OpCreateClient:
		return opInfo{Backoffice, true, "Create Client"}, true
	case OpUpdateClient:
		return opInfo{Backoffice, true, "Update Client Profile"}, true
	case OpArchiveClient:
		return opInfo{Backoffice, true, "Archive Client"}, true
	case OpListClientAccounts:
		return opInfo{Backoffice, false, "List Client Accounts"}, true
	case OpListDevices:
		return opInfo{Backoffice, false, "Client Device List"}, true
	case OpToggleFavourite:
		// Starring a client is a change made about it (issue 12): on a
		// staff-owned client it needs the employee-account permission too.
		return opInfo{Backoffice, true, "Toggle Client Favorites"}, true
	case OpSearchClients:
		return opInfo{Backoffice, false, "Search Clients"}, true
	case OpLockDevice:
		return opInfo{Backoffice, true, "(Un)Lock Client Device"}, true
	case OpTransferDevice:
		return opInfo{Backoffice, true, "Transfer Client Device"}, true
	case OpActivateDevice:
		return opInfo{Backoffice, true, "(De)Activate Client Device"}, true
	case OpResetDevicePIN:
		return opInfo{Backoffice, true, "Reset Device PIN"}, true
	case OpPortalListSavings:
		return opInfo{Customer, false, "View Own Savings"}, true
	case OpPortalListLoans:
		return opInfo{Customer, false, "View Own Loans"}, true
	case OpPortalTransfer:
		// The client moves its own money through the portal: seed 000's agent
		// cash-in flow. It is not a back-office change to a staff account.
		return opInfo{Customer, false, "Account Transfer"}, true
	case OpListPermissions:
		return opInfo{Backoffice, false, "List Permissions"}, true
	case OpListRoles:
		return opInfo{Backoffice, false, "List Roles"}, true
	case OpCreateRole:
		return opInfo{Backoffice, false, "Create Role"}, true
	case OpUpdateRole:
		return opInfo{Backoffice, false, "Update Role"}, true
	case OpInviteUser:
		return opInfo{Backoffice, false, "Invite User"}, true
	case OpListUsers:
		return opInfo{Backoffice, false, "List Users"}, true
	case OpBlockUser:
		return opInfo{Backoffice, false, "Block User"}, true
	case OpUnblockUser:
		return opInfo{Backoffice, false, "Unblock User"}, true
	case OpAssignRoles:
		return opInfo{Backoffice, false, "Assign User Roles"}, true
	case OpSetKYCStatus:
		return opInfo{Backoffice, true, "Set Client KYC Status"}, true
	case OpListTenants:
		return opInfo{Backoffice, false, "List Tenants"}, true
	case OpViewTenant:
		return opInfo{Backoffice, false, "View Tenant"}, true
	case OpCreateTenant:
		return opInfo{Backoffice, false, "Create Tenant"}, true
	case OpUpdateTenant:
		return opInfo{Backoffice, false, "Update Tenant"}, true
	case OpListEffects:
		return opInfo{Backoffice, false, "List Effects"}, true
	case OpReplayEffect:
		return opInfo{Backoffice, false, "Replay Effect"}, true
	case OpListOffices:
		return opInfo{Backoffice, false, "List Offices"}, true
	case OpCreateOffice:
		return opInfo{Backoffice, false, "Create Office"}, true
	case OpUpdateOffice:
		return opInfo{Backoffice, false, "Update Office"}, true
	case OpCloseOffice:
		return opInfo{Backoffice, false, "Close Office"}, true
	case OpListClassifications:
		return opInfo{Backoffice, false, "List Classifications"}, true
	case OpCreateClassification:
		return opInfo{Backoffice, false, "Create Classification"}, true
	case OpListAssociates:
		return opInfo{Backoffice, false, "List Associates"}, true
	case OpCreateAssociate:
		return opInfo{Backoffice, false, "Create Associate"}, true
	case OpUpdateAssociate:
		return opInfo{Backoffice, false, "Update Associate"}, true
	case OpDeactivateAssociate:
		return opInfo{Backoffice, false, "Deactivate Associate"}, true
	case OpListAssociateLinks:
		return opInfo{Backoffice, false, "List Associate Links"}, true
	case OpLinkAssociate:
		return opInfo{Backoffice, false, "Link Associate"}, true
	}
	return opInfo{}, false
}

// Operations returns every operation the library knows, in code order.
func Operations() []Operation {
	return []Operation{
		OpListClients, OpViewClient, OpCreateClient, OpUpdateClient, OpArchiveClient,
		OpListClientAccounts, OpListDevices, OpToggleFavourite, OpSearchClients,
		OpLockDevice, OpTransferDevice, OpActivateDevice, OpResetDevicePIN,
		OpPortalListSavings, OpPortalListLoans, OpPortalTransfer,
		OpListPermissions, OpListRoles, OpCreateRole, OpUpdateRole,
		OpInviteUser, OpListUsers, OpBlockUser, OpUnblockUser, OpAssignRoles,
		OpListTenants, OpViewTenant, OpCreateTenant, OpUpdateTenant,
		OpListEffects, OpReplayEffect,
		OpListOffices, OpCreateOffice, OpUpdateOffice, OpCloseOffice,
		OpListClassifications, OpCreateClassification,
		OpListAssociates, OpCreateAssociate, OpUpdateAssociate, OpDeactivateAssociate,
		OpListAssociateLinks, OpLinkAssociate,
		OpSetKYCStatus,
	}
}

// Known reports whether the library defines op.
func (op Operation) Known() bool { _, ok := op.info(); return ok }

// Type is the permission type that may grant op: Customer for the portal
// operations, Backoffice for all others, zero for an unknown operation.
func (op Operation) Type() PermissionType { i, _ := op.info(); return i.typ }

// Changes reports whether op changes a client or what belongs to it (profile,
// state, devices, a member's star on it). On a staff-owned client such an operation also needs the
// catalogue's employee-account permission (seed 000).
func (op Operation) Changes() bool { i, _ := op.info(); return i.changes }

// Summary is the operation's short English name ("Update Client Profile").
func (op Operation) Summary() string { i, _ := op.info(); return i.summary }

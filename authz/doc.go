// Package authz decides who may do what: typed permissions and roles, the two
// seed catalogues as presets, a small policy language, and the Authorizer every
// domain service calls before it does anything.
//
// # Permissions, roles, principals
//
// A Permission grants Operations and has a PermissionType: Backoffice (the
// seeds also say "employee") or Customer (client portal). A Role holds
// permissions of its own type only; a customer Principal holds customer roles
// only and a back-office principal never a customer role (seed 000: a bank
// cannot, even accidentally, give a client a back-office permission). A
// customer permission can only grant portal operations. ValidatePermission,
// ValidateRole, ValidateRoleUpdate and ValidateAssignment check this and return
// a *clientele.ValidationError (wrapping clientele.ErrInvalid) naming the
// offending permission or role; storage calls them again before it writes.
// Codes and names are single lines of valid UTF-8 without control characters,
// at most MaxCodeLength and MaxNameLength characters (CheckCode checks a code
// from input, such as the role a path names, before anything looks it up).
//
// # Operations
//
//	CL001–CL013  client operations of seeds 001/002 (OpListClients … OpResetDevicePIN)
//	PT001        portal: list own savings (GET /savings)        customer
//	PT002        portal: list own loans (GET /loans)            customer
//	PT003        portal: account transfer (POST /accounttransfer) customer
//	AD001        list permissions      AD002  list roles
//	AD003        create role           AD004  update role
//	US001        invite user           US002  list users
//	US003        block user            US004  unblock user
//	US005        assign user roles
//	TN001        list tenants          TN002  view tenant
//	TN003        create tenant         TN004  update tenant
//	OB001        list effects          OB002  replay a parked effect
//	AS001        list offices          AS002  create office
//	AS003        rename, move office   AS004  close office
//	AS005        list classifications  AS006  create classification
//	AS007        list associates       AS008  create associate
//	AS009        update associate      AS010  deactivate associate
//	AS011        list associate links  AS012  link, unlink associate
//
// No preset permission grants TN001–TN004, so the presets' catalogues deny them
// to every principal: the tenants service authorizes them itself, for the node operator,
// because a tenant's catalogue and subscriptions are what they change (a tenant
// whose app is switched off must still be switchable back on).
//
// The codes are stable and may be stored. Operation.Changes reports the
// operations that change a client or what belongs to it (CL003, CL004, CL005,
// CL008, CL010–CL013): on a staff-owned client they also need the catalogue's
// employee-account permission, and an associate may never change the client
// account that is its own.
//
// # Catalogues and presets
//
// A Spec is a catalogue as data; Compile validates it and returns an immutable
// *Catalogue whose Decide needs no parsing and, when it allows, no allocation.
// BackofficePlatform (seed 001) and RetailEngine (seed 002) are the presets:
// the seed's permissions, roles and policies cell by cell, plus seed 000's
// customer permissions (portal_savings_view, portal_loans_view,
// portal_transfer) and employee-account permission (staff_acct_updt), the
// administration permissions (role_list, role_admin, user_admin,
// outbox_admin, associate_admin), a security administrator role RA001
// (role_admin, user_admin, associate_admin), an operations role RO001
// (outbox_admin), the KYC permission clnt_kyc_verify (KY001, setting a
// client's KYC status by hand) held by a KYC officer role RK001 and by no seed
// role, and two customer roles RC001 (view) and RC002 (view
// and transfer). A tenant picks a preset at setup and may then add and edit
// roles through the RoleService.
//
// # Tenant-wide principals and data scope
//
// Spec.TenantWidePermissions names the permissions whose holders see every
// client of the tenant (Catalogue.TenantWide, Authorizer.TenantWide). Both
// presets name their full client management permission (clnt_admin,
// clnt_mgmt_admin), so the administrator RP001 is tenant-wide and every other
// role is limited to its associate's data scope, which package clients turns
// into a condition of its queries (clients.Scope). A tenant makes a role
// tenant-wide by giving it such a permission through the RoleService.
//
// # Decisions
//
// Deny by default. Catalogue.Decide allows op when
//
//   - the principal, the org and the resource belong to one tenant, and the
//     principal's kind matches op's type (and every role it holds is of its kind);
//   - for a customer operation, the tenant's client portal is switched on;
//   - some role of the principal has a permission granting op, and every
//     role-bound policy of that role covering op holds (another role granting op
//     without condition is enough: "role eq RP002 AND …" restricts RP002 only);
//   - for a change to a staff-owned client, some role of the principal holds the
//     employee-account permission, and the client is not the actor's own account;
//   - every tenant-wide policy covering op holds.
//
// The Decision names the granting permission and role, or the missing
// permission or the failed policy. Authorizer.Authorize turns a denial into a
// *DeniedError wrapping clientele.ErrForbidden (and clientele.ErrPortalDisabled
// when the portal is off).
//
// # Policy language
//
// Policies are written in the seeds' own syntax:
//
//	org.apps.retail eq active
//	role eq RP002 AND member.clients contain {client}
//
// Grammar (keywords and operators are case-insensitive; attribute names are not):
//
//	condition  = or .
//	or         = and { "OR" and } .
//	and        = unary { "AND" unary } .
//	unary      = "NOT" unary | "(" or ")" | comparison .
//	comparison = lhs operator rhs | lhs "in" list .
//	lhs        = attribute | placeholder .
//	rhs        = attribute | placeholder | value .
//	operator   = "eq" | "ne" | "in" | "contain" | "contains" | "gt" | "ge" | "lt" | "le" .
//	list       = "(" value { "," value } ")" .
//	value      = identifier | string | number | "true" | "false" .
//	attribute  = identifier { "." identifier } .  (one of the attributes below)
//	placeholder = "{" identifier "}" .             ({client}, {office})
//	identifier = letter_or_underscore { letter | digit | "_" | "-" } .
//	string     = `"` { any byte but `"` and `\`, or `\"`, or `\\` } `"` .
//	number     = [ "-" ] digit { digit } .            (64-bit integer)
//
// On the right-hand side a dotted name is an attribute and a bare identifier is
// a string (active, RP002) unless it is the name of an attribute (role, op) or
// true/false; quote a string to be explicit. Attributes and their types:
//
//	org.tenant           string  the tenant id
//	org.apps.backoffice  string  "active" or "inactive" (Org.Apps)
//	org.apps.retail      string
//	org.clientPortal     bool    the tenant's client portal switch
//	role                 set     the principal's roles: "role eq X" holds when it holds X
//	op                   string  the operation code
//	member.id            string  the principal's associate
//	member.user          string  the principal's user
//	member.kind          string  backoffice or customer
//	member.office        string  the principal's office
//	member.client        string  a customer principal's client
//	member.clients       -       only "member.clients contain X": X is the client the
//	                             call acts on and it is in the data scope of the
//	                             principal's associate (Resource.InMemberScope)
//	client.id            string  Resource.ClientID (also {client})
//	client.office        string  Resource.OfficeID (also {office})
//	client.staffOwned    bool
//	client.staffAssociate string the associate whose own account the client is
//	client.assigned      set     Resource.AssignedAssociates
//	request.amount       number  Resource.Amount, minor units
//
// Operators by type: strings take eq, ne, in (a list or a set attribute) and
// contain (substring); numbers eq, ne, in, gt, ge, lt, le; booleans eq and ne;
// sets eq/contain (membership), ne (non-membership) and in (intersects the
// list). Compiling checks names, types and the roles a policy names; a
// *PolicyError gives the line, column and what was expected. An unknown
// attribute name is an error, not a silent false.
//
// # Unknown denies
//
// A condition is evaluated in three-valued (Kleene) logic: true, false or
// unknown. A missing value is an empty string attribute or placeholder (no
// office, no associate, an app the org does not list, a principal kind that is
// neither backoffice nor customer), an empty set (no roles, no assigned
// associates), and for member.clients a missing associate or client, another
// client than the call's, or a scope membership nobody gave
// (Resource.InMemberScope ScopeUnknown). A comparison that reads a missing value is unknown, whatever its
// operator: with no office, both "member.office eq {office}" and
// "member.office ne {office}" are unknown. A literal is never missing (""
// is a value); booleans and numbers always have a value (false, amount 0).
//
//	NOT true = false    NOT false = true    NOT unknown = unknown
//	false AND x = false       true AND unknown = unknown    unknown AND unknown = unknown
//	true  OR  x = true        false OR unknown = unknown    unknown OR  unknown = unknown
//
// A policy holds only when its condition is true: false and unknown both deny,
// so "NOT member.office eq {office}" denies a principal with no office instead
// of letting it through, and a missing assignment or office never allows.
// AND and OR are commutative in this logic; they still stop at the first side
// that decides them.
//
// A policy whose top-level AND chain has one "role eq CODE" (or "role in (…)")
// term is role-bound to those roles; every other policy is tenant-wide.
// Policy.Operations lists the operations a policy covers; empty means all. The
// presets' P_*_001 cover every operation and P_*_002 cover CL004.
//
// # Authorizer and stores
//
// New(catalogues CatalogueStore, orgs OrgSource, opts ...Option) builds the
// Authorizer. It compiles each tenant's catalogue once and caches it until
// Invalidate or until its TTL passes: DefaultCacheTTL (5 s) unless
// WithCacheTTL sets another, so a role change made by another process is seen
// within the TTL. One caller per tenant reloads an expired catalogue while the
// others wait for it. The tenant's org attributes (OrgSource) are cached with
// its catalogue, so a decision reads no store while the entry is fresh. AuthorizeOperation
// decides whether a principal may perform an operation at all, before a service
// reads the resource (Catalogue.HoldsOperation); a denial on the resource read is
// then answered as a missing resource. RoleService (NewRoleService(RoleStore,
// *Authorizer, ...RoleOption)) lists
// permissions and roles by ListType and creates and updates roles, each call
// authorized (AD001–AD004). MemoryStore implements RoleStore and OrgSource in
// memory.
//
// # No escalation
//
// An actor grants only what it holds (Catalogue.CheckGrant): a back-office
// permission it holds outright (not only under a role-bound policy), or whose
// every operation it holds outright. The RoleService refuses a role created or
// edited beyond that, and any edit of a role the actor holds; the users package
// applies the same rule to the roles it invites with and assigns. Customer
// permissions, which only let a client act on its own accounts, are not
// checked: no back-office actor can hold one. The node operator (WithNodeOperators)
// is exempt. Every role change is audited with the role's permission set before
// and after (audit.Entry.Before, After).
package authz

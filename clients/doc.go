// Package clients runs the lifecycle of a tenant's clients: onboarding (CL003),
// viewing (CL002, with what core banking, the document processor and the CRM
// hold: Details), profile updates and state changes (CL004), listing (CL001) and
// search (CL009), the client's accounts at core banking (CL006, Accounts),
// members' favourite clients (CL008, ToggleStar) and the client's preferences
// and service configuration (Preferences, SetPreferences).
//
// A client is an individual (names, date of birth, national ID) or a corporate
// (legal name, registration number, incorporation date, tax ID, contacts), with a
// tenant-unique Reference used in every route, an office, a KYC status, an optional
// StaffAssociateID marking an employee's own account (seed 000: changing it then
// also needs the employee-account permission) and the associates assigned to it.
//
// # Data scope
//
// Every call that lists, searches, reads or changes clients sees only the
// principal's data scope (Scope, issue 11), and the scope is a condition of
// the store's query, never a filter applied after it:
//
//   - A principal the authorizer calls tenant-wide (authz.Catalogue.TenantWide:
//     it holds, through a role, one of the catalogue's TenantWidePermissions),
//     and the node operator (WithNodeOperators), see every client of the tenant.
//   - Any other back-office principal sees the scope of its associate
//     (Principal.AssociateID): the scope mode and office the principal carries
//     (users.Authenticate reads them with the session, on every request), or,
//     for a principal without them, as read on the call from the associates
//     tables (ScopeResolver): with a classification of scope mode branch, the clients
//     of the associate's office and of every office under it; with mode
//     restricted, the clients linked (associates.Link, entity kind client,
//     naming the client's ID) to the associate or to any associate below it in
//     the hierarchy. An office move, an associate's transfer or a new link
//     changes what it sees on the next call.
//   - A principal with no associate sees no client, and neither does one
//     whose scope is looked up and whose associate is unknown or inactive
//     (users.Authenticate refuses the session of an inactive associate).
//
// Which roles are scoped by default: in both presets the administrator RP001
// holds the tenant-wide permission (clnt_admin in Backoffice Platform,
// clnt_mgmt_admin in Retail Engine) and sees the whole tenant; every other
// role (RP002–RP004 in Backoffice Platform, RP002–RP005 in Retail Engine) sees
// its associate's scope. A tenant changes this through the role service: it
// gives a role (a preset role it edits, or a new one) the tenant-wide
// permission, or takes it away; the no-escalation rule applies, so only an
// actor that holds that permission may grant it. The node operator sees the
// whole tenant when the Service is built WithNodeOperators (its roles still
// decide what it may do), and otherwise through a tenant-wide role.
//
// A client outside the scope is absent from List and answered by Get, Update
// and Transition exactly as a missing client (ErrNotFound, same text), never
// ErrForbidden. Pages stay whole: the cursor walks the scoped query.
//
// The policy attribute member.clients (P_BO_002 and P_RE_002: "role eq RP002
// AND member.clients contain {client}") is the data scope of the principal's
// associate, not the client's AssignedAssociateIDs: the service tells the
// authorizer (authz.Resource.InMemberScope) that a client it read within a
// scoped principal's scope is in it, at no extra cost; for a tenant-wide
// principal with an associate it looks the client up once more, within that
// associate's scope, only when the decision without it denies.
// member.office is the associate's office (Principal.OfficeID, filled in by
// users.Service.Authenticate).
//
// A principal whose scope is not the whole tenant cannot take a client out of
// its reach: Create, and an Update that changes the office, need an officeId
// that is its associate's office or an office below it (for a branch scope,
// exactly its scope's offices; for a restricted one, the offices its
// associate works in). Any other officeId, including one that names no office,
// is the same *clientele.ValidationError on "officeId" ("names no office of
// your data scope"), so the check reveals no office. A principal with no
// associate creates no client. A client created by a restricted associate is
// linked to it (associates.Link, kind client) in the same transaction, so it
// stays in its creator's view and in that of the associates above it. An
// Update that keeps the office is not checked: a restricted associate may
// edit a client linked to it in another office. Tenant-wide principals are
// not limited.
//
// # Lifecycle
//
//	pending → active ⇄ suspended        (Transition; a wrong move is a *TransitionError)
//
//	any state → archiving → archived    (Archive, CL005; archived is terminal)
//
// Archive starts a saga run by the outbox (ArchiveHandlers): block the
// accounts at core banking, sweep the savings to the tenant's settlement
// account, close the accounts, deactivate the client at core banking,
// identity and the CRM, revoke the client's users, send the closure notice,
// then mark the client archived. The client shows the step it is at
// (Client.Archive). A client that is archiving or archived cannot be updated
// or transitioned. A list without a status term leaves archived clients out;
// status:archived finds them.
//
// # Onboarding verification
//
// Creating a client enqueues, in the create's transaction, three checks as
// outbox effects (VerificationHandlers delivers them): identity (the identity
// provider holds an active identity with the client's national ID or
// registration number), documents (the document processor holds a verified,
// unexpired verification document, DD002) and screening (the app's Screening
// finds no sanctions or PEP match). Each result — pending, passed, failed or
// error, with a reason and the time — is recorded on the client
// (Client.Verification) with an audit entry. An outage leaves the check
// pending while the outbox retries it; a definite negative answer fails it; a
// refused request, or an effect parked after its last attempt, shows as an
// error. Recheck runs the checks that have not passed again (say once the
// documents are filed).
//
// Activating a pending client needs every check passed and a KYC status
// other than rejected, unless the tenant's settings turn the rule off
// (tenants.Settings.RequireVerifiedOnboarding, on by default); the refusal is
// a *VerificationError naming what is missing. Setting the KYC status by hand
// (SetKYCStatus, or a changed kycStatus in Update) needs its own operation,
// authz.OpSetKYCStatus (permission clnt_kyc_verify, role RK001 in the
// presets), and is audited with the status before and after.
//
// # Guarantees
//
//   - Every method takes the acting authz.Principal and authorizes it before it
//     returns or changes anything; a denied call returns an error wrapping
//     clientele.ErrForbidden and changes nothing.
//   - Input problems come as a *clientele.ValidationError listing every failing field
//     by its JSON path ("individual.dateOfBirth", "contact.phone"): phones are E.164,
//     countries ISO 3166-1 alpha-2, currencies ISO 4217, dates YYYY-MM-DD and not in
//     the future. Money (adapters.Money) is integer minor units. Every string — profile fields, the
//     reference a call names, the filter, the cursor, the idempotency key — is
//     valid UTF-8 without control characters and has a maximum length, checked
//     before any store sees it, so SQLite and PostgreSQL behave the same.
//   - Create with an idempotency key (package idempotency): the key belongs to
//     the acting user and to CL003. The same key and body return the client the
//     first call created, and write nothing more (no second audit entry or
//     effect); the same key with another body fails with ErrConflict. A retry
//     sent while the first call is still running is not made to wait: on
//     PostgreSQL it fails at once with ErrConflict ("a request with this
//     idempotency key is in progress"), and retrying it a moment later returns
//     the client; on SQLite, whose writers take turns, it runs after the first
//     and returns its client. A key is remembered for 24 hours
//     (idempotency.TTL); a later reuse creates a new client.
//   - Updates name the Version they read (optimistic locking): a stale version fails
//     with ErrConflict and writes nothing.
//   - Every change writes an audit entry (actor, operation code, changed fields) in
//     the same transaction.
//
// # Reads over the adapters (issue 12)
//
// Details (CL002) is the client from the store plus what core banking (CC009),
// the document processor (DD001, utility documents) and the CRM (HP001) hold,
// asked at once, each within its own timeout (WithDetailTimeouts, 2 s by
// default). A source that fails, is late, does not know the client yet or is
// not configured is named in Details.Missing with the reason; only the store
// read fails the call. Get is the store-only read; both authorize and read the
// client through the same code path.
//
// Accounts (CL006) lists the client's savings (CC004) and credit (CC005)
// accounts at core banking, money in minor units; core banking failing is
// ErrUnavailable (an *UnavailableError keeping the adapter's error).
//
// ToggleStar (CL008) stars a client for the acting back-office member, or
// unstars it. The store keeps the stars (so the filter term starred:true is a
// condition of the list's own SQL query, with the scope and the keyset
// cursor) and, in the same transaction, the audit entry and an MC007 outbox
// effect that toggles the favourite at the Persistence adapter
// (FavoriteHandlers).
//
// Preferences and SetPreferences read and replace the client's preferences
// and service configuration, held by the Persistence adapter's settings under
// the client's ID: reading is viewing the client (CL002), changing is updating
// it (CL004, so P_RE_002 and the employee-account rule apply). A change is its
// audit entry and a PS001 outbox effect in one transaction
// (PreferencesHandlers delivers it); see SetPreferences for the version rule.
//
// Starring a client and changing its preferences are changes of the client
// (authz.Operation.Changes): on a staff-owned client they also need the
// employee-account permission.
//
// # Search filter language
//
// List takes a filter such as
//
//	status:active|suspended type:corporate name~"acme ltd" created>=2025-01-01
//
// Terms are separated by spaces and must all hold. A term is field, operator, value:
//
//	:   equals            status:active         (with | alternatives: any of them)
//	!:  does not equal    status!:archived      (with | alternatives: none of them)
//	~   contains          name~acme             (case-insensitive substring)
//	> >= < <=             created>=2025-01-01   (dates)
//
// Fields and the operators they take:
//
//	status     : !:        pending active suspended archiving archived
//	type       : !:        individual corporate
//	kyc        : !:        pending verified rejected
//	name       ~ :         display name (full name or legal name), case-insensitive
//	reference  : ~
//	office     : !:
//	email      :           case-insensitive
//	phone      :           E.164
//	created    : > >= < <= YYYY-MM-DD (a whole UTC day) or RFC 3339 timestamp
//	updated    : > >= < <=
//	starred    :           true false: the clients the acting member starred
//	                       (ToggleStar, CL008), or the others
//
// A word with no field searches the name: acme is name~acme. Values with spaces or
// "|" are double-quoted, with \" and \\ as escapes. Alternatives are written a|b
// without spaces. A query is at most 1024 bytes with at most 16 terms and 10
// alternatives per term. An unknown field, a disallowed operator, a bad date or any
// other mistake is an ErrInvalid whose message gives the byte position and what was
// expected. A query becomes typed conditions whose values the store's SQL dialect
// quotes (see package storage); no input is ever spliced into SQL unquoted.
//
// # Devices
//
// A client's devices (seed 002, CL007 and CL010–CL013) are held by the
// Persistence adapter (WithAdapters). ListDevices reads them from it. Every
// change is authorized on the client first (a device of another client is
// answered as a missing one; a staff-owned client also needs the
// employee-account permission), then committed with its audit entry and the
// outbox effects that carry it to the adapters, which DeviceHandlers delivers:
// LockDevice and ActivateDevice record the state asked for, delivered in
// order; ResetDevicePIN has the handler draw a PIN, store its hash at the
// adapter and send it by Messaging (MD001), so the PIN is never in an answer,
// a log line, an audit entry or the outbox. A transfer to another active
// client is two calls: InitiateTransfer has the handler send a one-time token
// to the device's client, whose digest alone is stored; ConfirmTransfer with
// that token reserves one of MaxTransferAttempts attempts before comparing,
// answers every failure with ErrInvalidTransferToken, and on success has the
// handler move the device at the adapter. A token lasts DefaultTransferTTL and
// works once; initiating again cancels the pending transfer. The store must
// implement DeviceStore (storage's does).
//
// # Stores
//
// Service runs on any Store. Store speaks only this package's types: List
// parses the filter with ParseQuery into a Query of typed Terms (a Field from
// the closed set SearchSchema lists, an Op, Values) and hands it to
// Store.Search. An app may decorate storage's store (metrics, caching) or write
// its own; Query.Validate checks a query built by other code, and Query.String
// renders one back in the filter language.
//
// # Pages
//
// Results come newest first, at most MaxPageSize per page (DefaultPageSize when
// Limit is 0), with an opaque NextCursor for the following page (keyset pagination:
// a deep page costs the same as the first).
package clients

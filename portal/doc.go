// Package portal is the client self-service portal of seed 000: a client's
// portal access, the tenant-wide switch, and the wrappers a logged-in client
// calls — its savings, its loans, and account transfers.
//
// # Portal access
//
// The back office grants, changes and revokes a client's portal access
// (Service.SetAccess, read with Service.Access) as an update of the client
// (CL004, within the principal's data scope). Granting it creates the linked
// customer user through package users in the same transaction as the access
// and its audit entry (the caller's transaction, when ctx carries one): an
// investor invited by email when the username is an email address, a
// borrower invited by SMS when it is an E.164 phone number, with the access's
// customer roles (RC001 view only, RC002 view and transfer, or the tenant's
// own). Inviting is US001: the principal must be allowed to invite users and
// to grant the roles. A username already used in the tenant is a
// *clientele.ValidationError naming portalAccess.username ("already taken").
// Revoking the access blocks its user, which ends its sessions at once;
// restoring it unblocks the user. The username cannot change.
//
// # Who may call the portal
//
// Every portal call authorizes its customer operation (PT001 savings,
// PT002 loans, PT003 transfer) before anything is read. Only customer
// permissions grant them and a customer principal holds customer roles only,
// so a back-office principal is refused on every portal call and a customer
// principal on every back-office one, whatever its roles claim (package
// authz). While the tenant's client_portal switch is off every portal call
// is refused with clientele.ErrPortalDisabled: the authorizer reads the
// switch with the tenant's catalogue, so a change applies at once in the
// process whose tenants.Service has it (tenants.WithAuthorizer) and within
// the authorizer's cache TTL (authz.DefaultCacheTTL, 5 s) in every other.
// The principal's client must also have enabled portal access linked to its
// user (ErrAccessDisabled otherwise): users.Service.Authenticate reads it
// with the session (authz.Principal.PortalAccess), and a principal that
// does not carry it has it read on each call.
//
// # Wrappers
//
// Savings lists the client's own active savings accounts; Loans its own
// active and closed loans, copied field by field into Loan so that nothing
// the bank keeps for its staff (notes, approval data) reaches the client.
//
// Transfer moves money from one of the client's own active savings accounts
// to any other active savings account of the tenant in the same currency
// (seed 000's account transfer, and its agent cash-in flow: an agent's own
// client account pays a customer's). It needs an idempotency key (package
// idempotency: the same key and request replay the stored transfer, another
// request is a conflict, and so is a duplicate while the first is still
// being recorded; a duplicate that reaches PostgreSQL's grouped records
// behind the first waits for it instead and replays it: either way one
// transfer). The transfer is recorded pending, with the key, its audit
// entry and an outbox effect, in one transaction, and then executed at once
// against core banking under an idempotency key of its own, which checks the
// balance (it refuses an overdraft, however many transfers arrive at once).
// The answer is the completed transfer; a *FailedError
// (clientele.ErrPrecondition) for one core banking refused, recorded failed;
// or the transfer still pending when core banking could not be reached: the
// dispatcher running Service.Handlers completes it when core banking is back,
// and GetTransfer shows its state. An account of another client is
// clientele.ErrNotFound, exactly like a missing one.
//
// The outcome is recorded together with the outbox effect's delivery, so the
// dispatcher only works the transfers the request could not finish: handed
// over at once when core banking could not be reached, or taken up once the
// grace (WithInlineGrace, 30 s by default) has passed when the process
// stopped before recording the outcome; it then executes the transfer again
// under the same core-banking idempotency key, so the money moves once.
//
// Service.Handlers must be given to the app's dispatcher (storage) so that
// transfers left pending are completed.
package portal

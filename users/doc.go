// Package users runs the user accounts of seed 003 and seed 000: five types in
// two kinds, invitation, three registration channels, login, sessions, and
// blocking.
//
// # Types, kinds and states
//
// The node operator (super-admin), originator admins and originator agents are
// back-office users, each linked to an associate; investors and borrowers are
// customer users, each linked to a client. A user is invited, then active, and
// may be blocked and unblocked: invited → active ⇄ blocked.
//
// # Creation
//
// Bootstrap creates a tenant's node operator at tenant setup. Every other user is
// invited (Invite) by the node operator or by an originator admin of the same
// tenant, never with a type ranked above the inviter's (node operator >
// originator admin > agent, investor, borrower). The invitation goes through
// adapters.Messaging: by email with the portal link and a 6-digit code valid 24
// hours, or by SMS with a code valid 10 minutes, counted from its sending.
// Reinvite sends a fresh code.
//
// A back-office invitation names its associate, which must be an active
// associate of the tenant (AssociateChecker; storage.AssociateStore answers
// it); a customer invitation names a client of the tenant that is not
// archived (ClientChecker). The node operator's associate is optional, since
// a tenant being set up has none yet; Bootstrap checks it only when given.
//
// A user follows the record it is linked to: FollowLinked, called by the
// service that changes an associate (associates.Service built WithUsers) or a
// client, in that change's transaction, gives the record's users its new name
// or email, or disables them (blocks the active ones, revoking their
// sessions; revokes the invited ones' invitations). It is authorized as the
// record's operation and audited per user; LinkedUsers finds the users on an
// index of users by associate and by client.
//
// # Delivery through the outbox
//
// Invite, Reinvite and Bootstrap do not send anything themselves, and SetPIN
// does not call the Identity adapter: each declares an effect (package outbox)
// in the transaction that stores the user, and the dispatcher the app starts
// with Service.Handlers delivers it after commit, retrying while the adapter
// is down. A change rolled back (with the caller's transaction, say) sends
// nothing; Invite returns the invited user whether or not the message has
// gone yet.
//
// An invitation's code is never stored in clear, not even in the outbox: the
// handler mints it when it sends it, stores its hash as the invitation's live
// code, then sends it. Until then the invitation has no code that works. A
// delivery retried after its message went out (the provider took it, but the
// success was not recorded) mints and sends a fresh code, so the user may
// receive two messages: the later one works, the earlier code is dead. A
// Reinvite supersedes an invitation still on its way, which then sends
// nothing.
//
// A borrower's DID (operation IU004) is created after its registration
// commits, under an idempotency key fixed per user, so a retried delivery gets
// the DID created the first time; User.DID is empty until then.
//
// # Registration channels (seed 003)
//
//	email + code + new password   originator admin, investor   RegisterEmail
//	social account                originator admin, investor   RegisterSocial
//	phone (USSD) + code, then PIN originator agent, borrower   VerifyPhone, SetPIN
//
// A social login is verified by the embedding application (OAuth/OIDC) through
// a SocialVerifier; the verified email must match the invitation. Activating a
// borrower creates its DID through adapters.Identity, after commit. Each channel ends with an
// active user and a session. The node operator registers like an originator
// admin.
//
// # Input
//
// Every string a method takes — names, emails, phones, tenant and user ids,
// codes, tickets, credentials, role codes, idempotency keys — must be one line
// of valid UTF-8 without control characters within the field's maximum length;
// anything else is a *clientele.ValidationError naming the field, before any
// store sees it.
//
// # Sessions
//
// LoginPassword, LoginPIN and LoginSocial open a session: an opaque token of 32
// random bytes (base64url), stored only as its SHA-256 digest, valid 12 hours by
// default. Authenticate turns a token into the authz.Principal of every other
// service call with one indexed look-up (the session, its user and the user's
// associate) and no password hashing; Logout revokes it, and blocking a user
// revokes all its sessions at once. The principal's AssociateID and OfficeID
// are read from the associate on every request, so a transfer to another
// office applies from the next one; once the associate is deactivated its
// user's tokens are refused (ErrInvalidSession), its logins fail with
// ErrInvalidCredentials and, if it is still invited, its registration fails
// as a wrong code or ticket does. Without associates.WithUsers the user
// itself is unchanged; with it, Deactivate also blocks it (FollowLinked), and
// a blocked user's login fails as every blocked user's does. Logging in (right,
// wrong or locked out) is no edit of the user: its Version and UpdatedAt stay
// as they were.
//
// # Secrets
//
// Passwords, PINs and invitation codes are hashed with argon2id (OWASP
// parameters by default; a semaphore bounds how many hashes run at once). An
// unknown account and a wrong secret give the same error after the same work,
// and the more specific errors (blocked user, wrong channel) are given only to
// a caller who proved the secret. Nothing secret is logged or put in an error.
//
// # Attempt limits
//
// Every secret that can be guessed has an attempt limit, and an attempt is
// reserved, atomically and with the limit in the same step, before the secret
// is compared; the comparison follows only if the reservation succeeded. So
// the limit holds however many attempts arrive at once: a parallel burst gets
// exactly as many comparisons as a patient attacker.
//
//   - Invitation codes (RegisterEmail, VerifyPhone) allow MaxCodeAttempts (5)
//     attempts each, right or wrong. The right code within them is consumed
//     atomically by the registration (or phone verification) it completes:
//     a consumed code is dead, and of concurrent right attempts one wins. A
//     code out of attempts is dead too; Reinvite sends a fresh one.
//   - Password and PIN logins allow 5 attempts (WithLockout) per lockout
//     window. The attempt that reaches the limit locks the account for 15
//     minutes; attempts while it is locked are refused without a comparison.
//     A window starts with the first attempt after the last lock lifted or the
//     last successful login. A successful login ends the window: it sets the
//     count to zero and lifts the lock, including the one its own reservation
//     may have set as the 5th attempt. Attempts reserved after the success
//     count in the next window. Unblock also starts afresh. A social login
//     compares no secret and counts nothing, but is refused while the account
//     is locked.
//   - Registration tickets (SetPIN) are 32 random bytes, found by their
//     SHA-256 digest with no comparison to count, and social credentials are
//     checked by the application's SocialVerifier: neither has a limit here.
//     A ticket is consumed atomically like a code.
//
// Every failure of one flow gives one error with one text, after one hash's
// work: ErrInvalidCode for a code that is wrong, used, expired, out of
// attempts, of an unknown user, or right but beaten by a concurrent success;
// ErrInvalidCredentials for a login that is wrong, locked out or of an unknown
// user. A ticket that is unknown, expired, used or beaten by a concurrent
// success is ErrInvalidTicket.
//
// # Authorization
//
// Administrative methods (Invite, Reinvite, List, Get, Block, Unblock,
// AssignRoles) take the acting principal and authorize it (US001–US005) before
// they do anything, then apply the rules of seed 003 (only administrators, not
// above their own rank, nobody blocks themselves or assigns its own roles).
//
// RevokeClientUsers is the one exception, and not an administrative method:
// it is a step of a client's archive saga (clients.UserRevoker), run by the
// outbox for an archive that clients.Service.Archive authorized (CL005). It
// blocks every user linked to the client and ends its sessions, auditing
// each in the name of the user who asked for the archive.
//
// Nobody escalates: every role given is checked against the tenant's catalogue
// (it exists and is of the user's kind, or ErrInvalid naming roles[i]), and the
// actor must be able to grant every back-office permission of every role it
// gives or takes away (authz.Catalogue.CheckGrant; an *authz.GrantError,
// ErrForbidden, otherwise). The node operator is the one exception; the Service
// tells the role service who it is (IsNodeOperator implements
// authz.NodeOperators). A borrower or investor invitation must name a client of
// the same tenant (a ClientChecker, required by New; ErrInvalid naming clientId
// otherwise, the same for a missing and another tenant's client); a back-office
// invitation an active associate of the same tenant (an AssociateChecker,
// required by New; ErrInvalid naming associateId otherwise).
//
// A user the actor may not touch (of a higher rank) is answered exactly as a
// missing one, ErrNotFound, so that nobody learns which users exist.
// Registration, login and Authenticate are public by nature: the secret is the
// credential.
package users

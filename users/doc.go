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
// hours, or by SMS with a code valid 10 minutes. Reinvite sends a fresh code.
//
// # Registration channels (seed 003)
//
//	email + code + new password   originator admin, investor   RegisterEmail
//	social account                originator admin, investor   RegisterSocial
//	phone (USSD) + code, then PIN originator agent, borrower   VerifyPhone, SetPIN
//
// A social login is verified by the embedding application (OAuth/OIDC) through
// a SocialVerifier; the verified email must match the invitation. Activating a
// borrower creates its DID through adapters.Identity. Each channel ends with an
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
// service call with one indexed look-up and no password hashing; Logout revokes
// it, and blocking a user revokes all its sessions at once.
//
// # Secrets
//
// Passwords, PINs and invitation codes are hashed with argon2id (OWASP
// parameters by default; a semaphore bounds how many hashes run at once). Codes
// are single use, expire, and die after 5 wrong attempts; 5 failed logins lock
// an account for 15 minutes. An unknown account and a wrong secret give the same
// error after the same work, and the more specific errors (expired code,
// blocked user, wrong channel) are given only to a caller who proved the
// secret. Nothing secret is logged or put in an error.
//
// # Authorization
//
// Administrative methods (Invite, Reinvite, List, Get, Block, Unblock) take the
// acting principal and authorize it (US001–US004) before they do anything, then
// apply the rules of seed 003 (only administrators, not above their own rank,
// nobody blocks themselves). Registration, login and Authenticate are public by
// nature: the secret is the credential.
package users

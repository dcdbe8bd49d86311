package users

import (
	"context"
	"fmt"
	"time"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/audit"
	"github.com/clientele-go/clientele/idempotency"
	"github.com/clientele-go/clientele/outbox"
)

// Store is what the service needs from persistence. storage implements it on
// SQLite and PostgreSQL. Every method is scoped to one tenant except
// SessionByDigest (a token digest is unique across tenants), and every write
// that changes a user stores its audit entry in the same transaction.
type Store interface {
	// Create inserts a new account, the code that invites it (if any), the
	// audit entry and the effects the creation implies, in one transaction (the
	// caller's, when ctx carries one). With a non-empty idem.Value the key is
	// recorded with the user (package idempotency): a key already recorded,
	// less than idempotency.TTL ago, with the same request hash returns the
	// user created then (replayed true) and writes nothing; with another hash,
	// or while the request that recorded it is still in flight, it fails with
	// ErrConflict. A taken email, phone or social account fails with a
	// *ConflictError naming the field.
	Create(ctx context.Context, a Account, code *Code, idem idempotency.Key, entry audit.Entry, effects ...outbox.Effect) (saved User, replayed bool, err error)
	// LinkedUsers returns the IDs of at most limit users of the tenant linked
	// to l (User.AssociateID or User.ClientID), in ID order.
	LinkedUsers(ctx context.Context, tenantID string, l Linked, limit int) ([]string, error)
	// Get returns the account with this ID, or ErrNotFound.
	Get(ctx context.Context, tenantID, userID string) (Account, error)
	// Find returns the account the key names, or ErrNotFound.
	Find(ctx context.Context, tenantID string, k Key) (Account, error)
	// List returns up to limit users of the given types, newest first, starting
	// after the user whose ID is after ("" for the first page).
	List(ctx context.Context, tenantID string, types []Type, after string, limit int) ([]User, error)
	// Change runs one atomic change of an account: it loads the account in a
	// transaction (locking its row where the database can; on SQLite the
	// transaction holds the write lock from its start), calls fn with a Change
	// holding it, and writes what fn left in the Change: the account (its
	// version increased by one, unless LoginOnly), the code consumed, codes revoked and issued,
	// sessions revoked and created, the audit entry, the effects. Concurrent Changes of one
	// account run one after the other, each seeing what the previous one wrote.
	// An error from fn, or a Consume whose code is no longer unused
	// (ErrCodeUsed), aborts and writes nothing.
	Change(ctx context.Context, tenantID, userID string, fn func(*Change) error) (User, error)
	// MintCode gives the invitation code codeID of an invited user its
	// secret: in one transaction, with the user's row locked, it sets the
	// code's hash to hash, its attempts to zero and its expiry to expiresAt,
	// provided the user is still invited and the code unused. It returns the
	// user and the code as stored; ErrPrecondition when the user is no longer
	// invited or the code is used, revoked or unknown (a registration or a
	// newer invitation superseded it). The user's version does not change.
	MintCode(ctx context.Context, tenantID, userID, codeID, hash string, expiresAt time.Time) (User, Code, error)
	// SetDID records did as the user's DID unless it already has one, and
	// returns the user as stored. The DID is the Identity adapter's answer to
	// the user's registration, not an edit: the user's version does not change.
	SetDID(ctx context.Context, tenantID, userID, did string) (User, error)
	// LiveCode returns the newest unused code of the user for purpose, or
	// ErrNotFound.
	LiveCode(ctx context.Context, tenantID, userID string, purpose Purpose) (Code, error)
	// CodeByDigest returns the unused code of purpose whose hash is digest (codes
	// hashed with secret.Digest: registration tickets), or ErrNotFound.
	CodeByDigest(ctx context.Context, tenantID string, purpose Purpose, digest string) (Code, error)
	// ReserveCode takes one attempt at the user's live code of purpose (its
	// newest unused one) before the caller compares a secret with it. In one
	// atomic step it counts the attempt, provided the code is unused and has had
	// fewer than limit attempts, and returns the code with its new count (1 for
	// the first attempt). However many callers reserve at once, at most limit
	// of them ever get the code. Without such a code (none, used, or out of
	// attempts) it counts nothing and returns ErrNotFound. Expiry is the
	// caller's to check.
	ReserveCode(ctx context.Context, tenantID, userID string, purpose Purpose, limit int) (Code, error)
	// SessionByDigest returns the session whose token digest is digest, joined
	// with its user and the user's associate (its office and whether it is
	// active), in one indexed look-up, or ErrNotFound.
	SessionByDigest(ctx context.Context, digest string) (SessionView, error)
	// RevokeSession marks the session with this digest revoked at at (no-op when
	// it is already revoked); ErrNotFound when there is none.
	RevokeSession(ctx context.Context, digest string, at time.Time) error
}

// Account is a user together with its secrets as the store keeps them. The
// service never returns an Account.
type Account struct {
	User User
	// PasswordHash and PINHash are argon2id PHC strings ("" when unset).
	PasswordHash string
	PINHash      string
	// SocialSubject is the provider's subject of the linked social account.
	SocialSubject string
	// FailedLogins counts the password or PIN attempts of the current lockout
	// window: each is counted when it is reserved, before its secret is
	// compared, so it counts attempts failed or still being checked. A
	// successful login sets it back to zero. LockedUntil, when in the future,
	// refuses every login (see the package documentation, "Attempt limits").
	FailedLogins int
	LockedUntil  time.Time
}

// Key names one account for Find: exactly one of Email, Phone or the social
// pair is set.
type Key struct {
	Email string
	Phone string
	// SocialProvider and SocialSubject find the account linked to a social login.
	SocialProvider string
	SocialSubject  string
}

// Purpose says what a code is for.
type Purpose string

// The code purposes.
const (
	// PurposeInvitation: the code sent with an invitation (email or SMS).
	PurposeInvitation Purpose = "invitation"
	// PurposePINTicket: the registration ticket VerifyPhone returns and SetPIN
	// redeems (a random token, stored as its SHA-256 digest).
	PurposePINTicket Purpose = "pin_ticket"
)

// Code is a one-time code or ticket as the store keeps it: only its hash.
type Code struct {
	ID       string
	TenantID string
	UserID   string
	Purpose  Purpose
	// Channel is how the code was sent: "email" or "sms" ("" for tickets).
	Channel string
	// Hash is an argon2id PHC string (invitation codes) or a hex SHA-256 digest
	// (tickets). An invitation whose code is not minted yet (its message is
	// still on its way, see Service.Handlers) has Hash "", which matches no code.
	Hash      string
	Attempts  int
	ExpiresAt time.Time
	CreatedAt time.Time
}

// SessionRecord is a session as the store keeps it: the token only as its digest.
type SessionRecord struct {
	ID        string
	TenantID  string
	UserID    string
	Digest    string
	Method    Channel
	CreatedAt time.Time
	ExpiresAt time.Time
}

// SessionView is a session joined with what Authenticate needs of its user.
type SessionView struct {
	TenantID    string
	UserID      string
	ExpiresAt   time.Time
	Revoked     bool
	Type        Type
	State       State
	Roles       []string
	AssociateID string
	ClientID    string
	// OfficeID is the office of the user's associate ("" without one).
	OfficeID string
	// AssociateActive reports whether AssociateID names an associate of the
	// session's tenant that is active; false when AssociateID is "" or names
	// no associate of the tenant.
	AssociateActive bool
	// ScopeMode is the data scope mode of the associate's classification
	// ("" without an associate).
	ScopeMode string
	// PortalAccess reports that the user's client has portal access, enabled,
	// for this user (false for any user without a client).
	PortalAccess bool
}

// Change is one atomic change of an account (see Store.Change). fn edits Account
// and sets the other fields; the store writes them all or nothing.
type Change struct {
	// Account is the loaded account; fn edits it in place. Its ID, tenant and
	// version are the store's to keep.
	Account Account
	// At is the time of the change (revocations are stamped with it).
	At time.Time
	// Consume, when set, marks this code used; it must still be unused, or the
	// change fails with ErrCodeUsed (so of several concurrent successes with
	// one code, one consumes it).
	Consume string
	// RevokeCodes marks every unused code of these purposes used.
	RevokeCodes []Purpose
	// Issue stores new codes.
	Issue []Code
	// RevokeSessions revokes every live session of the user.
	RevokeSessions bool
	// Session, when set, is stored.
	Session *SessionRecord
	// Audit, when set, is appended.
	Audit *audit.Entry
	// Effects, when set, are enqueued in the change's transaction (package
	// outbox).
	Effects []outbox.Effect
	// LoginOnly says the change is login bookkeeping, not an edit of the user:
	// the store writes only Account.FailedLogins and Account.LockedUntil (plus
	// Session, RevokeSessions and Audit) and leaves the user's version and every
	// other field as they were, so an edit made at the version an administrator
	// read is not refused because the user logged in.
	LoginOnly bool
}

// ErrCodeUsed is what a Store returns when a Change's Consume finds its code
// already used. It is the store's signal to the service, never an answer the
// service gives: a caller whose code was consumed by a concurrent success gets
// the same error as any other failure (ErrInvalidCode, ErrInvalidTicket). Wraps
// clientele.ErrConflict.
var ErrCodeUsed = fmt.Errorf("users: code already used: %w", clientele.ErrConflict)

// ConflictError says which unique field a write collided on. It unwraps to
// clientele.ErrConflict.
type ConflictError struct {
	Field string
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("users: a user with this %s already exists in the tenant", e.Field)
}

// Unwrap makes errors.Is(err, clientele.ErrConflict) true.
func (e *ConflictError) Unwrap() error { return clientele.ErrConflict }

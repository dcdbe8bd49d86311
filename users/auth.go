package users

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/authz"
	"github.com/clientele-go/clientele/internal/secret"
	"github.com/clientele-go/clientele/outbox"
)

// ErrNoInvitation: a verified social account matches no pending invitation (it
// is said only to the holder of the verified account). Wraps
// clientele.ErrUnauthenticated.
var ErrNoInvitation = fmt.Errorf("no pending invitation for this account: %w", clientele.ErrUnauthenticated)

// ErrInvalidTicket: the registration ticket is unknown, used or expired. Wraps
// clientele.ErrUnauthenticated.
var ErrInvalidTicket = fmt.Errorf("invalid or expired registration ticket: %w", clientele.ErrUnauthenticated)

// Session is what a successful registration or login returns: the bearer token
// (shown once, stored only as its SHA-256 digest), its expiry, and the user.
type Session struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expiresAt"`
	User      User      `json:"user"`
}

// Ticket is the short-lived registration ticket VerifyPhone returns; SetPIN
// redeems it.
type Ticket struct {
	Ticket    string    `json:"ticket"`
	ExpiresAt time.Time `json:"expiresAt"`
}

// RegisterEmailInput registers an invited user by email, the emailed code and a
// new password (originator admin, investor, node operator).
type RegisterEmailInput struct {
	TenantID string `json:"tenantId"`
	Email    string `json:"email"`
	Code     string `json:"code"`
	Password string `json:"password"`
}

// SocialInput registers or logs in with a social account. Credential is what the
// provider issued (an OIDC ID token, say); the configured SocialVerifier checks
// it. The library never trusts an assertion it did not get from the verifier.
type SocialInput struct {
	TenantID   string `json:"tenantId"`
	Provider   string `json:"provider"`
	Credential string `json:"credential"`
}

// VerifyPhoneInput is the first step of phone (USSD) registration: the phone
// number and the texted code.
type VerifyPhoneInput struct {
	TenantID string `json:"tenantId"`
	Phone    string `json:"phone"`
	Code     string `json:"code"`
}

// SetPINInput is the second step: the ticket from VerifyPhone and the PIN,
// entered twice.
type SetPINInput struct {
	TenantID   string `json:"tenantId"`
	Ticket     string `json:"ticket"`
	PIN        string `json:"pin"`
	ConfirmPIN string `json:"confirmPin"`
}

// PasswordLoginInput logs in with email and password.
type PasswordLoginInput struct {
	TenantID string `json:"tenantId"`
	Email    string `json:"email"`
	Password string `json:"password"`
}

// PINLoginInput logs in with phone and PIN (USSD).
type PINLoginInput struct {
	TenantID string `json:"tenantId"`
	Phone    string `json:"phone"`
	PIN      string `json:"pin"`
}

// find returns the account k names, or nil when there is none.
func (s *Service) find(ctx context.Context, tenantID string, k Key) (*Account, error) {
	a, err := s.store.Find(ctx, tenantID, k)
	if errors.Is(err, clientele.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &a, nil
}

// burn does the work of a hash check that has nothing to check, so a miss takes
// as long as a hit.
func (s *Service) burn(ctx context.Context, secretText string) {
	_, _ = s.verify(ctx, "", secretText)
}

// verify checks given against the PHC string encoded; with encoded "" it does
// the same work against a dummy hash and reports false.
func (s *Service) verify(ctx context.Context, encoded, given string) (bool, error) {
	if s.observe != nil {
		s.observe(ctx, encoded != "", given)
	}
	return s.hasher.Verify(ctx, encoded, given)
}

// redeemInvitation checks code against the live invitation code of a (nil for
// an unknown user). It reserves an attempt before it compares (Store.ReserveCode):
// at most MaxCodeAttempts comparisons are ever made with one code, however many
// guesses arrive at once. Every failure (unknown user, no live code, attempts
// spent, expired, wrong) is ErrInvalidCode after one hash's work. A right code
// is not yet used: activate consumes it.
func (s *Service) redeemInvitation(ctx context.Context, a *Account, code string, now time.Time) (Code, error) {
	if a == nil || a.User.State != Invited {
		s.burn(ctx, code)
		return Code{}, ErrInvalidCode
	}
	c, err := s.store.ReserveCode(ctx, a.User.TenantID, a.User.ID, PurposeInvitation, MaxCodeAttempts)
	if errors.Is(err, clientele.ErrNotFound) || (err == nil && !now.Before(c.ExpiresAt)) {
		s.burn(ctx, code)
		return Code{}, ErrInvalidCode
	}
	if err != nil {
		return Code{}, err
	}
	ok, err := s.verify(ctx, c.Hash, code)
	if err != nil {
		return Code{}, err
	}
	if !ok {
		return Code{}, ErrInvalidCode
	}
	return c, nil
}

// newSession makes a session for u: the token to hand out and its record.
func (s *Service) newSession(u User, method Channel, now time.Time) (string, *SessionRecord, error) {
	id, err := newID()
	if err != nil {
		return "", nil, err
	}
	token := secret.Token()
	return token, &SessionRecord{
		ID: id, TenantID: u.TenantID, UserID: u.ID, Digest: secret.Digest(token), Method: method,
		CreatedAt: now, ExpiresAt: now.Add(s.sessionTTL),
	}, nil
}

// activate finishes a registration: in one transaction it consumes the code,
// applies set to the account, marks it active, opens a session, and enqueues
// effects. When a
// concurrent registration got there first (the code is used or the user no
// longer invited), or the user's associate is no longer active, it returns
// lost, the error every other failure of the flow gives.
func (s *Service) activate(ctx context.Context, a *Account, c Code, method Channel, now time.Time, lost error, set func(*Account), effects ...outbox.Effect) (Session, error) {
	if ok, err := s.associateActive(ctx, a.User); err != nil || !ok {
		if err == nil {
			err = lost
		}
		return Session{}, err
	}
	token, rec, err := s.newSession(a.User, method, now)
	if err != nil {
		return Session{}, err
	}
	u, err := s.store.Change(ctx, a.User.TenantID, a.User.ID, func(ch *Change) error {
		if ch.Account.User.State != Invited {
			return lost
		}
		set(&ch.Account)
		ch.Account.User.State, ch.Account.User.ActivatedAt, ch.Account.User.UpdatedAt = Active, now, now
		ch.At = now
		ch.Consume = c.ID
		ch.RevokeCodes = []Purpose{PurposeInvitation, PurposePINTicket}
		ch.Session = rec
		ch.Effects = effects
		ch.Audit = s.entry(a.User.TenantID, a.User.ID, AuditRegister, a.User.ID, now, "state", string(method))
		return nil
	})
	if errors.Is(err, ErrCodeUsed) {
		return Session{}, lost
	}
	if err != nil {
		return Session{}, err
	}
	return Session{Token: token, ExpiresAt: rec.ExpiresAt, User: u}, nil
}

// RegisterEmail registers an invited user with the emailed code and a new
// password, and logs it in (seed 003, "User registration with email and
// password"). Originator admins, investors and node operators only.
func (s *Service) RegisterEmail(ctx context.Context, in RegisterEmailInput) (Session, error) {
	in.Email = normEmail(in.Email)
	v := &clientele.ValidationError{}
	checkRequired(v, "tenantId", in.TenantID)
	checkEmail(v, "email", in.Email, true)
	checkCode(v, in.Code)
	checkPassword(v, "password", in.Password)
	if err := v.OrNil(); err != nil {
		return Session{}, fmt.Errorf("users: register: %w", err)
	}
	now := s.clock()
	a, err := s.find(ctx, in.TenantID, Key{Email: in.Email})
	if err != nil {
		return Session{}, fmt.Errorf("users: register: %w", err)
	}
	c, err := s.redeemInvitation(ctx, a, in.Code, now)
	if err != nil {
		return Session{}, fmt.Errorf("users: register: %w", err)
	}
	if !a.User.Type.Allows(ChannelEmail) {
		return Session{}, fmt.Errorf("users: register: a %s registers by %v: %w", a.User.Type, a.User.Type.Channels(), ErrWrongChannel)
	}
	h, err := s.hasher.Hash(ctx, in.Password)
	if err != nil {
		return Session{}, fmt.Errorf("users: register: %w", err)
	}
	sess, err := s.activate(ctx, a, c, ChannelEmail, now, ErrInvalidCode, func(acc *Account) { acc.PasswordHash = h })
	if err != nil {
		return Session{}, fmt.Errorf("users: register: %w", err)
	}
	return sess, nil
}

// verifySocial asks the SocialVerifier about in and checks what it says.
func (s *Service) verifySocial(ctx context.Context, in SocialInput) (SocialAssertion, error) {
	v := &clientele.ValidationError{}
	checkRequired(v, "tenantId", in.TenantID)
	checkRequired(v, "provider", in.Provider)
	checkLen(v, "provider", in.Provider, 64)
	checkRequired(v, "credential", in.Credential)
	if err := v.OrNil(); err != nil {
		return SocialAssertion{}, err
	}
	if s.social == nil {
		return SocialAssertion{}, ErrSocialUnavailable
	}
	as, err := s.social.VerifySocial(ctx, in.Provider, in.Credential)
	if err != nil {
		// The verifier's message may quote the credential: keep only the kind.
		if k := clientele.Kind(err); k != nil && k != clientele.ErrInvalid {
			return SocialAssertion{}, fmt.Errorf("social credential not accepted: %w", k)
		}
		return SocialAssertion{}, ErrInvalidCredentials
	}
	as.Email = normEmail(as.Email)
	if as.Provider != in.Provider || as.Subject == "" || len(as.Subject) > 255 {
		return SocialAssertion{}, ErrInvalidCredentials
	}
	return as, nil
}

// RegisterSocial registers an invited user with a social account and logs it in
// (seed 003, "User registration with a social account"). The verified account's
// email must be verified and match a pending invitation; originator admins,
// investors and node operators only.
func (s *Service) RegisterSocial(ctx context.Context, in SocialInput) (Session, error) {
	as, err := s.verifySocial(ctx, in)
	if err != nil {
		return Session{}, fmt.Errorf("users: register: %w", err)
	}
	if !as.EmailVerified || as.Email == "" {
		return Session{}, fmt.Errorf("users: register: the social account's email is not verified: %w", clientele.ErrUnauthenticated)
	}
	now := s.clock()
	a, err := s.find(ctx, in.TenantID, Key{Email: as.Email})
	if err != nil {
		return Session{}, fmt.Errorf("users: register: %w", err)
	}
	if a == nil || a.User.State != Invited {
		return Session{}, fmt.Errorf("users: register: %w", ErrNoInvitation)
	}
	if !a.User.Type.Allows(ChannelSocial) {
		return Session{}, fmt.Errorf("users: register: a %s registers by %v: %w", a.User.Type, a.User.Type.Channels(), ErrWrongChannel)
	}
	c, err := s.store.LiveCode(ctx, in.TenantID, a.User.ID, PurposeInvitation)
	if errors.Is(err, clientele.ErrNotFound) {
		return Session{}, fmt.Errorf("users: register: %w", ErrNoInvitation)
	}
	if err != nil {
		return Session{}, fmt.Errorf("users: register: %w", err)
	}
	if !now.Before(c.ExpiresAt) {
		return Session{}, fmt.Errorf("users: register: the invitation %w", ErrCodeExpired)
	}
	sess, err := s.activate(ctx, a, c, ChannelSocial, now, ErrNoInvitation, func(acc *Account) {
		acc.User.SocialProvider, acc.SocialSubject = as.Provider, as.Subject
	})
	if err != nil {
		return Session{}, fmt.Errorf("users: register: %w", err)
	}
	return sess, nil
}

// VerifyPhone is the first step of phone (USSD) registration (seed 003): it
// checks the texted code and returns a ticket valid 10 minutes for SetPIN.
// Originator agents and borrowers only.
func (s *Service) VerifyPhone(ctx context.Context, in VerifyPhoneInput) (Ticket, error) {
	v := &clientele.ValidationError{}
	checkRequired(v, "tenantId", in.TenantID)
	checkPhone(v, "phone", in.Phone, true)
	checkCode(v, in.Code)
	if err := v.OrNil(); err != nil {
		return Ticket{}, fmt.Errorf("users: verify phone: %w", err)
	}
	now := s.clock()
	a, err := s.find(ctx, in.TenantID, Key{Phone: in.Phone})
	if err != nil {
		return Ticket{}, fmt.Errorf("users: verify phone: %w", err)
	}
	c, err := s.redeemInvitation(ctx, a, in.Code, now)
	if err != nil {
		return Ticket{}, fmt.Errorf("users: verify phone: %w", err)
	}
	if !a.User.Type.Allows(ChannelPhone) {
		return Ticket{}, fmt.Errorf("users: verify phone: a %s registers by %v: %w", a.User.Type, a.User.Type.Channels(), ErrWrongChannel)
	}
	id, err := newID()
	if err != nil {
		return Ticket{}, fmt.Errorf("users: verify phone: %w", err)
	}
	token := secret.Token()
	t := Code{ID: id, TenantID: in.TenantID, UserID: a.User.ID, Purpose: PurposePINTicket,
		Hash: secret.Digest(token), ExpiresAt: now.Add(s.ticketTTL), CreatedAt: now}
	_, err = s.store.Change(ctx, in.TenantID, a.User.ID, func(ch *Change) error {
		if ch.Account.User.State != Invited {
			return ErrInvalidCode
		}
		ch.At = now
		ch.Account.User.UpdatedAt = now
		ch.Consume = c.ID
		ch.RevokeCodes = []Purpose{PurposePINTicket}
		ch.Issue = []Code{t}
		ch.Audit = s.entry(in.TenantID, a.User.ID, AuditPhoneVerified, a.User.ID, now, "phone")
		return nil
	})
	if errors.Is(err, ErrCodeUsed) {
		err = ErrInvalidCode
	}
	if err != nil {
		return Ticket{}, fmt.Errorf("users: verify phone: %w", err)
	}
	return Ticket{Ticket: token, ExpiresAt: t.ExpiresAt}, nil
}

// SetPIN is the second step of phone registration: it sets the PIN (entered
// twice), activates the user and logs it in. A borrower's activation queues
// the creation of its DID in the same transaction: the dispatcher creates it
// through the Identity adapter after commit (Service.Handlers), so User.DID is
// empty until then. A mismatched PIN leaves the ticket usable.
func (s *Service) SetPIN(ctx context.Context, in SetPINInput) (Session, error) {
	v := &clientele.ValidationError{}
	checkRequired(v, "tenantId", in.TenantID)
	checkRequired(v, "ticket", in.Ticket)
	checkPIN(v, in.PIN, in.ConfirmPIN)
	if err := v.OrNil(); err != nil {
		return Session{}, fmt.Errorf("users: set PIN: %w", err)
	}
	now := s.clock()
	t, err := s.store.CodeByDigest(ctx, in.TenantID, PurposePINTicket, secret.Digest(in.Ticket))
	if errors.Is(err, clientele.ErrNotFound) || (err == nil && !now.Before(t.ExpiresAt)) {
		return Session{}, fmt.Errorf("users: set PIN: %w", ErrInvalidTicket)
	}
	if err != nil {
		return Session{}, fmt.Errorf("users: set PIN: %w", err)
	}
	a, err := s.store.Get(ctx, in.TenantID, t.UserID)
	if err != nil {
		return Session{}, fmt.Errorf("users: set PIN: %w", err)
	}
	if a.User.State != Invited || !a.User.Type.Allows(ChannelPhone) {
		return Session{}, fmt.Errorf("users: set PIN: %w", ErrInvalidTicket)
	}
	h, err := s.hasher.Hash(ctx, in.PIN)
	if err != nil {
		return Session{}, fmt.Errorf("users: set PIN: %w", err)
	}
	var effects []outbox.Effect
	if a.User.Type == Borrower {
		effects = append(effects, didEffect(a.User))
	}
	sess, err := s.activate(ctx, &a, t, ChannelPhone, now, ErrInvalidTicket, func(acc *Account) { acc.PINHash = h }, effects...)
	if err != nil {
		return Session{}, fmt.Errorf("users: set PIN: %w", err)
	}
	return sess, nil
}

// LoginPassword logs in with email and password.
func (s *Service) LoginPassword(ctx context.Context, in PasswordLoginInput) (Session, error) {
	in.Email = normEmail(in.Email)
	v := &clientele.ValidationError{}
	checkRequired(v, "tenantId", in.TenantID)
	checkRequired(v, "email", in.Email)
	checkRequired(v, "password", in.Password)
	if len(in.Password) > MaxPasswordLength {
		v.Add("password", "max", "must be at most 128 bytes")
	}
	if err := v.OrNil(); err != nil {
		return Session{}, fmt.Errorf("users: login: %w", err)
	}
	a, err := s.find(ctx, in.TenantID, Key{Email: in.Email})
	if err != nil {
		return Session{}, fmt.Errorf("users: login: %w", err)
	}
	sess, err := s.login(ctx, a, ChannelEmail, in.Password, func(a *Account) string { return a.PasswordHash })
	if err != nil {
		return Session{}, fmt.Errorf("users: login: %w", err)
	}
	return sess, nil
}

// LoginPIN logs in with phone and PIN (USSD).
func (s *Service) LoginPIN(ctx context.Context, in PINLoginInput) (Session, error) {
	v := &clientele.ValidationError{}
	checkRequired(v, "tenantId", in.TenantID)
	checkRequired(v, "phone", in.Phone)
	checkRequired(v, "pin", in.PIN)
	checkLen(v, "pin", in.PIN, 16)
	if err := v.OrNil(); err != nil {
		return Session{}, fmt.Errorf("users: login: %w", err)
	}
	a, err := s.find(ctx, in.TenantID, Key{Phone: in.Phone})
	if err != nil {
		return Session{}, fmt.Errorf("users: login: %w", err)
	}
	sess, err := s.login(ctx, a, ChannelPhone, in.PIN, func(a *Account) string { return a.PINHash })
	if err != nil {
		return Session{}, fmt.Errorf("users: login: %w", err)
	}
	return sess, nil
}

// errLockedOut is what reserveLogin's Change returns to refuse an attempt; it
// never leaves the package (login answers ErrInvalidCredentials).
var errLockedOut = errors.New("users: login attempt refused: locked out")

// login checks a password or PIN against a (nil for an unknown user) and opens
// a session. It reserves the attempt before it compares (reserveLogin), so at
// most maxLoginFailures comparisons are made per lockout window however many
// attempts arrive at once. Every failure before the secret checks out (unknown
// user, no such secret, locked out, wrong) is ErrInvalidCredentials and costs
// one hash.
func (s *Service) login(ctx context.Context, a *Account, method Channel, given string, hashOf func(*Account) string) (Session, error) {
	now := s.clock()
	// A lock seen on the copy read before refuses at once, without a write
	// (reserveLogin checks again under the row lock, so a stale copy can only
	// refuse, never admit).
	if a == nil || hashOf(a) == "" || now.Before(a.LockedUntil) {
		s.burn(ctx, given)
		return Session{}, ErrInvalidCredentials
	}
	acc, err := s.reserveLogin(ctx, a, now)
	if errors.Is(err, errLockedOut) {
		s.burn(ctx, given)
		return Session{}, ErrInvalidCredentials
	}
	if err != nil {
		return Session{}, err
	}
	ok, err := s.verify(ctx, hashOf(&acc), given)
	if err != nil {
		return Session{}, err
	}
	if !ok {
		return Session{}, ErrInvalidCredentials
	}
	return s.open(ctx, &acc, method, now, true)
}

// reserveLogin counts one login attempt of a, atomically, before its secret is
// compared, and returns the account as the reservation left it. An account
// locked at now refuses with errLockedOut and counts nothing. The attempt that
// brings the count to maxLoginFailures locks the account for the lockout
// period (and sets the count back to zero for the window after it).
func (s *Service) reserveLogin(ctx context.Context, a *Account, now time.Time) (Account, error) {
	var acc Account
	_, err := s.store.Change(ctx, a.User.TenantID, a.User.ID, func(ch *Change) error {
		if now.Before(ch.Account.LockedUntil) {
			return errLockedOut
		}
		ch.At = now
		ch.LoginOnly = true
		ch.Account.FailedLogins++
		if ch.Account.FailedLogins >= s.maxLoginFailures {
			ch.Account.FailedLogins = 0
			ch.Account.LockedUntil = now.Add(s.lockout)
			ch.Audit = s.entry(a.User.TenantID, a.User.ID, AuditLocked, a.User.ID, now, "lockedUntil")
		}
		acc = ch.Account
		return nil
	})
	return acc, err
}

// associateActive reports whether u may act as far as its associate goes: it
// has none, or its associate is an active associate of its tenant.
func (s *Service) associateActive(ctx context.Context, u User) (bool, error) {
	if u.AssociateID == "" {
		return true, nil
	}
	return s.associates.AssociateExists(ctx, u.TenantID, u.AssociateID)
}

// open checks the state of a user whose secret checked out and opens a
// session. A user whose associate is no longer active (or no longer names an
// associate of the tenant) is refused with ErrInvalidCredentials, as a wrong
// secret; Authenticate refuses its sessions too, so one opened while the
// associate is being deactivated stops with it. A login that opens a session ends its lockout window: it sets the
// attempt count to zero and lifts the lock. reserved says the attempt was
// reserved (a password or PIN), so the lock was checked then and the one its
// own reservation may have set is lifted; an unreserved login (social) is
// refused while the account is locked.
func (s *Service) open(ctx context.Context, a *Account, method Channel, now time.Time, reserved bool) (Session, error) {
	switch {
	case a.User.State == Blocked:
		return Session{}, ErrBlocked
	case a.User.State != Active:
		return Session{}, ErrInvalidCredentials
	case !a.User.Type.Allows(method):
		return Session{}, ErrWrongChannel
	}
	if ok, err := s.associateActive(ctx, a.User); err != nil || !ok {
		if err == nil {
			err = ErrInvalidCredentials
		}
		return Session{}, err
	}
	token, rec, err := s.newSession(a.User, method, now)
	if err != nil {
		return Session{}, err
	}
	u, err := s.store.Change(ctx, a.User.TenantID, a.User.ID, func(ch *Change) error {
		// The state may have changed since the account was read.
		switch {
		case ch.Account.User.State == Blocked:
			return ErrBlocked
		case ch.Account.User.State != Active, !reserved && now.Before(ch.Account.LockedUntil):
			return ErrInvalidCredentials
		}
		ch.At = now
		ch.LoginOnly = true
		ch.Account.FailedLogins, ch.Account.LockedUntil = 0, time.Time{}
		ch.Session = rec
		ch.Audit = s.entry(a.User.TenantID, a.User.ID, AuditLogin, a.User.ID, now, "session", string(method))
		return nil
	})
	if err != nil {
		return Session{}, err
	}
	return Session{Token: token, ExpiresAt: rec.ExpiresAt, User: u}, nil
}

// LoginSocial logs in with the social account linked at registration.
func (s *Service) LoginSocial(ctx context.Context, in SocialInput) (Session, error) {
	as, err := s.verifySocial(ctx, in)
	if err != nil {
		return Session{}, fmt.Errorf("users: login: %w", err)
	}
	a, err := s.find(ctx, in.TenantID, Key{SocialProvider: as.Provider, SocialSubject: as.Subject})
	if err != nil {
		return Session{}, fmt.Errorf("users: login: %w", err)
	}
	if a == nil {
		return Session{}, fmt.Errorf("users: login: %w", ErrInvalidCredentials)
	}
	sess, err := s.open(ctx, a, ChannelSocial, s.clock(), false)
	if err != nil {
		return Session{}, fmt.Errorf("users: login: %w", err)
	}
	return sess, nil
}

// tokenLen is the length of a session token (32 bytes, base64url).
const tokenLen = 43

// Authenticate returns the principal a session token stands for. It is one
// indexed look-up of the token's SHA-256 digest joined with the user and the
// user's associate and its classification, and a customer's portal access:
// no password hashing. The principal's AssociateID, OfficeID and ScopeMode
// are the associate's as they are now, so a transfer to another office
// applies from the next request, and its PortalAccess is the portal access
// as it is now. An unknown, expired or revoked token,
// one whose user is no longer active (blocked), and one whose user names an
// associate that is inactive (deactivated) or not in the tenant, is
// ErrInvalidSession (ErrUnauthenticated): a deactivation stops the sessions
// of the associate's user at once.
func (s *Service) Authenticate(ctx context.Context, token string) (authz.Principal, error) {
	if len(token) != tokenLen {
		return authz.Principal{}, fmt.Errorf("users: authenticate: %w", ErrInvalidSession)
	}
	sv, err := s.store.SessionByDigest(ctx, secret.Digest(token))
	if errors.Is(err, clientele.ErrNotFound) {
		return authz.Principal{}, fmt.Errorf("users: authenticate: %w", ErrInvalidSession)
	}
	if err != nil {
		return authz.Principal{}, fmt.Errorf("users: authenticate: %w", err)
	}
	if sv.Revoked || sv.State != Active || !s.now().Before(sv.ExpiresAt) || (sv.AssociateID != "" && !sv.AssociateActive) {
		return authz.Principal{}, fmt.Errorf("users: authenticate: %w", ErrInvalidSession)
	}
	s.types.put(sv.TenantID, sv.UserID, sv.Type)
	return authz.Principal{
		TenantID: sv.TenantID, UserID: sv.UserID, Kind: sv.Type.Kind(), Roles: sv.Roles,
		AssociateID: sv.AssociateID, ClientID: sv.ClientID, OfficeID: sv.OfficeID, ScopeMode: sv.ScopeMode,
		PortalAccess: sv.PortalAccess,
	}, nil
}

// AuthenticateTenant is Authenticate for a server that knows which tenant a
// request is for (by host or path): a token of another tenant is
// ErrInvalidSession.
func (s *Service) AuthenticateTenant(ctx context.Context, tenantID, token string) (authz.Principal, error) {
	p, err := s.Authenticate(ctx, token)
	if err != nil {
		return authz.Principal{}, err
	}
	if p.TenantID != tenantID {
		return authz.Principal{}, fmt.Errorf("users: authenticate: %w", ErrInvalidSession)
	}
	return p, nil
}

// Logout revokes the session of token. An unknown token is ErrInvalidSession;
// logging out twice is not an error.
func (s *Service) Logout(ctx context.Context, token string) error {
	if len(token) != tokenLen {
		return fmt.Errorf("users: logout: %w", ErrInvalidSession)
	}
	err := s.store.RevokeSession(ctx, secret.Digest(token), s.clock())
	if errors.Is(err, clientele.ErrNotFound) {
		return fmt.Errorf("users: logout: %w", ErrInvalidSession)
	}
	if err != nil {
		return fmt.Errorf("users: logout: %w", err)
	}
	return nil
}

package users

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/clientele-go/clientele/adapters"
	"github.com/clientele-go/clientele/authz"
	"github.com/clientele-go/clientele/internal/secret"
)

// Authorizer decides whether a principal may perform an operation on a resource:
// nil when allowed, an error wrapping clientele.ErrForbidden otherwise.
// *authz.Authorizer implements it.
type Authorizer interface {
	Authorize(ctx context.Context, p authz.Principal, op authz.Operation, r authz.Resource) error
}

// CatalogueSource gives a tenant's compiled authorization catalogue; the
// service checks every role it stores against it (it exists, it is of the
// user's kind) and checks that the actor may grant it. *authz.Authorizer
// implements it.
type CatalogueSource interface {
	Catalogue(ctx context.Context, tenantID string) (*authz.Catalogue, error)
}

// ClientChecker tells whether a client exists in a tenant: a customer
// (borrower or investor) invitation must name one. It returns false, nil for
// a client that does not exist, belongs to another tenant, or is archived.
// storage's *ClientStore implements it.
type ClientChecker interface {
	ClientExists(ctx context.Context, tenantID, clientID string) (bool, error)
}

// AssociateChecker tells whether an associate exists in a tenant and is
// active: a back-office invitation must name one, and so must a bootstrap
// that names an associate at all. It returns false, nil for an associate that
// does not exist, belongs to another tenant, or is inactive. Login and
// registration ask it too: a user whose associate is no longer active can
// neither log in nor register. storage's
// *AssociateStore implements it.
type AssociateChecker interface {
	AssociateExists(ctx context.Context, tenantID, associateID string) (bool, error)
}

// SocialAssertion is a social login the embedding application has verified
// (OAuth 2.0 / OpenID Connect with Google, Facebook, …): the provider, the
// provider's stable subject identifier, and the account's email.
type SocialAssertion struct {
	Provider      string `json:"provider"`
	Subject       string `json:"subject"`
	Email         string `json:"email"`
	EmailVerified bool   `json:"emailVerified"`
}

// SocialVerifier is implemented by the embedding application: it checks a
// credential a social provider issued (an OIDC ID token, an authorization code
// it exchanges, …) and returns the verified assertion. It returns an error
// wrapping clientele.ErrUnauthenticated for a credential that does not verify,
// and clientele.ErrUnavailable when the provider cannot be reached.
type SocialVerifier interface {
	VerifySocial(ctx context.Context, provider, credential string) (SocialAssertion, error)
}

// SocialVerifierFunc adapts a function to SocialVerifier.
type SocialVerifierFunc func(ctx context.Context, provider, credential string) (SocialAssertion, error)

// VerifySocial calls f.
func (f SocialVerifierFunc) VerifySocial(ctx context.Context, provider, credential string) (SocialAssertion, error) {
	return f(ctx, provider, credential)
}

// Hashing sets the argon2id cost of passwords, PINs and codes.
type Hashing struct {
	MemoryKiB   uint32
	Iterations  uint32
	Parallelism uint8
	// MaxConcurrent caps the hashes running at once (each holds MemoryKiB);
	// 0 means GOMAXPROCS.
	MaxConcurrent int
}

// OWASPHashing is the default: 19 MiB, 2 iterations, 1 lane (the OWASP password
// storage cheat sheet), about 30 ms per hash on a current core.
func OWASPHashing() Hashing {
	p := secret.OWASP()
	return Hashing{MemoryKiB: p.MemoryKiB, Iterations: p.Iterations, Parallelism: p.Parallelism}
}

// InsecureTestHashing costs almost nothing, so test suites stay fast. Never use
// it in production: its hashes resist no attack.
func InsecureTestHashing() Hashing {
	p := secret.Cheap()
	return Hashing{MemoryKiB: p.MemoryKiB, Iterations: p.Iterations, Parallelism: p.Parallelism}
}

// Defaults of the options.
const (
	DefaultSessionTTL       = 12 * time.Hour
	DefaultEmailCodeTTL     = 24 * time.Hour
	DefaultSMSCodeTTL       = 10 * time.Minute
	DefaultTicketTTL        = 10 * time.Minute
	DefaultLockout          = 15 * time.Minute
	MaxCodeAttempts         = 5
	DefaultMaxLoginFailures = 5
)

// Service runs user accounts: bootstrap, invitation, registration, login,
// sessions, blocking and listing. Administrative methods take the acting
// principal and authorize it before they do anything; the registration, login
// and session methods are public by nature and authenticate by the secret they
// are given. A Service is safe for concurrent use.
type Service struct {
	store  Store
	az     Authorizer
	msg    adapters.Messaging
	ident  adapters.Identity
	hasher *secret.Hasher

	cats       CatalogueSource
	clients    ClientChecker
	associates AssociateChecker
	social     SocialVerifier
	now        func() time.Time

	hashing          Hashing
	sessionTTL       time.Duration
	emailCodeTTL     time.Duration
	smsCodeTTL       time.Duration
	ticketTTL        time.Duration
	lockout          time.Duration
	maxLoginFailures int
	portalURL        string

	// observe, when set, is called before every hash check with whether there
	// is a real hash to check against (false: a dummy check that only burns the
	// same work). Only the package's tests set it (export_test.go), to count
	// comparisons and to hold one back.
	observe func(ctx context.Context, real bool, given string)

	types userTypes // the type of each user seen lately (IsNodeOperator)
}

// Option configures a Service.
type Option func(*Service)

// WithClock sets the clock (tests inject one to expire codes and sessions).
func WithClock(now func() time.Time) Option { return func(s *Service) { s.now = now } }

// WithHashing sets the argon2id cost (default OWASPHashing).
func WithHashing(h Hashing) Option { return func(s *Service) { s.hashing = h } }

// WithSessionTTL sets how long a session lasts (default 12 h).
func WithSessionTTL(d time.Duration) Option { return func(s *Service) { s.sessionTTL = d } }

// WithCodeTTL sets how long invitation codes last: by email (default and
// maximum 24 h) and by SMS (default and maximum 10 min).
func WithCodeTTL(email, sms time.Duration) Option {
	return func(s *Service) { s.emailCodeTTL, s.smsCodeTTL = email, sms }
}

// WithLockout sets how many password or PIN attempts a lockout window allows
// (default 5; the attempt that reaches it locks the account) and how long the
// lock lasts (default 15 min). See the package documentation, "Attempt limits".
func WithLockout(failures int, d time.Duration) Option {
	return func(s *Service) { s.maxLoginFailures, s.lockout = failures, d }
}

// WithPortalURL sets the link to the portal's sign-up page that email
// invitations carry.
func WithPortalURL(u string) Option { return func(s *Service) { s.portalURL = u } }

// WithSocialVerifier enables social registration and login.
func WithSocialVerifier(v SocialVerifier) Option { return func(s *Service) { s.social = v } }

// New returns a Service over store, authorizing administrative calls with az,
// checking roles against the catalogues of cats, customer invitations against
// the clients of clientsOf and back-office ones (and logins) against the
// associates of associatesOf, sending invitations through msg and creating
// borrowers' DIDs through ident (both from the outbox handlers of
// Service.Handlers, after commit). Every argument is required.
func New(store Store, az Authorizer, cats CatalogueSource, clientsOf ClientChecker, associatesOf AssociateChecker, msg adapters.Messaging, ident adapters.Identity, opts ...Option) (*Service, error) {
	switch {
	case store == nil:
		return nil, errors.New("users: New: store is nil")
	case az == nil:
		return nil, errors.New("users: New: authorizer is nil")
	case cats == nil:
		return nil, errors.New("users: New: catalogue source is nil")
	case clientsOf == nil:
		return nil, errors.New("users: New: client checker is nil")
	case associatesOf == nil:
		return nil, errors.New("users: New: associate checker is nil")
	case msg == nil:
		return nil, errors.New("users: New: messaging is nil")
	case ident == nil:
		return nil, errors.New("users: New: identity is nil")
	}
	s := &Service{
		store: store, az: az, cats: cats, clients: clientsOf, associates: associatesOf, msg: msg, ident: ident, now: time.Now,
		hashing: OWASPHashing(), sessionTTL: DefaultSessionTTL,
		emailCodeTTL: DefaultEmailCodeTTL, smsCodeTTL: DefaultSMSCodeTTL, ticketTTL: DefaultTicketTTL,
		lockout: DefaultLockout, maxLoginFailures: DefaultMaxLoginFailures,
	}
	for _, o := range opts {
		o(s)
	}
	switch {
	case s.now == nil:
		return nil, errors.New("users: New: clock is nil")
	case s.sessionTTL <= 0:
		return nil, errors.New("users: New: session TTL must be positive")
	case s.emailCodeTTL <= 0 || s.emailCodeTTL > DefaultEmailCodeTTL:
		return nil, errors.New("users: New: email code TTL must be in (0, 24h]")
	case s.smsCodeTTL <= 0 || s.smsCodeTTL > DefaultSMSCodeTTL:
		return nil, errors.New("users: New: SMS code TTL must be in (0, 10m]")
	case s.maxLoginFailures < 1 || s.lockout <= 0:
		return nil, errors.New("users: New: lockout needs at least 1 failure and a positive duration")
	}
	h, err := secret.NewHasher(secret.Params{
		MemoryKiB: s.hashing.MemoryKiB, Iterations: s.hashing.Iterations, Parallelism: s.hashing.Parallelism,
	}, s.hashing.MaxConcurrent)
	if err != nil {
		return nil, fmt.Errorf("users: New: %w", err)
	}
	s.hasher = h
	return s, nil
}

// clock returns the current time as stored: UTC, microseconds.
func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

package users

import (
	"fmt"

	"github.com/clientele-go/clientele"
)

// The errors of the unauthenticated flows. Each wraps a root kind. None says
// whether an account exists to someone who cannot prove they hold it: an unknown
// email or phone and a wrong, expired, raced or locked-out secret give the same
// error, and the more specific ones (blocked, wrong channel) come only after the
// secret checked out.
var (
	// ErrInvalidCredentials: unknown user, wrong password or PIN, an account
	// locked after too many attempts, or an attempt refused because its lockout
	// window is spent. Every one of these gives this same error after the same
	// hashing work. Wraps clientele.ErrUnauthenticated.
	ErrInvalidCredentials = fmt.Errorf("invalid credentials: %w", clientele.ErrUnauthenticated)
	// ErrInvalidCode: unknown user, wrong, used or expired code, a code out of
	// attempts, or a right code that lost the race to a concurrent success.
	// Every one of these gives this same error after the same hashing work.
	// Wraps clientele.ErrUnauthenticated.
	ErrInvalidCode = fmt.Errorf("invalid code (wrong, used, expired, or locked after too many attempts): %w", clientele.ErrUnauthenticated)
	// ErrCodeExpired: a verified social account matches an invitation whose
	// code has expired (RegisterSocial only; a code that is typed in and has
	// expired is ErrInvalidCode); ask for a new invitation. Wraps
	// clientele.ErrUnauthenticated.
	ErrCodeExpired = fmt.Errorf("code expired: %w", clientele.ErrUnauthenticated)
	// ErrInvalidSession: no such session, expired, revoked, of another tenant,
	// or its user is no longer active. Wraps clientele.ErrUnauthenticated.
	ErrInvalidSession = fmt.Errorf("invalid or expired session: %w", clientele.ErrUnauthenticated)
	// ErrWrongChannel: the user's type does not register or log in through this
	// channel (seed 003). Wraps clientele.ErrForbidden.
	ErrWrongChannel = fmt.Errorf("channel not allowed for this user type: %w", clientele.ErrForbidden)
	// ErrBlocked: the user is blocked. Wraps clientele.ErrForbidden.
	ErrBlocked = fmt.Errorf("user is blocked: %w", clientele.ErrForbidden)
	// ErrSocialUnavailable: no SocialVerifier is configured. Wraps
	// clientele.ErrPrecondition.
	ErrSocialUnavailable = fmt.Errorf("social login is not configured: %w", clientele.ErrPrecondition)
)

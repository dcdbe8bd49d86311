package clientele

import (
	"errors"
	"fmt"
	"strings"
)

// The error kinds every package of the library wraps. Callers test for them with
// errors.Is; only the embedding application (examples/server here) maps them to
// transport status codes.
var (
	// ErrNotFound: the entity does not exist in the caller's tenant.
	ErrNotFound = errors.New("not found")
	// ErrInvalid: the input breaks a rule. Field problems come as *ValidationError.
	ErrInvalid = errors.New("invalid input")
	// ErrConflict: the change collides with the current state (duplicate reference,
	// stale version, idempotency key reused with a different request).
	ErrConflict = errors.New("conflict")
	// ErrForbidden: the principal is not allowed to do this.
	ErrForbidden = errors.New("forbidden")
	// ErrUnauthenticated: no valid credentials or session.
	ErrUnauthenticated = errors.New("unauthenticated")
	// ErrPrecondition: the entity is not in a state that allows the operation
	// (for example an illegal state transition, or a loan with an outstanding balance).
	ErrPrecondition = errors.New("precondition failed")
	// ErrUnavailable: a backing system (adapter, database) is down or timed out.
	// Retrying later may succeed.
	ErrUnavailable = errors.New("unavailable")
	// ErrPortalDisabled: the tenant has switched the client self-service portal off.
	ErrPortalDisabled = errors.New("client portal disabled")
)

// kinds lists the sentinels in the order Kind tests them.
var kinds = []error{
	ErrNotFound, ErrInvalid, ErrConflict, ErrForbidden, ErrUnauthenticated,
	ErrPrecondition, ErrUnavailable, ErrPortalDisabled,
}

// Kind returns the sentinel error kind err wraps, or nil when it wraps none.
func Kind(err error) error {
	for _, k := range kinds {
		if errors.Is(err, k) {
			return k
		}
	}
	return nil
}

// FieldError is one problem with one input field. Field is the JSON name of the
// field as the caller sent it (dotted for nested fields, e.g. "individual.phone").
type FieldError struct {
	Field   string `json:"field"`
	Rule    string `json:"rule"`
	Message string `json:"message"`
}

func (f FieldError) String() string {
	if f.Message != "" {
		return f.Field + ": " + f.Message
	}
	return f.Field + ": fails " + f.Rule
}

// ValidationError lists every field problem of one input. It unwraps to ErrInvalid.
type ValidationError struct {
	Problems []FieldError
}

// NewValidationError returns a *ValidationError holding one problem.
func NewValidationError(field, rule, message string) *ValidationError {
	return &ValidationError{Problems: []FieldError{{Field: field, Rule: rule, Message: message}}}
}

// Add appends a problem.
func (e *ValidationError) Add(field, rule, message string) {
	e.Problems = append(e.Problems, FieldError{Field: field, Rule: rule, Message: message})
}

// OrNil returns e when it holds a problem and nil otherwise, so a validator can
// collect problems and return the result in one line.
func (e *ValidationError) OrNil() error {
	if e == nil || len(e.Problems) == 0 {
		return nil
	}
	return e
}

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.String()
	}
	return fmt.Sprintf("invalid input: %s", strings.Join(parts, "; "))
}

// Unwrap makes errors.Is(err, ErrInvalid) true.
func (e *ValidationError) Unwrap() error { return ErrInvalid }

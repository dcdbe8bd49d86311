package adaptertest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/adapters"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// callTimeout bounds every suite call, so a hanging implementation fails instead of
// stalling the test binary.
const callTimeout = 20 * time.Second

func ctxFor(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), callTimeout)
	t.Cleanup(cancel)
	return ctx
}

func cancelled(t *testing.T) context.Context {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	return ctx
}

// awkward is part of every tenant and identifier the suites choose: a space, a
// slash, a percent sign, an already escaped slash, non-ASCII letters, a query and
// a fragment mark. An implementation that carries identifiers in URLs, file names
// or keys must pass them through unchanged, or it answers "not found" for a record
// it holds — the false answer that makes a saga create something twice.
const awkward = "a b/c%2F100% ü-ñ?x#y"

func newTenant() string { return "tenant " + awkward + " " + uuid.NewString() }
func newKey() string    { return "key-" + uuid.NewString() }
func newID() string     { return awkward + " " + uuid.NewString() }

// requireKind fails unless err wraps kind.
func requireKind(t *testing.T, err, kind error, msgAndArgs ...any) {
	t.Helper()
	require.Error(t, err, msgAndArgs...)
	require.ErrorIs(t, err, kind, msgAndArgs...)
}

// requireInvalidField fails unless err is a *clientele.ValidationError naming field.
func requireInvalidField(t *testing.T, err error, field string) {
	t.Helper()
	requireKind(t, err, clientele.ErrInvalid)
	var ve *clientele.ValidationError
	require.ErrorAs(t, err, &ve, "an invalid request must fail with a *clientele.ValidationError")
	var fields []string
	for _, p := range ve.Problems {
		fields = append(fields, p.Field)
	}
	assert.Contains(t, fields, field, "the validation error must name the field")
}

// requireCancelled fails unless err reports the context's cancellation.
func requireCancelled(t *testing.T, err error) {
	t.Helper()
	require.Error(t, err, "a call with a cancelled context must fail")
	assert.True(t, errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded),
		"want the context's error, got %v", err)
}

// skipUnsupported skips the test when err says an optional ability is missing.
func skipUnsupported(t *testing.T, err error, what string) {
	t.Helper()
	if errors.Is(err, adapters.ErrNotSupported) {
		t.Skipf("%s not supported: %v", what, err)
	}
}

func individual(first, last string) adapters.Profile {
	return adapters.Profile{
		Type: adapters.Individual, FirstName: first, LastName: last, Reference: "REF-" + last,
		Email: first + "@example.com", Phone: "+254700000001", DateOfBirth: "1990-01-02",
		Attributes: map[string]string{"segment": "retail"},
	}
}

func corporate(name string) adapters.Profile {
	return adapters.Profile{Type: adapters.Corporate, LegalName: name, RegistrationNumber: "C-" + name, Email: "ops@example.com"}
}

// parallel runs n functions concurrently and waits for them.
func parallel(n int, f func(i int)) {
	done := make(chan struct{})
	for i := range n {
		go func() {
			defer func() { done <- struct{}{} }()
			f(i)
		}()
	}
	for range n {
		<-done
	}
}

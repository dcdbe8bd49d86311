package memory

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/idempotency"
	"github.com/google/uuid"
)

// keyLog is a fake's own idempotency store: the external system it stands
// for keeps one of its own, so this is not the library's mechanism (package
// storage) but a map, remembered for the fake's lifetime, of the result of
// every change by tenant, operation and key. It compares requests with the
// library's one request hash, idempotency.Hash. Callers hold the fake's mutex,
// so a check and its change are one step, and a concurrent duplicate waits for
// the first and replays it, as the adapter contract asks.
type keyLog struct {
	entries map[string]idemEntry
}

type idemEntry struct {
	requestHash string
	result      any
}

// replay returns the remembered result of (tenant, op, key) when requestHash
// matches the first request's, ErrConflict when it does not, and ok=false when
// the key is new.
func replay[T any](s *keyLog, tenant, op, key, requestHash string, clone func(T) T) (T, bool, error) {
	var zero T
	e, ok := s.entries[tenant+"\x00"+op+"\x00"+key]
	if !ok {
		return zero, false, nil
	}
	if e.requestHash != requestHash {
		return zero, true, fmt.Errorf("memory: %s: idempotency key was used for a different request: %w", op, clientele.ErrConflict)
	}
	return clone(e.result.(T)), true, nil
}

func remember[T any](s *keyLog, tenant, op, key, requestHash string, result T) {
	if s.entries == nil {
		s.entries = map[string]idemEntry{}
	}
	s.entries[tenant+"\x00"+op+"\x00"+key] = idemEntry{requestHash: requestHash, result: result}
}

func same[T any](v T) T { return v }

func cloneSlice[T any](in []T, clone func(T) T) []T {
	out := make([]T, len(in))
	for i, v := range in {
		out[i] = clone(v)
	}
	return out
}

func newID() string { return uuid.Must(uuid.NewV7()).String() }

func tk(tenant, id string) string { return tenant + "\x00" + id }

type validator interface{ Validate() error }

// mutate runs one change of a fake: the fault switch, validation, then under mu an
// idempotent replay or fn, whose result is remembered under the key. Values are
// copied with clone on the way in and out.
func mutate[T any](ctx context.Context, cfg config, mu *sync.Mutex, idem *keyLog, op, tenantID, key string,
	req validator, clone func(T) T, fn func(now time.Time) (T, error)) (T, error) {
	var zero T
	if err := cfg.faults.before(ctx, op); err != nil {
		return zero, err
	}
	if err := req.Validate(); err != nil {
		return zero, err
	}
	hash, err := idempotency.Hash(req)
	if err != nil {
		return zero, fmt.Errorf("memory: %s: %w", op, err)
	}
	mu.Lock()
	defer mu.Unlock()
	if v, ok, err := replay(idem, tenantID, op, key, hash, clone); ok {
		return v, err
	}
	v, err := fn(cfg.timestamp())
	if err != nil {
		return zero, err
	}
	remember(idem, tenantID, op, key, hash, clone(v))
	return clone(v), nil
}

// read runs one read of a fake: the fault switch, the check of its arguments, then
// fn under mu.
func read[T any](ctx context.Context, cfg config, mu *sync.Mutex, op string, check error, fn func() (T, error)) (T, error) {
	var zero T
	if err := cfg.faults.before(ctx, op); err != nil {
		return zero, err
	}
	if check != nil {
		return zero, check
	}
	mu.Lock()
	defer mu.Unlock()
	return fn()
}

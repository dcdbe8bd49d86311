package memory

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/clientele-go/clientele"
)

// Faults is a switch for added latency and injected failures, shared by any number
// of fakes (WithFaults). The zero value is not usable; call NewFaults. A *Faults is
// safe for concurrent use and can be flipped while calls are in flight.
type Faults struct {
	mu      sync.Mutex
	latency time.Duration
	all     error
	nth     int
	nthErr  error
	ops     map[string]error
	calls   int
}

// NewFaults returns a switch with no latency and no failures.
func NewFaults() *Faults { return &Faults{ops: map[string]error{}} }

// SetLatency adds d before every call (0 removes it). The wait ends early, with the
// context's error, when the call's context ends.
func (f *Faults) SetLatency(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.latency = d
}

// FailAll makes every call fail with an error wrapping kind (nil stops it).
func (f *Faults) FailAll(kind error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.all = kind
}

// FailEveryNth makes every nth call (counted across all fakes sharing f, from
// now on) fail with an error wrapping kind; n <= 0 or a nil kind stops it.
func (f *Faults) FailEveryNth(n int, kind error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if n <= 0 || kind == nil {
		f.nth, f.nthErr = 0, nil
		return
	}
	f.nth, f.nthErr, f.calls = n, kind, 0
}

// FailOperation makes every call of the named method ("Transfer", "Send", …) fail
// with an error wrapping kind; a nil kind stops it.
func (f *Faults) FailOperation(op string, kind error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if kind == nil {
		delete(f.ops, op)
		return
	}
	f.ops[op] = kind
}

// Reset removes all latency and failures.
func (f *Faults) Reset() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.latency, f.all, f.nth, f.nthErr, f.calls = 0, nil, 0, nil, 0
	f.ops = map[string]error{}
}

// InjectedError is the error a fake returns for an injected failure. It unwraps to
// the chosen kind.
type InjectedError struct {
	Op   string
	Kind error
}

func (e *InjectedError) Error() string {
	return fmt.Sprintf("memory: %s: injected fault: %v", e.Op, e.Kind)
}

// Unwrap returns the kind.
func (e *InjectedError) Unwrap() error { return e.Kind }

// before runs at the start of every call of op: it waits the added latency and
// returns the context's error or an injected failure.
func (f *Faults) before(ctx context.Context, op string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	f.mu.Lock()
	latency := f.latency
	var injected error
	switch {
	case f.ops[op] != nil:
		injected = f.ops[op]
	case f.all != nil:
		injected = f.all
	}
	if f.nth > 0 {
		f.calls++
		if f.calls%f.nth == 0 && injected == nil {
			injected = f.nthErr
		}
	}
	f.mu.Unlock()
	if latency > 0 {
		t := time.NewTimer(latency)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
	if injected != nil {
		return &InjectedError{Op: op, Kind: injected}
	}
	return nil
}

// Option configures a fake.
type Option func(*config)

type config struct {
	faults *Faults
	now    func() time.Time
}

// WithFaults makes the fake obey f (a nil f is ignored).
func WithFaults(f *Faults) Option {
	return func(c *config) {
		if f != nil {
			c.faults = f
		}
	}
}

// WithClock makes the fake read the time from now (a nil now is ignored).
func WithClock(now func() time.Time) Option {
	return func(c *config) {
		if now != nil {
			c.now = now
		}
	}
}

func newConfig(opts []Option) config {
	c := config{faults: NewFaults(), now: time.Now}
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	return c
}

func (c config) timestamp() time.Time { return c.now().UTC().Round(time.Microsecond) }

func notFound(what, id string) error {
	return fmt.Errorf("memory: %s %q: %w", what, id, clientele.ErrNotFound)
}

package storage

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/internal/testkit"
)

// testBatcher doubles ints; an item < 0 fails the statement it is in. It
// records the statements: how many ran at once, and what each carried.
type testBatcher struct {
	batcher[int, int]
	inFlight, most atomic.Int64
	mu             sync.Mutex
	statements     [][]int
}

func newTestBatcher(key func(int) string) *testBatcher {
	tb := &testBatcher{}
	tb.batcher = batcher[int, int]{key: key, run: func(ctx context.Context, items []int) ([]int, error) {
		n := tb.inFlight.Add(1)
		defer tb.inFlight.Add(-1)
		for m := tb.most.Load(); n > m && !tb.most.CompareAndSwap(m, n); m = tb.most.Load() {
		}
		tb.mu.Lock()
		tb.statements = append(tb.statements, append([]int(nil), items...))
		tb.mu.Unlock()
		time.Sleep(2 * time.Millisecond) // a statement takes a while: others queue
		out := make([]int, len(items))
		for i, it := range items {
			if it < 0 {
				return nil, fmt.Errorf("item %d refused", it)
			}
			out[i] = 2 * it
		}
		return out, nil
	}}
	return tb
}

// burst calls tb.do with each item at once and returns the results and errors.
func (tb *testBatcher) burst(items []int) ([]int, []error) {
	res, errs := make([]int, len(items)), make([]error, len(items))
	testkit.Together(len(items), func(i int) { res[i], errs[i] = tb.do(context.Background(), items[i]) })
	return res, errs
}

// TestBatcherGroupsConcurrentCalls: 200 concurrent calls each get their own
// result; one statement runs at a time, and calls that queued behind it
// share the next.
func TestBatcherGroupsConcurrentCalls(t *testing.T) {
	tb := newTestBatcher(nil)
	items := make([]int, 200)
	for i := range items {
		items[i] = i + 1
	}
	res, errs := tb.burst(items)
	for i := range items {
		require.NoError(t, errs[i])
		assert.Equal(t, 2*items[i], res[i])
	}
	assert.Equal(t, int64(1), tb.most.Load(), "one statement at a time")
	seen, widest := 0, 0
	for _, st := range tb.statements {
		seen += len(st)
		widest = max(widest, len(st))
		assert.LessOrEqual(t, len(st), batchMax)
	}
	assert.Equal(t, len(items), seen, "every call in exactly one statement")
	assert.Greater(t, widest, 1, "calls that queued shared a statement")
	t.Logf("%d statements for %d calls, the widest %d", len(tb.statements), seen, widest)

	// Alone, a call runs at once, by itself.
	tb.statements = nil
	got, err := tb.do(context.Background(), 21)
	require.NoError(t, err)
	assert.Equal(t, 42, got)
	assert.Equal(t, [][]int{{21}}, tb.statements)
}

// TestBatcherKeepsKeysApart: calls with one key never share a statement.
func TestBatcherKeepsKeysApart(t *testing.T) {
	tb := newTestBatcher(func(i int) string { return fmt.Sprint(i % 3) })
	items := make([]int, 60)
	for i := range items {
		items[i] = i + 1
	}
	_, errs := tb.burst(items)
	for _, err := range errs {
		require.NoError(t, err)
	}
	for _, st := range tb.statements {
		keys := map[int]bool{}
		for _, it := range st {
			assert.False(t, keys[it%3], "key %d twice in %v", it%3, st)
			keys[it%3] = true
		}
	}
}

// TestBatcherIsolatesAFailure: a call that makes its statement fail fails
// alone; the others in that statement are tried again without it.
func TestBatcherIsolatesAFailure(t *testing.T) {
	tb := newTestBatcher(nil)
	items := make([]int, 50)
	for i := range items {
		items[i] = i + 1
	}
	items[7], items[31] = -1, -2
	res, errs := tb.burst(items)
	for i, it := range items {
		if it < 0 {
			assert.Error(t, errs[i])
			continue
		}
		require.NoError(t, errs[i], "item %d", it)
		assert.Equal(t, 2*it, res[i])
	}
	assert.Equal(t, int64(1), tb.most.Load())
}

// TestBatcherOutlivesItsCallersContext: a call whose ctx ends while it
// waits, or while its statement runs, still gets its statement's result:
// once queued, an item is written.
func TestBatcherOutlivesItsCallersContext(t *testing.T) {
	tb := newTestBatcher(nil)
	ctx, cancel := context.WithCancel(context.Background())
	var ran atomic.Bool
	tb.run = func(ctx context.Context, items []int) ([]int, error) {
		cancel()
		if ctx.Err() != nil {
			return nil, errors.New("the statement saw the caller's cancellation")
		}
		ran.Store(true)
		return items, nil
	}
	got, err := tb.do(ctx, 5)
	require.NoError(t, err)
	assert.Equal(t, 5, got)
	assert.True(t, ran.Load())
}

// TestBatcherSurvivesAPanic: a statement that panics fails its calls (each
// tried again alone, so only the culprit fails) and the batcher goes on.
func TestBatcherSurvivesAPanic(t *testing.T) {
	tb := newTestBatcher(nil)
	run := tb.run
	tb.run = func(ctx context.Context, items []int) ([]int, error) {
		for _, it := range items {
			if it == 0 {
				panic("zero")
			}
		}
		return run(ctx, items)
	}
	items := []int{1, 2, 0, 4, 5, 6}
	res, errs := tb.burst(items)
	for i, it := range items {
		if it == 0 {
			assert.ErrorContains(t, errs[i], "zero")
			continue
		}
		require.NoError(t, errs[i])
		assert.Equal(t, 2*it, res[i])
	}
	got, err := tb.do(context.Background(), 7)
	require.NoError(t, err, "the batcher is not stuck")
	assert.Equal(t, 14, got)
}

// TestBatcherDoesNotRetryAnOutage: when the database could not run a
// statement, its calls all get that error at once, without a statement
// each.
func TestBatcherDoesNotRetryAnOutage(t *testing.T) {
	tb := newTestBatcher(nil)
	var statements atomic.Int64
	gate := make(chan struct{})
	tb.run = func(ctx context.Context, items []int) ([]int, error) {
		if statements.Add(1) == 1 {
			<-gate // the first statement holds the batcher while the rest queue
			return items, nil
		}
		return nil, fmt.Errorf("connection lost: %w", clientele.ErrUnavailable)
	}
	first := make(chan error, 1)
	go func() { _, err := tb.do(context.Background(), 1); first <- err }()
	for statements.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	var queued sync.WaitGroup
	errs := make([]error, 10)
	for i := range errs {
		queued.Add(1)
		go func() { defer queued.Done(); _, errs[i] = tb.do(context.Background(), i+2) }()
	}
	for queuedNow := 0; queuedNow < len(errs); time.Sleep(time.Millisecond) {
		tb.batcher.mu.Lock()
		queuedNow = len(tb.queue)
		tb.batcher.mu.Unlock()
	}
	close(gate)
	require.NoError(t, <-first)
	queued.Wait()
	for _, err := range errs {
		assert.ErrorIs(t, err, clientele.ErrUnavailable)
	}
	assert.Equal(t, int64(2), statements.Load(), "one statement for the ten queued, none per call after the outage")
}

package dbtest

import (
	"context"
	"testing"
	"time"

	"github.com/clientele-go/clientele/outbox"
	"github.com/clientele-go/clientele/storage"
)

// StartDispatcher starts a dispatcher of handlers on db that polls every few
// milliseconds and retries after 10–20 ms, and stops it when the test ends;
// opts come after those defaults.
func StartDispatcher(t testing.TB, db *storage.DB, handlers outbox.Handlers, opts ...storage.DispatcherOption) *storage.Dispatcher {
	t.Helper()
	opts = append([]storage.DispatcherOption{
		storage.WithPolling(5*time.Millisecond, time.Millisecond),
		storage.WithBackoff(10*time.Millisecond, 20*time.Millisecond),
		storage.WithSweep(20 * time.Millisecond),
	}, opts...)
	d, err := db.NewDispatcher(handlers, opts...)
	if err != nil {
		t.Fatalf("dbtest: dispatcher: %v", err)
	}
	if err := d.Start(context.Background()); err != nil {
		t.Fatalf("dbtest: start dispatcher: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = d.Stop(ctx)
	})
	return d
}

// Pending counts the effects of every tenant of db not yet delivered, parked
// or skipped.
func Pending(t testing.TB, db *storage.DB) int {
	t.Helper()
	var n int
	err := db.SQL().QueryRowContext(context.Background(),
		"SELECT count(*) FROM clientele_effects WHERE status = '"+string(outbox.Pending)+"'").Scan(&n)
	if err != nil {
		t.Fatalf("dbtest: count pending effects: %v", err)
	}
	return n
}

// Drain waits until db has no pending effect, the dispatcher the test started
// (StartDispatcher) having delivered, parked or skipped every one, and fails
// the test after 15 s.
func Drain(t testing.TB, db *storage.DB) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for Pending(t, db) > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("dbtest: %d effects still pending after 15 s", Pending(t, db))
		}
		time.Sleep(2 * time.Millisecond)
	}
}

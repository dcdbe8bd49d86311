package storage

import (
	"context"
	"time"
)

// Translate exposes translate to the external tests, which provoke real driver
// errors through dbtest's stores.
var Translate = translate

// PruneEffects exposes the dispatcher's hourly pruning to the tests.
func (db *DB) PruneEffects(ctx context.Context, cutoff time.Time) (int64, error) {
	return db.pruneEffects(ctx, cutoff)
}

// SetClock sets the clock idempotency keys are stamped, judged and pruned by
// (time.Now by default). Call it only while no other goroutine uses db.
func (db *DB) SetClock(now func() time.Time) { db.clock = now }

// SessionQuery is Authenticate's look-up as the dialect sends it, for plans.
func (db *DB) SessionQuery() string {
	if db.dialect == Postgres {
		return sessionQuery + "$1"
	}
	return sessionQuery + "?"
}

// SetScopeDriveMax sets the size of a subtree from which a list walks the
// clients (scopeDriveMax by default; 0: always). Call it only while no other
// goroutine uses db.
func (db *DB) SetScopeDriveMax(n int) { db.driveMax = n }

package storage

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"time"

	"github.com/uptrace/bun"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/idempotency"
)

// The one idempotency mechanism (package idempotency) on the one table,
// idempotency_keys: clients' and users' creates and the Persistence adapter's
// changes all go through claimKey and recordKey, in the change's transaction.

type idempotencyRow struct {
	bun.BaseModel `bun:"table:idempotency_keys"`

	TenantID    string    `bun:"tenant_id,pk"`
	Principal   string    `bun:"principal,pk"`
	Operation   string    `bun:"operation,pk"`
	Key         string    `bun:"key,pk"`
	RequestHash string    `bun:"request_hash"`
	Result      string    `bun:"result"`
	CreatedAt   time.Time `bun:"created_at"`
}

// keyReplay reports that an idempotency key was already used for the same
// request: the caller returns the stored result instead of changing anything.
// It travels as an error so that the transaction writes nothing.
type keyReplay struct{ result string }

func (k *keyReplay) Error() string { return "storage: idempotent request replayed" }

// Errors of the mechanism. They name the idempotency key as a concept, never
// the caller's key or a table.
var (
	errKeyReused     = fmt.Errorf("idempotency key was used for a different request: %w", clientele.ErrConflict)
	errKeyInProgress = fmt.Errorf("a request with this idempotency key is in progress; retry later: %w", clientele.ErrConflict)
)

// keyWait says what claimKey does on PostgreSQL when the key is held by a
// request still in flight.
type keyWait bool

const (
	// answerInProgress: fail at once with errKeyInProgress (creates).
	answerInProgress keyWait = false
	// waitThenReplay: wait for the first request to finish, then replay it (the
	// Persistence adapter, whose contract has concurrent duplicates succeed).
	waitThenReplay keyWait = true
)

// now is the clock of idempotency keys.
func (db *DB) now() time.Time {
	if db.clock != nil {
		return db.clock().UTC().Truncate(time.Microsecond)
	}
	return time.Now().UTC().Truncate(time.Microsecond)
}

// claimKey looks up k for tenantID inside tx before the change runs:
//   - recorded with the same request hash: a *keyReplay carrying the result;
//   - recorded with another hash: errKeyReused (ErrConflict);
//   - recorded more than idempotency.TTL ago: the old record is deleted and the
//     request is new;
//   - not recorded: nil; the caller makes its change and calls recordKey.
//
// On PostgreSQL claimKey first takes a transaction-scoped advisory lock on the
// key, held until tx ends, so that two transactions never work on one key at
// once: with answerInProgress a key locked by a request still in flight fails
// at once with errKeyInProgress; with waitThenReplay it waits for that request
// and then sees its record. SQLite transactions take the database's write lock
// at BEGIN, so a duplicate only starts once the first has committed, and
// replays it.
func (db *DB) claimKey(ctx context.Context, tx bun.Tx, tenantID string, k idempotency.Key, wait keyWait) error {
	if db.dialect == Postgres {
		if err := lockKey(ctx, tx, tenantID, k, wait); err != nil {
			return err
		}
	}
	var row idempotencyRow
	err := tx.NewSelect().Model(&row).
		Where("tenant_id = ?", tenantID).Where("principal = ?", k.Principal).
		Where("operation = ?", k.Operation).Where("key = ?", k.Value).
		Scan(ctx)
	switch {
	case errors.Is(translate(err), clientele.ErrNotFound):
		return nil
	case err != nil:
		return translate(err)
	case row.CreatedAt.Before(db.now().Add(-idempotency.TTL)):
		if _, err := tx.NewDelete().Model(&row).WherePK().Exec(ctx); err != nil {
			return translate(err)
		}
		return nil
	case row.RequestHash != k.RequestHash:
		return errKeyReused
	}
	return &keyReplay{result: row.Result}
}

// lockKey takes the advisory lock of k on PostgreSQL (see claimKey).
func lockKey(ctx context.Context, tx bun.Tx, tenantID string, k idempotency.Key, wait keyWait) error {
	id := keyLock(tenantID, k)
	if wait {
		_, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(?)", id)
		return translate(err)
	}
	var got bool
	if err := tx.QueryRowContext(ctx, "SELECT pg_try_advisory_xact_lock(?)", id).Scan(&got); err != nil {
		return translate(err)
	}
	if !got {
		return errKeyInProgress
	}
	return nil
}

// keyLock is the advisory lock of k: one 64-bit lock per key. Two keys
// sharing a hash would only make one wait for, or be told to retry after,
// the other.
func keyLock(tenantID string, k idempotency.Key) int64 {
	return advisoryKey(tenantID, k.Principal, k.Operation, k.Value)
}

// advisoryKey is the PostgreSQL advisory lock of what parts name: FNV-1a of
// the parts, each prefixed with its length, so no two lists of parts run
// together into one string.
func advisoryKey(parts ...string) int64 {
	h := fnv.New64a()
	for _, part := range parts {
		_, _ = fmt.Fprintf(h, "%d:%s", len(part), part)
	}
	return int64(h.Sum64())
}

// recordKey stores k with result in tx, after the change claimKey let through.
// A unique violation means another transaction recorded the key after our
// look-up (possible only outside claimKey's lock, e.g. a caller's transaction
// at REPEATABLE READ): it is answered as in progress.
func (db *DB) recordKey(ctx context.Context, tx bun.Tx, tenantID string, k idempotency.Key, result string) error {
	row := db.keyRow(tenantID, k, result)
	if _, err := tx.NewInsert().Model(&row).Exec(ctx); err != nil {
		if uniqueViolation(err) != "" {
			return errKeyInProgress
		}
		return translate(err)
	}
	return nil
}

// pruneKeys deletes the idempotency keys recorded more than idempotency.TTL
// before now. The dispatcher's prune job calls it hourly.
func (db *DB) pruneKeys(ctx context.Context, now time.Time) (int64, error) {
	res, err := db.bun.NewDelete().Model((*idempotencyRow)(nil)).
		Where("created_at < ?", now.UTC().Add(-idempotency.TTL)).Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("storage: prune idempotency keys: %w", translate(err))
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// keyRow is the record of k for tenantID, made now, with result.
func (db *DB) keyRow(tenantID string, k idempotency.Key, result string) idempotencyRow {
	return idempotencyRow{TenantID: tenantID, Principal: k.Principal, Operation: k.Operation, Key: k.Value,
		RequestHash: k.RequestHash, Result: result, CreatedAt: db.now()}
}

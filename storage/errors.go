package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/clientele-go/clientele"
)

// translate turns an error from the database into the library's kinds, keeping
// the driver's error reachable with errors.As (*pgconn.PgError, *sqlite.Error):
//
//   - no rows: clientele.ErrNotFound.
//   - unique, primary-key, foreign-key, exclusion and restrict violations:
//     clientele.ErrConflict. The change collides with rows that exist (or no longer
//     exist): a duplicate key, a reference to a row that is gone, a row that others
//     still reference.
//   - check and not-null violations, SQLite's type mismatches and oversized values,
//     PostgreSQL's data exceptions (SQLSTATE class 22): clientele.ErrInvalid.
//   - lock contention (SQLITE_BUSY, SQLITE_LOCKED; PostgreSQL serialization failure
//     40001, deadlock 40P01, lock not available 55P03) and everything else:
//     clientele.ErrUnavailable — retrying later may succeed.
//
// A conflict or invalid-input error says which rule broke ("conflict: foreign key
// violation") without the driver's text, which names tables and may reach the API
// caller; an unavailable error carries the driver's text for the operator's log.
// Context cancellation and errors that already carry a kind pass through unchanged.
func translate(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("%w", clientele.ErrNotFound)
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	case clientele.Kind(err) != nil:
		return err
	}
	kind, what := driverKind(err)
	return &dbError{kind: kind, cause: err, what: what}
}

// dbError is a driver error with the kind it maps to; errors.Is finds the kind and
// errors.As the driver's error.
type dbError struct {
	kind  error  // a clientele sentinel
	cause error  // the driver's error
	what  string // the broken rule, shown instead of the driver's text; "" shows it
}

func (e *dbError) Error() string {
	if e.what == "" {
		return e.kind.Error() + ": " + e.cause.Error()
	}
	return e.kind.Error() + ": " + e.what
}

func (e *dbError) Unwrap() []error { return []error{e.kind, e.cause} }

// driverKind classifies a driver error by its code (see translate) and names the
// broken rule of a conflict or invalid input.
func driverKind(err error) (kind error, what string) {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return postgresKind(pgErr.Code)
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		return sqliteKind(sqErr.Code())
	}
	return clientele.ErrUnavailable, ""
}

// postgresKind classifies a SQLSTATE.
func postgresKind(code string) (error, string) {
	switch code {
	case "23502":
		return clientele.ErrInvalid, "not-null violation"
	case "23514":
		return clientele.ErrInvalid, "check violation"
	case "23505":
		return clientele.ErrConflict, "unique violation"
	case "23503":
		return clientele.ErrConflict, "foreign key violation"
	}
	switch {
	case strings.HasPrefix(code, "23"): // exclusion, restrict, …
		return clientele.ErrConflict, "integrity violation"
	case strings.HasPrefix(code, "22"): // data exception: bad value for its column
		return clientele.ErrInvalid, "value not valid for its column"
	}
	// 40001 serialization_failure, 40P01 deadlock_detected, 55P03
	// lock_not_available, connection and server failures.
	return clientele.ErrUnavailable, ""
}

// sqliteKind classifies an (extended) SQLite result code.
func sqliteKind(code int) (error, string) {
	switch code {
	case sqlite3.SQLITE_CONSTRAINT_NOTNULL:
		return clientele.ErrInvalid, "not-null violation"
	case sqlite3.SQLITE_CONSTRAINT_CHECK:
		return clientele.ErrInvalid, "check violation"
	case sqlite3.SQLITE_CONSTRAINT_DATATYPE:
		return clientele.ErrInvalid, "value not valid for its column"
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY, sqlite3.SQLITE_CONSTRAINT_ROWID:
		return clientele.ErrConflict, "unique violation"
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return clientele.ErrConflict, "foreign key violation"
	}
	switch code & 0xff { // the primary result code
	case sqlite3.SQLITE_CONSTRAINT: // trigger, …
		return clientele.ErrConflict, "integrity violation"
	case sqlite3.SQLITE_MISMATCH, sqlite3.SQLITE_TOOBIG:
		return clientele.ErrInvalid, "value not valid for its column"
	}
	// SQLITE_BUSY, SQLITE_LOCKED (and their extended codes), I/O and the rest.
	return clientele.ErrUnavailable, ""
}

// sqliteBusy reports whether err is SQLite's SQLITE_BUSY (or an extended
// code of it): another connection holds the lock.
func sqliteBusy(err error) bool {
	var sqErr *sqlite.Error
	return errors.As(err, &sqErr) && sqErr.Code()&0xff == sqlite3.SQLITE_BUSY
}

// createRace reports whether err is what PostgreSQL answers the loser of two
// concurrent CREATE … IF NOT EXISTS: a unique violation in the catalogue, 42P07
// duplicate_table or 42710 duplicate_object.
func createRace(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (pgErr.Code == "23505" || pgErr.Code == "42P07" || pgErr.Code == "42710")
}

// uniqueViolation returns the name of the violated unique index or constraint
// (best effort; "unique" when the driver does not say), or "" when err is not a
// unique violation.
func uniqueViolation(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		if pgErr.ConstraintName != "" {
			return pgErr.ConstraintName
		}
		return "unique"
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) && (sqErr.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || sqErr.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY) {
		// modernc reports "UNIQUE constraint failed: clients.tenant_id, clients.reference".
		msg := sqErr.Error()
		if _, cols, ok := strings.Cut(msg, "failed: "); ok {
			return cols
		}
		return "unique"
	}
	return ""
}

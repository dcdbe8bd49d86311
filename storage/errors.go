package storage

import (
	"errors"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

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

package storage_test

import (
	"context"
	"database/sql"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/internal/dbtest"
	"github.com/clientele-go/clientele/storage"
)

// errKindSchema is a scratch table pair with every kind of integrity rule.
var errKindSchema = []string{
	`CREATE TABLE errkind_parent (id TEXT PRIMARY KEY, n INTEGER NOT NULL DEFAULT 0)`,
	`CREATE TABLE errkind_child (
		id TEXT PRIMARY KEY,
		parent_id TEXT NOT NULL REFERENCES errkind_parent (id),
		code TEXT UNIQUE,
		qty INTEGER CHECK (qty >= 0)
	)`,
	`INSERT INTO errkind_parent (id) VALUES ('p1'), ('p2')`,
	`INSERT INTO errkind_child (id, parent_id, code, qty) VALUES ('c1', 'p1', 'dup', 1)`,
}

// TestTranslateKeepsKindAndCause provokes each integrity violation for real and
// checks that the library's kind and the driver's error are both reachable.
func TestTranslateKeepsKindAndCause(t *testing.T) {
	cases := []struct {
		name     string
		stmt     string
		kind     error
		pgCode   string
		sqliteCC int    // extended result code
		message  string // what the error says: the rule, not the driver's text
	}{
		{"unique", `INSERT INTO errkind_child (id, parent_id, code, qty) VALUES ('c2', 'p1', 'dup', 1)`,
			clientele.ErrConflict, "23505", sqlite3.SQLITE_CONSTRAINT_UNIQUE, "conflict: unique violation"},
		{"primary key", `INSERT INTO errkind_child (id, parent_id, code, qty) VALUES ('c1', 'p1', 'other', 1)`,
			clientele.ErrConflict, "23505", sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY, "conflict: unique violation"},
		{"foreign key on insert", `INSERT INTO errkind_child (id, parent_id, code, qty) VALUES ('c3', 'nope', 'c3', 1)`,
			clientele.ErrConflict, "23503", sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY, "conflict: foreign key violation"},
		{"foreign key on delete", `DELETE FROM errkind_parent WHERE id = 'p1'`,
			clientele.ErrConflict, "23503", sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY, "conflict: foreign key violation"},
		{"check", `INSERT INTO errkind_child (id, parent_id, code, qty) VALUES ('c4', 'p1', 'c4', -1)`,
			clientele.ErrInvalid, "23514", sqlite3.SQLITE_CONSTRAINT_CHECK, "invalid input: check violation"},
		{"not null", `INSERT INTO errkind_child (id, parent_id, code, qty) VALUES ('c5', NULL, 'c5', 1)`,
			clientele.ErrInvalid, "23502", sqlite3.SQLITE_CONSTRAINT_NOTNULL, "invalid input: not-null violation"},
	}
	dbtest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		for _, s := range errKindSchema {
			_, err := db.SQL().ExecContext(ctx, s)
			require.NoError(t, err, s)
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				_, raw := db.SQL().ExecContext(ctx, tc.stmt)
				require.Error(t, raw, "the statement must violate a rule")
				err := storage.Translate(raw)
				assert.ErrorIs(t, err, tc.kind)
				assert.Equal(t, tc.kind, clientele.Kind(err), "one kind only: %v", err)
				assert.Equal(t, tc.message, err.Error(), "no table names for the API caller")
				assertCause(t, db, err, tc.pgCode, tc.sqliteCC)
			})
		}
	})
}

// assertCause checks that the driver's own error is reachable with errors.As.
func assertCause(t *testing.T, db *storage.DB, err error, pgCode string, sqliteCode int) {
	t.Helper()
	if db.Dialect() == storage.Postgres {
		var pgErr *pgconn.PgError
		if assert.ErrorAs(t, err, &pgErr, "the *pgconn.PgError stays reachable") {
			assert.Equal(t, pgCode, pgErr.Code)
		}
		return
	}
	var sqErr *sqlite.Error
	if assert.ErrorAs(t, err, &sqErr, "the *sqlite.Error stays reachable") {
		assert.Equal(t, sqliteCode, sqErr.Code())
	}
}

// TestTranslateLockContentionIsUnavailable makes two connections contend for the
// same lock: the loser's error is ErrUnavailable (retry later) with the driver
// error behind it.
func TestTranslateLockContentionIsUnavailable(t *testing.T) {
	ctx := context.Background()
	setup := func(t *testing.T, db *storage.DB) {
		for _, s := range errKindSchema {
			_, err := db.SQL().ExecContext(ctx, s)
			require.NoError(t, err, s)
		}
	}
	t.Run("sqlite busy", func(t *testing.T) {
		db := dbtest.SQLiteFile(t)
		setup(t, db)
		holder, err := db.SQL().BeginTx(ctx, nil) // BEGIN IMMEDIATE: takes the write lock
		require.NoError(t, err)
		defer func() { _ = holder.Rollback() }()
		_, err = holder.ExecContext(ctx, `UPDATE errkind_parent SET n = n + 1 WHERE id = 'p1'`)
		require.NoError(t, err)

		conn, err := db.SQL().Conn(ctx)
		require.NoError(t, err)
		defer func() { _ = conn.Raw(func(any) error { return sql.ErrConnDone }) }() // drop it: its timeout is changed
		_, err = conn.ExecContext(ctx, `PRAGMA busy_timeout = 0`)
		require.NoError(t, err)
		_, raw := conn.ExecContext(ctx, `UPDATE errkind_parent SET n = n + 1 WHERE id = 'p2'`)
		require.Error(t, raw)
		err = storage.Translate(raw)
		assert.ErrorIs(t, err, clientele.ErrUnavailable)
		assertCause(t, db, err, "", sqlite3.SQLITE_BUSY)
	})
	pgCase := func(name, code string, provoke func(t *testing.T, db *sql.DB) error) {
		t.Run(name, func(t *testing.T) {
			db := dbtest.Postgres(t)
			setup(t, db)
			raw := provoke(t, db.SQL())
			require.Error(t, raw)
			err := storage.Translate(raw)
			assert.ErrorIs(t, err, clientele.ErrUnavailable)
			assert.Equal(t, clientele.ErrUnavailable, clientele.Kind(err))
			assertCause(t, db, err, code, 0)
		})
	}
	pgCase("postgres lock not available", "55P03", func(t *testing.T, db *sql.DB) error {
		holder, err := db.BeginTx(ctx, nil)
		require.NoError(t, err)
		defer func() { _ = holder.Rollback() }()
		_, err = holder.ExecContext(ctx, `SELECT id FROM errkind_parent WHERE id = 'p1' FOR UPDATE`)
		require.NoError(t, err)
		_, err = db.ExecContext(ctx, `SELECT id FROM errkind_parent WHERE id = 'p1' FOR UPDATE NOWAIT`)
		return err
	})
	pgCase("postgres serialization failure", "40001", func(t *testing.T, db *sql.DB) error {
		tx, err := db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead})
		require.NoError(t, err)
		defer func() { _ = tx.Rollback() }()
		var n int
		require.NoError(t, tx.QueryRowContext(ctx, `SELECT n FROM errkind_parent WHERE id = 'p1'`).Scan(&n))
		_, err = db.ExecContext(ctx, `UPDATE errkind_parent SET n = n + 1 WHERE id = 'p1'`)
		require.NoError(t, err)
		_, err = tx.ExecContext(ctx, `UPDATE errkind_parent SET n = n + 10 WHERE id = 'p1'`)
		return err
	})
	pgCase("postgres deadlock", "40P01", func(t *testing.T, db *sql.DB) error {
		// Two transactions lock p1 and p2 in opposite orders; PostgreSQL aborts one.
		var (
			wg    sync.WaitGroup
			errs  [2]error
			ready sync.WaitGroup
		)
		ready.Add(2)
		for i, order := range [2][2]string{{"p1", "p2"}, {"p2", "p1"}} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				tx, err := db.BeginTx(ctx, nil)
				if err != nil {
					errs[i] = err
					ready.Done()
					return
				}
				defer func() { _ = tx.Rollback() }()
				_, err = tx.ExecContext(ctx, `UPDATE errkind_parent SET n = n + 1 WHERE id = $1`, order[0])
				ready.Done()
				if err != nil {
					errs[i] = err
					return
				}
				ready.Wait()
				_, errs[i] = tx.ExecContext(ctx, `UPDATE errkind_parent SET n = n + 1 WHERE id = $1`, order[1])
			}()
		}
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Fatal("no deadlock detected")
		}
		for _, err := range errs {
			if err != nil {
				return err
			}
		}
		return nil
	})
}

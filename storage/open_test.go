package storage_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"modernc.org/sqlite"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/internal/dbtest"
	"github.com/clientele-go/clientele/storage"
)

// TestOpenInvalidArgumentsAreInvalid: a DSN Open cannot use is the caller's mistake
// (ErrInvalid), a server that does not answer is ErrUnavailable.
func TestOpenInvalidArgumentsAreInvalid(t *testing.T) {
	ctx := context.Background()
	for _, dsn := range []string{
		"", "clientele.db", "mysql://x", "sqlite://",
		"postgres://%zz@host/db",                         // not a URL
		"postgres://postgres@127.0.0.1:notaport/test",    // not a URL either
		"postgres://postgres@127.0.0.1/test?sslmode=bad", // pgx cannot use it
	} {
		_, err := storage.Open(ctx, dsn)
		assert.ErrorIs(t, err, clientele.ErrInvalid, "%q: %v", dsn, err)
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	_, err := storage.Open(ctx, "postgres://postgres@127.0.0.1:1/test?sslmode=disable&connect_timeout=2")
	assert.ErrorIs(t, err, clientele.ErrUnavailable)
	assert.False(t, errors.Is(err, clientele.ErrInvalid), "%v", err)
}

// TestOpenSQLiteUsesModernc: the pragmas in the DSN and the error codes translate
// reads are modernc's; bun's sqliteshim would pick the cgo driver on some platforms.
func TestOpenSQLiteUsesModernc(t *testing.T) {
	for _, db := range []*storage.DB{dbtest.SQLite(t), dbtest.SQLiteFile(t)} {
		_, ok := db.SQL().Driver().(*sqlite.Driver)
		assert.True(t, ok, "driver is %T", db.SQL().Driver())
	}
}

// TestOpenGivesUpOnAStaleMigrationLock plants the lock row a crashed process would
// leave: Open waits the configured time, then names the table and how to clear it;
// once cleared, Open works.
func TestOpenGivesUpOnAStaleMigrationLock(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		dsn  func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string {
			dsn := "sqlite://" + filepath.Join(t.TempDir(), "lock.db")
			db, err := storage.Open(ctx, dsn)
			require.NoError(t, err)
			require.NoError(t, db.Close())
			return dsn
		}},
		{"postgres", func(t *testing.T) string { return dbtest.PostgresURL(t) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dsn := tc.dsn(t)
			db, err := storage.Open(ctx, dsn)
			require.NoError(t, err)
			defer func() { _ = db.Close() }()
			_, err = db.SQL().ExecContext(ctx, `INSERT INTO clientele_migration_locks (table_name) VALUES ('clientele_migrations')`)
			require.NoError(t, err, "plant the stale lock")

			start := time.Now()
			waitCtx, cancel := context.WithTimeout(ctx, 20*time.Second) // the test's own guard
			defer cancel()
			_, err = storage.Open(waitCtx, dsn, storage.WithMigrationLockTimeout(300*time.Millisecond))
			took := time.Since(start)
			require.Error(t, err)
			assert.ErrorIs(t, err, clientele.ErrUnavailable)
			assert.NotErrorIs(t, err, context.DeadlineExceeded, "Open gave up by itself")
			assert.Contains(t, err.Error(), "clientele_migration_locks")
			assert.Contains(t, err.Error(), "DELETE FROM clientele_migration_locks")
			assert.GreaterOrEqual(t, took, 300*time.Millisecond, "it waited")
			assert.Less(t, took, 10*time.Second, "it gave up")

			_, err = storage.Open(ctx, dsn, storage.WithoutMigrations())
			require.NoError(t, err, "WithoutMigrations does not need the lock")

			_, err = db.SQL().ExecContext(ctx, `DELETE FROM clientele_migration_locks WHERE table_name = 'clientele_migrations'`)
			require.NoError(t, err)
			again, err := storage.Open(ctx, dsn, storage.WithMigrationLockTimeout(300*time.Millisecond))
			require.NoError(t, err, "the advice in the error works")
			require.NoError(t, again.Close())
			var n int
			require.NoError(t, db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM clientele_migration_locks`).Scan(&n))
			assert.Zero(t, n, "Open releases the lock it took")
		})
	}
}

// TestOpenRefusesNonStandardStrings: bun quotes values into the SQL text, which is
// only safe with standard_conforming_strings on.
func TestOpenRefusesNonStandardStrings(t *testing.T) {
	ctx := context.Background()
	base := dbtest.PostgresURL(t)
	for name, set := range map[string]func(q url.Values){
		"server option":   func(q url.Values) { q.Set("options", "-c standard_conforming_strings=off") },
		"runtime setting": func(q url.Values) { q.Set("standard_conforming_strings", "off") },
	} {
		t.Run(name, func(t *testing.T) {
			u, err := url.Parse(base)
			require.NoError(t, err)
			q := u.Query()
			set(q)
			u.RawQuery = strings.ReplaceAll(q.Encode(), "+", "%20") // pgx reads "+" literally
			db, err := storage.Open(ctx, u.String())
			if err == nil {
				_ = db.Close()
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, clientele.ErrInvalid)
			assert.Contains(t, err.Error(), "standard_conforming_strings")
		})
	}
	t.Run("role setting", func(t *testing.T) {
		admin, err := sql.Open("pgx", base)
		require.NoError(t, err)
		defer func() { _ = admin.Close() }()
		role := fmt.Sprintf("clientele_scs_%d", time.Now().UnixNano())
		_, err = admin.ExecContext(ctx, `CREATE ROLE `+role+` LOGIN`)
		require.NoError(t, err)
		defer func() { _, _ = admin.ExecContext(ctx, `DROP ROLE `+role) }()
		_, err = admin.ExecContext(ctx, `ALTER ROLE `+role+` SET standard_conforming_strings = off`)
		require.NoError(t, err)
		u, err := url.Parse(base)
		require.NoError(t, err)
		u.User = url.User(role)
		db, err := storage.Open(ctx, u.String())
		if err == nil {
			_ = db.Close()
		}
		require.Error(t, err)
		assert.ErrorIs(t, err, clientele.ErrInvalid)
		assert.Contains(t, err.Error(), "standard_conforming_strings")
	})
	t.Run("DSN turns it on", func(t *testing.T) {
		u, err := url.Parse(base)
		require.NoError(t, err)
		q := u.Query()
		q.Set("options", "-c standard_conforming_strings=off")
		q.Set("standard_conforming_strings", "on")
		u.RawQuery = strings.ReplaceAll(q.Encode(), "+", "%20") // pgx reads "+" literally
		db, err := storage.Open(ctx, u.String())
		require.NoError(t, err)
		require.NoError(t, db.Close())
	})
}

// TestPooledConnectionsKeepStandardStrings: a pooled connection on which someone
// turned standard_conforming_strings off is not handed out again.
func TestPooledConnectionsKeepStandardStrings(t *testing.T) {
	ctx := context.Background()
	db := dbtest.Postgres(t)
	db.SQL().SetMaxOpenConns(1) // the next query must get the same connection or a new one
	conn, err := db.SQL().Conn(ctx)
	require.NoError(t, err)
	_, err = conn.ExecContext(ctx, `SET standard_conforming_strings = off`)
	require.NoError(t, err)
	require.NoError(t, conn.Close()) // back to the pool

	for range 3 {
		var v string
		require.NoError(t, db.SQL().QueryRowContext(ctx, `SHOW standard_conforming_strings`).Scan(&v))
		assert.Equal(t, "on", v)
	}
	// And the library's own queries still work with backslashes in values.
	_, err = db.SQL().ExecContext(ctx, `CREATE TABLE scs_probe (v TEXT)`)
	require.NoError(t, err)
	tricky := `a\'; DROP TABLE scs_probe; --`
	_, err = db.SQL().ExecContext(ctx, `INSERT INTO scs_probe (v) VALUES ('`+strings.ReplaceAll(tricky, "'", "''")+`')`)
	require.NoError(t, err)
	var got string
	require.NoError(t, db.SQL().QueryRowContext(ctx, `SELECT v FROM scs_probe`).Scan(&got))
	assert.Equal(t, tricky, got)
}

// TestConcurrentOpensMigrateOnce: processes starting together on a new database
// take turns through the migration lock; every Open succeeds and every migration
// is applied once.
func TestConcurrentOpensMigrateOnce(t *testing.T) {
	ctx := context.Background()
	for name, dsn := range map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return "sqlite://" + filepath.Join(t.TempDir(), "race.db") },
		"postgres": func(t *testing.T) string { return dbtest.PostgresURL(t) },
	} {
		t.Run(name, func(t *testing.T) {
			dsn := dsn(t)
			const n = 4
			var (
				wg   sync.WaitGroup
				errs [n]error
				dbs  [n]*storage.DB
			)
			for i := range n {
				wg.Go(func() { dbs[i], errs[i] = storage.Open(ctx, dsn) })
			}
			wg.Wait()
			for i := range n {
				require.NoError(t, errs[i])
				defer func() { _ = dbs[i].Close() }()
			}
			var dup, locks int
			require.NoError(t, dbs[0].SQL().QueryRowContext(ctx,
				`SELECT count(*) FROM (SELECT name FROM clientele_migrations GROUP BY name HAVING count(*) > 1) AS d`).Scan(&dup))
			assert.Zero(t, dup, "no migration applied twice")
			require.NoError(t, dbs[0].SQL().QueryRowContext(ctx, `SELECT count(*) FROM clientele_migration_locks`).Scan(&locks))
			assert.Zero(t, locks, "the lock is released")
		})
	}
}

// TestMemoryStoreOutlivesItsConnection: the driver discards a connection on
// which a cancelled context interrupted a statement; a sqlite://:memory: store
// keeps its data when the pool opens the next one. Two stores stay apart.
func TestMemoryStoreOutlivesItsConnection(t *testing.T) {
	ctx := context.Background()
	open := func() *storage.DB {
		db, err := storage.Open(ctx, "sqlite://:memory:", storage.WithoutMigrations())
		require.NoError(t, err)
		t.Cleanup(func() { _ = db.Close() })
		return db
	}
	db, other := open(), open()
	_, err := db.SQL().ExecContext(ctx, `CREATE TABLE kept (v TEXT)`)
	require.NoError(t, err)
	_, err = db.SQL().ExecContext(ctx, `INSERT INTO kept VALUES ('a')`)
	require.NoError(t, err)

	for range 3 { // the pool's connection goes, as after an interrupted statement
		conn, err := db.SQL().Conn(ctx)
		require.NoError(t, err)
		_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		_ = conn.Close() // already closed: the driver said the connection is bad
	}
	assert.Equal(t, 0, db.SQL().Stats().OpenConnections, "the connection was discarded")
	var v string
	require.NoError(t, db.SQL().QueryRowContext(ctx, `SELECT v FROM kept`).Scan(&v))
	assert.Equal(t, "a", v)

	err = other.SQL().QueryRowContext(ctx, `SELECT v FROM kept`).Scan(&v)
	require.Error(t, err, "another :memory: store is another database")
	assert.Contains(t, err.Error(), "no such table")
}

// TestPostgresPoolKeepsItsConnections: the pool Open makes holds at most
// DefaultMaxConns connections (or WithMaxConns's), and a burst wider than
// the pool closes none of them once it is over: every connection it opened
// stays for the next burst.
func TestPostgresPoolKeepsItsConnections(t *testing.T) {
	if dbtest.PostgresDSN(t) == "" {
		t.Skip("CLIENTELE_TEST_POSTGRES is not set")
	}
	for _, tc := range []struct {
		name string
		opts []storage.Option
		want int
	}{{"default", nil, storage.DefaultMaxConns}, {"WithMaxConns", []storage.Option{storage.WithMaxConns(3)}, 3}} {
		t.Run(tc.name, func(t *testing.T) {
			db := dbtest.PostgresWith(t, tc.opts...)
			var wg sync.WaitGroup
			for range tc.want + 5 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, err := db.SQL().ExecContext(context.Background(), "SELECT pg_sleep(0.05)")
					assert.NoError(t, err)
				}()
			}
			wg.Wait()
			st := db.SQL().Stats()
			assert.Equal(t, tc.want, st.MaxOpenConnections)
			assert.Equal(t, tc.want, st.OpenConnections, "the burst filled the pool")
			assert.Zero(t, st.MaxIdleClosed, "and every connection stayed open")
		})
	}
}

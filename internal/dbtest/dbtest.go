package dbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // "pgx" driver for schema set-up

	"github.com/clientele-go/clientele/storage"
)

// EnvPostgres names the variable holding the PostgreSQL DSN of the tests.
const EnvPostgres = "CLIENTELE_TEST_POSTGRES"

// Each runs fn as a subtest on a fresh SQLite store and, when configured, on a
// fresh PostgreSQL store.
func Each(t *testing.T, fn func(t *testing.T, db *storage.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
}

// EachPooled is Each with a SQLite file (SQLiteFile) instead of :memory:, for
// tests of concurrency and of the outbox's dispatcher; opts apply to both stores.
func EachPooled(t *testing.T, fn func(t *testing.T, db *storage.DB), opts ...storage.Option) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLiteFile(t, opts...)) })
	t.Run("postgres", func(t *testing.T) { fn(t, PostgresWith(t, opts...)) })
}

// SQLite returns a fresh in-memory store.
func SQLite(t testing.TB) *storage.DB {
	t.Helper()
	db, err := storage.Open(context.Background(), "sqlite://:memory:")
	if err != nil {
		t.Fatalf("dbtest: open sqlite: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// PostgresDSN returns the DSN of the test server, skipping (or, in CI, failing)
// when none is configured.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv(EnvPostgres)
	if dsn == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("dbtest: %s is not set; CI must run the PostgreSQL tests", EnvPostgres)
		}
		t.Skipf("dbtest: %s is not set; skipping the PostgreSQL half", EnvPostgres)
	}
	return dsn
}

// Postgres returns a store on a fresh schema of the test server.
func Postgres(t testing.TB) *storage.DB {
	t.Helper()
	return PostgresWith(t)
}

// PostgresWith is Postgres with options for storage.Open.
func PostgresWith(t testing.TB, opts ...storage.Option) *storage.DB {
	t.Helper()
	dsn := PostgresDSN(t)
	ctx := context.Background()
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	t.Cleanup(func() { _ = admin.Close() })
	ensureTrigram(t, admin)
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("dbtest: create schema: %v", err)
	}
	t.Cleanup(func() { _, _ = admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE") })

	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatalf("dbtest: bad DSN: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	db, err := storage.Open(ctx, u.String(), opts...)
	if err != nil {
		t.Fatalf("dbtest: open postgres: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// ensureTrigram creates pg_trgm once per database. Test packages run in parallel
// and CREATE EXTENSION IF NOT EXISTS races with itself, so retry a few times.
func ensureTrigram(t testing.TB, admin *sql.DB) {
	t.Helper()
	var err error
	for range 5 {
		if _, err = admin.Exec("CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public"); err == nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("dbtest: create extension pg_trgm: %v", err)
}

// SQLiteFile returns a fresh store on a SQLite file in a temporary directory:
// unlike :memory:, it has a pool of connections, so concurrent callers (and
// the outbox's dispatcher) run as they would in production.
func SQLiteFile(t testing.TB, opts ...storage.Option) *storage.DB {
	t.Helper()
	db, err := storage.Open(context.Background(), "sqlite://"+t.TempDir()+"/clientele.db", opts...)
	if err != nil {
		t.Fatalf("dbtest: open sqlite file: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

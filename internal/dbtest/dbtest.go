package dbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // "pgx" driver for schema set-up
	"modernc.org/sqlite"

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

// SQLite returns a fresh in-memory store, migrated: the template (see
// sqliteImage) restored into it, which is far cheaper than running the
// migrations again.
func SQLite(t testing.TB) *storage.DB {
	t.Helper()
	src := filepath.Join(t.TempDir(), "template.db")
	if err := os.WriteFile(src, sqliteImage(t), 0o600); err != nil {
		t.Fatalf("dbtest: sqlite: %v", err)
	}
	ctx := context.Background()
	db, err := storage.Open(ctx, "sqlite://:memory:", storage.WithoutMigrations())
	if err != nil {
		t.Fatalf("dbtest: open sqlite: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	conn, err := db.SQL().Conn(ctx) // the one connection of a :memory: store
	if err != nil {
		t.Fatalf("dbtest: sqlite: %v", err)
	}
	defer conn.Close()
	err = conn.Raw(func(dc any) error {
		r, ok := dc.(interface {
			NewRestore(string) (*sqlite.Backup, error)
		})
		if !ok {
			return fmt.Errorf("driver connection %T cannot restore", dc)
		}
		b, err := r.NewRestore(src)
		if err != nil {
			return err
		}
		for more := true; more; {
			if more, err = b.Step(-1); err != nil {
				_ = b.Finish()
				return err
			}
		}
		return b.Finish()
	})
	if err != nil {
		t.Fatalf("dbtest: sqlite: restore the migrated template: %v", err)
	}
	return db
}

// SQLiteFile returns a fresh store on a SQLite file in a temporary directory,
// a copy of the migrated template: unlike :memory:, it has a pool of
// connections, so concurrent callers (and the outbox's dispatcher) run as they
// would in production.
func SQLiteFile(t testing.TB, opts ...storage.Option) *storage.DB {
	t.Helper()
	path := filepath.Join(t.TempDir(), "clientele.db")
	if err := os.WriteFile(path, sqliteImage(t), 0o600); err != nil {
		t.Fatalf("dbtest: sqlite file: %v", err)
	}
	opts = append([]storage.Option{storage.WithoutMigrations()}, opts...)
	db, err := storage.Open(context.Background(), "sqlite://"+path, opts...)
	if err != nil {
		t.Fatalf("dbtest: open sqlite file: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// template is the file image of a freshly migrated SQLite database, made once
// per test binary: the migrations (River's especially) are slow under the race
// detector, and every store a test opens starts from the same schema.
var template struct {
	once  sync.Once
	image []byte
	err   error
}

func sqliteImage(t testing.TB) []byte {
	t.Helper()
	template.once.Do(func() {
		dir, err := os.MkdirTemp("", "clientele-dbtest-")
		if err != nil {
			template.err = err
			return
		}
		defer os.RemoveAll(dir)
		path := filepath.Join(dir, "template.db")
		db, err := storage.Open(context.Background(), "sqlite://"+path)
		if err != nil {
			template.err = err
			return
		}
		// Closing the last connection checkpoints the WAL into the file.
		if template.err = db.Close(); template.err == nil {
			template.image, template.err = os.ReadFile(path)
		}
		if template.err == nil && len(template.image) >= 100 {
			// Mark the image a rollback-journal database (the file format's
			// write and read versions, bytes 18 and 19: 1 legacy, 2 WAL):
			// an in-memory store cannot open WAL, and a file store turns it
			// back on when it opens.
			template.image[18], template.image[19] = 1, 1
		}
	})
	if template.err != nil {
		t.Fatalf("dbtest: migrate the SQLite template: %v", template.err)
	}
	return template.image
}

// PostgresDSN returns the DSN of the test server. With none configured it skips
// the test, or fails it when the CI variable is truthy (true, 1, yes, on; any case):
// CI must run the PostgreSQL half. A DSN that is set is always used.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv(EnvPostgres)
	switch decide(dsn, os.Getenv("CI")) {
	case failPostgres:
		t.Fatalf("dbtest: %s is not set; CI must run the PostgreSQL tests", EnvPostgres)
	case skipPostgres:
		t.Skipf("dbtest: %s is not set; skipping the PostgreSQL half", EnvPostgres)
	}
	return dsn
}

// decision is what PostgresDSN does with the environment it finds.
type decision int

const (
	usePostgres  decision = iota // a DSN is set: run on it
	skipPostgres                 // no DSN outside CI: skip with a message
	failPostgres                 // no DSN in CI: fail
)

func (d decision) String() string {
	return [...]string{"use", "skip", "fail"}[d]
}

// decide chooses from the values of CLIENTELE_TEST_POSTGRES and CI.
func decide(dsn, ci string) decision {
	switch {
	case strings.TrimSpace(dsn) != "":
		return usePostgres
	case truthy(ci):
		return failPostgres
	}
	return skipPostgres
}

// truthy reports whether an environment value means yes, as CI services set it.
func truthy(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "1", "t", "true", "y", "yes", "on":
		return true
	}
	return false
}

// Postgres returns a store on a fresh schema of the test server.
func Postgres(t testing.TB) *storage.DB {
	t.Helper()
	return PostgresWith(t)
}

// PostgresWith is Postgres with options for storage.Open.
func PostgresWith(t testing.TB, opts ...storage.Option) *storage.DB {
	t.Helper()
	db, err := storage.Open(context.Background(), PostgresURL(t), opts...)
	if err != nil {
		t.Fatalf("dbtest: open postgres: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// PostgresURL returns a DSN of the test server whose search_path is a fresh schema,
// dropped when the test ends, for tests that call storage.Open themselves.
func PostgresURL(t testing.TB) string {
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
	u.RawQuery = strings.ReplaceAll(q.Encode(), "+", "%20") // pgx reads "+" literally
	return u.String()
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

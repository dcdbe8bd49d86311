package storage

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"strings"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"github.com/riverqueue/river"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	"github.com/uptrace/bun/driver/sqliteshim"
	"github.com/uptrace/bun/migrate"

	"github.com/clientele-go/clientele"
)

//go:embed migrations
var migrationFiles embed.FS

// Dialect names the database engine behind a DB.
type Dialect string

// Supported engines.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is the library's store on one database. Its methods return the store of each
// domain package (Clients, Tenants, …), all sharing one connection pool.
type DB struct {
	bun     *bun.DB
	dialect Dialect

	stmtMu sync.Mutex
	stmts  map[string]*sql.Stmt // prepared hot-path queries, closed by Close

	borrowed          bool // the app's pool (OpenDB): Close leaves it open
	outboxMaxAttempts int
	riverOnce         sync.Once
	riverClient       *river.Client[*sql.Tx]
	riverErr          error
}

type options struct {
	migrate     bool
	maxAttempts int
}

// DefaultMaxAttempts is how many times the dispatcher tries an effect before it
// parks it. With the default backoff (1 s doubling to at most 10 min) the last
// attempt comes about 40 minutes after the first.
const DefaultMaxAttempts = 12

// WithMaxAttempts sets how many times an effect enqueued through this DB is
// tried before it is parked (at least 1).
func WithMaxAttempts(n int) Option {
	return func(o *options) {
		if n >= 1 {
			o.maxAttempts = n
		}
	}
}

// Option configures Open.
type Option func(*options)

// WithoutMigrations skips applying pending migrations at Open; use it when
// migrations are run by a separate deploy step (DB.Migrate).
func WithoutMigrations() Option { return func(o *options) { o.migrate = false } }

// Open connects to the database dsn names and applies pending migrations.
//
//	sqlite://clientele.db        a file relative to the working directory
//	sqlite:///var/lib/app.db     an absolute path
//	sqlite://:memory:            a private in-memory database (tests)
//	postgres://user@host/db      PostgreSQL (postgresql:// works too)
//
// SQLite is pure Go (builds with CGO_ENABLED=0); PostgreSQL goes through pgx.
func Open(ctx context.Context, dsn string, opts ...Option) (*DB, error) {
	db, err := open(dsn)
	if err != nil {
		return nil, err
	}
	return db.start(ctx, opts)
}

// OpenDB uses a pool the app opened itself: pgx's database/sql driver
// ("pgx", from github.com/jackc/pgx/v5/stdlib) for Postgres, modernc's
// ("sqlite", from modernc.org/sqlite) for SQLite. The library then shares it
// with the app, and Close leaves it open.
//
// The pool must be set up as Open sets up its own. On PostgreSQL, add
// default_query_exec_mode=simple_protocol to the DSN (bun writes values into
// the SQL text; the default mode would prepare nearly every statement). On
// SQLite, the DSN must carry _pragma=foreign_keys(1), _pragma=busy_timeout(5000)
// and _txlock=immediate (and _pragma=journal_mode(WAL) for a file), or one
// connection (SetMaxOpenConns(1)) for :memory:. OpenDB checks the foreign keys
// on one connection and refuses a pool without them.
func OpenDB(ctx context.Context, sqldb *sql.DB, d Dialect, opts ...Option) (*DB, error) {
	if sqldb == nil {
		return nil, fmt.Errorf("storage: OpenDB needs a *sql.DB: %w", clientele.ErrInvalid)
	}
	if d != SQLite && d != Postgres {
		return nil, fmt.Errorf("storage: OpenDB: unknown dialect %q (want sqlite or postgres): %w", d, clientele.ErrInvalid)
	}
	db := newDB(sqldb, d)
	db.borrowed = true
	if d == SQLite {
		var on int
		if err := sqldb.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&on); err != nil {
			return nil, fmt.Errorf("storage: OpenDB: %w: %w", clientele.ErrUnavailable, err)
		}
		if on != 1 {
			return nil, fmt.Errorf("storage: OpenDB: the SQLite pool has foreign keys off; open it with _pragma=foreign_keys(1): %w", clientele.ErrInvalid)
		}
	}
	return db.start(ctx, opts)
}

// start checks the connection and applies pending migrations, closing db when
// either fails.
func (db *DB) start(ctx context.Context, opts []Option) (*DB, error) {
	o := options{migrate: true, maxAttempts: DefaultMaxAttempts}
	for _, opt := range opts {
		opt(&o)
	}
	db.outboxMaxAttempts = o.maxAttempts
	if err := db.bun.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("storage: open: %w: %w", clientele.ErrUnavailable, err)
	}
	if o.migrate {
		if err := db.Migrate(ctx); err != nil {
			_ = db.Close()
			return nil, err
		}
	}
	return db, nil
}

func open(dsn string) (*DB, error) {
	scheme, rest, ok := strings.Cut(dsn, "://")
	if !ok {
		return nil, fmt.Errorf("storage: open: DSN must start with sqlite:// or postgres://: %w", clientele.ErrInvalid)
	}
	switch scheme {
	case "sqlite":
		return openSQLite(rest)
	case "postgres", "postgresql":
		return openPostgres(dsn)
	}
	return nil, fmt.Errorf("storage: open: unknown DSN scheme %q (want sqlite or postgres): %w", scheme, clientele.ErrInvalid)
}

func openSQLite(path string) (*DB, error) {
	if path == "" {
		return nil, fmt.Errorf("storage: open: sqlite:// needs a path or :memory:: %w", clientele.ErrInvalid)
	}
	q := url.Values{}
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "busy_timeout(5000)")
	// Writers take the lock when their transaction begins, so two transactions
	// never deadlock upgrading a read lock; busy_timeout makes the second wait.
	q.Set("_txlock", "immediate")
	memory := path == ":memory:"
	if !memory {
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", "synchronous(NORMAL)")
	}
	sqldb, err := sql.Open(sqliteshim.ShimName, "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("storage: open sqlite: %w", err)
	}
	if memory {
		// Each connection to :memory: is a database of its own: keep exactly one.
		sqldb.SetMaxOpenConns(1)
		sqldb.SetMaxIdleConns(1)
		sqldb.SetConnMaxLifetime(0)
		sqldb.SetConnMaxIdleTime(0)
	}
	return newDB(sqldb, SQLite), nil
}

func openPostgres(dsn string) (*DB, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return nil, fmt.Errorf("storage: open postgres: bad DSN: %w", clientele.ErrInvalid)
	}
	q := u.Query()
	// bun writes values into the SQL text; pgx's default mode would prepare a new
	// statement for nearly every query.
	if q.Get("default_query_exec_mode") == "" {
		q.Set("default_query_exec_mode", "simple_protocol")
	}
	u.RawQuery = q.Encode()
	sqldb, err := sql.Open("pgx", u.String())
	if err != nil {
		return nil, fmt.Errorf("storage: open postgres: %w", err)
	}
	sqldb.SetMaxOpenConns(20)
	sqldb.SetMaxIdleConns(10)
	sqldb.SetConnMaxIdleTime(5 * time.Minute)
	return newDB(sqldb, Postgres), nil
}

// newDB wraps a pool of the given engine.
func newDB(sqldb *sql.DB, d Dialect) *DB {
	r := &txResolver{}
	db := &DB{dialect: d, outboxMaxAttempts: DefaultMaxAttempts}
	if d == Postgres {
		db.bun = bun.NewDB(sqldb, pgdialect.New(), bun.WithConnResolver(r))
	} else {
		db.bun = bun.NewDB(sqldb, sqlitedialect.New(), bun.WithConnResolver(r))
	}
	r.db = db
	return db
}

// SQL returns the connection pool, for health checks, metrics and the embedding
// application's own queries. The library's tables are its own: change them only
// through the stores.
func (db *DB) SQL() *sql.DB { return db.bun.DB }

// Dialect reports the engine behind db.
func (db *DB) Dialect() Dialect { return db.dialect }

// Close closes the prepared statements and the connection pool, unless the
// pool was handed over with OpenDB: the app closes its own.
func (db *DB) Close() error {
	db.stmtMu.Lock()
	for q, st := range db.stmts {
		_ = st.Close()
		delete(db.stmts, q)
	}
	db.stmtMu.Unlock()
	if db.borrowed {
		return nil
	}
	return db.bun.Close()
}

// prepared returns query prepared once for the life of db, bound to the
// transaction ctx carries, if any.
func (db *DB) prepared(ctx context.Context, query string) (*sql.Stmt, error) {
	st, err := db.preparedOnPool(ctx, query)
	if err != nil {
		return nil, err
	}
	if tx, ok := db.txFrom(ctx); ok {
		return tx.Tx.StmtContext(ctx, st), nil
	}
	return st, nil
}

func (db *DB) preparedOnPool(ctx context.Context, query string) (*sql.Stmt, error) {
	db.stmtMu.Lock()
	defer db.stmtMu.Unlock()
	if st, ok := db.stmts[query]; ok {
		return st, nil
	}
	st, err := db.bun.DB.PrepareContext(ctx, query)
	if err != nil {
		return nil, translate(err)
	}
	if db.stmts == nil {
		db.stmts = map[string]*sql.Stmt{}
	}
	db.stmts[query] = st
	return st, nil
}

// Migrate applies pending migrations. It is safe to call on an up-to-date database.
func (db *DB) Migrate(ctx context.Context) error {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		return fmt.Errorf("storage: migrate: %w", err)
	}
	ms := migrate.NewMigrations()
	if err := ms.Discover(sub); err != nil {
		return fmt.Errorf("storage: migrate: %w", err)
	}
	m := migrate.NewMigrator(db.bun, ms,
		migrate.WithTableName("clientele_migrations"),
		migrate.WithLocksTableName("clientele_migration_locks"),
		migrate.WithMarkAppliedOnSuccess(true),
		migrate.WithTemplateData(db.migrationVars()),
	)
	if err := m.Init(ctx); err != nil {
		return fmt.Errorf("storage: migrate: init: %w", translate(err))
	}
	if db.dialect == Postgres {
		// Several processes may start at once; the lock table serializes them.
		if err := lockMigrations(ctx, m); err != nil {
			return err
		}
		defer func() { _ = m.Unlock(context.WithoutCancel(ctx)) }()
	}
	if _, err := m.Migrate(ctx); err != nil {
		return fmt.Errorf("storage: migrate: %w", err)
	}
	return db.migrateRiver(ctx)
}

// migrationVars fills the templates of the migration files: one set of SQL for both
// dialects, with the column types and extras that differ.
type migrationVars struct {
	JSON      string // JSONB on PostgreSQL, TEXT on SQLite
	Timestamp string // TIMESTAMPTZ on PostgreSQL, TIMESTAMP on SQLite
	Postgres  bool
}

func (db *DB) migrationVars() migrationVars {
	if db.dialect == Postgres {
		return migrationVars{JSON: "JSONB", Timestamp: "TIMESTAMPTZ", Postgres: true}
	}
	return migrationVars{JSON: "TEXT", Timestamp: "TIMESTAMP"}
}

func lockMigrations(ctx context.Context, m *migrate.Migrator) error {
	for {
		err := m.Lock(ctx)
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("storage: migrate: waiting for the migration lock: %w", ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// forUpdate adds FOR UPDATE where the dialect has it.
func (db *DB) forUpdate(q *bun.SelectQuery) *bun.SelectQuery {
	if db.dialect == Postgres {
		return q.For("UPDATE")
	}
	return q
}

// translate turns driver errors into the library's error kinds.
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
	case uniqueViolation(err) != "":
		return fmt.Errorf("%w: %v", clientele.ErrConflict, err)
	}
	return fmt.Errorf("%w: %v", clientele.ErrUnavailable, err)
}

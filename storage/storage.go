package storage

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/riverqueue/river"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	"github.com/uptrace/bun/migrate"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/portal"
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
	prepare bool // prepare hot-path queries on PostgreSQL too (WithPreparedStatements)

	stmtMu sync.Mutex
	stmts  map[string]*sql.Stmt // prepared hot-path queries (SQLite), closed by Close

	borrowed          bool        // the app's pool (OpenDB): Close leaves it open
	memory            driver.Conn // sqlite://:memory:: holds the database while the pool's connection comes and goes
	outboxMaxAttempts int
	riverOnce         sync.Once
	riverClient       *river.Client[*sql.Tx]
	riverErr          error

	clock func() time.Time // stamps, judges and prunes idempotency keys; nil is time.Now

	colTypes sync.Map                              // table name → column → SQL type (columnTypes)
	records  *batcher[recordItem, bool]            // transfers' records, PostgreSQL (PortalStore.recordTransfer)
	settles  *batcher[settleItem, portal.Transfer] // transfers' settlements, PostgreSQL (PortalStore.settleTransfer)

	driveMax   int        // scopeDriveMax; the tests change it to reach both forms of a list's scope
	scopeForms scopeForms // the form each list scope took lately (scopeFormOf)
}

type options struct {
	migrate     bool
	lockTimeout time.Duration
	prepare     bool
	maxAttempts int
	maxConns    int
}

// DefaultMaxAttempts is how many times the dispatcher tries an effect before it
// parks it. With the default backoff (1 s doubling to at most 10 min) the last
// attempt comes about 27 minutes after the first (1 + 2 + … + 512 s, then 600 s).
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

// DefaultMigrationLockTimeout is how long Open waits for the migration lock when
// WithMigrationLockTimeout does not say.
const DefaultMigrationLockTimeout = 30 * time.Second

// Option configures Open.
type Option func(*options)

// WithoutMigrations skips applying pending migrations at Open; use it when
// migrations are run by a separate deploy step (DB.Migrate).
func WithoutMigrations() Option { return func(o *options) { o.migrate = false } }

// WithMigrationLockTimeout sets how long Open waits for another process to release
// the migration lock (DefaultMigrationLockTimeout otherwise). Zero or less tries
// once.
func WithMigrationLockTimeout(d time.Duration) Option {
	return func(o *options) { o.lockTimeout = d }
}

// DefaultMaxConns is the size of the PostgreSQL connection pool Open makes,
// unless WithMaxConns says otherwise.
//
// Every connection stays open between uses (as many idle as open): a new
// PostgreSQL connection is a new server process with cold caches, and a pool
// that kept fewer idle than it opened closed and reopened connections on
// every burst, which cost the portal transfer benchmark a third of its
// throughput. More connections than the server has cores to run them only
// queue inside PostgreSQL instead of in the pool: on the 2-core machine of
// BENCHMARKS.md, 8–12 connections did 1.5× the transfers of 20. A common
// rule for a server's total is twice its cores plus its disks, shared by
// every process that connects.
const DefaultMaxConns = 10

// WithMaxConns sets the size of the PostgreSQL connection pool Open makes
// (DefaultMaxConns when not given, or when n < 1). A pool handed to OpenDB
// is the app's to size; SQLite pools are sized by Open.
func WithMaxConns(n int) Option { return func(o *options) { o.maxConns = n } }

// WithPreparedStatements prepares Authenticate's session look-up on PostgreSQL too,
// as it always is on SQLite: a server-side named statement per connection, which
// saves parsing and planning on every authenticated request (about half the
// look-up's time over loopback). Use it only when the library's connections reach
// PostgreSQL directly, or through a pooler that keeps prepared statements with
// their client (PgBouncer 1.21+ with max_prepared_statements > 0, or session
// pooling). Behind a pooler in transaction mode that does not, a statement
// prepared on one server connection is missing, or another client's statement of
// the same name, on the next.
func WithPreparedStatements() Option { return func(o *options) { o.prepare = true } }

// Open connects to the database dsn names and applies pending migrations.
//
//	sqlite://clientele.db        a file relative to the working directory
//	sqlite:///var/lib/app.db     an absolute path
//	sqlite://:memory:            a private in-memory database (tests)
//	postgres://user@host/db      PostgreSQL (postgresql:// works too)
//
// SQLite is pure Go (modernc.org/sqlite; builds with CGO_ENABLED=0); PostgreSQL
// goes through pgx. A DSN Open cannot use is clientele.ErrInvalid, a database that
// does not answer clientele.ErrUnavailable.
//
// On PostgreSQL every connection must have standard_conforming_strings on (see the
// package documentation); Open fails with clientele.ErrInvalid when the server
// starts sessions with it off. Add standard_conforming_strings=on to the DSN to set
// it for the library's sessions whatever the server's default.
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
// default_query_exec_mode=simple_protocol and standard_conforming_strings=on to
// the DSN (bun writes values into the SQL text: the default mode would prepare
// nearly every statement, and the quoting is safe only with standard strings).
// On SQLite, the DSN must carry _pragma=foreign_keys(1),
// _pragma=busy_timeout(5000) and _txlock=immediate (and _pragma=journal_mode(WAL)
// for a file), or one connection (SetMaxOpenConns(1)) for :memory:. OpenDB checks
// the foreign keys (SQLite) and standard_conforming_strings (PostgreSQL) on one
// connection and refuses a pool without them.
func OpenDB(ctx context.Context, sqldb *sql.DB, d Dialect, opts ...Option) (*DB, error) {
	if sqldb == nil {
		return nil, fmt.Errorf("storage: OpenDB needs a *sql.DB: %w", clientele.ErrInvalid)
	}
	if d != SQLite && d != Postgres {
		return nil, fmt.Errorf("storage: OpenDB: unknown dialect %q (want sqlite or postgres): %w", d, clientele.ErrInvalid)
	}
	var check string
	var want string
	if d == SQLite {
		check, want = "PRAGMA foreign_keys", "1"
	} else {
		check, want = "SHOW standard_conforming_strings", "on"
	}
	var got string
	if err := sqldb.QueryRowContext(ctx, check).Scan(&got); err != nil {
		return nil, fmt.Errorf("storage: OpenDB: %w: %w", clientele.ErrUnavailable, err)
	}
	if got != want {
		return nil, fmt.Errorf("storage: OpenDB: %s is %q on the pool handed over; the library needs %q: %w", check, got, want, clientele.ErrInvalid)
	}
	db := newDB(sqldb, d)
	db.borrowed = true
	return db.start(ctx, opts)
}

// start checks the connection and applies pending migrations, closing db when
// either fails.
func (db *DB) start(ctx context.Context, opts []Option) (*DB, error) {
	o := options{migrate: true, lockTimeout: DefaultMigrationLockTimeout, maxAttempts: DefaultMaxAttempts}
	for _, opt := range opts {
		opt(&o)
	}
	db.prepare = o.prepare
	db.outboxMaxAttempts = o.maxAttempts
	if db.dialect == Postgres && !db.borrowed {
		n := o.maxConns
		if n < 1 {
			n = DefaultMaxConns
		}
		db.bun.DB.SetMaxOpenConns(n)
		db.bun.DB.SetMaxIdleConns(n)
	}
	if err := db.ping(ctx, o.lockTimeout); err != nil {
		_ = db.Close()
		if clientele.Kind(err) == nil {
			err = fmt.Errorf("%w: %w", clientele.ErrUnavailable, err)
		}
		return nil, fmt.Errorf("storage: open: %w", err)
	}
	if o.migrate {
		if err := db.migrate(ctx, o.lockTimeout); err != nil {
			_ = db.Close()
			return nil, err
		}
	}
	return db, nil
}

// ping checks the connection. On SQLite it tries again, for up to wait, while
// the database is busy: processes opening a new file together race to turn
// on WAL, and a connection that finds another one writing during that
// switch is told SQLITE_BUSY at once, without its busy timeout.
func (db *DB) ping(ctx context.Context, wait time.Duration) error {
	deadline := time.Now().Add(wait)
	pause := 5 * time.Millisecond
	for {
		err := db.bun.PingContext(ctx)
		if err == nil || db.dialect != SQLite || !sqliteBusy(err) || time.Now().Add(pause).After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(pause):
		}
		pause = min(2*pause, 100*time.Millisecond)
	}
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
	if memory {
		// Not :memory: itself, a database private to one connection: the driver
		// discards a connection on which a cancelled context interrupted a
		// statement, and the next one would open an empty database. A named
		// memdb lives while any connection to it is open, and the DB holds one.
		path = "/clientele-memory-" + uuid.NewString()
		q.Set("vfs", "memdb")
	} else {
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", "synchronous(NORMAL)")
	}
	dsn := "file:" + path + "?" + q.Encode()
	// modernc's driver, by its registered name; not bun's sqliteshim, which picks
	// the cgo driver on some platforms, where these _pragma options and the error
	// codes translate reads do not apply.
	sqldb, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("storage: open sqlite: %w: %w", clientele.ErrInvalid, err)
	}
	if !memory {
		return newDB(sqldb, SQLite), nil
	}
	keep, err := sqldb.Driver().Open(dsn)
	if err != nil {
		_ = sqldb.Close()
		return nil, fmt.Errorf("storage: open sqlite: %w: %w", clientele.ErrUnavailable, err)
	}
	// One connection at a time, as with a single :memory: connection: memdb has
	// no WAL, so a reader beside a writer would wait on the lock anyway.
	sqldb.SetMaxOpenConns(1)
	sqldb.SetMaxIdleConns(1)
	sqldb.SetConnMaxLifetime(0)
	sqldb.SetConnMaxIdleTime(0)
	db := newDB(sqldb, SQLite)
	db.memory = keep
	return db, nil
}

func openPostgres(dsn string) (*DB, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		// url.Parse's error repeats the DSN, password included: leave it out.
		return nil, fmt.Errorf("storage: open postgres: DSN is not a URL: %w", clientele.ErrInvalid)
	}
	q := u.Query()
	// bun writes values into the SQL text; pgx's default mode would prepare a new
	// statement for nearly every query.
	if q.Get("default_query_exec_mode") == "" {
		q.Set("default_query_exec_mode", "simple_protocol")
	}
	u.RawQuery = encodeQuery(q)
	cfg, err := pgx.ParseConfig(u.String()) // its error hides the password
	if err != nil {
		return nil, fmt.Errorf("storage: open postgres: %w: %w", clientele.ErrInvalid, err)
	}
	sqldb := stdlib.OpenDB(*cfg,
		stdlib.OptionAfterConnect(func(_ context.Context, c *pgx.Conn) error { return checkStandardStrings(c) }),
		stdlib.OptionResetSession(func(_ context.Context, c *pgx.Conn) error {
			if checkStandardStrings(c) != nil {
				return driver.ErrBadConn // someone turned it off: discard the connection
			}
			return nil
		}),
	)
	sqldb.SetConnMaxIdleTime(5 * time.Minute) // the pool's size: start

	return newDB(sqldb, Postgres), nil
}

// encodeQuery encodes q with spaces as %20: pgx reads a "+" in a DSN literally, so
// url.Values.Encode's "+" would turn options=-c%20x into "-c+x".
func encodeQuery(q url.Values) string {
	return strings.ReplaceAll(q.Encode(), "+", "%20") // Encode writes a literal "+" as %2B
}

// checkStandardStrings refuses a PostgreSQL session that reads backslashes in
// string literals as escapes: bun quotes values into the SQL text, doubling single
// quotes only, which is safe exactly when standard_conforming_strings is on. The
// server reports the setting when the session starts and whenever it changes, so
// the check costs no round trip.
func checkStandardStrings(c *pgx.Conn) error {
	if v := c.PgConn().ParameterStatus("standard_conforming_strings"); v != "on" {
		return fmt.Errorf("storage: PostgreSQL session has standard_conforming_strings %q; the library needs it on "+
			"(turn it on for the server, database or role, or add standard_conforming_strings=on to the DSN): %w",
			v, clientele.ErrInvalid)
	}
	return nil
}

// newDB wraps a pool of the given engine. Its connection resolver sends queries
// made with a ctx that carries one of db's transactions into that transaction.
func newDB(sqldb *sql.DB, d Dialect) *DB {
	r := &txResolver{}
	db := &DB{dialect: d, outboxMaxAttempts: DefaultMaxAttempts, driveMax: scopeDriveMax}
	if d == Postgres {
		db.records = &batcher[recordItem, bool]{run: db.recordBatch, key: func(it recordItem) string { return strconv.FormatInt(it.lock, 16) }}
		db.settles = &batcher[settleItem, portal.Transfer]{run: db.settleBatch, key: func(it settleItem) string { return it.tenantID + "\x00" + it.id }}
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
	err := db.bun.Close()
	if db.memory != nil {
		err = errors.Join(err, db.memory.Close()) // the last connection: the database goes
	}
	return err
}

// rowQuerier runs one query that returns at most one row: a *sql.Stmt, or an
// unprepared query on the pool.
type rowQuerier interface {
	QueryRowContext(ctx context.Context, args ...any) *sql.Row
}

// prepared returns a hot-path query ready to run. On SQLite it is prepared once for
// the life of db (parsing costs more than running it). On PostgreSQL it is not
// prepared unless WithPreparedStatements says so: a prepared statement is named on
// one server connection, and behind a pooler in transaction mode (PgBouncer) the
// next call may run on another. Unprepared, pgx's simple protocol sends the query
// with its argument quoted in, in one message.
func (db *DB) prepared(ctx context.Context, query string) (rowQuerier, error) {
	tx, inTx := db.txFrom(ctx)
	if db.dialect == Postgres && !db.prepare {
		if inTx {
			return unprepared{db: tx.Tx, query: query}, nil
		}
		return unprepared{db: db.bun.DB, query: query}, nil
	}
	st, err := db.preparedOnPool(ctx, query)
	if err != nil || !inTx {
		return st, err
	}
	return tx.Tx.StmtContext(ctx, st), nil
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

// unprepared runs query on the pool (or the ctx's transaction) each time.
type unprepared struct {
	db interface {
		QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	}
	query string
}

func (u unprepared) QueryRowContext(ctx context.Context, args ...any) *sql.Row {
	return u.db.QueryRowContext(ctx, u.query, args...)
}

// Migrate applies pending migrations. It is safe to call on an up-to-date database.
// It waits up to DefaultMigrationLockTimeout for another process's migration lock;
// ctx can end the wait sooner.
func (db *DB) Migrate(ctx context.Context) error {
	return db.migrate(ctx, DefaultMigrationLockTimeout)
}

// Names of bun/migrate's tables.
const (
	migrationsTable     = "clientele_migrations"
	migrationLocksTable = "clientele_migration_locks"
)

func (db *DB) migrate(ctx context.Context, lockTimeout time.Duration) error {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		return fmt.Errorf("storage: migrate: %w", err)
	}
	ms := migrate.NewMigrations()
	if err := ms.Discover(sub); err != nil {
		return fmt.Errorf("storage: migrate: %w", err)
	}
	m := migrate.NewMigrator(db.bun, ms,
		migrate.WithTableName(migrationsTable),
		migrate.WithLocksTableName(migrationLocksTable),
		migrate.WithMarkAppliedOnSuccess(true),
		migrate.WithTemplateData(db.migrationVars()),
	)
	if err := initMigrations(ctx, m); err != nil {
		return err
	}
	// Several processes may start at once; the lock table serializes them.
	if err := lockMigrations(ctx, m, lockTimeout); err != nil {
		return err
	}
	defer func() { _ = m.Unlock(context.WithoutCancel(ctx)) }()
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

// initMigrations creates bun/migrate's two tables if they are missing. Processes
// starting together on a new PostgreSQL database race in CREATE TABLE IF NOT EXISTS
// (one gets a unique violation in the catalogue, or "already exists"); the loser
// tries again and finds the tables.
func initMigrations(ctx context.Context, m *migrate.Migrator) error {
	var err error
	for range 5 {
		if err = m.Init(ctx); err == nil || !createRace(err) {
			break
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("storage: migrate: init: %w", ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
	if err != nil {
		return fmt.Errorf("storage: migrate: init: %w", translate(err))
	}
	return nil
}

// lockMigrations takes bun/migrate's lock (a row in clientele_migration_locks),
// waiting up to timeout while another process holds it.
func lockMigrations(ctx context.Context, m *migrate.Migrator, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		err := m.Lock(ctx)
		if err == nil {
			return nil
		}
		if uniqueViolation(err) == "" { // not held by someone else: a real failure
			return fmt.Errorf("storage: migrate: lock: %w", translate(err))
		}
		wait := min(100*time.Millisecond, time.Until(deadline))
		if wait <= 0 {
			return fmt.Errorf("storage: migrate: the migration lock (a row in %s) is still held after %s: "+
				"another process is migrating this database, or one stopped while migrating. "+
				"If no other process is migrating, clear it with "+
				"DELETE FROM %s WHERE table_name = '%s': %w",
				migrationLocksTable, timeout, migrationLocksTable, migrationsTable, clientele.ErrUnavailable)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("storage: migrate: waiting for the migration lock (a row in %s): %w",
				migrationLocksTable, ctx.Err())
		case <-time.After(wait):
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

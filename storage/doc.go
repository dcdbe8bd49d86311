// Package storage implements the store interfaces of the domain packages (clients,
// users, authz, tenants) and the Persistence adapter with uptrace/bun, on embedded
// SQLite (pure Go, the default) and PostgreSQL.
//
//	db, err := storage.Open(ctx, "sqlite://clientele.db")   // or postgres://…
//	svc, err := clients.New(db.Clients(), authorizer)
//
// An app that already has a pool hands it over with OpenDB instead.
//
// Open applies the embedded migrations (bun/migrate, tables clientele_migrations
// and clientele_migration_locks) unless WithoutMigrations is given. A process that
// migrates holds a row in clientele_migration_locks; Open waits for it at most
// DefaultMigrationLockTimeout (30 s; WithMigrationLockTimeout changes it) and then
// fails, naming the table. A process that crashed while migrating leaves that row
// behind: when no other process is migrating, delete it (DELETE FROM
// clientele_migration_locks WHERE table_name = 'clientele_migrations'). The two
// dialects share models and behaviour; their SQL differs where the engines do
// (JSONB and TIMESTAMPTZ, and a trigram index for name search, on PostgreSQL).
//
// Behaviour every store keeps:
//   - Every query filters on the tenant; no method reads across tenants except
//     TenantStore's, which serve the deployment's node operator.
//   - Updates run in a transaction through a callback (the row is locked with
//     SELECT … FOR UPDATE on PostgreSQL; SQLite transactions take the write lock at
//     BEGIN) and are guarded by the row's version.
//   - Audit entries and idempotency keys are written in the same transaction as the
//     change they belong to.
//   - Idempotency (package idempotency) is one mechanism over one table,
//     idempotency_keys, for clients' and users' creates and the Persistence
//     adapter's changes alike: a key is scoped to tenant, principal and
//     operation, stores the request hash, the result (the created entity's ID, or
//     the adapter's JSON response) and when it was recorded, and is ignored after
//     idempotency.TTL (24 h) and deleted by the dispatcher's hourly prune job.
//     The Persistence adapter's keys have no user behind them: their principal
//     is the fixed name "adapters.Persistence".
//   - A duplicate that arrives while the first request is in flight: on
//     PostgreSQL each key has a transaction-scoped advisory lock, so a create
//     (clients, users) answers at once with ErrConflict ("a request with this
//     idempotency key is in progress") instead of waiting, and the caller's retry
//     a moment later replays; the Persistence adapter, whose contract has
//     concurrent duplicates succeed, waits for the first and replays it. On
//     SQLite every write transaction takes the database's write lock at BEGIN,
//     so a duplicate cannot start before the first has committed: it waits like
//     any writer (up to the busy timeout) and replays. Inside one app
//     transaction (DB.InTx) a repeated key replays what that transaction
//     recorded.
//   - Driver errors become the library's kinds, and the driver's own error
//     (*pgconn.PgError, *sqlite.Error) stays reachable with errors.As: no rows →
//     clientele.ErrNotFound; a unique, primary-key or foreign-key violation →
//     clientele.ErrConflict (the change collides with rows that exist, or no longer
//     do); a check or not-null violation, or a value the column cannot hold →
//     clientele.ErrInvalid; lock contention (SQLITE_BUSY, SQLITE_LOCKED, PostgreSQL
//     serialization failure 40001, deadlock 40P01, lock not available 55P03) and
//     anything else from the database → clientele.ErrUnavailable (retry later). A
//     conflict or invalid-input error names the broken rule ("conflict: foreign key
//     violation"), not the driver's text with its table names; an unavailable error
//     keeps the driver's text for the operator's log.
//   - Times are stored and returned in UTC, at microsecond precision.
//
// # Values in SQL
//
// bun writes every value of the stores' queries into the SQL text itself, quoted by the dialect (a query's
// ? placeholders are filled in before it is sent; they are not bound parameters of
// the database protocol). No input is ever concatenated into SQL unquoted. On
// PostgreSQL this quoting is safe only with standard_conforming_strings on, so every
// connection is checked when it is opened and again each time the pool hands it
// out (the server reports the setting, so the checks cost no round trip): Open fails
// with clientele.ErrInvalid when the server starts sessions with it off, and a
// pooled connection on which someone turned it off is discarded. Adding
// standard_conforming_strings=on to the DSN sets it for the library's sessions.
//
// SessionByDigest (behind users' Authenticate) bypasses bun: its query (the
// session joined with its user, the user's associate and the associate's
// classification, and a customer's portal access) has one parameter, bound by a prepared statement on SQLite and
// quoted in by pgx's simple protocol on PostgreSQL.
//
// # Connection poolers
//
// On PostgreSQL the library prepares no statement by default (pgx runs in
// simple-protocol mode), so it works behind PgBouncer in transaction pooling mode.
// WithPreparedStatements prepares the session look-up, about halving its time; use
// it only without such a pooler, or with PgBouncer 1.21+ and max_prepared_statements
// set. A DSN that sets default_query_exec_mode to a mode that prepares statements
// makes the same requirement.
//
// SQLite is modernc.org/sqlite (pure Go), registered as "sqlite".
//
// # Connection pool
//
// Open's PostgreSQL pool holds DefaultMaxConns connections (WithMaxConns), all
// kept open between uses: a new connection is a new server process. Size it
// to what the server can run at once, shared by every process that connects;
// a larger pool only queues inside PostgreSQL.
//
// # Group commit
//
// A portal transfer's record and its settlement are one statement each on
// PostgreSQL (data-modifying WITH clauses, every later write guarded by the
// first one's outcome), and the records, or settlements, that requests make
// while the last such statement runs go together as the next one, each with
// its own outcome: a transfer is recorded, or settled, exactly as alone, only
// with fewer statements under load. A statement that fails because of what
// it carried is tried again for each transfer alone; one the database could
// not run (a timeout, a lost connection) fails its transfers. Inside an app's transaction, and on
// SQLite, these writes are a transaction of their own as everywhere else.
//
// # Transactions: the unit of work
//
// Every library write is one transaction: the row, its audit entry and the
// outbox effects it implies. An app joins library writes to its own with
// DB.InTx: inside fn, the ctx it receives carries the transaction, and every
// service or store call made with that ctx joins it (under a savepoint, so a
// failed library call undoes only itself), reads included. The library uses the
// same mechanism itself, so a service never opens a second transaction behind
// its caller's back.
//
//	err := db.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
//		c, err := clientsSvc.Create(ctx, principal, in, key) // joins tx
//		if err != nil {
//			return err
//		}
//		_, err = tx.ExecContext(ctx, "INSERT INTO loan_applications …", c.ID)
//		return err // commit, or roll back everything
//	})
//
// On SQLite one write transaction runs at a time: a library call made while the
// app holds its write transaction must be given the ctx InTx passed to fn, or it
// waits for that transaction like any other writer.
//
// # The outbox
//
// Effects (package outbox) are recorded in clientele_effects and travel as River
// jobs (riverqueue/river, whose tables the migrations also create), inserted in
// the change's transaction. A Dispatcher (NewDispatcher, Start, Stop) works
// them: retries with exponential backoff, parks an effect that keeps failing,
// and keeps per entity and adapter a Progress record under a lease, so handlers
// can send state, not deltas, and never race on one entity. EffectStore lists
// effects per tenant and per entity and replays parked ones. An app may enqueue
// effects of its own with DB.Enqueue.
//
// An effect with a Delay (outbox.Effect) is one its own request delivers right
// after commit: it is recorded without a job, the request's store call that
// records the outcome marks it delivered in the same transaction (the portal's
// SettleTransfer), and a request that cannot deliver it hands it over, which
// gives it a job at once (PortalStore.HandOver). If the request does neither
// (its process stopped), every Dispatcher's sweep (WithSweep, each second by
// default) gives it a job once its Delay has passed. So the dispatcher only
// works what the request could not, and a transfer the request completed costs
// no River job at all.
//
// A sqlite://:memory: store uses one connection at a time: do not call the store
// from inside another store call's callback with a ctx that does not carry its
// transaction. Use a file (sqlite://path) for a dispatcher.
package storage

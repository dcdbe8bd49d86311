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
// and clientele_migration_locks) unless WithoutMigrations is given. The two
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
//   - Driver errors become the library's kinds: no rows → clientele.ErrNotFound, a
//     unique violation → clientele.ErrConflict, anything else from the database →
//     clientele.ErrUnavailable.
//   - Times are stored and returned in UTC, at microsecond precision.
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
// A sqlite://:memory: database lives in a single connection: do not call the store
// from inside another store call's callback with a ctx that does not carry its
// transaction. Use a file (sqlite://path) for a dispatcher.
package storage

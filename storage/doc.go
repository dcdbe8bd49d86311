// Package storage implements the store interfaces of the domain packages (clients,
// users, authz, tenants) and the Persistence adapter with uptrace/bun, on embedded
// SQLite (pure Go, the default) and PostgreSQL.
//
//	db, err := storage.Open(ctx, "sqlite://clientele.db")   // or postgres://…
//	svc, err := clients.New(db.Clients(), authorizer)
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
// A sqlite://:memory: database lives in a single connection: do not call the store
// from inside another store call's callback.
package storage

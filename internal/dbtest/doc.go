// Package dbtest opens the library's store for tests: on an in-memory SQLite
// database always, and on PostgreSQL when CLIENTELE_TEST_POSTGRES holds a DSN. Each
// call gets a fresh database (a private schema on PostgreSQL), dropped when the test
// ends. A DSN that is set is always used. Without one, the PostgreSQL half is skipped
// with a message, or fails when CI is truthy (true, 1, yes or on, in any case).
//
// StartDispatcher runs the outbox's dispatcher on a store (a SQLite file, as
// EachPooled gives, or PostgreSQL) and Drain waits until it has delivered every
// effect committed so far.
package dbtest

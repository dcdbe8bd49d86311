package storage

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/uptrace/bun"

	"github.com/clientele-go/clientele"
)

// txKey carries the transaction a caller opened with InTx.
type txKey struct{}

type ctxTx struct {
	db *DB
	tx bun.Tx
}

// InTx runs fn in one transaction of db and commits it when fn returns nil, or
// rolls it back when fn fails. Every library call made with the ctx fn receives
// (any service or store method on this DB) joins that transaction: its rows,
// audit entries and outbox effects commit or roll back with the app's own
// writes, which the app makes through tx. A library call that fails inside it
// rolls back to where it began (a savepoint), so the app may handle the error
// and go on or give up.
//
// Called with a ctx that already carries a transaction of db, InTx joins it
// too (under a savepoint) instead of opening a second one.
//
// On SQLite one write transaction runs at a time per database: a library call
// made while the app holds its write transaction must use the ctx InTx passed
// to fn, or it waits for that transaction (up to the busy timeout) like any
// other writer.
func (db *DB) InTx(ctx context.Context, fn func(ctx context.Context, tx *sql.Tx) error) error {
	if fn == nil {
		return fmt.Errorf("storage: InTx needs a function: %w", clientele.ErrInvalid)
	}
	return db.inTxCtx(ctx, func(ctx context.Context, tx bun.Tx) error { return fn(ctx, tx.Tx) })
}

// inTx runs fn in the caller's transaction (under a savepoint) when ctx carries
// one of db's, otherwise in a new transaction. On PostgreSQL callers lock rows
// they change with forUpdate; SQLite transactions take the write lock at BEGIN.
func (db *DB) inTx(ctx context.Context, fn func(tx bun.Tx) error) error {
	return db.inTxCtx(ctx, func(_ context.Context, tx bun.Tx) error { return fn(tx) })
}

func (db *DB) inTxCtx(ctx context.Context, fn func(ctx context.Context, tx bun.Tx) error) error {
	if outer, ok := db.txFrom(ctx); ok {
		return outer.RunInTx(ctx, nil, func(_ context.Context, sp bun.Tx) error { return fn(ctx, sp) })
	}
	return db.bun.RunInTx(ctx, nil, func(_ context.Context, tx bun.Tx) error {
		return fn(context.WithValue(ctx, txKey{}, &ctxTx{db: db, tx: tx}), tx)
	})
}

// txFrom returns db's transaction that ctx carries.
func (db *DB) txFrom(ctx context.Context) (bun.Tx, bool) {
	v, ok := ctx.Value(txKey{}).(*ctxTx)
	if !ok || v.db != db {
		return bun.Tx{}, false
	}
	return v.tx, true
}

// txResolver sends every query built on the DB (not on a bun.Tx) with a ctx
// that carries one of its transactions into that transaction, so reads made
// inside InTx see its uncommitted writes and never wait on another connection.
type txResolver struct{ db *DB }

func (r *txResolver) ResolveConn(ctx context.Context, _ bun.Query) bun.IConn {
	if r.db == nil {
		return nil
	}
	if tx, ok := r.db.txFrom(ctx); ok {
		return tx.Tx
	}
	return nil
}

func (r *txResolver) Close() error { return nil }

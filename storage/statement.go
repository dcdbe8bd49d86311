package storage

import (
	"context"
	"reflect"

	"github.com/uptrace/bun/schema"
)

// One statement instead of a transaction, on PostgreSQL.
//
// Under load every statement costs PostgreSQL about the same, whatever it
// does: the round trip, parsing, planning and, for a transaction, BEGIN and
// COMMIT (see BENCHMARKS.md, issue 13). A write path that runs on every
// request (a portal transfer's record and its settlement) therefore sends
// its rows as one statement: data-modifying WITH clauses, each later write
// guarded by the first one's RETURNING, so that the statement writes all of
// them or none, atomically, as its own transaction. SQLite has no
// data-modifying WITH, and an app's transaction runs its statements one by
// one anyway: both keep the transaction path, which is also every such
// path's answer to anything but the plain case (a key already known, a
// transfer already settled).

// oneStatement reports whether a write path sends its rows as one
// statement: on PostgreSQL, outside an app's transaction.
func (db *DB) oneStatement(ctx context.Context) bool {
	if db.dialect != Postgres {
		return false
	}
	_, inApp := db.txFrom(ctx)
	return !inApp
}

// sqlText is SQL that is already complete: appended as it is, never
// scanned for placeholders (a value in it may hold a '?').
type sqlText []byte

func (s sqlText) AppendQuery(_ schema.QueryGen, b []byte) ([]byte, error) {
	return append(b, s...), nil
}

// appendInsertWhere appends to b the INSERT of the row model points to,
// as INSERT INTO table (columns) SELECT values WHERE cond: every column bun's
// own INSERT would write, each value written by bun.
func (db *DB) appendInsertWhere(b []byte, model any, cond string) []byte {
	v := reflect.ValueOf(model).Elem()
	t := db.bun.Table(v.Type())
	gen := db.bun.QueryGen()
	b = append(b, "INSERT INTO "...)
	b = append(b, t.SQLName...)
	b = append(b, " ("...)
	for i, f := range t.Fields {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = append(b, f.SQLName...)
	}
	b = append(b, ") SELECT "...)
	for i, f := range t.Fields {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = f.AppendValue(gen, b, v)
	}
	b = append(b, " WHERE "...)
	return append(b, cond...)
}

// appendQuery appends q, built on db's dialect, to b.
func (db *DB) appendQuery(b []byte, q schema.QueryAppender) ([]byte, error) {
	return q.AppendQuery(db.bun.QueryGen(), b)
}

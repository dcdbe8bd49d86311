package storage

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"time"

	"github.com/uptrace/bun/schema"

	"github.com/clientele-go/clientele"
)

// One statement for many writes, on PostgreSQL.
//
// A write that every request makes (a portal transfer's record and its
// settlement) costs PostgreSQL mostly per statement: the round trip,
// parsing, planning and the commit (see BENCHMARKS.md, issue 13). Such a
// write is therefore one statement instead of a transaction:
// data-modifying WITH clauses, each later write guarded by the first one's
// RETURNING, so that the statement writes all of a write's rows or none,
// atomically. And a batcher sends the writes that arrive while its last
// statement is in flight as the next one, with one row of input per write
// (group commit): a request alone goes at once, and under load each
// statement carries every write that queued behind the last. Each write's
// outcome is its own (its rows are guarded by its own conditions inside the
// statement); if the statement fails because of what it carried, every
// write in it is tried again alone, so that one bad write never fails
// another, and if the database could not run it (a timeout, a lost
// connection), every write in it gets that error.
//
// SQLite has no data-modifying WITH, and an app's transaction runs its
// statements one by one anyway: both keep the transaction path, which is
// also every such write's answer to anything but the plain case (a key
// already known, a transfer already settled).

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

// batcher runs the calls that queue while its statement is in flight as
// one statement, next. One statement at a time: on the 2-core machine of
// BENCHMARKS.md, settlements batched that way (about 5 per statement) did
// 30–40 % more transfers per second than one statement per settlement, and
// two in flight at once (3 per statement) fell between.
type batcher[T, R any] struct {
	// run makes one statement of items and returns a result per item, in
	// order.
	run func(ctx context.Context, items []T) ([]R, error)
	// key: two items with one key never share a statement ("" never
	// conflicts).
	key func(T) string

	mu    sync.Mutex
	queue []*batchCall[T, R]
	busy  bool // a statement is in flight
}

// batchMax is the most items one statement carries.
const batchMax = 64

type batchCall[T, R any] struct {
	item T
	res  R
	err  error
	// batch is set when this call is to run a statement (it is in it).
	batch []*batchCall[T, R]
	done  chan struct{}
}

// do runs item in a statement, alone or with others, and returns its
// result. Once queued an item is written whatever becomes of ctx (the
// statement runs without its cancellation), as a single statement would be
// once sent.
func (b *batcher[T, R]) do(ctx context.Context, item T) (R, error) {
	c := &batchCall[T, R]{item: item, done: make(chan struct{}, 1)}
	b.mu.Lock()
	b.queue = append(b.queue, c)
	if !b.busy {
		b.busy = true
		c.batch = b.takeLocked()
		b.mu.Unlock()
	} else {
		b.mu.Unlock()
		<-c.done
	}
	if c.batch != nil {
		b.runBatch(context.WithoutCancel(ctx), c.batch)
		b.handOff()
	}
	return c.res, c.err
}

// takeLocked takes the next statement's calls off the queue, oldest first,
// leaving behind a call whose key is already in it.
func (b *batcher[T, R]) takeLocked() []*batchCall[T, R] {
	var batch, rest []*batchCall[T, R]
	keys := map[string]bool{}
	for _, c := range b.queue {
		k := ""
		if b.key != nil {
			k = b.key(c.item)
		}
		if len(batch) == batchMax || (k != "" && keys[k]) {
			rest = append(rest, c)
			continue
		}
		keys[k] = k != ""
		batch = append(batch, c)
	}
	b.queue = rest
	return batch
}

// handOff gives the next statement to the oldest queued call, with the
// calls it is to run, or ends the batcher's turn.
func (b *batcher[T, R]) handOff() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.queue) == 0 {
		b.busy = false
		return
	}
	batch := b.takeLocked()
	batch[0].batch = batch
	batch[0].done <- struct{}{}
}

// batchTimeout bounds one statement of a batcher: its callers wait for it
// whatever their own contexts say, so a statement stuck on a lock must not
// hold every later write of the process with it.
const batchTimeout = 10 * time.Second

// runBatch runs calls as one statement and wakes every call but the first,
// which runs it. If the statement fails because of what it carried, each
// call is tried again alone; if the database could not run it (a timeout,
// a lost connection), every call gets that error.
func (b *batcher[T, R]) runBatch(ctx context.Context, calls []*batchCall[T, R]) {
	items := make([]T, len(calls))
	for i, c := range calls {
		items[i] = c.item
	}
	res, err := b.runBounded(ctx, items)
	alone := err != nil && len(calls) > 1 && !errors.Is(err, context.DeadlineExceeded) &&
		!errors.Is(err, clientele.ErrUnavailable)
	for i, c := range calls {
		switch {
		case err == nil:
			c.res = res[i]
		case alone:
			one, err := b.runBounded(ctx, items[i:i+1])
			if err != nil {
				c.err = err
			} else {
				c.res = one[0]
			}
		default:
			c.err = err
		}
		if i > 0 {
			c.done <- struct{}{}
		}
	}
}

// runBounded is run within batchTimeout, with a result per item, and a
// panic in it an error (the batcher must go on to the next statement).
func (b *batcher[T, R]) runBounded(ctx context.Context, items []T) (res []R, err error) {
	ctx, cancel := context.WithTimeout(ctx, batchTimeout)
	defer cancel()
	defer func() {
		if p := recover(); p != nil {
			res, err = nil, fmt.Errorf("storage: batch of %d: %v", len(items), p)
		}
	}()
	res, err = b.run(ctx, items)
	if err == nil && len(res) != len(items) {
		err = fmt.Errorf("storage: batch of %d gave %d results", len(items), len(res))
	}
	return res, err
}

// columnTypes returns the SQL type of each column of t's table as the
// database has it (PostgreSQL), read once per DB.
func (db *DB) columnTypes(ctx context.Context, t *schema.Table) (map[string]string, error) {
	if v, ok := db.colTypes.Load(t.Name); ok {
		return v.(map[string]string), nil
	}
	rows, err := db.bun.DB.QueryContext(ctx, `SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute
		WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped`, t.Name)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	types := map[string]string{}
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			return nil, translate(err)
		}
		types[name] = typ
	}
	if err := rows.Err(); err != nil {
		return nil, translate(err)
	}
	for _, f := range t.Fields {
		if types[f.Name] == "" {
			return nil, fmt.Errorf("storage: table %s has no column %s", t.Name, f.Name)
		}
	}
	db.colTypes.Store(t.Name, types)
	return types, nil
}

// appendInsertRows appends to b the INSERT of rows (pointers to structs of
// one bun model) as
//
//	INSERT INTO table (columns) SELECT columns
//	FROM unnest(ARRAY[…]::type[], …) WITH ORDINALITY AS v(columns, ord) WHERE cond
//
// every column bun's own INSERT would write, each value written by bun and
// cast to the column's type; cond may refer to v's columns and to ord, the
// row's place in rows from 1.
func (db *DB) appendInsertRows(ctx context.Context, b []byte, rows []any, cond string) ([]byte, error) {
	if len(rows) == 0 {
		return nil, errors.New("storage: an INSERT of no rows")
	}
	t := db.bun.Table(reflect.TypeOf(rows[0]).Elem())
	types, err := db.columnTypes(ctx, t)
	if err != nil {
		return nil, err
	}
	gen := db.bun.QueryGen()
	columns := func(b []byte) []byte {
		for i, f := range t.Fields {
			if i > 0 {
				b = append(b, ", "...)
			}
			b = append(b, f.SQLName...)
		}
		return b
	}
	b = append(b, "INSERT INTO "...)
	b = append(b, t.SQLName...)
	b = append(b, " ("...)
	b = columns(b)
	b = append(b, ") SELECT "...)
	b = columns(b)
	b = append(b, " FROM unnest("...)
	for i, f := range t.Fields {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = append(b, "ARRAY["...)
		for j, row := range rows {
			if j > 0 {
				b = append(b, ", "...)
			}
			b = f.AppendValue(gen, b, reflect.ValueOf(row).Elem())
		}
		b = append(b, "]::"...)
		b = append(b, types[f.Name]...)
		b = append(b, "[]"...)
	}
	b = append(b, ") WITH ORDINALITY AS v("...)
	b = columns(b)
	b = append(b, ", ord) WHERE "...)
	return append(b, cond...), nil
}

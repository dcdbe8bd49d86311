package storage_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/internal/dbtest"
	"github.com/clientele-go/clientele/internal/testkit"
	"github.com/clientele-go/clientele/outbox"
	"github.com/clientele-go/clientele/storage"
)

// The app's own row, a library write and an outbox effect commit or roll back
// together.
func TestInTxJoinsTheAppTransaction(t *testing.T) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		_, err := db.SQL().ExecContext(ctx, "CREATE TABLE app_orders (id TEXT PRIMARY KEY)")
		require.NoError(t, err)
		boom := errors.New("app gives up")
		write := func(id string, fail bool) error {
			return db.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
				if _, err := tx.ExecContext(ctx, "INSERT INTO app_orders (id) VALUES ('"+id+"')"); err != nil {
					return err
				}
				if err := db.Tenants().Create(ctx, testkit.Tenant(id)); err != nil {
					return err
				}
				// A read inside the transaction sees its own writes.
				if _, err := db.Tenants().Get(ctx, id); err != nil {
					return err
				}
				if err := db.Enqueue(ctx, effect(id, "c1", "k-"+id)); err != nil {
					return err
				}
				if fail {
					return boom
				}
				return nil
			})
		}
		require.ErrorIs(t, write("rolled", true), boom)
		_, err = db.Tenants().Get(ctx, "rolled")
		assert.ErrorIs(t, err, clientele.ErrNotFound, "the library's write rolled back with the app's")
		var n int
		require.NoError(t, db.SQL().QueryRowContext(ctx, "SELECT count(*) FROM app_orders").Scan(&n))
		assert.Zero(t, n)
		recs, _, err := db.Effects().List(ctx, "rolled", outbox.Filter{}, "", 10)
		require.NoError(t, err)
		assert.Empty(t, recs, "no effect survives a rollback")
		require.NoError(t, db.SQL().QueryRowContext(ctx, "SELECT count(*) FROM river_job").Scan(&n))
		assert.Zero(t, n, "no River job survives a rollback")

		require.NoError(t, write("kept", false))
		_, err = db.Tenants().Get(ctx, "kept")
		assert.NoError(t, err)
		recs, _, err = db.Effects().List(ctx, "kept", outbox.Filter{}, "", 10)
		require.NoError(t, err)
		assert.Len(t, recs, 1)
		require.NoError(t, db.SQL().QueryRowContext(ctx, "SELECT count(*) FROM river_job").Scan(&n))
		assert.Equal(t, 1, n)
	})
}

// A library call that fails inside the app's transaction undoes only itself: the
// app may go on and commit.
func TestInTxFailedCallRollsBackToItsSavepoint(t *testing.T) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		require.NoError(t, db.Tenants().Create(ctx, testkit.Tenant("t1")))
		err := db.InTx(ctx, func(ctx context.Context, _ *sql.Tx) error {
			err := db.Tenants().Create(ctx, testkit.Tenant("t1"))
			require.ErrorIs(t, err, clientele.ErrConflict)
			return db.Tenants().Create(ctx, testkit.Tenant("t2"))
		})
		require.NoError(t, err)
		_, err = db.Tenants().Get(ctx, "t2")
		assert.NoError(t, err)
	})
}

// On SQLite a call that joins the app's write transaction never waits for the
// busy timeout.
func TestInTxSQLiteJoinsWithoutWaiting(t *testing.T) {
	db := dbtest.SQLiteFile(t)
	ctx := context.Background()
	start := time.Now()
	err := db.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		for _, id := range []string{"a", "b", "c"} {
			if err := db.Tenants().Create(ctx, testkit.Tenant(id)); err != nil {
				return err
			}
		}
		return nil
	})
	require.NoError(t, err)
	assert.Less(t, time.Since(start), time.Second)
}

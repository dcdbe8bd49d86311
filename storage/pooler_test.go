package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/idempotency"
	"github.com/clientele-go/clientele/internal/dbtest"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/users"
)

// TestSessionLookupLeavesNoServerStatement: behind PgBouncer in transaction
// pooling mode the next query may run on another server connection, where a
// statement prepared on the first does not exist. The session look-up (every
// authenticated request) must therefore not rely on one on PostgreSQL.
func TestSessionLookupLeavesNoServerStatement(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *storage.DB) {
		n := sessionLookups(t, db)
		if db.Dialect() == storage.Postgres {
			assert.Zero(t, n, "no named statement is left on the server connection")
		}
	})
	t.Run("postgres WithPreparedStatements", func(t *testing.T) {
		db, err := storage.Open(context.Background(), dbtest.PostgresURL(t), storage.WithPreparedStatements())
		require.NoError(t, err)
		defer func() { _ = db.Close() }()
		assert.Equal(t, 1, sessionLookups(t, db), "the look-up is prepared once on the connection")
	})
}

// sessionLookups opens a session, looks it up three times on a pool of one
// connection, and returns the number of statements prepared on PostgreSQL.
func sessionLookups(t *testing.T, db *storage.DB) int {
	t.Helper()
	ctx := context.Background()
	db.SQL().SetMaxOpenConns(1) // the check below sees the look-up's connection
	s := userStore(t, db)
	_, _, err := s.Create(ctx, account("t1", u1, u1+"@x.example", ""), nil, idempotency.Key{}, entry("t1", u1, "US001"))
	require.NoError(t, err)
	_, err = s.Change(ctx, "t1", u1, func(ch *users.Change) error {
		ch.Session = &users.SessionRecord{ID: "s-1", Digest: "d-1", Method: users.ChannelEmail, CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
		return nil
	})
	require.NoError(t, err)
	for range 3 {
		sv, err := s.SessionByDigest(ctx, "d-1")
		require.NoError(t, err)
		assert.Equal(t, u1, sv.UserID)
	}
	if db.Dialect() != storage.Postgres {
		return 0
	}
	var n int
	require.NoError(t, db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM pg_prepared_statements`).Scan(&n))
	return n
}

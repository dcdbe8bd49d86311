package storage_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/internal/dbtest"
	"github.com/clientele-go/clientele/storage"
)

func TestMigrateIsIdempotentAndDialectAware(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		require.NoError(t, db.Migrate(ctx), "migrating an up-to-date database is a no-op")
		if db.Dialect() != storage.Postgres {
			return
		}
		var n int
		require.NoError(t, db.SQL().QueryRowContext(ctx,
			`SELECT count(*) FROM pg_indexes WHERE schemaname = current_schema() AND indexname = 'clients_name_trgm'`).Scan(&n))
		assert.Equal(t, 1, n, "the trigram index serves name search on PostgreSQL")
		var typ string
		require.NoError(t, db.SQL().QueryRowContext(ctx,
			`SELECT data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'clients' AND column_name = 'profile'`).Scan(&typ))
		assert.Equal(t, "jsonb", typ)
	})
}

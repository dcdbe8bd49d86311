package storage_test

import (
	"testing"

	"github.com/clientele-go/clientele/adapters"
	"github.com/clientele-go/clientele/adapters/adaptertest"
	"github.com/clientele-go/clientele/internal/dbtest"
)

// The bun Persistence implementation passes the adapter conformance suite on
// SQLite always and on PostgreSQL when CLIENTELE_TEST_POSTGRES is set (required
// in CI).
func TestPersistenceConformance(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		adaptertest.Persistence(t, func(t *testing.T) adapters.Persistence { return dbtest.SQLite(t).Persistence() })
	})
	t.Run("postgres", func(t *testing.T) {
		dbtest.PostgresDSN(t)
		adaptertest.Persistence(t, func(t *testing.T) adapters.Persistence { return dbtest.Postgres(t).Persistence() })
	})
}

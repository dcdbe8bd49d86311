package storage_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/associates"
	"github.com/clientele-go/clientele/audit"
	"github.com/clientele-go/clientele/internal/dbtest"
	"github.com/clientele-go/clientele/storage"
)

// A subtree of offices or associates is one range on the (tenant_id, path)
// index on both dialects, not a scan of the tenant and not a recursive query.
func TestAssociateSubtreeIsOneIndexRange(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		require.NoError(t, db.Tenants().Create(ctx, exampleTenant()))
		db.BenchAddQueryHook(captureHook{})
		st := db.Associates()
		now := time.Now().UTC()
		var parent string
		var ids []string
		for i := range 5 { // a chain: each office under the one before
			id := uuid.Must(uuid.NewV7()).String()
			o := associates.Office{ID: id, TenantID: "bank", ParentID: parent, Name: fmt.Sprint("office ", i), State: associates.OfficeOpen,
				Version: 1, CreatedAt: now, UpdatedAt: now}
			require.NoError(t, st.InsertOffice(ctx, o, audit.Entry{TenantID: "bank", Operation: "test", EntityType: "office", EntityID: id, At: now}))
			parent = id
			ids = append(ids, id)
		}
		var query string
		got, err := st.Offices(context.WithValue(ctx, captureKey{}, &query), "bank", ids[2], "", 10)
		require.NoError(t, err)
		require.Len(t, got, 3)
		assert.NotContains(t, strings.ToUpper(query), "RECURSIVE")
		assert.NotContains(t, strings.ToUpper(query), " LIKE ")

		plan := explain(t, db, query)
		if db.Dialect() == storage.SQLite {
			assert.Contains(t, plan, "offices_tenant_path (tenant_id=? AND path>? AND path<?)", plan)
		} else {
			assert.Contains(t, plan, "offices_tenant_path", plan)
			assert.Contains(t, plan, "path >=", plan)
		}
	})
}

// explain returns the plan of query; on PostgreSQL with sequential scans
// off, as the planner would choose on a table of realistic size.
func explain(t *testing.T, db *storage.DB, query string) string {
	t.Helper()
	ctx := context.Background()
	conn, err := db.BenchSQLDB().Conn(ctx)
	require.NoError(t, err)
	defer conn.Close()
	prefix := "EXPLAIN QUERY PLAN "
	if db.Dialect() == storage.Postgres {
		prefix = "EXPLAIN "
		_, err := conn.ExecContext(ctx, "SET enable_seqscan = off")
		require.NoError(t, err)
		defer conn.ExecContext(ctx, "RESET enable_seqscan") //nolint:errcheck
	}
	rows, err := conn.QueryContext(ctx, prefix+query)
	require.NoError(t, err)
	defer rows.Close()
	cols, err := rows.Columns()
	require.NoError(t, err)
	var plan strings.Builder
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		require.NoError(t, rows.Scan(ptrs...))
		fmt.Fprintln(&plan, vals[len(vals)-1])
	}
	require.NoError(t, rows.Err())
	return plan.String()
}

package storage_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/clients"
	"github.com/clientele-go/clientele/internal/dbtest"
	"github.com/clientele-go/clientele/internal/testkit"
	"github.com/clientele-go/clientele/storage"
)

// countingStore decorates the bun client store the way an app would (metrics,
// caching, tracing): it embeds the store and wraps Search, using only the
// public types of clients. It must compile without any internal/ import.
type countingStore struct {
	*storage.ClientStore
	mu       sync.Mutex
	searches []clients.Query
}

func (s *countingStore) Search(ctx context.Context, tenantID string, sc clients.Scope, q clients.Query, after string, limit int) ([]clients.Client, error) {
	s.mu.Lock()
	s.searches = append(s.searches, q)
	s.mu.Unlock()
	return s.ClientStore.Search(ctx, tenantID, sc, q, after, limit)
}

var _ clients.Store = (*countingStore)(nil)

func TestClientStoreDecorator(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		require.NoError(t, db.Tenants().Create(ctx, testkit.Tenant("t1")))
		store := &countingStore{ClientStore: db.Clients()}
		svc, err := clients.New(store, testkit.AllowAll{})
		require.NoError(t, err)
		p := testkit.Staff("t1", "u1")
		for _, in := range []clients.CreateInput{testkit.Company("Acme Ltd"), testkit.Company("Beta Foods"), testkit.Person("Amina", "Acme")} {
			_, err := svc.Create(ctx, p, in, "")
			require.NoError(t, err)
		}

		page, err := svc.List(ctx, p, clients.ListRequest{Filter: `acme type:corporate|individual created>=2025-01-01`})
		require.NoError(t, err)
		assert.Len(t, page.Clients, 2)

		require.Len(t, store.searches, 1, "the service searched through the decorator")
		q := store.searches[0]
		assert.Equal(t, clients.Query{Terms: []clients.Term{
			{Field: clients.FieldName, Op: clients.OpContains, Values: []clients.Value{{Text: "acme"}}},
			{Field: clients.FieldType, Op: clients.OpEq, Values: []clients.Value{{Text: "corporate"}, {Text: "individual"}}},
			{Field: clients.FieldCreated, Op: clients.OpGe, Values: []clients.Value{{Time: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), DateOnly: true}}},
			// Without a status term the service leaves archived clients out.
			{Field: clients.FieldStatus, Op: clients.OpNe, Values: []clients.Value{{Text: "archived"}}},
		}}, q)
		assert.Equal(t, `name~acme type:corporate|individual created>=2025-01-01 status!:archived`, q.String())

		// A query built by hand, without the parser, runs on the store as well.
		found, err := store.Search(ctx, "t1", clients.TenantScope(), clients.Query{Terms: []clients.Term{
			{Field: clients.FieldName, Op: clients.OpEq, Values: []clients.Value{{Text: "Beta Foods"}}},
		}}, "", 10)
		require.NoError(t, err)
		require.Len(t, found, 1)
		assert.Equal(t, "Beta Foods", found[0].DisplayName)

		// A hand-built query outside SearchSchema is refused before any SQL.
		for name, term := range map[string]clients.Term{
			"unknown field":    {Field: "colour", Op: clients.OpEq, Values: []clients.Value{{Text: "red"}}},
			"disallowed op":    {Field: clients.FieldStatus, Op: clients.OpContains, Values: []clients.Value{{Text: "act"}}},
			"non-enum value":   {Field: clients.FieldStatus, Op: clients.OpEq, Values: []clients.Value{{Text: "Active"}}},
			"no value":         {Field: clients.FieldName, Op: clients.OpEq},
			"two dates for >=": {Field: clients.FieldCreated, Op: clients.OpGe, Values: []clients.Value{{Time: time.Now()}, {Time: time.Now()}}},
			"zero date":        {Field: clients.FieldCreated, Op: clients.OpLt, Values: []clients.Value{{}}},
			"control char":     {Field: clients.FieldName, Op: clients.OpEq, Values: []clients.Value{{Text: "a\x00b"}}},
		} {
			_, err := store.Search(ctx, "t1", clients.TenantScope(), clients.Query{Terms: []clients.Term{term}}, "", 10)
			assert.ErrorIs(t, err, clientele.ErrInvalid, name)
		}
	})
}

package storage_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/clients"
	"github.com/clientele-go/clientele/internal/dbtest"
	"github.com/clientele-go/clientele/internal/testkit"
	"github.com/clientele-go/clientele/storage"
)

func newService(t *testing.T, db *storage.DB, tenantIDs ...string) *clients.Service {
	t.Helper()
	ctx := context.Background()
	for _, id := range tenantIDs {
		require.NoError(t, db.Tenants().Create(ctx, testkit.Tenant(id)))
	}
	svc, err := clients.New(db.Clients(), testkit.AllowAll{}, clients.WithTenants(db.Tenants()))
	require.NoError(t, err)
	return svc
}

// newServiceNoChecks is newService on tenants that do not require verified
// onboarding, so clients can be activated at once.
func newServiceNoChecks(t *testing.T, db *storage.DB, tenantIDs ...string) *clients.Service {
	t.Helper()
	for _, id := range tenantIDs {
		require.NoError(t, db.Tenants().Create(context.Background(), testkit.TenantNoChecks(id)))
	}
	return newService(t, db)
}

func TestClientCreateGetAudit(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		svc := newService(t, db, "t1")
		p := testkit.Staff("t1", "u1")

		c, err := svc.Create(ctx, p, testkit.Person("Amina", "Otieno"), "")
		require.NoError(t, err)
		assert.Regexp(t, `^C[0-9A-Z]{8}$`, c.Reference)
		assert.Equal(t, clients.Pending, c.State)
		assert.Equal(t, int64(1), c.Version)
		assert.Equal(t, "Amina Otieno", c.DisplayName)

		got, err := svc.Get(ctx, p, c.Reference)
		require.NoError(t, err)
		assert.Equal(t, c, got)

		entries, err := db.AuditLog(ctx, "t1", "client", c.ID, 10)
		require.NoError(t, err)
		require.Len(t, entries, 1)
		assert.Equal(t, "CL003", entries[0].Operation)
		assert.Equal(t, "u1", entries[0].Actor)
		assert.Contains(t, entries[0].Changed, "individual.lastName")
	})
}

func TestClientReferenceAndTenantIsolation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		svc := newService(t, db, "t1", "t2")
		in := testkit.Company("Acme Ltd")
		in.Reference = "ACME-1"
		_, err := svc.Create(ctx, testkit.Staff("t1", "u1"), in, "")
		require.NoError(t, err)

		_, err = svc.Create(ctx, testkit.Staff("t1", "u1"), in, "")
		var ce *clients.ConflictError
		require.ErrorAs(t, err, &ce)
		assert.Equal(t, "reference", ce.Field)
		assert.ErrorIs(t, err, clientele.ErrConflict)

		// The same reference is free in another tenant, and t2 cannot see t1's client.
		_, err = svc.Get(ctx, testkit.Staff("t2", "u2"), "ACME-1")
		assert.ErrorIs(t, err, clientele.ErrNotFound)
		_, err = svc.Create(ctx, testkit.Staff("t2", "u2"), in, "")
		require.NoError(t, err)
		page, err := svc.List(ctx, testkit.Staff("t2", "u2"), clients.ListRequest{})
		require.NoError(t, err)
		assert.Len(t, page.Clients, 1)
	})
}

func TestClientIdempotentCreate(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		svc := newService(t, db, "t1")
		p := testkit.Staff("t1", "u1")
		in := testkit.Person("Baraka", "Kamau")

		first, err := svc.Create(ctx, p, in, "key-1")
		require.NoError(t, err)
		again, err := svc.Create(ctx, p, in, "key-1")
		require.NoError(t, err)
		assert.Equal(t, first, again, "same key, same body: same client")

		other := testkit.Person("Baraka", "Mwangi")
		_, err = svc.Create(ctx, p, other, "key-1")
		assert.ErrorIs(t, err, clientele.ErrConflict, "same key, different body")

		// Concurrent retries: TestIdempotencyConcurrentDuplicates.
	})
}

func TestClientUpdateOptimisticLocking(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		svc := newService(t, db, "t1")
		p := testkit.Staff("t1", "u1")
		c, err := svc.Create(ctx, p, testkit.Person("Daudi", "Njoroge"), "")
		require.NoError(t, err)

		up := clients.UpdateInput{Version: 1, Profile: c.Profile}
		up.Individual.LastName = "Njoroge-Ouma"
		up.Contact.Email = "daudi@example.org"
		c2, err := svc.Update(ctx, p, c.Reference, up)
		require.NoError(t, err)
		assert.Equal(t, int64(2), c2.Version)
		assert.Equal(t, "Daudi Njoroge-Ouma", c2.DisplayName)

		// Stale version: conflict, nothing written.
		up.Individual.LastName = "Stale"
		_, err = svc.Update(ctx, p, c.Reference, up)
		assert.ErrorIs(t, err, clientele.ErrConflict)
		got, err := svc.Get(ctx, p, c.Reference)
		require.NoError(t, err)
		assert.Equal(t, c2, got)

		entries, err := db.AuditLog(ctx, "t1", "client", c.ID, 10)
		require.NoError(t, err)
		require.Len(t, entries, 2, "the failed update left no audit entry")
		assert.Equal(t, "CL004", entries[1].Operation)
		assert.ElementsMatch(t, []string{"contact.email", "displayName", "individual.lastName"}, entries[1].Changed)
	})
}

func TestClientParallelUpdatesOneWinnerPerVersion(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		svc := newService(t, db, "t1")
		p := testkit.Staff("t1", "u1")
		c, err := svc.Create(ctx, p, testkit.Person("Esther", "Wanjiru"), "")
		require.NoError(t, err)

		const workers = 12
		var wg sync.WaitGroup
		results := make(chan error, workers)
		for i := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				up := clients.UpdateInput{Version: 1, Profile: c.Profile}
				person := *c.Individual
				person.MiddleName = fmt.Sprintf("W%d", i)
				up.Individual = &person
				_, err := svc.Update(ctx, p, c.Reference, up)
				results <- err
			}()
		}
		wg.Wait()
		close(results)
		won := 0
		for err := range results {
			if err == nil {
				won++
				continue
			}
			assert.ErrorIs(t, err, clientele.ErrConflict)
		}
		assert.Equal(t, 1, won, "exactly one update wins version 1")
		got, err := svc.Get(ctx, p, c.Reference)
		require.NoError(t, err)
		assert.Equal(t, int64(2), got.Version)
	})
}

func TestClientTransitions(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		svc := newServiceNoChecks(t, db, "t1")
		p := testkit.Staff("t1", "u1")
		c, err := svc.Create(ctx, p, testkit.Person("Faith", "Achieng"), "")
		require.NoError(t, err)

		_, err = svc.Transition(ctx, p, c.Reference, clients.Suspended, 1)
		var te *clients.TransitionError
		require.ErrorAs(t, err, &te)
		assert.Equal(t, clients.Pending, te.From)
		assert.ErrorIs(t, err, clientele.ErrPrecondition)

		c, err = svc.Transition(ctx, p, c.Reference, clients.Active, 1)
		require.NoError(t, err)
		c, err = svc.Transition(ctx, p, c.Reference, clients.Suspended, c.Version)
		require.NoError(t, err)
		c, err = svc.Transition(ctx, p, c.Reference, clients.Active, c.Version)
		require.NoError(t, err)
		assert.Equal(t, clients.Active, c.State)
		assert.Equal(t, int64(4), c.Version)
	})
}

func TestClientSearch(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		svc := newServiceNoChecks(t, db, "t1")
		p := testkit.Staff("t1", "u1")
		for _, name := range []string{"Acme Ltd", "Acme Holdings", "Beta 100% Foods", "Gamma_Co"} {
			_, err := svc.Create(ctx, p, testkit.Company(name), "")
			require.NoError(t, err)
		}
		for _, n := range []string{"Grace", "Hassan", "Imani"} {
			c, err := svc.Create(ctx, p, testkit.Person(n, "Acme"), "")
			require.NoError(t, err)
			if n == "Grace" {
				_, err = svc.Transition(ctx, p, c.Reference, clients.Active, 1)
				require.NoError(t, err)
			}
		}
		count := func(f string) int {
			t.Helper()
			page, err := svc.List(ctx, p, clients.ListRequest{Filter: f, Limit: 100})
			require.NoError(t, err, f)
			return len(page.Clients)
		}
		assert.Equal(t, 7, count(""))
		assert.Equal(t, 5, count("name~ACME"))
		assert.Equal(t, 5, count("acme"), "a bare word searches the name")
		assert.Equal(t, 2, count("name~acme type:corporate"))
		assert.Equal(t, 1, count("status:active"))
		assert.Equal(t, 6, count("status!:active"))
		assert.Equal(t, 7, count("status:active|pending"))
		assert.Equal(t, 1, count("name~100%"), "LIKE wildcards match literally")
		assert.Equal(t, 1, count("name~_co"))
		assert.Equal(t, 2, count(`name~"acme ltd"|holdings`))
		assert.Equal(t, 7, count("created>=2025-01-01"))
		assert.Equal(t, 0, count("created<2025-01-01"))
		assert.Equal(t, 1, count("email:GRACE@example.com"))

		_, err := svc.List(ctx, p, clients.ListRequest{Filter: "colour:red"})
		assert.ErrorIs(t, err, clientele.ErrInvalid)
		_, err = svc.List(ctx, p, clients.ListRequest{Filter: "created>2025-13-01"})
		assert.ErrorIs(t, err, clientele.ErrInvalid)
		_, err = svc.List(ctx, p, clients.ListRequest{Limit: 1000})
		assert.ErrorIs(t, err, clientele.ErrInvalid)
		_, err = svc.List(ctx, p, clients.ListRequest{Cursor: "not-a-cursor"})
		assert.ErrorIs(t, err, clientele.ErrInvalid)
	})
}

func TestClientKeysetPagination(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		svc := newService(t, db, "t1")
		p := testkit.Staff("t1", "u1")
		want := map[string]bool{}
		for i := range 23 {
			c, err := svc.Create(ctx, p, testkit.Person(fmt.Sprintf("P%02d", i), "Page"), "")
			require.NoError(t, err)
			want[c.Reference] = true
		}
		seen := map[string]bool{}
		var last string
		cursor := ""
		pages := 0
		for {
			page, err := svc.List(ctx, p, clients.ListRequest{Limit: 5, Cursor: cursor})
			require.NoError(t, err)
			pages++
			for _, c := range page.Clients {
				assert.False(t, seen[c.Reference], "no client twice")
				seen[c.Reference] = true
				if last != "" {
					assert.Less(t, c.ID, last, "newest first, stable")
				}
				last = c.ID
			}
			if page.NextCursor == "" {
				break
			}
			cursor = page.NextCursor
		}
		assert.Equal(t, 5, pages)
		assert.Equal(t, want, seen)
	})
}

func TestOpenRejectsBadDSN(t *testing.T) {
	for _, dsn := range []string{"", "mysql://x", "sqlite://"} {
		_, err := storage.Open(context.Background(), dsn)
		assert.True(t, errors.Is(err, clientele.ErrInvalid), dsn)
	}
}

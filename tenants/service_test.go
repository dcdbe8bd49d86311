package tenants_test

import (
	"context"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/audit"
	"github.com/clientele-go/clientele/authz"
	"github.com/clientele-go/clientele/idempotency"
	"github.com/clientele-go/clientele/internal/dbtest"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/tenants"
	"github.com/clientele-go/clientele/users"
)

// The deployment of these tests: "node" is the operator tenant; "op" is its
// node operator.
const operatorTenant = "node"

func active(apps ...authz.App) map[authz.App]authz.AppState {
	m := map[authz.App]authz.AppState{}
	for _, a := range apps {
		m[a] = authz.AppActive
	}
	return m
}

// addUser stores a user of the given type and state directly.
func addUser(t *testing.T, db *storage.DB, tenant, id string, typ users.Type, state users.State) authz.Principal {
	t.Helper()
	now := time.Now().UTC()
	u := users.User{ID: id, TenantID: tenant, Type: typ, State: state, Name: id, Email: id + "@" + tenant + ".example",
		Roles: []string{}, Version: 1, CreatedAt: now, UpdatedAt: now}
	_, _, err := db.Users().Create(context.Background(), users.Account{User: u}, nil, idempotency.Key{},
		audit.Entry{TenantID: tenant, Actor: "test", Operation: "test", EntityType: "user", EntityID: id, At: now})
	require.NoError(t, err)
	return authz.Principal{TenantID: tenant, UserID: id, Kind: typ.Kind()}
}

// setup creates the operator tenant and its node operator, and returns the service.
func setup(t *testing.T, db *storage.DB) (*tenants.Service, authz.Principal) {
	t.Helper()
	require.NoError(t, db.Tenants().Create(context.Background(), tenants.Tenant{
		ID: operatorTenant, Name: "Node", Preset: authz.PresetBackofficePlatform, Apps: active(authz.AppBackoffice)}))
	op := addUser(t, db, operatorTenant, "op", users.NodeOperator, users.Active)
	svc, err := tenants.New(db.Tenants(), operatorTenant)
	require.NoError(t, err)
	return svc, op
}

func bankInput(id string) tenants.Tenant {
	return tenants.Tenant{ID: id, Name: "Bank " + id, Preset: authz.PresetRetailEngine, Apps: active(authz.AppRetail, authz.AppBackoffice)}
}

func auditOf(t *testing.T, db *storage.DB, id string) []audit.Entry {
	t.Helper()
	log, err := db.AuditLog(context.Background(), id, tenants.AuditEntity, id, 100)
	require.NoError(t, err)
	return log
}

func TestNewNeedsStoreAndOperatorTenant(t *testing.T) {
	db := dbtest.SQLite(t)
	_, err := tenants.New(nil, "node")
	assert.ErrorIs(t, err, clientele.ErrInvalid)
	_, err = tenants.New(db.Tenants(), "")
	assert.ErrorIs(t, err, clientele.ErrInvalid)
	_, err = tenants.New(db.Tenants(), "bad id\x00")
	assert.ErrorIs(t, err, clientele.ErrInvalid)
}

func TestServiceCreateGetUpdateList(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		svc, op := setup(t, db)

		created, err := svc.Create(ctx, op, bankInput("bank-b"))
		require.NoError(t, err)
		assert.EqualValues(t, 1, created.Version)
		assert.False(t, created.CreatedAt.IsZero())

		got, err := svc.Get(ctx, op, "bank-b")
		require.NoError(t, err)
		assert.Equal(t, created, got)

		_, err = svc.Create(ctx, op, bankInput("bank-b"))
		assert.ErrorIs(t, err, clientele.ErrConflict, "an existing ID")

		name, portal := "Bank B Ltd", true
		upd, err := svc.Update(ctx, op, "bank-b", tenants.Change{Version: 1, Name: &name, ClientPortal: &portal,
			Apps:     map[authz.App]authz.AppState{authz.AppRetail: authz.AppInactive},
			Settings: &tenants.Settings{SettlementAccount: "SETTLE-1"}})
		require.NoError(t, err)
		assert.EqualValues(t, 2, upd.Version)
		assert.Equal(t, "Bank B Ltd", upd.Name)
		assert.True(t, upd.ClientPortal)
		assert.Equal(t, authz.AppInactive, upd.Apps[authz.AppRetail])
		assert.Equal(t, authz.AppActive, upd.Apps[authz.AppBackoffice], "an app not listed keeps its state")
		assert.Equal(t, "SETTLE-1", upd.Settings.SettlementAccount)
		got, err = svc.Get(ctx, op, "bank-b")
		require.NoError(t, err)
		assert.Equal(t, upd, got, "what Update returns is what is stored")

		// A change that changes nothing writes nothing.
		same, err := svc.Update(ctx, op, "bank-b", tenants.Change{Version: 2, Name: &name, Preset: new(authz.PresetRetailEngine)})
		require.NoError(t, err)
		assert.EqualValues(t, 2, same.Version)

		log := auditOf(t, db, "bank-b")
		require.Len(t, log, 2)
		assert.Equal(t, "TN003", log[0].Operation)
		assert.Equal(t, "op", log[0].Actor)
		assert.Equal(t, "TN004", log[1].Operation)
		assert.Equal(t, []string{"name", "apps.retail", "clientPortal", "settings.settlementAccount"}, log[1].Changed)

		// Keyset pages in ID order, none skipped or repeated.
		for _, id := range []string{"bank-a", "bank-c", "Bank-Z", "bank.d"} {
			_, err := svc.Create(ctx, op, bankInput(id))
			require.NoError(t, err)
		}
		var ids []string
		cursor := ""
		for range 10 {
			page, err := svc.List(ctx, op, tenants.ListRequest{Limit: 2, Cursor: cursor})
			require.NoError(t, err)
			assert.LessOrEqual(t, len(page.Tenants), 2)
			for _, tn := range page.Tenants {
				ids = append(ids, tn.ID)
			}
			if cursor = page.NextCursor; cursor == "" {
				break
			}
		}
		assert.Equal(t, []string{"Bank-Z", "bank-a", "bank-b", "bank-c", "bank.d", "node"}, ids, "bytewise ID order on both dialects")

		_, err = svc.List(ctx, op, tenants.ListRequest{Cursor: "not-a-cursor"})
		assert.ErrorIs(t, err, clientele.ErrInvalid)
		_, err = svc.List(ctx, op, tenants.ListRequest{Limit: tenants.MaxPageSize + 1})
		assert.ErrorIs(t, err, clientele.ErrInvalid)
		_, err = svc.Get(ctx, op, "missing")
		assert.ErrorIs(t, err, clientele.ErrNotFound)
		_, err = svc.Update(ctx, op, "missing", tenants.Change{Version: 1, Name: &name})
		assert.ErrorIs(t, err, clientele.ErrNotFound)
	})
}

// Only the deployment's node operator administers tenants; a tenant's own
// administrators may read their tenant and nothing else; nobody reaches
// another tenant.
func TestServiceAuthorization(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		svc, op := setup(t, db)
		_, err := svc.Create(ctx, op, bankInput("bank-a"))
		require.NoError(t, err)
		_, err = svc.Create(ctx, op, bankInput("bank-b"))
		require.NoError(t, err)

		aOperator := addUser(t, db, "bank-a", "a-op", users.NodeOperator, users.Active)
		aAdmin := addUser(t, db, "bank-a", "a-admin", users.OriginatorAdmin, users.Active)
		aAgent := addUser(t, db, "bank-a", "a-agent", users.OriginatorAgent, users.Active)
		aBorrower := addUser(t, db, "bank-a", "a-borrower", users.Borrower, users.Active)
		blockedOp := addUser(t, db, operatorTenant, "op-blocked", users.NodeOperator, users.Blocked)
		invitedOp := addUser(t, db, operatorTenant, "op-invited", users.NodeOperator, users.Invited)
		nodeAdmin := addUser(t, db, operatorTenant, "node-admin", users.OriginatorAdmin, users.Active)
		// Principals that claim what they are not.
		forged := authz.Principal{TenantID: operatorTenant, UserID: "a-op", Kind: authz.Backoffice} // a-op is bank-a's
		unknown := authz.Principal{TenantID: operatorTenant, UserID: "ghost", Kind: authz.Backoffice}
		customerKind := op
		customerKind.Kind = authz.Customer

		name := "Renamed"
		type call struct {
			name string
			do   func(p authz.Principal) error
		}
		calls := []call{
			{"create", func(p authz.Principal) error { _, err := svc.Create(ctx, p, bankInput("bank-x")); return err }},
			{"list", func(p authz.Principal) error { _, err := svc.List(ctx, p, tenants.ListRequest{}); return err }},
			{"update own", func(p authz.Principal) error {
				_, err := svc.Update(ctx, p, "bank-a", tenants.Change{Version: 1, Name: &name})
				return err
			}},
			{"update other", func(p authz.Principal) error {
				_, err := svc.Update(ctx, p, "bank-b", tenants.Change{Version: 1, Name: &name})
				return err
			}},
		}
		for _, p := range []authz.Principal{aOperator, aAdmin, aAgent, aBorrower, blockedOp, invitedOp, nodeAdmin, forged, unknown, customerKind} {
			for _, c := range calls {
				err := c.do(p)
				assert.ErrorIs(t, err, clientele.ErrForbidden, "%s by %s/%s", c.name, p.TenantID, p.UserID)
			}
		}

		// Reading: a tenant's administrators read their own tenant only; another
		// tenant is not found to them, as a missing one.
		for _, p := range []authz.Principal{aOperator, aAdmin} {
			got, err := svc.Get(ctx, p, "bank-a")
			require.NoError(t, err, p.UserID)
			assert.Equal(t, "bank-a", got.ID)
			_, err = svc.Get(ctx, p, "bank-b")
			assert.ErrorIs(t, err, clientele.ErrNotFound, p.UserID)
			assert.NotErrorIs(t, err, clientele.ErrForbidden)
		}
		for _, p := range []authz.Principal{aAgent, aBorrower, blockedOp, forged, unknown, customerKind} {
			_, err := svc.Get(ctx, p, p.TenantID)
			assert.ErrorIs(t, err, clientele.ErrForbidden, p.UserID)
		}

		// Nothing was written by a refused call.
		for _, id := range []string{"bank-a", "bank-b"} {
			got, err := svc.Get(ctx, op, id)
			require.NoError(t, err)
			assert.EqualValues(t, 1, got.Version)
			assert.Len(t, auditOf(t, db, id), 1)
		}
		_, err = svc.Get(ctx, op, "bank-x")
		assert.ErrorIs(t, err, clientele.ErrNotFound)

		// Blocking the node operator takes effect on its next call.
		_, err = db.SQL().ExecContext(ctx, `UPDATE users SET state = 'blocked' WHERE id = 'op'`)
		require.NoError(t, err)
		_, err = svc.List(ctx, op, tenants.ListRequest{})
		assert.ErrorIs(t, err, clientele.ErrForbidden)
	})
}

func TestServiceValidation(t *testing.T) {
	long := strings.Repeat("x", tenants.MaxNameLen+1)
	createCases := []struct {
		name  string
		edit  func(*tenants.Tenant)
		field string
	}{
		{"unknown preset", func(t *tenants.Tenant) { t.Preset = "retail" }, "preset"},
		{"no preset", func(t *tenants.Tenant) { t.Preset = "" }, "preset"},
		{"unknown app", func(t *tenants.Tenant) { t.Apps["lending"] = authz.AppActive }, "apps"},
		{"bad state", func(t *tenants.Tenant) { t.Apps[authz.AppRetail] = "paused" }, "apps.retail"},
		{"NUL in name", func(t *tenants.Tenant) { t.Name = "Bank\x00" }, "name"},
		{"newline in name", func(t *tenants.Tenant) { t.Name = "Bank\nB" }, "name"},
		{"name too long", func(t *tenants.Tenant) { t.Name = long }, "name"},
		{"blank name", func(t *tenants.Tenant) { t.Name = "  " }, "name"},
		{"invalid UTF-8", func(t *tenants.Tenant) { t.Name = "Bank \xff" }, "name"},
		{"bad ID", func(t *tenants.Tenant) { t.ID = "bank b" }, "id"},
		{"ID too long", func(t *tenants.Tenant) { t.ID = strings.Repeat("b", tenants.MaxIDLen+1) }, "id"},
		{"control in setting", func(t *tenants.Tenant) { t.Settings.SettlementAccount = "ACC\x01" }, "settings.settlementAccount"},
		{"setting too long", func(t *tenants.Tenant) {
			t.Settings.SettlementAccount = strings.Repeat("9", tenants.MaxSettingLen+1)
		}, "settings.settlementAccount"},
	}
	bad := "Bank\x00"
	updateCases := []struct {
		name  string
		ch    tenants.Change
		field string
	}{
		{"no version", tenants.Change{Name: new("ok")}, "version"},
		{"NUL in name", tenants.Change{Version: 1, Name: &bad}, "name"},
		{"name too long", tenants.Change{Version: 1, Name: &long}, "name"},
		{"unknown app", tenants.Change{Version: 1, Apps: map[authz.App]authz.AppState{"lending": authz.AppActive}}, "apps"},
		{"bad state", tenants.Change{Version: 1, Apps: map[authz.App]authz.AppState{authz.AppRetail: "off"}}, "apps.retail"},
		{"unknown preset", tenants.Change{Version: 1, Preset: new("retail")}, "preset"},
		{"control in setting", tenants.Change{Version: 1, Settings: &tenants.Settings{SettlementAccount: "\x1b[2J"}}, "settings.settlementAccount"},
	}
	dbtest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		svc, op := setup(t, db)
		for _, c := range createCases {
			in := bankInput("bank-v")
			c.edit(&in)
			_, err := svc.Create(ctx, op, in)
			var verr *clientele.ValidationError
			require.ErrorAs(t, err, &verr, c.name)
			require.ErrorIs(t, err, clientele.ErrInvalid, c.name)
			assert.Equal(t, c.field, verr.Problems[0].Field, c.name)
			// The setup path refuses it too.
			assert.ErrorIs(t, db.Tenants().Create(ctx, in), clientele.ErrInvalid, c.name)
		}
		page, err := svc.List(ctx, op, tenants.ListRequest{})
		require.NoError(t, err)
		assert.Len(t, page.Tenants, 1, "no invalid tenant was stored")

		_, err = svc.Create(ctx, op, bankInput("bank-v"))
		require.NoError(t, err)
		for _, c := range updateCases {
			_, err := svc.Update(ctx, op, "bank-v", c.ch)
			var verr *clientele.ValidationError
			require.ErrorAs(t, err, &verr, c.name)
			assert.Equal(t, c.field, verr.Problems[0].Field, c.name)
		}
		got, err := svc.Get(ctx, op, "bank-v")
		require.NoError(t, err)
		assert.EqualValues(t, 1, got.Version)
		assert.Len(t, auditOf(t, db, "bank-v"), 1)
	})
}

func TestServiceStaleVersionWritesNothing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		svc, op := setup(t, db)
		_, err := svc.Create(ctx, op, bankInput("bank"))
		require.NoError(t, err)
		_, err = svc.Update(ctx, op, "bank", tenants.Change{Version: 1, ClientPortal: new(true)})
		require.NoError(t, err)

		_, err = svc.Update(ctx, op, "bank", tenants.Change{Version: 1, Name: new("Stale"), ClientPortal: new(false)})
		require.ErrorIs(t, err, clientele.ErrConflict)
		got, err := svc.Get(ctx, op, "bank")
		require.NoError(t, err)
		assert.EqualValues(t, 2, got.Version)
		assert.Equal(t, "Bank bank", got.Name)
		assert.True(t, got.ClientPortal)
		assert.Len(t, auditOf(t, db, "bank"), 2, "the stale update wrote no audit entry")
	})
}

// Changing the preset of an existing tenant is refused: the catalogue stays
// exactly as it was.
func TestServicePresetChangeRefused(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		svc, op := setup(t, db)
		_, err := svc.Create(ctx, op, bankInput("bank"))
		require.NoError(t, err)
		_, err = svc.Update(ctx, op, "bank", tenants.Change{Version: 1, Preset: new(authz.PresetBackofficePlatform), ClientPortal: new(true)})
		require.ErrorIs(t, err, clientele.ErrPrecondition)
		assert.Contains(t, err.Error(), "preset")
		got, err := svc.Get(ctx, op, "bank")
		require.NoError(t, err)
		assert.Equal(t, authz.PresetRetailEngine, got.Preset)
		assert.False(t, got.ClientPortal, "nothing of the change was applied")
		assert.EqualValues(t, 1, got.Version)
		spec, err := db.Authz().Catalogue(ctx, "bank")
		require.NoError(t, err)
		assert.Equal(t, authz.PresetRetailEngine, spec.Name)

		// The store refuses it even when a caller goes around the service.
		_, err = db.Tenants().Update(ctx, "bank", func(t *tenants.Tenant) (audit.Entry, error) {
			t.Preset = authz.PresetBackofficePlatform
			return audit.Entry{TenantID: "bank", Operation: "TN004", EntityType: "tenant", EntityID: "bank", Changed: []string{"preset"}}, nil
		})
		assert.ErrorIs(t, err, clientele.ErrPrecondition)
		assert.Len(t, auditOf(t, db, "bank"), 1)
	})
}

// sharedDBs returns two stores on one database, as two processes would have.
func sharedDBs(t *testing.T, dialect string) (*storage.DB, *storage.DB) {
	t.Helper()
	ctx := context.Background()
	if dialect == "sqlite" {
		dsn := "sqlite://" + filepath.Join(t.TempDir(), "shared.db")
		a, err := storage.Open(ctx, dsn)
		require.NoError(t, err)
		t.Cleanup(func() { _ = a.Close() })
		b, err := storage.Open(ctx, dsn)
		require.NoError(t, err)
		t.Cleanup(func() { _ = b.Close() })
		return a, b
	}
	a := dbtest.Postgres(t)
	var schema string
	require.NoError(t, a.SQL().QueryRowContext(ctx, "SELECT current_schema()").Scan(&schema))
	u, err := url.Parse(dbtest.PostgresDSN(t))
	require.NoError(t, err)
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	b, err := storage.Open(ctx, u.String())
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })
	return a, b
}

func eachShared(t *testing.T, fn func(t *testing.T, a, b *storage.DB)) {
	for _, d := range []string{"sqlite", "postgres"} {
		t.Run(d, func(t *testing.T) { a, b := sharedDBs(t, d); fn(t, a, b) })
	}
}

// Two updates at the same version: exactly one wins, the others fail with
// ErrConflict, and exactly one audit entry is written.
func TestServiceConcurrentUpdatesOneWinner(t *testing.T) {
	eachShared(t, func(t *testing.T, a, b *storage.DB) {
		ctx := context.Background()
		svcA, op := setup(t, a)
		svcB, err := tenants.New(b.Tenants(), operatorTenant)
		require.NoError(t, err)
		_, err = svcA.Create(ctx, op, bankInput("bank"))
		require.NoError(t, err)

		const n = 8
		var wg sync.WaitGroup
		errs := make([]error, n)
		start := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				svc := svcA
				if i%2 == 1 {
					svc = svcB
				}
				<-start
				name := "Winner " + string(rune('A'+i))
				_, errs[i] = svc.Update(ctx, op, "bank", tenants.Change{Version: 1, Name: &name})
			}()
		}
		close(start)
		wg.Wait()
		wins := 0
		for _, err := range errs {
			if err == nil {
				wins++
			} else {
				assert.ErrorIs(t, err, clientele.ErrConflict)
			}
		}
		assert.Equal(t, 1, wins)
		got, err := svcB.Get(ctx, op, "bank")
		require.NoError(t, err)
		assert.EqualValues(t, 2, got.Version)
		assert.Len(t, auditOf(t, a, "bank"), 2, "create and the one winning update")
	})
}

// A change is in force at once in the process that made it (its service
// invalidates its Authorizer) and in another process once that one's cache
// entry expires: the Authorizer caches org attributes with the catalogue.
func TestTenantChangeSeenByAnotherAuthorizer(t *testing.T) {
	eachShared(t, func(t *testing.T, a, b *storage.DB) {
		ctx := context.Background()
		_, op := setup(t, a)
		azA, err := authz.New(a.Authz(), a.Authz())
		require.NoError(t, err)
		var later atomic.Int64 // process B's clock, in ns past now
		now := time.Now()
		azB, err := authz.New(b.Authz(), b.Authz(), authz.WithClock(func() time.Time { return now.Add(time.Duration(later.Load())) }))
		require.NoError(t, err)
		svc, err := tenants.New(a.Tenants(), operatorTenant, tenants.WithAuthorizer(azA))
		require.NoError(t, err)
		bank := bankInput("bank")
		bank.ClientPortal = true
		_, err = svc.Create(ctx, op, bank)
		require.NoError(t, err)
		staff := authz.Principal{TenantID: "bank", UserID: "u1", Kind: authz.Backoffice, Roles: []string{"RP001"}}
		client := authz.Principal{TenantID: "bank", UserID: "c1", Kind: authz.Customer, Roles: []string{authz.RolePortalViewer}, ClientID: "cl1"}
		for _, az := range []*authz.Authorizer{azA, azB} { // both have the tenant cached
			require.NoError(t, az.Authorize(ctx, staff, authz.OpListClients, authz.Resource{}))
			require.NoError(t, az.Authorize(ctx, client, authz.OpPortalListSavings, authz.Resource{ClientID: "cl1"}))
		}
		expireB := func() { later.Add(int64(authz.DefaultCacheTTL)) }

		_, err = svc.Update(ctx, op, "bank", tenants.Change{Version: 1, Apps: map[authz.App]authz.AppState{authz.AppRetail: authz.AppInactive}})
		require.NoError(t, err)
		err = azA.Authorize(ctx, staff, authz.OpListClients, authz.Resource{})
		require.ErrorIs(t, err, clientele.ErrForbidden, "at once where it was made")
		assert.Contains(t, err.Error(), "P_RE_001")
		expireB()
		err = azB.Authorize(ctx, staff, authz.OpListClients, authz.Resource{})
		require.ErrorIs(t, err, clientele.ErrForbidden, "elsewhere within the TTL")

		_, err = svc.Update(ctx, op, "bank", tenants.Change{Version: 2, ClientPortal: new(false)})
		require.NoError(t, err)
		org, err := b.Authz().Org(ctx, "bank")
		require.NoError(t, err)
		assert.False(t, org.ClientPortal)
		assert.ErrorIs(t, azA.Authorize(ctx, client, authz.OpPortalListSavings, authz.Resource{ClientID: "cl1"}), clientele.ErrPortalDisabled)
		expireB()
		assert.ErrorIs(t, azB.Authorize(ctx, client, authz.OpPortalListSavings, authz.Resource{ClientID: "cl1"}), clientele.ErrPortalDisabled)

		_, err = svc.Update(ctx, op, "bank", tenants.Change{Version: 3, ClientPortal: new(true),
			Apps: map[authz.App]authz.AppState{authz.AppRetail: authz.AppActive}})
		require.NoError(t, err)
		expireB()
		for _, az := range []*authz.Authorizer{azA, azB} {
			assert.NoError(t, az.Authorize(ctx, staff, authz.OpListClients, authz.Resource{}))
			assert.NoError(t, az.Authorize(ctx, client, authz.OpPortalListSavings, authz.Resource{ClientID: "cl1"}))
		}
	})
}

// The audit entry is written in the update's transaction: when it cannot be
// written, the tenant is not changed either.
func TestServiceUpdateAndAuditInOneTransaction(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		svc, op := setup(t, db)
		_, err := svc.Create(ctx, op, bankInput("bank"))
		require.NoError(t, err)
		_, err = db.SQL().ExecContext(ctx, `ALTER TABLE audit_log RENAME TO audit_log_away`)
		require.NoError(t, err)
		_, err = svc.Update(ctx, op, "bank", tenants.Change{Version: 1, ClientPortal: new(true)})
		require.Error(t, err)
		_, rerr := db.SQL().ExecContext(ctx, `ALTER TABLE audit_log_away RENAME TO audit_log`)
		require.NoError(t, rerr)

		got, err := svc.Get(ctx, op, "bank")
		require.NoError(t, err)
		assert.EqualValues(t, 1, got.Version)
		assert.False(t, got.ClientPortal, "the change rolled back with its audit entry")
		assert.Len(t, auditOf(t, db, "bank"), 1)
	})
}

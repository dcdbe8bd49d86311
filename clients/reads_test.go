package clients_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/adapters"
	"github.com/clientele-go/clientele/adapters/memory"
	"github.com/clientele-go/clientele/authz"
	"github.com/clientele-go/clientele/clients"
	"github.com/clientele-go/clientele/internal/dbtest"
	"github.com/clientele-go/clientele/internal/testkit"
	"github.com/clientele-go/clientele/outbox"
	"github.com/clientele-go/clientele/storage"
)

// readEnv is a client service on the memory fakes, each with its own fault
// switch, authorizing with the Retail Engine preset plus two roles holding
// the employee-account permission.
type readEnv struct {
	db                         *storage.DB
	svc                        *clients.Service
	bank                       *memory.CoreBanking
	docs                       *memory.Documents
	crm                        *memory.CRM
	pers                       *memory.Persistence
	bankF, docsF, crmF, persF  *memory.Faults
	admin, staffAdmin, officer authz.Principal
	helpdesk, compliance       authz.Principal
}

// The detail timeout of the tests: long enough for a fake without latency
// under -race, short enough to keep a slow source's test fast.
const testDetailTimeout = 300 * time.Millisecond

func newReadEnv(t *testing.T, db *storage.DB, opts ...clients.Option) *readEnv {
	t.Helper()
	ctx := context.Background()
	require.NoError(t, db.Tenants().Create(ctx, testkit.Tenant("t1")))
	require.NoError(t, db.Tenants().Create(ctx, testkit.Tenant("t2")))
	spec := authz.RetailEngine()
	// Every client permission sees the whole tenant: these tests are about
	// operations and sources; the data scope is tested in storage and in the
	// httpapitest scenarios.
	spec.TenantWidePermissions = append(spec.TenantWidePermissions, "clnt_list")
	// STAFFONLY adds the employee-account permission to another role.
	spec.Roles = append(spec.Roles, authz.Role{Code: "STAFFONLY", Name: "Employee accounts", Type: authz.Backoffice,
		Permissions: []string{authz.PermStaffAccounts}})
	cats := authz.NewMemoryStore()
	for _, id := range []string{"t1", "t2"} {
		require.NoError(t, cats.PutTenant(authz.Org{TenantID: id, Apps: map[string]string{"retail": "active"}}, spec))
	}
	az, err := authz.New(cats, cats)
	require.NoError(t, err)
	e := &readEnv{db: db, bankF: memory.NewFaults(), docsF: memory.NewFaults(), crmF: memory.NewFaults(), persF: memory.NewFaults()}
	e.bank = memory.NewCoreBanking(memory.WithFaults(e.bankF))
	e.docs = memory.NewDocuments(memory.WithFaults(e.docsF))
	e.crm = memory.NewCRM(memory.WithFaults(e.crmF))
	e.pers = memory.NewPersistence(memory.WithFaults(e.persF))
	opts = append([]clients.Option{
		clients.WithAdapters(clients.Adapters{CoreBanking: e.bank, Documents: e.docs, CRM: e.crm, Persistence: e.pers}),
		clients.WithDetailTimeouts(clients.DetailTimeouts{CoreBanking: testDetailTimeout, Documents: testDetailTimeout, CRM: testDetailTimeout}),
	}, opts...)
	e.svc, err = clients.New(db.Clients(), az, opts...)
	require.NoError(t, err)
	e.admin = testkit.Staff("t1", "admin", authz.RetailAdministrator)
	e.staffAdmin = testkit.Staff("t1", "sadmin", authz.RetailAdministrator, "STAFFONLY")
	e.officer = testkit.Staff("t1", "ro", authz.RetailRelationshipOfficer)
	e.helpdesk = testkit.Staff("t1", "hd", authz.RetailHelpdeskOfficer)
	e.compliance = testkit.Staff("t1", "co", authz.RetailComplianceOfficer)
	return e
}

// known creates a client in the store and at core banking, the CRM and the
// document processor (one utility bill).
func (e *readEnv) known(t *testing.T, in clients.CreateInput) clients.Client {
	t.Helper()
	ctx := context.Background()
	c, err := e.svc.Create(ctx, e.admin, in, "")
	require.NoError(t, err)
	_, err = e.bank.CreateClient(ctx, adapters.CreateClientRequest{TenantID: c.TenantID, ClientID: c.ID, Profile: c.AdapterProfile(), IdempotencyKey: "cb-" + c.ID})
	require.NoError(t, err)
	_, err = e.crm.CreatePartner(ctx, adapters.CreatePartnerRequest{TenantID: c.TenantID, ClientID: c.ID, Profile: c.AdapterProfile(), IdempotencyKey: "crm-" + c.ID})
	require.NoError(t, err)
	_, err = e.docs.PutDocument(ctx, adapters.PutDocumentRequest{TenantID: c.TenantID, ClientID: c.ID, Category: adapters.CategoryUtility,
		Type: "utility_bill", ContentType: "application/pdf", Content: []byte("%PDF"), IdempotencyKey: "doc-" + c.ID})
	require.NoError(t, err)
	return c
}

func TestDetails(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		e := newReadEnv(t, db)
		c := e.known(t, testkit.Person("Dora", "Details"))

		t.Run("every source answers", func(t *testing.T) {
			d, err := e.svc.Details(ctx, e.admin, c.Reference)
			require.NoError(t, err)
			assert.Empty(t, d.Missing)
			assert.Equal(t, c.ID, d.ID)
			require.NotNil(t, d.CoreBanking)
			assert.Equal(t, c.ID, d.CoreBanking.ClientID)
			require.NotNil(t, d.CRM)
			assert.Equal(t, "Dora", d.CRM.Profile.FirstName)
			require.Len(t, d.Documents, 1)
			assert.Equal(t, "utility_bill", d.Documents[0].Type)
			assert.Empty(t, d.Documents[0].Content, "lists carry no content")
		})

		t.Run("a slow documents source gives a partial answer within its timeout", func(t *testing.T) {
			e.docsF.SetLatency(5 * time.Second)
			e.bankF.SetLatency(20 * time.Millisecond)
			e.crmF.SetLatency(20 * time.Millisecond)
			defer e.docsF.Reset()
			defer e.bankF.Reset()
			defer e.crmF.Reset()
			start := time.Now()
			d, err := e.svc.Details(ctx, e.admin, c.Reference)
			elapsed := time.Since(start)
			require.NoError(t, err)
			assert.Equal(t, []clients.Missing{{Source: clients.SourceDocuments, Reason: clients.ReasonTimeout}}, d.Missing)
			assert.Nil(t, d.Documents)
			assert.NotNil(t, d.CoreBanking)
			assert.NotNil(t, d.CRM)
			assert.GreaterOrEqual(t, elapsed, testDetailTimeout)
			assert.Less(t, elapsed, testDetailTimeout+time.Second, "the call waits for the timeout, not for the source")
		})

		t.Run("a failing CRM is named", func(t *testing.T) {
			e.crmF.FailAll(clientele.ErrUnavailable)
			defer e.crmF.Reset()
			d, err := e.svc.Details(ctx, e.admin, c.Reference)
			require.NoError(t, err)
			assert.Equal(t, []clients.Missing{{Source: clients.SourceCRM, Reason: clients.ReasonUnavailable}}, d.Missing)
			assert.Nil(t, d.CRM)
			assert.NotNil(t, d.CoreBanking)
			assert.Len(t, d.Documents, 1)
		})

		t.Run("every source down still answers from the store", func(t *testing.T) {
			for _, f := range []*memory.Faults{e.bankF, e.docsF, e.crmF} {
				f.FailAll(clientele.ErrUnavailable)
			}
			defer func() {
				for _, f := range []*memory.Faults{e.bankF, e.docsF, e.crmF} {
					f.Reset()
				}
			}()
			d, err := e.svc.Details(ctx, e.admin, c.Reference)
			require.NoError(t, err)
			assert.Len(t, d.Missing, 3)
			assert.Equal(t, c.Reference, d.Reference)
		})

		t.Run("a client the sources do not know yet", func(t *testing.T) {
			fresh, err := e.svc.Create(ctx, e.admin, testkit.Person("Nova", "New"), "")
			require.NoError(t, err)
			d, err := e.svc.Details(ctx, e.admin, fresh.Reference)
			require.NoError(t, err)
			assert.Equal(t, []clients.Missing{
				{Source: clients.SourceCoreBanking, Reason: clients.ReasonNotFound},
				{Source: clients.SourceCRM, Reason: clients.ReasonNotFound},
			}, d.Missing)
			assert.NotNil(t, d.Documents, "no documents is an empty list, not a missing source")
			assert.Empty(t, d.Documents)
		})

		t.Run("no adapters configured", func(t *testing.T) {
			bare, err := clients.New(db.Clients(), testkit.AllowAll{})
			require.NoError(t, err)
			d, err := bare.Details(ctx, e.admin, c.Reference)
			require.NoError(t, err)
			for _, m := range d.Missing {
				assert.Equal(t, clients.ReasonNotConfigured, m.Reason)
			}
			assert.Len(t, d.Missing, 3)
		})

		t.Run("authorized and scoped as Get", func(t *testing.T) {
			_, err := e.svc.Details(ctx, e.helpdesk, c.Reference)
			assert.ErrorIs(t, err, clientele.ErrForbidden, "RP005 may not view clients (CL002)")
			_, err = e.svc.Details(ctx, testkit.Staff("t2", "x", authz.RetailAdministrator), c.Reference)
			assert.ErrorIs(t, err, clientele.ErrNotFound, "another tenant's client is missing")
			_, err = e.svc.Details(ctx, e.admin, "CMISSING1")
			assert.ErrorIs(t, err, clientele.ErrNotFound)
		})

		t.Run("the caller's context ends the call", func(t *testing.T) {
			e.docsF.SetLatency(5 * time.Second)
			defer e.docsF.Reset()
			cctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
			defer cancel()
			_, err := e.svc.Details(cctx, e.admin, c.Reference)
			assert.ErrorIs(t, err, context.DeadlineExceeded)
		})
	})
}

func TestAccounts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		e := newReadEnv(t, db)
		c := e.known(t, testkit.Person("Abel", "Accounts"))
		open := func(typ adapters.AccountType, amount int64, key string) adapters.Account {
			a, err := e.bank.OpenAccount(ctx, adapters.OpenAccountRequest{TenantID: "t1", ClientID: c.ID, Type: typ,
				OpeningBalance: adapters.Money{Amount: amount, Currency: "KES"}, IdempotencyKey: key})
			require.NoError(t, err)
			return a
		}
		s1 := open(adapters.Savings, 1_250_00, "s1")
		s2 := open(adapters.Savings, 0, "s2")
		l1 := open(adapters.Loan, 50_000_00, "l1")

		got, err := e.svc.Accounts(ctx, e.admin, c.Reference)
		require.NoError(t, err)
		assert.Equal(t, c.Reference, got.Reference)
		require.Len(t, got.Savings, 2)
		assert.Equal(t, []string{s1.ID, s2.ID}, []string{got.Savings[0].ID, got.Savings[1].ID})
		assert.Equal(t, adapters.Money{Amount: 1_250_00, Currency: "KES"}, got.Savings[0].Balance)
		require.Len(t, got.Credit, 1)
		assert.Equal(t, l1.ID, got.Credit[0].ID)
		assert.Equal(t, int64(50_000_00), got.Credit[0].Balance.Amount)

		// A client core banking does not know yet has no accounts.
		fresh, err := e.svc.Create(ctx, e.admin, testkit.Person("Nova", "New"), "")
		require.NoError(t, err)
		none, err := e.svc.Accounts(ctx, e.admin, fresh.Reference)
		require.NoError(t, err)
		assert.Empty(t, none.Savings)
		assert.Empty(t, none.Credit)

		// Core banking down: ErrUnavailable, whatever it answered.
		for _, kind := range []error{clientele.ErrUnavailable, clientele.ErrInvalid} {
			e.bankF.FailAll(kind)
			_, err = e.svc.Accounts(ctx, e.admin, c.Reference)
			assert.ErrorIs(t, err, clientele.ErrUnavailable)
			assert.NotErrorIs(t, err, clientele.ErrInvalid, "the caller's request was not invalid")
			var ue *clients.UnavailableError
			require.ErrorAs(t, err, &ue)
			assert.ErrorIs(t, ue.Err, kind, "the adapter's error stays reachable")
		}
		e.bankF.Reset()

		bare, err := clients.New(db.Clients(), testkit.AllowAll{})
		require.NoError(t, err)
		_, err = bare.Accounts(ctx, e.admin, c.Reference)
		assert.ErrorIs(t, err, clientele.ErrUnavailable, "no core banking configured")

		// CL006 is granted by clnt_acct_list only (RP001 in Retail Engine).
		_, err = e.svc.Accounts(ctx, e.compliance, c.Reference)
		assert.ErrorIs(t, err, clientele.ErrForbidden)
		_, err = e.svc.Accounts(ctx, testkit.Staff("t2", "x", authz.RetailAdministrator), c.Reference)
		assert.ErrorIs(t, err, clientele.ErrNotFound)
	})
}

// refs returns the references of a list of clients.
func refs(cs []clients.Client) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Reference
	}
	return out
}

// listAll walks every page of a filter, two clients a page.
func listAll(t *testing.T, svc *clients.Service, p authz.Principal, filter string) []string {
	t.Helper()
	var out []string
	req := clients.ListRequest{Filter: filter, Limit: 2}
	for range 20 {
		page, err := svc.List(context.Background(), p, req)
		require.NoError(t, err)
		assert.LessOrEqual(t, len(page.Clients), 2)
		out = append(out, refs(page.Clients)...)
		if page.NextCursor == "" {
			return out
		}
		req.Cursor = page.NextCursor
	}
	t.Fatal("too many pages")
	return nil
}

func TestFavourites(t *testing.T) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		e := newReadEnv(t, db)
		dbtest.StartDispatcher(t, db, clients.FavoriteHandlers(clients.Adapters{Persistence: e.pers}))
		var cs []clients.Client
		for i := range 6 {
			c, err := e.svc.Create(ctx, e.admin, testkit.Person("Fav", fmt.Sprintf("Client%d", i)), "")
			require.NoError(t, err)
			cs = append(cs, c)
		}
		other := testkit.Staff("t1", "admin2", authz.RetailAdministrator)
		star := func(p authz.Principal, c clients.Client, want bool) {
			t.Helper()
			f, err := e.svc.ToggleStar(ctx, p, c.Reference)
			require.NoError(t, err)
			assert.Equal(t, clients.Favorite{Reference: c.Reference, Starred: want}, f)
		}
		for _, i := range []int{0, 2, 3, 5} {
			star(e.admin, cs[i], true)
		}
		star(e.admin, cs[3], false) // toggled back
		star(other, cs[1], true)

		// starred:true lists the member's own stars, newest first, across
		// pages of two; starred:false the others; combined with other terms.
		assert.Equal(t, []string{cs[5].Reference, cs[2].Reference, cs[0].Reference}, listAll(t, e.svc, e.admin, "starred:true"))
		assert.Equal(t, []string{cs[4].Reference, cs[3].Reference, cs[1].Reference}, listAll(t, e.svc, e.admin, "starred:false"))
		assert.Equal(t, []string{cs[1].Reference}, listAll(t, e.svc, other, "starred:true"))
		assert.Equal(t, []string{cs[2].Reference}, listAll(t, e.svc, e.admin, "starred:true name~client2"))
		assert.Len(t, listAll(t, e.svc, e.admin, "starred:true|false"), 6)

		// The Persistence adapter receives every toggle (MC007) once.
		dbtest.Drain(t, db)
		favs, err := e.pers.ListFavorites(ctx, "t1", e.admin.UserID)
		require.NoError(t, err)
		var starred []string
		for _, f := range favs {
			starred = append(starred, f.ClientID)
		}
		assert.ElementsMatch(t, []string{cs[0].ID, cs[2].ID, cs[5].ID}, starred)

		// Parallel toggles of one client by one member each flip it once:
		// an even number leaves it as it was, at the store and the adapter.
		const n = 6
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() { _, errs[i] = e.svc.ToggleStar(ctx, e.admin, cs[4].Reference) })
		}
		wg.Wait()
		for _, err := range errs {
			require.NoError(t, err)
		}
		assert.NotContains(t, listAll(t, e.svc, e.admin, "starred:true"), cs[4].Reference)
		dbtest.Drain(t, db)
		favs, err = e.pers.ListFavorites(ctx, "t1", e.admin.UserID)
		require.NoError(t, err)
		assert.Len(t, favs, 3)
		recs, _, err := db.Effects().List(ctx, "t1", outbox.Filter{Entity: outbox.Entity{Kind: clients.EntityKind, ID: cs[4].ID}}, "", 100)
		require.NoError(t, err)
		assert.Len(t, slices.DeleteFunc(recs, func(r outbox.Record) bool { return r.Op != clients.OpSyncFavorite || r.Status != outbox.Delivered }), n)

		// Authorized and scoped: another tenant's client is missing.
		_, err = e.svc.ToggleStar(ctx, testkit.Staff("t2", "x", authz.RetailAdministrator), cs[0].Reference)
		assert.ErrorIs(t, err, clientele.ErrNotFound)
		_, err = e.svc.List(ctx, e.admin, clients.ListRequest{Filter: "starred:maybe"})
		assert.ErrorIs(t, err, clientele.ErrInvalid)
	})
}

// TestStaffOwnedChanges: starring a staff-owned client and changing its
// preferences need the employee-account permission, besides the operation.
func TestStaffOwnedChanges(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		e := newReadEnv(t, db)
		in := testkit.Person("Staff", "Owned")
		in.StaffAssociateID = "assoc-agent-7"
		staffClient, err := e.svc.Create(ctx, e.staffAdmin, in, "")
		require.NoError(t, err)

		// Refused: answered as a missing client, and nothing written.
		_, err = e.svc.ToggleStar(ctx, e.admin, staffClient.Reference)
		assert.ErrorIs(t, err, clientele.ErrNotFound)
		_, err = e.svc.SetPreferences(ctx, e.admin, staffClient.Reference, clients.PreferencesInput{Values: map[string]string{"language": "sw"}})
		assert.ErrorIs(t, err, clientele.ErrNotFound)
		assert.Empty(t, listAll(t, e.svc, e.admin, "starred:true"))
		assert.Zero(t, dbtest.Pending(t, db)-6, "only the create's three pushes and three onboarding checks are pending")

		// Allowed with the employee-account permission.
		f, err := e.svc.ToggleStar(ctx, e.staffAdmin, staffClient.Reference)
		require.NoError(t, err)
		assert.True(t, f.Starred)
		assert.Equal(t, []string{staffClient.Reference}, listAll(t, e.svc, e.staffAdmin, "starred:true"))
		p, err := e.svc.SetPreferences(ctx, e.staffAdmin, staffClient.Reference, clients.PreferencesInput{Values: map[string]string{"language": "sw"}})
		require.NoError(t, err)
		assert.True(t, p.Pending)

		// Viewing needs no employee-account permission.
		_, err = e.svc.Preferences(ctx, e.admin, staffClient.Reference)
		require.NoError(t, err)
	})
}

func TestPreferences(t *testing.T) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		e := newReadEnv(t, db)
		dbtest.StartDispatcher(t, db, clients.PreferencesHandlers(clients.Adapters{Persistence: e.pers}))
		c := e.known(t, testkit.Person("Pia", "Prefs"))

		got, err := e.svc.Preferences(ctx, e.compliance, c.Reference)
		require.NoError(t, err)
		assert.Equal(t, clients.Preferences{Reference: c.Reference, Values: map[string]string{}}, got)

		set, err := e.svc.SetPreferences(ctx, e.compliance, c.Reference, clients.PreferencesInput{
			Values: map[string]string{"language": "sw", "statements": "monthly"}, Version: 0})
		require.NoError(t, err)
		assert.Equal(t, clients.Preferences{Reference: c.Reference, Values: map[string]string{"language": "sw", "statements": "monthly"}, Version: 1, Pending: true}, set)
		dbtest.Drain(t, db)
		got, err = e.svc.Preferences(ctx, e.compliance, c.Reference)
		require.NoError(t, err)
		assert.Equal(t, clients.Preferences{Reference: c.Reference, Values: map[string]string{"language": "sw", "statements": "monthly"}, Version: 1}, got)
		st, err := e.pers.GetSettings(ctx, "t1", c.ID)
		require.NoError(t, err)
		assert.Equal(t, int64(1), st.Version, "held by the Persistence adapter under the client's ID")

		// A stale version is a conflict, and writes nothing.
		_, err = e.svc.SetPreferences(ctx, e.compliance, c.Reference, clients.PreferencesInput{Values: map[string]string{"language": "en"}, Version: 0})
		assert.ErrorIs(t, err, clientele.ErrConflict)

		// The change is audited with what changed.
		_, err = e.svc.SetPreferences(ctx, e.compliance, c.Reference, clients.PreferencesInput{Values: map[string]string{"language": "en"}, Version: 1})
		require.NoError(t, err)
		log, err := db.AuditLog(ctx, "t1", clients.EntityKind, c.ID, 10)
		require.NoError(t, err)
		last := log[len(log)-1] // oldest first
		assert.Equal(t, "CL004", last.Operation)
		assert.Equal(t, []string{"preferences.language", "preferences.statements"}, last.Changed)
		assert.JSONEq(t, `{"preferences":{"language":"en"},"version":2}`, string(last.After))
		dbtest.Drain(t, db)
		got, err = e.svc.Preferences(ctx, e.compliance, c.Reference)
		require.NoError(t, err)
		assert.Equal(t, map[string]string{"language": "en"}, got.Values)
		assert.Equal(t, int64(2), got.Version)

		// Input is checked before anything is written.
		_, err = e.svc.SetPreferences(ctx, e.compliance, c.Reference, clients.PreferencesInput{Values: map[string]string{"bad\x00key": "x", "ok": "line\nbreak"}, Version: 2})
		var verr *clientele.ValidationError
		require.ErrorAs(t, err, &verr)
		assert.ErrorIs(t, err, clientele.ErrInvalid)
		fields := []string{}
		for _, p := range verr.Problems {
			fields = append(fields, p.Field)
		}
		assert.ElementsMatch(t, []string{"values", "values.ok"}, fields)

		// Persistence down: reads and changes are unavailable.
		e.persF.FailAll(clientele.ErrUnavailable)
		_, err = e.svc.Preferences(ctx, e.compliance, c.Reference)
		assert.ErrorIs(t, err, clientele.ErrUnavailable)
		_, err = e.svc.SetPreferences(ctx, e.compliance, c.Reference, clients.PreferencesInput{Values: map[string]string{}, Version: 2})
		assert.ErrorIs(t, err, clientele.ErrUnavailable)
		e.persF.Reset()

		// RP005 neither views nor updates clients.
		_, err = e.svc.Preferences(ctx, e.helpdesk, c.Reference)
		assert.ErrorIs(t, err, clientele.ErrForbidden)
		_, err = e.svc.SetPreferences(ctx, e.helpdesk, c.Reference, clients.PreferencesInput{Version: 2})
		assert.ErrorIs(t, err, clientele.ErrForbidden)
	})
}

// TestStarredTerm: starred takes true or false with ":" only, and a query
// naming it needs the member whose stars it means.
func TestStarredTerm(t *testing.T) {
	q, err := clients.ParseQuery("starred:TRUE name~acme")
	require.NoError(t, err)
	assert.Equal(t, clients.Term{Field: clients.FieldStarred, Op: clients.OpEq, Values: []clients.Value{{Text: "true"}}}, q.Terms[0])
	assert.Equal(t, "starred:true name~acme", q.String())
	assert.ErrorIs(t, q.Validate(), clientele.ErrInvalid, "no member")
	q.Member = "u1"
	assert.NoError(t, q.Validate())
	for _, bad := range []string{"starred:yes", "starred!:true", "starred~tr", "starred>true"} {
		_, err := clients.ParseQuery(bad)
		assert.ErrorIs(t, err, clientele.ErrInvalid, bad)
	}
	q.Member = "u\x00"
	assert.ErrorIs(t, q.Validate(), clientele.ErrInvalid, "a member with a control character")
}

// TestConcurrentPreferencesFromOneVersion: changes made at once from one
// version: exactly one is committed, the others are refused with a conflict
// and write nothing; once it has reached the adapter, the next version may be
// written.
func TestConcurrentPreferencesFromOneVersion(t *testing.T) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		e := newReadEnv(t, db)
		c := e.known(t, testkit.Person("Pia", "Prefs"))
		audits := func() int {
			log, err := db.AuditLog(ctx, "t1", clients.EntityKind, c.ID, 100)
			require.NoError(t, err)
			return len(log)
		}
		before := audits()

		const n = 10
		var wg sync.WaitGroup
		var won, refused atomic.Int64
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := e.svc.SetPreferences(ctx, e.compliance, c.Reference,
					clients.PreferencesInput{Values: map[string]string{"language": fmt.Sprint("l", i)}, Version: 0})
				switch {
				case err == nil:
					won.Add(1)
				case errors.Is(err, clientele.ErrConflict):
					refused.Add(1)
				default:
					t.Errorf("change %d: %v", i, err)
				}
			}()
		}
		wg.Wait()
		assert.EqualValues(t, 1, won.Load())
		assert.EqualValues(t, n-1, refused.Load())
		assert.Equal(t, before+1, audits(), "the refused changes wrote nothing")
		var pending int
		require.NoError(t, db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM clientele_effects WHERE op = '`+
			clients.OpSyncPreferences+`' AND status = 'pending'`).Scan(&pending))
		assert.Equal(t, 1, pending, "one change on its way to the adapter")

		dbtest.StartDispatcher(t, db, clients.PreferencesHandlers(clients.Adapters{Persistence: e.pers}))
		dbtest.Drain(t, db)
		_, err := e.svc.SetPreferences(ctx, e.compliance, c.Reference, clients.PreferencesInput{Values: map[string]string{"language": "en"}, Version: 1})
		require.NoError(t, err)
		dbtest.Drain(t, db)
		got, err := e.svc.Preferences(ctx, e.compliance, c.Reference)
		require.NoError(t, err)
		assert.Equal(t, clients.Preferences{Reference: c.Reference, Values: map[string]string{"language": "en"}, Version: 2}, got)
	})
}

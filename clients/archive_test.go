package clients_test

import (
	"context"
	"fmt"
	"sync"
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

// keyCounter counts, per operation and idempotency key, the calls that
// changed something at core banking and succeeded.
type keyCounter struct {
	adapters.CoreBanking
	mu sync.Mutex
	n  map[string]int
}

func (k *keyCounter) count(op, key string, err error) {
	if err != nil {
		return
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	k.n[op+" "+key]++
}

func (k *keyCounter) counts() map[string]int {
	k.mu.Lock()
	defer k.mu.Unlock()
	out := map[string]int{}
	for key, n := range k.n {
		out[key] = n
	}
	return out
}

func (k *keyCounter) SetAccountBlocks(ctx context.Context, req adapters.SetAccountBlocksRequest) ([]adapters.Account, error) {
	out, err := k.CoreBanking.SetAccountBlocks(ctx, req)
	k.count("CC011", req.IdempotencyKey, err)
	return out, err
}

func (k *keyCounter) CloseAccounts(ctx context.Context, req adapters.CloseAccountsRequest) ([]adapters.Account, error) {
	out, err := k.CoreBanking.CloseAccounts(ctx, req)
	k.count("CC010", req.IdempotencyKey, err)
	return out, err
}

func (k *keyCounter) Transfer(ctx context.Context, req adapters.TransferRequest) (adapters.Transfer, error) {
	out, err := k.CoreBanking.Transfer(ctx, req)
	k.count("transfer", req.IdempotencyKey, err)
	return out, err
}

func (k *keyCounter) DeactivateClient(ctx context.Context, req adapters.DeactivateClientRequest) (adapters.BankClient, error) {
	out, err := k.CoreBanking.DeactivateClient(ctx, req)
	k.count("CC003", req.IdempotencyKey, err)
	return out, err
}

type archiveEnv struct {
	db         *storage.DB
	svc        *clients.Service
	fake       *memory.CoreBanking
	bank       *keyCounter
	ident      *memory.Identity
	crm        *memory.CRM
	msg        *memory.Messaging
	handlers   outbox.Handlers
	settlement string
	p          authz.Principal
}

const archiveCurrency = "KES"

// newArchiveEnv makes tenant t1 with a settlement account at the core banking
// fake, and a Service and handlers over the memory fakes.
func newArchiveEnv(t *testing.T, db *storage.DB, az clients.Authorizer) *archiveEnv {
	t.Helper()
	ctx := context.Background()
	fake := memory.NewCoreBanking()
	e := &archiveEnv{db: db, fake: fake, bank: &keyCounter{CoreBanking: fake, n: map[string]int{}},
		ident: memory.NewIdentity(), crm: memory.NewCRM(), msg: memory.NewMessaging(), p: testkit.Staff("t1", "u1")}
	_, err := fake.CreateClient(ctx, adapters.CreateClientRequest{TenantID: "t1", ClientID: "bank-itself",
		Profile: adapters.Profile{Type: adapters.Corporate, LegalName: "The Bank", Reference: "BANK"}, IdempotencyKey: "bank"})
	require.NoError(t, err)
	acct, err := fake.OpenAccount(ctx, adapters.OpenAccountRequest{TenantID: "t1", ClientID: "bank-itself", Type: adapters.Savings,
		OpeningBalance: adapters.Money{Currency: archiveCurrency}, IdempotencyKey: "settlement"})
	require.NoError(t, err)
	e.settlement = acct.ID
	tn := testkit.Tenant("t1")
	tn.Settings.SettlementAccount = acct.ID
	require.NoError(t, db.Tenants().Create(ctx, tn))
	if az == nil {
		az = testkit.AllowAll{}
	}
	ad := clients.Adapters{CoreBanking: e.bank, Identity: e.ident, CRM: e.crm, Messaging: e.msg}
	e.svc, err = clients.New(db.Clients(), az, clients.WithAdapters(ad), clients.WithTenants(db.Tenants()))
	require.NoError(t, err)
	archive, err := clients.ArchiveHandlers(clients.ArchiveDeps{Store: db.Clients(), Adapters: ad, Tenants: db.Tenants()})
	require.NoError(t, err)
	e.handlers = outbox.Merge(clients.SyncHandlers(db.Clients(), ad), archive)
	return e
}

// client creates a client, waits until it reached core banking, and opens
// savings accounts with the given balances and loans with the given
// outstanding balances.
func (e *archiveEnv) client(t *testing.T, p authz.Principal, in clients.CreateInput, savings, loans []int64) (clients.Client, []string) {
	t.Helper()
	ctx := context.Background()
	c, err := e.svc.Create(ctx, p, in, "")
	require.NoError(t, err)
	dbtest.Drain(t, e.db)
	var ids []string
	open := func(typ adapters.AccountType, amounts []int64) {
		for i, amount := range amounts {
			a, err := e.fake.OpenAccount(ctx, adapters.OpenAccountRequest{TenantID: "t1", ClientID: c.ID, Type: typ,
				OpeningBalance: adapters.Money{Amount: amount, Currency: archiveCurrency},
				IdempotencyKey: fmt.Sprintf("%s-%s-%d", c.ID, typ, i)})
			require.NoError(t, err)
			ids = append(ids, a.ID)
		}
	}
	open(adapters.Savings, savings)
	open(adapters.Loan, loans)
	return c, ids
}

// total is the sum of the savings balances of the client and the settlement
// account.
func (e *archiveEnv) total(t *testing.T, clientID string) int64 {
	t.Helper()
	ctx := context.Background()
	accts, err := e.fake.ListAccounts(ctx, adapters.ListAccountsRequest{TenantID: "t1", ClientID: clientID, Type: adapters.Savings})
	require.NoError(t, err)
	s, err := e.fake.GetAccount(ctx, "t1", e.settlement)
	require.NoError(t, err)
	sum := s.Balance.Amount
	for _, a := range accts {
		sum += a.Balance.Amount
	}
	return sum
}

func (e *archiveEnv) waitState(t *testing.T, ref string, want clients.State) clients.Client {
	t.Helper()
	var c clients.Client
	assert.Eventually(t, func() bool {
		var err error
		c, err = e.svc.Get(context.Background(), e.p, ref)
		require.NoError(t, err)
		return c.State == want
	}, 60*time.Second, 5*time.Millisecond, "client never became %s", want)
	if c.State != want {
		t.Logf("client: %s %+v", c.State, c.Archive)
		for _, r := range e.effects(t, c.ID) {
			t.Logf("effect %s %s attempts %d: %s", r.Op, r.Status, r.Attempts, r.LastError)
		}
		t.FailNow()
	}
	return c
}

func (e *archiveEnv) effects(t *testing.T, clientID string) []outbox.Record {
	t.Helper()
	recs, _, err := e.db.Effects().List(context.Background(), "t1", outbox.Filter{Entity: outbox.Entity{Kind: clients.EntityKind, ID: clientID}}, "", 100)
	require.NoError(t, err)
	return recs
}

// archiveOps counts the archive effects of recs by operation.
func archiveOps(recs []outbox.Record) map[string]int {
	out := map[string]int{}
	for _, r := range recs {
		if len(r.Op) > 6 && r.Op[:6] == "CL005." {
			out[r.Op]++
		}
	}
	return out
}

// assertArchived checks the end state of a finished archive at every fake.
func (e *archiveEnv) assertArchived(t *testing.T, c clients.Client) {
	t.Helper()
	ctx := context.Background()
	got := e.waitState(t, c.Reference, clients.Archived)
	dbtest.Drain(t, e.db)
	require.NotNil(t, got.Archive)
	assert.Equal(t, clients.StepDone, got.Archive.Step)
	assert.Empty(t, got.Archive.LastError)
	assert.NotNil(t, got.Archive.CompletedAt)
	accts, err := e.fake.ListAccounts(ctx, adapters.ListAccountsRequest{TenantID: "t1", ClientID: c.ID})
	require.NoError(t, err)
	for _, a := range accts {
		assert.Equal(t, adapters.AccountClosed, a.Status, "account %s", a.ID)
		assert.Zero(t, a.Balance.Amount, "account %s", a.ID)
	}
	bc, err := e.fake.GetClient(ctx, "t1", c.ID)
	require.NoError(t, err)
	assert.Equal(t, adapters.StatusInactive, bc.Status)
	iu, err := e.ident.GetUser(ctx, "t1", c.ID)
	require.NoError(t, err)
	assert.Equal(t, adapters.StatusInactive, iu.Status)
	pt, err := e.crm.GetPartner(ctx, "t1", c.ID)
	require.NoError(t, err)
	assert.Equal(t, adapters.StatusInactive, pt.Status)
	var notices int
	for _, m := range e.msg.Sent() {
		if m.Kind == adapters.KindAccountClosure && m.ClientID == c.ID {
			notices++
		}
	}
	assert.Equal(t, 1, notices, "one closure notice")
	ops := archiveOps(e.effects(t, c.ID))
	assert.Len(t, ops, len(clients.ArchiveSteps()), "one effect per step: %v", ops)
	for op, n := range ops {
		assert.Equal(t, 1, n, "effect %s", op)
	}
	for _, r := range e.effects(t, c.ID) {
		assert.Equal(t, outbox.Delivered, r.Status, "effect %s: %s", r.Op, r.LastError)
	}
}

// Core banking fails every second call while a client with three savings
// accounts is archived: the saga completes, every change reaches core
// banking once per key, and the money is conserved.
func TestArchiveThroughFlakyCoreBanking(t *testing.T) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		e := newArchiveEnv(t, db, nil)
		dbtest.StartDispatcher(t, db, e.handlers)
		c, _ := e.client(t, e.p, testkit.Person("Amina", "Otieno"), []int64{125_00, 0, 9_999_99}, []int64{0})
		before := e.total(t, c.ID)
		require.Equal(t, int64(125_00+9_999_99), before)

		e.fake.Faults().FailEveryNth(2, clientele.ErrUnavailable)
		got, err := e.svc.Archive(ctx, e.p, c.Reference, clients.ArchiveInput{Version: c.Version})
		require.NoError(t, err)
		assert.Equal(t, clients.Archiving, got.State)
		require.NotNil(t, got.Archive)
		assert.Equal(t, "u1", got.Archive.RequestedBy)

		e.waitState(t, c.Reference, clients.Archived)
		e.fake.Faults().Reset()
		e.assertArchived(t, c)
		assert.Equal(t, before, e.total(t, c.ID), "balances conserved")
		s, err := e.fake.GetAccount(ctx, "t1", e.settlement)
		require.NoError(t, err)
		assert.Equal(t, before, s.Balance.Amount, "everything reached the settlement account")

		counts := e.bank.counts()
		for key, n := range counts {
			assert.Equal(t, 1, n, "%s reached core banking %d times", key, n)
		}
		// block, close, deactivate, and per non-empty account a release and
		// a transfer.
		assert.Len(t, counts, 3+2*2, "%v", counts)

		// The audit trail: the request, then each step in the requester's name.
		entries, err := db.AuditLog(ctx, "t1", "client", c.ID, 100)
		require.NoError(t, err)
		var archiveEntries int
		for _, en := range entries {
			if en.Operation == string(authz.OpArchiveClient) {
				archiveEntries++
				assert.Equal(t, "u1", en.Actor)
			}
		}
		assert.GreaterOrEqual(t, archiveEntries, 1+len(clients.ArchiveSteps()))

		// Archived is terminal and a repeated archive changes nothing.
		again, err := e.svc.Archive(ctx, e.p, c.Reference, clients.ArchiveInput{})
		require.NoError(t, err)
		assert.Equal(t, clients.Archived, again.State)
		final, err := e.svc.Get(ctx, e.p, c.Reference)
		require.NoError(t, err)
		assert.Equal(t, again.Version, final.Version)
		_, err = e.svc.Transition(ctx, e.p, c.Reference, clients.Active, final.Version)
		assert.ErrorIs(t, err, clientele.ErrPrecondition)
		_, err = e.svc.Update(ctx, e.p, c.Reference, clients.UpdateInput{Version: final.Version, Profile: final.Profile})
		assert.ErrorIs(t, err, clientele.ErrPrecondition)

		// Default lists leave archived clients out; status:archived finds them.
		page, err := e.svc.List(ctx, e.p, clients.ListRequest{})
		require.NoError(t, err)
		assert.Empty(t, page.Clients)
		page, err = e.svc.List(ctx, e.p, clients.ListRequest{Filter: "status:archived"})
		require.NoError(t, err)
		require.Len(t, page.Clients, 1)
		assert.Equal(t, c.ID, page.Clients[0].ID)
	})
}

// The dispatcher stops while the saga waits for an identity outage: a new
// dispatcher resumes it where it stopped and finishes.
func TestArchiveResumesAfterDispatcherRestart(t *testing.T) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		e := newArchiveEnv(t, db, nil)
		d := dbtest.StartDispatcher(t, db, e.handlers)
		c, _ := e.client(t, e.p, testkit.Person("Amina", "Otieno"), []int64{500_00, 20_00, 1}, nil)
		before := e.total(t, c.ID)

		e.ident.Faults().FailAll(clientele.ErrUnavailable)
		_, err := e.svc.Archive(ctx, e.p, c.Reference, clients.ArchiveInput{})
		require.NoError(t, err)
		require.Eventually(t, func() bool {
			got, err := e.svc.Get(ctx, e.p, c.Reference)
			require.NoError(t, err)
			return got.Archive.Step == clients.StepIdentity && got.Archive.LastError != ""
		}, 15*time.Second, 5*time.Millisecond)
		require.NoError(t, d.Stop(ctx))
		got, err := e.svc.Get(ctx, e.p, c.Reference)
		require.NoError(t, err)
		assert.Equal(t, clients.Archiving, got.State)
		assert.Contains(t, got.Archive.LastError, "unavailable", "the client says why it waits")

		e.ident.Faults().Reset()
		dbtest.StartDispatcher(t, db, e.handlers)
		e.assertArchived(t, c)
		assert.Equal(t, before, e.total(t, c.ID))
		for key, n := range e.bank.counts() {
			assert.Equal(t, 1, n, key)
		}
	})
}

// A loan with an outstanding balance refuses the archive, naming the
// account, and nothing changes; so does core banking being down.
func TestArchiveRefusedWithOutstandingLoan(t *testing.T) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		e := newArchiveEnv(t, db, nil)
		dbtest.StartDispatcher(t, db, e.handlers)
		c, ids := e.client(t, e.p, testkit.Person("Amina", "Otieno"), []int64{100_00}, []int64{0, 2_500_00})
		loan := ids[2]
		cur, err := e.svc.Get(ctx, e.p, c.Reference)
		require.NoError(t, err)
		effects := len(e.effects(t, c.ID))
		entries, err := db.AuditLog(ctx, "t1", "client", c.ID, 100)
		require.NoError(t, err)

		_, err = e.svc.Archive(ctx, e.p, c.Reference, clients.ArchiveInput{})
		require.ErrorIs(t, err, clientele.ErrPrecondition)
		assert.Contains(t, err.Error(), loan)
		assert.Contains(t, err.Error(), "outstanding")

		e.fake.Faults().FailAll(clientele.ErrUnavailable)
		_, err = e.svc.Archive(ctx, e.p, c.Reference, clients.ArchiveInput{})
		require.ErrorIs(t, err, clientele.ErrUnavailable)
		e.fake.Faults().Reset()

		after, err := e.svc.Get(ctx, e.p, c.Reference)
		require.NoError(t, err)
		assert.Equal(t, cur, after, "client unchanged")
		assert.Len(t, e.effects(t, c.ID), effects, "no effect")
		entriesAfter, err := db.AuditLog(ctx, "t1", "client", c.ID, 100)
		require.NoError(t, err)
		assert.Len(t, entriesAfter, len(entries), "no audit entry")
		assert.Empty(t, e.bank.counts(), "core banking was not changed")
	})
}

// A client with savings to sweep is refused at once, naming the account,
// when the tenant has no settlement account (read through WithTenants), and
// nothing changes.
func TestArchiveRefusedWithoutSettlementAccount(t *testing.T) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		e := newArchiveEnv(t, db, nil)
		dbtest.StartDispatcher(t, db, e.handlers)
		c, ids := e.client(t, e.p, testkit.Person("Amina", "Otieno"), []int64{100_00}, nil)
		tn, err := db.Tenants().Get(ctx, "t1")
		require.NoError(t, err)
		_, err = db.SQL().ExecContext(ctx, `UPDATE tenants SET settings = '{}' WHERE id = 't1'`)
		require.NoError(t, err)
		require.NotEmpty(t, tn.Settings.SettlementAccount)
		cur, err := e.svc.Get(ctx, e.p, c.Reference)
		require.NoError(t, err)
		effects := len(e.effects(t, c.ID))

		_, err = e.svc.Archive(ctx, e.p, c.Reference, clients.ArchiveInput{})
		require.ErrorIs(t, err, clientele.ErrPrecondition)
		assert.Contains(t, err.Error(), ids[0])
		assert.Contains(t, err.Error(), "no settlement account")
		after, err := e.svc.Get(ctx, e.p, c.Reference)
		require.NoError(t, err)
		assert.Equal(t, cur, after, "client unchanged")
		assert.Len(t, e.effects(t, c.ID), effects, "no effect")
		assert.Empty(t, e.bank.counts(), "core banking was not changed")
	})
}

// A loan disbursed after the archive was accepted stops the saga at the close
// step, which says why; the accounts stay open, and Archive refuses again
// while the loan is outstanding.
func TestArchiveStopsWhenALoanAppears(t *testing.T) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		e := newArchiveEnv(t, db, nil)
		d := dbtest.StartDispatcher(t, db, e.handlers)
		c, _ := e.client(t, e.p, testkit.Person("Amina", "Otieno"), []int64{100_00}, nil)
		require.NoError(t, d.Stop(ctx))
		_, err := e.svc.Archive(ctx, e.p, c.Reference, clients.ArchiveInput{})
		require.NoError(t, err)
		loan, err := e.fake.OpenAccount(ctx, adapters.OpenAccountRequest{TenantID: "t1", ClientID: c.ID, Type: adapters.Loan,
			OpeningBalance: adapters.Money{Amount: 7_000_00, Currency: archiveCurrency}, IdempotencyKey: "late-loan"})
		require.NoError(t, err)
		dbtest.StartDispatcher(t, db, e.handlers)
		dbtest.Drain(t, db)

		got, err := e.svc.Get(ctx, e.p, c.Reference)
		require.NoError(t, err)
		assert.Equal(t, clients.Archiving, got.State)
		assert.Equal(t, clients.StepClose, got.Archive.Step)
		assert.Contains(t, got.Archive.LastError, loan.ID)
		accts, err := e.fake.ListAccounts(ctx, adapters.ListAccountsRequest{TenantID: "t1", ClientID: c.ID})
		require.NoError(t, err)
		for _, a := range accts {
			assert.NotEqual(t, adapters.AccountClosed, a.Status)
		}
		var parked int
		for _, r := range e.effects(t, c.ID) {
			if r.Status == outbox.Parked {
				parked++
				assert.Equal(t, clients.OpArchiveClose, r.Op)
			}
		}
		assert.Equal(t, 1, parked)

		_, err = e.svc.Archive(ctx, e.p, c.Reference, clients.ArchiveInput{})
		require.ErrorIs(t, err, clientele.ErrPrecondition)
		assert.Contains(t, err.Error(), loan.ID)
	})
}

// Parallel Archive calls on one client start one saga: every call succeeds
// with the client archiving, and each step runs once.
func TestArchiveParallelCallsOneSaga(t *testing.T) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		e := newArchiveEnv(t, db, nil)
		d := dbtest.StartDispatcher(t, db, e.handlers)
		c, _ := e.client(t, e.p, testkit.Person("Amina", "Otieno"), []int64{300_00, 5}, nil)
		require.NoError(t, d.Stop(ctx))
		before := e.total(t, c.ID)

		const n = 6
		var wg sync.WaitGroup
		errs := make([]error, n)
		states := make([]clients.State, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				got, err := e.svc.Archive(ctx, e.p, c.Reference, clients.ArchiveInput{})
				errs[i], states[i] = err, got.State
			}()
		}
		wg.Wait()
		for i := range n {
			require.NoError(t, errs[i])
			assert.Equal(t, clients.Archiving, states[i])
		}
		ops := archiveOps(e.effects(t, c.ID))
		assert.Equal(t, map[string]int{clients.OpArchiveBlock: 1}, ops, "one saga, at its first step")

		dbtest.StartDispatcher(t, db, e.handlers)
		e.assertArchived(t, c)
		assert.Equal(t, before, e.total(t, c.ID))
		for key, n := range e.bank.counts() {
			assert.Equal(t, 1, n, key)
		}
	})
}

// Archive is CL005 on the client: a principal without it is refused before
// anything is read; a staff-owned client needs the employee-account
// permission too (without it the client is answered as missing), and with it
// the archive goes through.
func TestArchiveAuthorization(t *testing.T) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		spec := authz.RetailEngine()
		spec.TenantWidePermissions = append(spec.TenantWidePermissions, "clnt_list", "clnt_mgmt_admin")
		spec.Roles = append(spec.Roles, authz.Role{Code: "STAFFONLY", Name: "Employee accounts only", Type: authz.Backoffice,
			Permissions: []string{authz.PermStaffAccounts}})
		cats := authz.NewMemoryStore()
		require.NoError(t, cats.PutTenant(authz.Org{TenantID: "t1", Apps: map[string]string{"retail": "active"}}, spec))
		az, err := authz.New(cats, cats)
		require.NoError(t, err)
		e := newArchiveEnv(t, db, az)
		e.p = testkit.Staff("t1", "boss", authz.RetailAdministrator, "STAFFONLY")
		dbtest.StartDispatcher(t, db, e.handlers)

		admin := testkit.Staff("t1", "admin", authz.RetailAdministrator)
		helpdesk := testkit.Staff("t1", "hd", authz.RetailHelpdeskOfficer)
		staffIn := testkit.Person("Staff", "Member")
		staffIn.StaffAssociateID = "assoc-agent-7"
		staff, _ := e.client(t, e.p, staffIn, []int64{10_00}, nil)
		plain, _ := e.client(t, e.p, testkit.Person("Plain", "Client"), nil, nil)

		_, err = e.svc.Archive(ctx, helpdesk, plain.Reference, clients.ArchiveInput{})
		assert.ErrorIs(t, err, clientele.ErrForbidden)
		_, errStaff := e.svc.Archive(ctx, admin, staff.Reference, clients.ArchiveInput{})
		_, errMissing := e.svc.Archive(ctx, admin, "CMISSING1", clients.ArchiveInput{})
		require.ErrorIs(t, errStaff, clientele.ErrNotFound)
		sameError(t, errStaff, staff.Reference, errMissing, "CMISSING1")
		got, err := e.svc.Get(ctx, admin, plain.Reference)
		require.NoError(t, err)
		assert.Equal(t, clients.Pending, got.State)

		_, err = e.svc.Archive(ctx, e.p, staff.Reference, clients.ArchiveInput{})
		require.NoError(t, err, "the employee-account permission allows it")
		_, err = e.svc.Archive(ctx, admin, plain.Reference, clients.ArchiveInput{Version: plain.Version + 5})
		require.ErrorIs(t, err, clientele.ErrConflict, "a stale version")
		_, err = e.svc.Archive(ctx, admin, plain.Reference, clients.ArchiveInput{Version: plain.Version})
		require.NoError(t, err)
		e.waitState(t, staff.Reference, clients.Archived)
		e.waitState(t, plain.Reference, clients.Archived)
	})
}

// The client's identity and CRM profiles were never created (their creates
// never ran): the saga has nothing to deactivate there and finishes, and a
// create delivered late pushes nothing for the archived client.
func TestArchiveClientUnknownToIdentityAndCRM(t *testing.T) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		e := newArchiveEnv(t, db, nil)
		archive, err := clients.ArchiveHandlers(clients.ArchiveDeps{Store: db.Clients(), Tenants: db.Tenants(),
			Adapters: clients.Adapters{CoreBanking: e.bank, Identity: e.ident, CRM: e.crm, Messaging: e.msg}})
		require.NoError(t, err)
		// Only core banking receives the client's profile.
		coreOnly := clients.SyncHandlers(db.Clients(), clients.Adapters{CoreBanking: e.bank})
		d := dbtest.StartDispatcher(t, db, outbox.Merge(coreOnly, archive))
		c, _ := e.client(t, e.p, testkit.Person("Amina", "Otieno"), []int64{10}, nil)
		_, err = e.svc.Archive(ctx, e.p, c.Reference, clients.ArchiveInput{})
		require.NoError(t, err)
		got := e.waitState(t, c.Reference, clients.Archived)
		assert.Empty(t, got.Archive.LastError)
		require.NoError(t, d.Stop(ctx))

		// A create delivered late, by handlers that do have identity and the
		// CRM, pushes nothing for the archived client.
		for _, op := range []string{clients.OpSyncIdentityCreate, clients.OpSyncCRMCreate} {
			_, err := e.handlers[op].Deliver(ctx, outbox.Delivery{Attempt: 1, Effect: outbox.Effect{TenantID: "t1", Op: op,
				Entity: outbox.Entity{Kind: clients.EntityKind, ID: c.ID}, Key: "late-" + op}})
			require.NoError(t, err)
		}
		_, err = e.ident.GetUser(ctx, "t1", c.ID)
		assert.ErrorIs(t, err, clientele.ErrNotFound)
		_, err = e.crm.GetPartner(ctx, "t1", c.ID)
		assert.ErrorIs(t, err, clientele.ErrNotFound)
	})
}

package portal_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/adapters"
	"github.com/clientele-go/clientele/authz"
	"github.com/clientele-go/clientele/internal/dbtest"
	"github.com/clientele-go/clientele/portal"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/tenants"
)

// TestWrappers: savings are the client's active ones, loans its active and
// closed ones without anything internal, a transfer completes at once and
// its replay moves nothing; another client's accounts and transfers are
// missing; a view-only client cannot transfer; a back-office principal
// reaches no portal call.
func TestWrappers(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		pa, a := f.customer(t, "100001", "+254700000101", authz.RolePortalTransactor)
		pb, b := f.customer(t, "100002", "+254700000102", authz.RolePortalViewer)
		a1 := f.savings(t, a.ID, 10_000)
		a2 := f.savings(t, a.ID, 0)
		b1 := f.savings(t, b.ID, 500)
		closed := f.savings(t, a.ID, 0)
		_, err := f.bank.CloseAccounts(ctx, adapters.CloseAccountsRequest{TenantID: tenantID, ClientID: a.ID, AccountIDs: []string{closed}, IdempotencyKey: "close-1"})
		require.NoError(t, err)

		// Loans: the bank's notes and approval data are planted; none may leave.
		const secret = "INTERNAL-7f3e-approval-note"
		loan, err := f.bank.OpenAccount(ctx, adapters.OpenAccountRequest{TenantID: tenantID, ClientID: a.ID, Type: adapters.Loan,
			OpeningBalance: kes(50_000), Loan: &adapters.LoanDetails{InterestRateBps: 1200, TermMonths: 12,
				ApprovedBy: secret + "-officer", Notes: secret}, IdempotencyKey: "loan-1"})
		require.NoError(t, err)
		paid, err := f.bank.OpenAccount(ctx, adapters.OpenAccountRequest{TenantID: tenantID, ClientID: a.ID, Type: adapters.Loan,
			OpeningBalance: kes(0), Loan: &adapters.LoanDetails{Notes: secret}, IdempotencyKey: "loan-2"})
		require.NoError(t, err)
		_, err = f.bank.CloseAccounts(ctx, adapters.CloseAccountsRequest{TenantID: tenantID, ClientID: a.ID, AccountIDs: []string{paid.ID}, IdempotencyKey: "close-2"})
		require.NoError(t, err)

		sv, err := f.ps.Savings(ctx, pa)
		require.NoError(t, err)
		var ids []string
		for _, s := range sv.Accounts {
			ids = append(ids, s.ID)
		}
		assert.Equal(t, []string{a1, a2}, ids, "active savings only, own only")
		loans, err := f.ps.Loans(ctx, pa)
		require.NoError(t, err)
		require.Len(t, loans.Loans, 2)
		assert.Equal(t, loan.ID, loans.Loans[0].ID)
		assert.Equal(t, "closed", loans.Loans[1].Status)
		raw, err := json.Marshal(loans)
		require.NoError(t, err)
		assert.NotContains(t, string(raw), secret, "no internal field leaves")
		assert.NotContains(t, string(raw), "approv")
		assert.NotContains(t, string(raw), "notes")

		// A transfer completes at once.
		in := portal.TransferInput{FromAccountID: a1, ToAccountID: b1, Amount: kes(2_500), Narration: "cash-in"}
		tr, err := f.ps.Transfer(ctx, pa, in, "key-1")
		require.NoError(t, err)
		assert.Equal(t, portal.TransferCompleted, tr.Status)
		assert.NotEmpty(t, tr.BankTransferID)
		assert.Equal(t, int64(7_500), f.balance(t, a1))
		assert.Equal(t, int64(3_000), f.balance(t, b1))
		again, err := f.ps.Transfer(ctx, pa, in, "key-1")
		require.NoError(t, err)
		assert.Equal(t, tr.ID, again.ID, "a replay returns the stored transfer")
		assert.Equal(t, int64(7_500), f.balance(t, a1), "and moves nothing")
		in2 := in
		in2.Amount = kes(1)
		_, err = f.ps.Transfer(ctx, pa, in2, "key-1")
		assert.ErrorIs(t, err, clientele.ErrConflict, "the same key with another body")
		got, err := f.ps.GetTransfer(ctx, pa, tr.ID)
		require.NoError(t, err)
		assert.Equal(t, portal.TransferCompleted, got.Status)
		log, err := db.AuditLog(ctx, tenantID, portal.TransferEntity, tr.ID, 10)
		require.NoError(t, err)
		var ops []string
		for _, e := range log {
			ops = append(ops, e.Operation)
		}
		assert.ElementsMatch(t, []string{string(authz.OpPortalTransfer), portal.AuditTransferSettled}, ops)

		// IDOR: B's account and transfer are missing to A, with the text of a
		// missing one; A's are missing to B.
		_, errMissing := f.ps.Transfer(ctx, pa, portal.TransferInput{FromAccountID: "no-such-account", ToAccountID: a2, Amount: kes(1)}, "key-2")
		require.ErrorIs(t, errMissing, clientele.ErrNotFound)
		_, errOther := f.ps.Transfer(ctx, pa, portal.TransferInput{FromAccountID: b1, ToAccountID: a2, Amount: kes(1)}, "key-3")
		require.ErrorIs(t, errOther, clientele.ErrNotFound)
		assert.Equal(t, strings.ReplaceAll(errMissing.Error(), "no-such-account", "X"), strings.ReplaceAll(errOther.Error(), b1, "X"))
		_, err = f.ps.GetTransfer(ctx, pb, tr.ID)
		assert.ErrorIs(t, err, clientele.ErrNotFound)
		_, errMissing = f.ps.GetTransfer(ctx, pb, "no-such-transfer")
		assert.ErrorIs(t, errMissing, clientele.ErrNotFound)
		assert.Equal(t, int64(500+2_500), f.balance(t, b1), "B's money did not move")

		// View only: B may look but not transfer.
		_, err = f.ps.Savings(ctx, pb)
		require.NoError(t, err)
		_, err = f.ps.Transfer(ctx, pb, portal.TransferInput{FromAccountID: b1, ToAccountID: a1, Amount: kes(1)}, "key-4")
		assert.ErrorIs(t, err, clientele.ErrForbidden)

		// A back-office principal, even the node operator, reaches no portal call.
		_, err = f.ps.Savings(ctx, f.admin)
		assert.ErrorIs(t, err, clientele.ErrForbidden)
		_, err = f.ps.Transfer(ctx, f.admin, in, "key-5")
		assert.ErrorIs(t, err, clientele.ErrForbidden)
		// A customer principal whose roles claim a back-office role is refused
		// too (the catalogue refuses the mix).
		forged := pa
		forged.Roles = []string{"RP001"}
		_, err = f.ps.Savings(ctx, forged)
		assert.ErrorIs(t, err, clientele.ErrForbidden)
		_, err = f.cs.Get(ctx, forged, a.Reference)
		assert.ErrorIs(t, err, clientele.ErrForbidden)
	})
}

// TestRefusedTransferIsRecordedFailed: core banking refuses an overdraft; the
// transfer is recorded failed and its replay says so again.
func TestRefusedTransferIsRecordedFailed(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		pa, a1, b1 := f.ends(t, 100)
		in := portal.TransferInput{FromAccountID: a1, ToAccountID: b1, Amount: kes(101)}
		tr, err := f.ps.Transfer(ctx, pa, in, "k")
		var failed *portal.FailedError
		require.ErrorAs(t, err, &failed)
		assert.ErrorIs(t, err, clientele.ErrPrecondition)
		assert.Equal(t, portal.TransferFailed, tr.Status)
		_, err = f.ps.Transfer(ctx, pa, in, "k")
		assert.ErrorAs(t, err, &failed)
		assert.Equal(t, int64(100), f.balance(t, a1))
	})
}

// TestPortalSwitch: switching the tenant's portal off refuses every portal
// call with ErrPortalDisabled at once in the process that switched it (its
// tenant service invalidates its authorizer), and in another process (a
// second authorizer on the same database, its cache warm) once its cache
// entry expires.
func TestPortalSwitch(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		pa, a1, b1 := f.ends(t, 1_000)
		tr, err := f.ps.Transfer(ctx, pa, portal.TransferInput{FromAccountID: a1, ToAccountID: b1, Amount: kes(1)}, "k0")
		require.NoError(t, err)
		var elsewhere atomic.Int64 // the other process's clock, in ns since start
		start := time.Now()
		az2, err := authz.New(db.Authz(), db.Authz(), authz.WithClock(func() time.Time {
			return start.Add(time.Duration(elsewhere.Load()))
		}))
		require.NoError(t, err)
		processes := []*portal.Service{f.ps, f.portal(t, az2)}
		calls := func(ps *portal.Service) map[string]error {
			_, e1 := ps.Savings(ctx, pa)
			_, e2 := ps.Loans(ctx, pa)
			_, e3 := ps.Transfer(ctx, pa, portal.TransferInput{FromAccountID: a1, ToAccountID: b1, Amount: kes(1)}, "k1")
			_, e4 := ps.GetTransfer(ctx, pa, tr.ID)
			return map[string]error{"savings": e1, "loans": e2, "transfer": e3, "get transfer": e4}
		}
		for _, ps := range processes {
			for name, err := range calls(ps) {
				require.NoError(t, err, name)
			}
		}
		ts, err := tenants.New(db.Tenants(), tenantID, tenants.WithAuthorizer(f.az))
		require.NoError(t, err)
		set := func(on bool) {
			cur, err := ts.Get(ctx, f.admin, tenantID)
			require.NoError(t, err)
			_, err = ts.Update(ctx, f.admin, tenantID, tenants.Change{Version: cur.Version, ClientPortal: &on})
			require.NoError(t, err)
		}
		set(false)
		for name, err := range calls(f.ps) {
			assert.ErrorIs(t, err, clientele.ErrPortalDisabled, "this process, at once: %s", name)
		}
		elsewhere.Add(int64(authz.DefaultCacheTTL))
		for i, ps := range processes {
			for name, err := range calls(ps) {
				assert.ErrorIs(t, err, clientele.ErrPortalDisabled, "process %d: %s", i, name)
			}
		}
		assert.Equal(t, int64(998), f.balance(t, a1), "k0 and k1 moved 1 each; nothing moved while the portal was off")
		set(true)
		elsewhere.Add(int64(authz.DefaultCacheTTL))
		for _, ps := range processes {
			_, err := ps.Savings(ctx, pa)
			assert.NoError(t, err)
		}
	})
}

// TestAccessGrantAndRevoke: granting creates the customer user in the same
// transaction; a taken username names portalAccess.username; revoking
// disables every portal call; roles change through the access.
func TestAccessGrantAndRevoke(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		pa, a := f.customer(t, "100001", "+254700000101", authz.RolePortalViewer)
		acc, err := f.ps.Access(ctx, f.admin, a.Reference)
		require.NoError(t, err)
		assert.Equal(t, "+254700000101", acc.Username)
		assert.Equal(t, pa.UserID, acc.UserID)
		assert.True(t, acc.Enabled)

		// The username is taken: a clear field problem, and nothing written.
		c2, err := f.cs.Create(ctx, f.admin, clientInput("100002", "+254700000199"), "")
		require.NoError(t, err)
		_, err = f.ps.SetAccess(ctx, f.admin, c2.Reference, portal.AccessInput{Username: "+254700000101", Roles: []string{authz.RolePortalViewer}})
		var verr *clientele.ValidationError
		require.ErrorAs(t, err, &verr)
		require.Len(t, verr.Problems, 1)
		assert.Equal(t, "portalAccess.username", verr.Problems[0].Field)
		assert.Equal(t, "already taken", verr.Problems[0].Message)
		_, err = f.ps.Access(ctx, f.admin, c2.Reference)
		assert.ErrorIs(t, err, clientele.ErrNotFound, "no access was stored")
		// A back-office role is no customer role.
		_, err = f.ps.SetAccess(ctx, f.admin, c2.Reference, portal.AccessInput{Username: "c2@bank.example", Roles: []string{"RP001"}})
		require.ErrorAs(t, err, &verr)
		assert.Equal(t, "portalAccess.roles[0]", verr.Problems[0].Field)

		// Roles change: view only becomes transfer.
		acc, err = f.ps.SetAccess(ctx, f.admin, a.Reference, portal.AccessInput{Roles: []string{authz.RolePortalTransactor}, Version: acc.Version})
		require.NoError(t, err)
		assert.Equal(t, []string{authz.RolePortalTransactor}, acc.Roles)
		u, err := f.us.Get(ctx, f.admin, acc.UserID)
		require.NoError(t, err)
		assert.Equal(t, []string{authz.RolePortalTransactor}, u.Roles)

		// Revoke: every portal call of the client is refused.
		off := false
		acc, err = f.ps.SetAccess(ctx, f.admin, a.Reference, portal.AccessInput{Enabled: &off, Version: acc.Version})
		require.NoError(t, err)
		assert.False(t, acc.Enabled)
		_, err = f.ps.Savings(ctx, u.Principal())
		assert.ErrorIs(t, err, portal.ErrAccessDisabled)
		_, err = f.ps.SetAccess(ctx, f.admin, a.Reference, portal.AccessInput{Enabled: &off, Version: 1})
		assert.ErrorIs(t, err, clientele.ErrConflict, "a stale version")
		on := true
		_, err = f.ps.SetAccess(ctx, f.admin, a.Reference, portal.AccessInput{Enabled: &on, Version: acc.Version})
		require.NoError(t, err)
		_, err = f.ps.Savings(ctx, u.Principal())
		assert.NoError(t, err)

		log, err := db.AuditLog(ctx, tenantID, "client", a.ID, 20)
		require.NoError(t, err)
		n := 0
		for _, e := range log {
			if len(e.Changed) > 0 && strings.HasPrefix(e.Changed[0], "portalAccess.") {
				n++
			}
		}
		assert.Equal(t, 4, n, "grant, roles, revoke and restore are audited: %v", log)
	})
}

package adaptertest

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/adapters"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// CoreBankingFixture is what the CoreBanking suite needs from the implementation
// under test. Both fields are required: without accounts the suite cannot test the
// methods that move and hold money, and it fails rather than pass untested.
type CoreBankingFixture struct {
	// New returns a fresh implementation for one subtest.
	New func(t *testing.T) adapters.CoreBanking
	// Account gives a client of bank (one the suite created with CreateClient) an
	// account as spec describes — active, no blocks, exactly spec.Balance — and
	// returns it. Against a real core banking system it opens and funds the account
	// with the system's own tools (a sandbox's back office or admin API); for an
	// implementation of adapters.AccountOpener, OpenAccount does it.
	Account func(t *testing.T, bank adapters.CoreBanking, spec AccountSpec) adapters.Account
}

// AccountSpec is an account the CoreBanking suite asks its fixture for.
type AccountSpec struct {
	TenantID string
	ClientID string
	Type     adapters.AccountType // adapters.Savings or adapters.Loan
	// Balance is the savings balance (zero or more) or the loan's outstanding
	// amount, in minor units of its currency.
	Balance adapters.Money
}

// OpenAccount is a CoreBankingFixture.Account for an implementation of
// adapters.AccountOpener: it opens the account with OpenAccount, spec's balance as
// the opening balance. It fails the test when bank cannot open accounts.
func OpenAccount(t *testing.T, bank adapters.CoreBanking, spec AccountSpec) adapters.Account {
	t.Helper()
	opener, ok := bank.(adapters.AccountOpener)
	if !ok {
		t.Fatalf("adaptertest.OpenAccount: %T does not implement adapters.AccountOpener; give CoreBankingFixture.Account a function that funds accounts another way", bank)
	}
	a, err := opener.OpenAccount(ctxFor(t), adapters.OpenAccountRequest{TenantID: spec.TenantID, ClientID: spec.ClientID, Type: spec.Type,
		OpeningBalance: spec.Balance, IdempotencyKey: newKey()})
	if errors.Is(err, adapters.ErrNotSupported) {
		t.Fatalf("adaptertest.OpenAccount: OpenAccount is not supported (%v); give CoreBankingFixture.Account a function that funds accounts another way", err)
	}
	require.NoError(t, err)
	return a
}

// CoreBanking runs the conformance suite for adapters.CoreBanking: fx.New returns a
// fresh implementation for each subtest and fx.Account gives the suite's clients
// funded accounts. The list subtest needs adapters.ClientLister and is skipped
// without it; OpenAccount's own subtest needs adapters.AccountOpener.
func CoreBanking(t *testing.T, fx CoreBankingFixture) {
	if fx.New == nil || fx.Account == nil {
		t.Fatal("adaptertest.CoreBanking: CoreBankingFixture needs New (a fresh implementation per subtest) and Account " +
			"(a function that gives a client an active savings or loan account with an exact balance; " +
			"adaptertest.OpenAccount does it for an adapters.AccountOpener). Without Account, transfers, blocks, " +
			"closing and balance conservation would go untested.")
	}
	newBank := fx.New
	acct := func(t *testing.T, b adapters.CoreBanking, tenant, clientID string, typ adapters.AccountType, balance int64, currency string) adapters.Account {
		t.Helper()
		return mustAccount(t, fx, b, AccountSpec{TenantID: tenant, ClientID: clientID, Type: typ, Balance: adapters.Money{Amount: balance, Currency: currency}})
	}
	pair := func(t *testing.T, b adapters.CoreBanking, tenant string, fromBalance, toBalance int64, currency string) (adapters.Account, adapters.Account) {
		t.Helper()
		c := mustClient(t, b, tenant)
		return acct(t, b, tenant, c.ClientID, adapters.Savings, fromBalance, currency), acct(t, b, tenant, c.ClientID, adapters.Savings, toBalance, currency)
	}

	t.Run("CreateAndGetClient", func(t *testing.T) {
		b, ctx, tenant := newBank(t), ctxFor(t), newTenant()
		id := newID()
		req := adapters.CreateClientRequest{TenantID: tenant, ClientID: id, Profile: individual("Amina", "Okello"), IdempotencyKey: newKey()}
		c, err := b.CreateClient(ctx, req)
		require.NoError(t, err)
		assert.Equal(t, tenant, c.TenantID)
		assert.Equal(t, id, c.ClientID)
		assert.NotEmpty(t, c.ExternalID)
		assert.Equal(t, adapters.StatusActive, c.Status)
		assert.Equal(t, req.Profile, c.Profile)

		got, err := b.GetClient(ctx, tenant, id)
		require.NoError(t, err)
		assert.Equal(t, c.ExternalID, got.ExternalID)
		assert.Equal(t, req.Profile, got.Profile)

		_, err = b.GetClient(ctx, tenant, newID())
		requireKind(t, err, clientele.ErrNotFound)
		_, err = b.GetClient(ctx, newTenant(), id)
		requireKind(t, err, clientele.ErrNotFound, "a client must not be visible from another tenant")
	})

	t.Run("CreateClientValidation", func(t *testing.T) {
		b, ctx, tenant := newBank(t), ctxFor(t), newTenant()
		_, err := b.CreateClient(ctx, adapters.CreateClientRequest{TenantID: tenant, ClientID: newID(), Profile: individual("A", "B")})
		requireInvalidField(t, err, "idempotencyKey")
		_, err = b.CreateClient(ctx, adapters.CreateClientRequest{ClientID: newID(), Profile: individual("A", "B"), IdempotencyKey: newKey()})
		requireInvalidField(t, err, "tenantId")
		_, err = b.CreateClient(ctx, adapters.CreateClientRequest{TenantID: tenant, ClientID: newID(), Profile: adapters.Profile{Type: adapters.Corporate}, IdempotencyKey: newKey()})
		requireInvalidField(t, err, "profile.legalName")
	})

	t.Run("CreateClientIdempotency", func(t *testing.T) {
		b, ctx, tenant := newBank(t), ctxFor(t), newTenant()
		req := adapters.CreateClientRequest{TenantID: tenant, ClientID: newID(), Profile: corporate("Acme"), IdempotencyKey: newKey()}
		first, err := b.CreateClient(ctx, req)
		require.NoError(t, err)
		again, err := b.CreateClient(ctx, req)
		require.NoError(t, err, "the same key with the same request must replay the result")
		assert.Equal(t, first.ExternalID, again.ExternalID)

		changed := req
		changed.Profile.LegalName = "Other"
		_, err = b.CreateClient(ctx, changed)
		requireKind(t, err, clientele.ErrConflict, "the same key with another request is a conflict")

		dup := req
		dup.IdempotencyKey = newKey()
		_, err = b.CreateClient(ctx, dup)
		requireKind(t, err, clientele.ErrConflict, "a second client with the same ID is a conflict")
	})

	t.Run("UpdateClient", func(t *testing.T) {
		b, ctx, tenant := newBank(t), ctxFor(t), newTenant()
		c := mustClient(t, b, tenant)
		p := individual("Amina", "Achieng")
		req := adapters.UpdateClientRequest{TenantID: tenant, ClientID: c.ClientID, Profile: p, IdempotencyKey: newKey()}
		u, err := b.UpdateClient(ctx, req)
		require.NoError(t, err)
		assert.Equal(t, p, u.Profile)
		got, err := b.GetClient(ctx, tenant, c.ClientID)
		require.NoError(t, err)
		assert.Equal(t, p, got.Profile)
		again, err := b.UpdateClient(ctx, req)
		require.NoError(t, err)
		assert.Equal(t, u.Profile, again.Profile)

		_, err = b.UpdateClient(ctx, adapters.UpdateClientRequest{TenantID: tenant, ClientID: newID(), Profile: p, IdempotencyKey: newKey()})
		requireKind(t, err, clientele.ErrNotFound)
		_, err = b.UpdateClient(ctx, adapters.UpdateClientRequest{TenantID: tenant, ClientID: c.ClientID, Profile: p})
		requireInvalidField(t, err, "idempotencyKey")
	})

	t.Run("OpenAccount", func(t *testing.T) {
		b, ctx, tenant := newBank(t), ctxFor(t), newTenant()
		opener, ok := b.(adapters.AccountOpener)
		if !ok {
			t.Skip("adapters.AccountOpener not implemented")
		}
		c := mustClient(t, b, tenant)
		req := adapters.OpenAccountRequest{TenantID: tenant, ClientID: c.ClientID, Type: adapters.Savings,
			OpeningBalance: adapters.Money{Amount: 5000, Currency: "KES"}, IdempotencyKey: newKey()}
		s, err := opener.OpenAccount(ctx, req)
		skipUnsupported(t, err, "OpenAccount")
		require.NoError(t, err)
		assert.Equal(t, adapters.AccountActive, s.Status)
		assert.Equal(t, adapters.Savings, s.Type)
		assert.Equal(t, c.ClientID, s.ClientID)
		assert.Equal(t, adapters.Money{Amount: 5000, Currency: "KES"}, s.Balance)
		again, err := opener.OpenAccount(ctx, req)
		require.NoError(t, err)
		assert.Equal(t, s.ID, again.ID, "a replay returns the first account")
		l, err := opener.OpenAccount(ctx, adapters.OpenAccountRequest{TenantID: tenant, ClientID: c.ClientID, Type: adapters.Loan,
			OpeningBalance: adapters.Money{Amount: 20000, Currency: "KES"}, IdempotencyKey: newKey()})
		require.NoError(t, err)
		assert.Equal(t, adapters.Loan, l.Type)
		assert.Equal(t, int64(20000), l.Balance.Amount, "a loan's balance is its outstanding amount")
		all, err := b.ListAccounts(ctx, adapters.ListAccountsRequest{TenantID: tenant, ClientID: c.ClientID})
		require.NoError(t, err)
		assert.Len(t, all, 2, "a replayed open opens nothing new")
		_, err = opener.OpenAccount(ctx, adapters.OpenAccountRequest{TenantID: tenant, ClientID: newID(), Type: adapters.Savings,
			OpeningBalance: adapters.Money{Currency: "KES"}, IdempotencyKey: newKey()})
		requireKind(t, err, clientele.ErrNotFound, "an account needs an existing client")
	})

	t.Run("ListAndGetAccounts", func(t *testing.T) {
		b, ctx, tenant := newBank(t), ctxFor(t), newTenant()
		c := mustClient(t, b, tenant)
		s := acct(t, b, tenant, c.ClientID, adapters.Savings, 5000, "KES")
		l := acct(t, b, tenant, c.ClientID, adapters.Loan, 20000, "KES")

		all, err := b.ListAccounts(ctx, adapters.ListAccountsRequest{TenantID: tenant, ClientID: c.ClientID})
		require.NoError(t, err)
		require.Len(t, all, 2)
		assert.ElementsMatch(t, []string{s.ID, l.ID}, []string{all[0].ID, all[1].ID})
		savings, err := b.ListAccounts(ctx, adapters.ListAccountsRequest{TenantID: tenant, ClientID: c.ClientID, Type: adapters.Savings})
		require.NoError(t, err)
		require.Len(t, savings, 1)
		assert.Equal(t, s.ID, savings[0].ID)
		loans, err := b.ListAccounts(ctx, adapters.ListAccountsRequest{TenantID: tenant, ClientID: c.ClientID, Type: adapters.Loan})
		require.NoError(t, err)
		require.Len(t, loans, 1)
		assert.Equal(t, l.ID, loans[0].ID)

		got, err := b.GetAccount(ctx, tenant, s.ID)
		require.NoError(t, err)
		assert.Equal(t, s.Balance, got.Balance)
		_, err = b.GetAccount(ctx, newTenant(), s.ID)
		requireKind(t, err, clientele.ErrNotFound)
		_, err = b.ListAccounts(ctx, adapters.ListAccountsRequest{TenantID: tenant, ClientID: newID()})
		requireKind(t, err, clientele.ErrNotFound)
		_, err = b.ListAccounts(ctx, adapters.ListAccountsRequest{TenantID: tenant, ClientID: c.ClientID, Type: "checking"})
		requireInvalidField(t, err, "type")
	})

	t.Run("Transfer", func(t *testing.T) {
		b, ctx, tenant := newBank(t), ctxFor(t), newTenant()
		from, to := pair(t, b, tenant, 10000, 500, "KES")
		req := adapters.TransferRequest{TenantID: tenant, FromAccountID: from.ID, ToAccountID: to.ID,
			Amount: adapters.Money{Amount: 2500, Currency: "KES"}, Narration: "cash-in", IdempotencyKey: newKey()}
		tr, err := b.Transfer(ctx, req)
		require.NoError(t, err)
		assert.NotEmpty(t, tr.ID)
		assert.Equal(t, req.Amount, tr.Amount)
		assert.Equal(t, from.ID, tr.FromAccountID)
		assert.Equal(t, to.ID, tr.ToAccountID)
		assertBalance(t, b, tenant, from.ID, 7500)
		assertBalance(t, b, tenant, to.ID, 3000)

		// Draining the account exactly is allowed; one more minor unit is not.
		_, err = b.Transfer(ctx, adapters.TransferRequest{TenantID: tenant, FromAccountID: from.ID, ToAccountID: to.ID,
			Amount: adapters.Money{Amount: 7500, Currency: "KES"}, IdempotencyKey: newKey()})
		require.NoError(t, err)
		_, err = b.Transfer(ctx, adapters.TransferRequest{TenantID: tenant, FromAccountID: from.ID, ToAccountID: to.ID,
			Amount: adapters.Money{Amount: 1, Currency: "KES"}, IdempotencyKey: newKey()})
		requireKind(t, err, clientele.ErrPrecondition, "a transfer must never make a balance negative")
		assertBalance(t, b, tenant, from.ID, 0)
		assertBalance(t, b, tenant, to.ID, 10500)
	})

	t.Run("TransferRules", func(t *testing.T) {
		b, ctx, tenant := newBank(t), ctxFor(t), newTenant()
		from, to := pair(t, b, tenant, 1000, 1000, "KES")
		usd := acct(t, b, tenant, from.ClientID, adapters.Savings, 1000, "USD")
		loan := acct(t, b, tenant, from.ClientID, adapters.Loan, 1000, "KES")
		kes := func(n int64) adapters.Money { return adapters.Money{Amount: n, Currency: "KES"} }
		move := func(fromID, toID string, m adapters.Money) error {
			_, err := b.Transfer(ctx, adapters.TransferRequest{TenantID: tenant, FromAccountID: fromID, ToAccountID: toID, Amount: m, IdempotencyKey: newKey()})
			return err
		}
		requireKind(t, move(from.ID, to.ID, kes(1001)), clientele.ErrPrecondition, "insufficient funds")
		requireKind(t, move(from.ID, usd.ID, kes(10)), clientele.ErrPrecondition, "currency mismatch")
		requireKind(t, move(from.ID, to.ID, adapters.Money{Amount: 10, Currency: "USD"}), clientele.ErrPrecondition, "amount in another currency")
		requireKind(t, move(from.ID, loan.ID, kes(10)), clientele.ErrPrecondition, "transfers are between savings accounts")
		requireKind(t, move(from.ID, newID(), kes(10)), clientele.ErrNotFound)
		requireInvalidField(t, move(from.ID, to.ID, kes(0)), "amount.amount")
		requireInvalidField(t, move(from.ID, to.ID, kes(-5)), "amount.amount")
		requireInvalidField(t, move(from.ID, from.ID, kes(5)), "toAccountId")
		requireInvalidField(t, move(from.ID, to.ID, adapters.Money{Amount: 5, Currency: "kes"}), "amount.currency")
		_, err := b.Transfer(ctx, adapters.TransferRequest{TenantID: tenant, FromAccountID: from.ID, ToAccountID: to.ID, Amount: kes(5)})
		requireInvalidField(t, err, "idempotencyKey")

		block := func(accountID string, pnd, pnc bool) {
			t.Helper()
			_, err := b.SetAccountBlocks(ctx, adapters.SetAccountBlocksRequest{TenantID: tenant, ClientID: from.ClientID,
				AccountIDs: []string{accountID}, PostNoDebit: pnd, PostNoCredit: pnc, IdempotencyKey: newKey()})
			require.NoError(t, err)
		}
		block(from.ID, true, false)
		requireKind(t, move(from.ID, to.ID, kes(10)), clientele.ErrPrecondition, "post-no-debit blocks debits")
		require.NoError(t, move(to.ID, from.ID, kes(10)), "post-no-debit still allows credits")
		block(from.ID, false, true)
		requireKind(t, move(to.ID, from.ID, kes(10)), clientele.ErrPrecondition, "post-no-credit blocks credits")
		require.NoError(t, move(from.ID, to.ID, kes(10)), "post-no-credit still allows debits")
		block(from.ID, false, false)
		require.NoError(t, move(to.ID, from.ID, kes(10)))
		assertBalance(t, b, tenant, from.ID, 1010)
		assertBalance(t, b, tenant, to.ID, 990)
		assertBalance(t, b, tenant, usd.ID, 1000)
	})

	t.Run("TransferIdempotency", func(t *testing.T) {
		b, ctx, tenant := newBank(t), ctxFor(t), newTenant()
		from, to := pair(t, b, tenant, 1000, 0, "UGX")
		req := adapters.TransferRequest{TenantID: tenant, FromAccountID: from.ID, ToAccountID: to.ID,
			Amount: adapters.Money{Amount: 300, Currency: "UGX"}, IdempotencyKey: newKey()}
		first, err := b.Transfer(ctx, req)
		require.NoError(t, err)
		again, err := b.Transfer(ctx, req)
		require.NoError(t, err)
		assert.Equal(t, first.ID, again.ID, "a replay returns the first transfer")
		assertBalance(t, b, tenant, from.ID, 700)

		other := req
		other.Amount.Amount = 301
		_, err = b.Transfer(ctx, other)
		requireKind(t, err, clientele.ErrConflict)
		assertBalance(t, b, tenant, from.ID, 700)
		assertBalance(t, b, tenant, to.ID, 300)
	})

	t.Run("ConcurrentTransfersConserveMoney", func(t *testing.T) {
		b, ctx, tenant := newBank(t), ctxFor(t), newTenant()
		const accounts, start, workers, perWorker = 4, 1000, 16, 12
		c := mustClient(t, b, tenant)
		ids := make([]string, accounts)
		for i := range ids {
			ids[i] = acct(t, b, tenant, c.ClientID, adapters.Savings, start, "KES").ID
		}
		var ok, refused atomic.Int64
		var mu sync.Mutex
		var unexpected []error
		parallel(workers, func(w int) {
			for i := range perWorker {
				from, to := ids[(w+i)%accounts], ids[(w+i+1+i%(accounts-1))%accounts]
				if from == to {
					continue
				}
				_, err := b.Transfer(ctx, adapters.TransferRequest{TenantID: tenant, FromAccountID: from, ToAccountID: to,
					Amount: adapters.Money{Amount: int64(37 + 50*(i%7)), Currency: "KES"}, IdempotencyKey: fmt.Sprintf("w%d-%d", w, i)})
				switch {
				case err == nil:
					ok.Add(1)
				case clientele.Kind(err) == clientele.ErrPrecondition:
					refused.Add(1)
				default:
					mu.Lock()
					unexpected = append(unexpected, err)
					mu.Unlock()
				}
			}
		})
		require.Empty(t, unexpected)
		var total int64
		for _, id := range ids {
			a, err := b.GetAccount(ctx, tenant, id)
			require.NoError(t, err)
			assert.GreaterOrEqual(t, a.Balance.Amount, int64(0), "no balance may go negative")
			total += a.Balance.Amount
		}
		assert.Equal(t, int64(accounts*start), total, "transfers must conserve money")
		assert.Positive(t, ok.Load())
		t.Logf("%d transfers done, %d refused for funds", ok.Load(), refused.Load())
	})

	t.Run("ConcurrentDuplicateKeysOneEffect", func(t *testing.T) {
		b, ctx, tenant := newBank(t), ctxFor(t), newTenant()
		from, to := pair(t, b, tenant, 1000, 0, "KES")
		req := adapters.TransferRequest{TenantID: tenant, FromAccountID: from.ID, ToAccountID: to.ID,
			Amount: adapters.Money{Amount: 100, Currency: "KES"}, IdempotencyKey: newKey()}
		const n = 12
		ids := make([]string, n)
		errs := make([]error, n)
		parallel(n, func(i int) {
			tr, err := b.Transfer(ctx, req)
			ids[i], errs[i] = tr.ID, err
		})
		for i := range n {
			require.NoError(t, errs[i])
			assert.Equal(t, ids[0], ids[i], "every duplicate returns the same transfer")
		}
		assertBalance(t, b, tenant, from.ID, 900)
		assertBalance(t, b, tenant, to.ID, 100)
	})

	t.Run("SetAccountBlocks", func(t *testing.T) {
		b, ctx, tenant := newBank(t), ctxFor(t), newTenant()
		c := mustClient(t, b, tenant)
		s := acct(t, b, tenant, c.ClientID, adapters.Savings, 10, "KES")
		l := acct(t, b, tenant, c.ClientID, adapters.Loan, 10, "KES")
		req := adapters.SetAccountBlocksRequest{TenantID: tenant, ClientID: c.ClientID, PostNoDebit: true, PostNoCredit: true, IdempotencyKey: newKey()}
		out, err := b.SetAccountBlocks(ctx, req)
		require.NoError(t, err)
		require.Len(t, out, 2, "no account IDs means every open account of the client")
		for _, id := range []string{s.ID, l.ID} {
			a, err := b.GetAccount(ctx, tenant, id)
			require.NoError(t, err)
			assert.True(t, a.PostNoDebit)
			assert.True(t, a.PostNoCredit)
		}
		again, err := b.SetAccountBlocks(ctx, req)
		require.NoError(t, err)
		assert.Len(t, again, 2)

		other := mustClient(t, b, tenant)
		_, err = b.SetAccountBlocks(ctx, adapters.SetAccountBlocksRequest{TenantID: tenant, ClientID: other.ClientID, AccountIDs: []string{s.ID}, IdempotencyKey: newKey()})
		requireKind(t, err, clientele.ErrNotFound, "an account of another client is not found")
		_, err = b.SetAccountBlocks(ctx, adapters.SetAccountBlocksRequest{TenantID: tenant, ClientID: newID(), IdempotencyKey: newKey()})
		requireKind(t, err, clientele.ErrNotFound)
	})

	t.Run("CloseAccountsOnlyAtZero", func(t *testing.T) {
		b, ctx, tenant := newBank(t), ctxFor(t), newTenant()
		c := mustClient(t, b, tenant)
		s := acct(t, b, tenant, c.ClientID, adapters.Savings, 400, "KES")
		empty := acct(t, b, tenant, c.ClientID, adapters.Savings, 0, "KES")
		loan := acct(t, b, tenant, c.ClientID, adapters.Loan, 900, "KES")
		settlement := acct(t, b, tenant, mustClient(t, b, tenant).ClientID, adapters.Savings, 0, "KES")

		_, err := b.CloseAccounts(ctx, adapters.CloseAccountsRequest{TenantID: tenant, ClientID: c.ClientID, AccountIDs: []string{empty.ID, s.ID}, IdempotencyKey: newKey()})
		requireKind(t, err, clientele.ErrPrecondition, "an account with a balance cannot close")
		a, err := b.GetAccount(ctx, tenant, empty.ID)
		require.NoError(t, err)
		assert.Equal(t, adapters.AccountActive, a.Status, "close is all or nothing")

		_, err = b.Transfer(ctx, adapters.TransferRequest{TenantID: tenant, FromAccountID: s.ID, ToAccountID: settlement.ID,
			Amount: adapters.Money{Amount: 400, Currency: "KES"}, IdempotencyKey: newKey()})
		require.NoError(t, err)
		req := adapters.CloseAccountsRequest{TenantID: tenant, ClientID: c.ClientID, AccountIDs: []string{s.ID, empty.ID}, IdempotencyKey: newKey()}
		closed, err := b.CloseAccounts(ctx, req)
		require.NoError(t, err)
		require.Len(t, closed, 2)
		for _, a := range closed {
			assert.Equal(t, adapters.AccountClosed, a.Status)
			assert.NotNil(t, a.ClosedAt)
		}
		_, err = b.CloseAccounts(ctx, req)
		require.NoError(t, err, "replaying a close succeeds")

		_, err = b.Transfer(ctx, adapters.TransferRequest{TenantID: tenant, FromAccountID: settlement.ID, ToAccountID: s.ID,
			Amount: adapters.Money{Amount: 1, Currency: "KES"}, IdempotencyKey: newKey()})
		requireKind(t, err, clientele.ErrPrecondition, "a closed account takes no transfer")

		_, err = b.CloseAccounts(ctx, adapters.CloseAccountsRequest{TenantID: tenant, ClientID: c.ClientID, IdempotencyKey: newKey()})
		requireKind(t, err, clientele.ErrPrecondition, "a loan with an outstanding balance cannot close")
		a, err = b.GetAccount(ctx, tenant, loan.ID)
		require.NoError(t, err)
		assert.Equal(t, adapters.AccountActive, a.Status)
	})

	t.Run("DeactivateClient", func(t *testing.T) {
		b, ctx, tenant := newBank(t), ctxFor(t), newTenant()
		c := mustClient(t, b, tenant)
		s := acct(t, b, tenant, c.ClientID, adapters.Savings, 0, "KES")
		_, err := b.DeactivateClient(ctx, adapters.DeactivateClientRequest{TenantID: tenant, ClientID: c.ClientID, IdempotencyKey: newKey()})
		requireKind(t, err, clientele.ErrPrecondition, "a client with open accounts cannot be deactivated")
		_, err = b.CloseAccounts(ctx, adapters.CloseAccountsRequest{TenantID: tenant, ClientID: c.ClientID, AccountIDs: []string{s.ID}, IdempotencyKey: newKey()})
		require.NoError(t, err)
		req := adapters.DeactivateClientRequest{TenantID: tenant, ClientID: c.ClientID, Reason: "archived", IdempotencyKey: newKey()}
		d, err := b.DeactivateClient(ctx, req)
		require.NoError(t, err)
		assert.Equal(t, adapters.StatusInactive, d.Status)
		got, err := b.GetClient(ctx, tenant, c.ClientID)
		require.NoError(t, err)
		assert.Equal(t, adapters.StatusInactive, got.Status)
		_, err = b.DeactivateClient(ctx, req)
		require.NoError(t, err, "replay")
		_, err = b.UpdateClient(ctx, adapters.UpdateClientRequest{TenantID: tenant, ClientID: c.ClientID, Profile: individual("X", "Y"), IdempotencyKey: newKey()})
		requireKind(t, err, clientele.ErrPrecondition, "an inactive client cannot be updated")
		_, err = b.DeactivateClient(ctx, adapters.DeactivateClientRequest{TenantID: tenant, ClientID: newID(), IdempotencyKey: newKey()})
		requireKind(t, err, clientele.ErrNotFound)
	})

	t.Run("ListClients", func(t *testing.T) {
		b, ctx, tenant := newBank(t), ctxFor(t), newTenant()
		lister, ok := b.(adapters.ClientLister)
		if !ok {
			t.Skip("adapters.ClientLister not implemented")
		}
		for i := range 5 {
			_, err := b.CreateClient(ctx, adapters.CreateClientRequest{TenantID: tenant, ClientID: fmt.Sprintf("c%02d-%s", i, newID()),
				Profile: individual("Name", fmt.Sprintf("Family%d", i)), IdempotencyKey: newKey()})
			require.NoError(t, err)
		}
		_, err := b.CreateClient(ctx, adapters.CreateClientRequest{TenantID: tenant, ClientID: "c99-" + newID(), Profile: corporate("Zebra Traders"), IdempotencyKey: newKey()})
		require.NoError(t, err)

		var seen []string
		cursor := ""
		for {
			page, err := lister.ListClients(ctx, adapters.ListClientsRequest{TenantID: tenant, Cursor: cursor, Limit: 4})
			skipUnsupported(t, err, "ListClients")
			require.NoError(t, err)
			for _, c := range page.Clients {
				seen = append(seen, c.ClientID)
			}
			if page.NextCursor == "" {
				break
			}
			cursor = page.NextCursor
		}
		assert.Len(t, seen, 6)
		assert.IsIncreasing(t, seen)

		page, err := lister.ListClients(ctx, adapters.ListClientsRequest{TenantID: tenant, Query: "zebra"})
		require.NoError(t, err)
		require.Len(t, page.Clients, 1)
		assert.Equal(t, "Zebra Traders", page.Clients[0].Profile.LegalName)
		page, err = lister.ListClients(ctx, adapters.ListClientsRequest{TenantID: newTenant()})
		require.NoError(t, err)
		assert.Empty(t, page.Clients)
		_, err = lister.ListClients(ctx, adapters.ListClientsRequest{TenantID: tenant, Limit: 501})
		requireInvalidField(t, err, "limit")
	})

	t.Run("Cancellation", func(t *testing.T) {
		b, tenant := newBank(t), newTenant()
		c := mustClient(t, b, tenant)
		_, err := b.GetClient(cancelled(t), tenant, c.ClientID)
		requireCancelled(t, err)
		id := newID()
		_, err = b.CreateClient(cancelled(t), adapters.CreateClientRequest{TenantID: tenant, ClientID: id, Profile: individual("A", "B"), IdempotencyKey: newKey()})
		requireCancelled(t, err)
		_, err = b.GetClient(ctxFor(t), tenant, id)
		requireKind(t, err, clientele.ErrNotFound, "a cancelled create has no effect")
		from, to := pair(t, b, tenant, 100, 0, "KES")
		_, err = b.Transfer(cancelled(t), adapters.TransferRequest{TenantID: tenant, FromAccountID: from.ID, ToAccountID: to.ID,
			Amount: adapters.Money{Amount: 10, Currency: "KES"}, IdempotencyKey: newKey()})
		requireCancelled(t, err)
		assertBalance(t, b, tenant, from.ID, 100)
		assertBalance(t, b, tenant, to.ID, 0)
	})
}

func mustClient(t *testing.T, b adapters.CoreBanking, tenant string) adapters.BankClient {
	t.Helper()
	c, err := b.CreateClient(ctxFor(t), adapters.CreateClientRequest{TenantID: tenant, ClientID: newID(), Profile: individual("Test", "Client"), IdempotencyKey: newKey()})
	require.NoError(t, err)
	return c
}

// mustAccount gets an account from the fixture and checks it is the one asked for.
func mustAccount(t *testing.T, fx CoreBankingFixture, b adapters.CoreBanking, spec AccountSpec) adapters.Account {
	t.Helper()
	a := fx.Account(t, b, spec)
	require.NotEmpty(t, a.ID, "CoreBankingFixture.Account returned an account without an ID")
	got, err := b.GetAccount(ctxFor(t), spec.TenantID, a.ID)
	require.NoError(t, err, "the account CoreBankingFixture.Account returned must be readable with GetAccount")
	require.Equal(t, spec.ClientID, got.ClientID, "CoreBankingFixture.Account: account of another client")
	require.Equal(t, spec.Type, got.Type, "CoreBankingFixture.Account: account of another type")
	require.Equal(t, spec.Balance, got.Balance, "CoreBankingFixture.Account: the account must hold exactly the balance asked for")
	require.Equal(t, adapters.AccountActive, got.Status, "CoreBankingFixture.Account: the account must be active")
	require.False(t, got.PostNoDebit || got.PostNoCredit, "CoreBankingFixture.Account: the account must have no blocks")
	return got
}

func assertBalance(t *testing.T, b adapters.CoreBanking, tenant, accountID string, want int64) {
	t.Helper()
	a, err := b.GetAccount(ctxFor(t), tenant, accountID)
	require.NoError(t, err)
	assert.Equal(t, want, a.Balance.Amount, "balance of %s", accountID)
}

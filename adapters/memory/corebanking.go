package memory

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/adapters"
)

var (
	_ adapters.CoreBanking   = (*CoreBanking)(nil)
	_ adapters.ClientLister  = (*CoreBanking)(nil)
	_ adapters.AccountOpener = (*CoreBanking)(nil)
)

// CoreBanking is an in-memory core banking system with real accounts.
type CoreBanking struct {
	cfg      config
	mu       sync.Mutex
	clients  map[string]*adapters.BankClient // tenant, client ID
	accounts map[string]*adapters.Account    // tenant, account ID
	idem     idempotency
	seq      int
}

// NewCoreBanking returns an empty core banking system.
func NewCoreBanking(opts ...Option) *CoreBanking {
	return &CoreBanking{
		cfg:      newConfig(opts),
		clients:  map[string]*adapters.BankClient{},
		accounts: map[string]*adapters.Account{},
	}
}

// Faults returns the fake's fault switch.
func (b *CoreBanking) Faults() *Faults { return b.cfg.faults }

func cloneClient(c adapters.BankClient) adapters.BankClient {
	c.Profile = c.Profile.Clone()
	return c
}

func cloneAccount(a adapters.Account) adapters.Account { return a.Clone() }

func cloneAccounts(in []adapters.Account) []adapters.Account { return cloneSlice(in, cloneAccount) }

// CreateClient implements adapters.CoreBanking (CC001).
func (b *CoreBanking) CreateClient(ctx context.Context, req adapters.CreateClientRequest) (adapters.BankClient, error) {
	const op = "CreateClient"
	if err := b.cfg.faults.before(ctx, op); err != nil {
		return adapters.BankClient{}, err
	}
	if err := req.Validate(); err != nil {
		return adapters.BankClient{}, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if c, ok, err := replay(&b.idem, req.TenantID, op, req.IdempotencyKey, req, cloneClient); ok {
		return c, err
	}
	k := tk(req.TenantID, req.ClientID)
	if _, ok := b.clients[k]; ok {
		return adapters.BankClient{}, fmt.Errorf("memory: core banking client %q exists: %w", req.ClientID, clientele.ErrConflict)
	}
	now := b.cfg.timestamp()
	b.seq++
	c := &adapters.BankClient{
		TenantID: req.TenantID, ClientID: req.ClientID, ExternalID: fmt.Sprintf("CB%08d", b.seq),
		Profile: req.Profile.Clone(), Status: adapters.StatusActive, CreatedAt: now, UpdatedAt: now,
	}
	b.clients[k] = c
	remember(&b.idem, req.TenantID, op, req.IdempotencyKey, req, cloneClient(*c))
	return cloneClient(*c), nil
}

// UpdateClient implements adapters.CoreBanking (CC002).
func (b *CoreBanking) UpdateClient(ctx context.Context, req adapters.UpdateClientRequest) (adapters.BankClient, error) {
	const op = "UpdateClient"
	if err := b.cfg.faults.before(ctx, op); err != nil {
		return adapters.BankClient{}, err
	}
	if err := req.Validate(); err != nil {
		return adapters.BankClient{}, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if c, ok, err := replay(&b.idem, req.TenantID, op, req.IdempotencyKey, req, cloneClient); ok {
		return c, err
	}
	c, ok := b.clients[tk(req.TenantID, req.ClientID)]
	if !ok {
		return adapters.BankClient{}, notFound("core banking client", req.ClientID)
	}
	if c.Status != adapters.StatusActive {
		return adapters.BankClient{}, fmt.Errorf("memory: core banking client %q is %s: %w", req.ClientID, c.Status, clientele.ErrPrecondition)
	}
	c.Profile = req.Profile.Clone()
	c.UpdatedAt = b.cfg.timestamp()
	remember(&b.idem, req.TenantID, op, req.IdempotencyKey, req, cloneClient(*c))
	return cloneClient(*c), nil
}

// DeactivateClient implements adapters.CoreBanking (CC003).
func (b *CoreBanking) DeactivateClient(ctx context.Context, req adapters.DeactivateClientRequest) (adapters.BankClient, error) {
	const op = "DeactivateClient"
	if err := b.cfg.faults.before(ctx, op); err != nil {
		return adapters.BankClient{}, err
	}
	if err := req.Validate(); err != nil {
		return adapters.BankClient{}, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if c, ok, err := replay(&b.idem, req.TenantID, op, req.IdempotencyKey, req, cloneClient); ok {
		return c, err
	}
	c, ok := b.clients[tk(req.TenantID, req.ClientID)]
	if !ok {
		return adapters.BankClient{}, notFound("core banking client", req.ClientID)
	}
	for _, a := range b.clientAccounts(req.TenantID, req.ClientID, "") {
		if a.Status != adapters.AccountClosed {
			return adapters.BankClient{}, fmt.Errorf("memory: deactivate client %q: account %s is %s: %w", req.ClientID, a.ID, a.Status, clientele.ErrPrecondition)
		}
	}
	if c.Status != adapters.StatusInactive {
		c.Status = adapters.StatusInactive
		c.UpdatedAt = b.cfg.timestamp()
	}
	remember(&b.idem, req.TenantID, op, req.IdempotencyKey, req, cloneClient(*c))
	return cloneClient(*c), nil
}

// GetClient implements adapters.CoreBanking (CC009).
func (b *CoreBanking) GetClient(ctx context.Context, tenantID, clientID string) (adapters.BankClient, error) {
	if err := b.cfg.faults.before(ctx, "GetClient"); err != nil {
		return adapters.BankClient{}, err
	}
	if err := adapters.ValidateTenant(tenantID, adapters.NamedID{Field: "clientId", Value: clientID}); err != nil {
		return adapters.BankClient{}, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	c, ok := b.clients[tk(tenantID, clientID)]
	if !ok {
		return adapters.BankClient{}, notFound("core banking client", clientID)
	}
	return cloneClient(*c), nil
}

// ListClients implements adapters.ClientLister (CC008).
func (b *CoreBanking) ListClients(ctx context.Context, req adapters.ListClientsRequest) (adapters.ClientPage, error) {
	if err := b.cfg.faults.before(ctx, "ListClients"); err != nil {
		return adapters.ClientPage{}, err
	}
	if err := req.Validate(); err != nil {
		return adapters.ClientPage{}, err
	}
	limit := req.Limit
	if limit == 0 {
		limit = 50
	}
	q := strings.ToLower(req.Query)
	b.mu.Lock()
	var all []adapters.BankClient
	for _, c := range b.clients {
		if c.TenantID != req.TenantID || c.ClientID <= req.Cursor {
			continue
		}
		if req.Status != "" && c.Status != req.Status {
			continue
		}
		if q != "" && !matchesProfile(c.Profile, q) {
			continue
		}
		all = append(all, cloneClient(*c))
	}
	b.mu.Unlock()
	slices.SortFunc(all, func(x, y adapters.BankClient) int { return strings.Compare(x.ClientID, y.ClientID) })
	page := adapters.ClientPage{Clients: all}
	if len(all) > limit {
		page.Clients = all[:limit]
		page.NextCursor = all[limit-1].ClientID
	}
	if page.Clients == nil {
		page.Clients = []adapters.BankClient{}
	}
	return page, nil
}

func matchesProfile(p adapters.Profile, q string) bool {
	for _, s := range []string{p.DisplayName(), p.Reference, p.Email, p.Phone, p.NationalID, p.RegistrationNumber} {
		if s != "" && strings.Contains(strings.ToLower(s), q) {
			return true
		}
	}
	return false
}

// clientAccounts returns the client's accounts (of type t, or all), oldest first.
func (b *CoreBanking) clientAccounts(tenantID, clientID string, t adapters.AccountType) []*adapters.Account {
	var out []*adapters.Account
	for _, a := range b.accounts {
		if a.TenantID == tenantID && a.ClientID == clientID && (t == "" || a.Type == t) {
			out = append(out, a)
		}
	}
	slices.SortFunc(out, func(x, y *adapters.Account) int {
		if c := x.OpenedAt.Compare(y.OpenedAt); c != 0 {
			return c
		}
		return strings.Compare(x.ID, y.ID)
	})
	return out
}

// ListAccounts implements adapters.CoreBanking (CC004, CC005).
func (b *CoreBanking) ListAccounts(ctx context.Context, req adapters.ListAccountsRequest) ([]adapters.Account, error) {
	if err := b.cfg.faults.before(ctx, "ListAccounts"); err != nil {
		return nil, err
	}
	if err := req.Validate(); err != nil {
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.clients[tk(req.TenantID, req.ClientID)]; !ok {
		return nil, notFound("core banking client", req.ClientID)
	}
	out := []adapters.Account{}
	for _, a := range b.clientAccounts(req.TenantID, req.ClientID, req.Type) {
		out = append(out, a.Clone())
	}
	return out, nil
}

// GetAccount implements adapters.CoreBanking.
func (b *CoreBanking) GetAccount(ctx context.Context, tenantID, accountID string) (adapters.Account, error) {
	if err := b.cfg.faults.before(ctx, "GetAccount"); err != nil {
		return adapters.Account{}, err
	}
	if err := adapters.ValidateTenant(tenantID, adapters.NamedID{Field: "accountId", Value: accountID}); err != nil {
		return adapters.Account{}, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	a, ok := b.accounts[tk(tenantID, accountID)]
	if !ok {
		return adapters.Account{}, notFound("account", accountID)
	}
	return a.Clone(), nil
}

// OpenAccount implements adapters.AccountOpener.
func (b *CoreBanking) OpenAccount(ctx context.Context, req adapters.OpenAccountRequest) (adapters.Account, error) {
	const op = "OpenAccount"
	if err := b.cfg.faults.before(ctx, op); err != nil {
		return adapters.Account{}, err
	}
	if err := req.Validate(); err != nil {
		return adapters.Account{}, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if a, ok, err := replay(&b.idem, req.TenantID, op, req.IdempotencyKey, req, cloneAccount); ok {
		return a, err
	}
	c, ok := b.clients[tk(req.TenantID, req.ClientID)]
	if !ok {
		return adapters.Account{}, notFound("core banking client", req.ClientID)
	}
	if c.Status != adapters.StatusActive {
		return adapters.Account{}, fmt.Errorf("memory: open account: client %q is %s: %w", req.ClientID, c.Status, clientele.ErrPrecondition)
	}
	b.seq++
	a := &adapters.Account{
		ID: newID(), TenantID: req.TenantID, ClientID: req.ClientID, Type: req.Type, Product: req.Product,
		Number: fmt.Sprintf("%010d", b.seq), Status: adapters.AccountActive, Balance: req.OpeningBalance,
		OpenedAt: b.cfg.timestamp(),
	}
	if req.Type == adapters.Loan {
		l := adapters.LoanDetails{Principal: req.OpeningBalance}
		if req.Loan != nil {
			l = *req.Loan
			l.Principal = req.OpeningBalance
		}
		a.Loan = &l
		*a = a.Clone() // detach the request's pointers
	}
	b.accounts[tk(a.TenantID, a.ID)] = a
	remember(&b.idem, req.TenantID, op, req.IdempotencyKey, req, a.Clone())
	return a.Clone(), nil
}

// selectAccounts resolves the accounts a block or close request names: the given
// IDs, which must belong to the client, or all its accounts that are not closed.
func (b *CoreBanking) selectAccounts(tenantID, clientID string, ids []string) ([]*adapters.Account, error) {
	if _, ok := b.clients[tk(tenantID, clientID)]; !ok {
		return nil, notFound("core banking client", clientID)
	}
	if len(ids) == 0 {
		var out []*adapters.Account
		for _, a := range b.clientAccounts(tenantID, clientID, "") {
			if a.Status != adapters.AccountClosed {
				out = append(out, a)
			}
		}
		return out, nil
	}
	out := make([]*adapters.Account, 0, len(ids))
	for _, id := range ids {
		a, ok := b.accounts[tk(tenantID, id)]
		if !ok || a.ClientID != clientID {
			return nil, notFound("account of client "+clientID, id)
		}
		if !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return out, nil
}

// SetAccountBlocks implements adapters.CoreBanking (CC011).
func (b *CoreBanking) SetAccountBlocks(ctx context.Context, req adapters.SetAccountBlocksRequest) ([]adapters.Account, error) {
	const op = "SetAccountBlocks"
	if err := b.cfg.faults.before(ctx, op); err != nil {
		return nil, err
	}
	if err := req.Validate(); err != nil {
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if out, ok, err := replay(&b.idem, req.TenantID, op, req.IdempotencyKey, req, cloneAccounts); ok {
		return out, err
	}
	accts, err := b.selectAccounts(req.TenantID, req.ClientID, req.AccountIDs)
	if err != nil {
		return nil, err
	}
	for _, a := range accts {
		if a.Status == adapters.AccountClosed {
			return nil, fmt.Errorf("memory: block account %s: closed: %w", a.ID, clientele.ErrPrecondition)
		}
	}
	out := make([]adapters.Account, 0, len(accts))
	for _, a := range accts {
		a.PostNoDebit, a.PostNoCredit = req.PostNoDebit, req.PostNoCredit
		out = append(out, a.Clone())
	}
	remember(&b.idem, req.TenantID, op, req.IdempotencyKey, req, cloneAccounts(out))
	return out, nil
}

// CloseAccounts implements adapters.CoreBanking (CC010).
func (b *CoreBanking) CloseAccounts(ctx context.Context, req adapters.CloseAccountsRequest) ([]adapters.Account, error) {
	const op = "CloseAccounts"
	if err := b.cfg.faults.before(ctx, op); err != nil {
		return nil, err
	}
	if err := req.Validate(); err != nil {
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if out, ok, err := replay(&b.idem, req.TenantID, op, req.IdempotencyKey, req, cloneAccounts); ok {
		return out, err
	}
	accts, err := b.selectAccounts(req.TenantID, req.ClientID, req.AccountIDs)
	if err != nil {
		return nil, err
	}
	for _, a := range accts {
		if a.Balance.Amount != 0 {
			what := "balance"
			if a.Type == adapters.Loan {
				what = "outstanding loan balance"
			}
			return nil, fmt.Errorf("memory: close account %s: %s %s is not zero: %w", a.ID, what, a.Balance, clientele.ErrPrecondition)
		}
	}
	now := b.cfg.timestamp()
	out := make([]adapters.Account, 0, len(accts))
	for _, a := range accts {
		if a.Status != adapters.AccountClosed {
			a.Status = adapters.AccountClosed
			t := now
			a.ClosedAt = &t
		}
		out = append(out, a.Clone())
	}
	remember(&b.idem, req.TenantID, op, req.IdempotencyKey, req, cloneAccounts(out))
	return out, nil
}

// Transfer implements adapters.CoreBanking.
func (b *CoreBanking) Transfer(ctx context.Context, req adapters.TransferRequest) (adapters.Transfer, error) {
	const op = "Transfer"
	if err := b.cfg.faults.before(ctx, op); err != nil {
		return adapters.Transfer{}, err
	}
	if err := req.Validate(); err != nil {
		return adapters.Transfer{}, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if t, ok, err := replay(&b.idem, req.TenantID, op, req.IdempotencyKey, req, same[adapters.Transfer]); ok {
		return t, err
	}
	from, ok := b.accounts[tk(req.TenantID, req.FromAccountID)]
	if !ok {
		return adapters.Transfer{}, notFound("account", req.FromAccountID)
	}
	to, ok := b.accounts[tk(req.TenantID, req.ToAccountID)]
	if !ok {
		return adapters.Transfer{}, notFound("account", req.ToAccountID)
	}
	for _, a := range []*adapters.Account{from, to} {
		if a.Type != adapters.Savings {
			return adapters.Transfer{}, fmt.Errorf("memory: transfer: account %s is a %s account: %w", a.ID, a.Type, clientele.ErrPrecondition)
		}
		if a.Status != adapters.AccountActive {
			return adapters.Transfer{}, fmt.Errorf("memory: transfer: account %s is %s: %w", a.ID, a.Status, clientele.ErrPrecondition)
		}
		if a.Balance.Currency != req.Amount.Currency {
			return adapters.Transfer{}, fmt.Errorf("memory: transfer: account %s holds %s, not %s: %w", a.ID, a.Balance.Currency, req.Amount.Currency, clientele.ErrPrecondition)
		}
	}
	if from.PostNoDebit {
		return adapters.Transfer{}, fmt.Errorf("memory: transfer: account %s has a post-no-debit block: %w", from.ID, clientele.ErrPrecondition)
	}
	if to.PostNoCredit {
		return adapters.Transfer{}, fmt.Errorf("memory: transfer: account %s has a post-no-credit block: %w", to.ID, clientele.ErrPrecondition)
	}
	if from.Balance.Amount < req.Amount.Amount {
		return adapters.Transfer{}, fmt.Errorf("memory: transfer: insufficient funds in account %s: %w", from.ID, clientele.ErrPrecondition)
	}
	if to.Balance.Amount > (1<<63-1)-req.Amount.Amount {
		return adapters.Transfer{}, fmt.Errorf("memory: transfer: account %s would overflow: %w", to.ID, clientele.ErrPrecondition)
	}
	from.Balance.Amount -= req.Amount.Amount
	to.Balance.Amount += req.Amount.Amount
	t := adapters.Transfer{
		ID: newID(), TenantID: req.TenantID, FromAccountID: from.ID, ToAccountID: to.ID,
		Amount: req.Amount, Narration: req.Narration, IdempotencyKey: req.IdempotencyKey, CreatedAt: b.cfg.timestamp(),
	}
	remember(&b.idem, req.TenantID, op, req.IdempotencyKey, req, t)
	return t, nil
}

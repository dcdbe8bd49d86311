package memory

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

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
	clients  profiles                     // tenant, client ID
	accounts map[string]*adapters.Account // tenant, account ID
	idem     keyLog
	seq      int
}

// NewCoreBanking returns an empty core banking system.
func NewCoreBanking(opts ...Option) *CoreBanking {
	return &CoreBanking{
		cfg:      newConfig(opts),
		clients:  newProfiles("core banking client", "CB"),
		accounts: map[string]*adapters.Account{},
	}
}

// Faults returns the fake's fault switch.
func (b *CoreBanking) Faults() *Faults { return b.cfg.faults }

func bankClient(r *profileRecord) adapters.BankClient {
	return adapters.BankClient{TenantID: r.tenantID, ClientID: r.id, ExternalID: r.externalID, Profile: r.profile.Clone(),
		Status: r.status, CreatedAt: r.createdAt, UpdatedAt: r.updatedAt}
}

func cloneClient(c adapters.BankClient) adapters.BankClient {
	c.Profile = c.Profile.Clone()
	return c
}

func cloneAccount(a adapters.Account) adapters.Account { return a.Clone() }

func cloneAccounts(in []adapters.Account) []adapters.Account { return cloneSlice(in, cloneAccount) }

// CreateClient implements adapters.CoreBanking (CC001).
func (b *CoreBanking) CreateClient(ctx context.Context, req adapters.CreateClientRequest) (adapters.BankClient, error) {
	return mutate(ctx, b.cfg, &b.mu, &b.idem, "CreateClient", req.TenantID, req.IdempotencyKey, req, cloneClient,
		func(now time.Time) (adapters.BankClient, error) {
			r, err := b.clients.create(req.TenantID, req.ClientID, req.Profile, now)
			if err != nil {
				return adapters.BankClient{}, err
			}
			return bankClient(r), nil
		})
}

// UpdateClient implements adapters.CoreBanking (CC002).
func (b *CoreBanking) UpdateClient(ctx context.Context, req adapters.UpdateClientRequest) (adapters.BankClient, error) {
	return mutate(ctx, b.cfg, &b.mu, &b.idem, "UpdateClient", req.TenantID, req.IdempotencyKey, req, cloneClient,
		func(now time.Time) (adapters.BankClient, error) {
			r, err := b.clients.update(req.TenantID, req.ClientID, req.Profile, now)
			if err != nil {
				return adapters.BankClient{}, err
			}
			return bankClient(r), nil
		})
}

// DeactivateClient implements adapters.CoreBanking (CC003). Every account of the
// client must be closed first.
func (b *CoreBanking) DeactivateClient(ctx context.Context, req adapters.DeactivateClientRequest) (adapters.BankClient, error) {
	return mutate(ctx, b.cfg, &b.mu, &b.idem, "DeactivateClient", req.TenantID, req.IdempotencyKey, req, cloneClient,
		func(now time.Time) (adapters.BankClient, error) {
			if _, err := b.clients.get(req.TenantID, req.ClientID); err != nil {
				return adapters.BankClient{}, err
			}
			for _, a := range b.clientAccounts(req.TenantID, req.ClientID, "") {
				if a.Status != adapters.AccountClosed {
					return adapters.BankClient{}, fmt.Errorf("memory: deactivate client %q: account %s is %s: %w", req.ClientID, a.ID, a.Status, clientele.ErrPrecondition)
				}
			}
			r, err := b.clients.deactivate(req.TenantID, req.ClientID, now)
			if err != nil {
				return adapters.BankClient{}, err
			}
			return bankClient(r), nil
		})
}

// GetClient implements adapters.CoreBanking (CC009).
func (b *CoreBanking) GetClient(ctx context.Context, tenantID, clientID string) (adapters.BankClient, error) {
	return read(ctx, b.cfg, &b.mu, "GetClient", adapters.ValidateTenant(tenantID, adapters.NamedID{Field: "clientId", Value: clientID}),
		func() (adapters.BankClient, error) {
			r, err := b.clients.get(tenantID, clientID)
			if err != nil {
				return adapters.BankClient{}, err
			}
			return bankClient(r), nil
		})
}

// ListClients implements adapters.ClientLister (CC008).
func (b *CoreBanking) ListClients(ctx context.Context, req adapters.ListClientsRequest) (adapters.ClientPage, error) {
	all, err := read(ctx, b.cfg, &b.mu, "ListClients", req.Validate(), func() ([]adapters.BankClient, error) {
		q := strings.ToLower(req.Query)
		var all []adapters.BankClient
		for _, r := range b.clients.recs {
			if r.tenantID != req.TenantID || r.id <= req.Cursor || (req.Status != "" && r.status != req.Status) ||
				(q != "" && !matchesProfile(r.profile, q)) {
				continue
			}
			all = append(all, bankClient(r))
		}
		return all, nil
	})
	if err != nil {
		return adapters.ClientPage{}, err
	}
	slices.SortFunc(all, func(x, y adapters.BankClient) int { return strings.Compare(x.ClientID, y.ClientID) })
	limit := req.Limit
	if limit == 0 {
		limit = 50
	}
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
	return read(ctx, b.cfg, &b.mu, "ListAccounts", req.Validate(), func() ([]adapters.Account, error) {
		if _, err := b.clients.get(req.TenantID, req.ClientID); err != nil {
			return nil, err
		}
		out := []adapters.Account{}
		for _, a := range b.clientAccounts(req.TenantID, req.ClientID, req.Type) {
			out = append(out, a.Clone())
		}
		return out, nil
	})
}

// GetAccount implements adapters.CoreBanking.
func (b *CoreBanking) GetAccount(ctx context.Context, tenantID, accountID string) (adapters.Account, error) {
	return read(ctx, b.cfg, &b.mu, "GetAccount", adapters.ValidateTenant(tenantID, adapters.NamedID{Field: "accountId", Value: accountID}),
		func() (adapters.Account, error) {
			a, ok := b.accounts[tk(tenantID, accountID)]
			if !ok {
				return adapters.Account{}, notFound("account", accountID)
			}
			return a.Clone(), nil
		})
}

// OpenAccount implements adapters.AccountOpener.
func (b *CoreBanking) OpenAccount(ctx context.Context, req adapters.OpenAccountRequest) (adapters.Account, error) {
	return mutate(ctx, b.cfg, &b.mu, &b.idem, "OpenAccount", req.TenantID, req.IdempotencyKey, req, cloneAccount,
		func(now time.Time) (adapters.Account, error) {
			c, err := b.clients.get(req.TenantID, req.ClientID)
			if err != nil {
				return adapters.Account{}, err
			}
			if c.status != adapters.StatusActive {
				return adapters.Account{}, fmt.Errorf("memory: open account: client %q is %s: %w", req.ClientID, c.status, clientele.ErrPrecondition)
			}
			b.seq++
			a := adapters.Account{
				ID: newID(), TenantID: req.TenantID, ClientID: req.ClientID, Type: req.Type, Product: req.Product,
				Number: fmt.Sprintf("%010d", b.seq), Status: adapters.AccountActive, Balance: req.OpeningBalance, OpenedAt: now,
			}
			if req.Type == adapters.Loan {
				l := adapters.LoanDetails{}
				if req.Loan != nil {
					l = *req.Loan
				}
				l.Principal = req.OpeningBalance
				a.Loan = &l
			}
			a = a.Clone() // detach the request's pointers
			b.accounts[tk(a.TenantID, a.ID)] = &a
			return a, nil
		})
}

// selectAccounts resolves the accounts a block or close request names: the given
// IDs, which must belong to the client, or all its accounts that are not closed.
func (b *CoreBanking) selectAccounts(tenantID, clientID string, ids []string) ([]*adapters.Account, error) {
	if _, err := b.clients.get(tenantID, clientID); err != nil {
		return nil, err
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
	return mutate(ctx, b.cfg, &b.mu, &b.idem, "SetAccountBlocks", req.TenantID, req.IdempotencyKey, req, cloneAccounts,
		func(time.Time) ([]adapters.Account, error) {
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
			return out, nil
		})
}

// CloseAccounts implements adapters.CoreBanking (CC010): all the accounts or none.
func (b *CoreBanking) CloseAccounts(ctx context.Context, req adapters.CloseAccountsRequest) ([]adapters.Account, error) {
	return mutate(ctx, b.cfg, &b.mu, &b.idem, "CloseAccounts", req.TenantID, req.IdempotencyKey, req, cloneAccounts,
		func(now time.Time) ([]adapters.Account, error) {
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
			out := make([]adapters.Account, 0, len(accts))
			for _, a := range accts {
				if a.Status != adapters.AccountClosed {
					t := now
					a.Status, a.ClosedAt = adapters.AccountClosed, &t
				}
				out = append(out, a.Clone())
			}
			return out, nil
		})
}

// Transfer implements adapters.CoreBanking.
func (b *CoreBanking) Transfer(ctx context.Context, req adapters.TransferRequest) (adapters.Transfer, error) {
	return mutate(ctx, b.cfg, &b.mu, &b.idem, "Transfer", req.TenantID, req.IdempotencyKey, req, same[adapters.Transfer],
		func(now time.Time) (adapters.Transfer, error) {
			from, ok := b.accounts[tk(req.TenantID, req.FromAccountID)]
			if !ok {
				return adapters.Transfer{}, notFound("account", req.FromAccountID)
			}
			to, ok := b.accounts[tk(req.TenantID, req.ToAccountID)]
			if !ok {
				return adapters.Transfer{}, notFound("account", req.ToAccountID)
			}
			if err := transferable(from, to, req.Amount); err != nil {
				return adapters.Transfer{}, err
			}
			from.Balance.Amount -= req.Amount.Amount
			to.Balance.Amount += req.Amount.Amount
			return adapters.Transfer{
				ID: newID(), TenantID: req.TenantID, FromAccountID: from.ID, ToAccountID: to.ID,
				Amount: req.Amount, Narration: req.Narration, IdempotencyKey: req.IdempotencyKey, CreatedAt: now,
			}, nil
		})
}

// transferable checks the account rules of a transfer of amount from one account
// to another.
func transferable(from, to *adapters.Account, amount adapters.Money) error {
	for _, a := range []*adapters.Account{from, to} {
		switch {
		case a.Type != adapters.Savings:
			return fmt.Errorf("memory: transfer: account %s is a %s account: %w", a.ID, a.Type, clientele.ErrPrecondition)
		case a.Status != adapters.AccountActive:
			return fmt.Errorf("memory: transfer: account %s is %s: %w", a.ID, a.Status, clientele.ErrPrecondition)
		case a.Balance.Currency != amount.Currency:
			return fmt.Errorf("memory: transfer: account %s holds %s, not %s: %w", a.ID, a.Balance.Currency, amount.Currency, clientele.ErrPrecondition)
		}
	}
	switch {
	case from.PostNoDebit:
		return fmt.Errorf("memory: transfer: account %s has a post-no-debit block: %w", from.ID, clientele.ErrPrecondition)
	case to.PostNoCredit:
		return fmt.Errorf("memory: transfer: account %s has a post-no-credit block: %w", to.ID, clientele.ErrPrecondition)
	case from.Balance.Amount < amount.Amount:
		return fmt.Errorf("memory: transfer: insufficient funds in account %s: %w", from.ID, clientele.ErrPrecondition)
	case to.Balance.Amount > math.MaxInt64-amount.Amount:
		return fmt.Errorf("memory: transfer: account %s would overflow: %w", to.ID, clientele.ErrPrecondition)
	}
	return nil
}

package adapters

import (
	"context"
	"fmt"
	"time"

	"github.com/clientele-go/clientele"
)

// CoreBanking is the core-banking system: client profiles and the client's savings
// and loan accounts (seed 002, CC001–CC011), plus account transfers.
//
// Accounts follow these rules, which the conformance suite checks:
//   - a transfer moves money between two active savings accounts of the same
//     currency; it never makes a balance negative (clientele.ErrPrecondition), never
//     debits an account with a post-no-debit block nor credits one with a
//     post-no-credit block (ErrPrecondition), and conserves the total;
//   - an account closes only when its balance is zero (ErrPrecondition otherwise);
//     CloseAccounts closes all the requested accounts or none;
//   - a client is deactivated only when all its accounts are closed (ErrPrecondition
//     otherwise): the caller blocks, empties and closes them first.
//
// Optional abilities: ClientLister (CC008) and AccountOpener.
type CoreBanking interface {
	// CreateClient creates the client's profile (CC001).
	CreateClient(ctx context.Context, req CreateClientRequest) (BankClient, error)
	// UpdateClient replaces the client's profile (CC002).
	UpdateClient(ctx context.Context, req UpdateClientRequest) (BankClient, error)
	// DeactivateClient deactivates the client's profile (CC003).
	DeactivateClient(ctx context.Context, req DeactivateClientRequest) (BankClient, error)
	// GetClient reads the client's profile (CC009).
	GetClient(ctx context.Context, tenantID, clientID string) (BankClient, error)
	// ListAccounts lists the client's accounts, savings (CC004), loans (CC005) or
	// both when req.Type is empty, oldest first.
	ListAccounts(ctx context.Context, req ListAccountsRequest) ([]Account, error)
	// GetAccount reads one account.
	GetAccount(ctx context.Context, tenantID, accountID string) (Account, error)
	// SetAccountBlocks sets or lifts post-no-debit and post-no-credit blocks on the
	// client's accounts (CC011).
	SetAccountBlocks(ctx context.Context, req SetAccountBlocksRequest) ([]Account, error)
	// CloseAccounts closes the client's accounts (CC010), all or none.
	CloseAccounts(ctx context.Context, req CloseAccountsRequest) ([]Account, error)
	// Transfer moves money between two savings accounts.
	Transfer(ctx context.Context, req TransferRequest) (Transfer, error)
}

// ClientLister is implemented by a core banking system that can list and filter its
// clients (CC008).
type ClientLister interface {
	ListClients(ctx context.Context, req ListClientsRequest) (ClientPage, error)
}

// AccountOpener is implemented by a core banking system that opens accounts through
// the adapter. Test suites use it to set up accounts; an opening balance is a deposit
// for savings and the disbursed principal (the outstanding balance) for loans.
type AccountOpener interface {
	OpenAccount(ctx context.Context, req OpenAccountRequest) (Account, error)
}

// BankClient is a client profile as the core banking system holds it.
type BankClient struct {
	TenantID string `json:"tenantId"`
	// ClientID is clientele's ID of the client; the adapter maps it to its own.
	ClientID string `json:"clientId"`
	// ExternalID is the core banking system's own identifier.
	ExternalID string    `json:"externalId"`
	Profile    Profile   `json:"profile"`
	Status     Status    `json:"status"`
	CreatedAt  time.Time `json:"createdAt"`
	UpdatedAt  time.Time `json:"updatedAt"`
}

// AccountType is savings or loan.
type AccountType string

// The account types.
const (
	Savings AccountType = "savings"
	Loan    AccountType = "loan"
)

// ParseAccountType accepts "savings" and "loan".
func ParseAccountType(s string) (AccountType, error) {
	switch AccountType(s) {
	case Savings, Loan:
		return AccountType(s), nil
	}
	return "", fmt.Errorf("adapters: account type %q: want savings or loan: %w", s, clientele.ErrInvalid)
}

// AccountStatus is the state of an account.
type AccountStatus string

// The account states. Loans pass through pending (submitted, not yet disbursed).
const (
	AccountPending AccountStatus = "pending"
	AccountActive  AccountStatus = "active"
	AccountClosed  AccountStatus = "closed"
)

// ParseAccountStatus accepts "pending", "active" and "closed".
func ParseAccountStatus(s string) (AccountStatus, error) {
	switch AccountStatus(s) {
	case AccountPending, AccountActive, AccountClosed:
		return AccountStatus(s), nil
	}
	return "", fmt.Errorf("adapters: account status %q: %w", s, clientele.ErrInvalid)
}

// Account is a savings or loan account. For savings Balance is the money held; for
// loans it is the outstanding amount owed. Neither is ever negative.
type Account struct {
	ID           string        `json:"id"`
	TenantID     string        `json:"tenantId"`
	ClientID     string        `json:"clientId"`
	Type         AccountType   `json:"type"`
	Product      string        `json:"product,omitempty"`
	Number       string        `json:"number,omitempty"`
	Status       AccountStatus `json:"status"`
	Balance      Money         `json:"balance"`
	PostNoDebit  bool          `json:"postNoDebit"`
	PostNoCredit bool          `json:"postNoCredit"`
	OpenedAt     time.Time     `json:"openedAt"`
	ClosedAt     *time.Time    `json:"closedAt,omitempty"`
	// Loan holds loan terms and internal approval data (nil for savings). Notes
	// and the approval fields are for staff only: a view for the client must
	// leave them out (package portal's Loan copies only the client's fields).
	Loan *LoanDetails `json:"loan,omitempty"`
}

// Clone returns a deep copy of a.
func (a Account) Clone() Account {
	if a.ClosedAt != nil {
		t := *a.ClosedAt
		a.ClosedAt = &t
	}
	if a.Loan != nil {
		l := *a.Loan
		if l.ApprovedAt != nil {
			t := *l.ApprovedAt
			l.ApprovedAt = &t
		}
		a.Loan = &l
	}
	return a
}

// LoanDetails are a loan's terms and its internal approval data.
type LoanDetails struct {
	Principal       Money      `json:"principal"`
	InterestRateBps int        `json:"interestRateBps"`
	TermMonths      int        `json:"termMonths,omitempty"`
	ApprovedBy      string     `json:"approvedBy,omitempty"`
	ApprovedAt      *time.Time `json:"approvedAt,omitempty"`
	Notes           string     `json:"notes,omitempty"`
}

// Transfer is a completed account transfer.
type Transfer struct {
	ID             string    `json:"id"`
	TenantID       string    `json:"tenantId"`
	FromAccountID  string    `json:"fromAccountId"`
	ToAccountID    string    `json:"toAccountId"`
	Amount         Money     `json:"amount"`
	Narration      string    `json:"narration,omitempty"`
	IdempotencyKey string    `json:"idempotencyKey"`
	CreatedAt      time.Time `json:"createdAt"`
}

// CreateClientRequest creates a client profile (CC001).
type CreateClientRequest struct {
	TenantID       string  `json:"tenantId"`
	ClientID       string  `json:"clientId"`
	Profile        Profile `json:"profile"`
	IdempotencyKey string  `json:"idempotencyKey"`
}

// Validate reports missing or malformed fields.
func (r CreateClientRequest) Validate() error {
	return validateProfileChange(r.TenantID, "clientId", r.ClientID, &r.Profile, r.IdempotencyKey)
}

// UpdateClientRequest replaces a client profile (CC002).
type UpdateClientRequest struct {
	TenantID       string  `json:"tenantId"`
	ClientID       string  `json:"clientId"`
	Profile        Profile `json:"profile"`
	IdempotencyKey string  `json:"idempotencyKey"`
}

// Validate reports missing or malformed fields.
func (r UpdateClientRequest) Validate() error {
	return validateProfileChange(r.TenantID, "clientId", r.ClientID, &r.Profile, r.IdempotencyKey)
}

// DeactivateClientRequest deactivates a client profile (CC003).
type DeactivateClientRequest struct {
	TenantID       string `json:"tenantId"`
	ClientID       string `json:"clientId"`
	Reason         string `json:"reason,omitempty"`
	IdempotencyKey string `json:"idempotencyKey"`
}

// Validate reports missing fields.
func (r DeactivateClientRequest) Validate() error {
	return validateProfileChange(r.TenantID, "clientId", r.ClientID, nil, r.IdempotencyKey)
}

// ListClientsRequest filters the core banking client list (CC008).
type ListClientsRequest struct {
	TenantID string `json:"tenantId"`
	// Query matches names, reference, email or phone (case-insensitive substring).
	Query  string `json:"query,omitempty"`
	Status Status `json:"status,omitempty"`
	// Cursor is the NextCursor of the previous page; empty for the first page.
	Cursor string `json:"cursor,omitempty"`
	// Limit is the page size, 1–500; 0 means 50.
	Limit int `json:"limit,omitempty"`
}

// Validate reports missing or malformed fields.
func (r ListClientsRequest) Validate() error {
	var v validation
	v.required("tenantId", r.TenantID)
	if r.Limit < 0 || r.Limit > 500 {
		v.Add("limit", "range", "must be between 0 and 500")
	}
	if r.Status != "" && r.Status != StatusActive && r.Status != StatusInactive {
		v.Add("status", "oneof", "must be active or inactive")
	}
	return v.err()
}

// ClientPage is one page of clients, in ascending ClientID order.
type ClientPage struct {
	Clients    []BankClient `json:"clients"`
	NextCursor string       `json:"nextCursor,omitempty"`
}

// ListAccountsRequest lists a client's accounts (CC004, CC005).
type ListAccountsRequest struct {
	TenantID string `json:"tenantId"`
	ClientID string `json:"clientId"`
	// Type limits the list to savings or loans; empty lists both.
	Type AccountType `json:"type,omitempty"`
}

// Validate reports missing or malformed fields.
func (r ListAccountsRequest) Validate() error {
	var v validation
	v.required("tenantId", r.TenantID)
	v.required("clientId", r.ClientID)
	if r.Type != "" && r.Type != Savings && r.Type != Loan {
		v.Add("type", "oneof", "must be savings or loan")
	}
	return v.err()
}

// OpenAccountRequest opens an account for a client (AccountOpener).
type OpenAccountRequest struct {
	TenantID string      `json:"tenantId"`
	ClientID string      `json:"clientId"`
	Type     AccountType `json:"type"`
	Product  string      `json:"product,omitempty"`
	// OpeningBalance is the first deposit (savings) or the disbursed principal
	// (loans); its currency is the account's currency. Amount may be zero.
	OpeningBalance Money        `json:"openingBalance"`
	Loan           *LoanDetails `json:"loan,omitempty"`
	IdempotencyKey string       `json:"idempotencyKey"`
}

// Validate reports missing or malformed fields.
func (r OpenAccountRequest) Validate() error {
	var v validation
	v.required("tenantId", r.TenantID)
	v.required("clientId", r.ClientID)
	if r.Type != Savings && r.Type != Loan {
		v.Add("type", "oneof", "must be savings or loan")
	}
	if !ValidCurrency(r.OpeningBalance.Currency) {
		v.Add("openingBalance.currency", "iso4217", "must be an ISO-4217 code")
	}
	if r.OpeningBalance.Amount < 0 {
		v.Add("openingBalance.amount", "min", "must not be negative")
	}
	v.key(r.IdempotencyKey)
	return v.err()
}

// SetAccountBlocksRequest sets the post-no-debit and post-no-credit flags of the
// client's accounts (CC011) to the given values.
type SetAccountBlocksRequest struct {
	TenantID string `json:"tenantId"`
	ClientID string `json:"clientId"`
	// AccountIDs limits the change to these accounts of the client; empty means all
	// the client's accounts that are not closed.
	AccountIDs     []string `json:"accountIds,omitempty"`
	PostNoDebit    bool     `json:"postNoDebit"`
	PostNoCredit   bool     `json:"postNoCredit"`
	IdempotencyKey string   `json:"idempotencyKey"`
}

// Validate reports missing fields.
func (r SetAccountBlocksRequest) Validate() error {
	return validateAccountChange(r.TenantID, r.ClientID, r.AccountIDs, r.IdempotencyKey)
}

// CloseAccountsRequest closes the client's accounts (CC010). Every account must have
// a zero balance; otherwise none is closed.
type CloseAccountsRequest struct {
	TenantID string `json:"tenantId"`
	ClientID string `json:"clientId"`
	// AccountIDs limits the change to these accounts of the client; empty means all
	// the client's accounts that are not closed.
	AccountIDs     []string `json:"accountIds,omitempty"`
	IdempotencyKey string   `json:"idempotencyKey"`
}

// Validate reports missing fields.
func (r CloseAccountsRequest) Validate() error {
	return validateAccountChange(r.TenantID, r.ClientID, r.AccountIDs, r.IdempotencyKey)
}

// validateAccountChange checks a change to some or all of a client's accounts.
func validateAccountChange(tenantID, clientID string, accountIDs []string, key string) error {
	var v validation
	v.required("tenantId", tenantID)
	v.required("clientId", clientID)
	for i, id := range accountIDs {
		v.required(fmt.Sprintf("accountIds[%d]", i), id)
	}
	v.key(key)
	return v.err()
}

// TransferRequest moves Amount from one savings account to another.
type TransferRequest struct {
	TenantID      string `json:"tenantId"`
	FromAccountID string `json:"fromAccountId"`
	ToAccountID   string `json:"toAccountId"`
	// Amount is positive, in the currency of both accounts.
	Amount         Money  `json:"amount"`
	Narration      string `json:"narration,omitempty"`
	IdempotencyKey string `json:"idempotencyKey"`
}

// Validate reports missing or malformed fields.
func (r TransferRequest) Validate() error {
	var v validation
	v.required("tenantId", r.TenantID)
	v.required("fromAccountId", r.FromAccountID)
	v.required("toAccountId", r.ToAccountID)
	if r.FromAccountID != "" && r.FromAccountID == r.ToAccountID {
		v.Add("toAccountId", "nefield", "must differ from fromAccountId")
	}
	if r.Amount.Amount <= 0 {
		v.Add("amount.amount", "gt", "must be positive")
	}
	if !ValidCurrency(r.Amount.Currency) {
		v.Add("amount.currency", "iso4217", "must be an ISO-4217 code")
	}
	v.key(r.IdempotencyKey)
	return v.err()
}

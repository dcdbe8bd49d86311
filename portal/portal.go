package portal

import (
	"time"

	"github.com/clientele-go/clientele/adapters"
)

// Access is a client's portal access (seed 000): the customer user it is
// linked to, the username that user logs in with, its customer roles, and
// whether it is enabled.
type Access struct {
	TenantID string `json:"-"`
	ClientID string `json:"clientId"`
	// UserID is the linked customer user (package users).
	UserID string `json:"userId"`
	// Username is the user's login: an email address (the user is an
	// investor and registers by email) or an E.164 phone number (a borrower,
	// registering by phone and PIN). Unique in the tenant; it cannot change.
	Username string `json:"username"`
	// Roles are customer role codes (RC001 view only, RC002 view and
	// transfer, or the tenant's own customer roles).
	Roles     []string  `json:"roles"`
	Enabled   bool      `json:"enabled"`
	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// AccessInput grants, changes or revokes a client's portal access.
type AccessInput struct {
	// Username is required when access is first granted and must then be
	// left out or unchanged.
	Username string `json:"username,omitempty"`
	// Roles replaces the access's customer roles (required when access is
	// first granted; left out, the roles stay).
	Roles []string `json:"roles,omitempty"`
	// Enabled turns the access on or off (left out: on when first granted,
	// unchanged afterwards).
	Enabled *bool `json:"enabled,omitempty"`
	// Version is the access's version the caller read; 0 when granting it
	// for the first time.
	Version int64 `json:"version"`
}

// SavingsAccount is a savings account as the client sees it.
type SavingsAccount struct {
	ID       string         `json:"id"`
	Number   string         `json:"number,omitempty"`
	Product  string         `json:"product,omitempty"`
	Status   string         `json:"status"`
	Balance  adapters.Money `json:"balance"`
	OpenedAt time.Time      `json:"openedAt"`
}

// Loan is a loan as the client sees it: its terms and balance, never the
// bank's notes or approval data.
type Loan struct {
	ID              string         `json:"id"`
	Number          string         `json:"number,omitempty"`
	Product         string         `json:"product,omitempty"`
	Status          string         `json:"status"`
	Outstanding     adapters.Money `json:"outstanding"`
	Principal       adapters.Money `json:"principal"`
	InterestRateBps int            `json:"interestRateBps"`
	TermMonths      int            `json:"termMonths,omitempty"`
	OpenedAt        time.Time      `json:"openedAt"`
	ClosedAt        *time.Time     `json:"closedAt,omitempty"`
}

// MaxAccounts is how many accounts of one kind a listing returns at most;
// Truncated says when the client has more.
const MaxAccounts = 200

// SavingsList is the answer of Service.Savings.
type SavingsList struct {
	Accounts  []SavingsAccount `json:"accounts"`
	Truncated bool             `json:"truncated,omitempty"`
}

// LoanList is the answer of Service.Loans.
type LoanList struct {
	Loans     []Loan `json:"loans"`
	Truncated bool   `json:"truncated,omitempty"`
}

// TransferStatus is where a transfer stands: pending until core banking has
// answered, then completed or failed, never changing again.
type TransferStatus string

// The transfer states.
const (
	TransferPending   TransferStatus = "pending"
	TransferCompleted TransferStatus = "completed"
	TransferFailed    TransferStatus = "failed"
)

// TransferInput is an account transfer a client asks for.
type TransferInput struct {
	// FromAccountID is one of the client's own active savings accounts.
	FromAccountID string `json:"fromAccountId"`
	// ToAccountID is any other active savings account of the tenant, in the
	// same currency.
	ToAccountID string `json:"toAccountId"`
	// Amount is positive, in minor units of the accounts' currency.
	Amount    adapters.Money `json:"amount"`
	Narration string         `json:"narration,omitempty"`
}

// Transfer is a recorded account transfer.
type Transfer struct {
	ID       string `json:"id"`
	TenantID string `json:"-"`
	ClientID string `json:"clientId"`
	// UserID is the customer user who asked for it.
	UserID        string         `json:"-"`
	FromAccountID string         `json:"fromAccountId"`
	ToAccountID   string         `json:"toAccountId"`
	Amount        adapters.Money `json:"amount"`
	Narration     string         `json:"narration,omitempty"`
	Status        TransferStatus `json:"status"`
	// Failure says why core banking refused a failed transfer.
	Failure string `json:"failure,omitempty"`
	// BankTransferID is core banking's ID of a completed transfer.
	BankTransferID string    `json:"bankTransferId,omitempty"`
	CreatedAt      time.Time `json:"createdAt"`
	UpdatedAt      time.Time `json:"updatedAt"`
}

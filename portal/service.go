package portal

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/adapters"
	"github.com/clientele-go/clientele/authz"
	"github.com/clientele-go/clientele/internal/textcheck"
	"github.com/clientele-go/clientele/outbox"
)

// Service runs the client self-service portal: a client's portal access
// (granted, changed and revoked by the back office) and the wrappers a
// customer principal calls (savings, loans, account transfers). Every method
// authorizes the principal before it reads anything. A Service is safe for
// concurrent use.
type Service struct {
	store   Store
	az      Authorizer
	bank    adapters.CoreBanking
	clients Clients
	users   Users
	now     func() time.Time
	grace   time.Duration
}

// DefaultInlineGrace is how long the dispatcher leaves a new transfer to the
// request that recorded it (WithInlineGrace): longer than the request's own
// attempt at core banking takes, so the two do not both execute it.
const DefaultInlineGrace = 30 * time.Second

// Option configures a Service.
type Option func(*Service)

// WithClock sets the clock (tests).
func WithClock(now func() time.Time) Option { return func(s *Service) { s.now = now } }

// WithInlineGrace sets how long after a transfer is recorded the dispatcher
// may first try it (DefaultInlineGrace when not given; between 0 and
// outbox.MaxDelay). The request executes the transfer itself at once and
// withdraws its outbox effect with the outcome, so the dispatcher only sees
// a transfer the request could not execute (handed over at once, see
// Transfer) or did not live to record: a process that stopped after the
// commit leaves the transfer pending for this long.
func WithInlineGrace(d time.Duration) Option { return func(s *Service) { s.grace = d } }

// New returns a Service over store, authorizing with az, reading accounts
// from and moving money through bank, reading clients through cl and
// creating and administering the linked customer users through us. Every
// argument is required.
func New(store Store, az Authorizer, bank adapters.CoreBanking, cl Clients, us Users, opts ...Option) (*Service, error) {
	switch {
	case store == nil:
		return nil, fmt.Errorf("portal: New: store is nil: %w", clientele.ErrInvalid)
	case az == nil:
		return nil, fmt.Errorf("portal: New: authorizer is nil: %w", clientele.ErrInvalid)
	case bank == nil:
		return nil, fmt.Errorf("portal: New: core banking is nil: %w", clientele.ErrInvalid)
	case cl == nil:
		return nil, fmt.Errorf("portal: New: clients is nil: %w", clientele.ErrInvalid)
	case us == nil:
		return nil, fmt.Errorf("portal: New: users is nil: %w", clientele.ErrInvalid)
	}
	s := &Service{store: store, az: az, bank: bank, clients: cl, users: us, now: time.Now, grace: DefaultInlineGrace}
	for _, o := range opts {
		if o != nil {
			o(s)
		}
	}
	if s.now == nil {
		return nil, fmt.Errorf("portal: New: clock is nil: %w", clientele.ErrInvalid)
	}
	if s.grace < 0 || s.grace > outbox.MaxDelay {
		return nil, fmt.Errorf("portal: New: inline grace %s is out of range [0, %s]: %w", s.grace, outbox.MaxDelay, clientele.ErrInvalid)
	}
	return s, nil
}

func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// Length bounds of the portal's inputs.
const (
	MaxIDLen             = 64  // account and transfer IDs
	MaxNarrationLen      = 140 // TransferInput.Narration
	MaxIdempotencyKeyLen = 200 // the Idempotency-Key of a transfer
	MaxUsernameLen       = 254 // AccessInput.Username
)

// ErrAccessDisabled is the error of a customer whose client has no portal
// access, or whose access is disabled. It wraps clientele.ErrForbidden.
var ErrAccessDisabled = fmt.Errorf("portal: the client's portal access is disabled: %w", clientele.ErrForbidden)

// customer authorizes a portal operation of p: the operation (a customer
// operation: a back-office principal is refused, and so is everyone while
// the tenant's portal switch is off, with clientele.ErrPortalDisabled), then
// the principal's own client's portal access, which must exist, be enabled
// and be linked to p's user: read here, unless p.PortalAccess says the
// session's look-up found it so.
func (s *Service) customer(ctx context.Context, p authz.Principal, op authz.Operation, amount int64) error {
	if err := s.az.Authorize(ctx, p, op, authz.Resource{TenantID: p.TenantID, ClientID: p.ClientID, Amount: amount}); err != nil {
		return err
	}
	if p.ClientID == "" || p.Kind != authz.Customer {
		return fmt.Errorf("portal: %s needs a customer principal linked to a client: %w", op, clientele.ErrForbidden)
	}
	if p.PortalAccess {
		return nil // Authenticate read it with the session
	}
	a, err := s.store.Access(ctx, p.TenantID, p.ClientID)
	if errors.Is(err, clientele.ErrNotFound) {
		return ErrAccessDisabled
	}
	if err != nil {
		return err
	}
	if !a.Enabled || a.UserID != p.UserID {
		return ErrAccessDisabled
	}
	return nil
}

// Savings returns the principal's own savings accounts that are active
// (PT001), at most MaxAccounts of them, oldest first.
func (s *Service) Savings(ctx context.Context, p authz.Principal) (SavingsList, error) {
	if err := s.customer(ctx, p, authz.OpPortalListSavings, 0); err != nil {
		return SavingsList{}, fmt.Errorf("portal: savings: %w", err)
	}
	accts, err := s.bank.ListAccounts(ctx, adapters.ListAccountsRequest{TenantID: p.TenantID, ClientID: p.ClientID, Type: adapters.Savings})
	if err != nil {
		return SavingsList{}, fmt.Errorf("portal: savings: %w", err)
	}
	out := SavingsList{Accounts: []SavingsAccount{}}
	for _, a := range accts {
		if a.Type != adapters.Savings || a.Status != adapters.AccountActive || a.ClientID != p.ClientID || a.TenantID != p.TenantID {
			continue
		}
		if len(out.Accounts) == MaxAccounts {
			out.Truncated = true
			break
		}
		out.Accounts = append(out.Accounts, SavingsAccount{ID: a.ID, Number: a.Number, Product: a.Product,
			Status: string(a.Status), Balance: a.Balance, OpenedAt: a.OpenedAt})
	}
	return out, nil
}

// Loans returns the principal's own loans that are active or closed (PT002),
// at most MaxAccounts of them, oldest first. Each is copied field by field
// into a Loan, so nothing the bank keeps for its staff (notes, who approved
// it and when, any field added to the adapter's account later) reaches the
// client.
func (s *Service) Loans(ctx context.Context, p authz.Principal) (LoanList, error) {
	if err := s.customer(ctx, p, authz.OpPortalListLoans, 0); err != nil {
		return LoanList{}, fmt.Errorf("portal: loans: %w", err)
	}
	accts, err := s.bank.ListAccounts(ctx, adapters.ListAccountsRequest{TenantID: p.TenantID, ClientID: p.ClientID, Type: adapters.Loan})
	if err != nil {
		return LoanList{}, fmt.Errorf("portal: loans: %w", err)
	}
	out := LoanList{Loans: []Loan{}}
	for _, a := range accts {
		if a.Type != adapters.Loan || a.ClientID != p.ClientID || a.TenantID != p.TenantID ||
			(a.Status != adapters.AccountActive && a.Status != adapters.AccountClosed) {
			continue
		}
		if len(out.Loans) == MaxAccounts {
			out.Truncated = true
			break
		}
		l := Loan{ID: a.ID, Number: a.Number, Product: a.Product, Status: string(a.Status),
			Outstanding: a.Balance, OpenedAt: a.OpenedAt}
		if a.ClosedAt != nil {
			t := *a.ClosedAt
			l.ClosedAt = &t
		}
		if a.Loan != nil {
			l.Principal, l.InterestRateBps, l.TermMonths = a.Loan.Principal, a.Loan.InterestRateBps, a.Loan.TermMonths
		}
		out.Loans = append(out.Loans, l)
	}
	return out, nil
}

func newID() (string, error) {
	id, err := uuid.NewV7()
	if err != nil {
		return "", fmt.Errorf("portal: new id: %w", err)
	}
	return id.String(), nil
}

// checkID checks an ID from a path or body before anything looks it up.
func checkID(v *clientele.ValidationError, field, id string) {
	if id == "" {
		v.Add(field, "required", "is required")
		return
	}
	textcheck.Line(v, field, id, MaxIDLen)
}

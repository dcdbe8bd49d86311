package clients

import (
	"context"
	"errors"
	"fmt"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/adapters"
	"github.com/clientele-go/clientele/authz"
)

// Accounts are a client's accounts at core banking (CL006): savings (CC004)
// and credit (CC005), each list oldest first. Balances are integer minor
// units with their ISO 4217 currency (adapters.Money); a loan's balance is
// the amount still owed.
type Accounts struct {
	Reference string             `json:"reference"`
	Savings   []adapters.Account `json:"savings"`
	Credit    []adapters.Account `json:"credit"`
}

// Accounts lists a client's savings and credit accounts from core banking
// (CL006). It authorizes and reads the client as Get does (the operation
// first, then ErrNotFound for a client missing or out of scope). A client core
// banking does not know yet (its push is still on its way) has no accounts.
// Core banking failing, or not configured (WithAdapters), is ErrUnavailable:
// unlike Details, a list of accounts is nothing without its source.
func (s *Service) Accounts(ctx context.Context, p authz.Principal, reference string) (Accounts, error) {
	fail := func(err error) (Accounts, error) {
		return Accounts{}, fmt.Errorf("clients: accounts %s: %w", reference, err)
	}
	c, _, err := s.readAuthorized(ctx, p, authz.OpListClientAccounts, reference)
	if err != nil {
		return fail(err)
	}
	out := Accounts{Reference: c.Reference, Savings: []adapters.Account{}, Credit: []adapters.Account{}}
	cb := s.adapters.CoreBanking
	if cb == nil {
		return fail(&UnavailableError{Source: SourceCoreBanking, Err: errors.New("not configured")})
	}
	// One call lists both kinds (an empty Type is CC004 and CC005 together).
	accts, err := cb.ListAccounts(ctx, adapters.ListAccountsRequest{TenantID: c.TenantID, ClientID: c.ID})
	switch {
	case errors.Is(err, clientele.ErrNotFound):
		return out, nil
	case err != nil && ctx.Err() != nil:
		return fail(ctx.Err())
	case err != nil:
		return fail(&UnavailableError{Source: SourceCoreBanking, Err: err})
	}
	for _, a := range accts {
		switch a.Type {
		case adapters.Savings:
			out.Savings = append(out.Savings, a)
		case adapters.Loan:
			out.Credit = append(out.Credit, a)
		}
	}
	return out, nil
}

// UnavailableError is the failure of an adapter a call could not do without.
// It unwraps to clientele.ErrUnavailable only, whatever the adapter answered
// (a core banking that refuses a request is not the caller's mistake); Err
// keeps the adapter's own error for logs and errors.As.
type UnavailableError struct {
	Source Source
	Err    error
}

func (e *UnavailableError) Error() string {
	return fmt.Sprintf("%s is unavailable: %v", e.Source, e.Err)
}

// Unwrap makes errors.Is(err, clientele.ErrUnavailable) true.
func (e *UnavailableError) Unwrap() error { return clientele.ErrUnavailable }

package clients

import (
	"context"
	"errors"
	"fmt"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/authz"
)

// Scope is the part of a tenant's clients a principal may see and change: its
// data scope (issue 11). A Store adds it to the WHERE clause of the same query
// that lists, searches, reads or locks clients, so nothing outside it is ever
// read, and keyset pages stay whole.
//
// The zero Scope holds no client. TenantScope holds every client of the
// tenant. Otherwise a client is in scope when it is in the office subtree of
// OfficeID or linked to an associate of the hierarchy under AssociateID (either
// one when both are set).
type Scope struct {
	// Tenant: every client of the tenant; the other fields are then ignored.
	Tenant bool `json:"tenant,omitempty"`
	// OfficeID: the clients whose office is this office or an office below it
	// in the office tree as it is when the query runs (classification scope
	// mode branch).
	OfficeID string `json:"officeId,omitempty"`
	// AssociateID: the clients linked (associates.Link, entity kind client,
	// naming the client's ID) to this associate or to an associate below it in
	// the hierarchy as it is when the query runs (scope mode restricted).
	AssociateID string `json:"associateId,omitempty"`
}

// TenantScope is the scope of every client of the tenant.
func TenantScope() Scope { return Scope{Tenant: true} }

// Empty reports whether s holds no client.
func (s Scope) Empty() bool { return !s.Tenant && s.OfficeID == "" && s.AssociateID == "" }

// ScopeResolver gives the data scope of an associate. storage.ClientStore
// implements it by reading the associates tables.
type ScopeResolver interface {
	// AssociateScope returns the scope of the associate with this ID: Scope
	// {OfficeID: its office} when its classification's scope mode is branch,
	// Scope{AssociateID: its ID} when it is restricted, and the zero Scope
	// (no client) when the tenant has no such associate or it is inactive. The
	// associate's office is read as it is now, not as the principal carries it.
	AssociateScope(ctx context.Context, tenantID, associateID string) (Scope, error)
	// OfficeUnderAssociate reports whether officeID names an office of the
	// tenant that is the office of the associate associateID, or below it in
	// the office tree, as both are now. It is false, with no error, for an
	// office or associate the tenant does not have.
	OfficeUnderAssociate(ctx context.Context, tenantID, associateID, officeID string) (bool, error)
}

// checkOffice refuses, for a principal whose scope sc is not the whole
// tenant, an office the client would leave its scope by: the office must be
// its associate's office or below it (for a branch scope, exactly the
// scope's offices; for a restricted one, the offices the associate works
// in). A missing office and one outside the subtree are the same problem
// with the same text, so the check tells nobody which offices exist.
func (s *Service) checkOffice(ctx context.Context, p authz.Principal, sc Scope, officeID string) error {
	if sc.Tenant {
		return nil
	}
	ok := false
	if !sc.Empty() && p.AssociateID != "" {
		var err error
		if ok, err = s.store.OfficeUnderAssociate(ctx, p.TenantID, p.AssociateID, officeID); err != nil {
			return fmt.Errorf("data scope: %w", err)
		}
	}
	if !ok {
		return clientele.NewValidationError("officeId", "scope", "names no office of your data scope")
	}
	return nil
}

// membership says whether the client with this reference, read by a
// tenant-wide principal, is in the data scope of the principal's own
// associate (authz.Resource.InMemberScope): one scoped look-up of the client.
func (s *Service) membership(ctx context.Context, p authz.Principal, reference string) (authz.ScopeMembership, error) {
	if p.AssociateID == "" {
		return authz.ScopeUnknown, nil
	}
	sc, err := s.associateScope(ctx, p)
	if err != nil {
		return authz.ScopeUnknown, err
	}
	if sc.Empty() {
		return authz.OutOfScope, nil
	}
	_, err = s.store.Get(ctx, p.TenantID, reference, sc)
	switch {
	case err == nil:
		return authz.InScope, nil
	case errors.Is(err, clientele.ErrNotFound):
		return authz.OutOfScope, nil
	}
	return authz.ScopeUnknown, fmt.Errorf("data scope: %w", err)
}

// scopeOf returns the data scope of p: the whole tenant when the authorizer
// says p is tenant-wide (authz.Catalogue.TenantWide) or p is the node operator
// (WithNodeOperators), otherwise the scope of p's associate, and no client at
// all for a principal with no associate.
func (s *Service) scopeOf(ctx context.Context, p authz.Principal) (Scope, error) {
	wide, err := s.az.TenantWide(ctx, p)
	if err != nil {
		return Scope{}, fmt.Errorf("data scope: %w", err)
	}
	if !wide && s.operators != nil {
		if wide, err = s.operators.IsNodeOperator(ctx, p); err != nil {
			return Scope{}, fmt.Errorf("data scope: %w", err)
		}
	}
	if wide {
		return TenantScope(), nil
	}
	if p.AssociateID == "" {
		return Scope{}, nil
	}
	return s.associateScope(ctx, p)
}

// associateScope is the scope of p's associate: from the principal itself
// when it carries its associate's scope mode and office (users.Authenticate
// reads them with the session, as they are now), otherwise from the
// ScopeResolver. Never the whole tenant: only the authorizer grants that.
func (s *Service) associateScope(ctx context.Context, p authz.Principal) (Scope, error) {
	switch {
	case p.ScopeMode == authz.ScopeModeBranch && p.OfficeID != "":
		return Scope{OfficeID: p.OfficeID}, nil
	case p.ScopeMode == authz.ScopeModeRestricted:
		return Scope{AssociateID: p.AssociateID}, nil
	}
	sc, err := s.store.AssociateScope(ctx, p.TenantID, p.AssociateID)
	if err != nil {
		return Scope{}, fmt.Errorf("data scope: %w", err)
	}
	sc.Tenant = false
	return sc, nil
}

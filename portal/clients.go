package portal

import (
	"context"
	"errors"
	"fmt"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/authz"
	"github.com/clientele-go/clientele/clients"
)

// ClientView is a client with its portal access, if it has one (seed 000:
// list and view client APIs return portal access details).
type ClientView struct {
	clients.Client
	PortalAccess *Access `json:"portalAccess,omitempty"`
}

// ClientPage is a page of clients with their portal access.
type ClientPage struct {
	Clients    []ClientView `json:"items"`
	NextCursor string       `json:"nextCursor,omitempty"`
}

// NewClient creates a client and, optionally, grants it portal access.
type NewClient struct {
	clients.CreateInput
	PortalAccess *AccessInput `json:"portalAccess,omitempty"`
}

// CreateClient creates a client (clients.Service.Create, CL003) and, when
// in.PortalAccess is set, grants it portal access in the same transaction
// (the caller's, when ctx carries one), as SetAccess grants it: the
// principal must also be allowed to invite users (US001). Either the client
// and its access are both stored, or neither is. With an idempotency key, a
// retry returns the client created then, with the access granted then, and
// grants nothing again (the key's request hash covers the client's input).
func (s *Service) CreateClient(ctx context.Context, p authz.Principal, in NewClient, idempotencyKey string) (ClientView, error) {
	var out ClientView
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		c, err := s.clients.Create(ctx, p, in.CreateInput, idempotencyKey)
		if err != nil {
			return err
		}
		out.Client = c
		if in.PortalAccess == nil {
			return nil
		}
		acc, err := s.store.Access(ctx, c.TenantID, c.ID)
		switch {
		case err == nil: // a replay: granted with the client
			out.PortalAccess = &acc
			return nil
		case !errors.Is(err, clientele.ErrNotFound):
			return err
		}
		a := *in.PortalAccess
		if err := checkAccessInput(&a); err != nil {
			return err
		}
		acc, err = s.grant(ctx, p, c, a)
		if err != nil {
			return err
		}
		out.PortalAccess = &acc
		return nil
	})
	if err != nil {
		return ClientView{}, fmt.Errorf("portal: create client: %w", err)
	}
	return out, nil
}

// DetailsView is a client's details (clients.Service.Details: the client
// with what core banking, documents and the CRM hold of it) with its portal
// access.
type DetailsView struct {
	clients.Details
	PortalAccess *Access `json:"portalAccess,omitempty"`
}

// GetClient returns a client as clients.Service.Details does (CL002), with
// its portal access.
func (s *Service) GetClient(ctx context.Context, p authz.Principal, reference string) (DetailsView, error) {
	d, err := s.clients.Details(ctx, p, reference)
	if err != nil {
		return DetailsView{}, err
	}
	v := DetailsView{Details: d}
	acc, err := s.store.Access(ctx, d.TenantID, d.ID)
	switch {
	case err == nil:
		v.PortalAccess = &acc
	case !errors.Is(err, clientele.ErrNotFound):
		return DetailsView{}, fmt.Errorf("portal: client %s: %w", reference, err)
	}
	return v, nil
}

// ListClients lists clients as clients.Service.List does (CL001, within the
// principal's data scope), each with its portal access, read in one query
// for the page.
func (s *Service) ListClients(ctx context.Context, p authz.Principal, req clients.ListRequest) (ClientPage, error) {
	page, err := s.clients.List(ctx, p, req)
	if err != nil {
		return ClientPage{}, err
	}
	out := ClientPage{Clients: make([]ClientView, len(page.Clients)), NextCursor: page.NextCursor}
	ids := make([]string, len(page.Clients))
	for i, c := range page.Clients {
		out.Clients[i].Client, ids[i] = c, c.ID
	}
	if len(ids) == 0 {
		return out, nil
	}
	acc, err := s.store.Accesses(ctx, p.TenantID, ids)
	if err != nil {
		return ClientPage{}, fmt.Errorf("portal: list clients: %w", err)
	}
	for i := range out.Clients {
		if a, ok := acc[out.Clients[i].ID]; ok {
			out.Clients[i].PortalAccess = &a
		}
	}
	return out, nil
}

package httpadapter

import (
	"context"
	"net/http"

	"github.com/clientele-go/clientele/adapters"
)

var _ adapters.CRM = (*CRM)(nil)

// CRM is the HTTP client of the CRM contract.
type CRM struct{ c *conn }

// NewCRM returns a client of the CRM handler mounted at baseURL.
func NewCRM(baseURL string, opts ...Option) (*CRM, error) {
	c, err := newConn(baseURL, opts)
	if err != nil {
		return nil, err
	}
	return &CRM{c}, nil
}

func partnerPath(tenantID, clientID string) string {
	return tenantPath(tenantID) + "/partners/" + esc(clientID)
}

// CreatePartner implements adapters.CRM.
func (s *CRM) CreatePartner(ctx context.Context, req adapters.CreatePartnerRequest) (adapters.Partner, error) {
	if err := req.Validate(); err != nil {
		return adapters.Partner{}, err
	}
	return do[adapters.Partner](ctx, s.c, http.MethodPost, tenantPath(req.TenantID)+"/partners", nil, req.IdempotencyKey, req)
}

// UpdatePartner implements adapters.CRM.
func (s *CRM) UpdatePartner(ctx context.Context, req adapters.UpdatePartnerRequest) (adapters.Partner, error) {
	if err := req.Validate(); err != nil {
		return adapters.Partner{}, err
	}
	return do[adapters.Partner](ctx, s.c, http.MethodPut, partnerPath(req.TenantID, req.ClientID), nil, req.IdempotencyKey, req)
}

// DeactivatePartner implements adapters.CRM.
func (s *CRM) DeactivatePartner(ctx context.Context, req adapters.DeactivatePartnerRequest) (adapters.Partner, error) {
	if err := req.Validate(); err != nil {
		return adapters.Partner{}, err
	}
	return do[adapters.Partner](ctx, s.c, http.MethodPost, partnerPath(req.TenantID, req.ClientID)+"/deactivate", nil, req.IdempotencyKey, req)
}

// GetPartner implements adapters.CRM.
func (s *CRM) GetPartner(ctx context.Context, tenantID, clientID string) (adapters.Partner, error) {
	if err := adapters.ValidateTenant(tenantID, adapters.NamedID{Field: "clientId", Value: clientID}); err != nil {
		return adapters.Partner{}, err
	}
	return do[adapters.Partner](ctx, s.c, http.MethodGet, partnerPath(tenantID, clientID), nil, "", nil)
}

// NewCRMHandler serves the CRM contract over impl.
func NewCRMHandler(impl adapters.CRM) (http.Handler, error) {
	if impl == nil {
		return nil, nilImpl("NewCRMHandler")
	}
	return newMux(crmRoutes(impl)), nil
}

func crmRoutes(impl adapters.CRM) []route {
	return []route{
		changeRoute("POST", "/tenants/{tenantId}/partners", "CreatePartner", "HP001 Create partner profile", maxBodyBytes,
			func(r *adapters.CreatePartnerRequest) *string { return &r.IdempotencyKey },
			func(r *adapters.CreatePartnerRequest) []binding { return []binding{bind("tenantId", &r.TenantID)} },
			impl.CreatePartner),
		readRoute("/tenants/{tenantId}/partners/{clientId}", "GetPartner", "Read partner profile", nil,
			func(r *http.Request) (adapters.Partner, error) {
				return impl.GetPartner(r.Context(), r.PathValue("tenantId"), r.PathValue("clientId"))
			}),
		changeRoute("PUT", "/tenants/{tenantId}/partners/{clientId}", "UpdatePartner", "HP002 Update partner profile", maxBodyBytes,
			func(r *adapters.UpdatePartnerRequest) *string { return &r.IdempotencyKey },
			func(r *adapters.UpdatePartnerRequest) []binding {
				return []binding{bind("tenantId", &r.TenantID), bind("clientId", &r.ClientID)}
			},
			impl.UpdatePartner),
		changeRoute("POST", "/tenants/{tenantId}/partners/{clientId}/deactivate", "DeactivatePartner", "HP003 Deactivate partner profile", maxBodyBytes,
			func(r *adapters.DeactivatePartnerRequest) *string { return &r.IdempotencyKey },
			func(r *adapters.DeactivatePartnerRequest) []binding {
				return []binding{bind("tenantId", &r.TenantID), bind("clientId", &r.ClientID)}
			},
			impl.DeactivatePartner),
	}
}

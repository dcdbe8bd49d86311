package memory

import (
	"context"
	"sync"
	"time"

	"github.com/clientele-go/clientele/adapters"
)

var _ adapters.CRM = (*CRM)(nil)

// CRM is an in-memory CRM / helpdesk system.
type CRM struct {
	cfg      config
	mu       sync.Mutex
	partners profiles // tenant, client
	idem     keyLog
}

// NewCRM returns an empty CRM.
func NewCRM(opts ...Option) *CRM {
	return &CRM{cfg: newConfig(opts), partners: newProfiles("CRM partner", "CRM")}
}

// Faults returns the fake's fault switch.
func (s *CRM) Faults() *Faults { return s.cfg.faults }

func partner(r *profileRecord) adapters.Partner {
	return adapters.Partner{TenantID: r.tenantID, ClientID: r.id, ExternalID: r.externalID, Profile: r.profile.Clone(),
		Status: r.status, CreatedAt: r.createdAt, UpdatedAt: r.updatedAt}
}

func clonePartner(p adapters.Partner) adapters.Partner {
	p.Profile = p.Profile.Clone()
	return p
}

// CreatePartner implements adapters.CRM (HP001).
func (s *CRM) CreatePartner(ctx context.Context, req adapters.CreatePartnerRequest) (adapters.Partner, error) {
	return mutate(ctx, s.cfg, &s.mu, &s.idem, "CreatePartner", req.TenantID, req.IdempotencyKey, req, clonePartner,
		func(now time.Time) (adapters.Partner, error) {
			r, err := s.partners.create(req.TenantID, req.ClientID, req.Profile, now)
			if err != nil {
				return adapters.Partner{}, err
			}
			return partner(r), nil
		})
}

// UpdatePartner implements adapters.CRM (HP002).
func (s *CRM) UpdatePartner(ctx context.Context, req adapters.UpdatePartnerRequest) (adapters.Partner, error) {
	return mutate(ctx, s.cfg, &s.mu, &s.idem, "UpdatePartner", req.TenantID, req.IdempotencyKey, req, clonePartner,
		func(now time.Time) (adapters.Partner, error) {
			r, err := s.partners.update(req.TenantID, req.ClientID, req.Profile, now)
			if err != nil {
				return adapters.Partner{}, err
			}
			return partner(r), nil
		})
}

// DeactivatePartner implements adapters.CRM (HP003).
func (s *CRM) DeactivatePartner(ctx context.Context, req adapters.DeactivatePartnerRequest) (adapters.Partner, error) {
	return mutate(ctx, s.cfg, &s.mu, &s.idem, "DeactivatePartner", req.TenantID, req.IdempotencyKey, req, clonePartner,
		func(now time.Time) (adapters.Partner, error) {
			r, err := s.partners.deactivate(req.TenantID, req.ClientID, now)
			if err != nil {
				return adapters.Partner{}, err
			}
			return partner(r), nil
		})
}

// GetPartner implements adapters.CRM.
func (s *CRM) GetPartner(ctx context.Context, tenantID, clientID string) (adapters.Partner, error) {
	return read(ctx, s.cfg, &s.mu, "GetPartner", adapters.ValidateTenant(tenantID, adapters.NamedID{Field: "clientId", Value: clientID}),
		func() (adapters.Partner, error) {
			r, err := s.partners.get(tenantID, clientID)
			if err != nil {
				return adapters.Partner{}, err
			}
			return partner(r), nil
		})
}

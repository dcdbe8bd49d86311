package memory

import (
	"context"
	"fmt"
	"sync"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/adapters"
)

var _ adapters.CRM = (*CRM)(nil)

// CRM is an in-memory CRM / helpdesk system.
type CRM struct {
	cfg      config
	mu       sync.Mutex
	partners map[string]*adapters.Partner // tenant, client
	idem     idempotency
	seq      int
}

// NewCRM returns an empty CRM.
func NewCRM(opts ...Option) *CRM {
	return &CRM{cfg: newConfig(opts), partners: map[string]*adapters.Partner{}}
}

// Faults returns the fake's fault switch.
func (s *CRM) Faults() *Faults { return s.cfg.faults }

func clonePartner(p adapters.Partner) adapters.Partner {
	p.Profile = p.Profile.Clone()
	return p
}

// CreatePartner implements adapters.CRM (HP001).
func (s *CRM) CreatePartner(ctx context.Context, req adapters.CreatePartnerRequest) (adapters.Partner, error) {
	const op = "CreatePartner"
	if err := s.cfg.faults.before(ctx, op); err != nil {
		return adapters.Partner{}, err
	}
	if err := req.Validate(); err != nil {
		return adapters.Partner{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if p, ok, err := replay(&s.idem, req.TenantID, op, req.IdempotencyKey, req, clonePartner); ok {
		return p, err
	}
	k := tk(req.TenantID, req.ClientID)
	if _, ok := s.partners[k]; ok {
		return adapters.Partner{}, fmt.Errorf("memory: CRM partner %q exists: %w", req.ClientID, clientele.ErrConflict)
	}
	now := s.cfg.timestamp()
	s.seq++
	p := &adapters.Partner{
		TenantID: req.TenantID, ClientID: req.ClientID, ExternalID: fmt.Sprintf("CRM%08d", s.seq),
		Profile: req.Profile.Clone(), Status: adapters.StatusActive, CreatedAt: now, UpdatedAt: now,
	}
	s.partners[k] = p
	remember(&s.idem, req.TenantID, op, req.IdempotencyKey, req, clonePartner(*p))
	return clonePartner(*p), nil
}

// UpdatePartner implements adapters.CRM (HP002).
func (s *CRM) UpdatePartner(ctx context.Context, req adapters.UpdatePartnerRequest) (adapters.Partner, error) {
	const op = "UpdatePartner"
	if err := s.cfg.faults.before(ctx, op); err != nil {
		return adapters.Partner{}, err
	}
	if err := req.Validate(); err != nil {
		return adapters.Partner{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if p, ok, err := replay(&s.idem, req.TenantID, op, req.IdempotencyKey, req, clonePartner); ok {
		return p, err
	}
	p, ok := s.partners[tk(req.TenantID, req.ClientID)]
	if !ok {
		return adapters.Partner{}, notFound("CRM partner", req.ClientID)
	}
	if p.Status != adapters.StatusActive {
		return adapters.Partner{}, fmt.Errorf("memory: CRM partner %q is %s: %w", req.ClientID, p.Status, clientele.ErrPrecondition)
	}
	p.Profile = req.Profile.Clone()
	p.UpdatedAt = s.cfg.timestamp()
	remember(&s.idem, req.TenantID, op, req.IdempotencyKey, req, clonePartner(*p))
	return clonePartner(*p), nil
}

// DeactivatePartner implements adapters.CRM (HP003).
func (s *CRM) DeactivatePartner(ctx context.Context, req adapters.DeactivatePartnerRequest) (adapters.Partner, error) {
	const op = "DeactivatePartner"
	if err := s.cfg.faults.before(ctx, op); err != nil {
		return adapters.Partner{}, err
	}
	if err := req.Validate(); err != nil {
		return adapters.Partner{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if p, ok, err := replay(&s.idem, req.TenantID, op, req.IdempotencyKey, req, clonePartner); ok {
		return p, err
	}
	p, ok := s.partners[tk(req.TenantID, req.ClientID)]
	if !ok {
		return adapters.Partner{}, notFound("CRM partner", req.ClientID)
	}
	if p.Status != adapters.StatusInactive {
		p.Status = adapters.StatusInactive
		p.UpdatedAt = s.cfg.timestamp()
	}
	remember(&s.idem, req.TenantID, op, req.IdempotencyKey, req, clonePartner(*p))
	return clonePartner(*p), nil
}

// GetPartner implements adapters.CRM.
func (s *CRM) GetPartner(ctx context.Context, tenantID, clientID string) (adapters.Partner, error) {
	if err := s.cfg.faults.before(ctx, "GetPartner"); err != nil {
		return adapters.Partner{}, err
	}
	if err := adapters.ValidateTenant(tenantID, adapters.NamedID{Field: "clientId", Value: clientID}); err != nil {
		return adapters.Partner{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.partners[tk(tenantID, clientID)]
	if !ok {
		return adapters.Partner{}, notFound("CRM partner", clientID)
	}
	return clonePartner(*p), nil
}

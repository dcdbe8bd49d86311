package memory

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/adapters"
)

var _ adapters.Identity = (*Identity)(nil)

// Identity is an in-memory identity provider.
type Identity struct {
	cfg   config
	mu    sync.Mutex
	users map[string]*adapters.IdentityUser // tenant, subject
	dids  map[string]adapters.DID           // tenant, subject
	idem  idempotency
	seq   int
}

// NewIdentity returns an empty identity provider.
func NewIdentity(opts ...Option) *Identity {
	return &Identity{cfg: newConfig(opts), users: map[string]*adapters.IdentityUser{}, dids: map[string]adapters.DID{}}
}

// Faults returns the fake's fault switch.
func (s *Identity) Faults() *Faults { return s.cfg.faults }

func cloneUser(u adapters.IdentityUser) adapters.IdentityUser {
	u.Profile = u.Profile.Clone()
	return u
}

// CreateUser implements adapters.Identity (IU001).
func (s *Identity) CreateUser(ctx context.Context, req adapters.CreateUserRequest) (adapters.IdentityUser, error) {
	const op = "CreateUser"
	if err := s.cfg.faults.before(ctx, op); err != nil {
		return adapters.IdentityUser{}, err
	}
	if err := req.Validate(); err != nil {
		return adapters.IdentityUser{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if u, ok, err := replay(&s.idem, req.TenantID, op, req.IdempotencyKey, req, cloneUser); ok {
		return u, err
	}
	k := tk(req.TenantID, req.SubjectID)
	if _, ok := s.users[k]; ok {
		return adapters.IdentityUser{}, fmt.Errorf("memory: identity user %q exists: %w", req.SubjectID, clientele.ErrConflict)
	}
	now := s.cfg.timestamp()
	s.seq++
	u := &adapters.IdentityUser{
		TenantID: req.TenantID, SubjectID: req.SubjectID, ExternalID: fmt.Sprintf("IDP%08d", s.seq),
		Profile: req.Profile.Clone(), Status: adapters.StatusActive, DID: s.dids[k].DID, CreatedAt: now, UpdatedAt: now,
	}
	s.users[k] = u
	remember(&s.idem, req.TenantID, op, req.IdempotencyKey, req, cloneUser(*u))
	return cloneUser(*u), nil
}

// UpdateUser implements adapters.Identity (IU002).
func (s *Identity) UpdateUser(ctx context.Context, req adapters.UpdateUserRequest) (adapters.IdentityUser, error) {
	const op = "UpdateUser"
	if err := s.cfg.faults.before(ctx, op); err != nil {
		return adapters.IdentityUser{}, err
	}
	if err := req.Validate(); err != nil {
		return adapters.IdentityUser{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if u, ok, err := replay(&s.idem, req.TenantID, op, req.IdempotencyKey, req, cloneUser); ok {
		return u, err
	}
	u, ok := s.users[tk(req.TenantID, req.SubjectID)]
	if !ok {
		return adapters.IdentityUser{}, notFound("identity user", req.SubjectID)
	}
	if u.Status != adapters.StatusActive {
		return adapters.IdentityUser{}, fmt.Errorf("memory: identity user %q is %s: %w", req.SubjectID, u.Status, clientele.ErrPrecondition)
	}
	u.Profile = req.Profile.Clone()
	u.UpdatedAt = s.cfg.timestamp()
	remember(&s.idem, req.TenantID, op, req.IdempotencyKey, req, cloneUser(*u))
	return cloneUser(*u), nil
}

// DeactivateUser implements adapters.Identity (IU003).
func (s *Identity) DeactivateUser(ctx context.Context, req adapters.DeactivateUserRequest) (adapters.IdentityUser, error) {
	const op = "DeactivateUser"
	if err := s.cfg.faults.before(ctx, op); err != nil {
		return adapters.IdentityUser{}, err
	}
	if err := req.Validate(); err != nil {
		return adapters.IdentityUser{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if u, ok, err := replay(&s.idem, req.TenantID, op, req.IdempotencyKey, req, cloneUser); ok {
		return u, err
	}
	u, ok := s.users[tk(req.TenantID, req.SubjectID)]
	if !ok {
		return adapters.IdentityUser{}, notFound("identity user", req.SubjectID)
	}
	if u.Status != adapters.StatusInactive {
		u.Status = adapters.StatusInactive
		u.UpdatedAt = s.cfg.timestamp()
	}
	remember(&s.idem, req.TenantID, op, req.IdempotencyKey, req, cloneUser(*u))
	return cloneUser(*u), nil
}

// GetUser implements adapters.Identity.
func (s *Identity) GetUser(ctx context.Context, tenantID, subjectID string) (adapters.IdentityUser, error) {
	if err := s.cfg.faults.before(ctx, "GetUser"); err != nil {
		return adapters.IdentityUser{}, err
	}
	if err := adapters.ValidateTenant(tenantID, adapters.NamedID{Field: "subjectId", Value: subjectID}); err != nil {
		return adapters.IdentityUser{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[tk(tenantID, subjectID)]
	if !ok {
		return adapters.IdentityUser{}, notFound("identity user", subjectID)
	}
	return cloneUser(*u), nil
}

// CreateDID implements adapters.Identity. The DID is a did:key-shaped identifier
// derived from a fresh UUID; it is attached to the subject's user, if any.
func (s *Identity) CreateDID(ctx context.Context, req adapters.CreateDIDRequest) (adapters.DID, error) {
	const op = "CreateDID"
	if err := s.cfg.faults.before(ctx, op); err != nil {
		return adapters.DID{}, err
	}
	if err := req.Validate(); err != nil {
		return adapters.DID{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if d, ok, err := replay(&s.idem, req.TenantID, op, req.IdempotencyKey, req, same[adapters.DID]); ok {
		return d, err
	}
	k := tk(req.TenantID, req.SubjectID)
	if _, ok := s.dids[k]; ok {
		return adapters.DID{}, fmt.Errorf("memory: subject %q already has a DID: %w", req.SubjectID, clientele.ErrConflict)
	}
	d := adapters.DID{
		TenantID: req.TenantID, SubjectID: req.SubjectID,
		DID:       "did:key:z" + strings.ReplaceAll(newID(), "-", ""),
		CreatedAt: s.cfg.timestamp(),
	}
	s.dids[k] = d
	if u, ok := s.users[k]; ok {
		u.DID = d.DID
	}
	remember(&s.idem, req.TenantID, op, req.IdempotencyKey, req, d)
	return d, nil
}

package memory

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/adapters"
)

var _ adapters.Identity = (*Identity)(nil)

// Identity is an in-memory identity provider.
type Identity struct {
	cfg   config
	mu    sync.Mutex
	users profiles                // tenant, subject
	dids  map[string]adapters.DID // tenant, subject
	idem  keyLog
}

// NewIdentity returns an empty identity provider.
func NewIdentity(opts ...Option) *Identity {
	return &Identity{cfg: newConfig(opts), users: newProfiles("identity user", "IDP"), dids: map[string]adapters.DID{}}
}

// Faults returns the fake's fault switch.
func (s *Identity) Faults() *Faults { return s.cfg.faults }

// user is the public view of r; the caller holds s.mu.
func (s *Identity) user(r *profileRecord) adapters.IdentityUser {
	return adapters.IdentityUser{TenantID: r.tenantID, SubjectID: r.id, ExternalID: r.externalID, Profile: r.profile.Clone(),
		Status: r.status, DID: s.dids[tk(r.tenantID, r.id)].DID, CreatedAt: r.createdAt, UpdatedAt: r.updatedAt}
}

func cloneUser(u adapters.IdentityUser) adapters.IdentityUser {
	u.Profile = u.Profile.Clone()
	return u
}

// CreateUser implements adapters.Identity (IU001).
func (s *Identity) CreateUser(ctx context.Context, req adapters.CreateUserRequest) (adapters.IdentityUser, error) {
	return mutate(ctx, s.cfg, &s.mu, &s.idem, "CreateUser", req.TenantID, req.IdempotencyKey, req, cloneUser,
		func(now time.Time) (adapters.IdentityUser, error) {
			r, err := s.users.create(req.TenantID, req.SubjectID, req.Profile, now)
			if err != nil {
				return adapters.IdentityUser{}, err
			}
			return s.user(r), nil
		})
}

// UpdateUser implements adapters.Identity (IU002).
func (s *Identity) UpdateUser(ctx context.Context, req adapters.UpdateUserRequest) (adapters.IdentityUser, error) {
	return mutate(ctx, s.cfg, &s.mu, &s.idem, "UpdateUser", req.TenantID, req.IdempotencyKey, req, cloneUser,
		func(now time.Time) (adapters.IdentityUser, error) {
			r, err := s.users.update(req.TenantID, req.SubjectID, req.Profile, now)
			if err != nil {
				return adapters.IdentityUser{}, err
			}
			return s.user(r), nil
		})
}

// DeactivateUser implements adapters.Identity (IU003).
func (s *Identity) DeactivateUser(ctx context.Context, req adapters.DeactivateUserRequest) (adapters.IdentityUser, error) {
	return mutate(ctx, s.cfg, &s.mu, &s.idem, "DeactivateUser", req.TenantID, req.IdempotencyKey, req, cloneUser,
		func(now time.Time) (adapters.IdentityUser, error) {
			r, err := s.users.deactivate(req.TenantID, req.SubjectID, now)
			if err != nil {
				return adapters.IdentityUser{}, err
			}
			return s.user(r), nil
		})
}

// GetUser implements adapters.Identity.
func (s *Identity) GetUser(ctx context.Context, tenantID, subjectID string) (adapters.IdentityUser, error) {
	return read(ctx, s.cfg, &s.mu, "GetUser", adapters.ValidateTenant(tenantID, adapters.NamedID{Field: "subjectId", Value: subjectID}),
		func() (adapters.IdentityUser, error) {
			r, err := s.users.get(tenantID, subjectID)
			if err != nil {
				return adapters.IdentityUser{}, err
			}
			return s.user(r), nil
		})
}

// CreateDID implements adapters.Identity. The DID is a did:key-shaped identifier
// derived from a fresh UUID; the subject's user, if any, carries it.
func (s *Identity) CreateDID(ctx context.Context, req adapters.CreateDIDRequest) (adapters.DID, error) {
	return mutate(ctx, s.cfg, &s.mu, &s.idem, "CreateDID", req.TenantID, req.IdempotencyKey, req, same[adapters.DID],
		func(now time.Time) (adapters.DID, error) {
			k := tk(req.TenantID, req.SubjectID)
			if _, ok := s.dids[k]; ok {
				return adapters.DID{}, fmt.Errorf("memory: subject %q already has a DID: %w", req.SubjectID, clientele.ErrConflict)
			}
			d := adapters.DID{TenantID: req.TenantID, SubjectID: req.SubjectID,
				DID: "did:key:z" + strings.ReplaceAll(newID(), "-", ""), CreatedAt: now}
			s.dids[k] = d
			return d, nil
		})
}

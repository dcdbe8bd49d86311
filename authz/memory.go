package authz

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/audit"
)

// MemoryStore is an in-memory RoleStore and OrgSource for tests and examples: a
// map behind a mutex, values copied in and out. It applies the same second-line
// validation a persistent store must.
type MemoryStore struct {
	mu      sync.RWMutex
	tenants map[string]*memTenant
	audit   []audit.Entry
}

type memTenant struct {
	spec Spec
	org  Org
}

var (
	_ RoleStore = (*MemoryStore)(nil)
	_ OrgSource = (*MemoryStore)(nil)
)

// NewMemoryStore returns an empty store.
func NewMemoryStore() *MemoryStore { return &MemoryStore{tenants: map[string]*memTenant{}} }

// PutTenant sets up (or replaces) a tenant with its catalogue, typically a
// preset, and its org attributes. org.TenantID names the tenant.
func (m *MemoryStore) PutTenant(org Org, spec Spec) error {
	if org.TenantID == "" {
		return clientele.NewValidationError("tenantId", "required", "tenant id is required")
	}
	if err := ValidateSpec(spec); err != nil {
		return fmt.Errorf("authz: tenant %s: %w", org.TenantID, err)
	}
	org.Apps = maps.Clone(org.Apps)
	m.mu.Lock()
	defer m.mu.Unlock()
	m.tenants[org.TenantID] = &memTenant{spec: spec.Clone(), org: org}
	return nil
}

// SetOrg replaces a tenant's org attributes (subscriptions, portal switch).
func (m *MemoryStore) SetOrg(org Org) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, ok := m.tenants[org.TenantID]
	if !ok {
		return fmt.Errorf("authz: tenant %s: %w", org.TenantID, clientele.ErrNotFound)
	}
	org.Apps = maps.Clone(org.Apps)
	t.org = org
	return nil
}

func (m *MemoryStore) tenant(ctx context.Context, tenantID string) (*memTenant, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	t, ok := m.tenants[tenantID]
	if !ok {
		return nil, fmt.Errorf("authz: tenant %s: %w", tenantID, clientele.ErrNotFound)
	}
	return t, nil
}

// Catalogue implements CatalogueStore.
func (m *MemoryStore) Catalogue(ctx context.Context, tenantID string) (Spec, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	t, err := m.tenant(ctx, tenantID)
	if err != nil {
		return Spec{}, err
	}
	return t.spec.Clone(), nil
}

// Org implements OrgSource.
func (m *MemoryStore) Org(ctx context.Context, tenantID string) (Org, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	t, err := m.tenant(ctx, tenantID)
	if err != nil {
		return Org{}, err
	}
	o := t.org
	o.Apps = maps.Clone(o.Apps)
	return o, nil
}

// AuditLog returns the audit entries of the role changes the store has written.
func (m *MemoryStore) AuditLog() []audit.Entry {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return slices.Clone(m.audit)
}

// CreateRole implements RoleStore.
func (m *MemoryStore) CreateRole(ctx context.Context, tenantID string, r Role, entry audit.Entry) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, err := m.tenant(ctx, tenantID)
	if err != nil {
		return err
	}
	if err := ValidateRole(r, t.spec.PermissionMap()); err != nil {
		return err
	}
	for _, x := range t.spec.Roles {
		if x.Code == r.Code {
			return fmt.Errorf("authz: role %s exists: %w", r.Code, clientele.ErrConflict)
		}
	}
	t.spec.Roles = append(t.spec.Roles, r.clone())
	m.audit = append(m.audit, entry)
	return nil
}

// UpdateRole implements RoleStore.
func (m *MemoryStore) UpdateRole(ctx context.Context, tenantID, code string, update func(*Role) (audit.Entry, error)) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, err := m.tenant(ctx, tenantID)
	if err != nil {
		return err
	}
	for i, x := range t.spec.Roles {
		if x.Code != code {
			continue
		}
		r := x.clone()
		entry, err := update(&r)
		if err != nil {
			return err
		}
		if err := ValidateRoleUpdate(x, r, t.spec.PermissionMap()); err != nil {
			return err
		}
		t.spec.Roles[i] = r.clone()
		m.audit = append(m.audit, entry)
		return nil
	}
	return fmt.Errorf("authz: role %s: %w", code, clientele.ErrNotFound)
}

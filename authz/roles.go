package authz

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/audit"
)

// RoleStore persists each tenant's roles (the permissions and policies come
// from the tenant's preset). Storage implements it; MemoryStore is the
// in-memory implementation. Implementations validate again before they write
// (ValidateRole on create, ValidateRoleUpdate on update) so that no code path
// can persist a role that mixes permission types.
type RoleStore interface {
	CatalogueStore
	// CreateRole adds a role and its audit entry in one transaction;
	// clientele.ErrConflict when its code exists.
	CreateRole(ctx context.Context, tenantID string, r Role, entry audit.Entry) error
	// UpdateRole loads the role, calls update on it and writes the result with
	// the audit entry update returns, in one transaction; clientele.ErrNotFound
	// when there is no such role.
	UpdateRole(ctx context.Context, tenantID, code string, update func(*Role) (audit.Entry, error)) error
}

// ValidateRoleUpdate checks a role change: the result must be a valid role
// (ValidateRole), and its code and type cannot change (users holding the role
// were checked against its type).
func ValidateRoleUpdate(before, after Role, perms map[string]Permission) error {
	v := &clientele.ValidationError{}
	if after.Code != before.Code {
		v.Add("code", "immutable", "role code cannot change")
	}
	if after.Type != before.Type {
		v.Add("type", "immutable", fmt.Sprintf("role %s is a %s role; its type cannot change", before.Code, before.Type))
	}
	if err := ValidateRole(after, perms); err != nil {
		addProblems(v, "", err)
	}
	return v.OrNil()
}

// NodeOperators tells the role service which principal is its tenant's node
// operator (the super-admin), the one actor exempt from the grant rules. The
// users package's *users.Service implements it.
type NodeOperators interface {
	// IsNodeOperator reports whether p is an active node operator of its tenant.
	IsNodeOperator(ctx context.Context, p Principal) (bool, error)
}

// RoleService lists permissions and roles and creates and updates roles, per
// tenant. Every call is authorized first (operations AD001–AD004) for the
// acting principal in the principal's tenant. Nobody escalates through it:
// an actor may create a role only with back-office permissions it may grant
// (Catalogue.CheckGrant: it holds them, or every operation they grant, outright),
// may edit a role only when it may grant the role's back-office permissions
// before and after the edit, and never edits a role it holds. The node operator (WithNodeOperators) is the one
// exception; without WithNodeOperators no actor is exempt.
type RoleService struct {
	store     RoleStore
	az        *Authorizer
	operators NodeOperators
	now       func() time.Time
}

// RoleOption configures a RoleService.
type RoleOption func(*RoleService)

// WithNodeOperators exempts the node operator, as ops tells, from the grant
// rules of the role service.
func WithNodeOperators(ops NodeOperators) RoleOption {
	return func(s *RoleService) { s.operators = ops }
}

// roleEntry is the audit entry of a role change. Before and After hold the
// role's name and permission set before and after the change (Before is empty
// for a created role).
func roleEntry(p Principal, op Operation, code string, changed []string, before *Role, after Role, at time.Time) (audit.Entry, error) {
	e := audit.Entry{
		TenantID: p.TenantID, Actor: p.UserID, Operation: string(op),
		EntityType: "role", EntityID: code, Changed: changed, At: at.UTC().Truncate(time.Microsecond),
	}
	var err error
	if before != nil {
		if e.Before, err = roleValues(*before); err != nil {
			return audit.Entry{}, err
		}
	}
	e.After, err = roleValues(after)
	return e, err
}

// roleValues is what an audit entry records of a role.
func roleValues(r Role) (json.RawMessage, error) {
	perms := r.Permissions
	if perms == nil {
		perms = []string{}
	}
	return json.Marshal(struct {
		Name        string   `json:"name"`
		Type        string   `json:"type"`
		Permissions []string `json:"permissions"`
	}{r.Name, r.Type.String(), perms})
}

// NewRoleService returns a role service; store and az are required.
func NewRoleService(store RoleStore, az *Authorizer, opts ...RoleOption) (*RoleService, error) {
	if store == nil || az == nil {
		return nil, fmt.Errorf("authz: NewRoleService needs a RoleStore and an Authorizer: %w", clientele.ErrInvalid)
	}
	s := &RoleService{store: store, az: az, now: time.Now}
	for _, o := range opts {
		o(s)
	}
	return s, nil
}

// exempt reports whether p is the node operator.
func (s *RoleService) exempt(ctx context.Context, p Principal) (bool, error) {
	if s.operators == nil {
		return false, nil
	}
	return s.operators.IsNodeOperator(ctx, p)
}

func (s *RoleService) catalogue(ctx context.Context, p Principal, op Operation) (*Catalogue, error) {
	if err := s.az.Authorize(ctx, p, op, Resource{TenantID: p.TenantID}); err != nil {
		return nil, err
	}
	return s.az.Catalogue(ctx, p.TenantID)
}

// ListPermissions lists the tenant's permissions of the given type (AD001).
func (s *RoleService) ListPermissions(ctx context.Context, p Principal, t ListType) ([]Permission, error) {
	c, err := s.catalogue(ctx, p, OpListPermissions)
	if err != nil {
		return nil, err
	}
	return c.Permissions(t), nil
}

// ListRoles lists the tenant's roles of the given type (AD002).
func (s *RoleService) ListRoles(ctx context.Context, p Principal, t ListType) ([]Role, error) {
	c, err := s.catalogue(ctx, p, OpListRoles)
	if err != nil {
		return nil, err
	}
	return c.Roles(t), nil
}

// CreateRole adds a role to the tenant's catalogue (AD003). A role that holds
// a permission of the other type, or an unknown one, is refused with a
// *clientele.ValidationError naming it; an existing code with
// clientele.ErrConflict; a back-office permission the actor may not grant
// (Catalogue.CheckGrant) with a *GrantError (clientele.ErrForbidden), unless the actor is the
// node operator. The audit entry records the new role's permissions (After).
func (s *RoleService) CreateRole(ctx context.Context, p Principal, r Role) (Role, error) {
	c, err := s.catalogue(ctx, p, OpCreateRole)
	if err != nil {
		return Role{}, err
	}
	r = r.clone()
	if err := ValidateRole(r, c.spec.PermissionMap()); err != nil {
		return Role{}, fmt.Errorf("authz: create role %s: %w", r.Code, err)
	}
	if _, exists := c.Role(r.Code); exists {
		return Role{}, fmt.Errorf("authz: create role %s: exists: %w", r.Code, clientele.ErrConflict)
	}
	operator, err := s.exempt(ctx, p)
	if err != nil {
		return Role{}, fmt.Errorf("authz: create role %s: %w", r.Code, err)
	}
	if !operator {
		if err := c.CheckGrant(p, r.Code, r.Permissions); err != nil {
			return Role{}, fmt.Errorf("authz: create role %s: %w", r.Code, err)
		}
	}
	entry, err := roleEntry(p, OpCreateRole, r.Code, []string{"code", "name", "type", "permissions"}, nil, r, s.now())
	if err != nil {
		return Role{}, fmt.Errorf("authz: create role %s: %w", r.Code, err)
	}
	if err := s.store.CreateRole(ctx, p.TenantID, r, entry); err != nil {
		return Role{}, fmt.Errorf("authz: create role %s: %w", r.Code, err)
	}
	s.az.Invalidate(p.TenantID)
	return r.clone(), nil
}

// UpdateRole replaces the name and permissions of the role with r.Code (AD004).
// The type cannot change; a zero r.Type keeps it. Unless the actor is the node
// operator, it may not edit a role it holds, and it must be able to grant the
// role's back-office permissions before and after the change
// (Catalogue.CheckGrant): either refusal is a *GrantError (clientele.ErrForbidden). The audit
// entry records the name and permission set before and after (Before, After).
func (s *RoleService) UpdateRole(ctx context.Context, p Principal, r Role) (Role, error) {
	c, err := s.catalogue(ctx, p, OpUpdateRole)
	if err != nil {
		return Role{}, err
	}
	if v := (&clientele.ValidationError{}); !CheckCode(v, "code", r.Code) {
		return Role{}, fmt.Errorf("authz: update role: %w", v)
	}
	operator, err := s.exempt(ctx, p)
	if err != nil {
		return Role{}, fmt.Errorf("authz: update role %s: %w", r.Code, err)
	}
	if !operator && slices.Contains(p.Roles, r.Code) {
		return Role{}, fmt.Errorf("authz: update role %s: %w", r.Code, &GrantError{Role: r.Code, Own: true})
	}
	perms := c.spec.PermissionMap()
	var out Role
	err = s.store.UpdateRole(ctx, p.TenantID, r.Code, func(cur *Role) (audit.Entry, error) {
		next := r.clone()
		if next.Type == 0 {
			next.Type = cur.Type
		}
		if err := ValidateRoleUpdate(*cur, next, perms); err != nil {
			return audit.Entry{}, err
		}
		if !operator {
			if err := c.CheckGrant(p, r.Code, cur.Permissions); err != nil {
				return audit.Entry{}, err
			}
			if err := c.CheckGrant(p, r.Code, next.Permissions); err != nil {
				return audit.Entry{}, err
			}
		}
		var changed []string
		if next.Name != cur.Name {
			changed = append(changed, "name")
		}
		if !slices.Equal(next.Permissions, cur.Permissions) {
			changed = append(changed, "permissions")
		}
		before := cur.clone()
		entry, err := roleEntry(p, OpUpdateRole, r.Code, changed, &before, next, s.now())
		if err != nil {
			return audit.Entry{}, err
		}
		*cur = next
		out = next.clone()
		return entry, nil
	})
	if err != nil {
		return Role{}, fmt.Errorf("authz: update role %s: %w", r.Code, err)
	}
	s.az.Invalidate(p.TenantID)
	return out, nil
}

package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/audit"
	"github.com/clientele-go/clientele/authz"
)

// AuthzStore gives the authz package each tenant's catalogue (the tenant's preset
// with the roles it added or edited), its org attributes, and persists roles.
type AuthzStore struct{ db *DB }

var (
	_ authz.RoleStore = (*AuthzStore)(nil)
	_ authz.OrgSource = (*AuthzStore)(nil)
)

// Authz returns the store of the authz package.
func (db *DB) Authz() *AuthzStore { return &AuthzStore{db: db} }

type roleRow struct {
	bun.BaseModel `bun:"table:roles"`

	TenantID    string    `bun:"tenant_id,pk"`
	Code        string    `bun:"code,pk"`
	Name        string    `bun:"name"`
	Type        string    `bun:"type"`
	Permissions string    `bun:"permissions"`
	CreatedAt   time.Time `bun:"created_at"`
	UpdatedAt   time.Time `bun:"updated_at"`
}

func (r roleRow) role() (authz.Role, error) {
	t, err := authz.ParsePermissionType(r.Type)
	if err != nil {
		return authz.Role{}, fmt.Errorf("storage: role %s: %w", r.Code, err)
	}
	out := authz.Role{Code: r.Code, Name: r.Name, Type: t}
	if err := json.Unmarshal([]byte(r.Permissions), &out.Permissions); err != nil {
		return authz.Role{}, fmt.Errorf("storage: role %s: corrupt permissions: %w", r.Code, err)
	}
	return out, nil
}

func toRoleRow(tenantID string, r authz.Role, at time.Time) (roleRow, error) {
	perms := r.Permissions
	if perms == nil {
		perms = []string{}
	}
	raw, err := json.Marshal(perms)
	if err != nil {
		return roleRow{}, err
	}
	return roleRow{TenantID: tenantID, Code: r.Code, Name: r.Name, Type: r.Type.String(), Permissions: string(raw), CreatedAt: at, UpdatedAt: at}, nil
}

// Org implements authz.OrgSource.
func (s *AuthzStore) Org(ctx context.Context, tenantID string) (authz.Org, error) {
	t, err := s.db.Tenants().Get(ctx, tenantID)
	if err != nil {
		return authz.Org{}, err
	}
	org := authz.Org{TenantID: t.ID, ClientPortal: t.ClientPortal, Apps: make(map[string]string, len(t.Apps))}
	for app, st := range t.Apps {
		org.Apps[string(app)] = string(st)
	}
	return org, nil
}

// preset returns the preset the tenant picked.
func (s *AuthzStore) preset(ctx context.Context, db bun.IDB, tenantID string) (authz.Spec, error) {
	var preset string
	err := db.NewSelect().Table("tenants").Column("preset").Where("id = ?", tenantID).Scan(ctx, &preset)
	if err != nil {
		return authz.Spec{}, fmt.Errorf("storage: tenant %s: %w", tenantID, translate(err))
	}
	spec, ok := authz.Preset(preset)
	if !ok {
		return authz.Spec{}, fmt.Errorf("storage: tenant %s has unknown authorization preset %q: %w", tenantID, preset, clientele.ErrPrecondition)
	}
	return spec, nil
}

// Catalogue implements authz.CatalogueStore: the preset, with the tenant's stored
// roles added, or replacing the preset's role of the same code.
func (s *AuthzStore) Catalogue(ctx context.Context, tenantID string) (authz.Spec, error) {
	spec, err := s.preset(ctx, s.db.bun, tenantID)
	if err != nil {
		return authz.Spec{}, err
	}
	var rows []roleRow
	if err := s.db.bun.NewSelect().Model(&rows).Where("tenant_id = ?", tenantID).Order("code").Scan(ctx); err != nil {
		return authz.Spec{}, translate(err)
	}
	for _, row := range rows {
		r, err := row.role()
		if err != nil {
			return authz.Spec{}, err
		}
		spec.Roles = putRole(spec.Roles, r)
	}
	return spec, nil
}

func putRole(roles []authz.Role, r authz.Role) []authz.Role {
	for i := range roles {
		if roles[i].Code == r.Code {
			roles[i] = r
			return roles
		}
	}
	return append(roles, r)
}

// CreateRole implements authz.RoleStore. It validates the role against the tenant's
// permissions again, so no code path can store a role that mixes types.
func (s *AuthzStore) CreateRole(ctx context.Context, tenantID string, r authz.Role, entry audit.Entry) error {
	return s.db.inTx(ctx, func(tx bun.Tx) error {
		spec, err := s.preset(ctx, tx, tenantID)
		if err != nil {
			return err
		}
		if err := authz.ValidateRole(r, spec.PermissionMap()); err != nil {
			return err
		}
		for _, pr := range spec.Roles {
			if pr.Code == r.Code {
				return fmt.Errorf("role %s exists: %w", r.Code, clientele.ErrConflict)
			}
		}
		row, err := toRoleRow(tenantID, r, time.Now().UTC().Truncate(time.Microsecond))
		if err != nil {
			return err
		}
		if _, err := tx.NewInsert().Model(&row).Exec(ctx); err != nil {
			if uniqueViolation(err) != "" {
				return fmt.Errorf("role %s exists: %w", r.Code, clientele.ErrConflict)
			}
			return translate(err)
		}
		return appendAudit(ctx, tx, entry)
	})
}

// UpdateRole implements authz.RoleStore. Editing a preset role stores the tenant's
// own version of it.
func (s *AuthzStore) UpdateRole(ctx context.Context, tenantID, code string, update func(*authz.Role) (audit.Entry, error)) error {
	return s.db.inTx(ctx, func(tx bun.Tx) error {
		spec, err := s.preset(ctx, tx, tenantID)
		if err != nil {
			return err
		}
		var row roleRow
		q := tx.NewSelect().Model(&row).Where("tenant_id = ?", tenantID).Where("code = ?", code)
		err = s.db.forUpdate(q).Scan(ctx)
		stored := err == nil
		var cur authz.Role
		switch {
		case stored:
			if cur, err = row.role(); err != nil {
				return err
			}
		case errors.Is(translate(err), clientele.ErrNotFound):
			found := false
			for _, pr := range spec.Roles {
				if pr.Code == code {
					cur, found = pr, true
				}
			}
			if !found {
				return fmt.Errorf("role %s: %w", code, clientele.ErrNotFound)
			}
		default:
			return translate(err)
		}
		before := cur
		before.Permissions = append([]string(nil), cur.Permissions...)
		entry, err := update(&cur)
		if err != nil {
			return err
		}
		if err := authz.ValidateRoleUpdate(before, cur, spec.PermissionMap()); err != nil {
			return err
		}
		now := time.Now().UTC().Truncate(time.Microsecond)
		next, err := toRoleRow(tenantID, cur, now)
		if err != nil {
			return err
		}
		if stored {
			next.CreatedAt = row.CreatedAt
			_, err = tx.NewUpdate().Model(&next).WherePK().Exec(ctx)
		} else {
			_, err = tx.NewInsert().Model(&next).Exec(ctx)
		}
		if err != nil {
			return translate(err)
		}
		return appendAudit(ctx, tx, entry)
	})
}

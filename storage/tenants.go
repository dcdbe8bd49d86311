package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/audit"
	"github.com/clientele-go/clientele/authz"
	"github.com/clientele-go/clientele/tenants"
	"github.com/clientele-go/clientele/users"
)

// TenantStore keeps the tenants of a deployment. Unlike the other stores it
// reads across tenants (List): it serves the deployment's node operator.
type TenantStore struct{ db *DB }

var (
	_ tenants.Store = (*TenantStore)(nil)
)

// Tenants returns the tenant store.
func (db *DB) Tenants() *TenantStore { return &TenantStore{db: db} }

type tenantRow struct {
	bun.BaseModel `bun:"table:tenants"`

	ID           string    `bun:"id,pk"`
	Name         string    `bun:"name"`
	Preset       string    `bun:"preset"`
	Apps         string    `bun:"apps"`
	ClientPortal bool      `bun:"client_portal"`
	Settings     string    `bun:"settings"`
	Version      int64     `bun:"version"`
	CreatedAt    time.Time `bun:"created_at"`
	UpdatedAt    time.Time `bun:"updated_at,nullzero"`
}

func toTenantRow(t tenants.Tenant) (tenantRow, error) {
	apps := t.Apps
	if apps == nil {
		apps = map[authz.App]authz.AppState{}
	}
	rawApps, err := json.Marshal(apps)
	if err != nil {
		return tenantRow{}, err
	}
	settings, err := json.Marshal(t.Settings)
	if err != nil {
		return tenantRow{}, err
	}
	return tenantRow{
		ID: t.ID, Name: t.Name, Preset: t.Preset, Apps: string(rawApps), ClientPortal: t.ClientPortal,
		Settings: string(settings), Version: t.Version, CreatedAt: t.CreatedAt.UTC(), UpdatedAt: t.UpdatedAt.UTC(),
	}, nil
}

func (row tenantRow) tenant() (tenants.Tenant, error) {
	t := tenants.Tenant{
		ID: row.ID, Name: row.Name, Preset: row.Preset, ClientPortal: row.ClientPortal,
		Version: row.Version, CreatedAt: row.CreatedAt.UTC(), UpdatedAt: row.UpdatedAt.UTC(),
	}
	if row.UpdatedAt.IsZero() {
		t.UpdatedAt = t.CreatedAt
	}
	if err := json.Unmarshal([]byte(row.Apps), &t.Apps); err != nil {
		return tenants.Tenant{}, fmt.Errorf("storage: tenant %s: corrupt apps: %w", row.ID, err)
	}
	if err := json.Unmarshal([]byte(row.Settings), &t.Settings); err != nil {
		return tenants.Tenant{}, fmt.Errorf("storage: tenant %s: corrupt settings: %w", row.ID, err)
	}
	return t, nil
}

// Create stores a new tenant at setup, before any user exists to act: it
// authorizes nobody (tenants.Service.Create is the authorized path). It
// validates t (tenants.Tenant.Validate: an unknown preset or app fails with
// ErrInvalid), stores it at version 1 and writes an audit entry
// (tenants.AuditSetup, no actor) in the same transaction. An existing ID fails
// with ErrConflict. A zero CreatedAt means now.
func (s *TenantStore) Create(ctx context.Context, t tenants.Tenant) error {
	if err := t.Validate(); err != nil {
		return fmt.Errorf("storage: create tenant: %w", err)
	}
	if t.CreatedAt.IsZero() {
		t.CreatedAt = time.Now()
	}
	t.CreatedAt = t.CreatedAt.UTC().Truncate(time.Microsecond)
	t.Version, t.UpdatedAt = 1, t.CreatedAt
	entry := audit.Entry{TenantID: t.ID, Operation: tenants.AuditSetup, EntityType: tenants.AuditEntity, EntityID: t.ID,
		Changed: []string{"name", "preset", "apps", "clientPortal", "settings"}, At: t.CreatedAt}
	return s.Insert(ctx, t, entry)
}

// Insert implements tenants.Store: the tenant (validated again) and its audit
// entry in one transaction.
func (s *TenantStore) Insert(ctx context.Context, t tenants.Tenant, entry audit.Entry) error {
	if err := t.Validate(); err != nil {
		return fmt.Errorf("storage: create tenant: %w", err)
	}
	if t.Version < 1 {
		t.Version = 1
	}
	row, err := toTenantRow(t)
	if err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(&row).Exec(ctx); err != nil {
			return fmt.Errorf("storage: create tenant %s: %w", t.ID, translate(err))
		}
		return appendAudit(ctx, tx, entry)
	})
}

// Get returns one tenant, or ErrNotFound.
func (s *TenantStore) Get(ctx context.Context, id string) (tenants.Tenant, error) {
	var row tenantRow
	if err := s.db.bun.NewSelect().Model(&row).Where("id = ?", id).Scan(ctx); err != nil {
		return tenants.Tenant{}, fmt.Errorf("storage: tenant %s: %w", id, translate(err))
	}
	return row.tenant()
}

// idOrder is the order of tenant IDs: bytewise on both dialects, so that pages
// are the same whatever PostgreSQL's collation.
func (s *TenantStore) idOrder() string {
	if s.db.dialect == Postgres {
		return `id COLLATE "C"`
	}
	return "id"
}

// List implements tenants.Store: tenants in bytewise ID order, after after.
func (s *TenantStore) List(ctx context.Context, after string, limit int) ([]tenants.Tenant, error) {
	if limit <= 0 {
		return []tenants.Tenant{}, nil
	}
	var rows []tenantRow
	q := s.db.bun.NewSelect().Model(&rows).OrderExpr(s.idOrder()).Limit(int64(limit))
	if after != "" {
		q = q.Where("? > ?", bun.Safe(s.idOrder()), after)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("storage: list tenants: %w", translate(err))
	}
	out := make([]tenants.Tenant, 0, len(rows))
	for _, r := range rows {
		t, err := r.tenant()
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// Update implements tenants.Store. The row is locked (FOR UPDATE on PostgreSQL;
// SQLite transactions take the write lock at BEGIN) and the write is guarded by
// the version read, so concurrent updates serialize and a stale one fails.
func (s *TenantStore) Update(ctx context.Context, id string, change func(*tenants.Tenant) (audit.Entry, error)) (tenants.Tenant, error) {
	var out tenants.Tenant
	err := s.db.inTx(ctx, func(tx bun.Tx) error {
		var row tenantRow
		if err := s.db.forUpdate(tx.NewSelect().Model(&row).Where("id = ?", id)).Scan(ctx); err != nil {
			return fmt.Errorf("storage: tenant %s: %w", id, translate(err))
		}
		cur, err := row.tenant()
		if err != nil {
			return err
		}
		next, err := row.tenant() // a second copy: change may not touch cur
		if err != nil {
			return err
		}
		entry, err := change(&next)
		if err != nil {
			return err
		}
		if len(entry.Changed) == 0 {
			out = cur
			return nil
		}
		if next.ID != cur.ID {
			return fmt.Errorf("storage: tenant %s: the ID cannot change: %w", id, clientele.ErrInvalid)
		}
		if next.Preset != cur.Preset {
			return fmt.Errorf("storage: tenant %s: the preset cannot change: %w", id, clientele.ErrPrecondition)
		}
		if err := next.Validate(); err != nil {
			return fmt.Errorf("storage: update tenant %s: %w", id, err)
		}
		if entry.At.IsZero() {
			entry.At = time.Now()
		}
		// The entry records a change to this tenant, in this tenant's log.
		entry.TenantID, entry.EntityType, entry.EntityID = id, tenants.AuditEntity, id
		next.Version, next.CreatedAt, next.UpdatedAt = cur.Version+1, cur.CreatedAt, entry.At.UTC().Truncate(time.Microsecond)
		nrow, err := toTenantRow(next)
		if err != nil {
			return err
		}
		res, err := tx.NewUpdate().Model(&nrow).
			Column("name", "apps", "client_portal", "settings", "version", "updated_at").
			Where("id = ?", id).Where("version = ?", cur.Version).Exec(ctx)
		if err != nil {
			return fmt.Errorf("storage: update tenant %s: %w", id, translate(err))
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return fmt.Errorf("storage: update tenant %s: changed concurrently: %w", id, clientele.ErrConflict)
		}
		if err := appendAudit(ctx, tx, entry); err != nil {
			return fmt.Errorf("storage: update tenant %s: audit: %w", id, err)
		}
		out = next
		return nil
	})
	if err != nil {
		return tenants.Tenant{}, err
	}
	return out, nil
}

// AdminLevel implements tenants.Store from the users table: an active node
// operator or originator admin of tenantID.
func (s *TenantStore) AdminLevel(ctx context.Context, tenantID, userID string) (tenants.AdminLevel, error) {
	var typ, state string
	err := s.db.bun.NewSelect().Table("users").Column("type", "state").
		Where("tenant_id = ?", tenantID).Where("id = ?", userID).Scan(ctx, &typ, &state)
	if err != nil {
		err = translate(err)
		if clientele.Kind(err) == clientele.ErrNotFound {
			return tenants.NotAdmin, nil
		}
		return tenants.NotAdmin, fmt.Errorf("storage: user %s: %w", userID, err)
	}
	if users.State(state) != users.Active {
		return tenants.NotAdmin, nil
	}
	switch users.Type(typ) {
	case users.NodeOperator:
		return tenants.NodeOperator, nil
	case users.OriginatorAdmin:
		return tenants.TenantAdmin, nil
	}
	return tenants.NotAdmin, nil
}

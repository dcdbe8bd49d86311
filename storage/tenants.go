package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/clientele-go/clientele/tenants"
)

// TenantStore keeps the tenants of a deployment.
type TenantStore struct{ db *DB }

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
	CreatedAt    time.Time `bun:"created_at"`
}

// Create stores a new tenant; an existing ID fails with ErrConflict.
func (s *TenantStore) Create(ctx context.Context, t tenants.Tenant) error {
	if err := t.Validate(); err != nil {
		return fmt.Errorf("storage: create tenant: %w", err)
	}
	apps, err := json.Marshal(t.Apps)
	if err != nil {
		return err
	}
	settings, err := json.Marshal(t.Settings)
	if err != nil {
		return err
	}
	row := tenantRow{ID: t.ID, Name: t.Name, Preset: t.Preset, Apps: string(apps), ClientPortal: t.ClientPortal, Settings: string(settings), CreatedAt: t.CreatedAt.UTC()}
	err = s.db.inTx(ctx, func(tx bun.Tx) error {
		_, err := tx.NewInsert().Model(&row).Exec(ctx)
		return err
	})
	if err != nil {
		return fmt.Errorf("storage: create tenant %s: %w", t.ID, translate(err))
	}
	return nil
}

// Get returns one tenant, or ErrNotFound.
func (s *TenantStore) Get(ctx context.Context, id string) (tenants.Tenant, error) {
	var row tenantRow
	if err := s.db.bun.NewSelect().Model(&row).Where("id = ?", id).Scan(ctx); err != nil {
		return tenants.Tenant{}, fmt.Errorf("storage: tenant %s: %w", id, translate(err))
	}
	t := tenants.Tenant{ID: row.ID, Name: row.Name, Preset: row.Preset, ClientPortal: row.ClientPortal, CreatedAt: row.CreatedAt.UTC()}
	if err := json.Unmarshal([]byte(row.Apps), &t.Apps); err != nil {
		return tenants.Tenant{}, err
	}
	if err := json.Unmarshal([]byte(row.Settings), &t.Settings); err != nil {
		return tenants.Tenant{}, err
	}
	return t, nil
}

package storage

import (
	"context"
	"encoding/json"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/clientele-go/clientele/audit"
)

type auditRow struct {
	bun.BaseModel `bun:"table:audit_log"`

	ID         string    `bun:"id,pk"`
	TenantID   string    `bun:"tenant_id"`
	Actor      string    `bun:"actor"`
	Operation  string    `bun:"operation"`
	EntityType string    `bun:"entity_type"`
	EntityID   string    `bun:"entity_id"`
	Changed    string    `bun:"changed"`
	Before     *string   `bun:"values_before"`
	After      *string   `bun:"values_after"`
	At         time.Time `bun:"at"`
}

// appendAudit writes e within tx, so the entry exists exactly when the change does.
func appendAudit(ctx context.Context, tx bun.IDB, e audit.Entry) error {
	row, err := newAuditRow(e)
	if err != nil {
		return err
	}
	_, err = tx.NewInsert().Model(&row).Exec(ctx)
	return translate(err)
}

// newAuditRow is the row of e, with a new ID.
func newAuditRow(e audit.Entry) (auditRow, error) {
	id, err := uuid.NewV7()
	if err != nil {
		return auditRow{}, err
	}
	changed := e.Changed
	if changed == nil {
		changed = []string{}
	}
	raw, err := json.Marshal(changed)
	if err != nil {
		return auditRow{}, err
	}
	return auditRow{
		ID: id.String(), TenantID: e.TenantID, Actor: e.Actor, Operation: e.Operation,
		EntityType: e.EntityType, EntityID: e.EntityID, Changed: string(raw), At: e.At.UTC(),
		Before: jsonOrNull(e.Before), After: jsonOrNull(e.After),
	}, nil
}

// jsonOrNull stores an empty value as SQL NULL.
func jsonOrNull(v json.RawMessage) *string {
	if len(v) == 0 {
		return nil
	}
	s := string(v)
	return &s
}

// AuditLog returns the audit entries of one entity, oldest first, at most limit
// (capped at 1000).
func (db *DB) AuditLog(ctx context.Context, tenantID, entityType, entityID string, limit int) ([]audit.Entry, error) {
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	var rows []auditRow
	err := db.bun.NewSelect().Model(&rows).
		Where("tenant_id = ?", tenantID).Where("entity_type = ?", entityType).Where("entity_id = ?", entityID).
		Order("id ASC").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, translate(err)
	}
	out := make([]audit.Entry, len(rows))
	for i, r := range rows {
		out[i] = audit.Entry{
			ID: r.ID, TenantID: r.TenantID, Actor: r.Actor, Operation: r.Operation,
			EntityType: r.EntityType, EntityID: r.EntityID, At: r.At.UTC(),
		}
		if err := json.Unmarshal([]byte(r.Changed), &out[i].Changed); err != nil {
			return nil, err
		}
		if r.Before != nil {
			out[i].Before = json.RawMessage(*r.Before)
		}
		if r.After != nil {
			out[i].After = json.RawMessage(*r.After)
		}
	}
	return out, nil
}

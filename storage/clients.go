package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/associates"
	"github.com/clientele-go/clientele/audit"
	"github.com/clientele-go/clientele/clients"
	"github.com/clientele-go/clientele/idempotency"
	"github.com/clientele-go/clientele/outbox"
	"github.com/clientele-go/clientele/users"
)

// ClientStore implements clients.Store.
type ClientStore struct{ db *DB }

var (
	_ clients.Store             = (*ClientStore)(nil)
	_ clients.VerificationStore = (*ClientStore)(nil)
	_ users.ClientChecker       = (*ClientStore)(nil)
)

// Clients returns the store of the clients package.
func (db *DB) Clients() *ClientStore { return &ClientStore{db: db} }

type clientRow struct {
	bun.BaseModel `bun:"table:clients"`

	ID               string    `bun:"id,pk"`
	TenantID         string    `bun:"tenant_id"`
	Reference        string    `bun:"reference"`
	Type             string    `bun:"type"`
	State            string    `bun:"state"`
	KYCStatus        string    `bun:"kyc_status"`
	OfficeID         string    `bun:"office_id"`
	StaffAssociateID string    `bun:"staff_associate_id"`
	Email            string    `bun:"email"`
	Phone            string    `bun:"phone"`
	DisplayName      string    `bun:"display_name"`
	NameSearch       string    `bun:"name_search"`
	Profile          string    `bun:"profile"`
	Archive          *string   `bun:"archive"`
	Verification     string    `bun:"verification"`
	Version          int64     `bun:"version"`
	CreatedAt        time.Time `bun:"created_at"`
	UpdatedAt        time.Time `bun:"updated_at"`
}

func toClientRow(c clients.Client) (clientRow, error) {
	profile, err := json.Marshal(c.Profile)
	if err != nil {
		return clientRow{}, err
	}
	var archive *string
	if c.Archive != nil {
		b, err := json.Marshal(c.Archive)
		if err != nil {
			return clientRow{}, err
		}
		a := string(b)
		archive = &a
	}
	verification, err := json.Marshal(c.Verification)
	if err != nil {
		return clientRow{}, err
	}
	return clientRow{
		Archive: archive, Verification: string(verification),
		ID: c.ID, TenantID: c.TenantID, Reference: c.Reference, Type: string(c.Type),
		State: string(c.State), KYCStatus: string(c.KYCStatus), OfficeID: c.OfficeID,
		StaffAssociateID: c.StaffAssociateID, Email: strings.ToLower(c.Contact.Email), Phone: c.Contact.Phone,
		DisplayName: c.DisplayName, NameSearch: foldName(c.DisplayName), Profile: string(profile),
		Version: c.Version, CreatedAt: c.CreatedAt.UTC(), UpdatedAt: c.UpdatedAt.UTC(),
	}, nil
}

func (r clientRow) client() (clients.Client, error) {
	c := clients.Client{
		ID: r.ID, TenantID: r.TenantID, Reference: r.Reference, Type: clients.Type(r.Type),
		State: clients.State(r.State), KYCStatus: clients.KYCStatus(r.KYCStatus),
		DisplayName: r.DisplayName, Version: r.Version,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
	}
	if err := json.Unmarshal([]byte(r.Profile), &c.Profile); err != nil {
		return clients.Client{}, fmt.Errorf("storage: client %s: corrupt profile: %w", r.ID, err)
	}
	if r.Archive != nil {
		c.Archive = &clients.ArchiveState{}
		if err := json.Unmarshal([]byte(*r.Archive), c.Archive); err != nil {
			return clients.Client{}, fmt.Errorf("storage: client %s: corrupt archive state: %w", r.ID, err)
		}
		c.Archive.StartedAt = c.Archive.StartedAt.UTC()
		if c.Archive.CompletedAt != nil {
			t := c.Archive.CompletedAt.UTC()
			c.Archive.CompletedAt = &t
		}
	}
	if r.Verification != "" {
		if err := json.Unmarshal([]byte(r.Verification), &c.Verification); err != nil {
			return clients.Client{}, fmt.Errorf("storage: client %s: corrupt verification: %w", r.ID, err)
		}
	}
	return c, nil
}

// foldName is the form name search compares: lower case, single spaces.
func foldName(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(s)), " ")
}

// Create implements clients.Store.
func (s *ClientStore) Create(ctx context.Context, c clients.Client, idem idempotency.Key, ch clients.Change) (clients.Client, bool, error) {
	entry := ch.Audit
	row, err := toClientRow(c)
	if err != nil {
		return clients.Client{}, false, err
	}
	err = s.db.inTx(ctx, func(tx bun.Tx) error {
		if idem.Value != "" {
			if err := s.db.claimKey(ctx, tx, c.TenantID, idem, answerInProgress); err != nil {
				return err
			}
		}
		if _, err := tx.NewInsert().Model(&row).Exec(ctx); err != nil {
			if uniqueViolation(err) != "" {
				return &clients.ConflictError{Field: "reference", Value: c.Reference}
			}
			return translate(err)
		}
		if idem.Value != "" {
			if err := s.db.recordKey(ctx, tx, c.TenantID, idem, c.ID); err != nil {
				return err
			}
		}
		for _, associateID := range ch.LinkTo {
			id, err := uuid.NewV7()
			if err != nil {
				return fmt.Errorf("storage: link new client: %w", clientele.ErrUnavailable)
			}
			link := linkRow{TenantID: c.TenantID, ID: id.String(), AssociateID: associateID, EntityKind: string(associates.EntityClient),
				EntityID: c.ID, CreatedAt: c.CreatedAt.UTC()}
			if _, err := tx.NewInsert().Model(&link).Exec(ctx); err != nil {
				return fmt.Errorf("storage: link new client to associate %s: %w", associateID, translate(err))
			}
		}
		if err := appendAudit(ctx, tx, entry); err != nil {
			return err
		}
		return s.db.enqueue(ctx, tx, c.CreatedAt, ch.Effects)
	})
	var replay *keyReplay
	if errors.As(err, &replay) {
		got, err := s.byID(ctx, c.TenantID, replay.result)
		if err == nil {
			err = s.withSync(ctx, &got)
		}
		return got, err == nil, err
	}
	if err != nil {
		return clients.Client{}, false, err
	}
	// Return what was stored, sharing no memory with the caller's input.
	saved, err := row.client()
	if err == nil {
		err = s.withSync(ctx, &saved)
	}
	return saved, false, err
}

// withSync fills in c.Sync from the outbox's records, and shows a pending
// onboarding check whose effect is parked as an error (with the effect's last
// error).
func (s *ClientStore) withSync(ctx context.Context, c *clients.Client) error {
	st, err := s.db.Effects().State(ctx, c.TenantID, outbox.Entity{Kind: clients.EntityKind, ID: c.ID})
	if err != nil {
		return err
	}
	c.Sync = st
	return s.withParkedChecks(ctx, c)
}

// withParkedChecks marks as errors the pending checks of c's current round
// whose effects are parked. One indexed query on the effects' keys.
func (s *ClientStore) withParkedChecks(ctx context.Context, c *clients.Client) error {
	v := &c.Verification
	if v.Round < 1 {
		return nil
	}
	keys := map[string]clients.Check{}
	for _, ch := range clients.Checks() {
		if v.Result(ch).Status == clients.CheckPending {
			keys[clients.VerificationEffectKey(c.ID, ch, v.Round)] = ch
		}
	}
	if len(keys) == 0 {
		return nil
	}
	list := make([]string, 0, len(keys))
	for k := range keys {
		list = append(list, k)
	}
	var rows []effectRow
	err := s.db.bun.NewSelect().Model(&rows).Column("idem_key", "last_error", "updated_at").
		Where("tenant_id = ?", c.TenantID).Where("idem_key IN (?)", bun.In(list)).
		Where("status = ?", string(outbox.Parked)).Scan(ctx)
	if err != nil {
		return fmt.Errorf("storage: client %s: check effects: %w", c.ID, translate(err))
	}
	for _, r := range rows {
		at := r.UpdatedAt.UTC()
		v.Set(keys[r.Key], clients.CheckResult{Status: clients.CheckError,
			Reason: "could not be completed: " + r.LastError, CheckedAt: &at})
	}
	return nil
}

// RecordCheck implements clients.VerificationStore: in one transaction, with
// the client's row locked, it writes result only while round is current and
// the check pending, with entry. The client's version is not changed.
func (s *ClientStore) RecordCheck(ctx context.Context, tenantID, clientID string, ch clients.Check, round int, result clients.CheckResult, entry audit.Entry) (bool, error) {
	recorded := false
	err := s.db.inTx(ctx, func(tx bun.Tx) error {
		var row clientRow
		q := tx.NewSelect().Model(&row).Where("tenant_id = ?", tenantID).Where("id = ?", clientID)
		if err := s.db.forUpdate(q).Scan(ctx); err != nil {
			return fmt.Errorf("client %s: %w", clientID, translate(err))
		}
		c, err := row.client()
		if err != nil {
			return err
		}
		if c.Verification.Round != round || c.Verification.Result(ch).Status != clients.CheckPending {
			return nil
		}
		c.Verification.Set(ch, result)
		raw, err := json.Marshal(c.Verification)
		if err != nil {
			return err
		}
		if _, err := tx.NewUpdate().Table("clients").Set("verification = ?", string(raw)).
			Where("tenant_id = ?", tenantID).Where("id = ?", clientID).Exec(ctx); err != nil {
			return translate(err)
		}
		recorded = true
		return appendAudit(ctx, tx, entry)
	})
	return recorded, err
}

// GetByID implements clients.Store.
func (s *ClientStore) GetByID(ctx context.Context, tenantID, id string) (clients.Client, error) {
	c, err := s.byID(ctx, tenantID, id)
	if err != nil {
		return clients.Client{}, fmt.Errorf("client %s: %w", id, err)
	}
	return c, nil
}

func (s *ClientStore) byID(ctx context.Context, tenantID, id string) (clients.Client, error) {
	var row clientRow
	err := s.db.bun.NewSelect().Model(&row).Where("tenant_id = ?", tenantID).Where("id = ?", id).Scan(ctx)
	if err != nil {
		return clients.Client{}, translate(err)
	}
	return row.client()
}

// clientTable is the SQL name of the clients table in a query on clientRow.
const clientTable = `"client_row"`

// Get implements clients.Store.
func (s *ClientStore) Get(ctx context.Context, tenantID, reference string, sc clients.Scope) (clients.Client, error) {
	var row clientRow
	q := s.db.bun.NewSelect().Model(&row).Where("client_row.tenant_id = ?", tenantID).Where("client_row.reference = ?", reference)
	err := whereScope(q, clientTable, tenantID, sc, formProbe).Scan(ctx)
	if err != nil {
		return clients.Client{}, fmt.Errorf("client %s: %w", reference, translate(err))
	}
	c, err := row.client()
	if err == nil {
		err = s.withSync(ctx, &c)
	}
	return c, err
}

// Update implements clients.Store. The scope is part of the statement that
// locks the row.
func (s *ClientStore) Update(ctx context.Context, tenantID, reference string, sc clients.Scope, fn func(*clients.Client) (clients.Change, error)) (clients.Client, error) {
	var out clients.Client
	err := s.db.inTx(ctx, func(tx bun.Tx) error {
		var row clientRow
		q := tx.NewSelect().Model(&row).Where("client_row.tenant_id = ?", tenantID).Where("client_row.reference = ?", reference)
		q = whereScope(q, clientTable, tenantID, sc, formProbe)
		if err := s.db.forUpdate(q).Scan(ctx); err != nil {
			return fmt.Errorf("client %s: %w", reference, translate(err))
		}
		c, err := row.client()
		if err != nil {
			return err
		}
		ch, err := fn(&c)
		if err != nil {
			return err
		}
		// The row is locked (PostgreSQL) or the database is (SQLite), but the
		// version guard keeps the write correct even without the lock.
		c.ID, c.TenantID, c.Reference = row.ID, row.TenantID, row.Reference
		c.Version = row.Version + 1
		next, err := toClientRow(c)
		if err != nil {
			return err
		}
		res, err := tx.NewUpdate().Model(&next).WherePK().Where("version = ?", row.Version).Exec(ctx)
		if err != nil {
			return translate(err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("client %s changed while being updated: %w", reference, clientele.ErrConflict)
		}
		if out, err = next.client(); err != nil {
			return err
		}
		if err := appendAudit(ctx, tx, ch.Audit); err != nil {
			return err
		}
		if err := s.db.enqueue(ctx, tx, c.UpdatedAt, ch.Effects); err != nil {
			return err
		}
		for _, key := range ch.Resume {
			if err := s.db.rearm(ctx, tx, tenantID, key, c.UpdatedAt); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		err = s.withSync(ctx, &out)
	}
	return out, err
}

// ClientExists implements users.ClientChecker: whether the tenant has a client
// with this ID that is neither archived nor being archived. One indexed look-up.
func (s *ClientStore) ClientExists(ctx context.Context, tenantID, clientID string) (bool, error) {
	n, err := s.db.bun.NewSelect().Table("clients").
		Where("tenant_id = ?", tenantID).Where("id = ?", clientID).
		Where("state NOT IN (?)", bun.In([]string{string(clients.Archived), string(clients.Archiving)})).
		Count(ctx)
	if err != nil {
		return false, translate(err)
	}
	return n > 0, nil
}

package storage

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/adapters"
	"github.com/clientele-go/clientele/clients"
)

var _ clients.DeviceStore = (*ClientStore)(nil)

type deviceStateRow struct {
	bun.BaseModel `bun:"table:client_device_states"`

	TenantID    string    `bun:"tenant_id,pk"`
	DeviceID    string    `bun:"device_id,pk"`
	ClientID    string    `bun:"client_id"`
	LockState   string    `bun:"lock_state"`
	ActiveState string    `bun:"active_state"`
	Version     int64     `bun:"version"`
	UpdatedAt   time.Time `bun:"updated_at"`
}

// The stored forms of a requested lock and activation state.
const (
	stateLocked   = "locked"
	stateUnlocked = "unlocked"
	stateActive   = "active"
	stateInactive = "inactive"
)

func boolState(b *bool, yes, no string) string {
	switch {
	case b == nil:
		return ""
	case *b:
		return yes
	}
	return no
}

func stateBool(s, yes string) *bool {
	if s == "" {
		return nil
	}
	b := s == yes
	return &b
}

func (r deviceStateRow) state() clients.DeviceState {
	return clients.DeviceState{
		TenantID: r.TenantID, DeviceID: r.DeviceID, ClientID: r.ClientID,
		Locked: stateBool(r.LockState, stateLocked), Active: stateBool(r.ActiveState, stateActive),
		Version: r.Version, UpdatedAt: r.UpdatedAt.UTC(),
	}
}

type clientTransferRow struct {
	bun.BaseModel `bun:"table:client_device_transfers"`

	ID            string     `bun:"id,pk"`
	TenantID      string     `bun:"tenant_id"`
	DeviceID      string     `bun:"device_id"`
	FromClientID  string     `bun:"from_client_id"`
	FromReference string     `bun:"from_reference"`
	ToClientID    string     `bun:"to_client_id"`
	ToReference   string     `bun:"to_reference"`
	TokenHash     string     `bun:"token_hash"`
	Status        string     `bun:"status"`
	Attempts      int        `bun:"attempts"`
	ExpiresAt     time.Time  `bun:"expires_at"`
	CreatedBy     string     `bun:"created_by"`
	CreatedAt     time.Time  `bun:"created_at"`
	ConfirmedAt   *time.Time `bun:"confirmed_at"`
}

func (r clientTransferRow) transfer() clients.DeviceTransfer {
	t := clients.DeviceTransfer{
		ID: r.ID, TenantID: r.TenantID, DeviceID: r.DeviceID,
		FromClientID: r.FromClientID, FromReference: r.FromReference, ToClientID: r.ToClientID, ToReference: r.ToReference,
		Status: adapters.TransferStatus(r.Status), Attempts: r.Attempts, ExpiresAt: r.ExpiresAt.UTC(),
		CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC(),
	}
	if r.ConfirmedAt != nil {
		at := r.ConfirmedAt.UTC()
		t.ConfirmedAt = &at
	}
	return t
}

// writeChange appends ch's audit entry and enqueues its effects in tx.
func (s *ClientStore) writeChange(ctx context.Context, tx bun.Tx, at time.Time, ch clients.Change) error {
	if err := appendAudit(ctx, tx, ch.Audit); err != nil {
		return err
	}
	return s.db.enqueue(ctx, tx, at, ch.Effects)
}

// ChangeDeviceState implements clients.DeviceStore. Two first requests for
// one device at once collide on the primary key; the loser runs again.
func (s *ClientStore) ChangeDeviceState(ctx context.Context, tenantID, deviceID string, fn func(*clients.DeviceState) (clients.Change, error)) (clients.DeviceState, error) {
	var out clients.DeviceState
	var err error
	for range maxTxAttempts {
		err = s.db.inTx(ctx, func(tx bun.Tx) error {
			var row deviceStateRow
			err := s.db.forUpdate(tx.NewSelect().Model(&row).Where("tenant_id = ?", tenantID).Where("device_id = ?", deviceID)).Scan(ctx)
			exists := err == nil
			if err != nil && !errors.Is(translate(err), clientele.ErrNotFound) {
				return translate(err)
			}
			st := row.state()
			st.TenantID, st.DeviceID = tenantID, deviceID
			st.Version++
			ch, err := fn(&st)
			if err != nil {
				return err
			}
			next := deviceStateRow{
				TenantID: tenantID, DeviceID: deviceID, ClientID: st.ClientID,
				LockState:   boolState(st.Locked, stateLocked, stateUnlocked),
				ActiveState: boolState(st.Active, stateActive, stateInactive),
				Version:     st.Version, UpdatedAt: st.UpdatedAt.UTC(),
			}
			if exists {
				res, err := tx.NewUpdate().Model(&next).WherePK().Where("version = ?", row.Version).Exec(ctx)
				if err != nil {
					return translate(err)
				}
				if n, _ := res.RowsAffected(); n != 1 {
					return fmt.Errorf("device %s changed while being updated: %w", deviceID, clientele.ErrConflict)
				}
			} else if _, err := tx.NewInsert().Model(&next).Exec(ctx); err != nil {
				return err // a concurrent first request: run again
			}
			out = next.state()
			return s.writeChange(ctx, tx, st.UpdatedAt, ch)
		})
		if err == nil || uniqueViolation(err) == "" {
			break
		}
	}
	if err != nil {
		return clients.DeviceState{}, translate(err)
	}
	return out, nil
}

// DeviceState implements clients.DeviceStore.
func (s *ClientStore) DeviceState(ctx context.Context, tenantID, deviceID string) (clients.DeviceState, error) {
	var row deviceStateRow
	err := s.db.bun.NewSelect().Model(&row).Where("tenant_id = ?", tenantID).Where("device_id = ?", deviceID).Scan(ctx)
	if err != nil {
		return clients.DeviceState{}, fmt.Errorf("device %s state: %w", deviceID, translate(err))
	}
	return row.state(), nil
}

// CreateTransfer implements clients.DeviceStore.
func (s *ClientStore) CreateTransfer(ctx context.Context, t clients.DeviceTransfer, ch clients.Change) error {
	row := clientTransferRow{
		ID: t.ID, TenantID: t.TenantID, DeviceID: t.DeviceID,
		FromClientID: t.FromClientID, FromReference: t.FromReference, ToClientID: t.ToClientID, ToReference: t.ToReference,
		Status: string(adapters.TransferPending), ExpiresAt: t.ExpiresAt.UTC(), CreatedBy: t.CreatedBy, CreatedAt: t.CreatedAt.UTC(),
	}
	return translate(s.db.inTx(ctx, func(tx bun.Tx) error {
		if _, err := tx.NewUpdate().Model((*clientTransferRow)(nil)).Set("status = ?", string(adapters.TransferCancelled)).
			Where("tenant_id = ?", t.TenantID).Where("device_id = ?", t.DeviceID).
			Where("status = ?", string(adapters.TransferPending)).Exec(ctx); err != nil {
			return err
		}
		if _, err := tx.NewInsert().Model(&row).Exec(ctx); err != nil {
			return err
		}
		return s.writeChange(ctx, tx, t.CreatedAt, ch)
	}))
}

// Transfer implements clients.DeviceStore.
func (s *ClientStore) Transfer(ctx context.Context, tenantID, id string) (clients.DeviceTransfer, error) {
	var row clientTransferRow
	err := s.db.bun.NewSelect().Model(&row).Where("tenant_id = ?", tenantID).Where("id = ?", id).Scan(ctx)
	if err != nil {
		return clients.DeviceTransfer{}, fmt.Errorf("device transfer %s: %w", id, translate(err))
	}
	return row.transfer(), nil
}

// SetTransferToken implements clients.DeviceStore with one conditional
// UPDATE.
func (s *ClientStore) SetTransferToken(ctx context.Context, tenantID, id, digest string, now time.Time) error {
	res, err := s.db.bun.NewUpdate().Model((*clientTransferRow)(nil)).Set("token_hash = ?", digest).
		Where("tenant_id = ?", tenantID).Where("id = ?", id).
		Where("status = ?", string(adapters.TransferPending)).Where("expires_at > ?", now.UTC()).Exec(ctx)
	if err != nil {
		return translate(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("device transfer %s is no longer pending: %w", id, clientele.ErrPrecondition)
	}
	return nil
}

// ReserveTransferAttempt implements clients.DeviceStore with one conditional
// UPDATE … RETURNING: the attempts go up by one only while they are below
// limit and the transfer is pending, sent and unexpired. On PostgreSQL a
// concurrent UPDATE of the row waits for the first to commit and re-checks the
// conditions against the new count; on SQLite the statement runs under the
// database's write lock. Either way the count never passes limit.
func (s *ClientStore) ReserveTransferAttempt(ctx context.Context, tenantID, id string, limit int, now time.Time) (string, error) {
	var row clientTransferRow
	err := s.db.bun.NewUpdate().Model(&row).Set("attempts = attempts + 1").
		Where("tenant_id = ?", tenantID).Where("id = ?", id).
		Where("status = ?", string(adapters.TransferPending)).Where("token_hash <> ''").
		Where("attempts < ?", limit).Where("expires_at > ?", now.UTC()).
		Returning("token_hash").Scan(ctx)
	if err != nil {
		return "", fmt.Errorf("device transfer %s: %w", id, translate(err))
	}
	return row.TokenHash, nil
}

// ConfirmTransfer implements clients.DeviceStore.
func (s *ClientStore) ConfirmTransfer(ctx context.Context, tenantID, id string, now time.Time, ch clients.Change) (clients.DeviceTransfer, error) {
	var out clients.DeviceTransfer
	err := s.db.inTx(ctx, func(tx bun.Tx) error {
		var row clientTransferRow
		err := tx.NewUpdate().Model(&row).
			Set("status = ?", string(adapters.TransferConfirmed)).Set("confirmed_at = ?", now.UTC()).
			Where("tenant_id = ?", tenantID).Where("id = ?", id).
			Where("status = ?", string(adapters.TransferPending)).Where("expires_at > ?", now.UTC()).
			Returning("*").Scan(ctx)
		if errors.Is(translate(err), clientele.ErrNotFound) {
			return fmt.Errorf("device transfer %s is no longer pending: %w", id, clientele.ErrPrecondition)
		}
		if err != nil {
			return translate(err)
		}
		out = row.transfer()
		return s.writeChange(ctx, tx, now, ch)
	})
	return out, err
}

// RecordDeviceChange implements clients.DeviceStore.
func (s *ClientStore) RecordDeviceChange(ctx context.Context, ch clients.Change) error {
	return translate(s.db.inTx(ctx, func(tx bun.Tx) error { return s.writeChange(ctx, tx, ch.Audit.At, ch) }))
}

package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/adapters"
	"github.com/clientele-go/clientele/idempotency"
)

// PersistenceStore implements adapters.Persistence (devices, device transfers,
// member favourites and settings) on the library's database, so an institution
// without a persistence worker of its own keeps these next to its clients. It
// passes the adapters/adaptertest Persistence suite on SQLite and PostgreSQL.
type PersistenceStore struct {
	db  *DB
	now func() time.Time
}

var _ adapters.Persistence = (*PersistenceStore)(nil)

// Persistence returns the store implementing adapters.Persistence.
func (db *DB) Persistence() *PersistenceStore { return &PersistenceStore{db: db, now: time.Now} }

type deviceRow struct {
	bun.BaseModel `bun:"table:devices"`

	ID           string     `bun:"id,pk"`
	TenantID     string     `bun:"tenant_id"`
	ClientID     string     `bun:"client_id"`
	Name         string     `bun:"name"`
	Platform     string     `bun:"platform"`
	Fingerprint  string     `bun:"fingerprint"`
	Status       string     `bun:"status"`
	Locked       bool       `bun:"locked"`
	PINHash      string     `bun:"pin_hash"`
	PINResetAt   *time.Time `bun:"pin_reset_at"`
	RegisteredAt time.Time  `bun:"registered_at"`
	UpdatedAt    time.Time  `bun:"updated_at"`
}

func (r deviceRow) device() adapters.Device {
	d := adapters.Device{
		ID: r.ID, TenantID: r.TenantID, ClientID: r.ClientID, Name: r.Name, Platform: r.Platform,
		Fingerprint: r.Fingerprint, Status: adapters.DeviceStatus(r.Status), Locked: r.Locked,
		RegisteredAt: r.RegisteredAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
	}
	if r.PINResetAt != nil {
		t := r.PINResetAt.UTC()
		d.PINResetAt = &t
	}
	return d
}

type deviceTransferRow struct {
	bun.BaseModel `bun:"table:device_transfers"`

	ID           string    `bun:"id,pk"`
	TenantID     string    `bun:"tenant_id"`
	DeviceID     string    `bun:"device_id"`
	FromClientID string    `bun:"from_client_id"`
	ToClientID   string    `bun:"to_client_id"`
	TokenHash    string    `bun:"token_hash"`
	Status       string    `bun:"status"`
	Attempts     int       `bun:"attempts"`
	ExpiresAt    time.Time `bun:"expires_at"`
	CreatedAt    time.Time `bun:"created_at"`
}

func (r deviceTransferRow) transfer() adapters.DeviceTransfer {
	return adapters.DeviceTransfer{
		ID: r.ID, TenantID: r.TenantID, DeviceID: r.DeviceID, FromClientID: r.FromClientID, ToClientID: r.ToClientID,
		Status: adapters.TransferStatus(r.Status), Attempts: r.Attempts, ExpiresAt: r.ExpiresAt.UTC(), CreatedAt: r.CreatedAt.UTC(),
	}
}

type favoriteRow struct {
	bun.BaseModel `bun:"table:member_favorites"`

	TenantID  string    `bun:"tenant_id,pk"`
	MemberID  string    `bun:"member_id,pk"`
	ClientID  string    `bun:"client_id,pk"`
	UpdatedAt time.Time `bun:"updated_at"`
}

type settingsRow struct {
	bun.BaseModel `bun:"table:member_settings"`

	TenantID  string    `bun:"tenant_id,pk"`
	MemberID  string    `bun:"member_id,pk"`
	Settings  string    `bun:"settings"`
	Version   int64     `bun:"version"`
	UpdatedAt time.Time `bun:"updated_at"`
}

// persistencePrincipal is the principal of the Persistence adapter's
// idempotency keys. Its callers (outbox handlers, an app's own code) act for no
// user, so its keys are scoped to the tenant, this fixed name and the
// operation (the method's name).
const persistencePrincipal = "adapters.Persistence"

// stamp is the store's clock at the precision both engines keep.
func (s *PersistenceStore) stamp() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// committedError is returned by a change function whose partial effect must be
// committed although the call fails (a wrong device transfer token counts).
type committedError struct{ err error }

func (e *committedError) Error() string { return e.err.Error() }
func (e *committedError) Unwrap() error { return e.err }

const maxTxAttempts = 5

// persistChange runs one idempotent change in a transaction, through the one
// idempotency mechanism (claimKey, recordKey): a key recorded less than
// idempotency.TTL ago for the same request returns the stored response, for
// another request ErrConflict; otherwise fn runs and its result is recorded
// under the key. The adapter contract has concurrent duplicates succeed, so a
// duplicate of a change still in flight waits for it (on PostgreSQL, on the
// key's lock; on SQLite, for the write lock) and then replays it. A
// transaction that loses a race on another unique index (two different
// changes starring one client at once) runs again.
func persistChange[T any](ctx context.Context, s *PersistenceStore, tenantID, operation, key string, req any,
	fn func(ctx context.Context, tx bun.Tx, now time.Time) (T, error)) (T, error) {
	var zero T
	hash, err := idempotency.Hash(req)
	if err != nil {
		return zero, fmt.Errorf("storage: %s: %w", operation, err)
	}
	k := idempotency.Key{Principal: persistencePrincipal, Operation: operation, Value: key, RequestHash: hash}
	var out T
	for range maxTxAttempts {
		var failed error
		err = s.db.inTx(ctx, func(tx bun.Tx) error {
			if err := s.db.claimKey(ctx, tx, tenantID, k, waitThenReplay); err != nil {
				return err
			}
			v, err := fn(ctx, tx, s.stamp())
			var ce *committedError
			if errors.As(err, &ce) {
				failed = ce.err
				return nil
			}
			if err != nil {
				return err
			}
			resp, err := json.Marshal(v)
			if err != nil {
				return err
			}
			if err := s.db.recordKey(ctx, tx, tenantID, k, string(resp)); err != nil {
				return err
			}
			out = v
			return nil
		})
		if err == nil && failed != nil {
			return zero, failed
		}
		if err == nil || errors.Is(err, errKeyInProgress) || uniqueViolation(err) == "" {
			break
		}
	}
	var replay *keyReplay
	switch {
	case errors.As(err, &replay):
		if err := json.Unmarshal([]byte(replay.result), &out); err != nil {
			return zero, fmt.Errorf("storage: %s: stored response: %w", operation, err)
		}
		return out, nil
	case errors.Is(err, errKeyReused), errors.Is(err, errKeyInProgress):
		return zero, fmt.Errorf("storage: %s: %w", operation, err)
	case err != nil:
		return zero, translate(err)
	}
	return out, nil
}

func (s *PersistenceStore) lockDevice(ctx context.Context, tx bun.Tx, tenantID, deviceID string) (deviceRow, error) {
	var r deviceRow
	err := s.db.forUpdate(tx.NewSelect().Model(&r).Where("tenant_id = ?", tenantID).Where("id = ?", deviceID)).Scan(ctx)
	if err != nil {
		if errors.Is(translate(err), clientele.ErrNotFound) {
			return r, fmt.Errorf("storage: device %q: %w", deviceID, clientele.ErrNotFound)
		}
		return r, translate(err)
	}
	return r, nil
}

func newUUID() (string, error) {
	id, err := uuid.NewV7()
	if err != nil {
		return "", fmt.Errorf("storage: new id: %w", err)
	}
	return id.String(), nil
}

// RegisterDevice implements adapters.Devices.
func (s *PersistenceStore) RegisterDevice(ctx context.Context, req adapters.RegisterDeviceRequest) (adapters.Device, error) {
	if err := req.Validate(); err != nil {
		return adapters.Device{}, err
	}
	return persistChange(ctx, s, req.TenantID, "RegisterDevice", req.IdempotencyKey, req,
		func(ctx context.Context, tx bun.Tx, now time.Time) (adapters.Device, error) {
			id, err := newUUID()
			if err != nil {
				return adapters.Device{}, err
			}
			r := deviceRow{ID: id, TenantID: req.TenantID, ClientID: req.ClientID, Name: req.Name, Platform: req.Platform,
				Fingerprint: req.Fingerprint, Status: string(adapters.DeviceActive), RegisteredAt: now, UpdatedAt: now}
			if _, err := tx.NewInsert().Model(&r).Exec(ctx); err != nil {
				return adapters.Device{}, err
			}
			return r.device(), nil
		})
}

// ListDevices implements adapters.Devices.
func (s *PersistenceStore) ListDevices(ctx context.Context, tenantID, clientID string) ([]adapters.Device, error) {
	if err := adapters.ValidateTenant(tenantID, adapters.NamedID{Field: "clientId", Value: clientID}); err != nil {
		return nil, err
	}
	var rows []deviceRow
	if err := s.db.bun.NewSelect().Model(&rows).Where("tenant_id = ?", tenantID).Where("client_id = ?", clientID).
		Order("registered_at", "id").Scan(ctx); err != nil {
		return nil, translate(err)
	}
	out := make([]adapters.Device, len(rows))
	for i, r := range rows {
		out[i] = r.device()
	}
	return out, nil
}

// GetDevice implements adapters.Devices.
func (s *PersistenceStore) GetDevice(ctx context.Context, tenantID, deviceID string) (adapters.Device, error) {
	if err := adapters.ValidateTenant(tenantID, adapters.NamedID{Field: "deviceId", Value: deviceID}); err != nil {
		return adapters.Device{}, err
	}
	var r deviceRow
	if err := s.db.bun.NewSelect().Model(&r).Where("tenant_id = ?", tenantID).Where("id = ?", deviceID).Scan(ctx); err != nil {
		if errors.Is(translate(err), clientele.ErrNotFound) {
			return adapters.Device{}, fmt.Errorf("storage: device %q: %w", deviceID, clientele.ErrNotFound)
		}
		return adapters.Device{}, translate(err)
	}
	return r.device(), nil
}

// changeDevice locks a device, applies change and writes it back.
func (s *PersistenceStore) changeDevice(ctx context.Context, scope, tenantID, deviceID, key string, req any,
	change func(r *deviceRow, now time.Time) error) (adapters.Device, error) {
	return persistChange(ctx, s, tenantID, scope, key, req,
		func(ctx context.Context, tx bun.Tx, now time.Time) (adapters.Device, error) {
			r, err := s.lockDevice(ctx, tx, tenantID, deviceID)
			if err != nil {
				return adapters.Device{}, err
			}
			if err := change(&r, now); err != nil {
				return adapters.Device{}, err
			}
			r.UpdatedAt = now
			if _, err := tx.NewUpdate().Model(&r).WherePK().Exec(ctx); err != nil {
				return adapters.Device{}, err
			}
			return r.device(), nil
		})
}

// SetDeviceLock implements adapters.Devices.
func (s *PersistenceStore) SetDeviceLock(ctx context.Context, req adapters.SetDeviceLockRequest) (adapters.Device, error) {
	if err := req.Validate(); err != nil {
		return adapters.Device{}, err
	}
	return s.changeDevice(ctx, "SetDeviceLock", req.TenantID, req.DeviceID, req.IdempotencyKey, req, func(r *deviceRow, _ time.Time) error {
		r.Locked = req.Locked
		return nil
	})
}

// SetDeviceActive implements adapters.Devices.
func (s *PersistenceStore) SetDeviceActive(ctx context.Context, req adapters.SetDeviceActiveRequest) (adapters.Device, error) {
	if err := req.Validate(); err != nil {
		return adapters.Device{}, err
	}
	return s.changeDevice(ctx, "SetDeviceActive", req.TenantID, req.DeviceID, req.IdempotencyKey, req, func(r *deviceRow, _ time.Time) error {
		r.Status = string(adapters.DeviceInactive)
		if req.Active {
			r.Status = string(adapters.DeviceActive)
		}
		return nil
	})
}

// ResetDevicePIN implements adapters.Devices.
func (s *PersistenceStore) ResetDevicePIN(ctx context.Context, req adapters.ResetDevicePINRequest) (adapters.Device, error) {
	if err := req.Validate(); err != nil {
		return adapters.Device{}, err
	}
	return s.changeDevice(ctx, "ResetDevicePIN", req.TenantID, req.DeviceID, req.IdempotencyKey, req, func(r *deviceRow, now time.Time) error {
		if r.Status != string(adapters.DeviceActive) {
			return fmt.Errorf("storage: reset PIN of device %s: device is %s: %w", r.ID, r.Status, clientele.ErrPrecondition)
		}
		r.PINHash = req.PINHash
		r.PINResetAt = &now
		return nil
	})
}

// InitiateDeviceTransfer implements adapters.Devices.
func (s *PersistenceStore) InitiateDeviceTransfer(ctx context.Context, req adapters.InitiateDeviceTransferRequest) (adapters.DeviceTransfer, error) {
	if err := req.Validate(); err != nil {
		return adapters.DeviceTransfer{}, err
	}
	return persistChange(ctx, s, req.TenantID, "InitiateDeviceTransfer", req.IdempotencyKey, req,
		func(ctx context.Context, tx bun.Tx, now time.Time) (adapters.DeviceTransfer, error) {
			d, err := s.lockDevice(ctx, tx, req.TenantID, req.DeviceID)
			if err != nil {
				return adapters.DeviceTransfer{}, err
			}
			if d.ClientID == req.ToClientID {
				return adapters.DeviceTransfer{}, clientele.NewValidationError("toClientId", "nefield", "the device already belongs to this client")
			}
			if d.Status != string(adapters.DeviceActive) {
				return adapters.DeviceTransfer{}, fmt.Errorf("storage: transfer device %s: device is %s: %w", d.ID, d.Status, clientele.ErrPrecondition)
			}
			if _, err := tx.NewUpdate().Model((*deviceTransferRow)(nil)).Set("status = ?", string(adapters.TransferCancelled)).
				Where("tenant_id = ?", req.TenantID).Where("device_id = ?", d.ID).Where("status = ?", string(adapters.TransferPending)).
				Exec(ctx); err != nil {
				return adapters.DeviceTransfer{}, err
			}
			ttl := req.TTL
			if ttl == 0 {
				ttl = adapters.DefaultTransferTTL
			}
			id, err := newUUID()
			if err != nil {
				return adapters.DeviceTransfer{}, err
			}
			r := deviceTransferRow{ID: id, TenantID: req.TenantID, DeviceID: d.ID, FromClientID: d.ClientID, ToClientID: req.ToClientID,
				TokenHash: req.TokenHash, Status: string(adapters.TransferPending), ExpiresAt: now.Add(ttl), CreatedAt: now}
			if _, err := tx.NewInsert().Model(&r).Exec(ctx); err != nil {
				return adapters.DeviceTransfer{}, err
			}
			return r.transfer(), nil
		})
}

// ConfirmDeviceTransfer implements adapters.Devices.
func (s *PersistenceStore) ConfirmDeviceTransfer(ctx context.Context, req adapters.ConfirmDeviceTransferRequest) (adapters.Device, error) {
	if err := req.Validate(); err != nil {
		return adapters.Device{}, err
	}
	return persistChange(ctx, s, req.TenantID, "ConfirmDeviceTransfer", req.IdempotencyKey, req,
		func(ctx context.Context, tx bun.Tx, now time.Time) (adapters.Device, error) {
			var t deviceTransferRow
			err := s.db.forUpdate(tx.NewSelect().Model(&t).Where("tenant_id = ?", req.TenantID).Where("id = ?", req.TransferID)).Scan(ctx)
			if err != nil {
				if errors.Is(translate(err), clientele.ErrNotFound) {
					return adapters.Device{}, fmt.Errorf("storage: device transfer %q: %w", req.TransferID, clientele.ErrNotFound)
				}
				return adapters.Device{}, err
			}
			switch {
			case t.Status != string(adapters.TransferPending):
				return adapters.Device{}, fmt.Errorf("storage: device transfer %s is %s: %w", t.ID, t.Status, clientele.ErrPrecondition)
			case !now.Before(t.ExpiresAt):
				return adapters.Device{}, fmt.Errorf("storage: device transfer %s expired: %w", t.ID, clientele.ErrPrecondition)
			}
			setTransfer := func(status string, attempts int) error {
				_, err := tx.NewUpdate().Model((*deviceTransferRow)(nil)).Set("status = ?", status).Set("attempts = ?", attempts).
					Where("id = ?", t.ID).Exec(ctx)
				return err
			}
			if !adapters.TokenMatches(t.TokenHash, req.Token) {
				status := t.Status
				if t.Attempts+1 >= adapters.MaxTransferAttempts {
					status = string(adapters.TransferCancelled)
				}
				if err := setTransfer(status, t.Attempts+1); err != nil {
					return adapters.Device{}, err
				}
				return adapters.Device{}, &committedError{fmt.Errorf("storage: device transfer %s: wrong token: %w", t.ID, clientele.ErrForbidden)}
			}
			d, err := s.lockDevice(ctx, tx, req.TenantID, t.DeviceID)
			if err != nil {
				return adapters.Device{}, err
			}
			if d.ClientID != t.FromClientID {
				if err := setTransfer(string(adapters.TransferCancelled), t.Attempts); err != nil {
					return adapters.Device{}, err
				}
				return adapters.Device{}, &committedError{fmt.Errorf("storage: device %s changed hands since the transfer began: %w", d.ID, clientele.ErrPrecondition)}
			}
			d.ClientID, d.UpdatedAt = t.ToClientID, now
			if _, err := tx.NewUpdate().Model(&d).WherePK().Exec(ctx); err != nil {
				return adapters.Device{}, err
			}
			if err := setTransfer(string(adapters.TransferConfirmed), t.Attempts); err != nil {
				return adapters.Device{}, err
			}
			return d.device(), nil
		})
}

// ToggleFavorite implements adapters.Favorites.
func (s *PersistenceStore) ToggleFavorite(ctx context.Context, req adapters.ToggleFavoriteRequest) (adapters.Favorite, error) {
	if err := req.Validate(); err != nil {
		return adapters.Favorite{}, err
	}
	return persistChange(ctx, s, req.TenantID, "ToggleFavorite", req.IdempotencyKey, req,
		func(ctx context.Context, tx bun.Tx, now time.Time) (adapters.Favorite, error) {
			f := adapters.Favorite{TenantID: req.TenantID, MemberID: req.MemberID, ClientID: req.ClientID, UpdatedAt: now}
			var existing favoriteRow
			err := s.db.forUpdate(tx.NewSelect().Model(&existing).Where("tenant_id = ?", req.TenantID).
				Where("member_id = ?", req.MemberID).Where("client_id = ?", req.ClientID)).Scan(ctx)
			switch {
			case err == nil:
				if _, err := tx.NewDelete().Model(&existing).WherePK().Exec(ctx); err != nil {
					return f, err
				}
				return f, nil
			case !errors.Is(translate(err), clientele.ErrNotFound):
				return f, err
			}
			row := favoriteRow{TenantID: req.TenantID, MemberID: req.MemberID, ClientID: req.ClientID, UpdatedAt: now}
			if _, err := tx.NewInsert().Model(&row).Exec(ctx); err != nil {
				return f, err // a concurrent star: the transaction runs again
			}
			f.Starred = true
			return f, nil
		})
}

// ListFavorites implements adapters.Favorites.
func (s *PersistenceStore) ListFavorites(ctx context.Context, tenantID, memberID string) ([]adapters.Favorite, error) {
	if err := adapters.ValidateTenant(tenantID, adapters.NamedID{Field: "memberId", Value: memberID}); err != nil {
		return nil, err
	}
	var rows []favoriteRow
	if err := s.db.bun.NewSelect().Model(&rows).Where("tenant_id = ?", tenantID).Where("member_id = ?", memberID).
		OrderExpr("updated_at DESC, client_id").Scan(ctx); err != nil {
		return nil, translate(err)
	}
	out := make([]adapters.Favorite, len(rows))
	for i, r := range rows {
		out[i] = adapters.Favorite{TenantID: r.TenantID, MemberID: r.MemberID, ClientID: r.ClientID, Starred: true, UpdatedAt: r.UpdatedAt.UTC()}
	}
	return out, nil
}

// GetSettings implements adapters.Settings.
func (s *PersistenceStore) GetSettings(ctx context.Context, tenantID, memberID string) (adapters.MemberSettings, error) {
	if err := adapters.ValidateTenant(tenantID, adapters.NamedID{Field: "memberId", Value: memberID}); err != nil {
		return adapters.MemberSettings{}, err
	}
	var r settingsRow
	err := s.db.bun.NewSelect().Model(&r).Where("tenant_id = ?", tenantID).Where("member_id = ?", memberID).Scan(ctx)
	if err != nil {
		if errors.Is(translate(err), clientele.ErrNotFound) {
			return adapters.MemberSettings{TenantID: tenantID, MemberID: memberID, Values: map[string]string{}}, nil
		}
		return adapters.MemberSettings{}, translate(err)
	}
	return r.settings()
}

func (r settingsRow) settings() (adapters.MemberSettings, error) {
	st := adapters.MemberSettings{TenantID: r.TenantID, MemberID: r.MemberID, Version: r.Version, UpdatedAt: r.UpdatedAt.UTC()}
	if err := json.Unmarshal([]byte(r.Settings), &st.Values); err != nil {
		return adapters.MemberSettings{}, fmt.Errorf("storage: settings of %s: corrupt: %w", r.MemberID, err)
	}
	if st.Values == nil {
		st.Values = map[string]string{}
	}
	return st, nil
}

// PutSettings implements adapters.Settings.
func (s *PersistenceStore) PutSettings(ctx context.Context, req adapters.PutSettingsRequest) (adapters.MemberSettings, error) {
	if err := req.Validate(); err != nil {
		return adapters.MemberSettings{}, err
	}
	return persistChange(ctx, s, req.TenantID, "PutSettings", req.IdempotencyKey, req,
		func(ctx context.Context, tx bun.Tx, now time.Time) (adapters.MemberSettings, error) {
			var cur settingsRow
			err := s.db.forUpdate(tx.NewSelect().Model(&cur).Where("tenant_id = ?", req.TenantID).Where("member_id = ?", req.MemberID)).Scan(ctx)
			exists := err == nil
			if err != nil && !errors.Is(translate(err), clientele.ErrNotFound) {
				return adapters.MemberSettings{}, err
			}
			if cur.Version != req.ExpectedVersion {
				return adapters.MemberSettings{}, fmt.Errorf("storage: settings of %s are at version %d, not %d: %w", req.MemberID, cur.Version, req.ExpectedVersion, clientele.ErrConflict)
			}
			values := req.Values
			if values == nil {
				values = map[string]string{}
			}
			b, err := json.Marshal(values)
			if err != nil {
				return adapters.MemberSettings{}, err
			}
			r := settingsRow{TenantID: req.TenantID, MemberID: req.MemberID, Settings: string(b), Version: req.ExpectedVersion + 1, UpdatedAt: now}
			if exists {
				_, err = tx.NewUpdate().Model(&r).WherePK().Exec(ctx)
			} else {
				_, err = tx.NewInsert().Model(&r).Exec(ctx) // a concurrent first put: the transaction runs again
			}
			if err != nil {
				return adapters.MemberSettings{}, err
			}
			return r.settings()
		})
}

package memory

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/adapters"
)

var _ adapters.Persistence = (*Persistence)(nil)

// Persistence is an in-memory persistence worker: devices, device transfers,
// favourites and member settings.
type Persistence struct {
	cfg       config
	mu        sync.Mutex
	devices   map[string]*adapters.Device // tenant, device
	pins      map[string]string           // tenant, device → PIN hash
	transfers map[string]*deviceTransfer  // tenant, transfer
	favorites map[string]map[string]adapters.Favorite
	settings  map[string]adapters.MemberSettings // tenant, member
	idem      keyLog
}

type deviceTransfer struct {
	adapters.DeviceTransfer
	tokenHash string
}

// NewPersistence returns an empty persistence worker.
func NewPersistence(opts ...Option) *Persistence {
	return &Persistence{
		cfg:       newConfig(opts),
		devices:   map[string]*adapters.Device{},
		pins:      map[string]string{},
		transfers: map[string]*deviceTransfer{},
		favorites: map[string]map[string]adapters.Favorite{},
		settings:  map[string]adapters.MemberSettings{},
	}
}

// Faults returns the fake's fault switch.
func (s *Persistence) Faults() *Faults { return s.cfg.faults }

func cloneDevice(d adapters.Device) adapters.Device { return d.Clone() }

// PINHash returns the PIN hash last stored for a device by ResetDevicePIN.
func (s *Persistence) PINHash(tenantID, deviceID string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	h, ok := s.pins[tk(tenantID, deviceID)]
	return h, ok
}

// RegisterDevice implements adapters.Devices.
func (s *Persistence) RegisterDevice(ctx context.Context, req adapters.RegisterDeviceRequest) (adapters.Device, error) {
	return mutate(ctx, s.cfg, &s.mu, &s.idem, "RegisterDevice", req.TenantID, req.IdempotencyKey, req, cloneDevice,
		func(now time.Time) (adapters.Device, error) {
			d := &adapters.Device{
				ID: newID(), TenantID: req.TenantID, ClientID: req.ClientID, Name: req.Name, Platform: req.Platform,
				Fingerprint: req.Fingerprint, Status: adapters.DeviceActive, RegisteredAt: now, UpdatedAt: now,
			}
			s.devices[tk(d.TenantID, d.ID)] = d
			return *d, nil
		})
}

// ListDevices implements adapters.Devices (DL001).
func (s *Persistence) ListDevices(ctx context.Context, tenantID, clientID string) ([]adapters.Device, error) {
	out, err := read(ctx, s.cfg, &s.mu, "ListDevices", adapters.ValidateTenant(tenantID, adapters.NamedID{Field: "clientId", Value: clientID}),
		func() ([]adapters.Device, error) {
			out := []adapters.Device{}
			for _, d := range s.devices {
				if d.TenantID == tenantID && d.ClientID == clientID {
					out = append(out, d.Clone())
				}
			}
			return out, nil
		})
	slices.SortFunc(out, func(x, y adapters.Device) int {
		if c := x.RegisteredAt.Compare(y.RegisteredAt); c != 0 {
			return c
		}
		return strings.Compare(x.ID, y.ID)
	})
	return out, err
}

// GetDevice implements adapters.Devices.
func (s *Persistence) GetDevice(ctx context.Context, tenantID, deviceID string) (adapters.Device, error) {
	return read(ctx, s.cfg, &s.mu, "GetDevice", adapters.ValidateTenant(tenantID, adapters.NamedID{Field: "deviceId", Value: deviceID}),
		func() (adapters.Device, error) {
			d, err := s.device(tenantID, deviceID)
			if err != nil {
				return adapters.Device{}, err
			}
			return d.Clone(), nil
		})
}

func (s *Persistence) device(tenantID, deviceID string) (*adapters.Device, error) {
	d, ok := s.devices[tk(tenantID, deviceID)]
	if !ok {
		return nil, notFound("device", deviceID)
	}
	return d, nil
}

// changeDevice runs one idempotent change of a device.
func (s *Persistence) changeDevice(ctx context.Context, op, tenantID, deviceID, key string, req validator, change func(*adapters.Device, time.Time) error) (adapters.Device, error) {
	return mutate(ctx, s.cfg, &s.mu, &s.idem, op, tenantID, key, req, cloneDevice,
		func(now time.Time) (adapters.Device, error) {
			d, err := s.device(tenantID, deviceID)
			if err != nil {
				return adapters.Device{}, err
			}
			if err := change(d, now); err != nil {
				return adapters.Device{}, err
			}
			d.UpdatedAt = now
			return *d, nil
		})
}

// SetDeviceLock implements adapters.Devices (DX002).
func (s *Persistence) SetDeviceLock(ctx context.Context, req adapters.SetDeviceLockRequest) (adapters.Device, error) {
	return s.changeDevice(ctx, "SetDeviceLock", req.TenantID, req.DeviceID, req.IdempotencyKey, req, func(d *adapters.Device, _ time.Time) error {
		d.Locked = req.Locked
		return nil
	})
}

// SetDeviceActive implements adapters.Devices (DA005).
func (s *Persistence) SetDeviceActive(ctx context.Context, req adapters.SetDeviceActiveRequest) (adapters.Device, error) {
	return s.changeDevice(ctx, "SetDeviceActive", req.TenantID, req.DeviceID, req.IdempotencyKey, req, func(d *adapters.Device, _ time.Time) error {
		d.Status = adapters.DeviceInactive
		if req.Active {
			d.Status = adapters.DeviceActive
		}
		return nil
	})
}

// ResetDevicePIN implements adapters.Devices (DA006).
func (s *Persistence) ResetDevicePIN(ctx context.Context, req adapters.ResetDevicePINRequest) (adapters.Device, error) {
	return s.changeDevice(ctx, "ResetDevicePIN", req.TenantID, req.DeviceID, req.IdempotencyKey, req, func(d *adapters.Device, now time.Time) error {
		if d.Status != adapters.DeviceActive {
			return fmt.Errorf("memory: reset PIN of device %s: device is %s: %w", d.ID, d.Status, clientele.ErrPrecondition)
		}
		s.pins[tk(d.TenantID, d.ID)] = req.PINHash
		d.PINResetAt = &now
		return nil
	})
}

// InitiateDeviceTransfer implements adapters.Devices (DT003).
func (s *Persistence) InitiateDeviceTransfer(ctx context.Context, req adapters.InitiateDeviceTransferRequest) (adapters.DeviceTransfer, error) {
	return mutate(ctx, s.cfg, &s.mu, &s.idem, "InitiateDeviceTransfer", req.TenantID, req.IdempotencyKey, req, same[adapters.DeviceTransfer],
		func(now time.Time) (adapters.DeviceTransfer, error) {
			d, err := s.device(req.TenantID, req.DeviceID)
			if err != nil {
				return adapters.DeviceTransfer{}, err
			}
			if d.ClientID == req.ToClientID {
				return adapters.DeviceTransfer{}, clientele.NewValidationError("toClientId", "nefield", "the device already belongs to this client")
			}
			if d.Status != adapters.DeviceActive {
				return adapters.DeviceTransfer{}, fmt.Errorf("memory: transfer device %s: device is %s: %w", d.ID, d.Status, clientele.ErrPrecondition)
			}
			for _, t := range s.transfers {
				if t.TenantID == req.TenantID && t.DeviceID == d.ID && t.Status == adapters.TransferPending {
					t.Status = adapters.TransferCancelled // superseded
				}
			}
			ttl := req.TTL
			if ttl == 0 {
				ttl = adapters.DefaultTransferTTL
			}
			t := &deviceTransfer{
				DeviceTransfer: adapters.DeviceTransfer{
					ID: newID(), TenantID: req.TenantID, DeviceID: d.ID, FromClientID: d.ClientID, ToClientID: req.ToClientID,
					Status: adapters.TransferPending, ExpiresAt: now.Add(ttl), CreatedAt: now,
				},
				tokenHash: req.TokenHash,
			}
			s.transfers[tk(t.TenantID, t.ID)] = t
			return t.DeviceTransfer, nil
		})
}

// ConfirmDeviceTransfer implements adapters.Devices (DT004). A wrong token counts
// against the transfer even though the call fails.
func (s *Persistence) ConfirmDeviceTransfer(ctx context.Context, req adapters.ConfirmDeviceTransferRequest) (adapters.Device, error) {
	return mutate(ctx, s.cfg, &s.mu, &s.idem, "ConfirmDeviceTransfer", req.TenantID, req.IdempotencyKey, req, cloneDevice,
		func(now time.Time) (adapters.Device, error) {
			t, ok := s.transfers[tk(req.TenantID, req.TransferID)]
			switch {
			case !ok:
				return adapters.Device{}, notFound("device transfer", req.TransferID)
			case t.Status != adapters.TransferPending:
				return adapters.Device{}, fmt.Errorf("memory: device transfer %s is %s: %w", t.ID, t.Status, clientele.ErrPrecondition)
			case !now.Before(t.ExpiresAt):
				return adapters.Device{}, fmt.Errorf("memory: device transfer %s expired: %w", t.ID, clientele.ErrPrecondition)
			}
			if !adapters.TokenMatches(t.tokenHash, req.Token) {
				t.Attempts++
				if t.Attempts >= adapters.MaxTransferAttempts {
					t.Status = adapters.TransferCancelled
				}
				return adapters.Device{}, fmt.Errorf("memory: device transfer %s: wrong token: %w", t.ID, clientele.ErrForbidden)
			}
			d, err := s.device(req.TenantID, t.DeviceID)
			if err != nil {
				return adapters.Device{}, err
			}
			if d.ClientID != t.FromClientID {
				t.Status = adapters.TransferCancelled
				return adapters.Device{}, fmt.Errorf("memory: device %s changed hands since the transfer began: %w", d.ID, clientele.ErrPrecondition)
			}
			d.ClientID, d.UpdatedAt = t.ToClientID, now
			t.Status = adapters.TransferConfirmed
			return *d, nil
		})
}

// ToggleFavorite implements adapters.Favorites (MC007).
func (s *Persistence) ToggleFavorite(ctx context.Context, req adapters.ToggleFavoriteRequest) (adapters.Favorite, error) {
	return mutate(ctx, s.cfg, &s.mu, &s.idem, "ToggleFavorite", req.TenantID, req.IdempotencyKey, req, same[adapters.Favorite],
		func(now time.Time) (adapters.Favorite, error) {
			k := tk(req.TenantID, req.MemberID)
			favs := s.favorites[k]
			if favs == nil {
				favs = map[string]adapters.Favorite{}
				s.favorites[k] = favs
			}
			f := adapters.Favorite{TenantID: req.TenantID, MemberID: req.MemberID, ClientID: req.ClientID, UpdatedAt: now}
			if _, starred := favs[req.ClientID]; starred {
				delete(favs, req.ClientID)
			} else {
				f.Starred = true
				favs[req.ClientID] = f
			}
			return f, nil
		})
}

// ListFavorites implements adapters.Favorites.
func (s *Persistence) ListFavorites(ctx context.Context, tenantID, memberID string) ([]adapters.Favorite, error) {
	out, err := read(ctx, s.cfg, &s.mu, "ListFavorites", adapters.ValidateTenant(tenantID, adapters.NamedID{Field: "memberId", Value: memberID}),
		func() ([]adapters.Favorite, error) {
			out := []adapters.Favorite{}
			for _, f := range s.favorites[tk(tenantID, memberID)] {
				out = append(out, f)
			}
			return out, nil
		})
	slices.SortFunc(out, func(x, y adapters.Favorite) int {
		if c := y.UpdatedAt.Compare(x.UpdatedAt); c != 0 {
			return c
		}
		return strings.Compare(x.ClientID, y.ClientID)
	})
	return out, err
}

// GetSettings implements adapters.Settings.
func (s *Persistence) GetSettings(ctx context.Context, tenantID, memberID string) (adapters.MemberSettings, error) {
	return read(ctx, s.cfg, &s.mu, "GetSettings", adapters.ValidateTenant(tenantID, adapters.NamedID{Field: "memberId", Value: memberID}),
		func() (adapters.MemberSettings, error) {
			st, ok := s.settings[tk(tenantID, memberID)]
			if !ok {
				return adapters.MemberSettings{TenantID: tenantID, MemberID: memberID, Values: map[string]string{}}, nil
			}
			return st.Clone(), nil
		})
}

// PutSettings implements adapters.Settings.
func (s *Persistence) PutSettings(ctx context.Context, req adapters.PutSettingsRequest) (adapters.MemberSettings, error) {
	return mutate(ctx, s.cfg, &s.mu, &s.idem, "PutSettings", req.TenantID, req.IdempotencyKey, req, adapters.MemberSettings.Clone,
		func(now time.Time) (adapters.MemberSettings, error) {
			k := tk(req.TenantID, req.MemberID)
			cur := s.settings[k]
			if cur.Version != req.ExpectedVersion {
				return adapters.MemberSettings{}, fmt.Errorf("memory: settings of %s are at version %d, not %d: %w", req.MemberID, cur.Version, req.ExpectedVersion, clientele.ErrConflict)
			}
			values := map[string]string{}
			maps.Copy(values, req.Values)
			st := adapters.MemberSettings{TenantID: req.TenantID, MemberID: req.MemberID, Values: values, Version: cur.Version + 1, UpdatedAt: now}
			s.settings[k] = st
			return st.Clone(), nil
		})
}

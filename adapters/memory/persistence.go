package memory

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

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
	idem      idempotency
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
	const op = "RegisterDevice"
	if err := s.cfg.faults.before(ctx, op); err != nil {
		return adapters.Device{}, err
	}
	if err := req.Validate(); err != nil {
		return adapters.Device{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if d, ok, err := replay(&s.idem, req.TenantID, op, req.IdempotencyKey, req, cloneDevice); ok {
		return d, err
	}
	now := s.cfg.timestamp()
	d := &adapters.Device{
		ID: newID(), TenantID: req.TenantID, ClientID: req.ClientID, Name: req.Name, Platform: req.Platform,
		Fingerprint: req.Fingerprint, Status: adapters.DeviceActive, RegisteredAt: now, UpdatedAt: now,
	}
	s.devices[tk(d.TenantID, d.ID)] = d
	remember(&s.idem, req.TenantID, op, req.IdempotencyKey, req, d.Clone())
	return d.Clone(), nil
}

// ListDevices implements adapters.Devices (DL001).
func (s *Persistence) ListDevices(ctx context.Context, tenantID, clientID string) ([]adapters.Device, error) {
	if err := s.cfg.faults.before(ctx, "ListDevices"); err != nil {
		return nil, err
	}
	if err := adapters.ValidateTenant(tenantID, adapters.NamedID{Field: "clientId", Value: clientID}); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []adapters.Device{}
	for _, d := range s.devices {
		if d.TenantID == tenantID && d.ClientID == clientID {
			out = append(out, d.Clone())
		}
	}
	slices.SortFunc(out, func(x, y adapters.Device) int {
		if c := x.RegisteredAt.Compare(y.RegisteredAt); c != 0 {
			return c
		}
		return strings.Compare(x.ID, y.ID)
	})
	return out, nil
}

// GetDevice implements adapters.Devices.
func (s *Persistence) GetDevice(ctx context.Context, tenantID, deviceID string) (adapters.Device, error) {
	if err := s.cfg.faults.before(ctx, "GetDevice"); err != nil {
		return adapters.Device{}, err
	}
	if err := adapters.ValidateTenant(tenantID, adapters.NamedID{Field: "deviceId", Value: deviceID}); err != nil {
		return adapters.Device{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.devices[tk(tenantID, deviceID)]
	if !ok {
		return adapters.Device{}, notFound("device", deviceID)
	}
	return d.Clone(), nil
}

// changeDevice runs one idempotent change of a device under the lock.
func (s *Persistence) changeDevice(ctx context.Context, op, tenantID, deviceID, key string, req interface{ Validate() error }, change func(*adapters.Device) error) (adapters.Device, error) {
	if err := s.cfg.faults.before(ctx, op); err != nil {
		return adapters.Device{}, err
	}
	if err := req.Validate(); err != nil {
		return adapters.Device{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if d, ok, err := replay(&s.idem, tenantID, op, key, req, cloneDevice); ok {
		return d, err
	}
	d, ok := s.devices[tk(tenantID, deviceID)]
	if !ok {
		return adapters.Device{}, notFound("device", deviceID)
	}
	if err := change(d); err != nil {
		return adapters.Device{}, err
	}
	d.UpdatedAt = s.cfg.timestamp()
	remember(&s.idem, tenantID, op, key, req, d.Clone())
	return d.Clone(), nil
}

// SetDeviceLock implements adapters.Devices (DX002).
func (s *Persistence) SetDeviceLock(ctx context.Context, req adapters.SetDeviceLockRequest) (adapters.Device, error) {
	return s.changeDevice(ctx, "SetDeviceLock", req.TenantID, req.DeviceID, req.IdempotencyKey, req, func(d *adapters.Device) error {
		d.Locked = req.Locked
		return nil
	})
}

// SetDeviceActive implements adapters.Devices (DA005).
func (s *Persistence) SetDeviceActive(ctx context.Context, req adapters.SetDeviceActiveRequest) (adapters.Device, error) {
	return s.changeDevice(ctx, "SetDeviceActive", req.TenantID, req.DeviceID, req.IdempotencyKey, req, func(d *adapters.Device) error {
		d.Status = adapters.DeviceInactive
		if req.Active {
			d.Status = adapters.DeviceActive
		}
		return nil
	})
}

// ResetDevicePIN implements adapters.Devices (DA006).
func (s *Persistence) ResetDevicePIN(ctx context.Context, req adapters.ResetDevicePINRequest) (adapters.Device, error) {
	return s.changeDevice(ctx, "ResetDevicePIN", req.TenantID, req.DeviceID, req.IdempotencyKey, req, func(d *adapters.Device) error {
		if d.Status != adapters.DeviceActive {
			return fmt.Errorf("memory: reset PIN of device %s: device is %s: %w", d.ID, d.Status, clientele.ErrPrecondition)
		}
		s.pins[tk(d.TenantID, d.ID)] = req.PINHash
		t := s.cfg.timestamp()
		d.PINResetAt = &t
		return nil
	})
}

// InitiateDeviceTransfer implements adapters.Devices (DT003).
func (s *Persistence) InitiateDeviceTransfer(ctx context.Context, req adapters.InitiateDeviceTransferRequest) (adapters.DeviceTransfer, error) {
	const op = "InitiateDeviceTransfer"
	if err := s.cfg.faults.before(ctx, op); err != nil {
		return adapters.DeviceTransfer{}, err
	}
	if err := req.Validate(); err != nil {
		return adapters.DeviceTransfer{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok, err := replay(&s.idem, req.TenantID, op, req.IdempotencyKey, req, same[adapters.DeviceTransfer]); ok {
		return t, err
	}
	d, ok := s.devices[tk(req.TenantID, req.DeviceID)]
	if !ok {
		return adapters.DeviceTransfer{}, notFound("device", req.DeviceID)
	}
	if d.ClientID == req.ToClientID {
		return adapters.DeviceTransfer{}, clientele.NewValidationError("toClientId", "nefield", "the device already belongs to this client")
	}
	if d.Status != adapters.DeviceActive {
		return adapters.DeviceTransfer{}, fmt.Errorf("memory: transfer device %s: device is %s: %w", d.ID, d.Status, clientele.ErrPrecondition)
	}
	for _, t := range s.transfers {
		if t.TenantID == req.TenantID && t.DeviceID == d.ID && t.Status == adapters.TransferPending {
			t.Status = adapters.TransferCancelled
		}
	}
	ttl := req.TTL
	if ttl == 0 {
		ttl = adapters.DefaultTransferTTL
	}
	now := s.cfg.timestamp()
	t := &deviceTransfer{
		DeviceTransfer: adapters.DeviceTransfer{
			ID: newID(), TenantID: req.TenantID, DeviceID: d.ID, FromClientID: d.ClientID, ToClientID: req.ToClientID,
			Status: adapters.TransferPending, ExpiresAt: now.Add(ttl), CreatedAt: now,
		},
		tokenHash: req.TokenHash,
	}
	s.transfers[tk(t.TenantID, t.ID)] = t
	remember(&s.idem, req.TenantID, op, req.IdempotencyKey, req, t.DeviceTransfer)
	return t.DeviceTransfer, nil
}

// ConfirmDeviceTransfer implements adapters.Devices (DT004).
func (s *Persistence) ConfirmDeviceTransfer(ctx context.Context, req adapters.ConfirmDeviceTransferRequest) (adapters.Device, error) {
	const op = "ConfirmDeviceTransfer"
	if err := s.cfg.faults.before(ctx, op); err != nil {
		return adapters.Device{}, err
	}
	if err := req.Validate(); err != nil {
		return adapters.Device{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if d, ok, err := replay(&s.idem, req.TenantID, op, req.IdempotencyKey, req, cloneDevice); ok {
		return d, err
	}
	t, ok := s.transfers[tk(req.TenantID, req.TransferID)]
	if !ok {
		return adapters.Device{}, notFound("device transfer", req.TransferID)
	}
	now := s.cfg.timestamp()
	switch {
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
	d, ok := s.devices[tk(req.TenantID, t.DeviceID)]
	if !ok {
		return adapters.Device{}, notFound("device", t.DeviceID)
	}
	if d.ClientID != t.FromClientID {
		t.Status = adapters.TransferCancelled
		return adapters.Device{}, fmt.Errorf("memory: device %s changed hands since the transfer began: %w", d.ID, clientele.ErrPrecondition)
	}
	d.ClientID = t.ToClientID
	d.UpdatedAt = now
	t.Status = adapters.TransferConfirmed
	remember(&s.idem, req.TenantID, op, req.IdempotencyKey, req, d.Clone())
	return d.Clone(), nil
}

// ToggleFavorite implements adapters.Favorites (MC007).
func (s *Persistence) ToggleFavorite(ctx context.Context, req adapters.ToggleFavoriteRequest) (adapters.Favorite, error) {
	const op = "ToggleFavorite"
	if err := s.cfg.faults.before(ctx, op); err != nil {
		return adapters.Favorite{}, err
	}
	if err := req.Validate(); err != nil {
		return adapters.Favorite{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if f, ok, err := replay(&s.idem, req.TenantID, op, req.IdempotencyKey, req, same[adapters.Favorite]); ok {
		return f, err
	}
	k := tk(req.TenantID, req.MemberID)
	favs := s.favorites[k]
	if favs == nil {
		favs = map[string]adapters.Favorite{}
		s.favorites[k] = favs
	}
	f := adapters.Favorite{TenantID: req.TenantID, MemberID: req.MemberID, ClientID: req.ClientID, UpdatedAt: s.cfg.timestamp()}
	if _, starred := favs[req.ClientID]; starred {
		delete(favs, req.ClientID)
	} else {
		f.Starred = true
		favs[req.ClientID] = f
	}
	remember(&s.idem, req.TenantID, op, req.IdempotencyKey, req, f)
	return f, nil
}

// ListFavorites implements adapters.Favorites.
func (s *Persistence) ListFavorites(ctx context.Context, tenantID, memberID string) ([]adapters.Favorite, error) {
	if err := s.cfg.faults.before(ctx, "ListFavorites"); err != nil {
		return nil, err
	}
	if err := adapters.ValidateTenant(tenantID, adapters.NamedID{Field: "memberId", Value: memberID}); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []adapters.Favorite{}
	for _, f := range s.favorites[tk(tenantID, memberID)] {
		out = append(out, f)
	}
	slices.SortFunc(out, func(x, y adapters.Favorite) int {
		if c := y.UpdatedAt.Compare(x.UpdatedAt); c != 0 {
			return c
		}
		return strings.Compare(x.ClientID, y.ClientID)
	})
	return out, nil
}

// GetSettings implements adapters.Settings.
func (s *Persistence) GetSettings(ctx context.Context, tenantID, memberID string) (adapters.MemberSettings, error) {
	if err := s.cfg.faults.before(ctx, "GetSettings"); err != nil {
		return adapters.MemberSettings{}, err
	}
	if err := adapters.ValidateTenant(tenantID, adapters.NamedID{Field: "memberId", Value: memberID}); err != nil {
		return adapters.MemberSettings{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.settings[tk(tenantID, memberID)]
	if !ok {
		return adapters.MemberSettings{TenantID: tenantID, MemberID: memberID, Values: map[string]string{}}, nil
	}
	return st.Clone(), nil
}

// PutSettings implements adapters.Settings.
func (s *Persistence) PutSettings(ctx context.Context, req adapters.PutSettingsRequest) (adapters.MemberSettings, error) {
	const op = "PutSettings"
	if err := s.cfg.faults.before(ctx, op); err != nil {
		return adapters.MemberSettings{}, err
	}
	if err := req.Validate(); err != nil {
		return adapters.MemberSettings{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if st, ok, err := replay(&s.idem, req.TenantID, op, req.IdempotencyKey, req, adapters.MemberSettings.Clone); ok {
		return st, err
	}
	k := tk(req.TenantID, req.MemberID)
	cur := s.settings[k]
	if cur.Version != req.ExpectedVersion {
		return adapters.MemberSettings{}, fmt.Errorf("memory: settings of %s are at version %d, not %d: %w", req.MemberID, cur.Version, req.ExpectedVersion, clientele.ErrConflict)
	}
	values := map[string]string{}
	for key, v := range req.Values {
		values[key] = v
	}
	st := adapters.MemberSettings{TenantID: req.TenantID, MemberID: req.MemberID, Values: values, Version: cur.Version + 1, UpdatedAt: s.cfg.timestamp()}
	s.settings[k] = st
	remember(&s.idem, req.TenantID, op, req.IdempotencyKey, req, st.Clone())
	return st.Clone(), nil
}

package httpadapter

import (
	"context"
	"net/http"

	"github.com/clientele-go/clientele/adapters"
)

var _ adapters.Persistence = (*Persistence)(nil)

// Persistence is the HTTP client of the persistence contract.
type Persistence struct{ c *conn }

// NewPersistence returns a client of the persistence handler mounted at baseURL.
func NewPersistence(baseURL string, opts ...Option) (*Persistence, error) {
	c, err := newConn(baseURL, opts)
	if err != nil {
		return nil, err
	}
	return &Persistence{c}, nil
}

func devicePath(tenantID, deviceID string) string {
	return tenantPath(tenantID) + "/devices/" + esc(deviceID)
}

func memberPath(tenantID, memberID string) string {
	return tenantPath(tenantID) + "/members/" + esc(memberID)
}

// RegisterDevice implements adapters.Devices.
func (s *Persistence) RegisterDevice(ctx context.Context, req adapters.RegisterDeviceRequest) (adapters.Device, error) {
	if err := req.Validate(); err != nil {
		return adapters.Device{}, err
	}
	return do[adapters.Device](ctx, s.c, http.MethodPost, clientPath(req.TenantID, req.ClientID)+"/devices", nil, req.IdempotencyKey, req)
}

// ListDevices implements adapters.Devices.
func (s *Persistence) ListDevices(ctx context.Context, tenantID, clientID string) ([]adapters.Device, error) {
	if err := adapters.ValidateTenant(tenantID, adapters.NamedID{Field: "clientId", Value: clientID}); err != nil {
		return nil, err
	}
	return do[[]adapters.Device](ctx, s.c, http.MethodGet, clientPath(tenantID, clientID)+"/devices", nil, "", nil)
}

// GetDevice implements adapters.Devices.
func (s *Persistence) GetDevice(ctx context.Context, tenantID, deviceID string) (adapters.Device, error) {
	if err := adapters.ValidateTenant(tenantID, adapters.NamedID{Field: "deviceId", Value: deviceID}); err != nil {
		return adapters.Device{}, err
	}
	return do[adapters.Device](ctx, s.c, http.MethodGet, devicePath(tenantID, deviceID), nil, "", nil)
}

// SetDeviceLock implements adapters.Devices.
func (s *Persistence) SetDeviceLock(ctx context.Context, req adapters.SetDeviceLockRequest) (adapters.Device, error) {
	if err := req.Validate(); err != nil {
		return adapters.Device{}, err
	}
	return do[adapters.Device](ctx, s.c, http.MethodPost, devicePath(req.TenantID, req.DeviceID)+"/lock", nil, req.IdempotencyKey, req)
}

// SetDeviceActive implements adapters.Devices.
func (s *Persistence) SetDeviceActive(ctx context.Context, req adapters.SetDeviceActiveRequest) (adapters.Device, error) {
	if err := req.Validate(); err != nil {
		return adapters.Device{}, err
	}
	return do[adapters.Device](ctx, s.c, http.MethodPost, devicePath(req.TenantID, req.DeviceID)+"/active", nil, req.IdempotencyKey, req)
}

// ResetDevicePIN implements adapters.Devices.
func (s *Persistence) ResetDevicePIN(ctx context.Context, req adapters.ResetDevicePINRequest) (adapters.Device, error) {
	if err := req.Validate(); err != nil {
		return adapters.Device{}, err
	}
	return do[adapters.Device](ctx, s.c, http.MethodPost, devicePath(req.TenantID, req.DeviceID)+"/pin-reset", nil, req.IdempotencyKey, req)
}

// InitiateDeviceTransfer implements adapters.Devices.
func (s *Persistence) InitiateDeviceTransfer(ctx context.Context, req adapters.InitiateDeviceTransferRequest) (adapters.DeviceTransfer, error) {
	if err := req.Validate(); err != nil {
		return adapters.DeviceTransfer{}, err
	}
	return do[adapters.DeviceTransfer](ctx, s.c, http.MethodPost, devicePath(req.TenantID, req.DeviceID)+"/transfers", nil, req.IdempotencyKey, req)
}

// ConfirmDeviceTransfer implements adapters.Devices.
func (s *Persistence) ConfirmDeviceTransfer(ctx context.Context, req adapters.ConfirmDeviceTransferRequest) (adapters.Device, error) {
	if err := req.Validate(); err != nil {
		return adapters.Device{}, err
	}
	return do[adapters.Device](ctx, s.c, http.MethodPost, tenantPath(req.TenantID)+"/device-transfers/"+esc(req.TransferID)+"/confirm", nil, req.IdempotencyKey, req)
}

// ToggleFavorite implements adapters.Favorites.
func (s *Persistence) ToggleFavorite(ctx context.Context, req adapters.ToggleFavoriteRequest) (adapters.Favorite, error) {
	if err := req.Validate(); err != nil {
		return adapters.Favorite{}, err
	}
	return do[adapters.Favorite](ctx, s.c, http.MethodPost, memberPath(req.TenantID, req.MemberID)+"/favorites/toggle", nil, req.IdempotencyKey, req)
}

// ListFavorites implements adapters.Favorites.
func (s *Persistence) ListFavorites(ctx context.Context, tenantID, memberID string) ([]adapters.Favorite, error) {
	if err := adapters.ValidateTenant(tenantID, adapters.NamedID{Field: "memberId", Value: memberID}); err != nil {
		return nil, err
	}
	return do[[]adapters.Favorite](ctx, s.c, http.MethodGet, memberPath(tenantID, memberID)+"/favorites", nil, "", nil)
}

// GetSettings implements adapters.Settings.
func (s *Persistence) GetSettings(ctx context.Context, tenantID, memberID string) (adapters.MemberSettings, error) {
	if err := adapters.ValidateTenant(tenantID, adapters.NamedID{Field: "memberId", Value: memberID}); err != nil {
		return adapters.MemberSettings{}, err
	}
	return do[adapters.MemberSettings](ctx, s.c, http.MethodGet, memberPath(tenantID, memberID)+"/settings", nil, "", nil)
}

// PutSettings implements adapters.Settings.
func (s *Persistence) PutSettings(ctx context.Context, req adapters.PutSettingsRequest) (adapters.MemberSettings, error) {
	if err := req.Validate(); err != nil {
		return adapters.MemberSettings{}, err
	}
	return do[adapters.MemberSettings](ctx, s.c, http.MethodPut, memberPath(req.TenantID, req.MemberID)+"/settings", nil, req.IdempotencyKey, req)
}

// NewPersistenceHandler serves the persistence contract over impl.
func NewPersistenceHandler(impl adapters.Persistence) (http.Handler, error) {
	if impl == nil {
		return nil, nilImpl("NewPersistenceHandler")
	}
	return newMux(persistenceRoutes(impl)), nil
}

func persistenceRoutes(impl adapters.Persistence) []route {
	tenantDevice := func(t, d *string) []binding { return []binding{bind("tenantId", t), bind("deviceId", d)} }
	tenantMember := func(t, m *string) []binding { return []binding{bind("tenantId", t), bind("memberId", m)} }
	return []route{
		changeRoute("POST", "/tenants/{tenantId}/clients/{clientId}/devices", "RegisterDevice", "Register a client's device", maxBodyBytes,
			func(r *adapters.RegisterDeviceRequest) *string { return &r.IdempotencyKey },
			func(r *adapters.RegisterDeviceRequest) []binding {
				return []binding{bind("tenantId", &r.TenantID), bind("clientId", &r.ClientID)}
			},
			impl.RegisterDevice),
		readRoute("/tenants/{tenantId}/clients/{clientId}/devices", "ListDevices", "DL001 List client devices", nil,
			func(r *http.Request) ([]adapters.Device, error) {
				return impl.ListDevices(r.Context(), r.PathValue("tenantId"), r.PathValue("clientId"))
			}),
		readRoute("/tenants/{tenantId}/devices/{deviceId}", "GetDevice", "Read one device", nil,
			func(r *http.Request) (adapters.Device, error) {
				return impl.GetDevice(r.Context(), r.PathValue("tenantId"), r.PathValue("deviceId"))
			}),
		changeRoute("POST", "/tenants/{tenantId}/devices/{deviceId}/lock", "SetDeviceLock", "DX002 (Un)lock device", maxBodyBytes,
			func(r *adapters.SetDeviceLockRequest) *string { return &r.IdempotencyKey },
			func(r *adapters.SetDeviceLockRequest) []binding { return tenantDevice(&r.TenantID, &r.DeviceID) },
			impl.SetDeviceLock),
		changeRoute("POST", "/tenants/{tenantId}/devices/{deviceId}/active", "SetDeviceActive", "DA005 (De)activate device", maxBodyBytes,
			func(r *adapters.SetDeviceActiveRequest) *string { return &r.IdempotencyKey },
			func(r *adapters.SetDeviceActiveRequest) []binding { return tenantDevice(&r.TenantID, &r.DeviceID) },
			impl.SetDeviceActive),
		changeRoute("POST", "/tenants/{tenantId}/devices/{deviceId}/pin-reset", "ResetDevicePIN", "DA006 Reset device PIN", maxBodyBytes,
			func(r *adapters.ResetDevicePINRequest) *string { return &r.IdempotencyKey },
			func(r *adapters.ResetDevicePINRequest) []binding { return tenantDevice(&r.TenantID, &r.DeviceID) },
			impl.ResetDevicePIN),
		changeRoute("POST", "/tenants/{tenantId}/devices/{deviceId}/transfers", "InitiateDeviceTransfer", "DT003 Initiate device transfer", maxBodyBytes,
			func(r *adapters.InitiateDeviceTransferRequest) *string { return &r.IdempotencyKey },
			func(r *adapters.InitiateDeviceTransferRequest) []binding {
				return tenantDevice(&r.TenantID, &r.DeviceID)
			},
			impl.InitiateDeviceTransfer),
		changeRoute("POST", "/tenants/{tenantId}/device-transfers/{transferId}/confirm", "ConfirmDeviceTransfer", "DT004 Confirm transfer one-time token", maxBodyBytes,
			func(r *adapters.ConfirmDeviceTransferRequest) *string { return &r.IdempotencyKey },
			func(r *adapters.ConfirmDeviceTransferRequest) []binding {
				return []binding{bind("tenantId", &r.TenantID), bind("transferId", &r.TransferID)}
			},
			impl.ConfirmDeviceTransfer),
		changeRoute("POST", "/tenants/{tenantId}/members/{memberId}/favorites/toggle", "ToggleFavorite", "MC007 (Un)set member favourite client", maxBodyBytes,
			func(r *adapters.ToggleFavoriteRequest) *string { return &r.IdempotencyKey },
			func(r *adapters.ToggleFavoriteRequest) []binding { return tenantMember(&r.TenantID, &r.MemberID) },
			impl.ToggleFavorite),
		readRoute("/tenants/{tenantId}/members/{memberId}/favorites", "ListFavorites", "List member favourite clients", nil,
			func(r *http.Request) ([]adapters.Favorite, error) {
				return impl.ListFavorites(r.Context(), r.PathValue("tenantId"), r.PathValue("memberId"))
			}),
		readRoute("/tenants/{tenantId}/members/{memberId}/settings", "GetSettings", "Read member settings", nil,
			func(r *http.Request) (adapters.MemberSettings, error) {
				return impl.GetSettings(r.Context(), r.PathValue("tenantId"), r.PathValue("memberId"))
			}),
		changeRoute("PUT", "/tenants/{tenantId}/members/{memberId}/settings", "PutSettings", "Replace member settings", maxBodyBytes,
			func(r *adapters.PutSettingsRequest) *string { return &r.IdempotencyKey },
			func(r *adapters.PutSettingsRequest) []binding { return tenantMember(&r.TenantID, &r.MemberID) },
			impl.PutSettings),
	}
}

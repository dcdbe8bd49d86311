package adapters

import (
	"context"
	"fmt"
	"time"

	"github.com/clientele-go/clientele"
)

// Persistence is the persistence worker holding what belongs to members and clients
// but not to any other system: client devices (seed 002, DL001–DA006), back-office
// members' favourite clients (MC007) and member settings. It is three small
// interfaces; a consumer depends on the one it needs.
type Persistence interface {
	Devices
	Favorites
	Settings
}

// Devices are the clients' registered devices.
//
// A device transfer to another client is two steps: InitiateDeviceTransfer stores
// the hash of a one-time token the caller generated and sends to the client
// (Messaging, KindDeviceTransferToken); ConfirmDeviceTransfer with that token moves
// the device. A wrong token fails with clientele.ErrForbidden; after
// MaxTransferAttempts wrong tokens, or past ExpiresAt, the transfer is dead
// (clientele.ErrPrecondition). Initiating again supersedes a pending transfer.
type Devices interface {
	// RegisterDevice records a client's device (active, unlocked).
	RegisterDevice(ctx context.Context, req RegisterDeviceRequest) (Device, error)
	// ListDevices lists the client's devices, oldest first (DL001).
	ListDevices(ctx context.Context, tenantID, clientID string) ([]Device, error)
	// GetDevice reads one device.
	GetDevice(ctx context.Context, tenantID, deviceID string) (Device, error)
	// SetDeviceLock locks or unlocks a device (DX002).
	SetDeviceLock(ctx context.Context, req SetDeviceLockRequest) (Device, error)
	// InitiateDeviceTransfer starts moving a device to another client (DT003).
	InitiateDeviceTransfer(ctx context.Context, req InitiateDeviceTransferRequest) (DeviceTransfer, error)
	// ConfirmDeviceTransfer completes it with the one-time token (DT004).
	ConfirmDeviceTransfer(ctx context.Context, req ConfirmDeviceTransferRequest) (Device, error)
	// SetDeviceActive activates or deactivates a device (DA005).
	SetDeviceActive(ctx context.Context, req SetDeviceActiveRequest) (Device, error)
	// ResetDevicePIN replaces the device PIN with a new temporary one the caller
	// generated, hashed and delivers (Messaging, KindDevicePINReset) (DA006).
	ResetDevicePIN(ctx context.Context, req ResetDevicePINRequest) (Device, error)
}

// Favorites are back-office members' starred clients (MC007).
type Favorites interface {
	// ToggleFavorite stars the client for the member, or unstars it when starred.
	ToggleFavorite(ctx context.Context, req ToggleFavoriteRequest) (Favorite, error)
	// ListFavorites lists the member's starred clients, most recent first.
	ListFavorites(ctx context.Context, tenantID, memberID string) ([]Favorite, error)
}

// Settings are per-member personalization values.
type Settings interface {
	// GetSettings returns the member's settings; a member with none has Version 0
	// and no values.
	GetSettings(ctx context.Context, tenantID, memberID string) (MemberSettings, error)
	// PutSettings replaces the member's settings when ExpectedVersion matches the
	// stored version (0 for none), and fails with clientele.ErrConflict otherwise.
	PutSettings(ctx context.Context, req PutSettingsRequest) (MemberSettings, error)
}

// MaxTransferAttempts is the number of wrong tokens a device transfer tolerates.
const MaxTransferAttempts = 5

// DeviceStatus is whether a device may be used.
type DeviceStatus string

// The device states.
const (
	DeviceActive   DeviceStatus = "active"
	DeviceInactive DeviceStatus = "inactive"
)

// Device is a client's device (phone, tablet, POS).
type Device struct {
	ID           string       `json:"id"`
	TenantID     string       `json:"tenantId"`
	ClientID     string       `json:"clientId"`
	Name         string       `json:"name,omitempty"`
	Platform     string       `json:"platform,omitempty"` // "android", "ios", "ussd", …
	Fingerprint  string       `json:"fingerprint,omitempty"`
	Status       DeviceStatus `json:"status"`
	Locked       bool         `json:"locked"`
	PINResetAt   *time.Time   `json:"pinResetAt,omitempty"`
	RegisteredAt time.Time    `json:"registeredAt"`
	UpdatedAt    time.Time    `json:"updatedAt"`
}

// Clone returns a deep copy of d.
func (d Device) Clone() Device {
	if d.PINResetAt != nil {
		t := *d.PINResetAt
		d.PINResetAt = &t
	}
	return d
}

// TransferStatus is the state of a device transfer.
type TransferStatus string

// The device transfer states.
const (
	TransferPending   TransferStatus = "pending"
	TransferConfirmed TransferStatus = "confirmed"
	// TransferCancelled: superseded by a newer transfer or too many wrong tokens.
	TransferCancelled TransferStatus = "cancelled"
)

// ParseTransferStatus accepts "pending", "confirmed" and "cancelled".
func ParseTransferStatus(s string) (TransferStatus, error) {
	switch TransferStatus(s) {
	case TransferPending, TransferConfirmed, TransferCancelled:
		return TransferStatus(s), nil
	}
	return "", fmt.Errorf("adapters: transfer status %q: %w", s, clientele.ErrInvalid)
}

// DeviceTransfer is a pending or finished device transfer.
type DeviceTransfer struct {
	ID           string         `json:"id"`
	TenantID     string         `json:"tenantId"`
	DeviceID     string         `json:"deviceId"`
	FromClientID string         `json:"fromClientId"`
	ToClientID   string         `json:"toClientId"`
	Status       TransferStatus `json:"status"`
	Attempts     int            `json:"attempts"`
	ExpiresAt    time.Time      `json:"expiresAt"`
	CreatedAt    time.Time      `json:"createdAt"`
}

// Favorite is a client a member starred, or the result of a toggle.
type Favorite struct {
	TenantID string `json:"tenantId"`
	MemberID string `json:"memberId"`
	ClientID string `json:"clientId"`
	// Starred is true when the client is now a favourite.
	Starred   bool      `json:"starred"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// MemberSettings are one member's settings.
type MemberSettings struct {
	TenantID  string            `json:"tenantId"`
	MemberID  string            `json:"memberId"`
	Values    map[string]string `json:"values"`
	Version   int64             `json:"version"`
	UpdatedAt time.Time         `json:"updatedAt,omitzero"`
}

// Clone returns a deep copy of s.
func (s MemberSettings) Clone() MemberSettings {
	s.Values = cloneMap(s.Values)
	return s
}

// RegisterDeviceRequest records a client's device.
type RegisterDeviceRequest struct {
	TenantID       string `json:"tenantId"`
	ClientID       string `json:"clientId"`
	Name           string `json:"name,omitempty"`
	Platform       string `json:"platform,omitempty"`
	Fingerprint    string `json:"fingerprint,omitempty"`
	IdempotencyKey string `json:"idempotencyKey"`
}

// Validate reports missing fields.
func (r RegisterDeviceRequest) Validate() error {
	var v validation
	v.required("tenantId", r.TenantID)
	v.required("clientId", r.ClientID)
	v.key(r.IdempotencyKey)
	return v.err()
}

// SetDeviceLockRequest locks or unlocks a device (DX002).
type SetDeviceLockRequest struct {
	TenantID       string `json:"tenantId"`
	DeviceID       string `json:"deviceId"`
	Locked         bool   `json:"locked"`
	IdempotencyKey string `json:"idempotencyKey"`
}

// Validate reports missing fields.
func (r SetDeviceLockRequest) Validate() error {
	var v validation
	v.required("tenantId", r.TenantID)
	v.required("deviceId", r.DeviceID)
	v.key(r.IdempotencyKey)
	return v.err()
}

// SetDeviceActiveRequest activates or deactivates a device (DA005).
type SetDeviceActiveRequest struct {
	TenantID       string `json:"tenantId"`
	DeviceID       string `json:"deviceId"`
	Active         bool   `json:"active"`
	IdempotencyKey string `json:"idempotencyKey"`
}

// Validate reports missing fields.
func (r SetDeviceActiveRequest) Validate() error {
	var v validation
	v.required("tenantId", r.TenantID)
	v.required("deviceId", r.DeviceID)
	v.key(r.IdempotencyKey)
	return v.err()
}

// InitiateDeviceTransferRequest starts a device transfer (DT003).
type InitiateDeviceTransferRequest struct {
	TenantID   string `json:"tenantId"`
	DeviceID   string `json:"deviceId"`
	ToClientID string `json:"toClientId"`
	// TokenHash is HashToken(token) of the one-time token sent to the client.
	TokenHash string `json:"tokenHash"`
	// TTL is how long the token is valid; 0 means 15 minutes.
	TTL            time.Duration `json:"ttl,omitempty"`
	IdempotencyKey string        `json:"idempotencyKey"`
}

// DefaultTransferTTL is the validity of a device transfer token when TTL is 0.
const DefaultTransferTTL = 15 * time.Minute

// Validate reports missing or malformed fields.
func (r InitiateDeviceTransferRequest) Validate() error {
	var v validation
	v.required("tenantId", r.TenantID)
	v.required("deviceId", r.DeviceID)
	v.required("toClientId", r.ToClientID)
	if len(r.TokenHash) != 64 {
		v.Add("tokenHash", "sha256", "must be the hex SHA-256 of the token (adapters.HashToken)")
	}
	if r.TTL < 0 || r.TTL > 24*time.Hour {
		v.Add("ttl", "range", "must be between 0 and 24h")
	}
	v.key(r.IdempotencyKey)
	return v.err()
}

// ConfirmDeviceTransferRequest completes a device transfer (DT004).
type ConfirmDeviceTransferRequest struct {
	TenantID       string `json:"tenantId"`
	TransferID     string `json:"transferId"`
	Token          string `json:"token"`
	IdempotencyKey string `json:"idempotencyKey"`
}

// Validate reports missing fields.
func (r ConfirmDeviceTransferRequest) Validate() error {
	var v validation
	v.required("tenantId", r.TenantID)
	v.required("transferId", r.TransferID)
	v.required("token", r.Token)
	v.key(r.IdempotencyKey)
	return v.err()
}

// ResetDevicePINRequest resets a device PIN (DA006).
type ResetDevicePINRequest struct {
	TenantID string `json:"tenantId"`
	DeviceID string `json:"deviceId"`
	// PINHash is the caller's hash of the new temporary PIN; the worker stores it
	// as given and never sees the PIN.
	PINHash        string `json:"pinHash"`
	IdempotencyKey string `json:"idempotencyKey"`
}

// Validate reports missing fields.
func (r ResetDevicePINRequest) Validate() error {
	var v validation
	v.required("tenantId", r.TenantID)
	v.required("deviceId", r.DeviceID)
	v.required("pinHash", r.PINHash)
	v.key(r.IdempotencyKey)
	return v.err()
}

// ToggleFavoriteRequest stars or unstars a client for a member (MC007).
type ToggleFavoriteRequest struct {
	TenantID       string `json:"tenantId"`
	MemberID       string `json:"memberId"`
	ClientID       string `json:"clientId"`
	IdempotencyKey string `json:"idempotencyKey"`
}

// Validate reports missing fields.
func (r ToggleFavoriteRequest) Validate() error {
	var v validation
	v.required("tenantId", r.TenantID)
	v.required("memberId", r.MemberID)
	v.required("clientId", r.ClientID)
	v.key(r.IdempotencyKey)
	return v.err()
}

// PutSettingsRequest replaces a member's settings.
type PutSettingsRequest struct {
	TenantID        string            `json:"tenantId"`
	MemberID        string            `json:"memberId"`
	Values          map[string]string `json:"values"`
	ExpectedVersion int64             `json:"expectedVersion"`
	IdempotencyKey  string            `json:"idempotencyKey"`
}

// Limits on member settings.
const (
	MaxSettings          = 100
	MaxSettingKeyLen     = 64
	MaxSettingValueBytes = 4096
)

// Validate reports missing or malformed fields.
func (r PutSettingsRequest) Validate() error {
	var v validation
	v.required("tenantId", r.TenantID)
	v.required("memberId", r.MemberID)
	if len(r.Values) > MaxSettings {
		v.Add("values", "max", fmt.Sprintf("at most %d settings", MaxSettings))
	}
	for k, val := range r.Values {
		if k == "" || len(k) > MaxSettingKeyLen {
			v.Add("values", "key", fmt.Sprintf("keys are 1–%d characters", MaxSettingKeyLen))
			break
		}
		if len(val) > MaxSettingValueBytes {
			v.Add("values."+k, "max", fmt.Sprintf("at most %d bytes", MaxSettingValueBytes))
		}
	}
	if r.ExpectedVersion < 0 {
		v.Add("expectedVersion", "min", "must not be negative")
	}
	v.key(r.IdempotencyKey)
	return v.err()
}

// ParseDeviceStatus accepts "active" and "inactive".
func ParseDeviceStatus(s string) (DeviceStatus, error) {
	switch DeviceStatus(s) {
	case DeviceActive, DeviceInactive:
		return DeviceStatus(s), nil
	}
	return "", fmt.Errorf("adapters: device status %q: %w", s, clientele.ErrInvalid)
}

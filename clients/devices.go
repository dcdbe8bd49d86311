package clients

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/adapters"
	"github.com/clientele-go/clientele/audit"
	"github.com/clientele-go/clientele/authz"
	"github.com/clientele-go/clientele/internal/secret"
	"github.com/clientele-go/clientele/internal/textcheck"
	"github.com/clientele-go/clientele/outbox"
)

// The outbox operations of the device changes (seed 002, Persistence worker
// and Messaging tables). Each is delivered by DeviceHandlers.
const (
	// OpDeviceState pushes the lock (DX002) and activation (DA005) state last
	// asked for to the Persistence adapter.
	OpDeviceState = "DX002"
	// OpSendTransferToken mints a device transfer's one-time token, stores its
	// digest and sends it through Messaging (the token half of DT003).
	OpSendTransferToken = "DT003"
	// OpMoveDevice moves a device whose transfer was confirmed to its new
	// client at the Persistence adapter (DT003 + DT004 there).
	OpMoveDevice = "DT004"
	// OpResetDevicePIN sets a new PIN at the Persistence adapter (DA006) and
	// sends it through Messaging (MD001).
	OpResetDevicePIN = "DA006"
)

// Entity kinds of the device effects (outbox.Entity.Kind).
const (
	EntityDevice         = "device"
	EntityDeviceTransfer = "device-transfer"
	EntityDevicePIN      = "device-pin"
)

// MaxTransferAttempts is how many tokens a device transfer compares before it
// is dead (DESIGN §7: reserved before the comparison).
const MaxTransferAttempts = adapters.MaxTransferAttempts

// DefaultTransferTTL is how long a device transfer token is valid.
const DefaultTransferTTL = adapters.DefaultTransferTTL

// ErrInvalidTransferToken is the one answer to every failed confirmation of a
// device transfer: a wrong token, one already used, an expired or cancelled
// transfer, a transfer whose attempts are spent, or one whose token has not
// been sent yet. It names the field "token" and is a clientele.ErrInvalid.
var ErrInvalidTransferToken error = clientele.NewValidationError("token", "invalid",
	"is wrong, expired or already used")

// DeviceStore is what the device operations need from clientele's own
// database beyond Store. storage.ClientStore implements it; the Service finds
// it on its Store by type assertion (a Store without it fails every device
// change with clientele.ErrUnavailable).
//
// Every change writes its audit entry and its effects in the same transaction
// (the caller's, when ctx carries one).
type DeviceStore interface {
	// ChangeDeviceState loads the device's requested state (the zero state,
	// at version 0, when none was recorded), sets its version one higher and
	// calls fn with it; fn sets what is asked. The state is written with fn's
	// audit entry and effects. An error from fn writes nothing.
	ChangeDeviceState(ctx context.Context, tenantID, deviceID string, fn func(*DeviceState) (Change, error)) (DeviceState, error)
	// DeviceState returns the device's requested state, or ErrNotFound.
	DeviceState(ctx context.Context, tenantID, deviceID string) (DeviceState, error)
	// CreateTransfer cancels the device's pending transfers and records t,
	// with ch.
	CreateTransfer(ctx context.Context, t DeviceTransfer, ch Change) error
	// Transfer returns one transfer (without its token digest), or ErrNotFound.
	Transfer(ctx context.Context, tenantID, id string) (DeviceTransfer, error)
	// SetTransferToken stores digest as the live token of a pending transfer
	// that has not expired at now, and fails with ErrPrecondition otherwise.
	SetTransferToken(ctx context.Context, tenantID, id, digest string, now time.Time) error
	// ReserveTransferAttempt takes one attempt at a pending transfer whose
	// token was sent, that has not expired at now and has fewer than limit
	// attempts, in one conditional statement, and returns the transfer's token
	// digest. Any other transfer is ErrNotFound. However many callers reserve
	// at once, at most limit succeed.
	ReserveTransferAttempt(ctx context.Context, tenantID, id string, limit int, now time.Time) (digest string, err error)
	// ConfirmTransfer marks a pending, unexpired transfer confirmed at now
	// (only one caller wins; the others get ErrPrecondition) and writes ch.
	ConfirmTransfer(ctx context.Context, tenantID, id string, now time.Time, ch Change) (DeviceTransfer, error)
	// RecordDeviceChange writes ch alone.
	RecordDeviceChange(ctx context.Context, ch Change) error
}

// DeviceState is the lock and activation state a back-office member last asked
// for a device, delivered to the Persistence adapter by the outbox. A nil field
// was never asked.
type DeviceState struct {
	TenantID string `json:"-"`
	DeviceID string `json:"deviceId"`
	ClientID string `json:"-"`
	Locked   *bool  `json:"locked,omitempty"`
	Active   *bool  `json:"active,omitempty"`
	// Version counts the requests; the handler delivers only the newest.
	Version   int64     `json:"version"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// DeviceRequest is the answer to a device change: accepted and committed, to
// be delivered to the adapters by the outbox.
type DeviceRequest struct {
	Reference string `json:"reference"`
	DeviceID  string `json:"deviceId"`
	// Locked and Active echo what was asked (CL010, CL012).
	Locked *bool `json:"locked,omitempty"`
	Active *bool `json:"active,omitempty"`
	// Status is outbox.Pending: the adapter learns of it after the commit.
	Status outbox.Status `json:"status"`
}

// TransferStatus is where a device transfer stands.
type TransferStatus = adapters.TransferStatus

// DeviceTransfer is a transfer of a device to another client (CL011).
type DeviceTransfer struct {
	ID            string         `json:"id"`
	TenantID      string         `json:"-"`
	DeviceID      string         `json:"deviceId"`
	FromClientID  string         `json:"-"`
	FromReference string         `json:"reference"`
	ToClientID    string         `json:"-"`
	ToReference   string         `json:"toReference"`
	Status        TransferStatus `json:"status"`
	Attempts      int            `json:"attempts"`
	ExpiresAt     time.Time      `json:"expiresAt"`
	CreatedBy     string         `json:"-"`
	CreatedAt     time.Time      `json:"createdAt"`
	ConfirmedAt   *time.Time     `json:"confirmedAt,omitempty"`
}

// DeviceInput names one device of one client.
type DeviceInput struct {
	Reference string `json:"reference"`
	DeviceID  string `json:"deviceId"`
}

// LockInput locks or unlocks a device (CL010).
type LockInput struct {
	DeviceInput
	Locked *bool `json:"locked"`
}

// ActivateInput activates or deactivates a device (CL012).
type ActivateInput struct {
	DeviceInput
	Active *bool `json:"active"`
}

// TransferInput starts moving a device to another client (CL011).
type TransferInput struct {
	DeviceInput
	ToReference string `json:"toReference"`
}

// ConfirmTransferInput completes a transfer with the token the client received.
type ConfirmTransferInput struct {
	TransferID string `json:"transferId"`
	Token      string `json:"token"`
}

// Input limits of the device operations.
const (
	maxDeviceID = 64
	maxToken    = 128
)

func (in DeviceInput) check(verr *clientele.ValidationError) {
	if in.Reference == "" {
		verr.Add("reference", "required", "is required")
	}
	textcheck.Line(verr, "reference", in.Reference, maxReference)
	if in.DeviceID == "" {
		verr.Add("deviceId", "required", "is required")
	}
	textcheck.Line(verr, "deviceId", in.DeviceID, maxDeviceID)
}

func (s *Service) deviceStore() (DeviceStore, error) {
	ds, ok := s.store.(DeviceStore)
	if !ok {
		return nil, fmt.Errorf("the client store keeps no device state: %w", clientele.ErrUnavailable)
	}
	return ds, nil
}

func (s *Service) persistence() (adapters.Persistence, error) {
	if s.adapters.Persistence == nil {
		return nil, fmt.Errorf("no Persistence adapter is configured: %w", clientele.ErrUnavailable)
	}
	return s.adapters.Persistence, nil
}

// noDevice is the error of a missing device, and of one that belongs to
// another client.
func noDevice(id string) error {
	return fmt.Errorf("device %s: %w", id, clientele.ErrNotFound)
}

// deviceOf authorizes op on the client and reads the device from the
// Persistence adapter: a device of another client is answered as a missing
// one.
func (s *Service) deviceOf(ctx context.Context, p authz.Principal, op authz.Operation, in DeviceInput, verr *clientele.ValidationError) (Client, adapters.Device, error) {
	if err := s.az.AuthorizeOperation(ctx, p, op); err != nil {
		return Client{}, adapters.Device{}, err
	}
	in.check(verr)
	if err := verr.OrNil(); err != nil {
		return Client{}, adapters.Device{}, err
	}
	c, _, err := s.readAuthorized(ctx, p, op, in.Reference)
	if err != nil {
		return Client{}, adapters.Device{}, err
	}
	pa, err := s.persistence()
	if err != nil {
		return Client{}, adapters.Device{}, err
	}
	d, err := pa.GetDevice(ctx, p.TenantID, in.DeviceID)
	if errors.Is(err, clientele.ErrNotFound) || (err == nil && d.ClientID != c.ID) {
		return Client{}, adapters.Device{}, noDevice(in.DeviceID)
	}
	if err != nil {
		return Client{}, adapters.Device{}, err
	}
	return c, d, nil
}

// ListDevices returns the client's devices as the Persistence adapter holds
// them, oldest first (CL007, DL001).
func (s *Service) ListDevices(ctx context.Context, p authz.Principal, reference string) ([]adapters.Device, error) {
	c, _, err := s.readAuthorized(ctx, p, authz.OpListDevices, reference)
	if err != nil {
		return nil, fmt.Errorf("clients: list devices of %s: %w", reference, err)
	}
	pa, err := s.persistence()
	if err != nil {
		return nil, fmt.Errorf("clients: list devices of %s: %w", reference, err)
	}
	ds, err := pa.ListDevices(ctx, p.TenantID, c.ID)
	if err != nil {
		return nil, fmt.Errorf("clients: list devices of %s: %w", reference, err)
	}
	return ds, nil
}

// LockDevice locks or unlocks a device of the client (CL010). The request is
// committed with its audit entry and an effect that sets it at the
// Persistence adapter (DX002); see DeviceHandlers for why the state arrives in
// order.
func (s *Service) LockDevice(ctx context.Context, p authz.Principal, in LockInput) (DeviceRequest, error) {
	verr := &clientele.ValidationError{}
	if in.Locked == nil {
		verr.Add("locked", "required", "is required: true locks, false unlocks")
	}
	return s.setDeviceState(ctx, p, authz.OpLockDevice, in.DeviceInput, verr, "locked", func(st *DeviceState) {
		st.Locked = in.Locked
	})
}

// ActivateDevice activates or deactivates a device of the client (CL012),
// like LockDevice (DA005).
func (s *Service) ActivateDevice(ctx context.Context, p authz.Principal, in ActivateInput) (DeviceRequest, error) {
	verr := &clientele.ValidationError{}
	if in.Active == nil {
		verr.Add("active", "required", "is required: true activates, false deactivates")
	}
	return s.setDeviceState(ctx, p, authz.OpActivateDevice, in.DeviceInput, verr, "active", func(st *DeviceState) {
		st.Active = in.Active
	})
}

func (s *Service) setDeviceState(ctx context.Context, p authz.Principal, op authz.Operation, in DeviceInput, verr *clientele.ValidationError, field string, set func(*DeviceState)) (DeviceRequest, error) {
	fail := func(err error) (DeviceRequest, error) {
		return DeviceRequest{}, fmt.Errorf("clients: %s device %s: %w", field, in.DeviceID, err)
	}
	ds, err := s.deviceStore()
	if err != nil {
		return fail(err)
	}
	c, _, err := s.deviceOf(ctx, p, op, in, verr)
	if err != nil {
		return fail(err)
	}
	now := s.stamp()
	st, err := ds.ChangeDeviceState(ctx, p.TenantID, in.DeviceID, func(st *DeviceState) (Change, error) {
		st.ClientID, st.UpdatedAt = c.ID, now
		set(st)
		e, err := deviceEntry(p, op, EntityDevice, in.DeviceID, now, map[string]any{"clientId": c.ID, field: fieldValue(st, field)})
		if err != nil {
			return Change{}, err
		}
		return Change{Audit: e, Effects: []outbox.Effect{{
			TenantID: p.TenantID, Op: OpDeviceState, Target: outbox.Persistence,
			Entity: outbox.Entity{Kind: EntityDevice, ID: in.DeviceID},
			Key:    fmt.Sprintf("device:%s:state:v%d", in.DeviceID, st.Version),
		}}}, nil
	})
	if err != nil {
		return fail(err)
	}
	return DeviceRequest{Reference: c.Reference, DeviceID: in.DeviceID, Locked: st.Locked, Active: st.Active, Status: outbox.Pending}, nil
}

// ResetDevicePIN asks for a new PIN for a device of the client (CL013): the
// outbox handler draws it, sets its hash at the Persistence adapter (DA006)
// and sends it to the client through Messaging (MD001). The PIN is never
// returned, logged, audited or stored in clear.
func (s *Service) ResetDevicePIN(ctx context.Context, p authz.Principal, in DeviceInput) (DeviceRequest, error) {
	fail := func(err error) (DeviceRequest, error) {
		return DeviceRequest{}, fmt.Errorf("clients: reset PIN of device %s: %w", in.DeviceID, err)
	}
	ds, err := s.deviceStore()
	if err != nil {
		return fail(err)
	}
	c, d, err := s.deviceOf(ctx, p, authz.OpResetDevicePIN, in, &clientele.ValidationError{})
	if err != nil {
		return fail(err)
	}
	if d.Status != adapters.DeviceActive {
		return fail(fmt.Errorf("device %s is %s: %w", d.ID, d.Status, clientele.ErrPrecondition))
	}
	id, err := uuid.NewV7()
	if err != nil {
		return fail(err)
	}
	now := s.stamp()
	// The PIN itself is drawn by the handler: the entry names the change only.
	e, err := deviceEntry(p, authz.OpResetDevicePIN, EntityDevice, in.DeviceID, now, map[string]any{"clientId": c.ID, "pin": "reset"})
	if err != nil {
		return fail(err)
	}
	err = ds.RecordDeviceChange(ctx, Change{Audit: e, Effects: []outbox.Effect{{
		TenantID: p.TenantID, Op: OpResetDevicePIN, Target: outbox.Persistence,
		// The entity is the device: two resets of one device are delivered one
		// at a time. The key tells the resets apart.
		Entity: outbox.Entity{Kind: EntityDevicePIN, ID: in.DeviceID},
		Key:    "device-pin:" + id.String(),
	}}})
	if err != nil {
		return fail(err)
	}
	return DeviceRequest{Reference: c.Reference, DeviceID: in.DeviceID, Status: outbox.Pending}, nil
}

// InitiateTransfer starts moving a device of the client to another client
// (CL011). Both clients must be in the principal's reach and the new one
// active. The transfer is committed with its audit entry and an effect that
// sends a one-time token to the device's current client (DT003); a transfer
// of the same device still pending is cancelled. ConfirmTransfer completes it.
func (s *Service) InitiateTransfer(ctx context.Context, p authz.Principal, in TransferInput) (DeviceTransfer, error) {
	fail := func(err error) (DeviceTransfer, error) {
		return DeviceTransfer{}, fmt.Errorf("clients: transfer device %s: %w", in.DeviceID, err)
	}
	ds, err := s.deviceStore()
	if err != nil {
		return fail(err)
	}
	verr := &clientele.ValidationError{}
	if in.ToReference == "" {
		verr.Add("toReference", "required", "is required")
	} else if in.ToReference == in.Reference {
		verr.Add("toReference", "nefield", "must be another client")
	}
	textcheck.Line(verr, "toReference", in.ToReference, maxReference)
	from, d, err := s.deviceOf(ctx, p, authz.OpTransferDevice, in.DeviceInput, verr)
	if err != nil {
		return fail(err)
	}
	to, _, err := s.readAuthorized(ctx, p, authz.OpTransferDevice, in.ToReference)
	if err != nil {
		return fail(err)
	}
	if to.State != Active {
		return fail(fmt.Errorf("client %s is %s, not active: %w", to.Reference, to.State, clientele.ErrPrecondition))
	}
	if d.Status != adapters.DeviceActive {
		return fail(fmt.Errorf("device %s is %s: %w", d.ID, d.Status, clientele.ErrPrecondition))
	}
	id, err := uuid.NewV7()
	if err != nil {
		return fail(err)
	}
	now := s.stamp()
	t := DeviceTransfer{
		ID: id.String(), TenantID: p.TenantID, DeviceID: d.ID,
		FromClientID: from.ID, FromReference: from.Reference, ToClientID: to.ID, ToReference: to.Reference,
		Status: adapters.TransferPending, ExpiresAt: now.Add(DefaultTransferTTL), CreatedBy: p.UserID, CreatedAt: now,
	}
	e, err := deviceEntry(p, authz.OpTransferDevice, EntityDeviceTransfer, t.ID, now,
		map[string]any{"deviceId": d.ID, "fromClientId": from.ID, "toClientId": to.ID, "status": t.Status})
	if err != nil {
		return fail(err)
	}
	err = ds.CreateTransfer(ctx, t, Change{Audit: e, Effects: []outbox.Effect{{
		TenantID: p.TenantID, Op: OpSendTransferToken, Target: outbox.Messaging,
		Entity: outbox.Entity{Kind: EntityDeviceTransfer, ID: t.ID}, Key: "device-transfer:" + t.ID + ":token",
	}}})
	if err != nil {
		return fail(err)
	}
	return t, nil
}

// ConfirmTransfer completes a device transfer with the one-time token the
// client received (CL011). The principal must still reach both clients; the
// transfer is otherwise answered as a missing one.
//
// One attempt is reserved (DeviceStore.ReserveTransferAttempt) before the
// token is compared: at most MaxTransferAttempts comparisons are ever made
// for one transfer, however many confirmations arrive at once. Every failure
// is ErrInvalidTransferToken after the same hashing work. The right token
// marks the transfer confirmed (once) and commits an effect that moves the
// device at the Persistence adapter (DT004).
func (s *Service) ConfirmTransfer(ctx context.Context, p authz.Principal, in ConfirmTransferInput) (DeviceTransfer, error) {
	fail := func(err error) (DeviceTransfer, error) {
		return DeviceTransfer{}, fmt.Errorf("clients: confirm device transfer %s: %w", in.TransferID, err)
	}
	if err := s.az.AuthorizeOperation(ctx, p, authz.OpTransferDevice); err != nil {
		return fail(err)
	}
	verr := &clientele.ValidationError{}
	if in.TransferID == "" {
		verr.Add("transferId", "required", "is required")
	}
	textcheck.Line(verr, "transferId", in.TransferID, maxDeviceID)
	if in.Token == "" {
		verr.Add("token", "required", "is required")
	}
	textcheck.Line(verr, "token", in.Token, maxToken)
	if err := verr.OrNil(); err != nil {
		return fail(err)
	}
	ds, err := s.deviceStore()
	if err != nil {
		return fail(err)
	}
	missing := fmt.Errorf("device transfer %s: %w", in.TransferID, clientele.ErrNotFound)
	t, err := ds.Transfer(ctx, p.TenantID, in.TransferID)
	if errors.Is(err, clientele.ErrNotFound) {
		return fail(missing)
	}
	if err != nil {
		return fail(err)
	}
	for _, ref := range []string{t.FromReference, t.ToReference} {
		if _, _, err := s.readAuthorized(ctx, p, authz.OpTransferDevice, ref); err != nil {
			if errors.Is(err, clientele.ErrNotFound) {
				return fail(missing)
			}
			return fail(err)
		}
	}
	now := s.stamp()
	digest, err := ds.ReserveTransferAttempt(ctx, p.TenantID, t.ID, MaxTransferAttempts, now)
	if errors.Is(err, clientele.ErrNotFound) {
		s.compareToken("", in.Token)
		return fail(ErrInvalidTransferToken)
	}
	if err != nil {
		return fail(err)
	}
	if !s.compareToken(digest, in.Token) {
		return fail(ErrInvalidTransferToken)
	}
	e, err := deviceEntry(p, authz.OpTransferDevice, EntityDeviceTransfer, t.ID, now,
		map[string]any{"deviceId": t.DeviceID, "toClientId": t.ToClientID, "status": adapters.TransferConfirmed})
	if err != nil {
		return fail(err)
	}
	done, err := ds.ConfirmTransfer(ctx, p.TenantID, t.ID, now, Change{Audit: e, Effects: []outbox.Effect{{
		TenantID: p.TenantID, Op: OpMoveDevice, Target: outbox.Persistence,
		Entity: outbox.Entity{Kind: EntityDeviceTransfer, ID: t.ID}, Key: "device-transfer:" + t.ID + ":move",
	}}})
	if errors.Is(err, clientele.ErrPrecondition) {
		return fail(ErrInvalidTransferToken) // a concurrent confirmation won, or it expired meanwhile
	}
	if err != nil {
		return fail(err)
	}
	return done, nil
}

// deviceEntry is the audit entry of a device change: the fields after holds,
// with their values (never a token or a PIN).
func deviceEntry(p authz.Principal, op authz.Operation, kind, id string, at time.Time, after map[string]any) (audit.Entry, error) {
	raw, err := json.Marshal(after)
	if err != nil {
		return audit.Entry{}, err
	}
	changed := slices.Sorted(maps.Keys(after))
	return audit.Entry{TenantID: p.TenantID, Actor: p.UserID, Operation: string(op), EntityType: kind, EntityID: id,
		Changed: changed, After: raw, At: at}, nil
}

// fieldValue is the requested value of field ("locked" or "active") of st.
func fieldValue(st *DeviceState, field string) any {
	b := st.Locked
	if field == "active" {
		b = st.Active
	}
	if b == nil {
		return nil
	}
	return *b
}

// dummyDigest is compared against when there is no digest to compare with, so
// a refused attempt costs what a real comparison costs.
var dummyDigest = secret.Digest("clientele: no device transfer token")

// compareToken reports whether token hashes to digest, in constant time;
// with digest "" it does the same work against a dummy and reports false.
func (s *Service) compareToken(digest, token string) bool {
	if s.observeToken != nil {
		s.observeToken(digest != "", token)
	}
	if digest == "" {
		_ = secret.Equal(dummyDigest, secret.Digest(token))
		return false
	}
	return secret.Equal(digest, secret.Digest(token))
}

func (s *Service) stamp() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

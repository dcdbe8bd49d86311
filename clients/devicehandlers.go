package clients

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/adapters"
	"github.com/clientele-go/clientele/internal/secret"
	"github.com/clientele-go/clientele/outbox"
)

// DeviceHandlers returns the outbox handlers of the device changes, for the
// dispatcher (storage.DB.NewDispatcher), over the adapters given to the
// Service (WithAdapters). Without a Persistence adapter it returns none, and
// without Messaging none of the handlers that send (the dispatcher then marks
// those effects skipped). The Service's store must implement DeviceStore.
//
//   - OpDeviceState is state-based: it reads the device's requested state and
//     sets it at the adapter under a key naming its version. The dispatcher
//     delivers the effects of one device one at a time and its Progress only
//     moves forward, so an older request that runs late sends nothing.
//   - OpSendTransferToken mints the token when it sends it: a fresh 256-bit
//     token, whose digest becomes the transfer's live token while the
//     transfer is pending, sent to the device's current client (SMS when the
//     client has a phone, email otherwise) under a key of its own. An attempt
//     retried after its message went out mints and sends again: the client may
//     receive two messages, and the later one carries the only token that
//     works. Neither the token nor its digest is in the effect.
//   - OpMoveDevice is state-based: a device already with the new client is
//     done; one that changed hands since is parked; otherwise it initiates the
//     transfer at the adapter with a fresh token that never leaves the handler
//     and confirms it at once. A retry initiates again, which supersedes an
//     earlier pending transfer at the adapter.
//   - OpResetDevicePIN draws a 6-digit PIN, stores its argon2id hash at the
//     adapter and sends the PIN to the device's client (MD001), each under a
//     key of its own: a retry after a failed send sets and sends a new PIN, so
//     the PIN last sent is the one that works.
func (s *Service) DeviceHandlers() outbox.Handlers {
	hs := outbox.Handlers{}
	if s.adapters.Persistence == nil {
		return hs
	}
	hs[OpDeviceState] = outbox.HandlerFunc(s.deliverDeviceState)
	hs[OpMoveDevice] = outbox.HandlerFunc(s.deliverMove)
	if s.adapters.Messaging != nil {
		hs[OpSendTransferToken] = outbox.HandlerFunc(s.deliverTransferToken)
		hs[OpResetDevicePIN] = outbox.HandlerFunc(s.deliverPINReset)
	}
	return hs
}

func (s *Service) deliverDeviceState(ctx context.Context, d outbox.Delivery) (outbox.Progress, error) {
	ds, err := s.deviceStore()
	if err != nil {
		return d.Progress, outbox.Permanent(err)
	}
	st, err := ds.DeviceState(ctx, d.TenantID, d.Entity.ID)
	if err != nil {
		return d.Progress, deviceError(fmt.Errorf("clients: device %s state: %w", d.Entity.ID, err))
	}
	if d.Progress.Version >= st.Version {
		return d.Progress, nil // this state or a newer one was delivered
	}
	pa := s.adapters.Persistence
	if st.Locked != nil {
		_, err := pa.SetDeviceLock(ctx, adapters.SetDeviceLockRequest{TenantID: d.TenantID, DeviceID: st.DeviceID,
			Locked: *st.Locked, IdempotencyKey: fmt.Sprintf("device:%s:lock:v%d", st.DeviceID, st.Version)})
		if err != nil {
			return d.Progress, deviceError(fmt.Errorf("clients: lock device %s: %w", st.DeviceID, err))
		}
	}
	if st.Active != nil {
		_, err := pa.SetDeviceActive(ctx, adapters.SetDeviceActiveRequest{TenantID: d.TenantID, DeviceID: st.DeviceID,
			Active: *st.Active, IdempotencyKey: fmt.Sprintf("device:%s:active:v%d", st.DeviceID, st.Version)})
		if err != nil {
			return d.Progress, deviceError(fmt.Errorf("clients: activate device %s: %w", st.DeviceID, err))
		}
	}
	return outbox.Progress{Created: true, Version: st.Version}, nil
}

// recipientOf is where a message to client c goes: its phone by SMS, else
// its email.
func recipientOf(c Client) (adapters.Channel, string, error) {
	switch {
	case c.Contact.Phone != "":
		return adapters.SMS, c.Contact.Phone, nil
	case c.Contact.Email != "":
		return adapters.Email, c.Contact.Email, nil
	}
	return "", "", fmt.Errorf("client %s has neither phone nor email: %w", c.Reference, clientele.ErrPrecondition)
}

// deviceError parks at once what a retry cannot fix: besides classify's
// kinds, a precondition (a device deactivated or a client without contact
// details); an operator replays the effect once it is fixed.
func deviceError(err error) error {
	if errors.Is(err, clientele.ErrPrecondition) {
		return outbox.Permanent(err)
	}
	return classify(err)
}

func mintID() (string, error) {
	id, err := uuid.NewV7()
	if err != nil {
		return "", err
	}
	return id.String(), nil
}

func (s *Service) deliverTransferToken(ctx context.Context, d outbox.Delivery) (outbox.Progress, error) {
	fail := func(err error) (outbox.Progress, error) {
		return d.Progress, deviceError(fmt.Errorf("clients: send token of device transfer %s: %w", d.Entity.ID, err))
	}
	ds, err := s.deviceStore()
	if err != nil {
		return d.Progress, outbox.Permanent(err)
	}
	t, err := ds.Transfer(ctx, d.TenantID, d.Entity.ID)
	if err != nil {
		return fail(err)
	}
	now := s.stamp()
	if t.Status != adapters.TransferPending || !now.Before(t.ExpiresAt) {
		return d.Progress, nil // superseded, confirmed or expired: nothing to send
	}
	c, err := s.store.GetByID(ctx, d.TenantID, t.FromClientID)
	if err != nil {
		return fail(err)
	}
	channel, to, err := recipientOf(c)
	if err != nil {
		return fail(err)
	}
	token := secret.Token()
	if err := ds.SetTransferToken(ctx, d.TenantID, t.ID, secret.Digest(token), now); err != nil {
		if errors.Is(err, clientele.ErrPrecondition) {
			return d.Progress, nil // confirmed, cancelled or expired meanwhile
		}
		return fail(err)
	}
	mint, err := mintID()
	if err != nil {
		return fail(err)
	}
	_, err = s.adapters.Messaging.Send(ctx, adapters.Message{
		TenantID: d.TenantID, Kind: adapters.KindDeviceTransferToken, Channel: channel, Recipient: to, ClientID: c.ID,
		Params:         map[string]string{adapters.ParamToken: token, adapters.ParamDevice: t.DeviceID},
		IdempotencyKey: d.Key + ":" + mint,
	})
	if err != nil {
		return fail(err)
	}
	return outbox.Progress{Created: true, Version: d.Progress.Version}, nil
}

func (s *Service) deliverMove(ctx context.Context, d outbox.Delivery) (outbox.Progress, error) {
	fail := func(err error) (outbox.Progress, error) {
		return d.Progress, deviceError(fmt.Errorf("clients: move device of transfer %s: %w", d.Entity.ID, err))
	}
	ds, err := s.deviceStore()
	if err != nil {
		return d.Progress, outbox.Permanent(err)
	}
	t, err := ds.Transfer(ctx, d.TenantID, d.Entity.ID)
	if err != nil {
		return fail(err)
	}
	if t.Status != adapters.TransferConfirmed {
		return fail(fmt.Errorf("transfer is %s: %w", t.Status, clientele.ErrPrecondition))
	}
	pa := s.adapters.Persistence
	dev, err := pa.GetDevice(ctx, d.TenantID, t.DeviceID)
	if err != nil {
		return fail(err)
	}
	switch dev.ClientID {
	case t.ToClientID:
		return outbox.Progress{Created: true, Version: d.Progress.Version}, nil
	case t.FromClientID:
	default:
		return d.Progress, outbox.Permanent(fmt.Errorf("clients: move device %s: it changed hands since the transfer began: %w",
			dev.ID, clientele.ErrPrecondition))
	}
	mint, err := mintID()
	if err != nil {
		return fail(err)
	}
	token := secret.Token()
	at, err := pa.InitiateDeviceTransfer(ctx, adapters.InitiateDeviceTransferRequest{
		TenantID: d.TenantID, DeviceID: dev.ID, ToClientID: t.ToClientID, TokenHash: adapters.HashToken(token),
		IdempotencyKey: d.Key + ":" + mint + ":initiate",
	})
	if err != nil {
		return fail(err)
	}
	_, err = pa.ConfirmDeviceTransfer(ctx, adapters.ConfirmDeviceTransferRequest{
		TenantID: d.TenantID, TransferID: at.ID, Token: token, IdempotencyKey: d.Key + ":" + mint + ":confirm",
	})
	if err != nil {
		return fail(err)
	}
	return outbox.Progress{Created: true, Version: d.Progress.Version}, nil
}

func (s *Service) deliverPINReset(ctx context.Context, d outbox.Delivery) (outbox.Progress, error) {
	fail := func(err error) (outbox.Progress, error) {
		return d.Progress, deviceError(fmt.Errorf("clients: reset PIN of device %s: %w", d.Entity.ID, err))
	}
	pa := s.adapters.Persistence
	dev, err := pa.GetDevice(ctx, d.TenantID, d.Entity.ID)
	if err != nil {
		return fail(err)
	}
	if dev.Status != adapters.DeviceActive {
		return fail(fmt.Errorf("device is %s: %w", dev.Status, clientele.ErrPrecondition))
	}
	c, err := s.store.GetByID(ctx, d.TenantID, dev.ClientID)
	if err != nil {
		return fail(err)
	}
	channel, to, err := recipientOf(c)
	if err != nil {
		return fail(err)
	}
	pin := secret.Code()
	s.pinsOnce.Do(func() { s.pins, s.pinsErr = secret.NewHasher(secret.OWASP(), 0) })
	if s.pinsErr != nil {
		return fail(s.pinsErr)
	}
	hash, err := s.pins.Hash(ctx, pin)
	if err != nil {
		return fail(err)
	}
	mint, err := mintID()
	if err != nil {
		return fail(err)
	}
	key := d.Key + ":" + mint
	if _, err := pa.ResetDevicePIN(ctx, adapters.ResetDevicePINRequest{
		TenantID: d.TenantID, DeviceID: dev.ID, PINHash: hash, IdempotencyKey: key,
	}); err != nil {
		return fail(err)
	}
	device := dev.Name
	if device == "" {
		device = dev.ID
	}
	_, err = s.adapters.Messaging.Send(ctx, adapters.Message{
		TenantID: d.TenantID, Kind: adapters.KindDevicePINReset, Channel: channel, Recipient: to, ClientID: c.ID,
		Params:         map[string]string{adapters.ParamPIN: pin, adapters.ParamDevice: device},
		IdempotencyKey: key + ":MD001",
	})
	if err != nil {
		return fail(err)
	}
	return outbox.Progress{Created: true, Version: d.Progress.Version}, nil
}

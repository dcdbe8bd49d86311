package users

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/adapters"
	"github.com/clientele-go/clientele/internal/secret"
	"github.com/clientele-go/clientele/outbox"
)

// The outbox operations of this package: the effects its changes declare,
// delivered after commit by the dispatcher through Handlers.
const (
	// OpSendInvitation sends an invitation's code through adapters.Messaging
	// (message kind adapters.KindInvitation; the seeds give invitations no
	// operation code of their own, so it is named after the messaging codes
	// MW001–MD001).
	OpSendInvitation = "MI001"
	// OpCreateDID creates a borrower's decentralised identifier through
	// adapters.Identity (the seeds' identity operations stop at IU003).
	OpCreateDID = "IU004"
)

// EntityKind is the outbox entity kind of a user.
const EntityKind = "user"

// invitationParams is what an OpSendInvitation effect carries: the ID of the
// invitation's code row, never the code (Params is stored in clear).
type invitationParams struct {
	Invitation string `json:"invitation"`
}

// invitationEffect declares the sending of invitation code c to u.
func invitationEffect(u User, c *Code) (outbox.Effect, error) {
	raw, err := json.Marshal(invitationParams{Invitation: c.ID})
	if err != nil {
		return outbox.Effect{}, err
	}
	return outbox.Effect{
		TenantID: u.TenantID, Op: OpSendInvitation, Target: outbox.Messaging,
		Entity: outbox.Entity{Kind: EntityKind, ID: u.ID}, Key: "user:" + u.ID + ":invite:" + c.ID, Params: raw,
	}, nil
}

// didEffect declares the creation of borrower u's DID.
func didEffect(u User) outbox.Effect {
	return outbox.Effect{
		TenantID: u.TenantID, Op: OpCreateDID, Target: outbox.Identity,
		Entity: outbox.Entity{Kind: EntityKind, ID: u.ID}, Key: "user:" + u.ID + ":did",
	}
}

// Handlers returns the outbox handlers of the effects the service declares,
// for the dispatcher (storage.DB.NewDispatcher): OpSendInvitation through the
// service's Messaging adapter and OpCreateDID through its Identity adapter.
// An app that starts no dispatcher sends no invitation and creates no DID.
//
// The invitation handler mints the code when it sends it: it draws a fresh
// code, stores only its hash as the invitation's live code (provided the user
// is still invited and no newer invitation or registration superseded this
// one), then sends it under an idempotency key of its own. An attempt that is
// retried after its message went out (the dispatcher failed to record the
// success) mints and sends again: the user may receive two messages, and the
// later one carries the only code that works. An invitation superseded by a
// Reinvite or a registration sends nothing.
//
// The DID handler is state-based: a user that already has a DID is left
// alone, and every attempt asks the Identity adapter under the same
// idempotency key, so a retry after a crash returns the DID created the first
// time instead of a second one.
func (s *Service) Handlers() outbox.Handlers {
	return outbox.Handlers{
		OpSendInvitation: outbox.HandlerFunc(s.deliverInvitation),
		OpCreateDID:      outbox.HandlerFunc(s.deliverDID),
	}
}

func (s *Service) deliverInvitation(ctx context.Context, d outbox.Delivery) (outbox.Progress, error) {
	var p invitationParams
	if err := json.Unmarshal(d.Params, &p); err != nil || p.Invitation == "" {
		return d.Progress, outbox.Permanent(fmt.Errorf("users: invitation effect %s names no invitation: %w", d.Key, clientele.ErrInvalid))
	}
	a, err := s.store.Get(ctx, d.TenantID, d.Entity.ID)
	if err != nil {
		return d.Progress, handlerError("send invitation", err)
	}
	if a.User.State != Invited {
		return d.Progress, nil // registered meanwhile: nothing to send
	}
	plain := secret.Code()
	h, err := s.hasher.Hash(ctx, plain)
	if err != nil {
		return d.Progress, err
	}
	ttl := s.emailCodeTTL
	if a.User.Type.usesPhone() {
		ttl = s.smsCodeTTL
	}
	u, c, err := s.store.MintCode(ctx, d.TenantID, d.Entity.ID, p.Invitation, h, s.clock().Add(ttl))
	if errors.Is(err, clientele.ErrPrecondition) {
		return d.Progress, nil // superseded: a newer invitation or a registration
	}
	if err != nil {
		return d.Progress, handlerError("send invitation", err)
	}
	// Each minted code goes out under its own key: the adapter may repeat this
	// request, never confuse it with the sending of an earlier code.
	mint, err := newID()
	if err != nil {
		return d.Progress, err
	}
	msg := adapters.Message{
		TenantID: u.TenantID, Kind: adapters.KindInvitation, ClientID: u.ClientID,
		Params:         map[string]string{adapters.ParamCode: plain, adapters.ParamName: u.Name, adapters.ParamExpiresIn: shortDuration(ttl)},
		IdempotencyKey: "users.invitation." + c.ID + "." + mint,
	}
	if c.Channel == string(adapters.SMS) {
		msg.Channel, msg.Recipient = adapters.SMS, u.Phone
	} else {
		msg.Channel, msg.Recipient = adapters.Email, u.Email
		if s.portalURL != "" {
			msg.Params[adapters.ParamLink] = s.portalURL
		}
	}
	if _, err := s.msg.Send(ctx, msg); err != nil {
		return d.Progress, handlerError("send invitation", err)
	}
	return outbox.Progress{Created: true, Version: d.Progress.Version}, nil
}

func (s *Service) deliverDID(ctx context.Context, d outbox.Delivery) (outbox.Progress, error) {
	a, err := s.store.Get(ctx, d.TenantID, d.Entity.ID)
	if err != nil {
		return d.Progress, handlerError("create DID", err)
	}
	if a.User.DID != "" || a.User.Type != Borrower {
		return outbox.Progress{Created: a.User.DID != "", Version: d.Progress.Version}, nil
	}
	subject := a.User.ClientID
	if subject == "" {
		subject = a.User.ID
	}
	did, err := s.ident.CreateDID(ctx, adapters.CreateDIDRequest{
		TenantID: d.TenantID, SubjectID: subject, Phone: a.User.Phone, IdempotencyKey: "users.did." + a.User.ID,
	})
	if err != nil {
		return d.Progress, handlerError("create DID", err)
	}
	if _, err := s.store.SetDID(ctx, d.TenantID, a.User.ID, did.DID); err != nil {
		return d.Progress, handlerError("create DID", err)
	}
	return outbox.Progress{Created: true, Version: d.Progress.Version}, nil
}

// handlerError parks at once what a retry cannot fix (a user that no longer
// exists, a request the adapter refused as invalid, forbidden or conflicting)
// and leaves everything else to be retried.
func handlerError(what string, err error) error {
	err = fmt.Errorf("users: %s: %w", what, err)
	switch {
	case errors.Is(err, clientele.ErrInvalid), errors.Is(err, clientele.ErrForbidden),
		errors.Is(err, clientele.ErrConflict), errors.Is(err, clientele.ErrNotFound):
		return outbox.Permanent(err)
	}
	return err
}

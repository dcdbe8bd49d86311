package clients

import (
	"context"
	"errors"
	"fmt"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/adapters"
	"github.com/clientele-go/clientele/outbox"
)

// The adapter operations a client's create and update imply (seeds 001/002):
// the profile is pushed to core banking (CC001/CC002), identity (IU001/IU002)
// and the CRM (HP001/HP002).
const (
	OpSyncCoreBankingCreate = "CC001"
	OpSyncCoreBankingUpdate = "CC002"
	OpSyncIdentityCreate    = "IU001"
	OpSyncIdentityUpdate    = "IU002"
	OpSyncCRMCreate         = "HP001"
	OpSyncCRMUpdate         = "HP002"
)

// EntityKind is the outbox entity kind of a client.
const EntityKind = "client"

type syncTarget struct {
	target           outbox.Target
	createOp, update string
}

var syncTargets = [...]syncTarget{
	{outbox.CoreBanking, OpSyncCoreBankingCreate, OpSyncCoreBankingUpdate},
	{outbox.Identity, OpSyncIdentityCreate, OpSyncIdentityUpdate},
	{outbox.CRM, OpSyncCRMCreate, OpSyncCRMUpdate},
}

// syncEffects declares the pushes of c at the version it is being written
// with: one per adapter. Each is state-based (the handler sends the client as it
// is when the effect runs), so the keys only need to tell the changes apart.
func syncEffects(c Client, create bool) []outbox.Effect {
	out := make([]outbox.Effect, 0, len(syncTargets))
	for _, t := range syncTargets {
		op, key := t.update, fmt.Sprintf("client:%s:%s:v%d", c.ID, t.target, c.Version)
		if create {
			op = t.createOp
		}
		out = append(out, outbox.Effect{
			TenantID: c.TenantID, Op: op, Target: t.target,
			Entity: outbox.Entity{Kind: EntityKind, ID: c.ID}, Key: key,
		})
	}
	return out
}

// ClientReader reads a client by ID; Store implements it.
type ClientReader interface {
	GetByID(ctx context.Context, tenantID, id string) (Client, error)
}

// SyncHandlers returns the outbox handlers that push clients to a, for the
// dispatcher (storage.DB.NewDispatcher).
//
// Each handler sends the client's current state, so effects may run in any
// order: a create is made before any update reaches the adapter (an update that
// runs first creates the client), and an update older than what was already
// delivered sends nothing. The create's idempotency key is the same for every
// attempt and every effect of the client, so the adapter creates it once; when
// the client changed before its create was delivered, the create is followed by
// an update with the current state, since a create replayed by the adapter
// returns what it stored first.
func SyncHandlers(r ClientReader, a Adapters) outbox.Handlers {
	hs := outbox.Handlers{}
	add := func(t syncTarget, push pusher) {
		h := &syncHandler{r: r, target: t.target, push: push}
		hs[t.createOp], hs[t.update] = h, h
	}
	if a.CoreBanking != nil {
		add(syncTargets[0], coreBankingPusher{a.CoreBanking})
	}
	if a.Identity != nil {
		add(syncTargets[1], identityPusher{a.Identity})
	}
	if a.CRM != nil {
		add(syncTargets[2], crmPusher{a.CRM})
	}
	return hs
}

type pusher interface {
	create(ctx context.Context, tenantID, clientID string, p adapters.Profile, key string) error
	update(ctx context.Context, tenantID, clientID string, p adapters.Profile, key string) error
}

type syncHandler struct {
	r      ClientReader
	target outbox.Target
	push   pusher
}

func (h *syncHandler) Deliver(ctx context.Context, d outbox.Delivery) (outbox.Progress, error) {
	c, err := h.r.GetByID(ctx, d.TenantID, d.Entity.ID)
	if errors.Is(err, clientele.ErrNotFound) {
		return d.Progress, outbox.Permanent(err)
	}
	if err != nil {
		return d.Progress, err
	}
	p := d.Progress
	if c.State == Archiving || c.State == Archived {
		// The archive saga deactivates the client at every adapter; its
		// profile is no longer pushed.
		return p, nil
	}
	profile := c.AdapterProfile()
	if !p.Created {
		key := fmt.Sprintf("client:%s:%s:create", c.ID, h.target)
		if err := h.push.create(ctx, c.TenantID, c.ID, profile, key); err != nil {
			return p, classify(err)
		}
		p.Created = true
		if c.Version == 1 {
			// Version 1 is the only state a create of this client ever sent.
			return outbox.Progress{Created: true, Version: 1}, nil
		}
	}
	if p.Version >= c.Version {
		return p, nil // a later effect already sent this state or a newer one
	}
	key := fmt.Sprintf("client:%s:%s:v%d", c.ID, h.target, c.Version)
	if err := h.push.update(ctx, c.TenantID, c.ID, profile, key); err != nil {
		return p, classify(err)
	}
	return outbox.Progress{Created: true, Version: c.Version}, nil
}

// classify parks at once what a retry cannot fix: the adapter refused the
// request as invalid, forbidden, conflicting or about an unknown client.
func classify(err error) error {
	if isRefusal(err) {
		return outbox.Permanent(err)
	}
	return err
}

// AdapterProfile is the client as the adapter contracts carry it.
func (c Client) AdapterProfile() adapters.Profile {
	p := adapters.Profile{
		Type: c.Type, Reference: c.Reference,
		Email: c.Contact.Email, Phone: c.Contact.Phone, OfficeID: c.OfficeID,
	}
	if in := c.Individual; in != nil {
		p.FirstName, p.MiddleName, p.LastName = in.FirstName, in.MiddleName, in.LastName
		p.DateOfBirth, p.Gender, p.NationalID = in.DateOfBirth, in.Gender, in.NationalID
	}
	if co := c.Corporate; co != nil {
		p.LegalName, p.RegistrationNumber, p.TaxID = co.LegalName, co.RegistrationNumber, co.TaxID
	}
	if a := c.Contact.Address; a != nil {
		p.Address = a.Line1
		if a.Line2 != "" {
			p.Address += ", " + a.Line2
		}
		p.Address += ", " + a.City
		if a.PostalCode != "" {
			p.Address += " " + a.PostalCode
		}
		p.Address += ", " + a.Country
	}
	return p
}

type coreBankingPusher struct{ a adapters.CoreBanking }

func (x coreBankingPusher) create(ctx context.Context, tenantID, id string, p adapters.Profile, key string) error {
	_, err := x.a.CreateClient(ctx, adapters.CreateClientRequest{TenantID: tenantID, ClientID: id, Profile: p, IdempotencyKey: key})
	return err
}

func (x coreBankingPusher) update(ctx context.Context, tenantID, id string, p adapters.Profile, key string) error {
	_, err := x.a.UpdateClient(ctx, adapters.UpdateClientRequest{TenantID: tenantID, ClientID: id, Profile: p, IdempotencyKey: key})
	return err
}

type identityPusher struct{ a adapters.Identity }

func (x identityPusher) create(ctx context.Context, tenantID, id string, p adapters.Profile, key string) error {
	_, err := x.a.CreateUser(ctx, adapters.CreateUserRequest{TenantID: tenantID, SubjectID: id, Profile: p, IdempotencyKey: key})
	return err
}

func (x identityPusher) update(ctx context.Context, tenantID, id string, p adapters.Profile, key string) error {
	_, err := x.a.UpdateUser(ctx, adapters.UpdateUserRequest{TenantID: tenantID, SubjectID: id, Profile: p, IdempotencyKey: key})
	return err
}

type crmPusher struct{ a adapters.CRM }

func (x crmPusher) create(ctx context.Context, tenantID, id string, p adapters.Profile, key string) error {
	_, err := x.a.CreatePartner(ctx, adapters.CreatePartnerRequest{TenantID: tenantID, ClientID: id, Profile: p, IdempotencyKey: key})
	return err
}

func (x crmPusher) update(ctx context.Context, tenantID, id string, p adapters.Profile, key string) error {
	_, err := x.a.UpdatePartner(ctx, adapters.UpdatePartnerRequest{TenantID: tenantID, ClientID: id, Profile: p, IdempotencyKey: key})
	return err
}

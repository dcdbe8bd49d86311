package portal

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/audit"
	"github.com/clientele-go/clientele/authz"
	"github.com/clientele-go/clientele/clients"
	"github.com/clientele-go/clientele/internal/textcheck"
	"github.com/clientele-go/clientele/users"
)

// AuditEntity is the audit entity kind of a portal access change: the
// client's (the access is part of the client, seed 000).
const AuditEntity = "client"

func noClient(reference string) error {
	return fmt.Errorf("client %s: %w", reference, clientele.ErrNotFound)
}

// resourceOf is the authorization resource of a client.
func resourceOf(c clients.Client) authz.Resource {
	return authz.Resource{TenantID: c.TenantID, ClientID: c.ID, StaffOwned: c.StaffOwned(),
		StaffAssociateID: c.StaffAssociateID, OfficeID: c.OfficeID, AssignedAssociates: c.AssignedAssociateIDs}
}

// Access returns the portal access of the client with this reference. The
// client is read as clients.Service.Get reads it (CL002, within the
// principal's data scope); a client without portal access is ErrNotFound.
func (s *Service) Access(ctx context.Context, p authz.Principal, reference string) (Access, error) {
	c, err := s.clients.Get(ctx, p, reference)
	if err != nil {
		return Access{}, fmt.Errorf("portal: access of %s: %w", reference, err)
	}
	a, err := s.store.Access(ctx, p.TenantID, c.ID)
	if errors.Is(err, clientele.ErrNotFound) {
		return Access{}, fmt.Errorf("portal: client %s has no portal access: %w", reference, clientele.ErrNotFound)
	}
	if err != nil {
		return Access{}, fmt.Errorf("portal: access of %s: %w", reference, err)
	}
	return a, nil
}

// SetAccess grants, changes or revokes the portal access of the client with
// this reference (seed 000: client edit toggles portal access and edits its
// roles), as an update of the client (CL004, also for a client in the
// principal's data scope only; a client out of reach is ErrNotFound like a
// missing one).
//
// Granting (no access yet; in.Version 0) creates the linked customer user
// through package users, in the same transaction as the access and its audit
// entry (the caller's, when ctx carries one): an investor invited by email
// when in.Username is an email address, a borrower invited by SMS when it is
// an E.164 phone number, with in.Roles, linked to the client. Inviting needs
// the principal to be allowed to invite users (US001, a node operator or an
// originator admin, who may grant the roles): otherwise nothing is written.
// A username already used in the tenant, by a portal access or by any user's
// email or phone, is a *clientele.ValidationError naming
// portalAccess.username ("already taken").
//
// Changing (in.Version the access's version): in.Roles replaces the user's
// roles (users.AssignRoles); in.Enabled false revokes access (its user is
// blocked, which ends its sessions at once, if it has registered; an
// invited user simply cannot use the portal), true restores it (the user is
// unblocked). The username cannot change.
func (s *Service) SetAccess(ctx context.Context, p authz.Principal, reference string, in AccessInput) (Access, error) {
	fail := func(err error) (Access, error) {
		return Access{}, fmt.Errorf("portal: set access of %s: %w", reference, err)
	}
	if err := s.az.AuthorizeOperation(ctx, p, authz.OpUpdateClient); err != nil {
		return fail(err)
	}
	if err := checkAccessInput(&in); err != nil {
		return fail(err)
	}
	c, err := s.clients.Get(ctx, p, reference)
	if errors.Is(err, clientele.ErrNotFound) {
		return fail(noClient(reference))
	}
	if err != nil {
		return fail(err)
	}
	if err := s.az.Authorize(ctx, p, authz.OpUpdateClient, resourceOf(c)); errors.Is(err, clientele.ErrForbidden) {
		return fail(noClient(reference))
	} else if err != nil {
		return fail(err)
	}
	var out Access
	err = s.store.InTx(ctx, func(ctx context.Context) error {
		cur, err := s.store.Access(ctx, c.TenantID, c.ID)
		switch {
		case errors.Is(err, clientele.ErrNotFound):
			out, err = s.grant(ctx, p, c, in)
			return err
		case err != nil:
			return err
		}
		out, err = s.change(ctx, p, c, cur, in)
		return err
	})
	if err != nil {
		return fail(err)
	}
	return out, nil
}

// checkAccessInput trims the username and checks the input's strings before
// anything looks them up.
func checkAccessInput(in *AccessInput) error {
	in.Username = strings.TrimSpace(in.Username)
	v := &clientele.ValidationError{}
	textcheck.Line(v, "portalAccess.username", in.Username, MaxUsernameLen)
	for i, r := range in.Roles {
		authz.CheckCode(v, fmt.Sprintf("portalAccess.roles[%d]", i), r)
	}
	if in.Version < 0 {
		v.Add("portalAccess.version", "min", "must not be negative")
	}
	return v.OrNil()
}

// grant creates the access and its user.
func (s *Service) grant(ctx context.Context, p authz.Principal, c clients.Client, in AccessInput) (Access, error) {
	v := &clientele.ValidationError{}
	if in.Version != 0 {
		return Access{}, fmt.Errorf("the client has no portal access yet (version 0): %w", clientele.ErrConflict)
	}
	if in.Username == "" {
		v.Add("portalAccess.username", "required", "is required to grant portal access")
	}
	if len(in.Roles) == 0 {
		v.Add("portalAccess.roles", "required", "at least one customer role is required to grant portal access")
	}
	invite := users.InviteInput{Name: c.DisplayName, ClientID: c.ID, Roles: in.Roles}
	switch {
	case in.Username == "":
	case strings.Contains(in.Username, "@"):
		in.Username = strings.ToLower(in.Username)
		invite.Type, invite.Email = users.Investor, in.Username
	case strings.HasPrefix(in.Username, "+"):
		invite.Type, invite.Phone = users.Borrower, in.Username
	default:
		v.Add("portalAccess.username", "format", "must be an email address or an E.164 phone number")
	}
	if err := v.OrNil(); err != nil {
		return Access{}, err
	}
	u, err := s.users.Invite(ctx, p, invite, "")
	if err != nil {
		return Access{}, userProblem(err)
	}
	now := s.clock()
	enabled := in.Enabled == nil || *in.Enabled
	a := Access{TenantID: c.TenantID, ClientID: c.ID, UserID: u.ID, Username: in.Username,
		Roles: slices.Clone(in.Roles), Enabled: enabled, CreatedAt: now, UpdatedAt: now}
	entry := audit.Entry{TenantID: c.TenantID, Actor: p.UserID, Operation: string(authz.OpUpdateClient),
		EntityType: AuditEntity, EntityID: c.ID, At: now,
		Changed: []string{"portalAccess.username", "portalAccess.roles", "portalAccess.enabled", "portalAccess.userId"}}
	return s.store.PutAccess(ctx, a, 0, entry)
}

// change edits an existing access and its user.
func (s *Service) change(ctx context.Context, p authz.Principal, c clients.Client, cur Access, in AccessInput) (Access, error) {
	if in.Version != cur.Version {
		return Access{}, fmt.Errorf("portal access of client %s is at version %d, not %d: %w", c.Reference, cur.Version, in.Version, clientele.ErrConflict)
	}
	if in.Username != "" && !strings.EqualFold(in.Username, cur.Username) {
		return Access{}, clientele.NewValidationError("portalAccess.username", "immutable", "cannot be changed once access is granted")
	}
	next := cur
	var changed []string
	if in.Roles != nil && !slices.Equal(in.Roles, cur.Roles) {
		if _, err := s.users.AssignRoles(ctx, p, cur.UserID, in.Roles); err != nil {
			return Access{}, userProblem(err)
		}
		next.Roles = slices.Clone(in.Roles)
		changed = append(changed, "portalAccess.roles")
	}
	if in.Enabled != nil && *in.Enabled != cur.Enabled {
		u, err := s.users.Get(ctx, p, cur.UserID)
		if err != nil {
			return Access{}, userProblem(err)
		}
		switch {
		case !*in.Enabled && u.State == users.Active:
			_, err = s.users.Block(ctx, p, cur.UserID)
		case *in.Enabled && u.State == users.Blocked:
			_, err = s.users.Unblock(ctx, p, cur.UserID)
		}
		if err != nil {
			return Access{}, userProblem(err)
		}
		next.Enabled = *in.Enabled
		changed = append(changed, "portalAccess.enabled")
	}
	if len(changed) == 0 {
		return cur, nil
	}
	now := s.clock()
	next.UpdatedAt = now
	entry := audit.Entry{TenantID: c.TenantID, Actor: p.UserID, Operation: string(authz.OpUpdateClient),
		EntityType: AuditEntity, EntityID: c.ID, At: now, Changed: changed}
	return s.store.PutAccess(ctx, next, cur.Version, entry)
}

// userProblem names the portal access's fields in the problems package users
// reports: a taken email or phone is the username already taken, a bad role
// is portalAccess.roles[i].
func userProblem(err error) error {
	var conflict *users.ConflictError
	if errors.As(err, &conflict) && (conflict.Field == "email" || conflict.Field == "phone") {
		return clientele.NewValidationError("portalAccess.username", "unique", "already taken")
	}
	var verr *clientele.ValidationError
	if !errors.As(err, &verr) {
		return err
	}
	out := &clientele.ValidationError{}
	for _, pr := range verr.Problems {
		switch {
		case pr.Field == "email" || pr.Field == "phone":
			pr.Field = "portalAccess.username"
		case strings.HasPrefix(pr.Field, "roles"):
			pr.Field = "portalAccess." + pr.Field
		}
		out.Add(pr.Field, pr.Rule, pr.Message)
	}
	return out
}

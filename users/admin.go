package users

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/adapters"
	"github.com/clientele-go/clientele/audit"
	"github.com/clientele-go/clientele/authz"
	"github.com/clientele-go/clientele/idempotency"
	"github.com/clientele-go/clientele/internal/keyset"
	"github.com/clientele-go/clientele/outbox"
)

// Audit operations of this package that have no authz operation code.
const (
	AuditBootstrap     = "user.bootstrap"
	AuditRegister      = "user.register"
	AuditPhoneVerified = "user.phone_verified"
	AuditLocked        = "user.locked"
	AuditLogin         = "user.login"
)

// auditEntity is the audit entity type of users.
const auditEntity = "user"

// NodeOperatorInput creates a tenant's node operator at tenant setup.
type NodeOperatorInput struct {
	Email       string   `json:"email"`
	Phone       string   `json:"phone,omitempty"`
	Name        string   `json:"name"`
	AssociateID string   `json:"associateId,omitempty"`
	Roles       []string `json:"roles,omitempty"`
	// Password, when set, activates the operator at once with this password (a
	// demo or a scripted setup). Without it the operator is invited by email like
	// any other user.
	Password string `json:"password,omitempty"`
}

// InviteInput invites a user. Email is required for types that register by
// email or social account, Phone (E.164) for types that register by phone.
// A back-office type needs AssociateID; a customer type needs ClientID.
type InviteInput struct {
	Type        Type     `json:"type"`
	Name        string   `json:"name"`
	Email       string   `json:"email,omitempty"`
	Phone       string   `json:"phone,omitempty"`
	AssociateID string   `json:"associateId,omitempty"`
	ClientID    string   `json:"clientId,omitempty"`
	Roles       []string `json:"roles,omitempty"`
}

func newID() (string, error) {
	id, err := uuid.NewV7()
	if err != nil {
		return "", err
	}
	return id.String(), nil
}

func (s *Service) entry(tenantID, actor, op, userID string, at time.Time, changed ...string) *audit.Entry {
	if changed == nil {
		changed = []string{}
	}
	return &audit.Entry{TenantID: tenantID, Actor: actor, Operation: op, EntityType: auditEntity, EntityID: userID, Changed: changed, At: at}
}

// checkRoles checks role codes against the tenant's catalogue: each distinct,
// existing, and of the user's kind. Problems go into v, naming roles[i]; the
// catalogue is returned for the grant check. tenantID must be set: callers
// check roles only once they know the tenant.
func (s *Service) checkRoles(ctx context.Context, v *clientele.ValidationError, tenantID string, kind authz.PermissionType, roles []string) (*authz.Catalogue, error) {
	seen := map[string]bool{}
	for i, r := range roles {
		if f := fmt.Sprintf("roles[%d]", i); authz.CheckCode(v, f, r) && seen[r] {
			v.Add(f, "role", "must be a distinct role code")
		}
		seen[r] = true
	}
	cat, err := s.cats.Catalogue(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	if len(roles) == 0 {
		return cat, nil
	}
	err = cat.ValidatePrincipal(authz.Principal{TenantID: tenantID, Kind: kind, Roles: roles})
	var verr *clientele.ValidationError
	switch {
	case err == nil:
	case errors.As(err, &verr):
		v.Problems = append(v.Problems, verr.Problems...)
	default:
		return nil, err
	}
	return cat, nil
}

// checkGrant checks that admin may grant roles (authz.Catalogue.CheckGrantRoles):
// admin must be able to grant every back-office permission of every role.
// The node operator is exempt. It reads admin's roles from its stored account,
// not from the principal.
func checkGrant(cat *authz.Catalogue, admin Account, roles []string) error {
	if admin.User.Type == NodeOperator {
		return nil
	}
	return cat.CheckGrantRoles(admin.User.Principal(), roles)
}

// errHidden marks a user the actor may not touch; it is answered exactly as a
// missing user (noUser), so that nobody learns which users exist beyond those
// it may administer.
var errHidden = errors.New("hidden user")

// noUser is the error of a missing user, and of one the actor may not touch.
func noUser(userID string) error {
	return fmt.Errorf("user %s: %w", userID, clientele.ErrNotFound)
}

// hideMissing turns a missing or hidden user into noUser.
func hideMissing(userID string, err error) error {
	if errors.Is(err, errHidden) || errors.Is(err, clientele.ErrNotFound) {
		return noUser(userID)
	}
	return err
}

// IsNodeOperator reports whether p is an active node operator of its tenant (by
// its stored account). It implements authz.NodeOperators, so that the role
// service exempts the node operator as this service does.
//
// A user's type is fixed when it is created, so a user this service has
// seen to be of another type (by Authenticate or an earlier call) is
// answered without a read; a node operator's state is read every time.
func (s *Service) IsNodeOperator(ctx context.Context, p authz.Principal) (bool, error) {
	if t, ok := s.types.get(p.TenantID, p.UserID); ok && t != NodeOperator {
		return false, nil
	}
	a, err := s.store.Get(ctx, p.TenantID, p.UserID)
	if errors.Is(err, clientele.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("users: node operator: %w", err)
	}
	s.types.put(p.TenantID, p.UserID, a.User.Type)
	return a.User.State == Active && a.User.Type == NodeOperator, nil
}

// userTypesMax bounds the users whose type a Service remembers: when full,
// it forgets them all and reads them again.
const userTypesMax = 100_000

// userTypes remembers users' types, which never change; safe for concurrent
// use.
type userTypes struct {
	mu sync.RWMutex
	m  map[[2]string]Type
}

func (c *userTypes) get(tenantID, userID string) (Type, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	t, ok := c.m[[2]string{tenantID, userID}]
	return t, ok
}

func (c *userTypes) put(tenantID, userID string, t Type) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= userTypesMax {
		c.m = map[[2]string]Type{}
	}
	c.m[[2]string{tenantID, userID}] = t
}

// Bootstrap creates the tenant's node operator (seed 003: "created by the Node
// operator during organization setup"). It is for setup code, not for a public
// route: it authorizes nobody. It runs once per tenant: calling it again with the
// same input returns the operator created then (so a restarting demo may call it
// every time, however long after); with another input it fails with
// ErrConflict. Without a password the operator is invited by email.
//
// The operator's AssociateID is optional, since a tenant being set up has no
// associate yet (an associate needs an office and a classification, which the
// operator creates). When given, it must name an active associate of the
// tenant (a *clientele.ValidationError naming associateId otherwise), checked
// when the operator is created, not on a replay.
//
// "The same input" is judged against the tenant's node operator as stored:
// name, email, phone, associate and roles (in any order); the password is not
// compared. Two first bootstraps of one tenant racing each other are kept apart
// by an idempotency key (principal "system", operation user.bootstrap): one
// creates the operator, the other replays it, or fails with ErrConflict when
// its input differs or, on PostgreSQL, while the first is still in flight.
func (s *Service) Bootstrap(ctx context.Context, tenantID string, in NodeOperatorInput) (User, error) {
	in.Email = normEmail(in.Email)
	v := &clientele.ValidationError{}
	checkRequired(v, "tenantId", tenantID)
	checkRequired(v, "name", in.Name)
	checkLen(v, "name", in.Name, 200)
	checkLen(v, "associateId", in.AssociateID, 64)
	checkEmail(v, "email", in.Email, true)
	checkPhone(v, "phone", in.Phone, false)
	if in.Password != "" {
		checkPassword(v, "password", in.Password)
	}
	if tenantID != "" { // a missing tenant is already one of v's problems
		if _, err := s.checkRoles(ctx, v, tenantID, authz.Backoffice, in.Roles); err != nil {
			return User{}, fmt.Errorf("users: bootstrap: %w", err)
		}
	}
	if err := v.OrNil(); err != nil {
		return User{}, fmt.Errorf("users: bootstrap: %w", err)
	}
	existing, found, err := s.nodeOperator(ctx, tenantID)
	if err != nil {
		return User{}, fmt.Errorf("users: bootstrap: %w", err)
	}
	if found {
		if !sameOperator(existing, in) {
			return User{}, errBootstrappedOtherwise
		}
		return existing, nil
	}
	if in.AssociateID != "" {
		if err := s.checkAssociate(ctx, tenantID, in.AssociateID); err != nil {
			return User{}, fmt.Errorf("users: bootstrap: %w", err)
		}
	}
	// The password stays out of the request hash: a fast hash of it must not be
	// stored anywhere.
	hashed := in
	hashed.Password = ""
	rh, err := idempotency.Hash(hashed)
	if err != nil {
		return User{}, fmt.Errorf("users: bootstrap: %w", err)
	}
	id, err := newID()
	if err != nil {
		return User{}, fmt.Errorf("users: bootstrap: %w", err)
	}
	now := s.clock()
	a := Account{User: User{
		ID: id, TenantID: tenantID, Type: NodeOperator, State: Invited, Name: in.Name,
		Email: in.Email, Phone: in.Phone, AssociateID: in.AssociateID, Roles: nonNil(in.Roles),
		Version: 1, CreatedAt: now, UpdatedAt: now,
	}}
	var code *Code
	var effects []outbox.Effect
	if in.Password != "" {
		if a.PasswordHash, err = s.hasher.Hash(ctx, in.Password); err != nil {
			return User{}, fmt.Errorf("users: bootstrap: %w", err)
		}
		a.User.State, a.User.ActivatedAt = Active, now
	} else {
		var e outbox.Effect
		if code, e, err = s.newInvitation(a.User, now); err != nil {
			return User{}, fmt.Errorf("users: bootstrap: %w", err)
		}
		effects = append(effects, e)
	}
	idem := idempotency.Key{Principal: "system", Operation: AuditBootstrap, Value: string(NodeOperator), RequestHash: rh}
	saved, _, err := s.store.Create(ctx, a, code, idem, *s.entry(tenantID, "system", AuditBootstrap, id, now, "type", "state", "email", "roles"), effects...)
	var taken *ConflictError
	if errors.Is(err, clientele.ErrConflict) && !errors.As(err, &taken) {
		// A concurrent first bootstrap holds or recorded the key: say so
		// without the internal key.
		return User{}, errBootstrappedOtherwise
	}
	if err != nil {
		return User{}, fmt.Errorf("users: bootstrap: %w", err)
	}
	return saved, nil
}

var errBootstrappedOtherwise = fmt.Errorf("users: bootstrap: the node operator was already bootstrapped with other settings: %w", clientele.ErrConflict)

// nodeOperator returns the tenant's node operator, if it has one.
func (s *Service) nodeOperator(ctx context.Context, tenantID string) (User, bool, error) {
	ops, err := s.store.List(ctx, tenantID, []Type{NodeOperator}, "", 1)
	if err != nil || len(ops) == 0 {
		return User{}, false, err
	}
	return ops[0], true, nil
}

// sameOperator reports whether u is the operator in describes (its password
// aside).
func sameOperator(u User, in NodeOperatorInput) bool {
	have, want := slices.Clone(u.Roles), slices.Clone(in.Roles)
	slices.Sort(have)
	slices.Sort(want)
	return u.Name == in.Name && u.Email == in.Email && u.Phone == in.Phone && u.AssociateID == in.AssociateID &&
		slices.Equal(have, want)
}

func nonNil(roles []string) []string {
	if roles == nil {
		return []string{}
	}
	return append([]string(nil), roles...)
}

// newInvitation returns a new invitation of u, by email or SMS as its type
// registers: its code row, whose secret is not minted yet (Hash ""), and the
// effect that mints and sends it after commit (Service.Handlers).
func (s *Service) newInvitation(u User, now time.Time) (*Code, outbox.Effect, error) {
	id, err := newID()
	if err != nil {
		return nil, outbox.Effect{}, err
	}
	c := &Code{ID: id, TenantID: u.TenantID, UserID: u.ID, Purpose: PurposeInvitation, CreatedAt: now}
	if u.Type.usesPhone() {
		c.Channel, c.ExpiresAt = string(adapters.SMS), now.Add(s.smsCodeTTL)
	} else {
		c.Channel, c.ExpiresAt = string(adapters.Email), now.Add(s.emailCodeTTL)
	}
	e, err := invitationEffect(u, c)
	if err != nil {
		return nil, outbox.Effect{}, err
	}
	return c, e, nil
}

// checkAssociate requires associateID to name an active associate of the
// tenant: a *clientele.ValidationError naming associateId otherwise.
func (s *Service) checkAssociate(ctx context.Context, tenantID, associateID string) error {
	ok, err := s.associates.AssociateExists(ctx, tenantID, associateID)
	if err != nil {
		return err
	}
	if !ok {
		return clientele.NewValidationError("associateId", "exists", "no active associate with this ID in the tenant")
	}
	return nil
}

// administrator loads the principal's own user and checks it may administer
// users: an active node operator or originator admin of the principal's tenant.
func (s *Service) administrator(ctx context.Context, p authz.Principal) (Account, error) {
	a, err := s.store.Get(ctx, p.TenantID, p.UserID)
	if errors.Is(err, clientele.ErrNotFound) {
		return Account{}, fmt.Errorf("acting user %s is unknown: %w", p.UserID, clientele.ErrForbidden)
	}
	if err != nil {
		return Account{}, err
	}
	if a.User.State != Active || !a.User.Type.Administers() {
		return Account{}, fmt.Errorf("only an active node operator or originator admin administers users: %w", clientele.ErrForbidden)
	}
	return a, nil
}

// Invite creates an invited user and queues its invitation, in one
// transaction (the caller's, when ctx carries one): the dispatcher sends it
// after commit (Service.Handlers), by email with the portal link and a 6-digit
// code valid 24 h from its sending (originator admin, investor, node
// operator), or by SMS with a code valid 10 min (originator agent, borrower).
// Invite does not wait for the message: an invitation rolled back with the
// caller's transaction is never sent, and one the Messaging adapter cannot
// take yet is retried until it can.
// Only a node operator or an originator admin may invite (US001), within its own
// tenant, and never a type ranked above its own. Every role must exist and be of
// the user's kind (a *clientele.ValidationError naming roles[i] otherwise), and
// the inviter must be able to grant (authz.Catalogue.CheckGrant) every
// back-office permission of every role it gives (an *authz.GrantError, ErrForbidden); the node operator is exempt. A
// borrower or investor invitation must name in ClientID a client of the same
// tenant that is not archived: a missing, archived or other tenant's client is
// a *clientele.ValidationError naming clientId. A back-office invitation must
// name in AssociateID an active associate of the same tenant: a missing,
// inactive or other tenant's associate is a *clientele.ValidationError naming
// associateId. With an idempotency key (the
// inviter's own, for US001, remembered 24 hours: package idempotency),
// repeating the request returns the user created then (whose invitation is
// already queued) and queues nothing; reusing the key for another request, or
// while the first is still in flight, fails with ErrConflict.
func (s *Service) Invite(ctx context.Context, p authz.Principal, in InviteInput, idempotencyKey string) (User, error) {
	if err := s.az.Authorize(ctx, p, authz.OpInviteUser, authz.Resource{TenantID: p.TenantID}); err != nil {
		return User{}, fmt.Errorf("users: invite: %w", err)
	}
	in.Email = normEmail(in.Email)
	v := &clientele.ValidationError{}
	var cat *authz.Catalogue
	typ, terr := ParseType(string(in.Type))
	if terr != nil {
		v.Add("type", "oneof", "must be node_operator, originator_admin, originator_agent, investor or borrower")
	}
	checkRequired(v, "name", in.Name)
	checkLen(v, "name", in.Name, 200)
	checkLen(v, "associateId", in.AssociateID, 64)
	checkLen(v, "clientId", in.ClientID, 64)
	checkLen(v, "idempotencyKey", idempotencyKey, maxLength("idempotencyKey"))
	if terr == nil {
		checkEmail(v, "email", in.Email, !typ.usesPhone())
		checkPhone(v, "phone", in.Phone, typ.usesPhone())
		switch typ.Kind() {
		case authz.Backoffice:
			checkRequired(v, "associateId", in.AssociateID)
			if in.ClientID != "" {
				v.Add("clientId", "excluded", "a back-office user links to an associate, not a client")
			}
		case authz.Customer:
			checkRequired(v, "clientId", in.ClientID)
			if in.AssociateID != "" {
				v.Add("associateId", "excluded", "a customer user links to a client, not an associate")
			}
		}
		var err error
		if cat, err = s.checkRoles(ctx, v, p.TenantID, typ.Kind(), in.Roles); err != nil {
			return User{}, fmt.Errorf("users: invite: %w", err)
		}
	}
	if err := v.OrNil(); err != nil {
		return User{}, fmt.Errorf("users: invite: %w", err)
	}
	admin, err := s.administrator(ctx, p)
	if err != nil {
		return User{}, fmt.Errorf("users: invite: %w", err)
	}
	if typ.Rank() > admin.User.Type.Rank() {
		return User{}, fmt.Errorf("users: invite: a %s cannot invite a %s: %w", admin.User.Type, typ, clientele.ErrForbidden)
	}
	if err := checkGrant(cat, admin, in.Roles); err != nil {
		return User{}, fmt.Errorf("users: invite: %w", err)
	}
	if typ.Kind() == authz.Customer {
		ok, err := s.clients.ClientExists(ctx, p.TenantID, in.ClientID)
		if err != nil {
			return User{}, fmt.Errorf("users: invite: %w", err)
		}
		if !ok {
			return User{}, fmt.Errorf("users: invite: %w",
				clientele.NewValidationError("clientId", "exists", "no client with this ID in the tenant"))
		}
	} else if err := s.checkAssociate(ctx, p.TenantID, in.AssociateID); err != nil {
		return User{}, fmt.Errorf("users: invite: %w", err)
	}

	id, err := newID()
	if err != nil {
		return User{}, fmt.Errorf("users: invite: %w", err)
	}
	now := s.clock()
	a := Account{User: User{
		ID: id, TenantID: p.TenantID, Type: typ, State: Invited, Name: in.Name, Email: in.Email, Phone: in.Phone,
		AssociateID: in.AssociateID, ClientID: in.ClientID, Roles: nonNil(in.Roles), InvitedBy: p.UserID,
		Version: 1, CreatedAt: now, UpdatedAt: now,
	}}
	code, effect, err := s.newInvitation(a.User, now)
	if err != nil {
		return User{}, fmt.Errorf("users: invite: %w", err)
	}
	idem := idempotency.Key{Principal: p.UserID, Operation: string(authz.OpInviteUser), Value: idempotencyKey}
	if idempotencyKey != "" {
		if idem.RequestHash, err = idempotency.Hash(in); err != nil {
			return User{}, fmt.Errorf("users: invite: %w", err)
		}
	}
	entry := s.entry(p.TenantID, p.UserID, string(authz.OpInviteUser), id, now, "type", "state", "name", "email", "phone", "associateId", "clientId", "roles")
	saved, _, err := s.store.Create(ctx, a, code, idem, *entry, effect)
	if err != nil {
		return User{}, fmt.Errorf("users: invite: %w", err)
	}
	return saved, nil
}

// Reinvite queues a fresh invitation code for an invited user, revoking the
// previous one at once (an SMS code lasts 10 minutes; an email code, 24 hours).
// Like Invite it returns without waiting for the message, and an earlier
// invitation still on its way is not sent any more. It is authorized as an
// invitation (US001) with the same rank rule.
func (s *Service) Reinvite(ctx context.Context, p authz.Principal, userID string) (User, error) {
	if err := s.az.Authorize(ctx, p, authz.OpInviteUser, authz.Resource{TenantID: p.TenantID}); err != nil {
		return User{}, fmt.Errorf("users: reinvite %s: %w", userID, err)
	}
	if err := checkID(userID); err != nil {
		return User{}, fmt.Errorf("users: reinvite: %w", err)
	}
	u, err := s.reinvite(ctx, p, userID)
	if err != nil {
		return User{}, fmt.Errorf("users: reinvite %s: %w", userID, err)
	}
	return u, nil
}

func (s *Service) reinvite(ctx context.Context, p authz.Principal, userID string) (User, error) {
	admin, err := s.administrator(ctx, p)
	if err != nil {
		return User{}, err
	}
	target, err := s.store.Get(ctx, p.TenantID, userID)
	if err != nil {
		return User{}, hideMissing(userID, err)
	}
	if target.User.Type.Rank() > admin.User.Type.Rank() {
		return User{}, noUser(userID)
	}
	now := s.clock()
	code, effect, err := s.newInvitation(target.User, now)
	if err != nil {
		return User{}, err
	}
	saved, err := s.store.Change(ctx, p.TenantID, userID, func(c *Change) error {
		if c.Account.User.State != Invited {
			return fmt.Errorf("user is %s, not invited: %w", c.Account.User.State, clientele.ErrPrecondition)
		}
		c.At = now
		c.Account.User.UpdatedAt = now
		c.RevokeCodes = []Purpose{PurposeInvitation, PurposePINTicket}
		c.Issue = []Code{*code}
		c.Effects = []outbox.Effect{effect}
		c.Audit = s.entry(p.TenantID, p.UserID, string(authz.OpInviteUser), userID, now, "invitation")
		return nil
	})
	if err != nil {
		return User{}, err
	}
	return saved, nil
}

// Page sizes of List.
const (
	DefaultPageSize = 20
	MaxPageSize     = 100
)

// ListRequest asks for one page of users.
type ListRequest struct {
	// Type is "" or "employee"/"backoffice" (back-office users, the default),
	// "customer", or "all" (seed 000).
	Type string `json:"type,omitempty"`
	// Limit is the page size: 0 means DefaultPageSize; at most MaxPageSize.
	Limit int `json:"limit,omitempty"`
	// Cursor is NextCursor of the previous page; empty for the first.
	Cursor string `json:"cursor,omitempty"`
}

// Page is one page of users, newest first.
type Page struct {
	Users      []User `json:"items"`
	NextCursor string `json:"nextCursor,omitempty"`
}

// List returns one page of the tenant's users (US002): back-office users by
// default, customers or all on request.
func (s *Service) List(ctx context.Context, p authz.Principal, req ListRequest) (Page, error) {
	if err := s.az.Authorize(ctx, p, authz.OpListUsers, authz.Resource{TenantID: p.TenantID}); err != nil {
		return Page{}, fmt.Errorf("users: list: %w", err)
	}
	v := &clientele.ValidationError{}
	lt, err := authz.ParseListType(req.Type)
	if err != nil {
		v.Add("type", "oneof", "must be all, employee or customer")
	}
	pr := keyset.Parse(cursorPrefix, req.Cursor, req.Limit, DefaultPageSize, MaxPageSize, v)
	if err := v.OrNil(); err != nil {
		return Page{}, fmt.Errorf("users: list: %w", err)
	}
	var types []Type
	for _, t := range Types() {
		if lt.Includes(t.Kind()) {
			types = append(types, t)
		}
	}
	found, err := s.store.List(ctx, p.TenantID, types, pr.After, pr.Limit+1)
	if err != nil {
		return Page{}, fmt.Errorf("users: list: %w", err)
	}
	var page Page
	page.Users, page.NextCursor = keyset.Page(cursorPrefix, pr, found, func(u User) string { return u.ID })
	return page, nil
}

// Get returns one user of the principal's tenant (authorized as US002 before
// anything is read). A missing user, or one of another tenant, is ErrNotFound.
func (s *Service) Get(ctx context.Context, p authz.Principal, userID string) (User, error) {
	if err := s.az.Authorize(ctx, p, authz.OpListUsers, authz.Resource{TenantID: p.TenantID}); err != nil {
		return User{}, fmt.Errorf("users: get %s: %w", userID, err)
	}
	if err := checkID(userID); err != nil {
		return User{}, fmt.Errorf("users: get: %w", err)
	}
	a, err := s.store.Get(ctx, p.TenantID, userID)
	if err != nil {
		return User{}, fmt.Errorf("users: get %s: %w", userID, hideMissing(userID, err))
	}
	return a.User, nil
}

// Me returns the principal's own user. Any authenticated principal may read
// itself; a principal whose user no longer exists or is not active gets
// ErrUnauthenticated.
func (s *Service) Me(ctx context.Context, p authz.Principal) (User, error) {
	a, err := s.store.Get(ctx, p.TenantID, p.UserID)
	if errors.Is(err, clientele.ErrNotFound) || (err == nil && a.User.State != Active) {
		return User{}, fmt.Errorf("users: me: %w", ErrInvalidSession)
	}
	if err != nil {
		return User{}, fmt.Errorf("users: me: %w", err)
	}
	return a.User, nil
}

// Block blocks an active user (US003): its sessions are revoked at once and it
// cannot log in until unblocked. Only a node operator or an originator admin of
// the same tenant may block, never itself nor a user of a higher type: such a
// user is answered exactly as a missing one (ErrNotFound).
func (s *Service) Block(ctx context.Context, p authz.Principal, userID string) (User, error) {
	return s.setBlocked(ctx, p, userID, authz.OpBlockUser, Active, Blocked)
}

// Unblock restores a blocked user (US004), under the same rules as Block.
func (s *Service) Unblock(ctx context.Context, p authz.Principal, userID string) (User, error) {
	return s.setBlocked(ctx, p, userID, authz.OpUnblockUser, Blocked, Active)
}

func (s *Service) setBlocked(ctx context.Context, p authz.Principal, userID string, op authz.Operation, from, to State) (User, error) {
	verb := "block"
	if to == Active {
		verb = "unblock"
	}
	fail := func(err error) (User, error) { return User{}, fmt.Errorf("users: %s %s: %w", verb, userID, err) }
	if err := s.az.Authorize(ctx, p, op, authz.Resource{TenantID: p.TenantID}); err != nil {
		return fail(err)
	}
	if err := checkID(userID); err != nil {
		return User{}, fmt.Errorf("users: %s: %w", verb, err)
	}
	admin, err := s.administrator(ctx, p)
	if err != nil {
		return fail(err)
	}
	if userID == p.UserID {
		return fail(fmt.Errorf("nobody may %s themselves: %w", verb, clientele.ErrForbidden))
	}
	now := s.clock()
	saved, err := s.store.Change(ctx, p.TenantID, userID, func(c *Change) error {
		u := &c.Account.User
		if u.Type.Rank() > admin.User.Type.Rank() {
			return errHidden
		}
		if u.State != from {
			return fmt.Errorf("user is %s, not %s: %w", u.State, from, clientele.ErrPrecondition)
		}
		u.State, u.UpdatedAt = to, now
		c.At = now
		if to == Blocked {
			c.RevokeSessions = true
		} else {
			// A fresh start: no lockout carried over from before the block.
			c.Account.FailedLogins, c.Account.LockedUntil = 0, time.Time{}
		}
		c.Audit = s.entry(p.TenantID, p.UserID, string(op), userID, now, "state")
		return nil
	})
	if err != nil {
		return fail(hideMissing(userID, err))
	}
	return saved, nil
}

// AssignRoles replaces the roles of a user (US005). Only a node operator or an
// originator admin of the same tenant may, never for itself nor for a user of
// a higher type (answered exactly as a missing user, ErrNotFound). Every role
// must exist and be of the user's kind (a *clientele.ValidationError naming
// roles[i]); the actor must be able to grant (authz.Catalogue.CheckGrant) every
// back-office permission of every role it gives and of every role it takes away (an *authz.GrantError,
// ErrForbidden), the node operator excepted. The audit entry records the roles
// before and after. The new roles apply to the user's
// next request: a session carries no roles of its own.
func (s *Service) AssignRoles(ctx context.Context, p authz.Principal, userID string, roles []string) (User, error) {
	fail := func(err error) (User, error) { return User{}, fmt.Errorf("users: assign roles of %s: %w", userID, err) }
	if err := s.az.Authorize(ctx, p, authz.OpAssignRoles, authz.Resource{TenantID: p.TenantID}); err != nil {
		return fail(err)
	}
	admin, err := s.administrator(ctx, p)
	if err != nil {
		return fail(err)
	}
	if userID == p.UserID {
		return fail(fmt.Errorf("nobody may assign roles to themselves: %w", clientele.ErrForbidden))
	}
	now := s.clock()
	saved, err := s.store.Change(ctx, p.TenantID, userID, func(c *Change) error {
		u := &c.Account.User
		if u.Type.Rank() > admin.User.Type.Rank() {
			return errHidden
		}
		v := &clientele.ValidationError{}
		cat, err := s.checkRoles(ctx, v, p.TenantID, u.Type.Kind(), roles)
		if err != nil {
			return err
		}
		if err := v.OrNil(); err != nil {
			return err
		}
		var removed []string
		for _, r := range u.Roles {
			if !slices.Contains(roles, r) {
				removed = append(removed, r)
			}
		}
		if err := checkGrant(cat, admin, roles); err != nil {
			return err
		}
		if err := checkGrant(cat, admin, removed); err != nil {
			return err
		}
		entry := s.entry(p.TenantID, p.UserID, string(authz.OpAssignRoles), userID, now, "roles")
		if entry.Before, err = json.Marshal(map[string][]string{"roles": nonNil(u.Roles)}); err != nil {
			return err
		}
		if entry.After, err = json.Marshal(map[string][]string{"roles": nonNil(roles)}); err != nil {
			return err
		}
		u.Roles, u.UpdatedAt = nonNil(roles), now
		c.At = now
		c.Audit = entry
		return nil
	})
	if err != nil {
		return fail(hideMissing(userID, err))
	}
	return saved, nil
}

// shortDuration formats d for a message: "24h", "10m", or Go's form otherwise.
func shortDuration(d time.Duration) string {
	switch {
	case d > 0 && d%time.Hour == 0:
		return strconv.FormatInt(int64(d/time.Hour), 10) + "h"
	case d > 0 && d%time.Minute == 0:
		return strconv.FormatInt(int64(d/time.Minute), 10) + "m"
	}
	return d.String()
}

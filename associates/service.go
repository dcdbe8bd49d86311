package associates

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/audit"
	"github.com/clientele-go/clientele/authz"
	"github.com/clientele-go/clientele/internal/keyset"
	"github.com/clientele-go/clientele/users"
)

// The entity types of this package's audit entries.
const (
	AuditOffice         = "office"
	AuditClassification = "classification"
	AuditAssociate      = "associate"
)

// Page sizes of the lists.
const (
	DefaultPageSize = 50
	MaxPageSize     = 200
)

// Cursor prefixes: a cursor of one list is refused by another.
const (
	officeCursor         = "of1:"
	classificationCursor = "cf1:"
	associateCursor      = "as1:"
	entityLinkCursor     = "le1:"
	associateLinkCursor  = "la1:"
)

// Authorizer decides whether a principal may perform an operation;
// *authz.Authorizer implements it.
type Authorizer interface {
	Authorize(ctx context.Context, p authz.Principal, op authz.Operation, r authz.Resource) error
}

// Service manages a tenant's offices, classifications, associates and links.
// Every method takes the acting principal and authorizes the operation in
// the principal's tenant before it validates input or reads anything; it
// then acts only within that tenant, so an ID of another tenant is
// clientele.ErrNotFound, as a missing one.
type Service struct {
	store  Store
	authz  Authorizer
	now    func() time.Time
	users  Users
	atomic Atomic
}

// Option configures a Service.
type Option func(*Service)

// WithClock replaces time.Now (tests).
func WithClock(now func() time.Time) Option { return func(s *Service) { s.now = now } }

// New returns the service on store, authorizing with az. Both are required.
func New(store Store, az Authorizer, opts ...Option) (*Service, error) {
	if store == nil || az == nil {
		return nil, fmt.Errorf("associates: New needs a Store and an Authorizer: %w", clientele.ErrInvalid)
	}
	s := &Service{store: store, authz: az, now: time.Now}
	for _, o := range opts {
		o(s)
	}
	if s.now == nil {
		return nil, fmt.Errorf("associates: New: nil clock: %w", clientele.ErrInvalid)
	}
	if s.users != nil {
		a, ok := store.(Atomic)
		if !ok {
			return nil, fmt.Errorf("associates: New: WithUsers needs a Store that implements Atomic: %w", clientele.ErrInvalid)
		}
		s.atomic = a
	}
	return s, nil
}

func (s *Service) authorize(ctx context.Context, p authz.Principal, op authz.Operation) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.authz.Authorize(ctx, p, op, authz.Resource{TenantID: p.TenantID})
}

func (s *Service) stamp() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

func (s *Service) entry(p authz.Principal, op authz.Operation, typ, id string, changed []string, at time.Time) audit.Entry {
	if changed == nil {
		changed = []string{}
	}
	return audit.Entry{TenantID: p.TenantID, Actor: p.UserID, Operation: string(op), EntityType: typ, EntityID: id, Changed: changed, At: at}
}

func newID() (string, error) {
	id, err := uuid.NewV7()
	if err != nil {
		return "", fmt.Errorf("%w: %w", clientele.ErrUnavailable, err)
	}
	return id.String(), nil
}

// notFound is the error of an ID that cannot name a row.
func notFound(what, id string) error {
	return fmt.Errorf("%s %s: %w", what, shown(id), clientele.ErrNotFound)
}

// checkRef adds a problem when a reference that is set is not an ID.
func checkRef(v *clientele.ValidationError, field, id string, required bool) {
	switch {
	case id == "" && required:
		v.Add(field, "required", "is required")
	case id != "" && !validID(id):
		v.Add(field, "exists", "names nothing in this tenant")
	}
}

func checkVersion(v *clientele.ValidationError, version int64) {
	if version < 1 {
		v.Add("version", "required", "is required: the version you read")
	}
}

// ListRequest asks for one page of a list.
type ListRequest struct {
	// Limit is the page size: 0 means DefaultPageSize; at most MaxPageSize.
	Limit int `json:"limit,omitempty"`
	// Cursor is NextCursor of the previous page; empty for the first.
	Cursor string `json:"cursor,omitempty"`
}

// Page is one page of a list, in ID order; NextCursor fetches the next page
// and is empty on the last one.
type Page[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"nextCursor,omitempty"`
}

func page[T any](prefix string, r keyset.Request, found []T, id func(T) string) Page[T] {
	items, next := keyset.Page(prefix, r, found, id)
	if items == nil {
		items = []T{}
	}
	return Page[T]{Items: items, NextCursor: next}
}

// ---- Offices ----

// NewOffice is the input of CreateOffice.
type NewOffice struct {
	Name string `json:"name"`
	// ParentID is the office to create it under; empty for a root (a head
	// office).
	ParentID string `json:"parentId,omitempty"`
}

// CreateOffice creates an open office (AS002), a root or under an open
// parent, with its audit entry.
func (s *Service) CreateOffice(ctx context.Context, p authz.Principal, in NewOffice) (Office, error) {
	if err := s.authorize(ctx, p, authz.OpCreateOffice); err != nil {
		return Office{}, fmt.Errorf("associates: create office: %w", err)
	}
	v := &clientele.ValidationError{}
	checkName(v, "name", in.Name)
	checkRef(v, "parentId", in.ParentID, false)
	if err := v.OrNil(); err != nil {
		return Office{}, fmt.Errorf("associates: create office: %w", err)
	}
	id, err := newID()
	if err != nil {
		return Office{}, err
	}
	now := s.stamp()
	o := Office{ID: id, TenantID: p.TenantID, ParentID: in.ParentID, Name: in.Name, State: OfficeOpen, Version: 1, CreatedAt: now, UpdatedAt: now}
	changed := []string{"name", "state"}
	if o.ParentID != "" {
		changed = append(changed, "parentId")
	}
	if err := s.store.InsertOffice(ctx, o, s.entry(p, authz.OpCreateOffice, AuditOffice, id, changed, now)); err != nil {
		return Office{}, fmt.Errorf("associates: create office: %w", err)
	}
	return o, nil
}

// GetOffice returns one office of the principal's tenant (AS001).
func (s *Service) GetOffice(ctx context.Context, p authz.Principal, id string) (Office, error) {
	if err := s.authorize(ctx, p, authz.OpListOffices); err != nil {
		return Office{}, fmt.Errorf("associates: get office: %w", err)
	}
	if !validID(id) {
		return Office{}, fmt.Errorf("associates: %w", notFound("office", id))
	}
	o, err := s.store.Office(ctx, p.TenantID, id)
	if err != nil {
		return Office{}, fmt.Errorf("associates: get office: %w", err)
	}
	return o, nil
}

// ListOffices returns one page of the subtree of root (root and every office
// below it, at any depth; all the tenant's offices when root is ""), in ID
// order (AS001). Keyset pages never skip or repeat an office that stays in
// the subtree.
func (s *Service) ListOffices(ctx context.Context, p authz.Principal, root string, req ListRequest) (Page[Office], error) {
	if err := s.authorize(ctx, p, authz.OpListOffices); err != nil {
		return Page[Office]{}, fmt.Errorf("associates: list offices: %w", err)
	}
	if root != "" && !validID(root) {
		return Page[Office]{}, fmt.Errorf("associates: list offices: %w", notFound("office", root))
	}
	v := &clientele.ValidationError{}
	r := keyset.Parse(officeCursor, req.Cursor, req.Limit, DefaultPageSize, MaxPageSize, v)
	if err := v.OrNil(); err != nil {
		return Page[Office]{}, fmt.Errorf("associates: list offices: %w", err)
	}
	found, err := s.store.Offices(ctx, p.TenantID, root, r.After, r.Limit+1)
	if err != nil {
		return Page[Office]{}, fmt.Errorf("associates: list offices: %w", err)
	}
	return page(officeCursor, r, found, func(o Office) string { return o.ID }), nil
}

// RenameOffice renames the office at version (AS003). A stale version fails
// with clientele.ErrConflict and writes nothing; the same name writes nothing.
func (s *Service) RenameOffice(ctx context.Context, p authz.Principal, id string, version int64, name string) (Office, error) {
	if err := s.authorize(ctx, p, authz.OpUpdateOffice); err != nil {
		return Office{}, fmt.Errorf("associates: rename office: %w", err)
	}
	if !validID(id) {
		return Office{}, fmt.Errorf("associates: rename office: %w", notFound("office", id))
	}
	v := &clientele.ValidationError{}
	checkVersion(v, version)
	checkName(v, "name", name)
	if err := v.OrNil(); err != nil {
		return Office{}, fmt.Errorf("associates: rename office: %w", err)
	}
	o, err := s.store.UpdateOffice(ctx, p.TenantID, id, func(o *Office) (audit.Entry, error) {
		if o.Version != version {
			return audit.Entry{}, staleVersion(version, o.Version)
		}
		var changed []string
		if o.Name != name {
			o.Name = name
			changed = append(changed, "name")
		}
		return s.entry(p, authz.OpUpdateOffice, AuditOffice, id, changed, s.stamp()), nil
	})
	if err != nil {
		return Office{}, fmt.Errorf("associates: rename office %s: %w", id, err)
	}
	return o, nil
}

// MoveOffice puts the office at version, with its whole subtree, under
// parentID ("" makes it a root) (AS003). A parent within the office's own
// subtree fails with clientele.ErrPrecondition; so does a closed parent.
func (s *Service) MoveOffice(ctx context.Context, p authz.Principal, id string, version int64, parentID string) (Office, error) {
	if err := s.authorize(ctx, p, authz.OpUpdateOffice); err != nil {
		return Office{}, fmt.Errorf("associates: move office: %w", err)
	}
	if !validID(id) {
		return Office{}, fmt.Errorf("associates: move office: %w", notFound("office", id))
	}
	v := &clientele.ValidationError{}
	checkVersion(v, version)
	checkRef(v, "parentId", parentID, false)
	if err := v.OrNil(); err != nil {
		return Office{}, fmt.Errorf("associates: move office: %w", err)
	}
	o, err := s.store.MoveOffice(ctx, p.TenantID, id, version, parentID,
		s.entry(p, authz.OpUpdateOffice, AuditOffice, id, []string{"parentId"}, s.stamp()))
	if err != nil {
		return Office{}, fmt.Errorf("associates: move office %s: %w", id, err)
	}
	return o, nil
}

// CloseOffice closes the office at version (AS004). It fails with
// clientele.ErrPrecondition, saying why, while the office has an open child
// office or an active associate, or when it is closed already.
func (s *Service) CloseOffice(ctx context.Context, p authz.Principal, id string, version int64) (Office, error) {
	if err := s.authorize(ctx, p, authz.OpCloseOffice); err != nil {
		return Office{}, fmt.Errorf("associates: close office: %w", err)
	}
	if !validID(id) {
		return Office{}, fmt.Errorf("associates: close office: %w", notFound("office", id))
	}
	v := &clientele.ValidationError{}
	checkVersion(v, version)
	if err := v.OrNil(); err != nil {
		return Office{}, fmt.Errorf("associates: close office: %w", err)
	}
	o, err := s.store.CloseOffice(ctx, p.TenantID, id, version,
		s.entry(p, authz.OpCloseOffice, AuditOffice, id, []string{"state"}, s.stamp()))
	if err != nil {
		return Office{}, fmt.Errorf("associates: close office %s: %w", id, err)
	}
	return o, nil
}

func staleVersion(got, cur int64) error {
	return fmt.Errorf("version %d is stale, the current version is %d: %w", got, cur, clientele.ErrConflict)
}

// ---- Classifications ----

// NewClassification is the input of CreateClassification.
type NewClassification struct {
	Name   string    `json:"name"`
	Scope  ScopeMode `json:"scope"`
	Fields []Field   `json:"fields"`
}

// CreateClassification defines a classification and its data table (AS006).
// The input is checked with Classification.Validate; a name the tenant
// already uses fails with clientele.ErrConflict.
func (s *Service) CreateClassification(ctx context.Context, p authz.Principal, in NewClassification) (Classification, error) {
	if err := s.authorize(ctx, p, authz.OpCreateClassification); err != nil {
		return Classification{}, fmt.Errorf("associates: create classification: %w", err)
	}
	c := Classification{TenantID: p.TenantID, Name: in.Name, Scope: in.Scope, Fields: in.Fields}.clone()
	if err := c.Validate(); err != nil {
		return Classification{}, fmt.Errorf("associates: create classification: %w", err)
	}
	id, err := newID()
	if err != nil {
		return Classification{}, err
	}
	now := s.stamp()
	c.ID, c.Version, c.CreatedAt = id, 1, now
	entry := s.entry(p, authz.OpCreateClassification, AuditClassification, id, []string{"name", "scope", "fields"}, now)
	if err := s.store.InsertClassification(ctx, c, entry); err != nil {
		return Classification{}, fmt.Errorf("associates: create classification: %w", err)
	}
	return c, nil
}

// GetClassification returns one classification (AS005).
func (s *Service) GetClassification(ctx context.Context, p authz.Principal, id string) (Classification, error) {
	if err := s.authorize(ctx, p, authz.OpListClassifications); err != nil {
		return Classification{}, fmt.Errorf("associates: get classification: %w", err)
	}
	if !validID(id) {
		return Classification{}, fmt.Errorf("associates: %w", notFound("classification", id))
	}
	c, err := s.store.Classification(ctx, p.TenantID, id)
	if err != nil {
		return Classification{}, fmt.Errorf("associates: get classification: %w", err)
	}
	return c, nil
}

// ListClassifications returns one page of the tenant's classifications in ID
// order (AS005).
func (s *Service) ListClassifications(ctx context.Context, p authz.Principal, req ListRequest) (Page[Classification], error) {
	if err := s.authorize(ctx, p, authz.OpListClassifications); err != nil {
		return Page[Classification]{}, fmt.Errorf("associates: list classifications: %w", err)
	}
	v := &clientele.ValidationError{}
	r := keyset.Parse(classificationCursor, req.Cursor, req.Limit, DefaultPageSize, MaxPageSize, v)
	if err := v.OrNil(); err != nil {
		return Page[Classification]{}, fmt.Errorf("associates: list classifications: %w", err)
	}
	found, err := s.store.Classifications(ctx, p.TenantID, r.After, r.Limit+1)
	if err != nil {
		return Page[Classification]{}, fmt.Errorf("associates: list classifications: %w", err)
	}
	return page(classificationCursor, r, found, func(c Classification) string { return c.ID }), nil
}

// ---- Associates ----

// NewAssociate is the input of CreateAssociate.
type NewAssociate struct {
	OfficeID         string `json:"officeId"`
	ClassificationID string `json:"classificationId"`
	// ParentID is the associate's manager in the hierarchy; empty for none.
	ParentID string         `json:"parentId,omitempty"`
	Name     string         `json:"name"`
	Email    string         `json:"email,omitempty"`
	Phone    string         `json:"phone,omitempty"`
	Agent    bool           `json:"agent,omitempty"`
	Data     map[string]any `json:"data,omitempty"`
	// Access, when set, also invites the associate's back-office user (a
	// Service built WithUsers only).
	Access *Access `json:"access,omitempty"`
}

// CreateAssociate creates an active associate (AS008) in an open office of
// the tenant, with an existing classification whose data table Data must
// satisfy (problems name "data.<field>"), and optionally under an active
// parent associate.
//
// With in.Access it also invites the associate's back-office user
// (users.Service.Invite, as p: US001, the inviter's rank and the
// no-escalation rule apply), named, emailed and phoned as the associate, in
// the same transaction: the associate, the user, their audit entries and the
// invitation's outbox effect commit together or not at all, and join the
// caller's transaction when ctx carries one. Problems of the access name
// "access.type" and "access.roles[i]"; a missing email or phone the user
// needs names "email" or "phone". The created user is in the answer's User.
// A Service without Users refuses Access ("access", clientele.ErrInvalid).
func (s *Service) CreateAssociate(ctx context.Context, p authz.Principal, in NewAssociate) (Associate, error) {
	if err := s.authorize(ctx, p, authz.OpCreateAssociate); err != nil {
		return Associate{}, fmt.Errorf("associates: create associate: %w", err)
	}
	v := &clientele.ValidationError{}
	checkRef(v, "officeId", in.OfficeID, true)
	checkRef(v, "classificationId", in.ClassificationID, true)
	checkRef(v, "parentId", in.ParentID, false)
	checkName(v, "name", in.Name)
	checkEmail(v, in.Email)
	checkPhone(v, in.Phone)
	if in.Access != nil && s.users == nil {
		v.Add("access", "unsupported", "this service gives no back-office access")
	}
	checkAccess(v, in.Access)
	if err := v.OrNil(); err != nil {
		return Associate{}, fmt.Errorf("associates: create associate: %w", err)
	}
	c, err := s.classificationRef(ctx, p.TenantID, in.ClassificationID)
	if err != nil {
		return Associate{}, fmt.Errorf("associates: create associate: %w", err)
	}
	a := Associate{TenantID: p.TenantID, OfficeID: in.OfficeID, ClassificationID: in.ClassificationID, ParentID: in.ParentID,
		Name: in.Name, Email: in.Email, Phone: in.Phone, Agent: in.Agent, State: Active, Data: in.Data}.clone()
	if err := c.ValidateData(a.Data); err != nil {
		return Associate{}, fmt.Errorf("associates: create associate: %w", err)
	}
	if a.Data, err = normalized(a.Data); err != nil {
		return Associate{}, fmt.Errorf("associates: create associate: %w", err)
	}
	if a.ID, err = newID(); err != nil {
		return Associate{}, err
	}
	now := s.stamp()
	a.Version, a.CreatedAt, a.UpdatedAt = 1, now, now
	changed := []string{"officeId", "classificationId", "name", "state", "data"}
	for _, f := range []struct {
		set  bool
		name string
	}{{a.ParentID != "", "parentId"}, {a.Email != "", "email"}, {a.Phone != "", "phone"}, {a.Agent, "agent"}} {
		if f.set {
			changed = append(changed, f.name)
		}
	}
	entry := s.entry(p, authz.OpCreateAssociate, AuditAssociate, a.ID, changed, now)
	if in.Access == nil {
		if err := s.store.InsertAssociate(ctx, a, entry); err != nil {
			return Associate{}, fmt.Errorf("associates: create associate: %w", err)
		}
		return a, nil
	}
	err = s.atomically(ctx, func(ctx context.Context) error {
		if err := s.store.InsertAssociate(ctx, a, entry); err != nil {
			return err
		}
		u, err := s.users.Invite(ctx, p, users.InviteInput{Type: in.Access.Type, Name: a.Name, Email: a.Email, Phone: a.Phone,
			AssociateID: a.ID, Roles: in.Access.Roles}, "")
		if err != nil {
			return fmt.Errorf("back-office access: %w", accessProblems(err))
		}
		a.User = &u
		return nil
	})
	if err != nil {
		return Associate{}, fmt.Errorf("associates: create associate: %w", err)
	}
	return a, nil
}

// classificationRef reads the classification an input names; a missing one
// is a problem with the input.
func (s *Service) classificationRef(ctx context.Context, tenantID, id string) (Classification, error) {
	c, err := s.store.Classification(ctx, tenantID, id)
	if clientele.Kind(err) == clientele.ErrNotFound {
		return Classification{}, clientele.NewValidationError("classificationId", "exists", "names no classification of this tenant")
	}
	return c, err
}

// GetAssociate returns one associate (AS007).
func (s *Service) GetAssociate(ctx context.Context, p authz.Principal, id string) (Associate, error) {
	if err := s.authorize(ctx, p, authz.OpListAssociates); err != nil {
		return Associate{}, fmt.Errorf("associates: get associate: %w", err)
	}
	if !validID(id) {
		return Associate{}, fmt.Errorf("associates: %w", notFound("associate", id))
	}
	a, err := s.store.Associate(ctx, p.TenantID, id)
	if err != nil {
		return Associate{}, fmt.Errorf("associates: get associate: %w", err)
	}
	return a, nil
}

// ListAssociates returns one page of the hierarchy under root (root and every
// associate below it, at any depth: "me and everyone below me"; all the
// tenant's associates when root is ""), in ID order (AS007).
func (s *Service) ListAssociates(ctx context.Context, p authz.Principal, root string, req ListRequest) (Page[Associate], error) {
	if err := s.authorize(ctx, p, authz.OpListAssociates); err != nil {
		return Page[Associate]{}, fmt.Errorf("associates: list associates: %w", err)
	}
	if root != "" && !validID(root) {
		return Page[Associate]{}, fmt.Errorf("associates: list associates: %w", notFound("associate", root))
	}
	v := &clientele.ValidationError{}
	r := keyset.Parse(associateCursor, req.Cursor, req.Limit, DefaultPageSize, MaxPageSize, v)
	if err := v.OrNil(); err != nil {
		return Page[Associate]{}, fmt.Errorf("associates: list associates: %w", err)
	}
	found, err := s.store.Associates(ctx, p.TenantID, root, r.After, r.Limit+1)
	if err != nil {
		return Page[Associate]{}, fmt.Errorf("associates: list associates: %w", err)
	}
	return page(associateCursor, r, found, func(a Associate) string { return a.ID }), nil
}

// Change is an explicit patch of an associate: a nil field is left as it is.
type Change struct {
	// Version is the version the caller read; another one fails with
	// clientele.ErrConflict and changes nothing.
	Version int64   `json:"version"`
	Name    *string `json:"name,omitempty"`
	Email   *string `json:"email,omitempty"`
	Phone   *string `json:"phone,omitempty"`
	// Data, when set, replaces all the associate's data; it is validated
	// against the associate's classification.
	Data *map[string]any `json:"data,omitempty"`
}

// UpdateAssociate applies ch to the associate (AS009), with an audit entry
// naming the changed fields, in one transaction. A change that changes
// nothing writes nothing. A Service built WithUsers passes a new name or
// email on to the associate's users in the same transaction
// (users.Service.FollowLinked): an email another user of the tenant holds
// fails the whole update with clientele.ErrConflict.
func (s *Service) UpdateAssociate(ctx context.Context, p authz.Principal, id string, ch Change) (Associate, error) {
	if err := s.authorize(ctx, p, authz.OpUpdateAssociate); err != nil {
		return Associate{}, fmt.Errorf("associates: update associate: %w", err)
	}
	if !validID(id) {
		return Associate{}, fmt.Errorf("associates: update associate: %w", notFound("associate", id))
	}
	v := &clientele.ValidationError{}
	checkVersion(v, ch.Version)
	if ch.Name != nil {
		checkName(v, "name", *ch.Name)
	}
	if ch.Email != nil {
		checkEmail(v, *ch.Email)
	}
	if ch.Phone != nil {
		checkPhone(v, *ch.Phone)
	}
	if err := v.OrNil(); err != nil {
		return Associate{}, fmt.Errorf("associates: update associate: %w", err)
	}
	var data map[string]any
	if ch.Data != nil {
		data = maps.Clone(*ch.Data)
		if data == nil {
			data = map[string]any{}
		}
		// A classification is fixed once created and an associate keeps its
		// classification, so the data can be checked before the transaction.
		cur, err := s.store.Associate(ctx, p.TenantID, id)
		if err != nil {
			return Associate{}, fmt.Errorf("associates: update associate: %w", err)
		}
		c, err := s.store.Classification(ctx, p.TenantID, cur.ClassificationID)
		if err != nil {
			return Associate{}, fmt.Errorf("associates: update associate: %w", err)
		}
		if err := c.ValidateData(data); err != nil {
			return Associate{}, fmt.Errorf("associates: update associate %s: %w", id, err)
		}
		if data, err = normalized(data); err != nil {
			return Associate{}, fmt.Errorf("associates: update associate %s: %w", id, err)
		}
	}
	var follow users.LinkedChange
	var a Associate
	err := s.atomically(ctx, func(ctx context.Context) error {
		var err error
		a, err = s.store.UpdateAssociate(ctx, p.TenantID, id, func(a *Associate) (audit.Entry, error) {
			if a.Version != ch.Version {
				return audit.Entry{}, staleVersion(ch.Version, a.Version)
			}
			follow = users.LinkedChange{}
			changed := applyChange(a, ch, data)
			if name := a.Name; slices.Contains(changed, "name") {
				follow.Name = &name
			}
			if email := a.Email; slices.Contains(changed, "email") {
				follow.Email = &email
			}
			return s.entry(p, authz.OpUpdateAssociate, AuditAssociate, id, changed, s.stamp()), nil
		})
		if err != nil || (follow.Name == nil && follow.Email == nil) {
			return err
		}
		return s.follow(ctx, p, authz.OpUpdateAssociate, id, follow)
	})
	if err != nil {
		return Associate{}, fmt.Errorf("associates: update associate %s: %w", id, err)
	}
	return a, nil
}

// applyChange applies ch (and data, ch.Data checked) to a and returns the
// fields it changed.
func applyChange(a *Associate, ch Change, data map[string]any) []string {
	var changed []string
	set := func(dst *string, src *string, name string) {
		if src != nil && *src != *dst {
			*dst = *src
			changed = append(changed, name)
		}
	}
	set(&a.Name, ch.Name, "name")
	set(&a.Email, ch.Email, "email")
	set(&a.Phone, ch.Phone, "phone")
	if ch.Data != nil && !sameJSON(a.Data, data) {
		a.Data = data
		changed = append(changed, "data")
	}
	return changed
}

// normalized returns data as it reads back from the store: through JSON, so
// every number is a float64 and json.Number is gone.
func normalized(data map[string]any) (map[string]any, error) {
	raw, err := json.Marshal(data)
	if err != nil {
		return nil, clientele.NewValidationError("data", "json", "must hold only strings, numbers, dates and booleans")
	}
	out := map[string]any{}
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, clientele.NewValidationError("data", "json", "must hold only strings, numbers, dates and booleans")
	}
	return out, nil
}

func sameJSON(a, b map[string]any) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && string(ja) == string(jb)
}

// SetAgent tags (agent true) or untags the associate at version as an agent
// (AS009).
func (s *Service) SetAgent(ctx context.Context, p authz.Principal, id string, version int64, agent bool) (Associate, error) {
	return s.flag(ctx, p, authz.OpUpdateAssociate, "tag agent", id, version, func(a *Associate) []string {
		if a.Agent == agent {
			return nil
		}
		a.Agent = agent
		return []string{"agent"}
	})
}

// Deactivate deactivates the associate at version (AS010). Its links and
// children stay; it can no longer be linked, transferred, or given children.
// Deactivating an inactive associate fails with clientele.ErrPrecondition.
// A user linked to the associate is refused from then on: users.Service
// refuses its sessions (Authenticate) and its logins. A Service built
// WithUsers also blocks its active users and revokes their sessions, and
// revokes its invited users' invitations, in the same transaction
// (users.Service.FollowLinked).
func (s *Service) Deactivate(ctx context.Context, p authz.Principal, id string, version int64) (Associate, error) {
	var inactive bool
	var a Associate
	err := s.atomically(ctx, func(ctx context.Context) error {
		var err error
		a, err = s.flag(ctx, p, authz.OpDeactivateAssociate, "deactivate", id, version, func(a *Associate) []string {
			if a.State != Active {
				inactive = true
				return nil
			}
			a.State = Inactive
			return []string{"state"}
		})
		if err != nil || inactive {
			return err
		}
		if err := s.follow(ctx, p, authz.OpDeactivateAssociate, id, users.LinkedChange{Disable: true}); err != nil {
			return fmt.Errorf("associates: deactivate %s: %w", id, err)
		}
		return nil
	})
	if err == nil && inactive {
		return Associate{}, fmt.Errorf("associates: deactivate %s: the associate is inactive already: %w", id, clientele.ErrPrecondition)
	}
	if err != nil {
		return Associate{}, err
	}
	return a, nil
}

func (s *Service) flag(ctx context.Context, p authz.Principal, op authz.Operation, what, id string, version int64, change func(*Associate) []string) (Associate, error) {
	if err := s.authorize(ctx, p, op); err != nil {
		return Associate{}, fmt.Errorf("associates: %s: %w", what, err)
	}
	if !validID(id) {
		return Associate{}, fmt.Errorf("associates: %s: %w", what, notFound("associate", id))
	}
	v := &clientele.ValidationError{}
	checkVersion(v, version)
	if err := v.OrNil(); err != nil {
		return Associate{}, fmt.Errorf("associates: %s: %w", what, err)
	}
	a, err := s.store.UpdateAssociate(ctx, p.TenantID, id, func(a *Associate) (audit.Entry, error) {
		if a.Version != version {
			return audit.Entry{}, staleVersion(version, a.Version)
		}
		return s.entry(p, op, AuditAssociate, id, change(a), s.stamp()), nil
	})
	if err != nil {
		return Associate{}, fmt.Errorf("associates: %s %s: %w", what, id, err)
	}
	return a, nil
}

// Transfer moves the active associate at version to another open office of
// the tenant (AS009). A user linked to the associate has the new office as
// its principal's OfficeID from its next request (users.Service.Authenticate).
func (s *Service) Transfer(ctx context.Context, p authz.Principal, id string, version int64, officeID string) (Associate, error) {
	if err := s.authorize(ctx, p, authz.OpUpdateAssociate); err != nil {
		return Associate{}, fmt.Errorf("associates: transfer: %w", err)
	}
	if !validID(id) {
		return Associate{}, fmt.Errorf("associates: transfer: %w", notFound("associate", id))
	}
	v := &clientele.ValidationError{}
	checkVersion(v, version)
	checkRef(v, "officeId", officeID, true)
	if err := v.OrNil(); err != nil {
		return Associate{}, fmt.Errorf("associates: transfer: %w", err)
	}
	a, err := s.store.TransferAssociate(ctx, p.TenantID, id, version, officeID,
		s.entry(p, authz.OpUpdateAssociate, AuditAssociate, id, []string{"officeId"}, s.stamp()))
	if err != nil {
		return Associate{}, fmt.Errorf("associates: transfer %s: %w", id, err)
	}
	return a, nil
}

// SetParent puts the associate at version, with everyone below it, under
// parentID ("" for no parent) (AS009). A parent below the associate, or the
// associate itself, would make a cycle and fails with
// clientele.ErrPrecondition; so does an inactive parent.
func (s *Service) SetParent(ctx context.Context, p authz.Principal, id string, version int64, parentID string) (Associate, error) {
	if err := s.authorize(ctx, p, authz.OpUpdateAssociate); err != nil {
		return Associate{}, fmt.Errorf("associates: set parent: %w", err)
	}
	if !validID(id) {
		return Associate{}, fmt.Errorf("associates: set parent: %w", notFound("associate", id))
	}
	v := &clientele.ValidationError{}
	checkVersion(v, version)
	checkRef(v, "parentId", parentID, false)
	if err := v.OrNil(); err != nil {
		return Associate{}, fmt.Errorf("associates: set parent: %w", err)
	}
	a, err := s.store.MoveAssociate(ctx, p.TenantID, id, version, parentID,
		s.entry(p, authz.OpUpdateAssociate, AuditAssociate, id, []string{"parentId"}, s.stamp()))
	if err != nil {
		return Associate{}, fmt.Errorf("associates: set parent of %s: %w", id, err)
	}
	return a, nil
}

// ---- Links ----

// Link links the active associate to e (AS012). Linking a pair that is
// linked already succeeds, changes nothing and writes no audit entry. The
// audit entry of a new link is the associate's, naming "links".
func (s *Service) Link(ctx context.Context, p authz.Principal, associateID string, e Entity) (Link, error) {
	if err := s.authorize(ctx, p, authz.OpLinkAssociate); err != nil {
		return Link{}, fmt.Errorf("associates: link: %w", err)
	}
	if !validID(associateID) {
		return Link{}, fmt.Errorf("associates: link: %w", notFound("associate", associateID))
	}
	v := &clientele.ValidationError{}
	e.check(v)
	if err := v.OrNil(); err != nil {
		return Link{}, fmt.Errorf("associates: link: %w", err)
	}
	id, err := newID()
	if err != nil {
		return Link{}, err
	}
	now := s.stamp()
	entry := s.linkEntry(p, associateID, e, now, false)
	l, _, err := s.store.Link(ctx, Link{ID: id, TenantID: p.TenantID, AssociateID: associateID, Entity: e, CreatedAt: now}, entry)
	if err != nil {
		return Link{}, fmt.Errorf("associates: link %s to %s %s: %w", associateID, e.Kind, shown(e.ID), err)
	}
	return l, nil
}

// Unlink removes the associate's link to e, if there is one (AS012), and
// reports whether there was.
func (s *Service) Unlink(ctx context.Context, p authz.Principal, associateID string, e Entity) (bool, error) {
	if err := s.authorize(ctx, p, authz.OpLinkAssociate); err != nil {
		return false, fmt.Errorf("associates: unlink: %w", err)
	}
	if !validID(associateID) {
		return false, fmt.Errorf("associates: unlink: %w", notFound("associate", associateID))
	}
	v := &clientele.ValidationError{}
	e.check(v)
	if err := v.OrNil(); err != nil {
		return false, fmt.Errorf("associates: unlink: %w", err)
	}
	removed, err := s.store.Unlink(ctx, p.TenantID, associateID, e, s.linkEntry(p, associateID, e, s.stamp(), true))
	if err != nil {
		return false, fmt.Errorf("associates: unlink %s from %s %s: %w", associateID, e.Kind, shown(e.ID), err)
	}
	return removed, nil
}

func (s *Service) linkEntry(p authz.Principal, associateID string, e Entity, at time.Time, unlink bool) audit.Entry {
	entry := s.entry(p, authz.OpLinkAssociate, AuditAssociate, associateID, []string{"links"}, at)
	raw, _ := json.Marshal(e) // an Entity always marshals
	if unlink {
		entry.Before = raw
	} else {
		entry.After = raw
	}
	return entry
}

// EntityLinks returns one page of the links to e, in link order (AS011).
func (s *Service) EntityLinks(ctx context.Context, p authz.Principal, e Entity, req ListRequest) (Page[Link], error) {
	if err := s.authorize(ctx, p, authz.OpListAssociateLinks); err != nil {
		return Page[Link]{}, fmt.Errorf("associates: entity links: %w", err)
	}
	v := &clientele.ValidationError{}
	e.check(v)
	r := keyset.Parse(entityLinkCursor, req.Cursor, req.Limit, DefaultPageSize, MaxPageSize, v)
	if err := v.OrNil(); err != nil {
		return Page[Link]{}, fmt.Errorf("associates: entity links: %w", err)
	}
	found, err := s.store.EntityLinks(ctx, p.TenantID, e, r.After, r.Limit+1)
	if err != nil {
		return Page[Link]{}, fmt.Errorf("associates: entity links: %w", err)
	}
	return page(entityLinkCursor, r, found, func(l Link) string { return l.ID }), nil
}

// AssociateLinks returns one page of the associate's links, in link order
// (AS011). An unknown associate is clientele.ErrNotFound.
func (s *Service) AssociateLinks(ctx context.Context, p authz.Principal, associateID string, req ListRequest) (Page[Link], error) {
	if err := s.authorize(ctx, p, authz.OpListAssociateLinks); err != nil {
		return Page[Link]{}, fmt.Errorf("associates: associate links: %w", err)
	}
	if !validID(associateID) {
		return Page[Link]{}, fmt.Errorf("associates: associate links: %w", notFound("associate", associateID))
	}
	v := &clientele.ValidationError{}
	r := keyset.Parse(associateLinkCursor, req.Cursor, req.Limit, DefaultPageSize, MaxPageSize, v)
	if err := v.OrNil(); err != nil {
		return Page[Link]{}, fmt.Errorf("associates: associate links: %w", err)
	}
	found, err := s.store.AssociateLinks(ctx, p.TenantID, associateID, r.After, r.Limit+1)
	if err != nil {
		return Page[Link]{}, fmt.Errorf("associates: associate links: %w", err)
	}
	return page(associateLinkCursor, r, found, func(l Link) string { return l.ID }), nil
}

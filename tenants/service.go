package tenants

import (
	"context"
	"fmt"
	"time"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/audit"
	"github.com/clientele-go/clientele/authz"
	"github.com/clientele-go/clientele/internal/keyset"
)

// AuditSetup is the audit operation of a tenant created by setup code
// (storage's TenantStore.Create), which has no acting principal.
const AuditSetup = "tenant.setup"

// AuditEntity is the entity type of the audit entries about tenants.
const AuditEntity = "tenant"

// Page sizes of List.
const (
	DefaultPageSize = 50
	MaxPageSize     = 200
)

// cursorPrefix marks the cursors of the tenant list.
const cursorPrefix = "tn1:"

// AdminLevel is what the tenants service needs to know about the acting user
// within its own tenant.
type AdminLevel uint8

const (
	// NotAdmin: the user is unknown, not active, or administers nothing.
	NotAdmin AdminLevel = iota
	// TenantAdmin: an active originator admin of its tenant.
	TenantAdmin
	// NodeOperator: an active node operator (super-admin) of its tenant.
	NodeOperator
)

// Store keeps the tenants. Storage implements it (storage.TenantStore).
type Store interface {
	// Insert stores a new, validated tenant and entry in one transaction; an
	// existing ID fails with clientele.ErrConflict.
	Insert(ctx context.Context, t Tenant, entry audit.Entry) error
	// Get returns one tenant, or an error wrapping clientele.ErrNotFound.
	Get(ctx context.Context, id string) (Tenant, error)
	// List returns at most limit tenants whose ID sorts after after ("" for the
	// first), in ID order.
	List(ctx context.Context, after string, limit int) ([]Tenant, error)
	// Update runs change on the tenant's current state in a transaction that
	// holds the row against concurrent changes. When change returns an entry
	// naming changed fields, it validates the result, writes it with the version
	// incremented and UpdatedAt set to the entry's time, and appends the entry,
	// all in that transaction; an entry with no changed fields writes nothing.
	// The preset is never changed (clientele.ErrPrecondition). It returns the
	// tenant as stored after the call.
	Update(ctx context.Context, id string, change func(*Tenant) (audit.Entry, error)) (Tenant, error)
	// AdminLevel says whether userID is an active node operator or originator
	// admin of tenantID; an unknown user is NotAdmin, not an error.
	AdminLevel(ctx context.Context, tenantID, userID string) (AdminLevel, error)
}

// Service creates, reads, lists and changes tenants. Every method takes the
// acting principal and authorizes it before it reads or changes anything.
//
// Tenant administration belongs to the node operator of the deployment: an
// active user of type node operator of the operator tenant named to New. It is
// decided here, not by a tenant's authorization catalogue, because a tenant's
// catalogue and subscriptions are what it changes: a tenant whose subscription
// is switched off must still be switchable back on. The rules:
//
//   - The node operator may create, list, read and update every tenant.
//   - An active originator admin or node operator of any other tenant may read
//     its own tenant (Get) and nothing else; another tenant is
//     clientele.ErrNotFound to it, exactly as a missing one.
//   - Every other call is refused with clientele.ErrForbidden: any call by
//     other users, customers, blocked, invited or unknown users, and Create,
//     List and Update by anyone but the node operator.
//
// The operations' codes (authz.OpCreateTenant …) appear in audit entries and
// errors.
type Service struct {
	store    Store
	operator string
	now      func() time.Time
	az       Invalidator
}

// Invalidator drops what it caches of a tenant: *authz.Authorizer, which
// caches each tenant's org attributes (app subscriptions, the portal switch)
// with its catalogue.
type Invalidator interface {
	Invalidate(tenantID string)
}

// WithAuthorizer makes every Update invalidate the tenant in az, so that a
// change of its app subscriptions or portal switch is in force at this
// process's next authorization. Other processes see it when their cache
// entry expires (authz.DefaultCacheTTL).
func WithAuthorizer(az Invalidator) Option { return func(s *Service) { s.az = az } }

// Option configures a Service.
type Option func(*Service)

// WithClock replaces time.Now (tests).
func WithClock(now func() time.Time) Option { return func(s *Service) { s.now = now } }

// New returns the tenant service on store. operatorTenant is the ID of the
// tenant whose node operators administer the deployment's tenants. Both are
// required.
func New(store Store, operatorTenant string, opts ...Option) (*Service, error) {
	verr := &clientele.ValidationError{}
	if operatorTenant != "" {
		checkID(verr, "operatorTenant", operatorTenant)
	}
	if store == nil || operatorTenant == "" || verr.OrNil() != nil {
		return nil, fmt.Errorf("tenants: New needs a Store and a valid operator tenant ID: %w", clientele.ErrInvalid)
	}
	s := &Service{store: store, operator: operatorTenant, now: time.Now}
	for _, o := range opts {
		o(s)
	}
	if s.now == nil {
		return nil, fmt.Errorf("tenants: New: nil clock: %w", clientele.ErrInvalid)
	}
	return s, nil
}

// level returns the principal's administrative standing, refusing with
// ErrForbidden whoever administers nothing.
func (s *Service) level(ctx context.Context, p authz.Principal, op authz.Operation) (AdminLevel, error) {
	if err := ctx.Err(); err != nil {
		return NotAdmin, err
	}
	denied := fmt.Errorf("%s (%s) denied to user %q of tenant %q: %w", op, op.Summary(), shownKey(p.UserID), shownKey(p.TenantID), clientele.ErrForbidden)
	if p.Kind != authz.Backoffice || p.TenantID == "" || p.UserID == "" || len(p.UserID) > maxUserIDLen {
		return NotAdmin, denied
	}
	if !validID(p.TenantID) {
		return NotAdmin, denied
	}
	lvl, err := s.store.AdminLevel(ctx, p.TenantID, p.UserID)
	if err != nil {
		return NotAdmin, err
	}
	if lvl == NotAdmin {
		return NotAdmin, denied
	}
	return lvl, nil
}

// operatorOnly lets only the deployment's node operator through.
func (s *Service) operatorOnly(ctx context.Context, p authz.Principal, op authz.Operation) error {
	lvl, err := s.level(ctx, p, op)
	if err != nil {
		return err
	}
	if lvl != NodeOperator || p.TenantID != s.operator {
		return fmt.Errorf("%s (%s) is for the node operator of tenant %q: %w", op, op.Summary(), s.operator, clientele.ErrForbidden)
	}
	return nil
}

// Create stores a new tenant (TN003, node operator only) at version 1 and
// writes its audit entry in the same transaction. The tenant is validated
// first (Tenant.Validate): an unknown preset, app or app state, a missing name,
// a malformed ID, control characters or over-long values fail with
// clientele.ErrInvalid naming the field. Version, CreatedAt and UpdatedAt are
// set by Create; an existing ID fails with clientele.ErrConflict.
func (s *Service) Create(ctx context.Context, p authz.Principal, t Tenant) (Tenant, error) {
	if err := s.operatorOnly(ctx, p, authz.OpCreateTenant); err != nil {
		return Tenant{}, fmt.Errorf("tenants: create: %w", err)
	}
	t = t.clone()
	if err := t.Validate(); err != nil {
		return Tenant{}, fmt.Errorf("tenants: create: %w", err)
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	t.Version, t.CreatedAt, t.UpdatedAt = 1, now, now
	changed := []string{"name", "preset", "clientPortal"}
	for _, app := range authz.Apps() {
		if _, ok := t.Apps[app]; ok {
			changed = append(changed, "apps."+string(app))
		}
	}
	if t.Settings.SettlementAccount != "" {
		changed = append(changed, "settings.settlementAccount")
	}
	if t.Settings.RequireVerifiedOnboarding != nil {
		changed = append(changed, "settings.requireVerifiedOnboarding")
	}
	if err := s.store.Insert(ctx, t, s.entry(p, authz.OpCreateTenant, t.ID, changed, now)); err != nil {
		return Tenant{}, fmt.Errorf("tenants: create %s: %w", t.ID, err)
	}
	return t, nil
}

// Get returns one tenant (TN002): any tenant to the node operator, its own
// tenant to an originator admin or node operator of it. A tenant the principal
// may not read is clientele.ErrNotFound, as a missing one.
func (s *Service) Get(ctx context.Context, p authz.Principal, id string) (Tenant, error) {
	lvl, err := s.level(ctx, p, authz.OpViewTenant)
	if err != nil {
		return Tenant{}, fmt.Errorf("tenants: get: %w", err)
	}
	nodeOperator := lvl == NodeOperator && p.TenantID == s.operator
	if !nodeOperator && id != p.TenantID {
		return Tenant{}, fmt.Errorf("tenants: get: tenant %s: %w", shownKey(id), clientele.ErrNotFound)
	}
	if !validID(id) {
		return Tenant{}, fmt.Errorf("tenants: get: tenant %s: %w", shownKey(id), clientele.ErrNotFound)
	}
	t, err := s.store.Get(ctx, id)
	if err != nil {
		return Tenant{}, fmt.Errorf("tenants: get: %w", err)
	}
	return t, nil
}

// ListRequest asks for one page of tenants.
type ListRequest struct {
	// Limit is the page size: 0 means DefaultPageSize; at most MaxPageSize.
	Limit int `json:"limit,omitempty"`
	// Cursor is NextCursor of the previous page; empty for the first.
	Cursor string `json:"cursor,omitempty"`
}

// Page is one page of tenants, in ID order.
type Page struct {
	Tenants []Tenant `json:"items"`
	// NextCursor fetches the next page; empty on the last one.
	NextCursor string `json:"nextCursor,omitempty"`
}

// List returns one page of the deployment's tenants in ID order (TN001, node
// operator only), keyset-paginated: a page never skips or repeats a tenant
// because others were created meanwhile.
func (s *Service) List(ctx context.Context, p authz.Principal, req ListRequest) (Page, error) {
	if err := s.operatorOnly(ctx, p, authz.OpListTenants); err != nil {
		return Page{}, fmt.Errorf("tenants: list: %w", err)
	}
	verr := &clientele.ValidationError{}
	pr := parseCursor(req.Cursor, req.Limit, verr)
	if err := verr.OrNil(); err != nil {
		return Page{}, fmt.Errorf("tenants: list: %w", err)
	}
	found, err := s.store.List(ctx, pr.After, pr.Limit+1)
	if err != nil {
		return Page{}, fmt.Errorf("tenants: list: %w", err)
	}
	var page Page
	page.Tenants, page.NextCursor = keyset.Page(cursorPrefix, pr, found, func(t Tenant) string { return t.ID })
	return page, nil
}

func parseCursor(cursor string, limit int, verr *clientele.ValidationError) keyset.Request {
	return keyset.ParseID(cursorPrefix, cursor, limit, DefaultPageSize, MaxPageSize, validID, verr)
}

// Change is an explicit patch of a tenant: a nil field (or an app not listed)
// is left as it is.
type Change struct {
	// Version is the version the caller read; a newer one in the store makes the
	// update fail with clientele.ErrConflict and change nothing.
	Version int64   `json:"version"`
	Name    *string `json:"name,omitempty"`
	// Preset may only repeat the tenant's preset: changing it fails with
	// clientele.ErrPrecondition (see Update).
	Preset *string `json:"preset,omitempty"`
	// Apps sets the state of each listed app; apps not listed keep theirs.
	Apps         map[authz.App]authz.AppState `json:"apps,omitempty"`
	ClientPortal *bool                        `json:"clientPortal,omitempty"`
	// Settings, when set, replaces all the tenant's settings.
	Settings *Settings `json:"settings,omitempty"`
}

func (c Change) validate() error {
	verr := &clientele.ValidationError{}
	if c.Version < 1 {
		verr.Add("version", "required", "is required: the version you read")
	}
	if c.Name != nil {
		checkText(verr, "name", *c.Name, MaxNameLen, true)
	}
	if c.Preset != nil {
		checkPreset(verr, *c.Preset)
	}
	checkApps(verr, c.Apps)
	if c.Settings != nil {
		c.Settings.check(verr)
	}
	return verr.OrNil()
}

// Update applies ch to the tenant (TN004, node operator only), in one
// transaction with its audit entry, which names the changed fields ("name",
// "apps.retail", "clientPortal", "settings.settlementAccount"). ch.Version must
// be the tenant's current version: otherwise the update fails with
// clientele.ErrConflict and nothing is written; two updates at the same
// version never both succeed. A change that changes nothing writes nothing
// and returns the tenant as it is. Invalid input fails with
// clientele.ErrInvalid before anything is read.
//
// The preset is fixed at creation. Users hold the preset's role codes and the
// tenant's own roles are built from the preset's permissions; another preset
// gives the same codes other meanings (RP004 is a Support Officer in one and a
// Credit Controller in the other) or none at all, so switching it in place
// would silently change what every user may do. A Change naming another preset
// therefore fails with clientele.ErrPrecondition and changes nothing; move the
// institution to a new tenant created with the other preset instead.
//
// App subscriptions and the portal switch take effect at the next
// authorization in this process when the Service has the Authorizer
// (WithAuthorizer), and in every process within the Authorizer's cache TTL
// (authz.DefaultCacheTTL): it caches them with the tenant's catalogue.
func (s *Service) Update(ctx context.Context, p authz.Principal, id string, ch Change) (Tenant, error) {
	if err := s.operatorOnly(ctx, p, authz.OpUpdateTenant); err != nil {
		return Tenant{}, fmt.Errorf("tenants: update: %w", err)
	}
	if !validID(id) {
		return Tenant{}, fmt.Errorf("tenants: update: tenant %s: %w", shownKey(id), clientele.ErrNotFound)
	}
	if err := ch.validate(); err != nil {
		return Tenant{}, fmt.Errorf("tenants: update %s: %w", id, err)
	}
	t, err := s.store.Update(ctx, id, func(t *Tenant) (audit.Entry, error) {
		if t.Version != ch.Version {
			return audit.Entry{}, fmt.Errorf("version %d is stale, the tenant is at version %d: %w", ch.Version, t.Version, clientele.ErrConflict)
		}
		if ch.Preset != nil && *ch.Preset != t.Preset {
			return audit.Entry{}, fmt.Errorf("the preset of an existing tenant cannot be changed (%s to %s): its users' roles would change meaning; create a new tenant with the other preset: %w",
				t.Preset, *ch.Preset, clientele.ErrPrecondition)
		}
		var changed []string
		if ch.Name != nil && *ch.Name != t.Name {
			t.Name = *ch.Name
			changed = append(changed, "name")
		}
		for _, app := range authz.Apps() {
			st, ok := ch.Apps[app]
			if !ok {
				continue
			}
			if cur, had := t.Apps[app]; !had || cur != st {
				if t.Apps == nil {
					t.Apps = map[authz.App]authz.AppState{}
				}
				t.Apps[app] = st
				changed = append(changed, "apps."+string(app))
			}
		}
		if ch.ClientPortal != nil && *ch.ClientPortal != t.ClientPortal {
			t.ClientPortal = *ch.ClientPortal
			changed = append(changed, "clientPortal")
		}
		if ch.Settings != nil {
			if ch.Settings.SettlementAccount != t.Settings.SettlementAccount {
				changed = append(changed, "settings.settlementAccount")
			}
			if !equalBool(ch.Settings.RequireVerifiedOnboarding, t.Settings.RequireVerifiedOnboarding) {
				changed = append(changed, "settings.requireVerifiedOnboarding")
			}
			t.Settings = *ch.Settings
		}
		return s.entry(p, authz.OpUpdateTenant, t.ID, changed, s.now().UTC().Truncate(time.Microsecond)), nil
	})
	if err != nil {
		return Tenant{}, fmt.Errorf("tenants: update %s: %w", id, err)
	}
	if s.az != nil {
		s.az.Invalidate(id)
	}
	return t, nil
}

// entry is the audit entry of a change to tenant id. Its TenantID is the
// changed tenant, so the change shows in that tenant's audit log; its Actor is
// the node operator's user ID (a user of the operator tenant).
func (s *Service) entry(p authz.Principal, op authz.Operation, id string, changed []string, at time.Time) audit.Entry {
	if changed == nil {
		changed = []string{}
	}
	return audit.Entry{TenantID: id, Actor: p.UserID, Operation: string(op), EntityType: AuditEntity, EntityID: id, Changed: changed, At: at}
}

// equalBool reports whether two optional booleans hold the same value (both
// unset, or both set and equal).
func equalBool(a, b *bool) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

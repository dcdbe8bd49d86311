package clients

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/go-playground/validator/v10"
	"github.com/google/uuid"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/adapters"
	"github.com/clientele-go/clientele/audit"
	"github.com/clientele-go/clientele/authz"
	"github.com/clientele-go/clientele/idempotency"
	"github.com/clientele-go/clientele/internal/keyset"
	"github.com/clientele-go/clientele/internal/secret"
	"github.com/clientele-go/clientele/tenants"
)

// Authorizer decides whether a principal may perform an operation on a resource:
// nil when allowed, an error wrapping clientele.ErrForbidden otherwise.
// *authz.Authorizer implements it.
type Authorizer interface {
	Authorize(ctx context.Context, p authz.Principal, op authz.Operation, r authz.Resource) error
	// AuthorizeOperation decides whether p may perform op at all, before the
	// resource is read (see authz.Authorizer.AuthorizeOperation).
	AuthorizeOperation(ctx context.Context, p authz.Principal, op authz.Operation) error
	// TenantWide reports whether p sees every client of its tenant rather
	// than only its associate's data scope (see authz.Authorizer.TenantWide).
	TenantWide(ctx context.Context, p authz.Principal) (bool, error)
}

// Service runs the client lifecycle. Every method authorizes the principal before it
// changes or returns anything.
//
// A call on one client (Get, Update, Transition) is authorized in two steps, so
// that nobody learns which references exist: the operation first, before
// anything is read (a principal without it gets ErrForbidden whether the client
// exists or not); then the client as read. A principal that holds the
// operation but may not touch this client (outside its data scope, a policy,
// the employee-account rule) gets exactly the error of a missing client:
// ErrNotFound, with the same text.
//
// Every read and change of clients is limited to the principal's data scope
// (Scope) inside the store's query: see the package documentation.
type Service struct {
	store     Store
	az        Authorizer
	validate  *validator.Validate
	now       func() time.Time
	operators authz.NodeOperators
	adapters  Adapters
	// pins hashes the device PINs DeviceHandlers draws (argon2id at the
	// OWASP cost), made on first use: a hasher costs one hash to make.
	pinsOnce sync.Once
	pins     *secret.Hasher
	pinsErr  error
	// observeToken, when set, is called before every device transfer token
	// comparison with whether there is a real digest to compare with (false:
	// a dummy comparison). Only the package's tests set it (export_test.go),
	// to count comparisons.
	observeToken func(real bool, token string)
	tenants      TenantReader
	// detailTimeouts bound each source of Details (WithDetailTimeouts).
	detailTimeouts DetailTimeouts
}

// TenantReader reads a tenant; storage's tenant store implements it.
type TenantReader interface {
	Get(ctx context.Context, id string) (tenants.Tenant, error)
}

// WithTenants lets the Service read the tenant's settings: whether a client
// may be activated before its onboarding checks pass
// (tenants.Settings.RequireVerifiedOnboarding), and the settlement account
// Archive checks at once that a client's savings can be swept to. Without it
// every tenant requires verified onboarding, and Archive leaves the
// settlement account to the saga's sweep step.
func WithTenants(r TenantReader) Option {
	return func(s *Service) { s.tenants = r }
}

// Option configures a Service.
type Option func(*Service)

// WithClock sets the clock used for timestamps and "not in the future" checks.
func WithClock(now func() time.Time) Option {
	return func(s *Service) { s.now = now }
}

// WithNodeOperators makes the node operator, as ops tells (users.Service
// implements it), see every client of its tenant whatever its roles' data
// scope; its roles still decide which operations it may perform. Without this
// option the node operator is tenant-wide only through a tenant-wide role.
func WithNodeOperators(ops authz.NodeOperators) Option {
	return func(s *Service) { s.operators = ops }
}

// New returns a Service over store, authorizing every call with az.
func New(store Store, az Authorizer, opts ...Option) (*Service, error) {
	if store == nil {
		return nil, errors.New("clients: New: store is nil")
	}
	if az == nil {
		return nil, errors.New("clients: New: authorizer is nil")
	}
	s := &Service{store: store, az: az, now: time.Now}
	for _, o := range opts {
		o(s)
	}
	s.validate = newValidator(func() time.Time { return s.now() })
	return s, nil
}

// CreateInput is what onboarding a client takes (CL003).
type CreateInput struct {
	// Reference is the tenant-unique code of the client; empty generates one.
	Reference string `json:"reference,omitempty"`
	Type      Type   `json:"type"`
	Profile
}

// UpdateInput replaces a client's profile (CL004). Version must be the version the
// caller read; a newer one in the store makes the update fail with ErrConflict.
type UpdateInput struct {
	Version   int64     `json:"version"`
	KYCStatus KYCStatus `json:"kycStatus,omitempty"`
	Profile
}

func resourceOf(c Client) authz.Resource {
	return authz.Resource{
		TenantID:           c.TenantID,
		ClientID:           c.ID,
		StaffOwned:         c.StaffOwned(),
		StaffAssociateID:   c.StaffAssociateID,
		AssignedAssociates: c.AssignedAssociateIDs,
		OfficeID:           c.OfficeID,
	}
}

// Create onboards a client (CL003). With an idempotency key, repeating the same
// request within 24 hours returns the client the first call created, and
// reusing the key for a different request, or while the first call is still in
// flight, fails with ErrConflict (see the package documentation).
func (s *Service) Create(ctx context.Context, p authz.Principal, in CreateInput, idempotencyKey string) (Client, error) {
	res := authz.Resource{
		TenantID: p.TenantID, StaffOwned: in.StaffAssociateID != "", StaffAssociateID: in.StaffAssociateID,
		AssignedAssociates: in.AssignedAssociateIDs, OfficeID: in.OfficeID,
	}
	if err := s.az.Authorize(ctx, p, authz.OpCreateClient, res); err != nil {
		return Client{}, fmt.Errorf("clients: create: %w", err)
	}
	verr := &clientele.ValidationError{}
	if _, err := adapters.ParseClientType(string(in.Type)); err != nil {
		verr.Add("type", "oneof", "must be individual or corporate")
	}
	checkReference(in.Reference, verr)
	checkProfile(s.validate, in.Type, &in.Profile, verr)
	checkIdempotencyKey(idempotencyKey, verr)
	if err := verr.OrNil(); err != nil {
		return Client{}, fmt.Errorf("clients: create: %w", err)
	}
	sc, err := s.scopeOf(ctx, p)
	if err != nil {
		return Client{}, fmt.Errorf("clients: create: %w", err)
	}
	if err := s.checkOffice(ctx, p, sc, in.OfficeID); err != nil {
		return Client{}, fmt.Errorf("clients: create: %w", err)
	}
	var linkTo []string
	if !sc.Tenant && sc.AssociateID != "" {
		linkTo = []string{sc.AssociateID}
	}

	idem := idempotency.Key{Principal: p.UserID, Operation: string(authz.OpCreateClient), Value: idempotencyKey}
	if idempotencyKey != "" {
		if idem.RequestHash, err = idempotency.Hash(in); err != nil {
			return Client{}, fmt.Errorf("clients: create: %w", err)
		}
	}

	now := s.now().UTC().Truncate(time.Microsecond)
	c := Client{
		TenantID:     p.TenantID,
		Reference:    in.Reference,
		Type:         in.Type,
		State:        Pending,
		KYCStatus:    KYCPending,
		Profile:      in.Profile,
		Verification: newVerification(),
		DisplayName:  in.Profile.displayName(),
		CreatedAt:    now,
		UpdatedAt:    now,
		Version:      1,
	}
	// A generated reference may collide with an existing one; try a few fresh ones.
	for attempt := 0; ; attempt++ {
		id, err := uuid.NewV7()
		if err != nil {
			return Client{}, fmt.Errorf("clients: create: %w", err)
		}
		c.ID = id.String()
		if in.Reference == "" {
			c.Reference = newReference()
		}
		ch := Change{
			Audit:   s.entry(p, authz.OpCreateClient, c.ID, changedFields(nil, &c), now),
			Effects: append(syncEffects(c, true), verificationEffects(c, Checks())...),
			LinkTo:  linkTo,
		}
		if len(linkTo) > 0 {
			ch.Audit.Changed = append(ch.Audit.Changed, "links")
		}
		saved, _, err := s.store.Create(ctx, c, idem, ch)
		var ce *ConflictError
		if in.Reference == "" && errors.As(err, &ce) && ce.Field == "reference" && attempt < 5 {
			continue
		}
		if err != nil {
			return Client{}, fmt.Errorf("clients: create: %w", err)
		}
		return saved, nil
	}
}

// noClient is the error of a missing client, and of one the principal may not
// touch.
func noClient(reference string) error {
	return fmt.Errorf("client %s: %w", reference, clientele.ErrNotFound)
}

// readAuthorized authorizes op, reads the client within the principal's data
// scope, and authorizes op on it. A missing client, one outside the scope and
// one the principal may not touch give the same error. It returns the scope
// for the caller's later queries.
func (s *Service) readAuthorized(ctx context.Context, p authz.Principal, op authz.Operation, reference string) (Client, Scope, error) {
	c, sc, _, err := s.readAuthorizedAs(ctx, p, op, reference)
	return c, sc, err
}

// readAuthorizedAs is readAuthorized that also returns the resource the
// client was authorized as, with its member.clients membership
// (authz.Resource.InMemberScope): a client read within a scoped principal's
// scope is in it; for a tenant-wide principal the membership is looked up
// only when the decision without it denies (a policy holds under unknown
// only if it holds whatever the membership is: three-valued logic).
func (s *Service) readAuthorizedAs(ctx context.Context, p authz.Principal, op authz.Operation, reference string) (Client, Scope, authz.Resource, error) {
	fail := func(err error) (Client, Scope, authz.Resource, error) {
		return Client{}, Scope{}, authz.Resource{}, err
	}
	if err := s.az.AuthorizeOperation(ctx, p, op); err != nil {
		return fail(err)
	}
	if err := checkPathReference(reference); err != nil {
		return fail(err)
	}
	sc, err := s.scopeOf(ctx, p)
	if err != nil {
		return fail(err)
	}
	if sc.Empty() {
		return fail(noClient(reference))
	}
	c, err := s.store.Get(ctx, p.TenantID, reference, sc)
	if errors.Is(err, clientele.ErrNotFound) {
		return fail(noClient(reference))
	}
	if err != nil {
		return fail(err)
	}
	res := resourceOf(c)
	if !sc.Tenant {
		res.InMemberScope = authz.InScope // read within the associate's own scope
	}
	err = s.az.Authorize(ctx, p, op, res)
	if errors.Is(err, clientele.ErrForbidden) && sc.Tenant && p.AssociateID != "" {
		m, merr := s.membership(ctx, p, reference)
		if merr != nil {
			return fail(merr)
		}
		if res.InMemberScope = m; m != authz.ScopeUnknown {
			err = s.az.Authorize(ctx, p, op, res)
		}
	}
	if errors.Is(err, clientele.ErrForbidden) {
		return fail(noClient(reference))
	}
	if err != nil {
		return fail(err)
	}
	return c, sc, res, nil
}

// Get returns one client (CL002): ErrForbidden, before anything is read, for a
// principal that may not view clients; ErrNotFound for a client that is
// missing or that the principal may not view.
func (s *Service) Get(ctx context.Context, p authz.Principal, reference string) (Client, error) {
	c, _, err := s.readAuthorized(ctx, p, authz.OpViewClient, reference)
	if err != nil {
		return Client{}, fmt.Errorf("clients: get %s: %w", reference, err)
	}
	return c, nil
}

// Update replaces the profile of a client (CL004) if in.Version is still current.
//
// A KYCStatus equal to the client's (or empty) leaves it as it is. A
// different one is a manual KYC decision: it needs the KYC operation
// (authz.OpSetKYCStatus) as well, and fails with ErrForbidden without it (the
// principal may see the client; see SetKYCStatus).
func (s *Service) Update(ctx context.Context, p authz.Principal, reference string, in UpdateInput) (Client, error) {
	verr := &clientele.ValidationError{}
	if in.Version < 1 {
		verr.Add("version", "required", "is required: send the version you read")
	}
	if in.KYCStatus != "" && in.KYCStatus != KYCPending && in.KYCStatus != KYCVerified && in.KYCStatus != KYCRejected {
		verr.Add("kycStatus", "oneof", "must be one of: pending verified rejected")
	}
	return s.change(ctx, p, authz.OpUpdateClient, reference, in.Version, verr, func(c *Client) error {
		checkProfile(s.validate, c.Type, &in.Profile, verr)
		if err := verr.OrNil(); err != nil {
			return err
		}
		c.Profile = in.Profile
		c.DisplayName = in.Profile.displayName()
		if in.KYCStatus != "" {
			c.KYCStatus = in.KYCStatus
		}
		return nil
	}, "")
}

// Transition moves a client to another state (pending → active ⇄ suspended), as an
// update of the client (CL004) at the given version.
//
// Activating a pending client needs its onboarding verified, unless the
// tenant's settings turn the rule off (tenants.Settings.RequireVerifiedOnboarding):
// every check (Verification) passed and a KYC status other than rejected.
// Otherwise it fails with a *VerificationError naming what is missing or
// failed (ErrPrecondition). The rule is checked on the client as locked for
// the write, so a result recorded meanwhile counts.
func (s *Service) Transition(ctx context.Context, p authz.Principal, reference string, to State, version int64) (Client, error) {
	verr := &clientele.ValidationError{}
	if _, err := ParseState(string(to)); err != nil {
		verr.Add("status", "oneof", "must be pending, active, suspended or archived")
	}
	if version < 1 {
		verr.Add("version", "required", "is required: send the version you read")
	}
	// The tenant's rule is read once, after the principal is authorized and
	// before the store's transaction (change applies the function first to
	// the client as read, then to the client as locked).
	var required *bool
	return s.change(ctx, p, authz.OpUpdateClient, reference, version, verr, func(c *Client) error {
		if !CanTransition(c.State, to) {
			return &TransitionError{Reference: reference, From: c.State, To: to}
		}
		if c.State == Pending && to == Active {
			if required == nil {
				r, err := s.verifiedOnboardingRequired(ctx, p.TenantID)
				if err != nil {
					return err
				}
				required = &r
			}
			if missing := activationBlockers(*c); *required && len(missing) > 0 {
				return &VerificationError{Reference: reference, Missing: missing}
			}
		}
		c.State = to
		return nil
	}, "")
}

// verifiedOnboardingRequired reads the tenant's rule; true without a
// TenantReader.
func (s *Service) verifiedOnboardingRequired(ctx context.Context, tenantID string) (bool, error) {
	if s.tenants == nil {
		return true, nil
	}
	t, err := s.tenants.Get(ctx, tenantID)
	if err != nil {
		return false, err
	}
	return t.Settings.VerifiedOnboardingRequired(), nil
}

// change runs one authorized, version-checked, audited update of a client.
//
// It authorizes outside the store's transaction: the operation before anything
// is read, then the client as read (a denial is answered as a missing client),
// then the client as it will be written (an update may make a client
// staff-owned or reassign it; a denial there is ErrForbidden, the principal
// may see the client). The store then applies the same change only if the row
// is still at the version that was authorized and still in the principal's data
// scope: any change to the client in between bumps the version and the update
// fails with ErrConflict; a client that left the scope meanwhile (an office
// moved) is ErrNotFound.
//
// op is the operation the change is authorized as (OpUpdateClient,
// OpSetKYCStatus). A change of the KYC status also needs OpSetKYCStatus on the
// client; without it the change fails with ErrForbidden. The audit entry of a
// KYC change records the status before and after, and reason. A change that
// starts a new round of the onboarding checks (Recheck) enqueues the effects
// of the checks it made pending.
func (s *Service) change(ctx context.Context, p authz.Principal, op authz.Operation, reference string, version int64, verr *clientele.ValidationError, apply func(*Client) error, reason string) (Client, error) {
	fail := func(err error) (Client, error) {
		return Client{}, fmt.Errorf("clients: update %s: %w", reference, err)
	}
	cur, sc, curRes, err := s.readAuthorizedAs(ctx, p, op, reference)
	if err != nil {
		return fail(err)
	}
	if err := verr.OrNil(); err != nil {
		return fail(err)
	}
	stale := func(c *Client) error {
		if c.Version != version {
			return fmt.Errorf("version %d is stale, the client is at version %d: %w", version, c.Version, clientele.ErrConflict)
		}
		return nil
	}
	if err := stale(&cur); err != nil {
		return fail(err)
	}
	if err := notArchiving(&cur); err != nil {
		return fail(err)
	}
	next := cur
	if err := apply(&next); err != nil {
		return fail(err)
	}
	if next.OfficeID != cur.OfficeID {
		if err := s.checkOffice(ctx, p, sc, next.OfficeID); err != nil {
			return fail(err)
		}
	}
	if after := resourceOf(next); !sameResource(resourceOf(cur), after) {
		// A scoped principal keeps the client in its scope (checkOffice);
		// for a tenant-wide one a new office may take it out of its
		// associate's scope, which is then unknown (and denies where it
		// matters).
		after.InMemberScope = curRes.InMemberScope
		if sc.Tenant && next.OfficeID != cur.OfficeID {
			after.InMemberScope = authz.ScopeUnknown
		}
		if err := s.az.Authorize(ctx, p, op, after); err != nil {
			return fail(err)
		}
	}
	kycChange := next.KYCStatus != cur.KYCStatus
	if kycChange && op != authz.OpSetKYCStatus {
		if err := s.az.Authorize(ctx, p, authz.OpSetKYCStatus, resourceOf(cur)); err != nil {
			return fail(fmt.Errorf("changing kycStatus needs the KYC permission: %w", err))
		}
	}
	saved, err := s.store.Update(ctx, p.TenantID, reference, sc, func(c *Client) (Change, error) {
		if err := stale(c); err != nil {
			return Change{}, err
		}
		if err := notArchiving(c); err != nil {
			return Change{}, err
		}
		before := *c
		if err := apply(c); err != nil {
			return Change{}, err
		}
		now := s.now().UTC().Truncate(time.Microsecond)
		c.UpdatedAt = now
		next := *c
		next.Version++ // the version the store writes
		entry := s.entry(p, op, c.ID, changedFields(&before, c), now)
		if before.KYCStatus != c.KYCStatus {
			entry.Before, _ = json.Marshal(map[string]string{"kycStatus": string(before.KYCStatus)})
			after := map[string]string{"kycStatus": string(c.KYCStatus)}
			if reason != "" {
				after["reason"] = reason
			}
			entry.After, _ = json.Marshal(after)
		}
		ch := Change{Audit: entry}
		newRound := c.Verification.Round != before.Verification.Round
		if op == authz.OpUpdateClient && !newRound {
			ch.Effects = syncEffects(next, false)
		}
		if newRound {
			var pending []Check
			for _, x := range Checks() {
				if c.Verification.Result(x).Status == CheckPending {
					pending = append(pending, x)
				}
			}
			ch.Effects = append(ch.Effects, verificationEffects(next, pending)...)
		}
		return ch, nil
	})
	if errors.Is(err, clientele.ErrNotFound) {
		return fail(noClient(reference))
	}
	if err != nil {
		return fail(err)
	}
	return saved, nil
}

// notArchiving refuses a change to a client that is archiving or archived:
// the archive saga owns it, and archived is terminal.
func notArchiving(c *Client) error {
	if c.State == Archiving || c.State == Archived {
		return fmt.Errorf("client %s is %s and can no longer change: %w", c.Reference, c.State, clientele.ErrPrecondition)
	}
	return nil
}

// sameResource reports whether two resources look the same to authorization.
func sameResource(a, b authz.Resource) bool {
	return a.StaffOwned == b.StaffOwned && a.StaffAssociateID == b.StaffAssociateID &&
		a.OfficeID == b.OfficeID && slices.Equal(a.AssignedAssociates, b.AssignedAssociates)
}

// List returns one page of the clients in the principal's data scope, newest
// first: every one (CL001) or, with a filter, those matching it (CL009).
// Archived clients are left out unless the filter has a status term
// (status:archived lists them); the term starred:true keeps the clients the
// acting member starred (ToggleStar), starred:false the others. The
// scope is part of the store's query, so pages are whole and a cursor never
// skips or repeats a client.
func (s *Service) List(ctx context.Context, p authz.Principal, req ListRequest) (Page, error) {
	op := authz.OpListClients
	if req.Filter != "" {
		op = authz.OpSearchClients
	}
	if err := s.az.Authorize(ctx, p, op, authz.Resource{}); err != nil {
		return Page{}, fmt.Errorf("clients: list: %w", err)
	}
	verr := &clientele.ValidationError{}
	q, err := ParseQuery(req.Filter)
	var qerr *clientele.ValidationError
	if errors.As(err, &qerr) {
		verr.Problems = append(verr.Problems, qerr.Problems...)
	} else if err != nil {
		return Page{}, fmt.Errorf("clients: list: %w", err)
	}
	if slices.ContainsFunc(q.Terms, func(t Term) bool { return t.Field == FieldStarred }) {
		q.Member = p.UserID // starred:true means the acting member's favourites
	}
	pr := keyset.Parse(cursorPrefix, req.Cursor, req.Limit, DefaultPageSize, MaxPageSize, verr)
	if err := verr.OrNil(); err != nil {
		return Page{}, fmt.Errorf("clients: list: %w", err)
	}
	if !q.has(FieldStatus) {
		// Archived clients are left out unless the filter asks about status.
		q.Terms = append(q.Terms, Term{Field: FieldStatus, Op: OpNe, Values: []Value{{Text: string(Archived)}}})
	}
	sc, err := s.scopeOf(ctx, p)
	if err != nil {
		return Page{}, fmt.Errorf("clients: list: %w", err)
	}
	if sc.Empty() {
		return Page{Clients: []Client{}}, nil
	}
	found, err := s.store.Search(ctx, p.TenantID, sc, q, pr.After, pr.Limit+1)
	if err != nil {
		return Page{}, fmt.Errorf("clients: list: %w", err)
	}
	var page Page
	page.Clients, page.NextCursor = keyset.Page(cursorPrefix, pr, found, func(c Client) string { return c.ID })
	return page, nil
}

func (s *Service) entry(p authz.Principal, op authz.Operation, clientID string, changed []string, at time.Time) audit.Entry {
	return audit.Entry{
		TenantID:   p.TenantID,
		Actor:      p.UserID,
		Operation:  string(op),
		EntityType: "client",
		EntityID:   clientID,
		Changed:    changed,
		At:         at,
	}
}

// referenceAlphabet is Crockford's base32: no I, L, O, U, so references read aloud
// over the phone are not misheard.
const referenceAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// newReference returns "C" and 8 random base32 characters (40 bits).
func newReference() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	out := make([]byte, 9)
	out[0] = 'C'
	for i, x := range b {
		out[i+1] = referenceAlphabet[x&31]
	}
	return string(out)
}

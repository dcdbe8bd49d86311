package users_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/adapters"
	"github.com/clientele-go/clientele/adapters/memory"
	"github.com/clientele-go/clientele/associates"
	"github.com/clientele-go/clientele/audit"
	"github.com/clientele-go/clientele/authz"
	"github.com/clientele-go/clientele/internal/dbtest"
	"github.com/clientele-go/clientele/internal/testkit"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/users"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// socialFake verifies credentials of the form "subject|email|verified".
type socialFake struct{}

func (socialFake) VerifySocial(_ context.Context, provider, credential string) (users.SocialAssertion, error) {
	parts := strings.Split(credential, "|")
	if len(parts) != 3 {
		return users.SocialAssertion{}, fmt.Errorf("bad token %q: %w", credential, clientele.ErrUnauthenticated)
	}
	return users.SocialAssertion{Provider: provider, Subject: parts[0], Email: parts[1], EmailVerified: parts[2] == "verified"}, nil
}

const (
	operatorEmail    = "operator@bank.example"
	operatorPassword = "operator-password-1"
	portalURL        = "https://portal.bank.example/signup"
)

// env is one tenant set-up: a store, the fakes, and a bootstrapped operator.
type env struct {
	t      testing.TB
	ctx    context.Context
	db     *storage.DB
	svc    *users.Service
	msg    *memory.Messaging
	ident  *memory.Identity
	faults *memory.Faults
	clock  *clock
	op     authz.Principal // the node operator of t1
	cats   *authz.Authorizer
	// assocs runs the associates of both tenants, allowing everything.
	assocs *associates.Service
}

// staffT1 and staffT2 are the IDs of an active associate in t1 and in t2 that
// every env has (seedStaff): the back-office users the tests invite link to
// them unless a test is about the associate.
const (
	staffT1 = "01937000-0000-7000-8000-0000000000a1"
	staffT2 = "01937000-0000-7000-8000-0000000000a2"
)

// seedStaff stores an open office, a branch-scoped classification and the
// active associate id in tenantID, through the associates store.
func seedStaff(t testing.TB, db *storage.DB, tenantID, id string) {
	t.Helper()
	ctx := context.Background()
	st := db.Associates()
	now := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	entry := func(typ, eid string) audit.Entry {
		return audit.Entry{TenantID: tenantID, Actor: "test", Operation: "test.seed", EntityType: typ, EntityID: eid, Changed: []string{}, At: now}
	}
	officeID, classID := uuid.Must(uuid.NewV7()).String(), uuid.Must(uuid.NewV7()).String()
	require.NoError(t, st.InsertOffice(ctx, associates.Office{ID: officeID, TenantID: tenantID, Name: "Head office",
		State: associates.OfficeOpen, Version: 1, CreatedAt: now, UpdatedAt: now}, entry("office", officeID)))
	require.NoError(t, st.InsertClassification(ctx, associates.Classification{ID: classID, TenantID: tenantID, Name: "Employee",
		Scope: associates.ScopeBranch, Fields: []associates.Field{}, Version: 1, CreatedAt: now}, entry("classification", classID)))
	require.NoError(t, st.InsertAssociate(ctx, associates.Associate{ID: id, TenantID: tenantID, OfficeID: officeID, ClassificationID: classID,
		Name: "Staff", State: associates.Active, Data: map[string]any{}, Version: 1, CreatedAt: now, UpdatedAt: now}, entry("associate", id)))
}

// knownClients says a client exists when its ID starts with "client-", in
// tenants t1 and t2: the tests that are not about the client check name clients
// that way. TestInviteNeedsClientOfTenant checks the rule on storage.
type knownClients struct{}

func (knownClients) ClientExists(_ context.Context, tenantID, clientID string) (bool, error) {
	return (tenantID == "t1" || tenantID == "t2") && strings.HasPrefix(clientID, "client-"), nil
}

func newEnv(t testing.TB, db *storage.DB, opts ...users.Option) *env {
	t.Helper()
	return setupEnv(t, db, true, nil, nil, opts...)
}

// benchEnv is newEnv without a dispatcher (so it runs on an in-memory SQLite
// store too): nothing it does may need an effect delivered.
func benchEnv(t testing.TB, db *storage.DB, opts ...users.Option) *env {
	t.Helper()
	return setupEnv(t, db, false, nil, nil, opts...)
}

// newEnvWrapped is newEnv with the service's Messaging and Identity wrapped
// (a nil wrapper keeps the fake as it is); e.msg and e.ident stay the fakes.
func newEnvWrapped(t testing.TB, db *storage.DB, wrapMsg func(adapters.Messaging) adapters.Messaging, wrapIdent func(adapters.Identity) adapters.Identity, opts ...users.Option) *env {
	t.Helper()
	return setupEnv(t, db, true, wrapMsg, wrapIdent, opts...)
}

func setupEnv(t testing.TB, db *storage.DB, dispatch bool, wrapMsg func(adapters.Messaging) adapters.Messaging, wrapIdent func(adapters.Identity) adapters.Identity, opts ...users.Option) *env {
	t.Helper()
	ctx := context.Background()
	for _, id := range []string{"t1", "t2"} {
		require.NoError(t, db.Tenants().Create(ctx, testkit.Tenant(id)))
	}
	seedStaff(t, db, "t1", staffT1)
	seedStaff(t, db, "t2", staffT2)
	assocs, err := associates.New(db.Associates(), testkit.AllowAll{})
	require.NoError(t, err)
	e := &env{t: t, ctx: ctx, db: db, clock: newClock(), faults: memory.NewFaults(), assocs: assocs}
	e.msg = memory.NewMessaging(memory.WithFaults(e.faults))
	e.ident = memory.NewIdentity(memory.WithFaults(e.faults))
	base := []users.Option{
		users.WithClock(e.clock.Now), users.WithHashing(users.InsecureTestHashing()),
		users.WithPortalURL(portalURL), users.WithSocialVerifier(socialFake{}),
	}
	cats, err := authz.New(db.Authz(), db.Authz())
	require.NoError(t, err)
	e.cats = cats
	var msg adapters.Messaging = e.msg
	if wrapMsg != nil {
		msg = wrapMsg(msg)
	}
	var ident adapters.Identity = e.ident
	if wrapIdent != nil {
		ident = wrapIdent(ident)
	}
	svc, err := users.New(db.Users(), testkit.AllowAll{}, cats, knownClients{}, db.Associates(), msg, ident, append(base, opts...)...)
	require.NoError(t, err)
	e.svc = svc
	if dispatch {
		dbtest.StartDispatcher(t, db, svc.Handlers())
	}
	op, err := svc.Bootstrap(ctx, "t1", users.NodeOperatorInput{Email: operatorEmail, Name: "Node Operator", Password: operatorPassword, Roles: []string{authz.RoleSecurityAdmin}})
	require.NoError(t, err)
	e.op = op.Principal()
	return e
}

// drain waits until the dispatcher delivered every effect committed so far.
func (e *env) drain() {
	e.t.Helper()
	dbtest.Drain(e.t, e.db)
}

// code returns the code of the last message sent to recipient, once every
// effect committed so far is delivered.
func (e *env) code(recipient string) string {
	e.t.Helper()
	e.drain()
	m, ok := e.msg.Last(recipient)
	require.True(e.t, ok, "nothing sent to %s", recipient)
	require.Equal(e.t, adapters.KindInvitation, m.Kind)
	return m.Params[adapters.ParamCode]
}

// invite invites a user as p and returns it.
func (e *env) invite(p authz.Principal, in users.InviteInput) users.User {
	e.t.Helper()
	u, err := e.svc.Invite(e.ctx, p, in, "")
	require.NoError(e.t, err)
	return u
}

func adminInput(email string) users.InviteInput {
	return users.InviteInput{Type: users.OriginatorAdmin, Name: "Ada Admin", Email: email, AssociateID: staffT1}
}

func investorInput(email string) users.InviteInput {
	return users.InviteInput{Type: users.Investor, Name: "Ivy Investor", Email: email, ClientID: "client-" + email, Roles: []string{authz.RolePortalViewer}}
}

func agentInput(phone string) users.InviteInput {
	return users.InviteInput{Type: users.OriginatorAgent, Name: "Abe Agent", Phone: phone, AssociateID: staffT1}
}

func borrowerInput(phone string) users.InviteInput {
	return users.InviteInput{Type: users.Borrower, Name: "Bea Borrower", Phone: phone, ClientID: "client-" + phone}
}

// admin invites and registers an originator admin in t1 and returns its session.
func (e *env) admin(email string) users.Session {
	e.t.Helper()
	e.invite(e.op, adminInput(email))
	s, err := e.svc.RegisterEmail(e.ctx, users.RegisterEmailInput{TenantID: "t1", Email: email, Code: e.code(email), Password: "admin-password-1"})
	require.NoError(e.t, err)
	return s
}

// registerPhone runs both steps of phone registration.
func (e *env) registerPhone(phone, pin string) (users.Session, error) {
	tk, err := e.svc.VerifyPhone(e.ctx, users.VerifyPhoneInput{TenantID: "t1", Phone: phone, Code: e.code(phone)})
	if err != nil {
		return users.Session{}, err
	}
	return e.svc.SetPIN(e.ctx, users.SetPINInput{TenantID: "t1", Ticket: tk.Ticket, PIN: pin, ConfirmPIN: pin})
}

// user reads a user as the operator.
func (e *env) user(id string) users.User {
	e.t.Helper()
	u, err := e.svc.Get(e.ctx, e.op, id)
	require.NoError(e.t, err)
	return u
}

package httpapitest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/adapters/memory"
	"github.com/clientele-go/clientele/associates"
	"github.com/clientele-go/clientele/authz"
	"github.com/clientele-go/clientele/clients"
	"github.com/clientele-go/clientele/clients/watchlist"
	"github.com/clientele-go/clientele/httpapi"
	"github.com/clientele-go/clientele/internal/dbtest"
	"github.com/clientele-go/clientele/internal/testkit"
	"github.com/clientele-go/clientele/outbox"
	"github.com/clientele-go/clientele/portal"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/tenants"
	"github.com/clientele-go/clientele/users"
)

// Check is called on every request a scenario sends through the API and the
// response it gets, both bodies readable. It reports what is wrong with t.
// A nil Check checks nothing.
type Check func(t *testing.T, req *http.Request, resp *http.Response)

// Scenario is one route test.
type Scenario struct {
	Name string
	Run  func(t *testing.T, check Check)
}

// Scenarios returns the route tests, each on both dialects where it matters.
func Scenarios() []Scenario {
	return []Scenario{
		{"ClientRoutes", clientRoutes},
		{"ValidationNamesFields", validationNamesFields},
		{"AuthorizesEveryRoute", authorizesEveryRoute},
		{"RolesAndPermissions", rolesAndPermissions},
		{"InvitationFlows", invitationFlows},
		{"InvitationRefusals", invitationRefusals},
		{"NoEscalation", noEscalation},
		{"NoExistenceOracle", noExistenceOracle},
		{"RefusesBadBodies", refusesBadBodies},
		{"SecurityHeaders", securityHeaders},
		{"TenantRoutes", tenantRoutes},
		{"EffectRoutes", effectRoutes},
		{"AssignRoles", assignRoles},
		{"OfficeRoutes", officeRoutes},
		{"ClassificationRoutes", classificationRoutes},
		{"AssociateRoutes", associateRoutes},
		{"LinkRoutes", linkRoutes},
		{"AssociateWithUser", associateWithUser},
		{"DeviceRoutes", deviceRoutes},
		{"ArchiveRoute", archiveRoute},
		{"VerificationRoutes", verificationRoutes},
		{"ClientReadRoutes", clientReadRoutes},
		{"PortalRoutes", portalRoutes},
		{"PortalIDOR", portalIDOR},
		{"PortalRefusals", portalRefusals},
	}
}

// Run runs every scenario as a subtest, calling check on each exchange.
func Run(t *testing.T, check Check) {
	for _, s := range Scenarios() {
		t.Run(s.Name, func(t *testing.T) { s.Run(t, check) })
	}
}

// The test tenant and its node operator.
const (
	demoTenant     = "demo"
	demoAdminEmail = "admin@demo.example"
	testPassword   = "correct horse battery"
)

// Password is the test node operator's password (tenant "demo", e-mail
// admin@demo.example).
const Password = testPassword

// Env is the API on one database with the test tenant, its node operator and
// the memory messaging fake, whose messages tests read.
type Env struct {
	Services httpapi.Services
	Handler  *httpapi.Handler
	Server   *httptest.Server
	DB       *storage.DB
	Msg      *memory.Messaging
	Ident    *memory.Identity
	Pers     *memory.Persistence
	// Bank and CRM are the core banking and CRM fakes the clients' effects
	// and the archive saga reach.
	Bank   *memory.CoreBanking
	CRM    *memory.CRM
	social testkit.SocialStandIn
	check  Check
	// Docs and Screen are the document processor and the compliance
	// screening the onboarding checks call (clients.VerificationHandlers).
	Docs   *memory.Documents
	Screen *watchlist.List
}

// NewEnv serves the API on db with the test tenant (Retail Engine preset, both
// apps active, portal on) and its node operator, who logs in with Admin.
func NewEnv(t testing.TB, db *storage.DB, check Check, opts ...httpapi.Option) *Env {
	t.Helper()
	env := &Env{DB: db, Msg: memory.NewMessaging(), Ident: memory.NewIdentity(), Pers: memory.NewPersistence(),
		Bank: memory.NewCoreBanking(), CRM: memory.NewCRM(), Docs: memory.NewDocuments(), Screen: watchlist.New(),
		social: testkit.SocialStandIn{Key: []byte("test-social-key")}, check: check}
	ctx := context.Background()
	az, err := authz.New(db.Authz(), db.Authz())
	require.NoError(t, err)
	ad := clients.Adapters{CoreBanking: env.Bank, Identity: env.Ident, CRM: env.CRM, Messaging: env.Msg, Persistence: env.Pers, Documents: env.Docs}
	cs, err := clients.New(db.Clients(), az, clients.WithAdapters(ad), clients.WithTenants(db.Tenants()))
	require.NoError(t, err)
	us, err := users.New(db.Users(), az, az, db.Clients(), db.Associates(), env.Msg, env.Ident,
		users.WithPortalURL("http://localhost:8080/signup"), users.WithSocialVerifier(env.social), users.WithHashing(users.InsecureTestHashing()))
	require.NoError(t, err)
	roles, err := authz.NewRoleService(db.Authz(), az, authz.WithNodeOperators(us))
	require.NoError(t, err)
	ts, err := tenants.New(db.Tenants(), demoTenant, tenants.WithAuthorizer(az))
	require.NoError(t, err)
	ob, err := outbox.New(db.Effects(), az)
	require.NoError(t, err)
	as, err := associates.New(db.Associates(), az, associates.WithUsers(us))
	require.NoError(t, err)
	ps, err := portal.New(db.Portal(), az, env.Bank, cs, us)
	require.NoError(t, err)
	err = db.Tenants().Create(ctx, tenants.Tenant{
		ID: demoTenant, Name: "Demo Microfinance", Preset: authz.PresetRetailEngine,
		Apps:         map[authz.App]authz.AppState{authz.AppBackoffice: authz.AppActive, authz.AppRetail: authz.AppActive},
		ClientPortal: true, CreatedAt: time.Now().UTC(),
	})
	require.NoError(t, err)
	seedStaff(t, db, demoTenant)
	_, err = us.Bootstrap(ctx, demoTenant, users.NodeOperatorInput{
		Email: demoAdminEmail, Name: "Demo Operator",
		Roles: []string{"RP001", authz.RoleSecurityAdmin}, Password: testPassword,
	})
	require.NoError(t, err)
	// Invitations, DIDs and client pushes are delivered by the outbox: run its
	// dispatcher (dbtest.Drain waits for it).
	archive, err := clients.ArchiveHandlers(clients.ArchiveDeps{Store: db.Clients(), Adapters: ad, Tenants: db.Tenants(), Users: us})
	require.NoError(t, err)
	dbtest.StartDispatcher(t, db, outbox.Merge(us.Handlers(), clients.SyncHandlers(db.Clients(), ad), archive, cs.DeviceHandlers(),
		clients.VerificationHandlers(db.Clients(), ad, env.Screen),
		clients.FavoriteHandlers(ad), clients.PreferencesHandlers(ad), ps.Handlers()))
	env.Services = httpapi.Services{Clients: cs, Users: us, Roles: roles, Tenants: ts, Outbox: ob, Associates: as, Portal: ps}
	env.Handler, err = httpapi.New(env.Services, opts...)
	require.NoError(t, err)
	env.Server = httptest.NewServer(env.Handler)
	t.Cleanup(env.Server.Close)
	return env
}

// testServer is NewEnv for the scenarios.
func testServer(t testing.TB, db *storage.DB, check Check) *Env { return NewEnv(t, db, check) }

// Caller sends requests as one caller (a session token, or none).
type Caller struct {
	t     *testing.T
	base  string
	token string
	check Check
}

type caller = Caller

// anon is a caller without a session.
func (e *Env) anon(t *testing.T) caller { return caller{t: t, base: e.Server.URL, check: e.check} }

// Anon is a caller without a session.
func (e *Env) Anon(t *testing.T) Caller { return e.anon(t) }

// Admin logs in as the test tenant's node operator.
func (e *Env) Admin(t *testing.T) Caller { return e.admin(t) }

func (e *Env) admin(t *testing.T) caller {
	t.Helper()
	return e.login(t, "/auth/login", `{"tenantId":"demo","email":"`+demoAdminEmail+`","password":"`+testPassword+`"}`)
}

// login posts credentials to path and returns a caller holding the session.
func (e *Env) login(t *testing.T, path, body string) caller {
	t.Helper()
	status, out := e.anon(t).do("POST", path, body)
	require.Equal(t, http.StatusOK, status, "%s: %v", path, out)
	token, _ := out["token"].(string)
	require.NotEmpty(t, token)
	return caller{t: t, base: e.Server.URL, token: token, check: e.check}
}

// Do sends a request (a JSON body unless empty; extra headers as name, value
// pairs, Content-Type "none" removing it) and returns the status and the
// decoded JSON answer. Every error answer must be problem+json.
func (c Caller) Do(method, path, body string, hdr ...string) (int, map[string]any) {
	c.t.Helper()
	return c.do(method, path, body, hdr...)
}

func (c caller) do(method, path, body string, hdr ...string) (int, map[string]any) {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+path, strings.NewReader(body))
	require.NoError(c.t, err)
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i] == "Content-Type" && hdr[i+1] == "none" {
			req.Header.Del(hdr[i])
			continue
		}
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(c.t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(c.t, err)
	if c.check != nil {
		sent, _ := http.NewRequest(method, c.base+path, strings.NewReader(body))
		sent.Header = req.Header.Clone()
		resp.Body = io.NopCloser(bytes.NewReader(raw))
		c.check(c.t, sent, resp)
	}
	var out map[string]any
	if len(bytes.TrimSpace(raw)) > 0 {
		require.NoError(c.t, json.Unmarshal(raw, &out), string(raw))
	}
	if resp.StatusCode >= 400 {
		assert.Equal(c.t, "application/problem+json", resp.Header.Get("Content-Type"))
		assert.Equal(c.t, resp.Header.Get("X-Request-Id"), out["requestId"], "the problem names the request")
	}
	return resp.StatusCode, out
}

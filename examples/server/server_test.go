package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/adapters/memory"
	"github.com/clientele-go/clientele/internal/dbtest"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/users"
)

// testEnv is the example server's routes on one database, with the memory
// messaging fake exposed so tests can read the codes it "sent".
type testEnv struct {
	app    *app
	srv    *httptest.Server
	msg    *memory.Messaging
	ident  *memory.Identity
	social demoSocial
}

const testPassword = "correct horse battery"

// testServer runs the example server's routes on db with the demo tenant.
func testServer(t testing.TB, db *storage.DB) *testEnv {
	t.Helper()
	env := &testEnv{msg: memory.NewMessaging(), ident: memory.NewIdentity(), social: demoSocial{key: []byte("test-social-key")}}
	cheap := users.InsecureTestHashing()
	a, err := newApp(db, slog.New(slog.NewTextHandler(io.Discard, nil)), config{
		messaging: env.msg, identity: env.ident, socialKey: env.social.key,
		demoPassword: testPassword, hashing: &cheap,
	})
	require.NoError(t, err)
	_, err = a.seedDemo(context.Background())
	require.NoError(t, err)
	env.app = a
	require.NoError(t, a.dispatcher.Start(context.Background()))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = a.dispatcher.Stop(ctx)
	})
	env.srv = httptest.NewServer(a.routes())
	t.Cleanup(env.srv.Close)
	return env
}

type caller struct {
	t     *testing.T
	base  string
	token string
}

// anon is a caller without a session.
func (e *testEnv) anon(t *testing.T) caller { return caller{t: t, base: e.srv.URL} }

// admin logs in as the demo node operator.
func (e *testEnv) admin(t *testing.T) caller {
	t.Helper()
	return e.login(t, "/auth/login", `{"tenantId":"demo","email":"`+demoAdminEmail+`","password":"`+testPassword+`"}`)
}

// login posts credentials to path and returns a caller holding the session.
func (e *testEnv) login(t *testing.T, path, body string) caller {
	t.Helper()
	status, out := e.anon(t).do("POST", path, body)
	require.Equal(t, http.StatusOK, status, "%s: %v", path, out)
	token, _ := out["token"].(string)
	require.NotEmpty(t, token)
	return caller{t: t, base: e.srv.URL, token: token}
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
	var out map[string]any
	if len(bytes.TrimSpace(raw)) > 0 {
		require.NoError(c.t, json.Unmarshal(raw, &out), string(raw))
	}
	if resp.StatusCode >= 400 {
		assert.Equal(c.t, "application/problem+json", resp.Header.Get("Content-Type"))
	}
	return resp.StatusCode, out
}

const personBody = `{"type":"individual","officeId":"head-office",
 "individual":{"firstName":"Amina","lastName":"Otieno","dateOfBirth":"1990-04-12","nationalId":"29384756"},
 "contact":{"phone":"+254712345678","email":"amina@example.com"}}`

func TestServerClientRoutes(t *testing.T) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		admin := testServer(t, db).admin(t)

		status, body := admin.do("POST", "/clients/profile", personBody, "Idempotency-Key", "k1")
		require.Equal(t, http.StatusCreated, status, body)
		ref := body["reference"].(string)
		assert.Equal(t, "pending", body["status"])
		assert.Equal(t, "Amina Otieno", body["displayName"])

		status, again := admin.do("POST", "/clients/profile", personBody, "Idempotency-Key", "k1")
		assert.Equal(t, http.StatusCreated, status)
		assert.Equal(t, ref, again["reference"], "idempotent retry returns the same client")

		status, body = admin.do("GET", "/clients/profile/"+ref, "")
		require.Equal(t, http.StatusOK, status)
		assert.Equal(t, float64(1), body["version"])

		update := strings.Replace(personBody, `"type":"individual",`, `"version":1,"kycStatus":"verified",`, 1)
		update = strings.Replace(update, "Otieno", "Otieno-Mwangi", 1)
		status, body = admin.do("PUT", "/clients/profile/"+ref, update)
		require.Equal(t, http.StatusOK, status, body)
		assert.Equal(t, "verified", body["kycStatus"])
		status, body = admin.do("PUT", "/clients/profile/"+ref, update)
		assert.Equal(t, http.StatusConflict, status, "stale version")
		assert.Equal(t, "conflict", body["code"])

		status, body = admin.do("POST", "/clients/profile/"+ref+"/status", `{"status":"suspended","version":2}`)
		assert.Equal(t, http.StatusConflict, status, "pending cannot be suspended")
		assert.Equal(t, "precondition_failed", body["code"])

		status, body = admin.do("GET", "/clients/profile?filter="+"name~mwangi%20status:pending", "")
		require.Equal(t, http.StatusOK, status)
		assert.Len(t, body["items"], 1)
		status, body = admin.do("GET", "/clients/profile?filter=colour:red", "")
		assert.Equal(t, http.StatusUnprocessableEntity, status)
		assert.Equal(t, "filter", body["errors"].([]any)[0].(map[string]any)["field"])

		status, _ = admin.do("GET", "/clients/profile/NOPE123", "")
		assert.Equal(t, http.StatusNotFound, status)
	})
}

func TestServerValidationNamesFields(t *testing.T) {
	admin := testServer(t, dbtest.SQLiteFile(t)).admin(t)
	bad := `{"type":"individual","officeId":"",
	 "individual":{"firstName":"A","lastName":"B","dateOfBirth":"2999-01-01","nationalId":"1"},
	 "contact":{"phone":"0712","email":"nope"}}`
	status, body := admin.do("POST", "/clients/profile", bad)
	require.Equal(t, http.StatusUnprocessableEntity, status)
	fields := map[string]bool{}
	for _, e := range body["errors"].([]any) {
		fields[e.(map[string]any)["field"].(string)] = true
	}
	assert.Equal(t, map[string]bool{"officeId": true, "individual.dateOfBirth": true, "contact.phone": true, "contact.email": true}, fields)

	for name, tc := range map[string]struct{ body, field string }{
		"unknown field": {`{"type":"individual","colour":"red"}`, "colour"},
		"wrong type":    {`{"type":1}`, "type"},
		"not json":      {`{"type":`, "body"},
		"two objects":   {`{} {}`, "body"},
		"empty":         {``, "body"},
	} {
		status, body := admin.do("POST", "/clients/profile", tc.body, "Content-Type", "application/json")
		assert.Equal(t, http.StatusUnprocessableEntity, status, name)
		assert.Equal(t, tc.field, body["errors"].([]any)[0].(map[string]any)["field"], name)
	}

	page, _ := admin.do("GET", "/clients/profile", "")
	assert.Equal(t, http.StatusOK, page)
}

// TestServerAuthorizesEveryRoute walks every route the server registers: a
// public one must be in the list below; any other refuses a request without a
// session (or with a forged one) with 401 and a principal holding no role with
// 403 or 404. A new route cannot be missed: the list comes from the
// registration itself.
func TestServerAuthorizesEveryRoute(t *testing.T) {
	public := map[string]bool{
		"POST /auth/register/email": true, "POST /auth/register/social": true,
		"POST /auth/register/phone": true, "POST /auth/register/phone/pin": true,
		"POST /auth/login": true, "POST /auth/login/pin": true, "POST /auth/login/social": true,
		"POST /auth/logout": true, "GET /healthz": true,
	}
	// Routes any authenticated principal may call, whatever its roles.
	anyPrincipal := map[string]bool{"GET /auth/me": true}

	env := testServer(t, dbtest.SQLiteFile(t))
	admin := env.admin(t)
	status, body := admin.do("POST", "/clients/profile", personBody)
	require.Equal(t, http.StatusCreated, status, body)
	ref := body["reference"].(string)
	_, me := admin.do("GET", "/auth/me", "")
	// An originator agent invited with no role at all.
	invite(t, admin, `{"type":"originator_agent","name":"Nobody","phone":"+254700000006","associateId":"assoc-nobody"}`)
	roleless := env.registerPhone(t, "+254700000006", "482913")
	forged := caller{t: t, base: env.srv.URL, token: strings.Repeat("x", 43)}

	_, routes := env.app.handler()
	require.NotEmpty(t, routes)
	seenPublic := map[string]bool{}
	for _, rt := range routes {
		if rt.Public {
			seenPublic[rt.Pattern] = true
			assert.True(t, public[rt.Pattern], "%s is public but not in the list of public routes", rt.Pattern)
			continue
		}
		assert.False(t, public[rt.Pattern], "%s should be public", rt.Pattern)
		method, path, ok := strings.Cut(rt.Pattern, " ")
		require.True(t, ok, "pattern %q names no method", rt.Pattern)
		path = strings.NewReplacer("{reference}", ref, "{id}", me["id"].(string), "{code}", "RP005").Replace(path)
		require.NotContains(t, path, "{", "fill in the wildcard of %s", rt.Pattern)
		body := ""
		if method == "POST" || method == "PUT" {
			body = `{}`
		}
		t.Run(rt.Pattern, func(t *testing.T) {
			status, out := env.anon(t).do(method, path, body)
			assert.Equal(t, http.StatusUnauthorized, status, "no session: %v", out)
			forged.t = t
			status, out = forged.do(method, path, body)
			assert.Equal(t, http.StatusUnauthorized, status, "forged session: %v", out)
			if anyPrincipal[rt.Pattern] {
				return
			}
			roleless.t = t
			status, out = roleless.do(method, path, body)
			assert.Contains(t, []int{http.StatusForbidden, http.StatusNotFound}, status, "a principal with no role: %v", out)
		})
	}
	assert.Equal(t, public, seenPublic, "every listed public route is registered")

	// A role that holds some permissions gets exactly those.
	helpdesk := env.registerAgent(t, admin, "+254700000005", "RP005")
	status, body = helpdesk.do("POST", "/clients/profile", personBody)
	assert.Equal(t, http.StatusForbidden, status)
	assert.Equal(t, "forbidden", body["code"])
	assert.Contains(t, body["detail"], "CL003")
	status, _ = helpdesk.do("GET", "/clients/profile", "")
	assert.Equal(t, http.StatusOK, status, "RP005 holds clnt_list")
}

func TestServerRolesAndPermissions(t *testing.T) {
	sec := testServer(t, dbtest.SQLiteFile(t)).admin(t)

	status, body := sec.do("GET", "/permissions", "")
	require.Equal(t, http.StatusOK, status, body)
	for _, p := range body["items"].([]any) {
		assert.Equal(t, "backoffice", p.(map[string]any)["type"], "employee permissions by default")
	}
	status, body = sec.do("GET", "/roles?type=customer", "")
	require.Equal(t, http.StatusOK, status)
	require.NotEmpty(t, body["items"])
	for _, r := range body["items"].([]any) {
		assert.Equal(t, "customer", r.(map[string]any)["type"])
	}
	status, _ = sec.do("GET", "/roles?type=everything", "")
	assert.Equal(t, http.StatusUnprocessableEntity, status)

	status, body = sec.do("POST", "/roles", `{"code":"RX1","name":"Mixed","type":"customer","permissions":["portal_savings_view","clnt_list"]}`)
	assert.Equal(t, http.StatusUnprocessableEntity, status, "a customer role may not hold a back-office permission")
	assert.Contains(t, body["errors"].([]any)[0].(map[string]any)["message"], "clnt_list")

	status, body = sec.do("POST", "/roles", `{"code":"RX2","name":"Viewer","type":"customer","permissions":["portal_savings_view"]}`)
	require.Equal(t, http.StatusCreated, status, body)
	status, body = sec.do("PUT", "/roles/RX2", `{"name":"Viewer","permissions":["portal_savings_view","portal_loans_view"]}`)
	require.Equal(t, http.StatusOK, status, body)
	status, _ = sec.do("PUT", "/roles/RX2", `{"name":"Viewer","type":"backoffice","permissions":["clnt_list"]}`)
	assert.Equal(t, http.StatusUnprocessableEntity, status, "a role's type cannot change")
}

package httpapi_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/authz"
	"github.com/clientele-go/clientele/httpapi"
	"github.com/clientele-go/clientele/httpapi/httpapitest"
	"github.com/clientele-go/clientele/internal/dbtest"
	"github.com/clientele-go/clientele/problem"
	"github.com/clientele-go/clientele/users"
)

// TestRoutes runs the route scenarios (package httpapitest) without a
// document check; internal/apitest runs them against the OpenAPI document.
func TestRoutes(t *testing.T) { httpapitest.Run(t, nil) }

func TestServicesRefuseBadInput(t *testing.T) { httpapitest.ServicesRefuseBadInput(t, nil) }

func TestNewRefusesMissingServices(t *testing.T) {
	env := httpapitest.NewEnv(t, dbtest.SQLiteFile(t), nil)
	full := env.Services
	for name, s := range map[string]httpapi.Services{
		"no clients": {Users: full.Users, Roles: full.Roles},
		"no users":   {Clients: full.Clients, Roles: full.Roles},
		"no roles":   {Clients: full.Clients, Users: full.Users},
	} {
		_, err := httpapi.New(s)
		assert.ErrorIs(t, err, clientele.ErrInvalid, name)
	}
	_, err := httpapi.New(full, nil)
	assert.ErrorIs(t, err, clientele.ErrInvalid, "nil option")
	_, err = httpapi.New(full, httpapi.WithMaxBodyBytes(0))
	assert.ErrorIs(t, err, clientele.ErrInvalid, "no body limit")

	// The optional services' routes are left out without them, and answer 404.
	h, err := httpapi.New(httpapi.Services{Clients: full.Clients, Users: full.Users, Roles: full.Roles})
	require.NoError(t, err)
	optional := []string{"/tenants", "/effects", "/offices", "/classifications", "/associates", "/links"}
	for _, rt := range h.Routes() {
		for _, prefix := range optional {
			assert.False(t, strings.HasPrefix(rt.Pattern, prefix), rt.String())
		}
	}
	for _, path := range optional {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		assert.Equal(t, http.StatusNotFound, rec.Code, path)
		assert.Equal(t, problem.ContentType, rec.Header().Get("Content-Type"), path)
	}
	// Each optional service alone brings its own routes.
	h, err = httpapi.New(httpapi.Services{Clients: full.Clients, Users: full.Users, Roles: full.Roles, Associates: full.Associates})
	require.NoError(t, err)
	var paths []string
	for _, rt := range h.Routes() {
		paths = append(paths, rt.String())
	}
	assert.Contains(t, paths, "GET /offices")
	assert.Contains(t, paths, "DELETE /associates/{id}/links/{kind}/{entityId}")
	assert.NotContains(t, paths, "GET /tenants")

	// With every service, the handler serves exactly the package's routes.
	assert.Equal(t, httpapi.Routes(), env.Handler.Routes())
}

// TestMountedUnderPrefix: the API mounted under a prefix next to a route of
// the app's own serves both, and its Location headers resolve under the prefix.
func TestMountedUnderPrefix(t *testing.T) {
	env := httpapitest.NewEnv(t, dbtest.SQLiteFile(t), nil)
	mux := http.NewServeMux()
	mux.Handle("/bank/", http.StripPrefix("/bank", env.Handler))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok") })
	srv := httptest.NewServer(mux)
	defer srv.Close()

	resp, err := http.Get(srv.URL + "/healthz")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	resp, err = http.Post(srv.URL+"/bank/auth/login", "application/json",
		strings.NewReader(`{"tenantId":"demo","email":"admin@demo.example","password":"`+httpapitest.Password+`"}`))
	require.NoError(t, err)
	var session users.Session
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&session))
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)

	req, _ := http.NewRequest("POST", srv.URL+"/bank/clients/profile", strings.NewReader(httpapitest.PersonBody))
	req.Header.Set("Authorization", "Bearer "+session.Token)
	req.Header.Set("Content-Type", "application/json")
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusCreated, resp.StatusCode)
	loc, err := resp.Location()
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(loc.Path, "/bank/clients/profile/"), loc.Path)

	req, _ = http.NewRequest("GET", loc.String(), nil)
	req.Header.Set("Authorization", "Bearer "+session.Token)
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode, "the Location names the client")

	resp, err = http.Get(srv.URL + "/bank/openapi.json")
	require.NoError(t, err)
	doc, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, httpapi.OpenAPI, doc)
}

// TestCustomAuthenticator: an app's own authenticator decides who acts; the
// principal it returns reaches the services, which still authorize it.
func TestCustomAuthenticator(t *testing.T) {
	db := dbtest.SQLiteFile(t)
	env := httpapitest.NewEnv(t, db, nil)
	admin, err := env.Services.Users.LoginPassword(t.Context(), users.PasswordLoginInput{TenantID: "demo", Email: "admin@demo.example", Password: httpapitest.Password})
	require.NoError(t, err)
	operator, err := env.Services.Users.Authenticate(t.Context(), admin.Token)
	require.NoError(t, err)

	// The gateway's claim: X-Gateway-User names the user; anything else is refused.
	var mu sync.Mutex
	var calls int
	gateway := func(r *http.Request) (authz.Principal, error) {
		mu.Lock()
		calls++
		mu.Unlock()
		switch r.Header.Get("X-Gateway-User") {
		case "operator":
			return operator, nil
		case "stranger":
			return authz.Principal{TenantID: "demo", UserID: "nobody"}, nil
		case "broken":
			return authz.Principal{}, errors.New("gateway unreachable")
		}
		return authz.Principal{}, fmt.Errorf("no gateway claim: %w", clientele.ErrUnauthenticated)
	}
	h, err := httpapi.New(env.Services, httpapi.WithAuthenticator(gateway))
	require.NoError(t, err)
	get := func(user, token string) int {
		req := httptest.NewRequest("GET", "/clients/profile", nil)
		if user != "" {
			req.Header.Set("X-Gateway-User", user)
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code
	}
	assert.Equal(t, http.StatusOK, get("operator", ""))
	assert.Equal(t, http.StatusForbidden, get("stranger", ""), "the services authorize whoever the authenticator names")
	assert.Equal(t, http.StatusUnauthorized, get("", admin.Token), "the bearer token is not consulted any more")
	assert.Equal(t, http.StatusInternalServerError, get("broken", ""))

	// Login stays public: the authenticator is not called.
	before := calls
	req := httptest.NewRequest("POST", "/auth/login", strings.NewReader(`{"tenantId":"demo","email":"admin@demo.example","password":"`+httpapitest.Password+`"}`))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	assert.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, before, calls)
}

// TestRequestIDs: each request's id is in the response header, in its problem
// document and in the log line, and a caller's well-formed id is kept.
func TestRequestIDs(t *testing.T) {
	env := httpapitest.NewEnv(t, dbtest.SQLiteFile(t), nil)
	var logs bytes.Buffer
	var mu sync.Mutex
	h, err := httpapi.New(env.Services, httpapi.WithLogger(slog.New(slog.NewJSONHandler(&lockedWriter{w: &logs, mu: &mu}, nil))))
	require.NoError(t, err)

	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req := httptest.NewRequest("GET", "/clients/profile", nil)
			sent := fmt.Sprintf("req-%d", i)
			if i%2 == 1 {
				sent = "bad id\n" // replaced
			}
			req.Header.Set("X-Request-Id", sent)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			id := rec.Header().Get("X-Request-Id")
			var d problem.Document
			assert.NoError(t, json.Unmarshal(rec.Body.Bytes(), &d))
			assert.Equal(t, http.StatusUnauthorized, d.Status)
			assert.Equal(t, id, d.RequestID)
			if i%2 == 0 {
				assert.Equal(t, sent, id)
			} else {
				assert.True(t, problem.ValidRequestID(id))
			}
			mu.Lock()
			defer mu.Unlock()
			assert.Contains(t, logs.String(), `"request_id":"`+id+`"`)
		}()
	}
	wg.Wait()
}

type lockedWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// TestUnknownRoutes: a path no route serves is a 404 problem, a known path
// with another method a 405 problem naming the methods in Allow.
func TestUnknownRoutes(t *testing.T) {
	env := httpapitest.NewEnv(t, dbtest.SQLiteFile(t), nil)
	rec := httptest.NewRecorder()
	env.Handler.ServeHTTP(rec, httptest.NewRequest("GET", "/no-such-route", nil))
	assert.Equal(t, http.StatusNotFound, rec.Code)
	assert.Equal(t, problem.ContentType, rec.Header().Get("Content-Type"))
	assert.Equal(t, "no-store", rec.Header().Get("Cache-Control"))

	rec = httptest.NewRecorder()
	env.Handler.ServeHTTP(rec, httptest.NewRequest("DELETE", "/clients/profile", nil))
	assert.Equal(t, http.StatusMethodNotAllowed, rec.Code)
	assert.Equal(t, "GET, POST", rec.Header().Get("Allow"))
	assert.Equal(t, problem.ContentType, rec.Header().Get("Content-Type"))
	var d problem.Document
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &d))
	assert.Equal(t, problem.CodeMethodNotAllowed, d.Code)
	assert.Equal(t, "Method not allowed", d.Title, "every problem has a title")
}

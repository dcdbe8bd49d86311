package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/adapters/memory"
	"github.com/clientele-go/clientele/internal/dbtest"
	"github.com/clientele-go/clientele/internal/testkit"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/users"
)

// TestExampleServesAPIUnderPrefix: the example mounts the library's API under
// /api/ next to its own GET /healthz, and the demo operator logs in there,
// with a password and with the stand-in social provider.
func TestExampleServesAPIUnderPrefix(t *testing.T) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		social := testkit.SocialStandIn{Key: []byte("k")}
		a, err := newApp(db, slog.New(slog.NewTextHandler(io.Discard, nil)), config{
			messaging: memory.NewMessaging(), identity: memory.NewIdentity(), socialKey: social.Key,
			demoPassword: "demo-password-long", portalURL: "http://localhost/signup",
		})
		require.NoError(t, err)
		banner, err := a.seedDemo(context.Background(), "http://127.0.0.1:1/api")
		require.NoError(t, err)
		assert.Contains(t, banner, "http://127.0.0.1:1/api/auth/login")
		_, err = a.seedDemo(context.Background(), "http://127.0.0.1:1/api")
		require.NoError(t, err, "a second start finds the demo tenant")
		h, err := a.routes()
		require.NoError(t, err)
		srv := httptest.NewServer(h)
		defer srv.Close()

		resp, err := http.Get(srv.URL + "/healthz")
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode)

		resp, err = http.Post(srv.URL+"/api/auth/login", "application/json",
			strings.NewReader(`{"tenantId":"demo","email":"`+demoAdminEmail+`","password":"demo-password-long"}`))
		require.NoError(t, err)
		var s users.Session
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&s))
		resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		assert.NotEmpty(t, s.Token)

		// The associates routes are mounted too: the demo operator holds
		// RA001, which grants them.
		req, err := http.NewRequest("POST", srv.URL+"/api/offices", strings.NewReader(`{"name":"Head office"}`))
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+s.Token)
		req.Header.Set("Content-Type", "application/json")
		resp, err = http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusCreated, resp.StatusCode, "POST /api/offices")
		loc, err := resp.Location()
		require.NoError(t, err)
		assert.True(t, strings.HasPrefix(loc.Path, "/api/offices/"), loc.Path)

		resp, err = http.Post(srv.URL+"/auth/login", "application/json", strings.NewReader(`{}`))
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusNotFound, resp.StatusCode, "the API lives under /api/ only")

		cred := social.Mint(users.SocialAssertion{Provider: "google", Subject: "s", Email: "x@example.com", EmailVerified: true})
		_, err = social.VerifySocial(context.Background(), "google", cred)
		assert.NoError(t, err)
		_, err = social.VerifySocial(context.Background(), "google", cred+"x")
		assert.Error(t, err)
	})
}

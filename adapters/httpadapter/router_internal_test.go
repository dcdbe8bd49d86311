package httpadapter

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRoutesDoNotOverlap: the router takes the first route whose shape fits, so no
// two patterns of one contract may fit the same path unless they are the same
// pattern (served under different methods).
func TestRoutesDoNotOverlap(t *testing.T) {
	overlap := func(a, b compiledRoute) bool {
		if len(a.segs) != len(b.segs) {
			return false
		}
		for i := range a.segs {
			if a.names[i] == "" && b.names[i] == "" && a.segs[i] != b.segs[i] {
				return false
			}
		}
		return true
	}
	for _, c := range contracts() {
		for i, a := range c.routes {
			for _, b := range c.routes[i+1:] {
				if a.pattern == b.pattern {
					assert.NotEqual(t, a.method, b.method, "%s: %s %s twice", c.file, a.method, a.pattern)
					continue
				}
				assert.False(t, overlap(compileRoute(a.method, a.pattern, nil), compileRoute(b.method, b.pattern, nil)),
					"%s: %s and %s fit the same paths", c.file, a.pattern, b.pattern)
			}
		}
	}
}

// TestRouterSegments: each wildcard gets one escaped segment, unescaped once; a
// known path with another method is a 405 naming the allowed ones; nothing is
// cleaned or redirected.
func TestRouterSegments(t *testing.T) {
	var got map[string]string
	h := newMux([]route{
		{method: http.MethodGet, pattern: "/tenants/{tenantId}/clients/{clientId}", serve: func(r *http.Request) (any, error) {
			got = map[string]string{"tenantId": r.PathValue("tenantId"), "clientId": r.PathValue("clientId")}
			return struct{}{}, nil
		}},
		{method: http.MethodPut, pattern: "/tenants/{tenantId}/clients/{clientId}", serve: func(*http.Request) (any, error) { return struct{}{}, nil }},
	})
	for raw, want := range map[string][2]string{
		"/tenants/t/clients/%2F":              {"t", "/"},
		"/tenants/a%2Fb/clients/a%252Fb":      {"a/b", "a%2Fb"},
		"/tenants/%2E%2E/clients/%2E":         {"..", "."},
		"/tenants/%C3%BC/clients/a%20b%3F%23": {"ü", "a b?#"},
	} {
		got = nil
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, raw, nil))
		require.Equal(t, http.StatusOK, w.Code, raw)
		assert.Equal(t, map[string]string{"tenantId": want[0], "clientId": want[1]}, got, raw)
	}
	for _, raw := range []string{"/tenants/t/clients/a/b", "/tenants/t/clients", "/tenants/t/clients/c/", "/tenants/x/../clients/c/d"} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, raw, nil))
		assert.Equal(t, http.StatusNotFound, w.Code, raw)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/tenants/t/clients/c", strings.NewReader("{}")))
	assert.Equal(t, http.StatusMethodNotAllowed, w.Code)
	assert.Equal(t, "GET, PUT", w.Header().Get("Allow"))
}

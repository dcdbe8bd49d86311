package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/associates"
	"github.com/clientele-go/clientele/authz"
	"github.com/clientele-go/clientele/clients"
	"github.com/clientele-go/clientele/outbox"
	"github.com/clientele-go/clientele/portal"
	"github.com/clientele-go/clientele/problem"
	"github.com/clientele-go/clientele/tenants"
	"github.com/clientele-go/clientele/users"
)

// Services are the library's services the routes call. Clients, Users and
// Roles are required; Tenants, Outbox, Associates and Portal are optional: when nil,
// their routes are not registered and answer 404 like any unknown path.
type Services struct {
	Clients    *clients.Service
	Users      *users.Service
	Roles      *authz.RoleService
	Tenants    *tenants.Service
	Outbox     *outbox.Service
	Associates *associates.Service
	Portal     *portal.Service
}

// Authenticator resolves the principal acting in a request, or fails with an
// error of kind clientele.ErrUnauthenticated (answered 401). An error of
// another kind is answered as package problem maps it; one of no kind (its
// gateway is down, say) is logged and answered 500. The services authorize
// the principal it returns; the HTTP layer authorizes nothing itself.
type Authenticator func(*http.Request) (authz.Principal, error)

// Option configures the handler New builds.
type Option func(*config)

type config struct {
	auth    Authenticator
	log     *slog.Logger
	maxBody int64
}

// WithAuthenticator replaces the default authentication (a bearer session
// token of package users, UsersAuthenticator) with the app's own: its SSO,
// mTLS client certificates, an API gateway's claims. The public routes
// (registration, login, logout, /openapi.json) do not call it.
func WithAuthenticator(a Authenticator) Option { return func(c *config) { c.auth = a } }

// WithLogger sets where the handler logs: one line per request (method, path,
// status, duration, request id; never headers, query strings or bodies) and the
// cause of every 500 and 503. The default discards everything.
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.log = l } }

// WithMaxBodyBytes sets the largest request body read (DefaultMaxBodyBytes
// unless set); a larger body is answered 413.
func WithMaxBodyBytes(n int64) Option { return func(c *config) { c.maxBody = n } }

// Route is one route of the API: its method and path pattern (as
// net/http.ServeMux writes them, relative to where the handler is mounted) and
// whether it is public, that is, served without authentication.
type Route struct {
	Method  string
	Pattern string
	Public  bool
}

// String returns "METHOD /pattern", the route's ServeMux pattern.
func (r Route) String() string { return r.Method + " " + r.Pattern }

// Handler is the HTTP API: an http.Handler serving Routes. Build it with New.
type Handler struct {
	h      http.Handler
	routes []Route
}

// ServeHTTP serves the request.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.h.ServeHTTP(w, r) }

// Routes returns the routes this handler serves, in registration order.
func (h *Handler) Routes() []Route { return slices.Clone(h.routes) }

// Routes returns every route the package serves when all Services are given:
// the paths of the OpenAPI document.
func Routes() []Route {
	var routes []Route
	(&api{s: Services{Tenants: &tenants.Service{}, Outbox: &outbox.Service{}, Associates: &associates.Service{}, Portal: &portal.Service{}}}).register(func(rt Route, _ http.Handler) {
		routes = append(routes, rt)
	})
	return routes
}

// New returns the HTTP API over s. It fails with clientele.ErrInvalid when a
// required service or an option is missing or invalid; it never panics on
// wiring.
func New(s Services, opts ...Option) (*Handler, error) {
	if s.Clients == nil || s.Users == nil || s.Roles == nil {
		return nil, fmt.Errorf("httpapi: New needs the Clients, Users and Roles services: %w", clientele.ErrInvalid)
	}
	cfg := config{maxBody: DefaultMaxBodyBytes}
	for _, o := range opts {
		if o == nil {
			return nil, fmt.Errorf("httpapi: New: nil option: %w", clientele.ErrInvalid)
		}
		o(&cfg)
	}
	if cfg.maxBody <= 0 {
		return nil, fmt.Errorf("httpapi: New: the body limit must be positive: %w", clientele.ErrInvalid)
	}
	if cfg.log == nil {
		cfg.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.auth == nil {
		cfg.auth = UsersAuthenticator(s.Users)
	}
	a := &api{s: s, log: cfg.log, auth: cfg.auth, maxBody: cfg.maxBody}
	mux := http.NewServeMux()
	var routes []Route
	a.register(func(rt Route, h http.Handler) {
		routes = append(routes, rt)
		mux.Handle(rt.String(), h)
	})
	return &Handler{h: problem.RequestIDs(apiHeaders(a.logRequests(a.notFound(mux)))), routes: routes}, nil
}

// UsersAuthenticator is the default Authenticator: the session token of an
// "Authorization: Bearer <token>" header, resolved by users.Service.Authenticate.
func UsersAuthenticator(us *users.Service) Authenticator {
	return func(r *http.Request) (authz.Principal, error) {
		token, err := BearerToken(r)
		if err != nil {
			return authz.Principal{}, err
		}
		return us.Authenticate(r.Context(), token)
	}
}

// BearerToken returns the token of an "Authorization: Bearer <token>" header,
// or an error of kind clientele.ErrUnauthenticated.
func BearerToken(r *http.Request) (string, error) {
	h := r.Header.Get("Authorization")
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		return "", fmt.Errorf("send the session token as Authorization: Bearer <token>: %w", clientele.ErrUnauthenticated)
	}
	return strings.TrimSpace(token), nil
}

// api holds what the routes call.
type api struct {
	s       Services
	log     *slog.Logger
	auth    Authenticator
	maxBody int64
}

// handlerFunc is a route's handler: it writes a success or returns the error
// the problem document describes.
type handlerFunc func(http.ResponseWriter, *http.Request) error

type principalKey struct{}

// principal returns the principal the authenticator resolved. A handler
// reached without it gets a zero principal, which every service denies.
func principal(ctx context.Context) authz.Principal {
	p, _ := ctx.Value(principalKey{}).(authz.Principal)
	return p
}

// authenticated resolves the acting principal before h runs; h's services
// then authorize it.
func (a *api) authenticated(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := a.auth(r)
		if err != nil {
			if clientele.Kind(err) == nil {
				// An authenticator's own failure (a gateway down, a bug) is the
				// server's, not the caller's: 500 unless it names a kind.
				a.log.ErrorContext(r.Context(), "authenticator failed", "request_id", problem.RequestID(r.Context()), "err", err)
			}
			a.writeError(w, r, err)
			return
		}
		if err := h(w, r.WithContext(context.WithValue(r.Context(), principalKey{}, p))); err != nil {
			a.writeError(w, r, err)
		}
	})
}

// public serves h without authentication.
func (a *api) public(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			a.writeError(w, r, err)
		}
	})
}

// writeError answers with the problem err describes, logging the cause of a
// 500 or 503, which the document does not carry.
func (a *api) writeError(w http.ResponseWriter, r *http.Request, err error) {
	if st := problem.Status(err); st == http.StatusInternalServerError || st == http.StatusServiceUnavailable {
		a.log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path,
			"request_id", problem.RequestID(r.Context()), "err", err)
	}
	problem.Write(w, r, err)
}

// notFound answers a path no route serves with a 404 problem, and a path
// served for other methods with a 405 problem naming them in Allow.
func (a *api) notFound(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pattern := mux.Handler(r); pattern != "" {
			mux.ServeHTTP(w, r)
			return
		}
		var allow []string
		for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
			probe := r.Clone(r.Context())
			probe.Method = m
			if _, pattern := mux.Handler(probe); pattern != "" {
				allow = append(allow, m)
			}
		}
		if len(allow) == 0 {
			problem.Write(w, r, fmt.Errorf("no route: %w", clientele.ErrNotFound))
			return
		}
		w.Header().Set("Allow", strings.Join(allow, ", "))
		problem.Write(w, r, &problem.Error{Status: http.StatusMethodNotAllowed, Code: problem.CodeMethodNotAllowed,
			Detail: "this path serves " + strings.Join(allow, ", "), Kind: clientele.ErrInvalid})
	})
}

// apiHeaders sets on every answer the headers an API of personal and financial
// data needs: no cache may keep it (Cache-Control: no-store) and no browser may
// guess another content type than the one declared (nosniff), nor frame it.
func apiHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Cache-Control", "no-store")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
		next.ServeHTTP(w, r)
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the writer underneath.
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// logRequests logs one line per request: method, path, status, duration and
// request id. Never headers, query strings or bodies, which may carry secrets
// or personal data.
func (a *api) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		a.log.InfoContext(r.Context(), "request",
			"method", r.Method, "path", r.URL.Path, "status", rec.status,
			"duration_ms", float64(time.Since(start).Microseconds())/1000,
			"request_id", problem.RequestID(r.Context()))
	})
}

// writeJSON answers with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

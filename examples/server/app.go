package main

import (
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/clientele-go/clientele/adapters"
	"github.com/clientele-go/clientele/authz"
	"github.com/clientele-go/clientele/clients"
	"github.com/clientele-go/clientele/outbox"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/users"
)

// app holds the services the routes call.
type app struct {
	log     *slog.Logger
	db      *storage.DB
	cfg     config
	az      *authz.Authorizer
	clients *clients.Service
	roles   *authz.RoleService
	users   *users.Service
	// dispatcher delivers the effects the services queue (invitations,
	// borrowers' DIDs, clients pushed to identity); run starts and stops it.
	dispatcher *storage.Dispatcher
}

// config is what the server is built from besides the database.
type config struct {
	messaging adapters.Messaging
	identity  adapters.Identity
	// socialKey keys the stand-in social provider; empty disables social sign-in.
	socialKey []byte
	// demoPassword is the demo node operator's password.
	demoPassword string
	// hashing overrides the password hashing cost (tests); zero keeps OWASP's.
	hashing *users.Hashing
}

func newApp(db *storage.DB, log *slog.Logger, cfg config) (*app, error) {
	if db == nil || log == nil || cfg.messaging == nil || cfg.identity == nil {
		return nil, errors.New("newApp: db, log, messaging and identity are required")
	}
	az, err := authz.New(db.Authz(), db.Authz())
	if err != nil {
		return nil, err
	}
	cs, err := clients.New(db.Clients(), az)
	if err != nil {
		return nil, err
	}
	opts := []users.Option{users.WithPortalURL("http://localhost:8080/signup")}
	if len(cfg.socialKey) > 0 {
		opts = append(opts, users.WithSocialVerifier(demoSocial{key: cfg.socialKey}))
	}
	if cfg.hashing != nil {
		opts = append(opts, users.WithHashing(*cfg.hashing))
	}
	us, err := users.New(db.Users(), az, az, db.Clients(), cfg.messaging, cfg.identity, opts...)
	if err != nil {
		return nil, err
	}
	// The node operator, as users knows it, is the one actor the role service
	// lets grant beyond its own permissions.
	roles, err := authz.NewRoleService(db.Authz(), az, authz.WithNodeOperators(us))
	if err != nil {
		return nil, err
	}
	handlers := outbox.Merge(clients.SyncHandlers(db.Clients(), clients.SyncAdapters{Identity: cfg.identity}), us.Handlers())
	dispatcher, err := db.NewDispatcher(handlers, storage.WithLogger(log))
	if err != nil {
		return nil, err
	}
	return &app{log: log, db: db, cfg: cfg, az: az, clients: cs, roles: roles, users: us, dispatcher: dispatcher}, nil
}

// routes returns the server's handler: the seeds' back-office routes exactly as
// written, plus roles and permissions.
func (a *app) routes() http.Handler {
	h, _ := a.handler()
	return h
}

// handler builds the server's handler and returns with it every route it
// registered.
func (a *app) handler() (http.Handler, []route) {
	mux := &router{mux: http.NewServeMux()}
	auth := a.authenticated

	mux.Handle("GET /clients/profile", auth(a.listClients))              // CL001, CL009
	mux.Handle("POST /clients/profile", auth(a.createClient))            // CL003
	mux.Handle("GET /clients/profile/{reference}", auth(a.getClient))    // CL002
	mux.Handle("PUT /clients/profile/{reference}", auth(a.updateClient)) // CL004
	mux.Handle("POST /clients/profile/{reference}/status", auth(a.transitionClient))

	mux.Handle("GET /permissions", auth(a.listPermissions))
	mux.Handle("GET /roles", auth(a.listRoles))
	mux.Handle("POST /roles", auth(a.createRole))
	mux.Handle("PUT /roles/{code}", auth(a.updateRole))

	a.authRoutes(mux)

	mux.Handle("GET /healthz", publicHandler{http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})})
	return a.logRequests(apiHeaders(mux.mux)), mux.routes
}

// route is one registered route: its pattern and whether it needs no session.
type route struct {
	Pattern string
	Public  bool
}

// router registers handlers on a mux and records every route, so the tests
// walk the very list the mux serves and a new route cannot go unchecked.
type router struct {
	mux    *http.ServeMux
	routes []route
}

// Handle registers h for pattern. The route is public when h is a
// publicHandler; any other handler must authenticate (authenticated).
func (rt *router) Handle(pattern string, h http.Handler) {
	_, public := h.(publicHandler)
	rt.routes = append(rt.routes, route{Pattern: pattern, Public: public})
	rt.mux.Handle(pattern, h)
}

// publicHandler marks a handler that needs no session (registration, login).
type publicHandler struct{ http.Handler }

// authenticated resolves the acting principal from the bearer token before the
// handler runs; the handler's services then authorize it.
func (a *app) authenticated(h func(http.ResponseWriter, *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, err := bearerToken(r)
		if err != nil {
			writeError(w, r, a.log, err)
			return
		}
		p, err := a.users.Authenticate(r.Context(), token)
		if err != nil {
			writeError(w, r, a.log, err)
			return
		}
		r = r.WithContext(withPrincipal(r.Context(), p))
		if err := h(w, r); err != nil {
			writeError(w, r, a.log, err)
		}
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

// logRequests logs one line per request: method, path, status, duration. Never
// headers, query strings or bodies, which may carry secrets or personal data.
func (a *app) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		a.log.InfoContext(r.Context(), "request",
			"method", r.Method, "path", r.URL.Path, "status", rec.status,
			"duration_ms", float64(time.Since(start).Microseconds())/1000)
	})
}

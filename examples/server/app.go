package main

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/clientele-go/clientele/adapters"
	"github.com/clientele-go/clientele/associates"
	"github.com/clientele-go/clientele/authz"
	"github.com/clientele-go/clientele/clients"
	"github.com/clientele-go/clientele/httpapi"
	"github.com/clientele-go/clientele/internal/testkit"
	"github.com/clientele-go/clientele/outbox"
	"github.com/clientele-go/clientele/portal"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/tenants"
	"github.com/clientele-go/clientele/users"
)

// apiPrefix is where the example mounts the library's HTTP API.
const apiPrefix = "/api"

// app holds the services the routes call.
type app struct {
	log      *slog.Logger
	db       *storage.DB
	cfg      config
	services httpapi.Services
}

// config is what the server is built from besides the database.
type config struct {
	messaging adapters.Messaging
	identity  adapters.Identity
	// socialKey keys the stand-in social provider; empty disables social sign-in.
	socialKey []byte
	// demoPassword is the demo node operator's password.
	demoPassword string
	// portalURL is where invitation e-mails send people to register.
	portalURL string
	// adapters are the systems the client service reads from and the
	// dispatcher pushes clients to.
	adapters clients.Adapters
	// screening is the compliance screening of the onboarding checks.
	screening clients.Screening
}

func newApp(db *storage.DB, log *slog.Logger, cfg config) (*app, error) {
	if db == nil || log == nil || cfg.messaging == nil || cfg.identity == nil {
		return nil, errors.New("newApp: db, log, messaging and identity are required")
	}
	az, err := authz.New(db.Authz(), db.Authz())
	if err != nil {
		return nil, err
	}
	opts := []users.Option{users.WithPortalURL(cfg.portalURL)}
	if len(cfg.socialKey) > 0 {
		opts = append(opts, users.WithSocialVerifier(testkit.SocialStandIn{Key: cfg.socialKey}))
	}
	us, err := users.New(db.Users(), az, az, db.Clients(), db.Associates(), cfg.messaging, cfg.identity, opts...)
	if err != nil {
		return nil, err
	}
	// The node operator sees every client of its tenant whatever its roles'
	// data scope.
	// The tenant's settings say whether activation needs verified onboarding.
	cs, err := clients.New(db.Clients(), az, clients.WithNodeOperators(us), clients.WithAdapters(cfg.adapters),
		clients.WithTenants(db.Tenants()))
	if err != nil {
		return nil, err
	}
	// The node operator, as users knows it, is the one actor the role service
	// lets grant beyond its own permissions.
	roles, err := authz.NewRoleService(db.Authz(), az, authz.WithNodeOperators(us))
	if err != nil {
		return nil, err
	}
	ts, err := tenants.New(db.Tenants(), demoTenant, tenants.WithAuthorizer(az))
	if err != nil {
		return nil, err
	}
	ob, err := outbox.New(db.Effects(), az)
	if err != nil {
		return nil, err
	}
	as, err := associates.New(db.Associates(), az, associates.WithUsers(us))
	if err != nil {
		return nil, err
	}
	// The client self-service portal, on the same core banking as the clients
	// (served only when there is one).
	var ps *portal.Service
	if cfg.adapters.CoreBanking != nil {
		if ps, err = portal.New(db.Portal(), az, cfg.adapters.CoreBanking, cs, us); err != nil {
			return nil, err
		}
	}
	return &app{log: log, db: db, cfg: cfg, services: httpapi.Services{Clients: cs, Users: us, Roles: roles, Tenants: ts, Outbox: ob, Associates: as, Portal: ps}}, nil
}

// routes returns the server's handler: the library's HTTP API under /api/, next
// to a route of the app's own, GET /healthz.
func (a *app) routes() (http.Handler, error) {
	api, err := httpapi.New(a.services, httpapi.WithLogger(a.log))
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle(apiPrefix+"/", http.StripPrefix(apiPrefix, api))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"ok"}` + "\n"))
	})
	return mux, nil
}

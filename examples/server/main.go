package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/clientele-go/clientele/adapters/httpadapter"
	"github.com/clientele-go/clientele/adapters/memory"
	"github.com/clientele-go/clientele/clients"
	"github.com/clientele-go/clientele/clients/watchlist"
	"github.com/clientele-go/clientele/outbox"
	"github.com/clientele-go/clientele/storage"
)

func main() {
	if err := run(os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "server:", err)
		os.Exit(1)
	}
}

// adapterConfig picks the adapters: the in-memory fakes by default (messages are
// logged so the demo's invitation codes can be read), or the HTTP adapters at
// CLIENTELE_ADAPTERS_URL (for example `go run ./examples/fakes`).
func adapterConfig(getenv func(string) string, log *slog.Logger) (config, error) {
	if url := getenv("CLIENTELE_ADAPTERS_URL"); url != "" {
		c, err := httpadapter.NewClients(url, httpadapter.WithLogger(log))
		if err != nil {
			return config{}, err
		}
		return config{messaging: c.Messaging, identity: c.Identity, screening: demoWatchlist(),
			adapters: clients.Adapters{CoreBanking: c.CoreBanking, Identity: c.Identity, CRM: c.CRM,
				Documents: c.Documents, Messaging: c.Messaging, Persistence: c.Persistence}}, nil
	}
	identity := memory.NewIdentity()
	messaging := demoOutbox{memory.NewMessaging(), log}
	return config{messaging: messaging, identity: identity, screening: demoWatchlist(),
		adapters: clients.Adapters{CoreBanking: memory.NewCoreBanking(), Identity: identity, CRM: memory.NewCRM(),
			Documents: memory.NewDocuments(), Messaging: messaging, Persistence: memory.NewPersistence()}}, nil
}

// demoWatchlist is the compliance screening of the onboarding checks: an
// in-memory list in both configurations (screening is not one of the adapter
// contracts served over HTTP). A client named like an entry fails screening.
func demoWatchlist() *watchlist.List {
	return watchlist.New(
		watchlist.Entry{List: "demo sanctions list", Name: "Sanctioned Person"},
		watchlist.Entry{List: "demo PEP list", Name: "Exposed Politician"},
	)
}

func envOr(getenv func(string) string, key, def string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return def
}

func run(args []string, getenv func(string) string, stdout, stderr *os.File) error {
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	addr := fs.String("addr", envOr(getenv, "ADDR", "127.0.0.1:8080"), "listen address")
	dsn := fs.String("db", envOr(getenv, "DATABASE_URL", "sqlite://clientele-demo.db"), "database DSN (sqlite://PATH or postgres://…)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	db, err := storage.Open(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	cfg, err := adapterConfig(getenv, log)
	if err != nil {
		return err
	}
	cfg.demoPassword = envOr(getenv, "CLIENTELE_DEMO_PASSWORD", defaultDemoPass)
	cfg.socialKey = []byte(getenv("CLIENTELE_DEMO_SOCIAL_KEY"))

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	base := "http://" + ln.Addr().String()
	cfg.portalURL = base + "/signup"
	a, err := newApp(db, log, cfg)
	if err != nil {
		return err
	}
	demo, err := a.seedDemo(ctx, base+apiPrefix)
	if err != nil {
		return fmt.Errorf("demo tenant: %w", err)
	}
	handler, err := a.routes()
	if err != nil {
		return err
	}

	// The dispatcher delivers what the services committed to the adapters
	// (invitations and DIDs, clients to core banking, identity and CRM, the
	// steps of archiving a client, device changes,
	// onboarding checks, favourites and client preferences to persistence, portal
	// transfers core banking could not take at once), outside the requests.
	archive, err := clients.ArchiveHandlers(clients.ArchiveDeps{Store: db.Clients(), Adapters: cfg.adapters,
		Tenants: db.Tenants(), Users: a.services.Users})
	if err != nil {
		return err
	}
	handlers := outbox.Merge(a.services.Users.Handlers(), clients.SyncHandlers(db.Clients(), cfg.adapters), archive, a.services.Clients.DeviceHandlers(),
		clients.VerificationHandlers(db.Clients(), cfg.adapters, cfg.screening),
		clients.FavoriteHandlers(cfg.adapters), clients.PreferencesHandlers(cfg.adapters))
	if a.services.Portal != nil {
		handlers = outbox.Merge(handlers, a.services.Portal.Handlers())
	}
	dispatcher, err := db.NewDispatcher(handlers, storage.WithLogger(log))
	if err != nil {
		return err
	}
	if err := dispatcher.Start(ctx); err != nil {
		return err
	}
	defer func() {
		stopCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := dispatcher.Stop(stopCtx); err != nil {
			log.Error("dispatcher stop", "err", err)
		}
	}()

	// The timeouts an app serving the API must set: without them a slow client
	// holds a connection (and its goroutine) for ever.
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    32 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	fmt.Fprintf(stdout, "clientele example server listening on %s (API under %s%s/, database: %s)\n", base, base, apiPrefix, db.Dialect())
	fmt.Fprint(stdout, demo)

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

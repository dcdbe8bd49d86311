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
		return config{messaging: c.Messaging, identity: c.Identity}, nil
	}
	return config{messaging: demoOutbox{memory.NewMessaging(), log}, identity: memory.NewIdentity()}, nil
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
	a, err := newApp(db, log, cfg)
	if err != nil {
		return err
	}
	if err := a.dispatcher.Start(ctx); err != nil {
		return err
	}
	defer func() {
		stopping, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := a.dispatcher.Stop(stopping); err != nil {
			log.Warn("stopping the dispatcher", "error", err)
		}
	}()
	demo, err := a.seedDemo(ctx)
	if err != nil {
		return fmt.Errorf("demo tenant: %w", err)
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           a.routes(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    32 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	fmt.Fprintf(stdout, "clientele example server listening on http://%s (database: %s)\n", ln.Addr(), db.Dialect())
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

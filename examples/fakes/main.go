package main

import (
	"context"
	"encoding/json"
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
)

func main() {
	def := os.Getenv("CLIENTELE_FAKES_ADDR")
	if def == "" {
		def = ":8090"
	}
	addr := flag.String("addr", def, "listen address (env CLIENTELE_FAKES_ADDR)")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stdout, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *addr, log); err != nil {
		log.Error("fakes", "err", err)
		os.Exit(1)
	}
}

// newHandler serves the six contracts over fresh memory fakes, plus the
// /_fakes/messages view of what the messaging fake recorded.
func newHandler() (http.Handler, error) {
	msgs := memory.NewMessaging()
	contracts, err := httpadapter.NewHandler(httpadapter.Implementations{
		CoreBanking: memory.NewCoreBanking(),
		Identity:    memory.NewIdentity(),
		CRM:         memory.NewCRM(),
		Documents:   memory.NewDocuments(),
		Messaging:   msgs,
		Persistence: memory.NewPersistence(),
	})
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/", contracts)
	mux.HandleFunc("GET /_fakes/messages", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if rcpt := r.URL.Query().Get("recipient"); rcpt != "" {
			m, ok := msgs.Last(rcpt)
			if !ok {
				w.WriteHeader(http.StatusNotFound)
				_, _ = w.Write([]byte("null\n"))
				return
			}
			_ = json.NewEncoder(w).Encode(m)
			return
		}
		_ = json.NewEncoder(w).Encode(msgs.Sent())
	})
	return mux, nil
}

func run(ctx context.Context, addr string, log *slog.Logger) error {
	h, err := newHandler()
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", addr, err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	log.Info("serving adapter fakes", "addr", ln.Addr().String(),
		"paths", []string{httpadapter.CoreBankingPath, httpadapter.IdentityPath, httpadapter.CRMPath,
			httpadapter.DocumentsPath, httpadapter.MessagingPath, httpadapter.PersistencePath})
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

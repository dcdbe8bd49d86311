package httpadapter_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/adapters"
	"github.com/clientele-go/clientele/adapters/httpadapter"
	"github.com/clientele-go/clientele/adapters/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// flaky answers the first n requests with 503. When after is true it passes them
// to next first, so the effect happens and only the response is lost.
type flaky struct {
	next  http.Handler
	n     int
	after bool

	mu       sync.Mutex
	requests int
	keys     []string
}

func (f *flaky) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.requests++
	fail := f.requests <= f.n
	f.keys = append(f.keys, r.Header.Get(httpadapter.IdempotencyKeyHeader))
	f.mu.Unlock()
	if !fail {
		f.next.ServeHTTP(w, r)
		return
	}
	if f.after {
		f.next.ServeHTTP(httptest.NewRecorder(), r)
	}
	w.Header().Set("Content-Type", httpadapter.ProblemContentType)
	w.WriteHeader(http.StatusServiceUnavailable)
	_, _ = w.Write([]byte(`{"type":"urn:clientele:problem:unavailable","title":"Service Unavailable","status":503,"code":"unavailable"}`))
}

type fakes struct {
	bank  *memory.CoreBanking
	idp   *memory.Identity
	crm   *memory.CRM
	docs  *memory.Documents
	msgs  *memory.Messaging
	store *memory.Persistence
}

// flakyServer serves all six contracts over fresh fakes behind a flaky handler.
func flakyServer(t *testing.T, n int, after bool, opts ...httpadapter.Option) (*httpadapter.Clients, fakes, *flaky) {
	t.Helper()
	f := fakes{memory.NewCoreBanking(), memory.NewIdentity(), memory.NewCRM(), memory.NewDocuments(), memory.NewMessaging(), memory.NewPersistence()}
	h, err := httpadapter.NewHandler(httpadapter.Implementations{CoreBanking: f.bank, Identity: f.idp, CRM: f.crm, Documents: f.docs, Messaging: f.msgs, Persistence: f.store})
	require.NoError(t, err)
	fl := &flaky{next: h, n: n, after: after}
	srv := httptest.NewServer(fl)
	t.Cleanup(srv.Close)
	opts = append([]httpadapter.Option{httpadapter.WithRetry(3, time.Millisecond, 5*time.Millisecond)}, opts...)
	c, err := httpadapter.NewClients(srv.URL, opts...)
	require.NoError(t, err)
	return c, f, fl
}

// TestRetryAfter503OneEffect: each client's change meets two 503s, then succeeds,
// and has exactly one effect — whether the failed attempts reached the fake or not.
func TestRetryAfter503OneEffect(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name string
		run  func(t *testing.T, c *httpadapter.Clients, f fakes)
	}{
		{"CoreBanking.Transfer", func(t *testing.T, c *httpadapter.Clients, f fakes) {
			_, err := f.bank.CreateClient(ctx, adapters.CreateClientRequest{TenantID: "t", ClientID: "c", Profile: adapters.Profile{Type: adapters.Corporate, LegalName: "Acme"}, IdempotencyKey: "c"})
			require.NoError(t, err)
			a, _ := f.bank.OpenAccount(ctx, adapters.OpenAccountRequest{TenantID: "t", ClientID: "c", Type: adapters.Savings, OpeningBalance: adapters.Money{Amount: 1000, Currency: "KES"}, IdempotencyKey: "a"})
			b, _ := f.bank.OpenAccount(ctx, adapters.OpenAccountRequest{TenantID: "t", ClientID: "c", Type: adapters.Savings, OpeningBalance: adapters.Money{Currency: "KES"}, IdempotencyKey: "b"})
			_, err = c.CoreBanking.Transfer(ctx, adapters.TransferRequest{TenantID: "t", FromAccountID: a.ID, ToAccountID: b.ID, Amount: adapters.Money{Amount: 100, Currency: "KES"}, IdempotencyKey: "tr-1"})
			require.NoError(t, err)
			got, _ := f.bank.GetAccount(ctx, "t", b.ID)
			assert.Equal(t, int64(100), got.Balance.Amount, "moved once")
		}},
		{"Identity.CreateDID", func(t *testing.T, c *httpadapter.Clients, f fakes) {
			d, err := c.Identity.CreateDID(ctx, adapters.CreateDIDRequest{TenantID: "t", SubjectID: "s", IdempotencyKey: "did-1"})
			require.NoError(t, err)
			assert.NotEmpty(t, d.DID)
			_, err = f.idp.CreateDID(ctx, adapters.CreateDIDRequest{TenantID: "t", SubjectID: "s", IdempotencyKey: "did-1"})
			require.NoError(t, err, "the key was used once, for this request")
		}},
		{"CRM.CreatePartner", func(t *testing.T, c *httpadapter.Clients, f fakes) {
			p, err := c.CRM.CreatePartner(ctx, adapters.CreatePartnerRequest{TenantID: "t", ClientID: "c", Profile: adapters.Profile{Type: adapters.Corporate, LegalName: "Acme"}, IdempotencyKey: "p-1"})
			require.NoError(t, err)
			got, err := f.crm.GetPartner(ctx, "t", "c")
			require.NoError(t, err)
			assert.Equal(t, p.ExternalID, got.ExternalID)
		}},
		{"Documents.PutDocument", func(t *testing.T, c *httpadapter.Clients, f fakes) {
			_, err := c.Documents.PutDocument(ctx, adapters.PutDocumentRequest{TenantID: "t", ClientID: "c", Category: adapters.CategoryUtility, Type: "bill", ContentType: "text/plain", Content: []byte("x"), IdempotencyKey: "d-1"})
			require.NoError(t, err)
			list, err := f.docs.ListDocuments(ctx, adapters.ListDocumentsRequest{TenantID: "t", ClientID: "c", Category: adapters.CategoryUtility})
			require.NoError(t, err)
			assert.Len(t, list, 1, "filed once")
		}},
		{"Messaging.Send", func(t *testing.T, c *httpadapter.Clients, f fakes) {
			_, err := c.Messaging.Send(ctx, adapters.Message{TenantID: "t", Kind: adapters.KindOTP, Channel: adapters.SMS, Recipient: "+254700000001", Params: map[string]string{"code": "123456"}, IdempotencyKey: "m-1"})
			require.NoError(t, err)
			assert.Len(t, f.msgs.Sent(), 1, "sent once")
		}},
		{"Persistence.ToggleFavorite", func(t *testing.T, c *httpadapter.Clients, f fakes) {
			fav, err := c.Persistence.ToggleFavorite(ctx, adapters.ToggleFavoriteRequest{TenantID: "t", MemberID: "m", ClientID: "c", IdempotencyKey: "f-1"})
			require.NoError(t, err)
			assert.True(t, fav.Starred)
			list, err := f.store.ListFavorites(ctx, "t", "m")
			require.NoError(t, err)
			assert.Len(t, list, 1, "toggled once: a second toggle would have unstarred it")
		}},
	}
	for _, tc := range cases {
		for _, after := range []bool{false, true} {
			name := tc.name + "/before"
			if after {
				name = tc.name + "/after"
			}
			t.Run(name, func(t *testing.T) {
				c, f, fl := flakyServer(t, 2, after)
				tc.run(t, c, f)
				fl.mu.Lock()
				defer fl.mu.Unlock()
				assert.Equal(t, 3, fl.requests, "two 503s, then success")
				for _, k := range fl.keys {
					assert.NotEmpty(t, k, "every attempt carries the Idempotency-Key header")
				}
			})
		}
	}
}

// TestHangingServerTimesOut: each client gives up on a server that never answers,
// with an error of kind ErrUnavailable, within its attempt timeout and retries.
func TestHangingServerTimesOut(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	c, err := httpadapter.NewClients(srv.URL, httpadapter.WithTimeout(80*time.Millisecond), httpadapter.WithRetry(1, time.Millisecond, 2*time.Millisecond))
	require.NoError(t, err)
	ctx := context.Background()
	calls := map[string]func() error{
		"CoreBanking": func() error { _, err := c.CoreBanking.GetClient(ctx, "t", "c"); return err },
		"Identity": func() error {
			_, err := c.Identity.CreateUser(ctx, adapters.CreateUserRequest{TenantID: "t", SubjectID: "s", Profile: adapters.Profile{Type: adapters.Corporate, LegalName: "A"}, IdempotencyKey: "k"})
			return err
		},
		"CRM":       func() error { _, err := c.CRM.GetPartner(ctx, "t", "c"); return err },
		"Documents": func() error { _, err := c.Documents.GetPhoto(ctx, "t", "c"); return err },
		"Messaging": func() error {
			_, err := c.Messaging.Send(ctx, adapters.Message{TenantID: "t", Kind: adapters.KindWelcome, Channel: adapters.Email, Recipient: "a@example.com", IdempotencyKey: "k"})
			return err
		},
		"Persistence": func() error { _, err := c.Persistence.ListDevices(ctx, "t", "c"); return err },
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			err := call()
			require.Error(t, err)
			assert.ErrorIs(t, err, clientele.ErrUnavailable)
			assert.False(t, errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil)
			assert.Less(t, time.Since(start), 2*time.Second, "two attempts of 80 ms, not a hang")
		})
	}
}

// TestCallerContextEndsRetries: the caller's deadline ends the call with the
// context's error even while the client would still retry.
func TestCallerContextEndsRetries(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	t.Cleanup(srv.Close)
	c, err := httpadapter.NewCRM(srv.URL, httpadapter.WithRetry(100, 20*time.Millisecond, 20*time.Millisecond))
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err = c.GetPartner(ctx, "t", "c")
	require.ErrorIs(t, err, context.DeadlineExceeded)
}

package httpadapter_test

import (
	"context"
	"io"
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

// hangingServer never answers: each request waits until its context ends (the
// client gave up and closed the connection) and is then reported on gaveUp.
func hangingServer(t *testing.T) (srv *httptest.Server, gaveUp <-chan string) {
	t.Helper()
	ch := make(chan string, 64)
	stop := make(chan struct{})
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The server notices a client hanging up only once the body is read.
		_, _ = io.Copy(io.Discard, r.Body)
		select {
		case <-r.Context().Done():
			ch <- r.Method + " " + r.URL.EscapedPath()
		case <-stop: // the test failed; let srv.Close return
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(stop) }) // runs before srv.Close
	return srv, ch
}

// waitGaveUp waits for n requests to be abandoned by the client, within d.
func waitGaveUp(t *testing.T, gaveUp <-chan string, n int, d time.Duration) []string {
	t.Helper()
	var got []string
	deadline := time.After(d)
	for len(got) < n {
		select {
		case r := <-gaveUp:
			got = append(got, r)
		case <-deadline:
			t.Fatalf("the server saw %d abandoned requests, want %d: %v", len(got), n, got)
		}
	}
	return got
}

// TestHangingServerTimesOut: each client gives up on a server that never answers
// with an error of kind ErrUnavailable — not the caller's context error, the
// caller's context still being live — after exactly its attempts (the first and
// one retry, each bounded by the attempt timeout), and each abandoned attempt's
// context ends on the server side too.
func TestHangingServerTimesOut(t *testing.T) {
	srv, gaveUp := hangingServer(t)
	const attempt = 80 * time.Millisecond
	c, err := httpadapter.NewClients(srv.URL, httpadapter.WithTimeout(attempt), httpadapter.WithRetry(1, time.Millisecond, 2*time.Millisecond))
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
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
			elapsed := time.Since(start)
			require.Error(t, err)
			assert.ErrorIs(t, err, clientele.ErrUnavailable)
			assert.NotErrorIs(t, err, context.Canceled)
			require.NoError(t, ctx.Err(), "the attempt timeout ended the call, not the caller's context")
			assert.GreaterOrEqual(t, elapsed, 2*attempt, "two attempts, each waiting out its timeout")
			assert.Less(t, elapsed, 2*time.Second, "two attempts of 80 ms, not a hang")
			got := waitGaveUp(t, gaveUp, 2, 2*time.Second)
			assert.Equal(t, got[0], got[1], "the retry repeats the same request")
			select {
			case extra := <-gaveUp:
				t.Fatalf("a third attempt reached the server: %s", extra)
			case <-time.After(2 * attempt):
			}
		})
	}
}

// TestCallerCancelEndsHangingCall: while the server hangs and the attempt timeout
// is far away, cancelling the caller's context ends the call at once with the
// context's error (not ErrUnavailable, which would invite a retry elsewhere), the
// request's context ends on the server side, and the change is not retried.
func TestCallerCancelEndsHangingCall(t *testing.T) {
	srv, gaveUp := hangingServer(t)
	c, err := httpadapter.NewCoreBanking(srv.URL, httpadapter.WithTimeout(time.Minute), httpadapter.WithRetry(3, time.Millisecond, 2*time.Millisecond))
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := c.Transfer(ctx, adapters.TransferRequest{TenantID: "t", FromAccountID: "a", ToAccountID: "b",
			Amount: adapters.Money{Amount: 1, Currency: "KES"}, IdempotencyKey: "k"})
		done <- err
	}()
	select {
	case err := <-done:
		t.Fatalf("the call returned before the caller cancelled: %v", err)
	case <-time.After(100 * time.Millisecond):
	}
	cancel()
	select {
	case err := <-done:
		require.ErrorIs(t, err, context.Canceled)
		assert.NotErrorIs(t, err, clientele.ErrUnavailable)
	case <-time.After(2 * time.Second):
		t.Fatal("the call did not return after its context was cancelled")
	}
	got := waitGaveUp(t, gaveUp, 1, 2*time.Second)
	assert.Equal(t, []string{"POST /tenants/t/transfers"}, got)
	select {
	case extra := <-gaveUp:
		t.Fatalf("the cancelled call was retried: %s", extra)
	case <-time.After(100 * time.Millisecond):
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

package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/adapters"
	"github.com/clientele-go/clientele/authz"
	"github.com/clientele-go/clientele/clients"
	"github.com/clientele-go/clientele/httpapi"
	"github.com/clientele-go/clientele/httpapi/httpapitest"
	"github.com/clientele-go/clientele/internal/dbtest"
	"github.com/clientele-go/clientele/portal"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/users"
)

// benchWorkers is how many clients send requests at once in the transfer
// benchmarks.
const benchWorkers = 16

// BenchmarkPortalTransfersPostgres sends b.N account transfers through the
// HTTP API (bearer session, authorization, portal access, account checks
// and the transfer at the memory core-banking fake, the record with its
// idempotency key, audit entry and outbox effect, the settlement, and the
// dispatcher's delivery running alongside), benchWorkers at a time, from one
// well-funded savings account. Beside it, floor runs the same load against
// a bare handler that only decodes the body and inserts the transfer row.
// It reports transfers/s and the median and 99th percentile latency.
//
//	CLIENTELE_TEST_POSTGRES=… go test -run '^$' -bench PortalTransfersPostgres -benchtime 4000x -count 5 ./httpapi
func BenchmarkPortalTransfersPostgres(b *testing.B) {
	if dbtest.PostgresDSN(b) == "" {
		b.Skip("CLIENTELE_TEST_POSTGRES is not set")
	}
	db := dbtest.Postgres(b)
	env := httpapitest.NewEnv(b, db, nil)
	token, from, to := benchCustomer(b, env, db)

	b.Run("api", func(b *testing.B) {
		url := env.Server.URL + httpapi.PortalPrefix + "/accounttransfer"
		body := fmt.Sprintf(`{"fromAccountId":%q,"toAccountId":%q,"amount":{"amount":1,"currency":"KES"}}`, from, to)
		runTransfers(b, url, token, body, http.StatusCreated)
	})
	b.Run("api_prepared", func(b *testing.B) {
		// The same with storage.WithPreparedStatements (a direct connection,
		// or a pooler that keeps prepared statements).
		db := dbtest.PostgresWith(b, storage.WithPreparedStatements())
		env := httpapitest.NewEnv(b, db, nil)
		token, from, to := benchCustomer(b, env, db)
		url := env.Server.URL + httpapi.PortalPrefix + "/accounttransfer"
		body := fmt.Sprintf(`{"fromAccountId":%q,"toAccountId":%q,"amount":{"amount":1,"currency":"KES"}}`, from, to)
		runTransfers(b, url, token, body, http.StatusCreated)
	})
	b.Run("floor", func(b *testing.B) {
		floor := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var in portal.TransferInput
			if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			id, _ := uuid.NewV7()
			now := time.Now().UTC()
			_, err := db.SQL().ExecContext(r.Context(), `INSERT INTO portal_transfers (tenant_id, id, client_id, user_id,
				from_account_id, to_account_id, amount, currency, narration, status, failure, bank_transfer_id, created_at, updated_at)
				VALUES ('demo', $1, 'floor', 'floor', $2, $3, $4, $5, '', 'pending', '', '', $6, $6)`,
				id.String(), in.FromAccountID, in.ToAccountID, in.Amount.Amount, in.Amount.Currency, now)
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			w.WriteHeader(http.StatusCreated)
		}))
		defer floor.Close()
		body := fmt.Sprintf(`{"fromAccountId":%q,"toAccountId":%q,"amount":{"amount":1,"currency":"KES"}}`, from, to)
		runTransfers(b, floor.URL, token, body, http.StatusCreated)
	})
}

// runTransfers sends b.N POSTs to url, benchWorkers at a time, each with its
// own Idempotency-Key, and reports the rate and latencies.
func runTransfers(b *testing.B, url, token, body string, want int) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: benchWorkers, MaxConnsPerHost: benchWorkers}}
	lat := make([]time.Duration, b.N)
	var next atomic.Int64
	var failed atomic.Int64
	run := fmt.Sprintf("%d-%d", time.Now().UnixNano(), b.N)
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for range benchWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= b.N {
					return
				}
				req, _ := http.NewRequest("POST", url, strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+token)
				req.Header.Set("Idempotency-Key", fmt.Sprintf("bench-%s-%d", run, i))
				t0 := time.Now()
				resp, err := client.Do(req)
				if err == nil {
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				lat[i] = time.Since(t0)
				if err != nil || resp.StatusCode != want {
					failed.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if n := failed.Load(); n > 0 {
		b.Fatalf("%d of %d requests failed", n, b.N)
	}
	slices.Sort(lat)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "transfers/s")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}

// benchCustomer onboards a client of env's tenant with portal access
// (RC002) and a savings account holding plenty, registers its user by phone
// and PIN, and returns its session token, its account and another client's.
func benchCustomer(b *testing.B, env *httpapitest.Env, db *storage.DB) (token, from, to string) {
	ctx := context.Background()
	us, cs, ps := env.Services.Users, env.Services.Clients, env.Services.Portal
	sess, err := us.LoginPassword(ctx, users.PasswordLoginInput{TenantID: "demo", Email: "admin@demo.example", Password: httpapitest.Password})
	must(b, err)
	admin, err := us.Authenticate(ctx, sess.Token)
	must(b, err)
	open := func(nationalID, phone string, balance int64) (clients.Client, string) {
		c, err := cs.Create(ctx, admin, clients.CreateInput{Type: clients.Individual, Profile: clients.Profile{OfficeID: "head-office",
			Individual: &clients.Person{FirstName: "Bench", LastName: "Client", DateOfBirth: "1990-01-01", NationalID: nationalID},
			Contact:    clients.ContactInfo{Phone: phone}}}, "")
		must(b, err)
		_, err = env.Bank.CreateClient(ctx, adapters.CreateClientRequest{TenantID: "demo", ClientID: c.ID,
			Profile: adapters.Profile{Type: clients.Individual, FirstName: "Bench", LastName: "Client"}, IdempotencyKey: "cc-" + c.ID})
		must(b, err)
		a, err := env.Bank.OpenAccount(ctx, adapters.OpenAccountRequest{TenantID: "demo", ClientID: c.ID, Type: adapters.Savings,
			OpeningBalance: adapters.Money{Amount: balance, Currency: "KES"}, IdempotencyKey: "open-" + c.ID})
		must(b, err)
		return c, a.ID
	}
	payer, from := open("90000001", "+254799000001", 1<<50)
	_, to = open("90000002", "+254799000002", 0)
	_, err = ps.SetAccess(ctx, admin, payer.Reference, portal.AccessInput{Username: "+254799000001", Roles: []string{authz.RolePortalTransactor}})
	must(b, err)
	dbtest.Drain(b, db)
	msg, ok := env.Msg.Last("+254799000001")
	if !ok {
		b.Fatal("no invitation was sent")
	}
	ticket, err := us.VerifyPhone(ctx, users.VerifyPhoneInput{TenantID: "demo", Phone: "+254799000001", Code: msg.Params[adapters.ParamCode]})
	must(b, err)
	s, err := us.SetPIN(ctx, users.SetPINInput{TenantID: "demo", Ticket: ticket.Ticket, PIN: "482913", ConfirmPIN: "482913"})
	must(b, err)
	return s.Token, from, to
}

func must(b *testing.B, err error) {
	b.Helper()
	if err != nil {
		b.Fatal(err)
	}
}

package httpapitest

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/adapters"
	"github.com/clientele-go/clientele/internal/dbtest"
	"github.com/clientele-go/clientele/storage"
)

// archiveRoute: DELETE /clients/profile/{reference} archives a client with a
// savings balance and a borrower user: 202 archiving, then archived with the
// balance at the settlement account, the accounts closed and the borrower's
// session ended; an outstanding loan is 409 and changes nothing.
func archiveRoute(t *testing.T, check Check) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		env := testServer(t, db, check)
		admin := env.admin(t)

		// The settlement account, held by the bank itself.
		_, err := env.Bank.CreateClient(ctx, adapters.CreateClientRequest{TenantID: demoTenant, ClientID: "bank",
			Profile: adapters.Profile{Type: adapters.Corporate, LegalName: "Demo Microfinance", Reference: "BANK"}, IdempotencyKey: "bank"})
		require.NoError(t, err)
		settle, err := env.Bank.OpenAccount(ctx, adapters.OpenAccountRequest{TenantID: demoTenant, ClientID: "bank",
			Type: adapters.Savings, OpeningBalance: adapters.Money{Currency: "KES"}, IdempotencyKey: "settle"})
		require.NoError(t, err)
		status, out := admin.do("GET", "/tenants/demo", "")
		require.Equal(t, http.StatusOK, status, "%v", out)
		status, out = admin.do("PATCH", "/tenants/demo", `{"version":`+jsonNumber(out["version"])+`,"settings":{"settlementAccount":"`+settle.ID+`"}}`)
		require.Equal(t, http.StatusOK, status, "%v", out)

		id, ref := newClient(t, admin, "55501234")
		_, debtorRef := newClient(t, admin, "55505678")
		dbtest.Drain(t, db) // the clients reach core banking
		savings, err := env.Bank.OpenAccount(ctx, adapters.OpenAccountRequest{TenantID: demoTenant, ClientID: id,
			Type: adapters.Savings, OpeningBalance: adapters.Money{Amount: 42_000, Currency: "KES"}, IdempotencyKey: "s1"})
		require.NoError(t, err)
		invite(t, admin, `{"type":"borrower","name":"Amina Otieno","phone":"+254766000006","clientId":"`+id+`"}`)
		borrower := env.registerPhone(t, "+254766000006", "482913")
		status, _ = borrower.do("GET", "/auth/me", "")
		require.Equal(t, http.StatusOK, status)

		status, out = admin.do("DELETE", "/clients/profile/"+ref+"?version=99", "")
		assert.Equal(t, http.StatusConflict, status, "a stale version: %v", out)
		status, out = admin.do("DELETE", "/clients/profile/"+ref+"?version=x", "")
		assert.Equal(t, http.StatusUnprocessableEntity, status, "%v", out)

		status, out = admin.do("DELETE", "/clients/profile/"+ref, "")
		require.Equal(t, http.StatusAccepted, status, "%v", out)
		assert.Equal(t, "archiving", out["status"])
		assert.Equal(t, "block", out["archive"].(map[string]any)["step"])
		require.Eventually(t, func() bool {
			_, out = admin.do("GET", "/clients/profile/"+ref, "")
			return out["status"] == "archived"
		}, 15*time.Second, 10*time.Millisecond)
		assert.Equal(t, "done", out["archive"].(map[string]any)["step"])

		got, err := env.Bank.GetAccount(ctx, demoTenant, settle.ID)
		require.NoError(t, err)
		assert.Equal(t, int64(42_000), got.Balance.Amount, "the savings reached the settlement account")
		got, err = env.Bank.GetAccount(ctx, demoTenant, savings.ID)
		require.NoError(t, err)
		assert.Equal(t, adapters.AccountClosed, got.Status)
		status, _ = borrower.do("GET", "/auth/me", "")
		assert.Equal(t, http.StatusUnauthorized, status, "the client's user was revoked")
		_, ok := env.Msg.Last("amina@example.com")
		assert.True(t, ok, "the closure notice went out")

		status, out = admin.do("DELETE", "/clients/profile/"+ref, "")
		assert.Equal(t, http.StatusAccepted, status, "archiving again is a no-op: %v", out)
		assert.Equal(t, "archived", out["status"])
		status, out = admin.do("GET", "/clients/profile", "")
		require.Equal(t, http.StatusOK, status)
		for _, it := range out["items"].([]any) {
			assert.NotEqual(t, ref, it.(map[string]any)["reference"], "archived clients leave the default list")
		}

		debtorID := ""
		_, out = admin.do("GET", "/clients/profile/"+debtorRef, "")
		debtorID = out["id"].(string)
		loan, err := env.Bank.OpenAccount(ctx, adapters.OpenAccountRequest{TenantID: demoTenant, ClientID: debtorID,
			Type: adapters.Loan, OpeningBalance: adapters.Money{Amount: 10_000, Currency: "KES"}, IdempotencyKey: "l1"})
		require.NoError(t, err)
		status, out = admin.do("DELETE", "/clients/profile/"+debtorRef, "")
		assert.Equal(t, http.StatusConflict, status, "%v", out)
		assert.Equal(t, "precondition_failed", out["code"])
		assert.Contains(t, out["detail"], loan.ID)
		_, out = admin.do("GET", "/clients/profile/"+debtorRef, "")
		assert.Equal(t, "pending", out["status"])

		status, _ = admin.do("DELETE", "/clients/profile/NOPE123", "")
		assert.Equal(t, http.StatusNotFound, status)
	})
}

// jsonNumber writes a decoded JSON number back as JSON.
func jsonNumber(v any) string {
	f, _ := v.(float64)
	return strconv.Itoa(int(f))
}

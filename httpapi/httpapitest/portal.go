package httpapitest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/adapters"
	"github.com/clientele-go/clientele/httpapi"
	"github.com/clientele-go/clientele/internal/dbtest"
	"github.com/clientele-go/clientele/storage"
)

const portalPath = httpapi.PortalPrefix

// portalClient onboards a client with portal access (username phone, role),
// known to core banking (through the outbox), registers its customer user by phone and PIN, and
// returns the customer's caller and the client's ID and reference.
func (e *Env) portalClient(t *testing.T, admin caller, nationalID, phone, role string) (caller, string, string) {
	t.Helper()
	id, ref := newClient(t, admin, nationalID)
	dbtest.Drain(t, e.DB) // the outbox creates the client at core banking
	status, out := admin.do("PUT", "/clients/profile/"+ref+"/portal-access", fmt.Sprintf(`{"username":%q,"roles":[%q]}`, phone, role))
	require.Equal(t, http.StatusOK, status, "%v", out)
	assert.Equal(t, phone, out["username"])
	return e.registerPhone(t, phone, "482913"), id, ref
}

// savings opens a savings account of clientID at the core-banking fake.
func (e *Env) savings(t *testing.T, clientID string, amount int64) string {
	t.Helper()
	a, err := e.Bank.OpenAccount(context.Background(), adapters.OpenAccountRequest{TenantID: demoTenant, ClientID: clientID,
		Type: adapters.Savings, OpeningBalance: adapters.Money{Amount: amount, Currency: "KES"},
		IdempotencyKey: fmt.Sprintf("open-%s-%d", clientID, amount)})
	require.NoError(t, err)
	return a.ID
}

func transferBody(from, to string, amount int64) string {
	return fmt.Sprintf(`{"fromAccountId":%q,"toAccountId":%q,"amount":{"amount":%d,"currency":"KES"}}`, from, to, amount)
}

// portalRoutes: the wrappers and a client's portal access through HTTP, on
// both dialects.
func portalRoutes(t *testing.T, check Check) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		env := testServer(t, db, check)
		admin := env.admin(t)
		a, aID, aRef := env.portalClient(t, admin, "30000001", "+254700000301", "RC002")
		_, bID, _ := env.portalClient(t, admin, "30000002", "+254700000302", "RC001")
		a1, b1 := env.savings(t, aID, 10_000), env.savings(t, bID, 0)

		// Loans leave nothing the bank marks internal.
		const secret = "INTERNAL-approval-9c1d"
		_, err := env.Bank.OpenAccount(context.Background(), adapters.OpenAccountRequest{TenantID: demoTenant, ClientID: aID,
			Type: adapters.Loan, OpeningBalance: adapters.Money{Amount: 40_000, Currency: "KES"},
			Loan:           &adapters.LoanDetails{InterestRateBps: 900, ApprovedBy: secret, Notes: secret},
			IdempotencyKey: "loan-" + aID})
		require.NoError(t, err)
		status, out := a.do("GET", portalPath+"/loans", "")
		require.Equal(t, http.StatusOK, status, "%v", out)
		raw, _ := json.Marshal(out)
		assert.Len(t, out["loans"], 1)
		assert.NotContains(t, string(raw), secret)
		status, out = a.do("GET", portalPath+"/savings", "")
		require.Equal(t, http.StatusOK, status, "%v", out)
		require.Len(t, out["accounts"], 1)
		assert.Equal(t, a1, out["accounts"].([]any)[0].(map[string]any)["id"])

		// A transfer needs its Idempotency-Key.
		status, out = a.do("POST", portalPath+"/accounttransfer", transferBody(a1, b1, 2_000))
		assert.Equal(t, http.StatusUnprocessableEntity, status)
		assert.Equal(t, "Idempotency-Key", firstField(t, out))
		status, out = a.do("POST", portalPath+"/accounttransfer", transferBody(a1, b1, 2_000), "Idempotency-Key", "t-1")
		require.Equal(t, http.StatusCreated, status, "%v", out)
		assert.Equal(t, "completed", out["status"])
		id := out["id"].(string)
		status, out = a.do("POST", portalPath+"/accounttransfer", transferBody(a1, b1, 2_000), "Idempotency-Key", "t-1")
		assert.Equal(t, http.StatusCreated, status)
		assert.Equal(t, id, out["id"], "a replay returns the stored transfer")
		status, out = a.do("POST", portalPath+"/accounttransfer", transferBody(a1, b1, 2_001), "Idempotency-Key", "t-1")
		assert.Equal(t, http.StatusConflict, status, "%v", out)
		status, out = a.do("GET", portalPath+"/accounttransfer/"+id, "")
		require.Equal(t, http.StatusOK, status)
		assert.Equal(t, "completed", out["status"])

		// Core banking refuses an overdraft: recorded failed, answered 409.
		status, out = a.do("POST", portalPath+"/accounttransfer", transferBody(a1, b1, 8_001), "Idempotency-Key", "t-2")
		assert.Equal(t, http.StatusConflict, status)
		assert.Equal(t, "precondition_failed", out["code"])

		// Core banking down: 202 with a pending transfer the outbox finishes.
		env.Bank.Faults().FailAll(clientele.ErrUnavailable)
		status, out = a.do("POST", portalPath+"/accounttransfer", transferBody(a1, b1, 500), "Idempotency-Key", "t-3")
		env.Bank.Faults().Reset()
		require.Equal(t, http.StatusAccepted, status, "%v", out)
		assert.Equal(t, "pending", out["status"])
		dbtest.Drain(t, db)
		status, out = a.do("GET", portalPath+"/accounttransfer/"+out["id"].(string), "")
		require.Equal(t, http.StatusOK, status)
		assert.Equal(t, "completed", out["status"])
		bal, err := env.Bank.GetAccount(context.Background(), demoTenant, a1)
		require.NoError(t, err)
		assert.Equal(t, int64(10_000-2_000-500), bal.Balance.Amount)

		// Portal access: read it; a taken username is named.
		status, out = admin.do("GET", "/clients/profile/"+aRef+"/portal-access", "")
		require.Equal(t, http.StatusOK, status)
		version := out["version"].(float64)
		_, cRef := newClient(t, admin, "30000003")
		status, out = admin.do("PUT", "/clients/profile/"+cRef+"/portal-access", `{"username":"+254700000301","roles":["RC001"]}`)
		assert.Equal(t, http.StatusUnprocessableEntity, status)
		assert.Equal(t, "portalAccess.username", firstField(t, out))
		assert.Contains(t, fmt.Sprint(out["errors"]), "already taken")

		// Creating a client can grant portal access in the same transaction;
		// viewing and listing clients show it.
		withAccess := strings.Replace(strings.Replace(personBody, "29384756", "30000004", 1), `"type":"individual",`,
			`"type":"individual","portalAccess":{"username":"d@bank.example","roles":["RC001"]},`, 1)
		status, out = admin.do("POST", "/clients/profile", withAccess, "Idempotency-Key", "with-access")
		require.Equal(t, http.StatusCreated, status, "%v", out)
		dRef := out["reference"].(string)
		assert.Equal(t, "d@bank.example", out["portalAccess"].(map[string]any)["username"])
		status, out = admin.do("POST", "/clients/profile", withAccess, "Idempotency-Key", "with-access")
		require.Equal(t, http.StatusCreated, status, "a replay: %v", out)
		assert.Equal(t, dRef, out["reference"])
		assert.NotNil(t, out["portalAccess"])
		status, out = admin.do("GET", "/clients/profile/"+dRef, "")
		require.Equal(t, http.StatusOK, status)
		assert.Equal(t, []any{"RC001"}, out["portalAccess"].(map[string]any)["roles"])
		status, out = admin.do("GET", "/clients/profile", "")
		require.Equal(t, http.StatusOK, status)
		shown := map[string]bool{}
		for _, it := range out["items"].([]any) {
			c := it.(map[string]any)
			shown[c["reference"].(string)] = c["portalAccess"] != nil
		}
		assert.Equal(t, map[string]bool{aRef: true, dRef: true, cRef: false}, map[string]bool{aRef: shown[aRef], dRef: shown[dRef], cRef: shown[cRef]})
		// A taken username at creation: nothing is created.
		taken := strings.Replace(withAccess, "30000004", "30000005", 1)
		status, out = admin.do("POST", "/clients/profile", taken)
		assert.Equal(t, http.StatusUnprocessableEntity, status)
		assert.Equal(t, "portalAccess.username", firstField(t, out))
		status, out = admin.do("GET", "/clients/profile?filter=status:pending&limit=100", "")
		require.Equal(t, http.StatusOK, status)
		assert.Len(t, out["items"], 4, "A, B, C and D: the refused client was not created")

		// Revoking access ends the customer's sessions at once.
		status, out = admin.do("PUT", "/clients/profile/"+aRef+"/portal-access", fmt.Sprintf(`{"enabled":false,"version":%v}`, version))
		require.Equal(t, http.StatusOK, status, "%v", out)
		status, _ = a.do("GET", portalPath+"/savings", "")
		assert.Equal(t, http.StatusUnauthorized, status)
		// Unblocking the user lets it log in, but its portal stays closed
		// while the access is disabled (the session's look-up says so).
		status, out = admin.do("POST", "/users/"+out["userId"].(string)+"/unblock", "")
		require.Equal(t, http.StatusOK, status, "%v", out)
		a = env.login(t, "/auth/login/pin", `{"tenantId":"demo","phone":"+254700000301","pin":"482913"}`)
		status, out = a.do("GET", portalPath+"/savings", "")
		assert.Equal(t, http.StatusForbidden, status, "%v", out)
		status, out = a.do("POST", portalPath+"/accounttransfer", transferBody(a1, b1, 1), "Idempotency-Key", "after-revoke")
		assert.Equal(t, http.StatusForbidden, status, "%v", out)
	})
}

// portalIDOR: client A reaches none of client B's accounts or transfers by
// any ID it can guess, and is answered exactly as for a missing one.
func portalIDOR(t *testing.T, check Check) {
	env := testServer(t, dbtest.SQLiteFile(t), check)
	admin := env.admin(t)
	a, aID, _ := env.portalClient(t, admin, "31000001", "+254700000311", "RC002")
	b, bID, _ := env.portalClient(t, admin, "31000002", "+254700000312", "RC002")
	a1, b1 := env.savings(t, aID, 1_000), env.savings(t, bID, 1_000)
	status, out := b.do("POST", portalPath+"/accounttransfer", transferBody(b1, a1, 10), "Idempotency-Key", "b-1")
	require.Equal(t, http.StatusCreated, status, "%v", out)
	bTransfer := out["id"].(string)

	same := func(what string, missing, other map[string]any, missingID, otherID string) {
		t.Helper()
		assert.Equal(t, "not_found", other["code"], what)
		assert.Equal(t, strings.ReplaceAll(fmt.Sprint(missing["detail"]), missingID, "X"),
			strings.ReplaceAll(fmt.Sprint(other["detail"]), otherID, "X"), "%s: B's is answered as a missing one", what)
	}
	// Transfer from B's account, by its ID.
	st1, missing := a.do("POST", portalPath+"/accounttransfer", transferBody("no-such-account", a1, 10), "Idempotency-Key", "a-1")
	st2, other := a.do("POST", portalPath+"/accounttransfer", transferBody(b1, a1, 10), "Idempotency-Key", "a-2")
	assert.Equal(t, http.StatusNotFound, st1)
	assert.Equal(t, http.StatusNotFound, st2)
	same("transfer from", missing, other, "no-such-account", b1)
	// Read B's transfer.
	st1, missing = a.do("GET", portalPath+"/accounttransfer/no-such-transfer", "")
	st2, other = a.do("GET", portalPath+"/accounttransfer/"+bTransfer, "")
	assert.Equal(t, http.StatusNotFound, st1)
	assert.Equal(t, http.StatusNotFound, st2)
	same("transfer read", missing, other, "no-such-transfer", bTransfer)
	// B's accounts never show in A's lists.
	for _, route := range []string{"/savings", "/loans"} {
		status, out := a.do("GET", portalPath+route, "")
		require.Equal(t, http.StatusOK, status)
		raw, _ := json.Marshal(out)
		assert.NotContains(t, string(raw), b1, route)
		assert.NotContains(t, string(raw), bID, route)
	}
	bal, err := env.Bank.GetAccount(context.Background(), demoTenant, b1)
	require.NoError(t, err)
	assert.Equal(t, int64(990), bal.Balance.Amount, "B's money did not move")
}

// portalRefusals: a view-only client cannot transfer; a back-office token is
// refused on every portal route and a customer token on every back-office
// route; the portal switch off refuses every portal route at once.
func portalRefusals(t *testing.T, check Check) {
	env := testServer(t, dbtest.SQLiteFile(t), check)
	admin := env.admin(t)
	viewer, vID, vRef := env.portalClient(t, admin, "32000001", "+254700000321", "RC001")
	v1 := env.savings(t, vID, 1_000)
	status, out := viewer.do("GET", portalPath+"/savings", "")
	require.Equal(t, http.StatusOK, status, "%v", out)
	status, out = viewer.do("POST", portalPath+"/accounttransfer", transferBody(v1, v1+"x", 10), "Idempotency-Key", "v-1")
	assert.Equal(t, http.StatusForbidden, status, "view only: %v", out)

	fill := strings.NewReplacer("{reference}", vRef, "{id}", "01937000-0000-7000-8000-000000000001", "{code}", "RP005",
		"{key}", "no-such-effect", "{kind}", "center", "{entityId}", "C-1")
	bodyFor := func(method string) string {
		if method == "POST" || method == "PUT" || method == "PATCH" {
			return `{}`
		}
		return ""
	}
	var portalRoutes []httpapi.Route
	for _, rt := range env.Handler.Routes() {
		if rt.Public || rt.String() == "GET /auth/me" {
			continue
		}
		path := fill.Replace(rt.Pattern)
		if strings.HasPrefix(rt.Pattern, "/tenants/") {
			path = "/tenants/demo"
		}
		if strings.HasPrefix(rt.Pattern, httpapi.PortalPrefix) {
			portalRoutes = append(portalRoutes, rt)
			status, out := admin.do(rt.Method, path, bodyFor(rt.Method), "Idempotency-Key", "adm")
			assert.Equal(t, http.StatusForbidden, status, "back-office token on %s: %v", rt, out)
			continue
		}
		status, out := viewer.do(rt.Method, path, bodyFor(rt.Method), "Idempotency-Key", "cust")
		assert.Contains(t, []int{http.StatusForbidden, http.StatusNotFound}, status, "customer token on %s: %v", rt, out)
	}
	require.Len(t, portalRoutes, 4)

	// The switch: off refuses every portal route at once, on restores them.
	setPortal := func(on bool) {
		status, tn := admin.do("GET", "/tenants/demo", "")
		require.Equal(t, http.StatusOK, status, "%v", tn)
		status, tn = admin.do("PATCH", "/tenants/demo", fmt.Sprintf(`{"version":%v,"clientPortal":%v}`, tn["version"], on))
		require.Equal(t, http.StatusOK, status, "%v", tn)
	}
	setPortal(false)
	for _, rt := range portalRoutes {
		path := fill.Replace(rt.Pattern)
		status, out := viewer.do(rt.Method, path, bodyFor(rt.Method), "Idempotency-Key", "off")
		assert.Equal(t, http.StatusForbidden, status, "%s with the portal off", rt)
		assert.Equal(t, "portal_disabled", out["code"], "%s with the portal off", rt)
	}
	setPortal(true)
	status, _ = viewer.do("GET", portalPath+"/savings", "")
	assert.Equal(t, http.StatusOK, status)
}

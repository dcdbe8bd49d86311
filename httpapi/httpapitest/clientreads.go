package httpapitest

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/adapters"
	"github.com/clientele-go/clientele/authz"
	"github.com/clientele-go/clientele/internal/dbtest"
	"github.com/clientele-go/clientele/internal/testkit"
	"github.com/clientele-go/clientele/storage"
)

// clientReadRoutes: CL002 in full (store + core banking + documents + CRM,
// partial when a source fails), CL006 accounts, CL008 stars listed with
// starred:true, and preferences; 404 for another tenant's client and for one
// outside the caller's data scope, 422 naming the field, 503 while core
// banking is down.
func clientReadRoutes(t *testing.T, check Check) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		env := testServer(t, db, check)
		admin := env.admin(t)
		id, ref := newClient(t, admin, "3001")
		_, ref2 := newClient(t, admin, "3002")

		// The client as the sources know it.
		status, c := admin.do("GET", "/clients/profile/"+ref, "")
		require.Equal(t, http.StatusOK, status, c)
		dbtest.Drain(t, env.DB) // the outbox creates the client at core banking
		_, err := env.Bank.OpenAccount(ctx, adapters.OpenAccountRequest{TenantID: demoTenant, ClientID: id, Type: adapters.Savings,
			OpeningBalance: adapters.Money{Amount: 1_500_00, Currency: "KES"}, IdempotencyKey: "s-" + id})
		require.NoError(t, err)
		_, err = env.Bank.OpenAccount(ctx, adapters.OpenAccountRequest{TenantID: demoTenant, ClientID: id, Type: adapters.Loan,
			OpeningBalance: adapters.Money{Amount: 20_000_00, Currency: "KES"}, IdempotencyKey: "l-" + id})
		require.NoError(t, err)
		_, err = env.Docs.PutDocument(ctx, adapters.PutDocumentRequest{TenantID: demoTenant, ClientID: id, Category: adapters.CategoryUtility,
			Type: "utility_bill", ContentType: "application/pdf", Content: []byte("%PDF"), IdempotencyKey: "d-" + id})
		require.NoError(t, err)

		// CL002: the CRM does not know the client (it answers not found), and
		// the answer says so.
		env.CRM.Faults().FailAll(clientele.ErrNotFound)
		status, d := admin.do("GET", "/clients/profile/"+ref, "")
		env.CRM.Faults().Reset()
		require.Equal(t, http.StatusOK, status, d)
		assert.Equal(t, ref, d["reference"], "the client's own fields stay at the top level")
		assert.Equal(t, id, d["coreBanking"].(map[string]any)["clientId"])
		assert.Len(t, d["documents"], 1)
		assert.Equal(t, []any{map[string]any{"source": "crm", "reason": "not_found"}}, d["missing"])
		status, d = admin.do("GET", "/clients/profile/"+ref, "")
		require.Equal(t, http.StatusOK, status)
		assert.Empty(t, d["missing"])
		env.Docs.Faults().FailAll(clientele.ErrUnavailable)
		status, d = admin.do("GET", "/clients/profile/"+ref, "")
		env.Docs.Faults().Reset()
		require.Equal(t, http.StatusOK, status, "a failing source is not a failed call")
		assert.Equal(t, []any{map[string]any{"source": "documents", "reason": "unavailable"}}, d["missing"])
		assert.NotContains(t, d, "documents")

		// CL006: savings and credit, money in minor units.
		status, a := admin.do("GET", "/clients/accounts/"+ref, "")
		require.Equal(t, http.StatusOK, status, a)
		require.Len(t, a["savings"], 1)
		require.Len(t, a["credit"], 1)
		assert.Equal(t, map[string]any{"amount": float64(1_500_00), "currency": "KES"}, a["savings"].([]any)[0].(map[string]any)["balance"])
		env.Bank.Faults().FailAll(clientele.ErrUnavailable)
		status, a = admin.do("GET", "/clients/accounts/"+ref, "")
		env.Bank.Faults().Reset()
		assert.Equal(t, http.StatusServiceUnavailable, status, a)
		assert.Equal(t, "unavailable", a["code"])

		// CL008: toggled per member, listed with starred:true.
		status, f := admin.do("POST", "/clients/starred/"+ref2, "")
		require.Equal(t, http.StatusOK, status, f)
		assert.Equal(t, map[string]any{"reference": ref2, "starred": true}, f)
		status, page := admin.do("GET", "/clients/profile?filter="+url.QueryEscape("starred:true"), "")
		require.Equal(t, http.StatusOK, status, page)
		require.Len(t, page["items"], 1)
		assert.Equal(t, ref2, page["items"].([]any)[0].(map[string]any)["reference"])
		status, page = admin.do("GET", "/clients/profile?filter="+url.QueryEscape("starred:false")+"&limit=1", "")
		require.Equal(t, http.StatusOK, status, page)
		require.Len(t, page["items"], 1)
		assert.Equal(t, ref, page["items"].([]any)[0].(map[string]any)["reference"])
		assert.Empty(t, page["nextCursor"], "the page holds the one client not starred")
		status, f = admin.do("POST", "/clients/starred/"+ref2, "")
		require.Equal(t, http.StatusOK, status)
		assert.Equal(t, false, f["starred"])
		status, page = admin.do("GET", "/clients/profile?filter="+url.QueryEscape("starred:yes"), "")
		assert.Equal(t, http.StatusUnprocessableEntity, status)
		assert.Equal(t, "filter", firstField(t, page))

		// Preferences: read, replaced at the version read (accepted, then
		// delivered), 409 when stale, 422 naming the value.
		status, p := admin.do("GET", "/clients/preferences/"+ref, "")
		require.Equal(t, http.StatusOK, status, p)
		assert.Equal(t, float64(0), p["version"])
		status, p = admin.do("PUT", "/clients/preferences/"+ref, `{"values":{"language":"sw"},"version":0}`)
		require.Equal(t, http.StatusAccepted, status, p)
		assert.Equal(t, true, p["pending"])
		dbtest.Drain(t, db)
		status, p = admin.do("GET", "/clients/preferences/"+ref, "")
		require.Equal(t, http.StatusOK, status)
		assert.Equal(t, map[string]any{"language": "sw"}, p["values"])
		assert.Equal(t, float64(1), p["version"])
		status, p = admin.do("PUT", "/clients/preferences/"+ref, `{"values":{"language":"en"},"version":0}`)
		assert.Equal(t, http.StatusConflict, status, p)
		status, p = admin.do("PUT", "/clients/preferences/"+ref, `{"values":{"language":"a\u0000b"},"version":1}`)
		assert.Equal(t, http.StatusUnprocessableEntity, status, p)
		assert.Equal(t, "values.language", firstField(t, p))
		status, p = admin.do("PUT", "/clients/preferences/"+ref, `{"values":{},"version":1,"colour":"red"}`)
		assert.Equal(t, http.StatusUnprocessableEntity, status, p)
		assert.Equal(t, "colour", firstField(t, p))

		// Out of the caller's data scope: RP002's associate sees its own
		// office's clients, and this client is in another office.
		officer := env.registerAgent(t, admin, "+254766000101", "RP002")
		for _, rt := range []struct{ method, path string }{
			{"GET", "/clients/profile/" + ref},
			{"POST", "/clients/starred/" + ref},
			{"GET", "/clients/preferences/" + ref},
		} {
			status, out := officer.do(rt.method, rt.path, "")
			assert.Equal(t, http.StatusNotFound, status, "%s %s: %v", rt.method, rt.path, out)
		}

		// Another tenant's client is missing, on every route.
		otherTenant(t, env)
		acme := authz.Principal{TenantID: "acme", UserID: "admin-acme", Kind: authz.Backoffice, Roles: []string{authz.RetailAdministrator}}
		foreign, err := env.Services.Clients.Create(ctx, acme, testkit.Person("Foreign", "Client"), "")
		require.NoError(t, err)
		for _, rt := range []struct{ method, path, body string }{
			{"GET", "/clients/profile/" + foreign.Reference, ""},
			{"GET", "/clients/accounts/" + foreign.Reference, ""},
			{"POST", "/clients/starred/" + foreign.Reference, ""},
			{"GET", "/clients/preferences/" + foreign.Reference, ""},
			{"PUT", "/clients/preferences/" + foreign.Reference, `{"values":{},"version":0}`},
		} {
			status, out := admin.do(rt.method, rt.path, rt.body)
			assert.Equal(t, http.StatusNotFound, status, "%s %s: %v", rt.method, rt.path, out)
		}
	})
}

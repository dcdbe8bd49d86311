package httpapitest

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/internal/dbtest"
	"github.com/clientele-go/clientele/storage"
)

// PersonBody is a valid body creating an individual client.
const PersonBody = personBody

const personBody = `{"type":"individual","officeId":"head-office",
 "individual":{"firstName":"Amina","lastName":"Otieno","dateOfBirth":"1990-04-12","nationalId":"29384756"},
 "contact":{"phone":"+254712345678","email":"amina@example.com"}}`

func clientRoutes(t *testing.T, check Check) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		admin := testServer(t, db, check).admin(t)

		status, body := admin.do("POST", "/clients/profile", personBody, "Idempotency-Key", "k1")
		require.Equal(t, http.StatusCreated, status, body)
		ref := body["reference"].(string)
		assert.Equal(t, "pending", body["status"])
		assert.Equal(t, "Amina Otieno", body["displayName"])

		status, again := admin.do("POST", "/clients/profile", personBody, "Idempotency-Key", "k1")
		assert.Equal(t, http.StatusCreated, status)
		assert.Equal(t, ref, again["reference"], "idempotent retry returns the same client")

		status, body = admin.do("GET", "/clients/profile/"+ref, "")
		require.Equal(t, http.StatusOK, status)
		assert.Equal(t, float64(1), body["version"])

		// A changed kycStatus needs the KYC permission (KY001), which the
		// administrator does not hold; the unchanged one is accepted.
		update := strings.Replace(personBody, `"type":"individual",`, `"version":1,"kycStatus":"verified",`, 1)
		update = strings.Replace(update, "Otieno", "Otieno-Mwangi", 1)
		status, body = admin.do("PUT", "/clients/profile/"+ref, update)
		require.Equal(t, http.StatusForbidden, status, body)
		assert.Contains(t, body["detail"], "KY001")
		update = strings.Replace(update, `"kycStatus":"verified"`, `"kycStatus":"pending"`, 1)
		status, body = admin.do("PUT", "/clients/profile/"+ref, update)
		require.Equal(t, http.StatusOK, status, body)
		assert.Equal(t, "pending", body["kycStatus"])
		status, body = admin.do("PUT", "/clients/profile/"+ref, update)
		assert.Equal(t, http.StatusConflict, status, "stale version")
		assert.Equal(t, "conflict", body["code"])

		status, body = admin.do("POST", "/clients/profile/"+ref+"/status", `{"status":"suspended","version":2}`)
		assert.Equal(t, http.StatusConflict, status, "pending cannot be suspended")
		assert.Equal(t, "precondition_failed", body["code"])

		status, body = admin.do("GET", "/clients/profile?filter="+"name~mwangi%20status:pending", "")
		require.Equal(t, http.StatusOK, status)
		assert.Len(t, body["items"], 1)
		status, body = admin.do("GET", "/clients/profile?filter=colour:red", "")
		assert.Equal(t, http.StatusUnprocessableEntity, status)
		assert.Equal(t, "filter", body["errors"].([]any)[0].(map[string]any)["field"])

		status, _ = admin.do("GET", "/clients/profile/NOPE123", "")
		assert.Equal(t, http.StatusNotFound, status)
	})
}

func validationNamesFields(t *testing.T, check Check) {
	admin := testServer(t, dbtest.SQLiteFile(t), check).admin(t)
	bad := `{"type":"individual","officeId":"",
	 "individual":{"firstName":"A","lastName":"B","dateOfBirth":"2999-01-01","nationalId":"1"},
	 "contact":{"phone":"0712","email":"nope"}}`
	status, body := admin.do("POST", "/clients/profile", bad)
	require.Equal(t, http.StatusUnprocessableEntity, status)
	fields := map[string]bool{}
	for _, e := range body["errors"].([]any) {
		fields[e.(map[string]any)["field"].(string)] = true
	}
	assert.Equal(t, map[string]bool{"officeId": true, "individual.dateOfBirth": true, "contact.phone": true, "contact.email": true}, fields)

	for name, tc := range map[string]struct{ body, field string }{
		"unknown field": {`{"type":"individual","colour":"red"}`, "colour"},
		"wrong type":    {`{"type":1}`, "type"},
		"not json":      {`{"type":`, "body"},
		"two objects":   {`{} {}`, "body"},
		"empty":         {``, "body"},
	} {
		status, body := admin.do("POST", "/clients/profile", tc.body, "Content-Type", "application/json")
		assert.Equal(t, http.StatusUnprocessableEntity, status, name)
		assert.Equal(t, tc.field, body["errors"].([]any)[0].(map[string]any)["field"], name)
	}

	page, _ := admin.do("GET", "/clients/profile", "")
	assert.Equal(t, http.StatusOK, page)
}

// authorizesEveryRoute walks every route the server registers: a
// public one must be in the list below; any other refuses a request without a
// session (or with a forged one) with 401 and a principal holding no role with
// 403 or 404. A new route cannot be missed: the list comes from the
// registration itself.
func authorizesEveryRoute(t *testing.T, check Check) {
	public := map[string]bool{
		"POST /auth/register/email": true, "POST /auth/register/social": true,
		"POST /auth/register/phone": true, "POST /auth/register/phone/pin": true,
		"POST /auth/login": true, "POST /auth/login/pin": true, "POST /auth/login/social": true,
		"POST /auth/logout": true, "GET /openapi.json": true,
	}
	// Routes any authenticated principal may call, whatever its roles.
	anyPrincipal := map[string]bool{"GET /auth/me": true}

	env := testServer(t, dbtest.SQLiteFile(t), check)
	admin := env.admin(t)
	status, body := admin.do("POST", "/clients/profile", personBody)
	require.Equal(t, http.StatusCreated, status, body)
	ref := body["reference"].(string)
	_, me := admin.do("GET", "/auth/me", "")
	// An originator agent invited with no role at all.
	invite(t, admin, `{"type":"originator_agent","name":"Nobody","phone":"+254700000006","associateId":"`+staffID+`"}`)
	roleless := env.registerPhone(t, "+254700000006", "482913")
	forged := caller{t: t, base: env.Server.URL, token: strings.Repeat("x", 43)}

	routes := env.Handler.Routes()
	require.NotEmpty(t, routes)
	seenPublic := map[string]bool{}
	for _, rt := range routes {
		if rt.Public {
			seenPublic[rt.String()] = true
			assert.True(t, public[rt.String()], "%s is public but not in the list of public routes", rt)
			continue
		}
		assert.False(t, public[rt.String()], "%s should be public", rt)
		method := rt.Method
		path := strings.NewReplacer("{reference}", ref, "{id}", me["id"].(string), "{code}", "RP005", "{key}", "no-such-effect",
			"{kind}", "center", "{entityId}", "C-1").Replace(rt.Pattern)
		if strings.HasPrefix(rt.Pattern, "/tenants/") {
			path = "/tenants/demo"
		}
		require.NotContains(t, path, "{", "fill in the wildcard of %s", rt)
		body := ""
		if method == "POST" || method == "PUT" || method == "PATCH" {
			body = `{}`
		}
		t.Run(rt.String(), func(t *testing.T) {
			status, out := env.anon(t).do(method, path, body)
			assert.Equal(t, http.StatusUnauthorized, status, "no session: %v", out)
			forged.t = t
			status, out = forged.do(method, path, body)
			assert.Equal(t, http.StatusUnauthorized, status, "forged session: %v", out)
			if anyPrincipal[rt.String()] {
				return
			}
			roleless.t = t
			status, out = roleless.do(method, path, body)
			assert.Contains(t, []int{http.StatusForbidden, http.StatusNotFound}, status, "a principal with no role: %v", out)
		})
	}
	assert.Equal(t, public, seenPublic, "every listed public route is registered")

	// A role that holds some permissions gets exactly those.
	helpdesk := env.registerAgent(t, admin, "+254700000005", "RP005")
	status, body = helpdesk.do("POST", "/clients/profile", personBody)
	assert.Equal(t, http.StatusForbidden, status)
	assert.Equal(t, "forbidden", body["code"])
	assert.Contains(t, body["detail"], "CL003")
	status, _ = helpdesk.do("GET", "/clients/profile", "")
	assert.Equal(t, http.StatusOK, status, "RP005 holds clnt_list")
}

func rolesAndPermissions(t *testing.T, check Check) {
	sec := testServer(t, dbtest.SQLiteFile(t), check).admin(t)

	status, body := sec.do("GET", "/permissions", "")
	require.Equal(t, http.StatusOK, status, body)
	for _, p := range body["items"].([]any) {
		assert.Equal(t, "backoffice", p.(map[string]any)["type"], "employee permissions by default")
	}
	status, body = sec.do("GET", "/roles?type=customer", "")
	require.Equal(t, http.StatusOK, status)
	require.NotEmpty(t, body["items"])
	for _, r := range body["items"].([]any) {
		assert.Equal(t, "customer", r.(map[string]any)["type"])
	}
	status, _ = sec.do("GET", "/roles?type=everything", "")
	assert.Equal(t, http.StatusUnprocessableEntity, status)

	status, body = sec.do("POST", "/roles", `{"code":"RX1","name":"Mixed","type":"customer","permissions":["portal_savings_view","clnt_list"]}`)
	assert.Equal(t, http.StatusUnprocessableEntity, status, "a customer role may not hold a back-office permission")
	assert.Contains(t, body["errors"].([]any)[0].(map[string]any)["message"], "clnt_list")

	status, body = sec.do("POST", "/roles", `{"code":"RX2","name":"Viewer","type":"customer","permissions":["portal_savings_view"]}`)
	require.Equal(t, http.StatusCreated, status, body)
	status, body = sec.do("PUT", "/roles/RX2", `{"name":"Viewer","permissions":["portal_savings_view","portal_loans_view"]}`)
	require.Equal(t, http.StatusOK, status, body)
	status, _ = sec.do("PUT", "/roles/RX2", `{"name":"Viewer","type":"backoffice","permissions":["clnt_list"]}`)
	assert.Equal(t, http.StatusUnprocessableEntity, status, "a role's type cannot change")
}

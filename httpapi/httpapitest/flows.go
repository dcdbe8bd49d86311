package httpapitest

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/adapters"
	"github.com/clientele-go/clientele/internal/dbtest"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/users"
)

// code reads the one-time code the messaging fake last "sent" to recipient.
func (e *Env) code(t *testing.T, recipient string) string {
	t.Helper()
	dbtest.Drain(t, e.DB)
	m, ok := e.Msg.Last(recipient)
	require.True(t, ok, "nothing was sent to %s", recipient)
	code := m.Params[adapters.ParamCode]
	require.Len(t, code, 6)
	return code
}

// invite posts an invitation as inviter and returns the invited user's ID.
func invite(t *testing.T, inviter caller, body string) string {
	t.Helper()
	status, out := inviter.do("POST", "/auth/invitations", body)
	require.Equal(t, http.StatusCreated, status, "%v", out)
	assert.Equal(t, "invited", out["state"])
	return out["id"].(string)
}

// newClient onboards a client as creator and returns its ID and reference: a
// customer invitation names a client of the tenant.
func newClient(t *testing.T, creator caller, nationalID string) (id, ref string) {
	t.Helper()
	body := strings.Replace(personBody, "29384756", nationalID, 1)
	status, out := creator.do("POST", "/clients/profile", body)
	require.Equal(t, http.StatusCreated, status, "%v", out)
	return out["id"].(string), out["reference"].(string)
}

// registerPhone runs the phone (USSD) channel: code, then PIN set and confirmed.
func (e *Env) registerPhone(t *testing.T, phone, pin string) caller {
	t.Helper()
	status, out := e.anon(t).do("POST", "/auth/register/phone", fmt.Sprintf(`{"tenantId":"demo","phone":%q,"code":%q}`, phone, e.code(t, phone)))
	require.Equal(t, http.StatusOK, status, "%v", out)
	return e.login(t, "/auth/register/phone/pin", fmt.Sprintf(`{"tenantId":"demo","ticket":%q,"pin":%q,"confirmPin":%q}`, out["ticket"], pin, pin))
}

// registerAgent invites an originator agent with roles and registers it by phone.
func (e *Env) registerAgent(t *testing.T, inviter caller, phone, roles string) caller {
	t.Helper()
	invite(t, inviter, fmt.Sprintf(`{"type":"originator_agent","name":"Agent","phone":%q,"associateId":%q,"roles":[%q]}`, phone, staffID, roles))
	return e.registerPhone(t, phone, "482913")
}

// invitationFlows runs every invitation flow through the API: invite,
// register on each channel, log in, block, be refused, unblock, log in again.
func invitationFlows(t *testing.T, check Check) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		env := testServer(t, db, check)
		operator := env.admin(t)

		// Email + code + password: the node operator invites an originator admin.
		invite(t, operator, `{"type":"originator_admin","name":"Olive Admin","email":"olive@lender.example","associateId":"`+staffID+`","roles":["RA001","RP001"]}`)
		dbtest.Drain(t, env.DB)
		invitation, _ := env.Msg.Last("olive@lender.example")
		assert.Equal(t, adapters.KindInvitation, invitation.Kind)
		assert.NotEmpty(t, invitation.Params[adapters.ParamLink], "email invitations carry the portal link")
		code := env.code(t, "olive@lender.example")
		olive := env.login(t, "/auth/register/email", `{"tenantId":"demo","email":"olive@lender.example","code":"`+code+`","password":"olive-strong-password"}`)
		status, me := olive.do("GET", "/auth/me", "")
		require.Equal(t, http.StatusOK, status)
		assert.Equal(t, "active", me["state"])
		// The code was single use.
		status, _ = env.anon(t).do("POST", "/auth/register/email", `{"tenantId":"demo","email":"olive@lender.example","code":"`+code+`","password":"another-password-1"}`)
		assert.Equal(t, http.StatusUnauthorized, status)

		// Social account: the originator admin invites an investor.
		ivyClient, _ := newClient(t, operator, "1001")
		investorID := invite(t, olive, `{"type":"investor","name":"Ivy Investor","email":"ivy@fund.example","clientId":"`+ivyClient+`","roles":["RC001"]}`)
		cred := env.social.Mint(users.SocialAssertion{Provider: "google", Subject: "g-123", Email: "ivy@fund.example", EmailVerified: true})
		env.login(t, "/auth/register/social", `{"tenantId":"demo","provider":"google","credential":"`+cred+`"}`)
		ivy := env.login(t, "/auth/login/social", `{"tenantId":"demo","provider":"google","credential":"`+cred+`"}`)
		status, _ = ivy.do("GET", "/auth/me", "")
		assert.Equal(t, http.StatusOK, status)
		forged := cred[:len(cred)-2] + "xx"
		status, _ = env.anon(t).do("POST", "/auth/login/social", `{"tenantId":"demo","provider":"google","credential":"`+forged+`"}`)
		assert.Equal(t, http.StatusUnauthorized, status, "a credential the provider did not sign")

		// Phone + code + PIN: an originator agent and a borrower (who gets a DID).
		env.registerAgent(t, olive, "+254711000001", "RP002")
		barakaClient, _ := newClient(t, operator, "1002")
		invite(t, olive, `{"type":"borrower","name":"Baraka Borrower","phone":"+254722000002","clientId":"`+barakaClient+`","roles":["RC002"]}`)
		borrower := env.registerPhone(t, "+254722000002", "551903")
		dbtest.Drain(t, env.DB) // the DID is created after commit
		status, me = borrower.do("GET", "/auth/me", "")
		require.Equal(t, http.StatusOK, status)
		assert.NotEmpty(t, me["did"], "registering a borrower creates its identity (DID)")
		env.login(t, "/auth/login/pin", `{"tenantId":"demo","phone":"+254722000002","pin":"551903"}`)
		status, _ = env.anon(t).do("POST", "/auth/login/pin", `{"tenantId":"demo","phone":"+254722000002","pin":"000000"}`)
		assert.Equal(t, http.StatusUnauthorized, status, "wrong PIN")

		// Block: the investor's session stops at once and it cannot log in.
		status, out := olive.do("POST", "/users/"+investorID+"/block", "")
		require.Equal(t, http.StatusOK, status, "%v", out)
		assert.Equal(t, "blocked", out["state"])
		status, _ = ivy.do("GET", "/auth/me", "")
		assert.Equal(t, http.StatusUnauthorized, status, "a blocked user's session stops working")
		status, _ = env.anon(t).do("POST", "/auth/login/social", `{"tenantId":"demo","provider":"google","credential":"`+cred+`"}`)
		assert.Contains(t, []int{http.StatusUnauthorized, http.StatusForbidden}, status, "a blocked user cannot log in")
		// Unblock restores access.
		status, _ = olive.do("POST", "/users/"+investorID+"/unblock", "")
		require.Equal(t, http.StatusOK, status)
		ivy = env.login(t, "/auth/login/social", `{"tenantId":"demo","provider":"google","credential":"`+cred+`"}`)

		// An admin blocks a borrower; nobody blocks themselves; an investor invites nobody.
		status, _ = olive.do("POST", "/users/"+me["id"].(string)+"/block", "")
		assert.Equal(t, http.StatusOK, status, "an admin blocks a borrower")
		status, self := olive.do("GET", "/auth/me", "")
		require.Equal(t, http.StatusOK, status)
		status, _ = olive.do("POST", "/users/"+self["id"].(string)+"/block", "")
		assert.Equal(t, http.StatusForbidden, status, "nobody blocks themselves")
		status, _ = ivy.do("POST", "/auth/invitations", `{"type":"borrower","name":"X","phone":"+254733000003","clientId":"c"}`)
		assert.Equal(t, http.StatusForbidden, status)

		// Listing: back-office users by default, customers on request.
		status, list := olive.do("GET", "/users", "")
		require.Equal(t, http.StatusOK, status)
		for _, u := range list["items"].([]any) {
			assert.NotContains(t, []string{"investor", "borrower"}, u.(map[string]any)["type"])
		}
		status, list = olive.do("GET", "/users?type=customer", "")
		require.Equal(t, http.StatusOK, status)
		assert.Len(t, list["items"], 2)

		// Logout revokes the session.
		status, _ = ivy.do("POST", "/auth/logout", "")
		assert.Equal(t, http.StatusNoContent, status)
		status, _ = ivy.do("GET", "/auth/me", "")
		assert.Equal(t, http.StatusUnauthorized, status)
	})
}

// invitationRefusals: each refusal is a clear error that changes nothing.
func invitationRefusals(t *testing.T, check Check) {
	env := testServer(t, dbtest.SQLiteFile(t), check)
	operator := env.admin(t)

	// Wrong channel: a borrower cannot register by email.
	bClient, _ := newClient(t, operator, "1003")
	invite(t, operator, `{"type":"borrower","name":"B","phone":"+254744000004","clientId":"`+bClient+`"}`)
	status, out := env.anon(t).do("POST", "/auth/register/email", `{"tenantId":"demo","email":"b@example.com","code":"123456","password":"long-enough-password"}`)
	assert.Equal(t, http.StatusUnauthorized, status, "%v", out)
	code := env.code(t, "+254744000004")

	// Wrong codes: after five, even the right code is refused.
	for range 5 {
		status, _ = env.anon(t).do("POST", "/auth/register/phone", `{"tenantId":"demo","phone":"+254744000004","code":"000000"}`)
		assert.Equal(t, http.StatusUnauthorized, status)
	}
	status, _ = env.anon(t).do("POST", "/auth/register/phone", `{"tenantId":"demo","phone":"+254744000004","code":"`+code+`"}`)
	assert.Equal(t, http.StatusUnauthorized, status, "the code locks after 5 wrong tries")

	// Cross-tenant: a demo session cannot act in another tenant, and unknown
	// accounts look like wrong passwords.
	status, a := env.anon(t).do("POST", "/auth/login", `{"tenantId":"other","email":"`+demoAdminEmail+`","password":"`+testPassword+`"}`)
	status2, b := env.anon(t).do("POST", "/auth/login", `{"tenantId":"demo","email":"`+demoAdminEmail+`","password":"wrong-password-123"}`)
	assert.Equal(t, http.StatusUnauthorized, status)
	assert.Equal(t, status, status2)
	assert.Equal(t, a["detail"], b["detail"], "errors never reveal whether an account exists")

	// Invalid input names the field.
	status, out = operator.do("POST", "/auth/invitations", `{"type":"originator_admin","name":"X","email":"not-an-email","associateId":"a"}`)
	assert.Equal(t, http.StatusUnprocessableEntity, status)
	assert.Equal(t, "email", out["errors"].([]any)[0].(map[string]any)["field"])
}

// noEscalation replays the attack of issue 8 on the example
// server: an originator admin holding only RA001 cannot invite an address it
// controls with RP001 + RA001, nor put into a role a permission it lacks, nor
// edit its own role; a customer invitation names a client of the tenant.
func noEscalation(t *testing.T, check Check) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		env := testServer(t, db, check)
		operator := env.admin(t)
		invite(t, operator, `{"type":"originator_admin","name":"Mallory","email":"mallory@lender.example","associateId":"`+staffID+`","roles":["RA001"]}`)
		mallory := env.login(t, "/auth/register/email", `{"tenantId":"demo","email":"mallory@lender.example","code":"`+env.code(t, "mallory@lender.example")+`","password":"mallory-password-1"}`)

		status, out := mallory.do("POST", "/auth/invitations", `{"type":"originator_admin","name":"Eve","email":"eve@evil.example","associateId":"`+staffID+`","roles":["RP001","RA001"]}`)
		assert.Equal(t, http.StatusForbidden, status, "%v", out)
		dbtest.Drain(t, env.DB)
		_, sent := env.Msg.Last("eve@evil.example")
		assert.False(t, sent)
		status, out = mallory.do("POST", "/roles", `{"code":"RX1","name":"Escalator","type":"backoffice","permissions":["clnt_mgmt_admin"]}`)
		assert.Equal(t, http.StatusForbidden, status, "%v", out)
		status, out = mallory.do("PUT", "/roles/RA001", `{"name":"Security Administrator","permissions":["role_admin","user_admin","clnt_mgmt_admin"]}`)
		assert.Equal(t, http.StatusForbidden, status, "%v", out)
		status, out = mallory.do("POST", "/auth/invitations", `{"type":"originator_admin","name":"X","email":"x@lender.example","associateId":"`+staffID+`","roles":["RP999"]}`)
		assert.Equal(t, http.StatusUnprocessableEntity, status, "%v", out)
		status, out = mallory.do("POST", "/auth/invitations", `{"type":"borrower","name":"B","phone":"+254755000005","clientId":"0190a0b0-0000-7000-8000-00000000dead"}`)
		require.Equal(t, http.StatusUnprocessableEntity, status, "%v", out)
		assert.Equal(t, "clientId", out["errors"].([]any)[0].(map[string]any)["field"])

		// The node operator may.
		status, out = operator.do("POST", "/roles", `{"code":"RX1","name":"Client admin","type":"backoffice","permissions":["clnt_mgmt_admin"]}`)
		assert.Equal(t, http.StatusCreated, status, "%v", out)
	})
}

// noExistenceOracle: a client that exists but that the caller may
// not touch answers with the very body of a missing one; a caller without the
// operation is refused alike for both (issue 8, item 3).
func noExistenceOracle(t *testing.T, check Check) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		env := testServer(t, db, check)
		operator := env.admin(t)
		_, ref := newClient(t, operator, "2001")
		status, c := operator.do("GET", "/clients/profile/"+ref, "")
		require.Equal(t, http.StatusOK, status)
		const missing = "CNOSUCH01"
		update := strings.Replace(personBody, `"type":"individual",`, fmt.Sprintf(`"version":%v,`, c["version"]), 1)

		// RP002 updates only its assigned clients (P_RE_002): this one is not.
		officer := env.registerAgent(t, operator, "+254766000006", "RP002")
		status, real := officer.do("PUT", "/clients/profile/"+ref, update)
		statusMissing, gone := officer.do("PUT", "/clients/profile/"+missing, update)
		assert.Equal(t, http.StatusNotFound, status)
		assert.Equal(t, statusMissing, status)
		delete(real, "requestId") // each request has its own
		delete(gone, "requestId")
		assert.Equal(t, gone, real, "exists but not yours = missing")

		// RP005 may not view clients at all: refused before any read, alike.
		helpdesk := env.registerAgent(t, operator, "+254766000007", "RP005")
		status, real = helpdesk.do("GET", "/clients/profile/"+ref, "")
		statusMissing, gone = helpdesk.do("GET", "/clients/profile/"+missing, "")
		assert.Equal(t, http.StatusForbidden, status)
		assert.Equal(t, statusMissing, status)
		assert.Equal(t, strings.ReplaceAll(gone["detail"].(string), missing, "REF"), strings.ReplaceAll(real["detail"].(string), ref, "REF"))
	})
}

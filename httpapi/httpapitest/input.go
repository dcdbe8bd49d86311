package httpapitest

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/authz"
	"github.com/clientele-go/clientele/clients"
	"github.com/clientele-go/clientele/internal/dbtest"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/users"
)

// person returns a valid individual client's create input.
func person() clients.CreateInput {
	return clients.CreateInput{Type: clients.Individual, Profile: clients.Profile{
		OfficeID: "head-office",
		Individual: &clients.Person{
			FirstName: "Amina", LastName: "Otieno", DateOfBirth: "1990-04-12", NationalID: "29384756",
		},
		Contact: clients.ContactInfo{Phone: "+254712345678"},
	}}
}

// company returns a valid corporate client's create input.
func company() clients.CreateInput {
	return clients.CreateInput{Type: clients.Corporate, Profile: clients.Profile{
		OfficeID: "head-office",
		Corporate: &clients.Company{
			LegalName: "Acme Ltd", RegistrationNumber: "C-1", IncorporationDate: "2001-01-01", Country: "KE",
		},
	}}
}

// ServicesRefuseBadInput drives the services, not HTTP, with one table of
// bad strings on both dialects: every one is a *clientele.ValidationError naming
// the field, before anything reaches the database, so SQLite and PostgreSQL
// behave the same (a NUL used to be stored by SQLite and refused by PostgreSQL,
// which made it a 503).
func ServicesRefuseBadInput(t *testing.T, check Check) {
	const nul = "\x00"
	long := strings.Repeat("x", 10_000)
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		env := testServer(t, db, check)
		a := env.Services
		ctx := context.Background()
		sess, err := a.Users.LoginPassword(ctx, users.PasswordLoginInput{TenantID: demoTenant, Email: demoAdminEmail, Password: testPassword})
		require.NoError(t, err)
		admin, err := a.Users.Authenticate(ctx, sess.Token)
		require.NoError(t, err)
		existing, err := a.Clients.Create(ctx, admin, person(), "")
		require.NoError(t, err)

		invite := func(mut func(*users.InviteInput)) func() error {
			return func() error {
				in := users.InviteInput{Type: users.OriginatorAgent, Name: "Agent", Phone: "+254700000009", AssociateID: staffID, Roles: []string{"RP005"}}
				mut(&in)
				_, err := a.Users.Invite(ctx, admin, in, "")
				return err
			}
		}
		create := func(in clients.CreateInput, mut func(*clients.CreateInput)) func() error {
			return func() error {
				mut(&in)
				_, err := a.Clients.Create(ctx, admin, in, "")
				return err
			}
		}
		role := func(mut func(*authz.Role)) func() error {
			return func() error {
				r := authz.Role{Code: "RX9", Name: "Viewer", Type: authz.Customer, Permissions: []string{"portal_savings_view"}}
				mut(&r)
				_, err := a.Roles.CreateRole(ctx, admin, r)
				return err
			}
		}
		login := func(in users.PasswordLoginInput) func() error {
			return func() error { _, err := a.Users.LoginPassword(ctx, in); return err }
		}

		for _, tc := range []struct {
			name, field string
			call        func() error
		}{
			// Unauthenticated entry points.
			{"login tenantId NUL", "tenantId", login(users.PasswordLoginInput{TenantID: "de" + nul + "mo", Email: demoAdminEmail, Password: testPassword})},
			{"login tenantId too long", "tenantId", login(users.PasswordLoginInput{TenantID: long, Email: demoAdminEmail, Password: testPassword})},
			{"login email NUL", "email", login(users.PasswordLoginInput{TenantID: demoTenant, Email: "admin" + nul + "@demo.example", Password: testPassword})},
			{"login email invalid UTF-8", "email", login(users.PasswordLoginInput{TenantID: demoTenant, Email: "adm\xffin@demo.example", Password: testPassword})},
			{"login email too long", "email", login(users.PasswordLoginInput{TenantID: demoTenant, Email: long + "@demo.example", Password: testPassword})},
			{"login PIN phone NUL", "phone", func() error {
				_, err := a.Users.LoginPIN(ctx, users.PINLoginInput{TenantID: demoTenant, Phone: "+2547" + nul, PIN: "123456"})
				return err
			}},
			{"register email tenantId NUL", "tenantId", func() error {
				_, err := a.Users.RegisterEmail(ctx, users.RegisterEmailInput{TenantID: nul, Email: "a@b.example", Code: "123456", Password: "long-enough-password"})
				return err
			}},
			{"verify phone tenantId control", "tenantId", func() error {
				_, err := a.Users.VerifyPhone(ctx, users.VerifyPhoneInput{TenantID: "demo\x1b", Phone: "+254700000001", Code: "123456"})
				return err
			}},
			{"set PIN ticket NUL", "ticket", func() error {
				_, err := a.Users.SetPIN(ctx, users.SetPINInput{TenantID: demoTenant, Ticket: "t" + nul, PIN: "4829", ConfirmPIN: "4829"})
				return err
			}},
			{"social provider NUL", "provider", func() error {
				_, err := a.Users.LoginSocial(ctx, users.SocialInput{TenantID: demoTenant, Provider: "goo" + nul, Credential: "x"})
				return err
			}},
			{"social credential NUL", "credential", func() error {
				_, err := a.Users.LoginSocial(ctx, users.SocialInput{TenantID: demoTenant, Provider: "google", Credential: "x" + nul})
				return err
			}},
			// Invitation.
			{"invite name NUL", "name", invite(func(in *users.InviteInput) { in.Name = "Ag" + nul + "ent" })},
			{"invite name newline", "name", invite(func(in *users.InviteInput) { in.Name = "Agent\nAdmin" })},
			{"invite name invalid UTF-8", "name", invite(func(in *users.InviteInput) { in.Name = "Ag\xc3ent" })},
			{"invite associateId NUL", "associateId", invite(func(in *users.InviteInput) { in.AssociateID = "assoc" + nul })},
			{"invite role NUL", "roles[0]", invite(func(in *users.InviteInput) { in.Roles = []string{"RP" + nul} })},
			{"invite idempotency key NUL", "idempotencyKey", func() error {
				_, err := a.Users.Invite(ctx, admin, users.InviteInput{Type: users.OriginatorAgent, Name: "Agent", Phone: "+254700000010", AssociateID: staffID}, "key"+nul)
				return err
			}},
			// User ids from the path.
			{"get user id NUL", "id", func() error { _, err := a.Users.Get(ctx, admin, "u"+nul); return err }},
			{"get user id too long", "id", func() error { _, err := a.Users.Get(ctx, admin, long); return err }},
			{"block user id NUL", "id", func() error { _, err := a.Users.Block(ctx, admin, "u"+nul); return err }},
			{"unblock user id NUL", "id", func() error { _, err := a.Users.Unblock(ctx, admin, "u"+nul); return err }},
			{"reinvite user id NUL", "id", func() error { _, err := a.Users.Reinvite(ctx, admin, "u"+nul); return err }},
			{"list users cursor NUL", "cursor", func() error {
				_, err := a.Users.List(ctx, admin, users.ListRequest{Cursor: nul})
				return err
			}},
			// Clients.
			{"client firstName NUL", "individual.firstName", create(person(), func(in *clients.CreateInput) { in.Individual.FirstName = "Am" + nul + "ina" })},
			{"client nationalId NUL", "individual.nationalId", create(person(), func(in *clients.CreateInput) { in.Individual.NationalID = "2938" + nul })},
			{"client officeId NUL", "officeId", create(person(), func(in *clients.CreateInput) { in.OfficeID = "head" + nul })},
			{"client lastName tab", "individual.lastName", create(person(), func(in *clients.CreateInput) { in.Individual.LastName = "Oti\teno" })},
			{"client legalName invalid UTF-8", "corporate.legalName", create(company(), func(in *clients.CreateInput) { in.Corporate.LegalName = "Acme \xff" })},
			{"client contact name DEL", "corporate.contacts[0].name", create(company(), func(in *clients.CreateInput) {
				in.Corporate.Contacts = []clients.Contact{{Name: "Jo\x7f"}}
			})},
			{"client associate id NUL", "assignedAssociateIds[0]", create(person(), func(in *clients.CreateInput) { in.AssignedAssociateIDs = []string{"a" + nul} })},
			{"client address line NUL", "contact.address.line1", create(person(), func(in *clients.CreateInput) {
				in.Contact.Address = &clients.Address{Line1: "1 Main" + nul, City: "Nairobi", Country: "KE"}
			})},
			{"client idempotency key NUL", "idempotencyKey", func() error {
				_, err := a.Clients.Create(ctx, admin, person(), "k"+nul)
				return err
			}},
			{"get client reference NUL", "reference", func() error { _, err := a.Clients.Get(ctx, admin, existing.Reference+nul); return err }},
			{"get client reference too long", "reference", func() error { _, err := a.Clients.Get(ctx, admin, long); return err }},
			{"update client reference NUL", "reference", func() error {
				_, err := a.Clients.Update(ctx, admin, existing.Reference+nul, clients.UpdateInput{Version: 1, Profile: person().Profile})
				return err
			}},
			{"update client firstName NUL", "individual.firstName", func() error {
				in := clients.UpdateInput{Version: existing.Version, Profile: person().Profile}
				in.Individual.FirstName = nul
				_, err := a.Clients.Update(ctx, admin, existing.Reference, in)
				return err
			}},
			{"transition client reference NUL", "reference", func() error {
				_, err := a.Clients.Transition(ctx, admin, nul, clients.Active, 1)
				return err
			}},
			{"list clients filter NUL", "filter", func() error {
				_, err := a.Clients.List(ctx, admin, clients.ListRequest{Filter: `name~"a` + nul + `"`})
				return err
			}},
			{"list clients bare filter NUL", "filter", func() error {
				_, err := a.Clients.List(ctx, admin, clients.ListRequest{Filter: "a" + nul})
				return err
			}},
			{"list clients cursor", "cursor", func() error {
				_, err := a.Clients.List(ctx, admin, clients.ListRequest{Cursor: "c1:" + nul})
				return err
			}},
			// Roles.
			{"role code too long", "code", role(func(r *authz.Role) { r.Code = long })},
			{"role code NUL", "code", role(func(r *authz.Role) { r.Code = "RX" + nul })},
			{"role name NUL", "name", role(func(r *authz.Role) { r.Name = "View" + nul })},
			{"role name too long", "name", role(func(r *authz.Role) { r.Name = long })},
			{"role name invalid UTF-8", "name", role(func(r *authz.Role) { r.Name = "\xfe" })},
			{"update role code NUL", "code", func() error {
				_, err := a.Roles.UpdateRole(ctx, admin, authz.Role{Code: "RP005" + nul, Name: "X", Permissions: []string{"clnt_list"}})
				return err
			}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				err := tc.call()
				require.Error(t, err, "bad input was accepted")
				var verr *clientele.ValidationError
				require.True(t, errors.As(err, &verr), "want a *clientele.ValidationError, got %v", err)
				var fields []string
				for _, p := range verr.Problems {
					fields = append(fields, p.Field)
				}
				assert.Contains(t, fields, tc.field, "%v", err)
			})
		}

		// Nothing of the refused input was stored.
		page, err := a.Clients.List(ctx, admin, clients.ListRequest{})
		require.NoError(t, err)
		assert.Len(t, page.Clients, 1)
	})
}

// refusesBadBodies: the HTTP edge answers a body over the limit with
// 413, a body that is not declared JSON with 415, and a duplicate JSON key or
// invalid UTF-8 with 422 naming what is wrong; NUL bytes anywhere are a 422
// naming the field, never a 503.
func refusesBadBodies(t *testing.T, check Check) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		env := testServer(t, db, check)
		admin := env.admin(t)
		field := func(body map[string]any) string {
			errs, _ := body["errors"].([]any)
			if len(errs) == 0 {
				return ""
			}
			f, _ := errs[0].(map[string]any)["field"].(string)
			return f
		}

		status, body := admin.do("POST", "/clients/profile", `{"type":"`+strings.Repeat("x", 2<<20)+`"}`)
		assert.Equal(t, http.StatusRequestEntityTooLarge, status, "oversized body: %v", body)
		assert.Equal(t, "too_large", body["code"])

		for _, ct := range []string{"text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin1", "none"} {
			status, body = admin.do("POST", "/clients/profile", personBody, "Content-Type", ct)
			assert.Equal(t, http.StatusUnsupportedMediaType, status, "%s: %v", ct, body)
			assert.Equal(t, "unsupported_media_type", body["code"], ct)
		}
		status, _ = admin.do("POST", "/clients/profile", personBody, "Content-Type", "application/json; charset=UTF-8")
		assert.Equal(t, http.StatusCreated, status, "JSON with an explicit UTF-8 charset")

		for name, tc := range map[string]struct{ body, field string }{
			"duplicate key":        {`{"type":"individual","type":"corporate"}`, "type"},
			"nested duplicate key": {`{"type":"individual","individual":{"firstName":"A","lastName":"B","firstName":"C"}}`, "individual.firstName"},
			"duplicate in array":   {`{"type":"corporate","corporate":{"contacts":[{"name":"a"},{"name":"b","name":"c"}]}}`, "corporate.contacts[1].name"},
			"invalid UTF-8":        {"{\"type\":\"individual\",\"officeId\":\"o\xff\"}", "body"},
			"escaped NUL":          {strings.Replace(personBody, `"Amina"`, `"Am\u0000ina"`, 1), "individual.firstName"},
		} {
			status, body := admin.do("POST", "/clients/profile", tc.body)
			assert.Equal(t, http.StatusUnprocessableEntity, status, "%s: %v", name, body)
			assert.Equal(t, tc.field, field(body), name)
		}

		// Unauthenticated and path input: a NUL is invalid input, not a database error.
		status, body = env.anon(t).do("POST", "/auth/login", `{"tenantId":"de\u0000mo","email":"a@b.example","password":"long-enough-password"}`)
		assert.Equal(t, http.StatusUnprocessableEntity, status, "%v", body)
		assert.Equal(t, "tenantId", field(body))
		status, body = env.anon(t).do("POST", "/auth/login", `{"tenantId":"demo","email":"a\u0000@b.example","password":"long-enough-password"}`)
		assert.Equal(t, http.StatusUnprocessableEntity, status, "%v", body)
		assert.Equal(t, "email", field(body))
		status, body = admin.do("GET", "/clients/profile/C%00X", "")
		assert.Equal(t, http.StatusUnprocessableEntity, status, "%v", body)
		assert.Equal(t, "reference", field(body))
		status, body = admin.do("GET", "/users/u%00", "")
		assert.Equal(t, http.StatusUnprocessableEntity, status, "%v", body)
		assert.Equal(t, "id", field(body))
		status, body = admin.do("PUT", "/roles/RP%00", `{"name":"X","permissions":[]}`)
		assert.Equal(t, http.StatusUnprocessableEntity, status, "%v", body)
		assert.Equal(t, "code", field(body))
		status, body = admin.do("POST", "/roles", `{"code":"`+strings.Repeat("R", 10_000)+`","name":"X","type":"customer","permissions":[]}`)
		assert.Equal(t, http.StatusUnprocessableEntity, status, "%v", body)
		assert.Equal(t, "code", field(body))
		status, body = admin.do("GET", "/clients/profile?filter=name~%00", "")
		assert.Equal(t, http.StatusUnprocessableEntity, status, "%v", body)
		assert.Equal(t, "filter", field(body))
	})
}

// securityHeaders: every answer, success or problem, tells caches not
// to store it and browsers not to sniff its type.
func securityHeaders(t *testing.T, check Check) {
	env := testServer(t, dbtest.SQLiteFile(t), check)
	for _, tc := range []struct{ method, path, body string }{
		{"GET", "/openapi.json", ""},
		{"GET", "/clients/profile", ""},
		{"POST", "/auth/login", `{}`},
		{"GET", "/no-such-route", ""},
	} {
		req, err := http.NewRequest(tc.method, env.Server.URL+tc.path, strings.NewReader(tc.body))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		_ = resp.Body.Close()
		assert.Equal(t, "no-store", resp.Header.Get("Cache-Control"), tc.path)
		assert.Equal(t, "nosniff", resp.Header.Get("X-Content-Type-Options"), tc.path)
	}
}

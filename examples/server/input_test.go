package main

import (
	"context"
	"errors"
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

// TestServicesRefuseBadInput drives the services, not HTTP, with one table of
// bad strings on both dialects: every one is a *clientele.ValidationError naming
// the field, before anything reaches the database, so SQLite and PostgreSQL
// behave the same (a NUL used to be stored by SQLite and refused by PostgreSQL,
// which made it a 503).
func TestServicesRefuseBadInput(t *testing.T) {
	const nul = "\x00"
	long := strings.Repeat("x", 10_000)
	dbtest.Each(t, func(t *testing.T, db *storage.DB) {
		env := testServer(t, db)
		a := env.app
		ctx := context.Background()
		sess, err := a.users.LoginPassword(ctx, users.PasswordLoginInput{TenantID: demoTenant, Email: demoAdminEmail, Password: testPassword})
		require.NoError(t, err)
		admin, err := a.users.Authenticate(ctx, sess.Token)
		require.NoError(t, err)
		existing, err := a.clients.Create(ctx, admin, person(), "")
		require.NoError(t, err)

		invite := func(mut func(*users.InviteInput)) func() error {
			return func() error {
				in := users.InviteInput{Type: users.OriginatorAgent, Name: "Agent", Phone: "+254700000009", AssociateID: "assoc-9", Roles: []string{"RP005"}}
				mut(&in)
				_, err := a.users.Invite(ctx, admin, in, "")
				return err
			}
		}
		create := func(in clients.CreateInput, mut func(*clients.CreateInput)) func() error {
			return func() error {
				mut(&in)
				_, err := a.clients.Create(ctx, admin, in, "")
				return err
			}
		}
		role := func(mut func(*authz.Role)) func() error {
			return func() error {
				r := authz.Role{Code: "RX9", Name: "Viewer", Type: authz.Customer, Permissions: []string{"portal_savings_view"}}
				mut(&r)
				_, err := a.roles.CreateRole(ctx, admin, r)
				return err
			}
		}
		login := func(in users.PasswordLoginInput) func() error {
			return func() error { _, err := a.users.LoginPassword(ctx, in); return err }
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
				_, err := a.users.LoginPIN(ctx, users.PINLoginInput{TenantID: demoTenant, Phone: "+2547" + nul, PIN: "123456"})
				return err
			}},
			{"register email tenantId NUL", "tenantId", func() error {
				_, err := a.users.RegisterEmail(ctx, users.RegisterEmailInput{TenantID: nul, Email: "a@b.example", Code: "123456", Password: "long-enough-password"})
				return err
			}},
			{"verify phone tenantId control", "tenantId", func() error {
				_, err := a.users.VerifyPhone(ctx, users.VerifyPhoneInput{TenantID: "demo\x1b", Phone: "+254700000001", Code: "123456"})
				return err
			}},
			{"set PIN ticket NUL", "ticket", func() error {
				_, err := a.users.SetPIN(ctx, users.SetPINInput{TenantID: demoTenant, Ticket: "t" + nul, PIN: "4829", ConfirmPIN: "4829"})
				return err
			}},
			{"social provider NUL", "provider", func() error {
				_, err := a.users.LoginSocial(ctx, users.SocialInput{TenantID: demoTenant, Provider: "goo" + nul, Credential: "x"})
				return err
			}},
			{"social credential NUL", "credential", func() error {
				_, err := a.users.LoginSocial(ctx, users.SocialInput{TenantID: demoTenant, Provider: "google", Credential: "x" + nul})
				return err
			}},
			// Invitation.
			{"invite name NUL", "name", invite(func(in *users.InviteInput) { in.Name = "Ag" + nul + "ent" })},
			{"invite name newline", "name", invite(func(in *users.InviteInput) { in.Name = "Agent\nAdmin" })},
			{"invite name invalid UTF-8", "name", invite(func(in *users.InviteInput) { in.Name = "Ag\xc3ent" })},
			{"invite associateId NUL", "associateId", invite(func(in *users.InviteInput) { in.AssociateID = "assoc" + nul })},
			{"invite role NUL", "roles[0]", invite(func(in *users.InviteInput) { in.Roles = []string{"RP" + nul} })},
			{"invite idempotency key NUL", "idempotencyKey", func() error {
				_, err := a.users.Invite(ctx, admin, users.InviteInput{Type: users.OriginatorAgent, Name: "Agent", Phone: "+254700000010", AssociateID: "assoc-10"}, "key"+nul)
				return err
			}},
			// User ids from the path.
			{"get user id NUL", "id", func() error { _, err := a.users.Get(ctx, admin, "u"+nul); return err }},
			{"get user id too long", "id", func() error { _, err := a.users.Get(ctx, admin, long); return err }},
			{"block user id NUL", "id", func() error { _, err := a.users.Block(ctx, admin, "u"+nul); return err }},
			{"unblock user id NUL", "id", func() error { _, err := a.users.Unblock(ctx, admin, "u"+nul); return err }},
			{"reinvite user id NUL", "id", func() error { _, err := a.users.Reinvite(ctx, admin, "u"+nul); return err }},
			{"list users cursor NUL", "cursor", func() error {
				_, err := a.users.List(ctx, admin, users.ListRequest{Cursor: nul})
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
				_, err := a.clients.Create(ctx, admin, person(), "k"+nul)
				return err
			}},
			{"get client reference NUL", "reference", func() error { _, err := a.clients.Get(ctx, admin, existing.Reference+nul); return err }},
			{"get client reference too long", "reference", func() error { _, err := a.clients.Get(ctx, admin, long); return err }},
			{"update client reference NUL", "reference", func() error {
				_, err := a.clients.Update(ctx, admin, existing.Reference+nul, clients.UpdateInput{Version: 1, Profile: person().Profile})
				return err
			}},
			{"update client firstName NUL", "individual.firstName", func() error {
				in := clients.UpdateInput{Version: existing.Version, Profile: person().Profile}
				in.Individual.FirstName = nul
				_, err := a.clients.Update(ctx, admin, existing.Reference, in)
				return err
			}},
			{"transition client reference NUL", "reference", func() error {
				_, err := a.clients.Transition(ctx, admin, nul, clients.Active, 1)
				return err
			}},
			{"list clients filter NUL", "filter", func() error {
				_, err := a.clients.List(ctx, admin, clients.ListRequest{Filter: `name~"a` + nul + `"`})
				return err
			}},
			{"list clients bare filter NUL", "filter", func() error {
				_, err := a.clients.List(ctx, admin, clients.ListRequest{Filter: "a" + nul})
				return err
			}},
			{"list clients cursor", "cursor", func() error {
				_, err := a.clients.List(ctx, admin, clients.ListRequest{Cursor: "c1:" + nul})
				return err
			}},
			// Roles.
			{"role code too long", "code", role(func(r *authz.Role) { r.Code = long })},
			{"role code NUL", "code", role(func(r *authz.Role) { r.Code = "RX" + nul })},
			{"role name NUL", "name", role(func(r *authz.Role) { r.Name = "View" + nul })},
			{"role name too long", "name", role(func(r *authz.Role) { r.Name = long })},
			{"role name invalid UTF-8", "name", role(func(r *authz.Role) { r.Name = "\xfe" })},
			{"update role code NUL", "code", func() error {
				_, err := a.roles.UpdateRole(ctx, admin, authz.Role{Code: "RP005" + nul, Name: "X", Permissions: []string{"clnt_list"}})
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
		page, err := a.clients.List(ctx, admin, clients.ListRequest{})
		require.NoError(t, err)
		assert.Len(t, page.Clients, 1)
	})
}

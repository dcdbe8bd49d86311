package users_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/adapters/memory"
	"github.com/clientele-go/clientele/authz"
	"github.com/clientele-go/clientele/internal/dbtest"
	"github.com/clientele-go/clientele/internal/testkit"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/users"
)

func TestNewRejectsMissingDependencies(t *testing.T) {
	db := dbtest.SQLiteFile(t)
	msg, ident := memory.NewMessaging(), memory.NewIdentity()
	cats, err := authz.New(db.Authz(), db.Authz())
	require.NoError(t, err)
	for name, f := range map[string]func() (*users.Service, error){
		"store": func() (*users.Service, error) {
			return users.New(nil, testkit.AllowAll{}, cats, db.Clients(), db.Associates(), msg, ident)
		},
		"authz": func() (*users.Service, error) {
			return users.New(db.Users(), nil, cats, db.Clients(), db.Associates(), msg, ident)
		},
		"catalogue": func() (*users.Service, error) {
			return users.New(db.Users(), testkit.AllowAll{}, nil, db.Clients(), db.Associates(), msg, ident)
		},
		"clients": func() (*users.Service, error) {
			return users.New(db.Users(), testkit.AllowAll{}, cats, nil, db.Associates(), msg, ident)
		},
		"associates": func() (*users.Service, error) {
			return users.New(db.Users(), testkit.AllowAll{}, cats, db.Clients(), nil, msg, ident)
		},
		"messaging": func() (*users.Service, error) {
			return users.New(db.Users(), testkit.AllowAll{}, cats, db.Clients(), db.Associates(), nil, ident)
		},
		"identity": func() (*users.Service, error) {
			return users.New(db.Users(), testkit.AllowAll{}, cats, db.Clients(), db.Associates(), msg, nil)
		},
		"code TTL": func() (*users.Service, error) {
			return users.New(db.Users(), testkit.AllowAll{}, cats, db.Clients(), db.Associates(), msg, ident, users.WithCodeTTL(25*time.Hour, time.Minute))
		},
		"hashing": func() (*users.Service, error) {
			return users.New(db.Users(), testkit.AllowAll{}, cats, db.Clients(), db.Associates(), msg, ident, users.WithHashing(users.Hashing{}))
		},
	} {
		svc, err := f()
		assert.Error(t, err, name)
		assert.Nil(t, svc, name)
	}
}

func TestInviteRules(t *testing.T) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		e := newEnv(t, db)
		admin := e.admin("ada@bank.example").User.Principal()
		e.invite(e.op, agentInput("+254700000011"))
		agent, err := e.registerPhone("+254700000011", "1470")
		require.NoError(t, err)
		e.invite(e.op, investorInput("ivy@mail.example"))
		inv, err := e.svc.RegisterEmail(e.ctx, users.RegisterEmailInput{TenantID: "t1", Email: "ivy@mail.example", Code: e.code("ivy@mail.example"), Password: "a long enough password"})
		require.NoError(t, err)

		for _, tc := range []struct {
			name  string
			p     authz.Principal
			in    users.InviteInput
			allow bool
		}{
			{"operator invites admin", e.op, adminInput("a2@bank.example"), true},
			{"operator invites operator", e.op, users.InviteInput{Type: users.NodeOperator, Name: "Second Op", Email: "op2@bank.example", AssociateID: staffT1}, true},
			{"admin invites admin", admin, adminInput("a3@bank.example"), true},
			{"admin invites agent", admin, agentInput("+254700000012"), true},
			{"admin invites investor", admin, investorInput("i2@mail.example"), true},
			{"admin invites borrower", admin, borrowerInput("+254700000013"), true},
			{"admin cannot invite operator", admin, users.InviteInput{Type: users.NodeOperator, Name: "Op", Email: "op3@bank.example", AssociateID: staffT1}, false},
			{"agent cannot invite", agent.User.Principal(), borrowerInput("+254700000014"), false},
			{"investor cannot invite", inv.User.Principal(), investorInput("i3@mail.example"), false},
			{"unknown principal cannot invite", testkit.Staff("t1", "ghost"), borrowerInput("+254700000015"), false},
		} {
			t.Run(tc.name, func(t *testing.T) {
				u, err := e.svc.Invite(e.ctx, tc.p, tc.in, "")
				if tc.allow {
					require.NoError(t, err)
					assert.Equal(t, tc.in.Type, u.Type)
					return
				}
				assert.ErrorIs(t, err, clientele.ErrForbidden)
				e.drain()
				_, sent := e.msg.Last(tc.in.Email + tc.in.Phone)
				assert.False(t, sent, "nothing sent")
			})
		}
		// A blocked admin invites nobody.
		_, err = e.svc.Block(e.ctx, e.op, admin.UserID)
		require.NoError(t, err)
		_, err = e.svc.Invite(e.ctx, admin, borrowerInput("+254700000016"), "")
		assert.ErrorIs(t, err, clientele.ErrForbidden)
	})
}

func TestInviteValidation(t *testing.T) {
	e := newEnv(t, dbtest.SQLiteFile(t))
	for _, tc := range []struct {
		name   string
		in     users.InviteInput
		fields []string
	}{
		{"empty", users.InviteInput{}, []string{"type", "name"}},
		{"admin needs email and associate", users.InviteInput{Type: users.OriginatorAdmin, Name: "A"}, []string{"email", "associateId"}},
		{"borrower needs phone and client", users.InviteInput{Type: users.Borrower, Name: "B", Phone: "0712"}, []string{"phone", "clientId"}},
		{"customer links no associate", users.InviteInput{Type: users.Investor, Name: "I", Email: "i@x.example", ClientID: "c", AssociateID: "a"}, []string{"associateId"}},
		{"bad email", users.InviteInput{Type: users.Investor, Name: "I", Email: "nope", ClientID: "c"}, []string{"email"}},
		{"duplicate roles", users.InviteInput{Type: users.Investor, Name: "I", Email: "i@x.example", ClientID: "c", Roles: []string{"RC001", "RC001"}}, []string{"roles[1]"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.svc.Invite(e.ctx, e.op, tc.in, "")
			var verr *clientele.ValidationError
			require.ErrorAs(t, err, &verr)
			var got []string
			for _, p := range verr.Problems {
				got = append(got, p.Field)
			}
			assert.Subset(t, got, tc.fields)
		})
	}
	// Email and phone are unique in the tenant.
	e.invite(e.op, investorInput("ivy@mail.example"))
	_, err := e.svc.Invite(e.ctx, e.op, investorInput("IVY@mail.example"), "")
	var ce *users.ConflictError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "email", ce.Field)
	e.invite(e.op, borrowerInput("+254700000021"))
	_, err = e.svc.Invite(e.ctx, e.op, agentInput("+254700000021"), "")
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "phone", ce.Field)
}

func TestInviteIdempotency(t *testing.T) {
	e := newEnv(t, dbtest.SQLiteFile(t))
	u1, err := e.svc.Invite(e.ctx, e.op, investorInput("ivy@mail.example"), "key-1")
	require.NoError(t, err)
	c1 := e.code("ivy@mail.example")
	u2, err := e.svc.Invite(e.ctx, e.op, investorInput("ivy@mail.example"), "key-1")
	require.NoError(t, err)
	assert.Equal(t, u1.ID, u2.ID)
	e.drain()
	assert.Len(t, e.msg.Sent(), 1, "a replay queues nothing: the first invitation was queued with the user")
	_, err = e.svc.Invite(e.ctx, e.op, investorInput("other@mail.example"), "key-1")
	assert.ErrorIs(t, err, clientele.ErrConflict)
	_, err = e.svc.RegisterEmail(e.ctx, users.RegisterEmailInput{TenantID: "t1", Email: "ivy@mail.example", Code: c1, Password: "a long enough password"})
	require.NoError(t, err)
	// Replaying after registration sends nothing more.
	_, err = e.svc.Invite(e.ctx, e.op, investorInput("ivy@mail.example"), "key-1")
	require.NoError(t, err)
	e.drain()
	assert.Len(t, e.msg.Sent(), 1)
	// Reinviting an active user is refused.
	_, err = e.svc.Reinvite(e.ctx, e.op, u1.ID)
	assert.ErrorIs(t, err, clientele.ErrPrecondition)
}

func TestBootstrap(t *testing.T) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		e := newEnv(t, db)
		in := users.NodeOperatorInput{Email: operatorEmail, Name: "Node Operator", Password: operatorPassword, Roles: []string{authz.RoleSecurityAdmin}}
		again, err := e.svc.Bootstrap(e.ctx, "t1", in)
		require.NoError(t, err, "bootstrap is idempotent")
		assert.Equal(t, e.op.UserID, again.ID)
		assert.Equal(t, users.NodeOperator, again.Type)
		assert.Equal(t, users.Active, again.State)
		in.Email = "someone-else@bank.example"
		_, err = e.svc.Bootstrap(e.ctx, "t1", in)
		assert.ErrorIs(t, err, clientele.ErrConflict, "one bootstrap per tenant")

		// Without a password the operator is invited by email.
		op2, err := e.svc.Bootstrap(e.ctx, "t2", users.NodeOperatorInput{Email: "op@t2.example", Name: "T2 Operator"})
		require.NoError(t, err)
		assert.Equal(t, users.Invited, op2.State)
		s, err := e.svc.RegisterEmail(e.ctx, users.RegisterEmailInput{TenantID: "t2", Email: "op@t2.example", Code: e.code("op@t2.example"), Password: "t2 operator password"})
		require.NoError(t, err)
		assert.Equal(t, users.Active, s.User.State)

		_, err = e.svc.Bootstrap(e.ctx, "t1", users.NodeOperatorInput{Email: "x@y.example", Name: "N", Password: "short"})
		assert.ErrorIs(t, err, clientele.ErrInvalid)
	})
}

// Bootstrap stays idempotent after its key is gone (keys live 24 hours and are
// then pruned): a restarting setup that calls it again gets the operator it
// created, and other settings still conflict.
func TestBootstrapAfterKeyExpired(t *testing.T) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		e := newEnv(t, db)
		_, err := db.SQL().ExecContext(e.ctx, "DELETE FROM idempotency_keys")
		require.NoError(t, err)
		in := users.NodeOperatorInput{Email: operatorEmail, Name: "Node Operator", Password: operatorPassword, Roles: []string{authz.RoleSecurityAdmin}}
		again, err := e.svc.Bootstrap(e.ctx, "t1", in)
		require.NoError(t, err)
		assert.Equal(t, e.op.UserID, again.ID)
		in.Name = "Another Operator"
		_, err = e.svc.Bootstrap(e.ctx, "t1", in)
		require.ErrorIs(t, err, clientele.ErrConflict)
		assert.Contains(t, err.Error(), "already bootstrapped with other settings")
		in.Name, in.Email = "Node Operator", "someone-else@bank.example"
		_, err = e.svc.Bootstrap(e.ctx, "t1", in)
		require.ErrorIs(t, err, clientele.ErrConflict)
		list, err := e.svc.List(e.ctx, e.op, users.ListRequest{Type: "all"})
		require.NoError(t, err)
		n := 0
		for _, u := range list.Users {
			if u.Type == users.NodeOperator {
				n++
			}
		}
		assert.Equal(t, 1, n, "one node operator")
	})
}

func TestBlockRules(t *testing.T) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		e := newEnv(t, db)
		admin := e.admin("ada@bank.example").User
		admin2 := e.admin("bob@bank.example").User
		e.invite(e.op, borrowerInput("+254700000031"))
		bor, err := e.registerPhone("+254700000031", "3690")
		require.NoError(t, err)
		invited := e.invite(e.op, investorInput("ivy@mail.example"))

		_, err = e.svc.Block(e.ctx, e.op, e.op.UserID)
		assert.ErrorIs(t, err, clientele.ErrForbidden, "nobody blocks themselves")
		_, err = e.svc.Block(e.ctx, admin.Principal(), e.op.UserID)
		assert.ErrorIs(t, err, clientele.ErrNotFound, "an admin cannot block the operator, nor learn it exists")
		_, err = e.svc.Block(e.ctx, bor.User.Principal(), admin.ID)
		assert.ErrorIs(t, err, clientele.ErrForbidden, "a borrower blocks nobody")
		_, err = e.svc.Block(e.ctx, admin.Principal(), invited.ID)
		assert.ErrorIs(t, err, clientele.ErrPrecondition, "only an active user is blocked")
		_, err = e.svc.Unblock(e.ctx, admin.Principal(), bor.User.ID)
		assert.ErrorIs(t, err, clientele.ErrPrecondition, "only a blocked user is unblocked")
		_, err = e.svc.Block(e.ctx, admin.Principal(), "0190a0b0-0000-7000-8000-000000000000")
		assert.ErrorIs(t, err, clientele.ErrNotFound)

		// An admin blocks a peer admin and a borrower.
		_, err = e.svc.Block(e.ctx, admin.Principal(), admin2.ID)
		require.NoError(t, err)
		_, err = e.svc.Block(e.ctx, admin.Principal(), bor.User.ID)
		require.NoError(t, err)
		_, err = e.svc.Block(e.ctx, admin.Principal(), bor.User.ID)
		assert.ErrorIs(t, err, clientele.ErrPrecondition)
		// A blocked admin can no longer administer.
		_, err = e.svc.Unblock(e.ctx, admin2.Principal(), bor.User.ID)
		assert.ErrorIs(t, err, clientele.ErrForbidden)
	})
}

func TestList(t *testing.T) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		e := newEnv(t, db)
		e.invite(e.op, adminInput("ada@bank.example"))
		e.invite(e.op, agentInput("+254700000041"))
		e.invite(e.op, investorInput("ivy@mail.example"))
		e.invite(e.op, borrowerInput("+254700000042"))
		e.invite(e.op, borrowerInput("+254700000043"))

		types := func(p users.Page) []users.Type {
			var out []users.Type
			for _, u := range p.Users {
				out = append(out, u.Type)
			}
			return out
		}
		page, err := e.svc.List(e.ctx, e.op, users.ListRequest{})
		require.NoError(t, err)
		assert.Equal(t, []users.Type{users.OriginatorAgent, users.OriginatorAdmin, users.NodeOperator}, types(page), "back-office users by default, newest first")
		page, err = e.svc.List(e.ctx, e.op, users.ListRequest{Type: "customer"})
		require.NoError(t, err)
		assert.Equal(t, []users.Type{users.Borrower, users.Borrower, users.Investor}, types(page))

		var all []users.Type
		req := users.ListRequest{Type: "all", Limit: 2}
		for pages := 0; ; pages++ {
			require.Less(t, pages, 4)
			page, err := e.svc.List(e.ctx, e.op, req)
			require.NoError(t, err)
			assert.LessOrEqual(t, len(page.Users), 2)
			all = append(all, types(page)...)
			if page.NextCursor == "" {
				break
			}
			req.Cursor = page.NextCursor
		}
		assert.Len(t, all, 6)

		for _, bad := range []users.ListRequest{{Type: "staff"}, {Limit: users.MaxPageSize + 1}, {Limit: -1}, {Cursor: "nonsense"}} {
			_, err := e.svc.List(e.ctx, e.op, bad)
			assert.ErrorIs(t, err, clientele.ErrInvalid, "%+v", bad)
		}
	})
}

// deny forbids everything and records what it was asked.
type deny struct{ ops []authz.Operation }

func (d *deny) Authorize(_ context.Context, _ authz.Principal, op authz.Operation, _ authz.Resource) error {
	d.ops = append(d.ops, op)
	return fmt.Errorf("denied %s: %w", op, clientele.ErrForbidden)
}

func TestAuthorizesBeforeActing(t *testing.T) {
	e := newEnv(t, dbtest.SQLiteFile(t))
	target := e.invite(e.op, investorInput("ivy@mail.example"))
	d := &deny{}
	svc, err := users.New(e.db.Users(), d, e.cats, knownClients{}, e.db.Associates(), e.msg, e.ident, users.WithHashing(users.InsecureTestHashing()))
	require.NoError(t, err)
	sent := len(e.msg.Sent())

	_, err = svc.Invite(e.ctx, e.op, users.InviteInput{}, "")
	assert.ErrorIs(t, err, clientele.ErrForbidden, "authorization comes before validation")
	_, err = svc.Reinvite(e.ctx, e.op, target.ID)
	assert.ErrorIs(t, err, clientele.ErrForbidden)
	_, err = svc.List(e.ctx, e.op, users.ListRequest{})
	assert.ErrorIs(t, err, clientele.ErrForbidden)
	_, err = svc.Get(e.ctx, e.op, target.ID)
	assert.ErrorIs(t, err, clientele.ErrForbidden)
	_, err = svc.Block(e.ctx, e.op, target.ID)
	assert.ErrorIs(t, err, clientele.ErrForbidden)
	_, err = svc.Unblock(e.ctx, e.op, target.ID)
	assert.ErrorIs(t, err, clientele.ErrForbidden)
	assert.Equal(t, []authz.Operation{authz.OpInviteUser, authz.OpInviteUser, authz.OpListUsers, authz.OpListUsers, authz.OpBlockUser, authz.OpUnblockUser}, d.ops)
	assert.Len(t, e.msg.Sent(), sent)
	unchanged(t, e, target)
}

// TestWithAuthzCatalogue runs invitation and listing through the real
// Authorizer on the Retail Engine preset, with roles checked against it.
func TestWithAuthzCatalogue(t *testing.T) {
	ctx := context.Background()
	db := dbtest.SQLiteFile(t)
	require.NoError(t, db.Tenants().Create(ctx, testkit.Tenant("t1")))
	cats := authz.NewMemoryStore()
	require.NoError(t, cats.PutTenant(authz.Org{TenantID: "t1", Apps: map[string]string{"backoffice": "active", "retail": "active"}}, authz.RetailEngine()))
	az, err := authz.New(cats, cats)
	require.NoError(t, err)
	msg := memory.NewMessaging()
	svc, err := users.New(db.Users(), az, az, knownClients{}, db.Associates(), msg, memory.NewIdentity(),
		users.WithHashing(users.InsecureTestHashing()))
	require.NoError(t, err)
	dbtest.StartDispatcher(t, db, svc.Handlers())

	_, err = svc.Bootstrap(ctx, "t1", users.NodeOperatorInput{Email: operatorEmail, Name: "Op", Password: operatorPassword, Roles: []string{authz.RolePortalViewer}})
	assert.ErrorIs(t, err, clientele.ErrInvalid, "a back-office user cannot hold a customer role")
	_, err = svc.Bootstrap(ctx, "t1", users.NodeOperatorInput{Email: operatorEmail, Name: "Op", Password: operatorPassword, Roles: []string{authz.RoleSecurityAdmin}})
	require.NoError(t, err)
	s, err := svc.LoginPassword(ctx, users.PasswordLoginInput{TenantID: "t1", Email: operatorEmail, Password: operatorPassword})
	require.NoError(t, err)
	p, err := svc.Authenticate(ctx, s.Token)
	require.NoError(t, err)

	in := investorInput("ivy@mail.example")
	in.Roles = []string{authz.RoleSecurityAdmin}
	_, err = svc.Invite(ctx, p, in, "")
	assert.ErrorIs(t, err, clientele.ErrInvalid, "a customer cannot hold a back-office role")
	in.Roles = []string{authz.RolePortalTransactor}
	u, err := svc.Invite(ctx, p, in, "")
	require.NoError(t, err)
	page, err := svc.List(ctx, p, users.ListRequest{Type: "customer"})
	require.NoError(t, err)
	require.Len(t, page.Users, 1)
	assert.Equal(t, u.ID, page.Users[0].ID)

	// The investor's own principal holds no user administration permission.
	r, err := svc.RegisterEmail(ctx, users.RegisterEmailInput{TenantID: "t1", Email: "ivy@mail.example", Code: msgCode(t, db, msg, "ivy@mail.example"), Password: "a long enough password"})
	require.NoError(t, err)
	_, err = svc.List(ctx, r.User.Principal(), users.ListRequest{})
	assert.ErrorIs(t, err, clientele.ErrForbidden)
}

// msgCode returns the code of the last message sent to to, once db's
// effects are delivered.
func msgCode(t *testing.T, db *storage.DB, msg *memory.Messaging, to string) string {
	t.Helper()
	dbtest.Drain(t, db)
	m, ok := msg.Last(to)
	require.True(t, ok)
	return m.Params["code"]
}

func TestMe(t *testing.T) {
	e := newEnv(t, dbtest.SQLiteFile(t))
	me, err := e.svc.Me(e.ctx, e.op)
	require.NoError(t, err)
	assert.Equal(t, e.op.UserID, me.ID)
	_, err = e.svc.Me(e.ctx, testkit.Staff("t1", "ghost"))
	assert.ErrorIs(t, err, clientele.ErrUnauthenticated)
}

func TestRegistrationValidation(t *testing.T) {
	e := newEnv(t, dbtest.SQLiteFile(t))
	for _, tc := range []struct {
		name  string
		call  func() error
		field string
	}{
		{"short password", func() error {
			_, err := e.svc.RegisterEmail(e.ctx, users.RegisterEmailInput{TenantID: "t1", Email: "a@b.example", Code: "123456", Password: "short"})
			return err
		}, "password"},
		{"code not 6 digits", func() error {
			_, err := e.svc.RegisterEmail(e.ctx, users.RegisterEmailInput{TenantID: "t1", Email: "a@b.example", Code: "12345a", Password: "a long enough password"})
			return err
		}, "code"},
		{"bad email", func() error {
			_, err := e.svc.RegisterEmail(e.ctx, users.RegisterEmailInput{TenantID: "t1", Email: "a@b", Code: "123456", Password: "a long enough password"})
			return err
		}, "email"},
		{"bad phone", func() error {
			_, err := e.svc.VerifyPhone(e.ctx, users.VerifyPhoneInput{TenantID: "t1", Phone: "0712345678", Code: "123456"})
			return err
		}, "phone"},
		{"short PIN", func() error {
			_, err := e.svc.SetPIN(e.ctx, users.SetPINInput{TenantID: "t1", Ticket: "x", PIN: "123", ConfirmPIN: "123"})
			return err
		}, "pin"},
		{"repeated PIN", func() error {
			_, err := e.svc.SetPIN(e.ctx, users.SetPINInput{TenantID: "t1", Ticket: "x", PIN: "1111", ConfirmPIN: "1111"})
			return err
		}, "pin"},
		{"no tenant", func() error {
			_, err := e.svc.LoginPassword(e.ctx, users.PasswordLoginInput{Email: "a@b.example", Password: "x"})
			return err
		}, "tenantId"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var verr *clientele.ValidationError
			require.ErrorAs(t, tc.call(), &verr)
			assert.Equal(t, tc.field, verr.Problems[0].Field)
		})
	}
}

// sameAsMissing asserts that err, returned for the user with id, is exactly the
// error returned for missing, a user that does not exist: the same kind and the
// same text once the IDs are set aside.
func sameAsMissing(t *testing.T, err error, id string, errMissing error, missing string) {
	t.Helper()
	require.ErrorIs(t, err, clientele.ErrNotFound)
	require.ErrorIs(t, errMissing, clientele.ErrNotFound)
	assert.Equal(t, strings.ReplaceAll(errMissing.Error(), missing, "ID"), strings.ReplaceAll(err.Error(), id, "ID"))
}

// TestNoUserExistenceOracle: a user the actor may not touch (the node operator,
// for an originator admin) is answered exactly as a missing user, on every
// administrative call that names one (issue 8, item 3).
func TestNoUserExistenceOracle(t *testing.T) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		e := newEnv(t, db)
		admin := e.admin("ada@bank.example").User.Principal()
		const missing = "0190a0b0-0000-7000-8000-000000000000"
		for name, call := range map[string]func(id string) error{
			"block":   func(id string) error { _, err := e.svc.Block(e.ctx, admin, id); return err },
			"unblock": func(id string) error { _, err := e.svc.Unblock(e.ctx, admin, id); return err },
			"assign roles": func(id string) error {
				_, err := e.svc.AssignRoles(e.ctx, admin, id, nil)
				return err
			},
		} {
			t.Run(name, func(t *testing.T) {
				sameAsMissing(t, call(e.op.UserID), e.op.UserID, call(missing), missing)
			})
		}
		// An invited operator of a higher rank than the admin, for Reinvite.
		_, err := e.svc.Reinvite(e.ctx, admin, missing)
		errMissing := err
		u, err := e.svc.Get(e.ctx, e.op, e.op.UserID)
		require.NoError(t, err)
		_, err = e.svc.Reinvite(e.ctx, admin, u.ID)
		sameAsMissing(t, err, u.ID, errMissing, missing)
		// Another tenant's user is missing too.
		other := admin
		other.TenantID = "t2"
		_, err = e.svc.Get(e.ctx, other, e.op.UserID)
		assert.ErrorIs(t, err, clientele.ErrNotFound)
	})
}

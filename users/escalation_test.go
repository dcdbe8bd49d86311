package users_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/audit"
	"github.com/clientele-go/clientele/authz"
	"github.com/clientele-go/clientele/clients"
	"github.com/clientele-go/clientele/idempotency"
	"github.com/clientele-go/clientele/internal/dbtest"
	"github.com/clientele-go/clientele/internal/testkit"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/users"
)

// fieldOf returns the field of the first problem of a validation error.
func fieldOf(t *testing.T, err error) string {
	t.Helper()
	var verr *clientele.ValidationError
	require.ErrorAs(t, err, &verr)
	require.NotEmpty(t, verr.Problems)
	return verr.Problems[0].Field
}

// TestNoEscalationThroughUsers attacks invitation and role assignment: an
// originator admin whose only role is RA001 (role_admin, user_admin) gives
// only roles whose back-office permissions it holds; the node operator gives
// any (issue 8, item 2).
func TestNoEscalationThroughUsers(t *testing.T) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		e := newEnv(t, db)
		in := adminInput("ada@bank.example")
		in.Roles = []string{authz.RoleSecurityAdmin}
		e.invite(e.op, in)
		s, err := e.svc.RegisterEmail(e.ctx, users.RegisterEmailInput{TenantID: "t1", Email: "ada@bank.example", Code: e.code("ada@bank.example"), Password: "admin-password-1"})
		require.NoError(t, err)
		ada := s.User.Principal()

		// The attack of the issue: invite an address it controls with RP001 + RA001.
		eve := adminInput("eve@evil.example")
		eve.Roles = []string{"RP001", authz.RoleSecurityAdmin}
		_, err = e.svc.Invite(e.ctx, ada, eve, "")
		require.ErrorIs(t, err, clientele.ErrForbidden)
		var ge *authz.GrantError
		require.ErrorAs(t, err, &ge)
		assert.Equal(t, "RP001", ge.Role)
		agent := agentInput("+254700000041")
		agent.Roles = []string{"RP002"}
		_, err = e.svc.Invite(e.ctx, ada, agent, "")
		require.ErrorIs(t, err, clientele.ErrForbidden, "RP002's clnt_list is not ada's")
		e.drain()
		_, sent := e.msg.Last("eve@evil.example")
		assert.False(t, sent, "a refused invitation sends nothing")

		// Unknown role: invalid, naming the field, whoever invites.
		agent.Roles = []string{authz.RoleSecurityAdmin, "RP999"}
		_, err = e.svc.Invite(e.ctx, e.op, agent, "")
		require.ErrorIs(t, err, clientele.ErrInvalid)
		assert.Equal(t, "roles[1]", fieldOf(t, err))

		// Within its own permissions, and customer roles for a customer: fine.
		agent.Roles = []string{authz.RoleSecurityAdmin}
		ag := e.invite(ada, agent)
		e.invite(ada, investorInput("ivy@mail.example"))

		// Assigning a role holding permissions ada lacks.
		_, err = e.svc.AssignRoles(e.ctx, ada, ag.ID, []string{authz.RoleSecurityAdmin, "RP001"})
		require.ErrorIs(t, err, clientele.ErrForbidden)
		_, err = e.svc.AssignRoles(e.ctx, ada, ada.UserID, []string{authz.RoleSecurityAdmin})
		require.ErrorIs(t, err, clientele.ErrForbidden, "nobody assigns its own roles")
		_, err = e.svc.AssignRoles(e.ctx, ada, ag.ID, []string{"RP404"})
		require.ErrorIs(t, err, clientele.ErrInvalid)
		assert.Equal(t, "roles[0]", fieldOf(t, err))
		assert.Equal(t, []string{authz.RoleSecurityAdmin}, e.user(ag.ID).Roles, "refused assignments changed nothing")

		// The node operator may do all of it.
		_, err = e.svc.Invite(e.ctx, e.op, eve, "")
		require.NoError(t, err)
		u, err := e.svc.AssignRoles(e.ctx, e.op, ag.ID, []string{authz.RoleSecurityAdmin, "RP001"})
		require.NoError(t, err)
		assert.Equal(t, []string{authz.RoleSecurityAdmin, "RP001"}, u.Roles)
		// ... and ada cannot take away what it could not give.
		_, err = e.svc.AssignRoles(e.ctx, ada, ag.ID, []string{authz.RoleSecurityAdmin})
		require.ErrorIs(t, err, clientele.ErrForbidden)

		// The assignment's audit entry records the roles before and after.
		log, err := db.AuditLog(e.ctx, "t1", "user", ag.ID, 10)
		require.NoError(t, err)
		var last audit.Entry
		for _, le := range log {
			if le.Operation == string(authz.OpAssignRoles) {
				last = le
			}
		}
		require.Equal(t, e.op.UserID, last.Actor)
		assert.JSONEq(t, `{"roles":["RA001"]}`, string(last.Before))
		assert.JSONEq(t, `{"roles":["RA001","RP001"]}`, string(last.After))
	})
}

// TestInviteNeedsClientOfTenant: a borrower or investor invitation names a
// client of the inviter's tenant, checked on storage (issue 8, item 2).
func TestInviteNeedsClientOfTenant(t *testing.T) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		e := newEnv(t, db)
		svc, err := users.New(db.Users(), testkit.AllowAll{}, e.cats, db.Clients(), db.Associates(), e.msg, e.ident,
			users.WithHashing(users.InsecureTestHashing()), users.WithClock(e.clock.Now))
		require.NoError(t, err)
		client := func(tenant, id string, state clients.State) {
			now := time.Now().UTC().Truncate(time.Millisecond)
			_, _, err := db.Clients().Create(e.ctx, clients.Client{
				ID: id, TenantID: tenant, Reference: "R" + id[len(id)-4:], Type: clients.Individual, State: state,
				KYCStatus: clients.KYCPending, Version: 1, CreatedAt: now, UpdatedAt: now,
			}, idempotency.Key{}, clients.Change{Audit: audit.Entry{TenantID: tenant, Actor: "setup", Operation: "CL003", EntityType: "client", EntityID: id, At: now}})
			require.NoError(t, err)
		}
		const mine, theirs, gone, missing = "0190a0b0-0000-7000-8000-00000000c001", "0190a0b0-0000-7000-8000-00000000c002",
			"0190a0b0-0000-7000-8000-00000000c003", "0190a0b0-0000-7000-8000-00000000c004"
		client("t1", mine, clients.Active)
		client("t2", theirs, clients.Active)
		client("t1", gone, clients.Archived)

		var texts []string
		for i, id := range []string{missing, theirs, gone} {
			in := borrowerInput("+25470000005" + string(rune('0'+i)))
			in.ClientID = id
			_, err := svc.Invite(e.ctx, e.op, in, "")
			require.ErrorIs(t, err, clientele.ErrInvalid, id)
			assert.Equal(t, "clientId", fieldOf(t, err))
			texts = append(texts, err.Error())
			inv := investorInput("i" + string(rune('0'+i)) + "@mail.example")
			inv.ClientID = id
			_, err = svc.Invite(e.ctx, e.op, inv, "")
			require.ErrorIs(t, err, clientele.ErrInvalid, id)
		}
		assert.Equal(t, texts[0], texts[1], "another tenant's client is answered as a missing one")
		assert.Equal(t, texts[0], texts[2])
		in := borrowerInput("+254700000059")
		in.ClientID = mine
		u, err := svc.Invite(e.ctx, e.op, in, "")
		require.NoError(t, err)
		assert.Equal(t, mine, u.ClientID)
	})
}

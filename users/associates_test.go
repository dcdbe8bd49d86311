package users_test

import (
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/associates"
	"github.com/clientele-go/clientele/internal/dbtest"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/users"
)

// staffSetup is one associate of t1 in its own office, with a second open
// office to transfer it to, and its registered originator admin.
type staffSetup struct {
	office, other associates.Office
	assoc         associates.Associate
	sess          users.Session
	email, pass   string
}

func newStaff(t *testing.T, e *env, email string) staffSetup {
	t.Helper()
	st := staffSetup{email: email, pass: "staff-password-1"}
	var err error
	st.office, err = e.assocs.CreateOffice(e.ctx, e.op, associates.NewOffice{Name: "Nairobi " + email})
	require.NoError(t, err)
	st.other, err = e.assocs.CreateOffice(e.ctx, e.op, associates.NewOffice{Name: "Mombasa " + email})
	require.NoError(t, err)
	c, err := e.assocs.CreateClassification(e.ctx, e.op, associates.NewClassification{Name: "Officer " + email, Scope: associates.ScopeBranch})
	require.NoError(t, err)
	st.assoc, err = e.assocs.CreateAssociate(e.ctx, e.op, associates.NewAssociate{OfficeID: st.office.ID, ClassificationID: c.ID, Name: "Staff " + email})
	require.NoError(t, err)
	e.invite(e.op, users.InviteInput{Type: users.OriginatorAdmin, Name: "Staff", Email: email, AssociateID: st.assoc.ID})
	st.sess, err = e.svc.RegisterEmail(e.ctx, users.RegisterEmailInput{TenantID: "t1", Email: email, Code: e.code(email), Password: st.pass})
	require.NoError(t, err)
	return st
}

// A principal's AssociateID and OfficeID come from its associate as stored
// now: a transfer to another office shows on the next Authenticate.
func TestAuthenticateFillsAssociateAndOffice(t *testing.T) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		e := newEnv(t, db)
		st := newStaff(t, e, "officer@bank.example")

		p, err := e.svc.Authenticate(e.ctx, st.sess.Token)
		require.NoError(t, err)
		assert.Equal(t, st.assoc.ID, p.AssociateID)
		assert.Equal(t, st.office.ID, p.OfficeID)

		moved, err := e.assocs.Transfer(e.ctx, e.op, st.assoc.ID, st.assoc.Version, st.other.ID)
		require.NoError(t, err)
		require.Equal(t, st.other.ID, moved.OfficeID)
		p, err = e.svc.Authenticate(e.ctx, st.sess.Token)
		require.NoError(t, err)
		assert.Equal(t, st.other.ID, p.OfficeID, "the principal's office follows the transfer on the next request")

		// A user without an associate (the bootstrapped operator) has no office.
		s, err := e.svc.LoginPassword(e.ctx, users.PasswordLoginInput{TenantID: "t1", Email: operatorEmail, Password: operatorPassword})
		require.NoError(t, err)
		p, err = e.svc.Authenticate(e.ctx, s.Token)
		require.NoError(t, err)
		assert.Empty(t, p.AssociateID)
		assert.Empty(t, p.OfficeID)
	})
}

// Deactivating an associate stops its user's sessions at once (the very
// next Authenticate, in every goroutine, is refused as an expired session
// is) and its user cannot log in: the refusal is the uniform
// ErrInvalidCredentials of a wrong password.
func TestDeactivatedAssociateIsRefused(t *testing.T) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		e := newEnv(t, db)
		st := newStaff(t, e, "leaver@bank.example")
		_, err := e.svc.Authenticate(e.ctx, st.sess.Token)
		require.NoError(t, err)

		_, err = e.assocs.Deactivate(e.ctx, e.op, st.assoc.ID, st.assoc.Version)
		require.NoError(t, err)

		var wg sync.WaitGroup
		errs := make([]error, 8)
		for i := range errs {
			wg.Go(func() { _, errs[i] = e.svc.Authenticate(e.ctx, st.sess.Token) })
		}
		wg.Wait()
		for _, err := range errs {
			assert.ErrorIs(t, err, users.ErrInvalidSession)
			assert.ErrorIs(t, err, clientele.ErrUnauthenticated)
		}

		_, err = e.svc.LoginPassword(e.ctx, users.PasswordLoginInput{TenantID: "t1", Email: st.email, Password: st.pass})
		require.ErrorIs(t, err, users.ErrInvalidCredentials)
		_, wrong := e.svc.LoginPassword(e.ctx, users.PasswordLoginInput{TenantID: "t1", Email: st.email, Password: "not-the-password"})
		assert.Equal(t, wrong.Error(), err.Error(), "a deactivated associate's login fails as a wrong password does")

		// The user itself is unchanged: still active, its failure is the associate's.
		assert.Equal(t, users.Active, e.user(st.sess.User.ID).State)
	})
}

// An invitation that names an associate requires an active associate of the
// inviter's tenant; so does a bootstrap that names one.
func TestInviteNeedsActiveAssociateOfTenant(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *storage.DB) {
		e := newEnv(t, db)
		st := newStaff(t, e, "gone@bank.example")
		_, err := e.assocs.Deactivate(e.ctx, e.op, st.assoc.ID, st.assoc.Version)
		require.NoError(t, err)

		assertAssociateRefused := func(t *testing.T, err error) {
			t.Helper()
			require.ErrorIs(t, err, clientele.ErrInvalid)
			var verr *clientele.ValidationError
			require.ErrorAs(t, err, &verr)
			require.Len(t, verr.Problems, 1)
			assert.Equal(t, "associateId", verr.Problems[0].Field)
		}
		for _, tc := range []struct{ name, id string }{
			{"missing", uuid.Must(uuid.NewV7()).String()},
			{"other tenant", staffT2},
			{"inactive", st.assoc.ID},
			{"not an ID", "assoc-invented"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := e.svc.Invite(e.ctx, e.op, users.InviteInput{Type: users.OriginatorAgent, Name: "Agent", Phone: "+254711000001", AssociateID: tc.id}, "")
				assertAssociateRefused(t, err)
				_, err = e.svc.Invite(e.ctx, e.op, users.InviteInput{Type: users.OriginatorAdmin, Name: "Admin", Email: "a@bank.example", AssociateID: tc.id}, "")
				assertAssociateRefused(t, err)
			})
		}
		page, err := e.svc.List(e.ctx, e.op, users.ListRequest{Type: "all"})
		require.NoError(t, err)
		assert.Len(t, page.Users, 2, "nothing was created: the operator and the deactivated associate's admin only")

		// Bootstrap: an associate is optional, checked when named.
		_, err = e.svc.Bootstrap(e.ctx, "t2", users.NodeOperatorInput{Email: "op@t2.example", Name: "Op", AssociateID: staffT1, Password: operatorPassword})
		assertAssociateRefused(t, err)
		op2, err := e.svc.Bootstrap(e.ctx, "t2", users.NodeOperatorInput{Email: "op@t2.example", Name: "Op", AssociateID: staffT2, Password: operatorPassword})
		require.NoError(t, err)
		assert.Equal(t, staffT2, op2.AssociateID)
		s, err := e.svc.LoginPassword(e.ctx, users.PasswordLoginInput{TenantID: "t2", Email: "op@t2.example", Password: operatorPassword})
		require.NoError(t, err)
		p, err := e.svc.Authenticate(e.ctx, s.Token)
		require.NoError(t, err)
		assert.Equal(t, staffT2, p.AssociateID)
		assert.NotEmpty(t, p.OfficeID)
	})
}

// An invited user whose associate is deactivated before it registers cannot
// register: the failure is the flow's uniform one, and the user stays invited.
func TestDeactivatedAssociateCannotRegister(t *testing.T) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		e := newEnv(t, db)
		o, err := e.assocs.CreateOffice(e.ctx, e.op, associates.NewOffice{Name: "Kisumu"})
		require.NoError(t, err)
		c, err := e.assocs.CreateClassification(e.ctx, e.op, associates.NewClassification{Name: "Agent", Scope: associates.ScopeRestricted})
		require.NoError(t, err)
		a, err := e.assocs.CreateAssociate(e.ctx, e.op, associates.NewAssociate{OfficeID: o.ID, ClassificationID: c.ID, Name: "Agent"})
		require.NoError(t, err)
		admin := e.invite(e.op, users.InviteInput{Type: users.OriginatorAdmin, Name: "Late", Email: "late@bank.example", AssociateID: a.ID})
		agent := e.invite(e.op, users.InviteInput{Type: users.OriginatorAgent, Name: "Late", Phone: "+254722000001", AssociateID: a.ID})
		code := e.code("late@bank.example")
		_, err = e.assocs.Deactivate(e.ctx, e.op, a.ID, a.Version)
		require.NoError(t, err)

		_, err = e.svc.RegisterEmail(e.ctx, users.RegisterEmailInput{TenantID: "t1", Email: "late@bank.example", Code: code, Password: "late-password-1"})
		assert.ErrorIs(t, err, users.ErrInvalidCode)
		_, err = e.registerPhone("+254722000001", "482913")
		assert.ErrorIs(t, err, users.ErrInvalidTicket)
		assert.Equal(t, users.Invited, e.user(admin.ID).State)
		assert.Equal(t, users.Invited, e.user(agent.ID).State)
	})
}

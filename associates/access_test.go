package associates_test

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/adapters"
	"github.com/clientele-go/clientele/adapters/memory"
	"github.com/clientele-go/clientele/associates"
	"github.com/clientele-go/clientele/authz"
	"github.com/clientele-go/clientele/internal/dbtest"
	"github.com/clientele-go/clientele/internal/testkit"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/users"
)

// accessEnv is an associates service built WithUsers on the real authorizer,
// with a node operator (RA001) bootstrapped in tenant "bank", an office and a
// branch-scoped classification.
type accessEnv struct {
	ctx    context.Context
	db     *storage.DB
	svc    *associates.Service
	users  *users.Service
	msg    *memory.Messaging
	op     authz.Principal
	office associates.Office
	class  associates.Classification
}

func newAccessEnv(t *testing.T, db *storage.DB, dispatch bool) accessEnv {
	t.Helper()
	ctx := context.Background()
	require.NoError(t, db.Tenants().Create(ctx, testkit.Tenant("bank")))
	az, err := authz.New(db.Authz(), db.Authz())
	require.NoError(t, err)
	msg := memory.NewMessaging()
	us, err := users.New(db.Users(), az, az, db.Clients(), db.Associates(), msg, memory.NewIdentity(),
		users.WithHashing(users.InsecureTestHashing()))
	require.NoError(t, err)
	if dispatch {
		dbtest.StartDispatcher(t, db, us.Handlers())
	}
	svc, err := associates.New(db.Associates(), az, associates.WithUsers(us))
	require.NoError(t, err)
	op, err := us.Bootstrap(ctx, "bank", users.NodeOperatorInput{Email: "op@bank.example", Name: "Operator",
		Password: "operator-password-1", Roles: []string{authz.RoleSecurityAdmin}})
	require.NoError(t, err)
	e := accessEnv{ctx: ctx, db: db, svc: svc, users: us, msg: msg, op: op.Principal()}
	e.office, err = svc.CreateOffice(ctx, e.op, associates.NewOffice{Name: "Nairobi"})
	require.NoError(t, err)
	e.class, err = svc.CreateClassification(ctx, e.op, associates.NewClassification{Name: "Officer", Scope: associates.ScopeBranch})
	require.NoError(t, err)
	return e
}

func (e accessEnv) newAdmin(name, email string) associates.NewAssociate {
	return associates.NewAssociate{OfficeID: e.office.ID, ClassificationID: e.class.ID, Name: name, Email: email,
		Access: &associates.Access{Type: users.OriginatorAdmin, Roles: []string{authz.RetailRelationshipOfficer}}}
}

// register registers the invited user whose invitation went to email, once
// the dispatcher delivered it, and returns its session.
func (e accessEnv) register(t *testing.T, email, password string) users.Session {
	t.Helper()
	dbtest.Drain(t, e.db)
	m, ok := e.msg.Last(email)
	require.True(t, ok, "no invitation sent to %s", email)
	s, err := e.users.RegisterEmail(e.ctx, users.RegisterEmailInput{TenantID: "bank", Email: email,
		Code: m.Params[adapters.ParamCode], Password: password})
	require.NoError(t, err)
	return s
}

func (e accessEnv) associateCount(t *testing.T) int {
	t.Helper()
	page, err := e.svc.ListAssociates(e.ctx, e.op, "", associates.ListRequest{Limit: associates.MaxPageSize})
	require.NoError(t, err)
	return len(page.Items)
}

func (e accessEnv) userCount(t *testing.T) int {
	t.Helper()
	page, err := e.users.List(e.ctx, e.op, users.ListRequest{Type: "all", Limit: users.MaxPageSize})
	require.NoError(t, err)
	return len(page.Users)
}

// An associate created with back-office access has its invited user, named,
// emailed and linked as the associate; once registered, the user's principal
// carries the associate and its office; a change of the associate's name and
// email reaches the user in the same transaction.
func TestCreateAssociateWithAccess(t *testing.T) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		e := newAccessEnv(t, db, true)
		a, err := e.svc.CreateAssociate(e.ctx, e.op, e.newAdmin("Olive Officer", "olive@bank.example"))
		require.NoError(t, err)
		require.NotNil(t, a.User)
		assert.Equal(t, a.ID, a.User.AssociateID)
		assert.Equal(t, "Olive Officer", a.User.Name)
		assert.Equal(t, "olive@bank.example", a.User.Email)
		assert.Equal(t, users.Invited, a.User.State)
		assert.Equal(t, []string{authz.RetailRelationshipOfficer}, a.User.Roles)
		assert.Equal(t, e.op.UserID, a.User.InvitedBy, "invited as the acting principal")

		s := e.register(t, "olive@bank.example", "olive-password-1")
		p, err := e.users.Authenticate(e.ctx, s.Token)
		require.NoError(t, err)
		assert.Equal(t, a.ID, p.AssociateID)
		assert.Equal(t, e.office.ID, p.OfficeID)

		name, email := "Olive Okoth", "olive.okoth@bank.example"
		a, err = e.svc.UpdateAssociate(e.ctx, e.op, a.ID, associates.Change{Version: a.Version, Name: &name, Email: &email})
		require.NoError(t, err)
		u, err := e.users.Get(e.ctx, e.op, s.User.ID)
		require.NoError(t, err)
		assert.Equal(t, name, u.Name)
		assert.Equal(t, email, u.Email)
		_, err = e.users.LoginPassword(e.ctx, users.PasswordLoginInput{TenantID: "bank", Email: email, Password: "olive-password-1"})
		assert.NoError(t, err, "the user signs in with the associate's new email")

		// An email another user holds: neither the associate nor its user changes.
		taken := "op@bank.example"
		_, err = e.svc.UpdateAssociate(e.ctx, e.op, a.ID, associates.Change{Version: a.Version, Name: &taken, Email: &taken})
		require.ErrorIs(t, err, clientele.ErrConflict)
		got, err := e.svc.GetAssociate(e.ctx, e.op, a.ID)
		require.NoError(t, err)
		assert.Equal(t, name, got.Name)
		assert.Equal(t, a.Version, got.Version)
		u, err = e.users.Get(e.ctx, e.op, s.User.ID)
		require.NoError(t, err)
		assert.Equal(t, name, u.Name)
	})
}

// The associate and its user commit together or not at all: a failure of the
// user part leaves no associate, and an app transaction rolled back after a
// successful create leaves neither.
func TestCreateAssociateWithAccessIsAtomic(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *storage.DB) {
		e := newAccessEnv(t, db, false)
		users0 := e.userCount(t)

		in := e.newAdmin("Bad Roles", "bad@bank.example")
		in.Access.Roles = []string{"RX999"}
		_, err := e.svc.CreateAssociate(e.ctx, e.op, in)
		var verr *clientele.ValidationError
		require.ErrorAs(t, err, &verr)
		require.Len(t, verr.Problems, 1)
		assert.Equal(t, "access.roles[0]", verr.Problems[0].Field)

		_, err = e.svc.CreateAssociate(e.ctx, e.op, e.newAdmin("Taken", "op@bank.example"))
		require.ErrorIs(t, err, clientele.ErrConflict, "the operator's email is taken")

		noEmail := e.newAdmin("No Email", "")
		_, err = e.svc.CreateAssociate(e.ctx, e.op, noEmail)
		require.ErrorAs(t, err, &verr)
		assert.Equal(t, "email", verr.Problems[0].Field)

		bad := e.newAdmin("Bad Type", "t@bank.example")
		bad.Access.Type = users.Borrower
		_, err = e.svc.CreateAssociate(e.ctx, e.op, bad)
		require.ErrorAs(t, err, &verr)
		assert.Equal(t, "access.type", verr.Problems[0].Field)

		appFailed := errors.New("the app's own write failed")
		err = db.InTx(e.ctx, func(ctx context.Context, _ *sql.Tx) error {
			a, err := e.svc.CreateAssociate(ctx, e.op, e.newAdmin("Rolled Back", "rb@bank.example"))
			require.NoError(t, err)
			require.NotNil(t, a.User)
			return appFailed
		})
		require.ErrorIs(t, err, appFailed)

		assert.Zero(t, e.associateCount(t), "no associate was left behind")
		assert.Equal(t, users0, e.userCount(t), "no user was left behind")
		assert.Zero(t, dbtest.Pending(t, db), "no invitation is queued")

		// Without Users, Access is refused.
		plain, err := associates.New(db.Associates(), testkit.AllowAll{})
		require.NoError(t, err)
		_, err = plain.CreateAssociate(e.ctx, e.op, e.newAdmin("Plain", "plain@bank.example"))
		require.ErrorAs(t, err, &verr)
		assert.Equal(t, "access", verr.Problems[0].Field)
	})
}

// Deactivating an associate blocks its user (state blocked, sessions
// revoked) in the same transaction. Requests with the user's token run in
// parallel with Deactivate: none that starts after Deactivate returned
// succeeds.
func TestDeactivateBlocksUser(t *testing.T) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		e := newAccessEnv(t, db, true)
		a, err := e.svc.CreateAssociate(e.ctx, e.op, e.newAdmin("Leaver", "leaver@bank.example"))
		require.NoError(t, err)
		s := e.register(t, "leaver@bank.example", "leaver-password-1")
		invited, err := e.svc.CreateAssociate(e.ctx, e.op, e.newAdmin("Never Came", "never@bank.example"))
		require.NoError(t, err)

		var returned atomic.Bool
		var lateOK atomic.Int32
		var wg sync.WaitGroup
		stop := make(chan struct{})
		for range 3 {
			wg.Go(func() {
				for {
					select {
					case <-stop:
						return
					default:
					}
					after := returned.Load()
					_, err := e.users.Authenticate(e.ctx, s.Token)
					if after && err == nil {
						lateOK.Add(1)
					}
				}
			})
		}
		time.Sleep(5 * time.Millisecond)
		_, err = e.svc.Deactivate(e.ctx, e.op, a.ID, a.Version)
		returned.Store(true)
		require.NoError(t, err)
		time.Sleep(20 * time.Millisecond)
		close(stop)
		wg.Wait()
		assert.Zero(t, lateOK.Load(), "no request that started after Deactivate returned succeeded")

		u, err := e.users.Get(e.ctx, e.op, s.User.ID)
		require.NoError(t, err)
		assert.Equal(t, users.Blocked, u.State, "the user is blocked, visibly")
		_, err = e.users.Authenticate(e.ctx, s.Token)
		assert.ErrorIs(t, err, users.ErrInvalidSession)
		_, err = e.users.LoginPassword(e.ctx, users.PasswordLoginInput{TenantID: "bank", Email: "leaver@bank.example", Password: "leaver-password-1"})
		assert.ErrorIs(t, err, clientele.ErrForbidden, "a blocked user's login")

		// An invited user's invitation is revoked: it stays invited and cannot register.
		dbtest.Drain(t, db)
		m, ok := e.msg.Last("never@bank.example")
		require.True(t, ok)
		_, err = e.svc.Deactivate(e.ctx, e.op, invited.ID, invited.Version)
		require.NoError(t, err)
		_, err = e.users.RegisterEmail(e.ctx, users.RegisterEmailInput{TenantID: "bank", Email: "never@bank.example",
			Code: m.Params[adapters.ParamCode], Password: "never-password-1"})
		assert.ErrorIs(t, err, users.ErrInvalidCode)
		u, err = e.users.Get(e.ctx, e.op, invited.User.ID)
		require.NoError(t, err)
		assert.Equal(t, users.Invited, u.State)
	})
}

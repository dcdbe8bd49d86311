package users_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/adapters"
	"github.com/clientele-go/clientele/authz"
	"github.com/clientele-go/clientele/internal/dbtest"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/users"
)

// blockCycle checks seed 003's "Suspending users" on a registered user: block →
// its session and logins are refused → unblock → login works again.
func blockCycle(t *testing.T, e *env, sess users.Session, login func() (users.Session, error)) {
	t.Helper()
	_, err := e.svc.Authenticate(e.ctx, sess.Token)
	require.NoError(t, err)

	blocked, err := e.svc.Block(e.ctx, e.op, sess.User.ID)
	require.NoError(t, err)
	assert.Equal(t, users.Blocked, blocked.State)
	_, err = e.svc.Authenticate(e.ctx, sess.Token)
	assert.ErrorIs(t, err, clientele.ErrUnauthenticated, "a blocked user's session stops at once")
	_, err = login()
	assert.ErrorIs(t, err, users.ErrBlocked)
	assert.ErrorIs(t, err, clientele.ErrForbidden)

	unblocked, err := e.svc.Unblock(e.ctx, e.op, sess.User.ID)
	require.NoError(t, err)
	assert.Equal(t, users.Active, unblocked.State)
	_, err = e.svc.Authenticate(e.ctx, sess.Token)
	assert.ErrorIs(t, err, clientele.ErrUnauthenticated, "sessions revoked by the block stay revoked")
	again, err := login()
	require.NoError(t, err)
	p, err := e.svc.Authenticate(e.ctx, again.Token)
	require.NoError(t, err)
	assert.Equal(t, sess.User.ID, p.UserID)
}

func TestEmailRegistrationFlow(t *testing.T) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		e := newEnv(t, db)

		// The bootstrapped operator logs in with its password.
		opSess, err := e.svc.LoginPassword(e.ctx, users.PasswordLoginInput{TenantID: "t1", Email: operatorEmail, Password: operatorPassword})
		require.NoError(t, err)
		p, err := e.svc.Authenticate(e.ctx, opSess.Token)
		require.NoError(t, err)
		assert.Equal(t, e.op, p)
		assert.Equal(t, authz.Backoffice, p.Kind)

		// Invite an originator admin: an email with the portal link and a code.
		u, err := e.svc.Invite(e.ctx, p, adminInput("Ada@Bank.example"), "")
		require.NoError(t, err)
		assert.Equal(t, users.Invited, u.State)
		assert.Equal(t, "ada@bank.example", u.Email)
		assert.Equal(t, e.op.UserID, u.InvitedBy)
		e.drain()
		m, ok := e.msg.Last("ada@bank.example")
		require.True(t, ok)
		assert.Equal(t, adapters.Email, m.Channel)
		assert.Equal(t, portalURL, m.Params[adapters.ParamLink])
		assert.Regexp(t, `^[0-9]{6}$`, m.Params[adapters.ParamCode])
		assert.Equal(t, "24h", m.Params[adapters.ParamExpiresIn])
		assert.NotEmpty(t, m.IdempotencyKey)

		sess, err := e.svc.RegisterEmail(e.ctx, users.RegisterEmailInput{TenantID: "t1", Email: "ada@bank.example", Code: m.Params[adapters.ParamCode], Password: "a long enough password"})
		require.NoError(t, err)
		assert.Equal(t, users.Active, sess.User.State)
		assert.Len(t, sess.Token, 43)
		assert.Equal(t, e.clock.Now().Add(12*time.Hour), sess.ExpiresAt)
		ap, err := e.svc.Authenticate(e.ctx, sess.Token)
		require.NoError(t, err)
		assert.Equal(t, u.ID, ap.UserID)
		assert.Equal(t, staffT1, ap.AssociateID)

		login := func() (users.Session, error) {
			return e.svc.LoginPassword(e.ctx, users.PasswordLoginInput{TenantID: "t1", Email: "ADA@bank.example", Password: "a long enough password"})
		}
		_, err = login()
		require.NoError(t, err)
		blockCycle(t, e, sess, login)

		// Every change is audited.
		entries, err := db.AuditLog(e.ctx, "t1", "user", u.ID, 20)
		require.NoError(t, err)
		var ops []string
		for _, en := range entries {
			ops = append(ops, en.Operation)
		}
		assert.Equal(t, []string{"US001", users.AuditRegister, users.AuditLogin, "US003", "US004", users.AuditLogin}, ops)
	})
}

func TestSocialRegistrationFlow(t *testing.T) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		e := newEnv(t, db)
		admin := e.admin("ada@bank.example").User.Principal()

		// An originator admin invites an investor; the investor signs up with Google.
		u := e.invite(admin, investorInput("ivy@mail.example"))
		assert.Equal(t, authz.Customer, u.Kind())
		code := e.code("ivy@mail.example")
		sess, err := e.svc.RegisterSocial(e.ctx, users.SocialInput{TenantID: "t1", Provider: "google", Credential: "g-123|Ivy@Mail.example|verified"})
		require.NoError(t, err)
		assert.Equal(t, users.Active, sess.User.State)
		assert.Equal(t, "google", sess.User.SocialProvider)
		p, err := e.svc.Authenticate(e.ctx, sess.Token)
		require.NoError(t, err)
		assert.Equal(t, authz.Customer, p.Kind)
		assert.Equal(t, "client-ivy@mail.example", p.ClientID)
		assert.Equal(t, []string{authz.RolePortalViewer}, p.Roles)

		// The invitation code is spent: it cannot register the account again.
		_, err = e.svc.RegisterEmail(e.ctx, users.RegisterEmailInput{TenantID: "t1", Email: "ivy@mail.example", Code: code, Password: "another long password"})
		assert.ErrorIs(t, err, users.ErrInvalidCode)

		login := func() (users.Session, error) {
			return e.svc.LoginSocial(e.ctx, users.SocialInput{TenantID: "t1", Provider: "google", Credential: "g-123|ivy@mail.example|verified"})
		}
		_, err = login()
		require.NoError(t, err)
		// Another Google subject, or another provider, is not this account.
		_, err = e.svc.LoginSocial(e.ctx, users.SocialInput{TenantID: "t1", Provider: "google", Credential: "g-999|ivy@mail.example|verified"})
		assert.ErrorIs(t, err, users.ErrInvalidCredentials)
		_, err = e.svc.LoginSocial(e.ctx, users.SocialInput{TenantID: "t1", Provider: "facebook", Credential: "g-123|ivy@mail.example|verified"})
		assert.ErrorIs(t, err, users.ErrInvalidCredentials)
		blockCycle(t, e, sess, login)
	})
}

func TestPhoneRegistrationFlow(t *testing.T) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		e := newEnv(t, db)
		admin := e.admin("ada@bank.example").User.Principal()

		for _, tc := range []struct {
			name string
			in   users.InviteInput
			kind authz.PermissionType
		}{
			{"agent", agentInput("+254700000001"), authz.Backoffice},
			{"borrower", borrowerInput("+254700000002"), authz.Customer},
		} {
			t.Run(tc.name, func(t *testing.T) {
				u := e.invite(admin, tc.in)
				e.drain()
				m, ok := e.msg.Last(tc.in.Phone)
				require.True(t, ok)
				assert.Equal(t, adapters.SMS, m.Channel)
				assert.Equal(t, "10m", m.Params[adapters.ParamExpiresIn])
				assert.Empty(t, m.Params[adapters.ParamLink])

				tk, err := e.svc.VerifyPhone(e.ctx, users.VerifyPhoneInput{TenantID: "t1", Phone: tc.in.Phone, Code: m.Params[adapters.ParamCode]})
				require.NoError(t, err)
				assert.Equal(t, e.clock.Now().Add(10*time.Minute), tk.ExpiresAt)
				assert.Equal(t, users.Invited, e.user(u.ID).State, "verified but no PIN yet")

				// A PIN entered differently the second time changes nothing.
				_, err = e.svc.SetPIN(e.ctx, users.SetPINInput{TenantID: "t1", Ticket: tk.Ticket, PIN: "4821", ConfirmPIN: "4812"})
				var verr *clientele.ValidationError
				require.ErrorAs(t, err, &verr)
				assert.Equal(t, "confirmPin", verr.Problems[0].Field)

				sess, err := e.svc.SetPIN(e.ctx, users.SetPINInput{TenantID: "t1", Ticket: tk.Ticket, PIN: "4821", ConfirmPIN: "4821"})
				require.NoError(t, err)
				assert.Equal(t, users.Active, sess.User.State)
				p, err := e.svc.Authenticate(e.ctx, sess.Token)
				require.NoError(t, err)
				assert.Equal(t, tc.kind, p.Kind)
				assert.Empty(t, sess.User.DID, "a DID is created after commit, by the dispatcher")
				e.drain()
				if did := e.user(sess.User.ID).DID; tc.in.Type == users.Borrower {
					assert.True(t, strings.HasPrefix(did, "did:key:z"), did)
				} else {
					assert.Empty(t, did, "only borrowers get a DID")
				}

				// The ticket is spent.
				_, err = e.svc.SetPIN(e.ctx, users.SetPINInput{TenantID: "t1", Ticket: tk.Ticket, PIN: "9173", ConfirmPIN: "9173"})
				assert.ErrorIs(t, err, users.ErrInvalidTicket)

				login := func() (users.Session, error) {
					return e.svc.LoginPIN(e.ctx, users.PINLoginInput{TenantID: "t1", Phone: tc.in.Phone, PIN: "4821"})
				}
				_, err = login()
				require.NoError(t, err)
				blockCycle(t, e, sess, login)
			})
		}
	})
}

// TestConcurrentRegistration: one code, many simultaneous sign-ups, one winner.
func TestConcurrentRegistration(t *testing.T) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		e := newEnv(t, db)
		u := e.invite(e.op, adminInput("ada@bank.example"))
		code := e.code("ada@bank.example")
		var wg sync.WaitGroup
		var mu sync.Mutex
		var won []string
		for i := range 6 {
			wg.Go(func() {
				pw := fmt.Sprintf("password number %d", i)
				_, err := e.svc.RegisterEmail(e.ctx, users.RegisterEmailInput{TenantID: "t1", Email: "ada@bank.example", Code: code, Password: pw})
				if err == nil {
					mu.Lock()
					won = append(won, pw)
					mu.Unlock()
					return
				}
				assert.ErrorIs(t, err, clientele.ErrUnauthenticated)
			})
		}
		wg.Wait()
		require.Len(t, won, 1)
		assert.Equal(t, users.Active, e.user(u.ID).State)
		_, err := e.svc.LoginPassword(e.ctx, users.PasswordLoginInput{TenantID: "t1", Email: "ada@bank.example", Password: won[0]})
		require.NoError(t, err)
	})
}

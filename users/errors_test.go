package users_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/internal/dbtest"
	"github.com/clientele-go/clientele/internal/testkit"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/users"
)

// unchanged asserts that a failed call left the user and its audit trail as
// they were.
func unchanged(t *testing.T, e *env, before users.User) {
	t.Helper()
	after := e.user(before.ID)
	assert.Equal(t, before, after, "the user must not change")
}

func auditCount(t *testing.T, e *env, userID string) int {
	t.Helper()
	entries, err := e.db.AuditLog(e.ctx, "t1", "user", userID, 100)
	require.NoError(t, err)
	return len(entries)
}

// noSecret asserts that err's text carries none of the secrets.
func noSecret(t *testing.T, err error, secrets ...string) {
	t.Helper()
	require.Error(t, err)
	for _, s := range secrets {
		assert.NotContains(t, err.Error(), s)
	}
}

func TestWrongChannel(t *testing.T) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		e := newEnv(t, db)
		// An investor with a phone too: its code came by email, and it may not
		// register by phone. A borrower with an email too may not register by email
		// nor by social account.
		inv := investorInput("ivy@mail.example")
		inv.Phone = "+254711111111"
		investor := e.invite(e.op, inv)
		bor := borrowerInput("+254722222222")
		bor.Email = "bea@mail.example"
		borrower := e.invite(e.op, bor)
		before := auditCount(t, e, investor.ID) + auditCount(t, e, borrower.ID)

		_, err := e.svc.VerifyPhone(e.ctx, users.VerifyPhoneInput{TenantID: "t1", Phone: inv.Phone, Code: e.code("ivy@mail.example")})
		assert.ErrorIs(t, err, users.ErrWrongChannel)
		assert.ErrorIs(t, err, clientele.ErrForbidden)
		assert.Contains(t, err.Error(), "investor registers by [email social]")
		unchanged(t, e, investor)

		_, err = e.svc.RegisterEmail(e.ctx, users.RegisterEmailInput{TenantID: "t1", Email: bor.Email, Code: e.code(bor.Phone), Password: "a long enough password"})
		assert.ErrorIs(t, err, users.ErrWrongChannel)
		unchanged(t, e, borrower)

		_, err = e.svc.RegisterSocial(e.ctx, users.SocialInput{TenantID: "t1", Provider: "google", Credential: "g-1|bea@mail.example|verified"})
		assert.ErrorIs(t, err, users.ErrWrongChannel)
		unchanged(t, e, borrower)
		assert.Equal(t, before, auditCount(t, e, investor.ID)+auditCount(t, e, borrower.ID))

		// The codes were not spent: the right channels still work.
		_, err = e.svc.RegisterEmail(e.ctx, users.RegisterEmailInput{TenantID: "t1", Email: "ivy@mail.example", Code: e.code("ivy@mail.example"), Password: "a long enough password"})
		require.NoError(t, err)
		_, err = e.registerPhone(bor.Phone, "2468")
		require.NoError(t, err)

		// A PIN user cannot log in with a password and vice versa: the secret
		// simply does not match (there is none).
		_, err = e.svc.LoginPassword(e.ctx, users.PasswordLoginInput{TenantID: "t1", Email: bor.Email, Password: "2468"})
		assert.ErrorIs(t, err, users.ErrInvalidCredentials)
		_, err = e.svc.LoginPIN(e.ctx, users.PINLoginInput{TenantID: "t1", Phone: inv.Phone, PIN: "97531"})
		assert.ErrorIs(t, err, users.ErrInvalidCredentials)
	})
}

func TestExpiredCode(t *testing.T) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		e := newEnv(t, db)
		admin := e.invite(e.op, adminInput("ada@bank.example"))
		agent := e.invite(e.op, agentInput("+254733333333"))
		adminCode, agentCode := e.code("ada@bank.example"), e.code("+254733333333")

		// SMS codes last 10 minutes. An expired code, even the right one, gets
		// the answer a wrong code or an unknown phone gets.
		e.clock.Advance(10 * time.Minute)
		_, err := e.svc.VerifyPhone(e.ctx, users.VerifyPhoneInput{TenantID: "t1", Phone: "+254733333333", Code: agentCode})
		assert.ErrorIs(t, err, users.ErrInvalidCode)
		assert.ErrorIs(t, err, clientele.ErrUnauthenticated)
		_, unknown := e.svc.VerifyPhone(e.ctx, users.VerifyPhoneInput{TenantID: "t1", Phone: "+254799999999", Code: agentCode})
		assert.Equal(t, unknown.Error(), err.Error())
		unchanged(t, e, agent)

		// Email codes last 24 hours.
		_, err = e.svc.RegisterEmail(e.ctx, users.RegisterEmailInput{TenantID: "t1", Email: "ada@bank.example", Code: adminCode, Password: "a long enough password"})
		require.NoError(t, err, "still valid after 10 minutes")
		_ = admin

		inv := e.invite(e.op, investorInput("ivy@mail.example"))
		invCode := e.code("ivy@mail.example")
		e.clock.Advance(24 * time.Hour)
		_, err = e.svc.RegisterEmail(e.ctx, users.RegisterEmailInput{TenantID: "t1", Email: "ivy@mail.example", Code: invCode, Password: "a long enough password"})
		assert.ErrorIs(t, err, users.ErrInvalidCode)
		_, wrong := e.svc.RegisterEmail(e.ctx, users.RegisterEmailInput{TenantID: "t1", Email: "ivy@mail.example", Code: wrongCode(invCode), Password: "a long enough password"})
		assert.Equal(t, wrong.Error(), err.Error(), "the right expired code and a wrong one look alike")
		unchanged(t, e, inv)
		// An expired invitation does not register a social account either; the
		// verified account holder is told why.
		_, err = e.svc.RegisterSocial(e.ctx, users.SocialInput{TenantID: "t1", Provider: "google", Credential: "g-1|ivy@mail.example|verified"})
		assert.ErrorIs(t, err, users.ErrCodeExpired)
		unchanged(t, e, inv)

		// Reinvite sends a fresh code that works.
		_, err = e.svc.Reinvite(e.ctx, e.op, inv.ID)
		require.NoError(t, err)
		assert.NotEqual(t, invCode, e.code("ivy@mail.example"))
		_, err = e.svc.RegisterEmail(e.ctx, users.RegisterEmailInput{TenantID: "t1", Email: "ivy@mail.example", Code: e.code("ivy@mail.example"), Password: "a long enough password"})
		require.NoError(t, err)
	})
}

func TestReusedCodeAndTicket(t *testing.T) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		e := newEnv(t, db)
		e.invite(e.op, adminInput("ada@bank.example"))
		code := e.code("ada@bank.example")
		in := users.RegisterEmailInput{TenantID: "t1", Email: "ada@bank.example", Code: code, Password: "a long enough password"}
		s, err := e.svc.RegisterEmail(e.ctx, in)
		require.NoError(t, err)
		in.Password = "an attacker's password"
		_, err = e.svc.RegisterEmail(e.ctx, in)
		assert.ErrorIs(t, err, users.ErrInvalidCode)
		unchanged(t, e, s.User)
		// The original password still logs in; the attacker's does not.
		_, err = e.svc.LoginPassword(e.ctx, users.PasswordLoginInput{TenantID: "t1", Email: "ada@bank.example", Password: "a long enough password"})
		require.NoError(t, err)

		// A phone code verifies once.
		agent := e.invite(e.op, agentInput("+254744444444"))
		pc := e.code("+254744444444")
		tk, err := e.svc.VerifyPhone(e.ctx, users.VerifyPhoneInput{TenantID: "t1", Phone: "+254744444444", Code: pc})
		require.NoError(t, err)
		_, err = e.svc.VerifyPhone(e.ctx, users.VerifyPhoneInput{TenantID: "t1", Phone: "+254744444444", Code: pc})
		assert.ErrorIs(t, err, users.ErrInvalidCode)
		// An expired ticket is refused.
		e.clock.Advance(10 * time.Minute)
		_, err = e.svc.SetPIN(e.ctx, users.SetPINInput{TenantID: "t1", Ticket: tk.Ticket, PIN: "4821", ConfirmPIN: "4821"})
		assert.ErrorIs(t, err, users.ErrInvalidTicket)
		assert.Equal(t, users.Invited, e.user(agent.ID).State)
		// A ticket of another tenant is unknown there.
		_, err = e.svc.SetPIN(e.ctx, users.SetPINInput{TenantID: "t2", Ticket: tk.Ticket, PIN: "4821", ConfirmPIN: "4821"})
		assert.ErrorIs(t, err, users.ErrInvalidTicket)
	})
}

func TestSixthWrongCode(t *testing.T) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		e := newEnv(t, db)
		u := e.invite(e.op, borrowerInput("+254755555555"))
		code := e.code("+254755555555")
		wrong := "123456"
		if wrong == code {
			wrong = "654321"
		}
		for i := range users.MaxCodeAttempts {
			_, err := e.svc.VerifyPhone(e.ctx, users.VerifyPhoneInput{TenantID: "t1", Phone: "+254755555555", Code: wrong})
			require.ErrorIs(t, err, users.ErrInvalidCode, "attempt %d", i+1)
		}
		// The 6th try fails even with the right code, and changes nothing.
		_, err := e.svc.VerifyPhone(e.ctx, users.VerifyPhoneInput{TenantID: "t1", Phone: "+254755555555", Code: code})
		assert.ErrorIs(t, err, users.ErrInvalidCode)
		noSecret(t, err, code)
		unchanged(t, e, u)

		// An unknown phone gets the very same error.
		_, err2 := e.svc.VerifyPhone(e.ctx, users.VerifyPhoneInput{TenantID: "t1", Phone: "+254799999999", Code: code})
		assert.Equal(t, err.Error(), err2.Error())

		// A fresh invitation starts over.
		_, err = e.svc.Reinvite(e.ctx, e.op, u.ID)
		require.NoError(t, err)
		_, err = e.registerPhone("+254755555555", "2580")
		require.NoError(t, err)
	})
}

func TestWrongPINAndLockout(t *testing.T) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		e := newEnv(t, db)
		e.invite(e.op, agentInput("+254766666666"))
		s, err := e.registerPhone("+254766666666", "1357")
		require.NoError(t, err)
		good := users.PINLoginInput{TenantID: "t1", Phone: "+254766666666", PIN: "1357"}
		bad := users.PINLoginInput{TenantID: "t1", Phone: "+254766666666", PIN: "7531"}

		_, err = e.svc.LoginPIN(e.ctx, bad)
		assert.ErrorIs(t, err, users.ErrInvalidCredentials)
		assert.ErrorIs(t, err, clientele.ErrUnauthenticated)
		noSecret(t, err, "7531", "1357")
		// A success resets the count.
		_, err = e.svc.LoginPIN(e.ctx, good)
		require.NoError(t, err)

		for range 5 {
			_, err = e.svc.LoginPIN(e.ctx, bad)
			require.ErrorIs(t, err, users.ErrInvalidCredentials)
		}
		// Locked: even the right PIN is refused, with the same error.
		_, err = e.svc.LoginPIN(e.ctx, good)
		assert.ErrorIs(t, err, users.ErrInvalidCredentials)
		entries, err := db.AuditLog(e.ctx, "t1", "user", s.User.ID, 100)
		require.NoError(t, err)
		assert.Equal(t, users.AuditLocked, entries[len(entries)-1].Operation)

		e.clock.Advance(14 * time.Minute)
		_, err = e.svc.LoginPIN(e.ctx, good)
		assert.ErrorIs(t, err, users.ErrInvalidCredentials)
		e.clock.Advance(time.Minute)
		_, err = e.svc.LoginPIN(e.ctx, good)
		require.NoError(t, err, "the lock lifts after 15 minutes")
	})
}

func TestUnknownUserAndWrongPasswordLookAlike(t *testing.T) {
	e := newEnv(t, dbtest.SQLiteFile(t))
	_, errUnknown := e.svc.LoginPassword(e.ctx, users.PasswordLoginInput{TenantID: "t1", Email: "nobody@bank.example", Password: "whatever password"})
	_, errWrong := e.svc.LoginPassword(e.ctx, users.PasswordLoginInput{TenantID: "t1", Email: operatorEmail, Password: "whatever password"})
	_, errTenant := e.svc.LoginPassword(e.ctx, users.PasswordLoginInput{TenantID: "t2", Email: operatorEmail, Password: operatorPassword})
	require.Error(t, errUnknown)
	assert.Equal(t, errUnknown.Error(), errWrong.Error())
	assert.Equal(t, errUnknown.Error(), errTenant.Error())
	assert.ErrorIs(t, errUnknown, clientele.ErrUnauthenticated)
	noSecret(t, errWrong, "whatever password", operatorPassword)

	// An invited user has no password yet: the same error.
	e.invite(e.op, adminInput("ada@bank.example"))
	_, errInvited := e.svc.LoginPassword(e.ctx, users.PasswordLoginInput{TenantID: "t1", Email: "ada@bank.example", Password: "whatever password"})
	assert.Equal(t, errUnknown.Error(), errInvited.Error())

	// Registration: unknown email and wrong code look alike too.
	_, e1 := e.svc.RegisterEmail(e.ctx, users.RegisterEmailInput{TenantID: "t1", Email: "nobody@bank.example", Code: "123456", Password: "a long enough password"})
	_, e2 := e.svc.RegisterEmail(e.ctx, users.RegisterEmailInput{TenantID: "t1", Email: "ada@bank.example", Code: wrongCode(e.code("ada@bank.example")), Password: "a long enough password"})
	assert.Equal(t, e1.Error(), e2.Error())
}

func wrongCode(code string) string {
	if code == "000000" {
		return "000001"
	}
	return "000000"
}

func TestCrossTenant(t *testing.T) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		e := newEnv(t, db)
		op2, err := e.svc.Bootstrap(e.ctx, "t2", users.NodeOperatorInput{Email: operatorEmail, Name: "Other Operator", Password: "other-password-2"})
		require.NoError(t, err, "the same email is free in another tenant")
		s1, err := e.svc.LoginPassword(e.ctx, users.PasswordLoginInput{TenantID: "t1", Email: operatorEmail, Password: operatorPassword})
		require.NoError(t, err)

		// A t1 token at a t2 endpoint is no session at all.
		_, err = e.svc.AuthenticateTenant(e.ctx, "t2", s1.Token)
		assert.ErrorIs(t, err, clientele.ErrUnauthenticated)
		p, err := e.svc.AuthenticateTenant(e.ctx, "t1", s1.Token)
		require.NoError(t, err)
		assert.Equal(t, "t1", p.TenantID)

		// A t1 principal cannot see, block or reinvite a t2 user.
		_, err = e.svc.Get(e.ctx, p, op2.ID)
		assert.ErrorIs(t, err, clientele.ErrNotFound)
		_, err = e.svc.Block(e.ctx, p, op2.ID)
		assert.ErrorIs(t, err, clientele.ErrNotFound)
		_, err = e.svc.Reinvite(e.ctx, p, op2.ID)
		assert.ErrorIs(t, err, clientele.ErrNotFound)
		page, err := e.svc.List(e.ctx, p, users.ListRequest{Type: "all"})
		require.NoError(t, err)
		for _, u := range page.Users {
			assert.Equal(t, "t1", u.TenantID)
		}
		still, err := e.svc.Get(e.ctx, op2.Principal(), op2.ID)
		require.NoError(t, err)
		assert.Equal(t, users.Active, still.State)

		// And the other way round.
		_, err = e.svc.Block(e.ctx, op2.Principal(), p.UserID)
		assert.ErrorIs(t, err, clientele.ErrNotFound)
	})
}

func TestSessions(t *testing.T) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		e := newEnv(t, db)
		in := users.PasswordLoginInput{TenantID: "t1", Email: operatorEmail, Password: operatorPassword}
		s, err := e.svc.LoginPassword(e.ctx, in)
		require.NoError(t, err)
		other, err := e.svc.LoginPassword(e.ctx, in)
		require.NoError(t, err)
		assert.NotEqual(t, s.Token, other.Token)

		// Logout revokes that session only; twice is fine; garbage is not a session.
		require.NoError(t, e.svc.Logout(e.ctx, s.Token))
		require.NoError(t, e.svc.Logout(e.ctx, s.Token))
		_, err = e.svc.Authenticate(e.ctx, s.Token)
		assert.ErrorIs(t, err, users.ErrInvalidSession)
		_, err = e.svc.Authenticate(e.ctx, other.Token)
		require.NoError(t, err)
		assert.ErrorIs(t, e.svc.Logout(e.ctx, "not-a-token"), clientele.ErrUnauthenticated)
		_, err = e.svc.Authenticate(e.ctx, strings.Repeat("A", 43))
		assert.ErrorIs(t, err, users.ErrInvalidSession)
		_, err = e.svc.Authenticate(e.ctx, "")
		assert.ErrorIs(t, err, users.ErrInvalidSession)

		// Sessions expire after 12 hours.
		e.clock.Advance(12*time.Hour - time.Second)
		_, err = e.svc.Authenticate(e.ctx, other.Token)
		require.NoError(t, err)
		e.clock.Advance(time.Second)
		_, err = e.svc.Authenticate(e.ctx, other.Token)
		assert.ErrorIs(t, err, users.ErrInvalidSession)
	})
}

func TestSessionTTLOption(t *testing.T) {
	e := newEnv(t, dbtest.SQLiteFile(t), users.WithSessionTTL(time.Hour))
	s, err := e.svc.LoginPassword(e.ctx, users.PasswordLoginInput{TenantID: "t1", Email: operatorEmail, Password: operatorPassword})
	require.NoError(t, err)
	assert.Equal(t, e.clock.Now().Add(time.Hour), s.ExpiresAt)
}

func TestSocialChecks(t *testing.T) {
	e := newEnv(t, dbtest.SQLiteFile(t))
	e.invite(e.op, investorInput("ivy@mail.example"))
	for name, cred := range map[string]string{
		"unverified email": "g-1|ivy@mail.example|unverified",
		"bad credential":   "garbage",
	} {
		_, err := e.svc.RegisterSocial(e.ctx, users.SocialInput{TenantID: "t1", Provider: "google", Credential: cred})
		assert.ErrorIs(t, err, clientele.ErrUnauthenticated, name)
		assert.NotContains(t, err.Error(), cred, "the credential never appears in an error")
	}
	_, err := e.svc.RegisterSocial(e.ctx, users.SocialInput{TenantID: "t1", Provider: "google", Credential: "g-1|stranger@mail.example|verified"})
	assert.ErrorIs(t, err, users.ErrNoInvitation)

	// Without a verifier, social sign-up is switched off.
	svc, err := users.New(e.db.Users(), testkit.AllowAll{}, e.cats, knownClients{}, e.db.Associates(), e.msg, e.ident, users.WithHashing(users.InsecureTestHashing()))
	require.NoError(t, err)
	_, err = svc.RegisterSocial(e.ctx, users.SocialInput{TenantID: "t1", Provider: "google", Credential: "g-1|ivy@mail.example|verified"})
	assert.ErrorIs(t, err, users.ErrSocialUnavailable)
	assert.True(t, errors.Is(err, clientele.ErrPrecondition))
}

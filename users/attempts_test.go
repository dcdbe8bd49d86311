package users_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/internal/dbtest"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/users"
)

// eachConcurrent runs fn on stores where concurrent transactions really run
// side by side: a WAL SQLite file (an in-memory SQLite store has a single
// connection) and PostgreSQL.
func eachConcurrent(t *testing.T, fn func(t *testing.T, db *storage.DB)) {
	t.Helper()
	t.Run("sqlite-file", func(t *testing.T) { fn(t, sqliteFile(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, dbtest.Postgres(t)) })
}

// burstSize is how many guesses a burst fires at once.
const burstSize = 60

// burstResult is what a burst of guesses did.
type burstResult struct {
	pos     int     // position of the right guess in the burst
	errs    []error // the answer to each guess
	checked int64   // hash checks against the real hash
	dummies int64   // dummy hash checks (refused or unknown)
	// rightChecked: the right guess got as far as its hash check, i.e. it was
	// among the reserved attempts.
	rightChecked bool
}

// burst fires burstSize guesses at once through try, released together by a
// start barrier, with the right one at a random position and distinct wrong
// ones (wrong(i) must never equal right). It counts the service's hash checks.
// The right guess, if it gets as far as its hash check, is held there until
// every other guess has answered: then no success can end the lockout window
// while the burst runs, and the burst is the worst case for a limit that is
// checked on a stale read — the right guess has already been let through, and
// every wrong one races it. With rightFirst the right guess goes alone first
// and the others are released once it has reached its hash check, so it is
// surely the first reservation.
func burst(t *testing.T, svc *users.Service, rightFirst bool, right string, wrong func(i int) string, try func(secret string) error) burstResult {
	t.Helper()
	r := burstResult{pos: rand.IntN(burstSize), errs: make([]error, burstSize)}
	var checked, dummies atomic.Int64
	var rightChecked, heldTooLong atomic.Bool
	othersDone, rightAtCheck := make(chan struct{}), make(chan struct{})
	users.Observe(svc, func(_ context.Context, real bool, given string) {
		if !real {
			dummies.Add(1)
			return
		}
		checked.Add(1)
		if given == right {
			rightChecked.Store(true)
			close(rightAtCheck)
			select {
			case <-othersDone:
			case <-time.After(time.Minute):
				heldTooLong.Store(true)
			}
		}
	})
	defer users.Observe(svc, nil)

	start := make(chan struct{})
	var ready, others, all sync.WaitGroup
	for i := range burstSize {
		secret := right
		if i != r.pos {
			secret = wrong(i)
			require.NotEqual(t, right, secret)
			others.Add(1)
		}
		ready.Add(1)
		all.Add(1)
		go func() {
			defer all.Done()
			if i != r.pos {
				defer others.Done()
			}
			ready.Done()
			<-start
			if rightFirst && i != r.pos {
				<-rightAtCheck
			}
			r.errs[i] = try(secret)
		}()
	}
	ready.Wait()
	close(start)
	others.Wait()
	close(othersDone)
	all.Wait()
	require.False(t, heldTooLong.Load(), "the other guesses did not finish within a minute")
	r.checked, r.dummies, r.rightChecked = checked.Load(), dummies.Load(), rightChecked.Load()
	t.Logf("right guess at position %d (first: %v): checked=%v, answer: %v", r.pos, rightFirst, r.rightChecked, r.errs[r.pos])
	if rightFirst {
		require.True(t, r.rightChecked, "the right guess went first")
	}
	return r
}

// assertBurst checks what every burst must show: exactly limit guesses were
// compared with the real hash, every other one did the same work against a
// dummy hash, the right guess succeeded if and only if it was among the
// compared ones, and every failure gave exactly the answer want gives.
func assertBurst(t *testing.T, r burstResult, limit int, want error) bool {
	t.Helper()
	ok := assert.Equal(t, int64(limit), r.checked, "hash checks against the real secret")
	ok = assert.Equal(t, int64(burstSize-limit), r.dummies, "every refused guess burns one hash") && ok
	ok = assert.Equal(t, r.rightChecked, r.errs[r.pos] == nil,
		"the right guess succeeds iff it was among the %d reserved attempts (err %v)", limit, r.errs[r.pos]) && ok
	for i, err := range r.errs {
		if i == r.pos && err == nil {
			continue
		}
		if assert.Error(t, err, "guess %d", i) {
			ok = assert.ErrorIs(t, err, clientele.ErrUnauthenticated) && ok
			ok = assert.Equal(t, want.Error(), err.Error(), "guess %d: every failure gives one answer", i) && ok
		}
	}
	return ok
}

// sixDigits returns the i-th 6-digit code other than right.
func sixDigits(right string) func(i int) string {
	return func(i int) string {
		c := fmt.Sprintf("%06d", 100000+i)
		if c == right {
			c = fmt.Sprintf("%06d", 200000+i)
		}
		return c
	}
}

// rounds is how many bursts each test fires per store. The first sends the
// right guess first (it must win); in the others it is at a random position
// and usually lands after the first five reservations (it must lose).
const rounds = 3

func TestCodeBurstEmail(t *testing.T) {
	eachConcurrent(t, func(t *testing.T, db *storage.DB) {
		e := newEnv(t, db)
		for round := range rounds {
			email := fmt.Sprintf("ada%d@bank.example", round)
			u := e.invite(e.op, adminInput(email))
			right := e.code(email)
			_, want := e.svc.RegisterEmail(e.ctx, users.RegisterEmailInput{TenantID: "t1", Email: "nobody@bank.example", Code: right, Password: "a long enough password"})
			require.ErrorIs(t, want, users.ErrInvalidCode)

			r := burst(t, e.svc, round == 0, right, sixDigits(right), func(code string) error {
				_, err := e.svc.RegisterEmail(e.ctx, users.RegisterEmailInput{TenantID: "t1", Email: email, Code: code, Password: "password of " + code})
				return err
			})
			assertBurst(t, r, users.MaxCodeAttempts, want)

			if r.errs[r.pos] == nil {
				assert.Equal(t, users.Active, e.user(u.ID).State)
				_, err := e.svc.LoginPassword(e.ctx, users.PasswordLoginInput{TenantID: "t1", Email: email, Password: "password of " + right})
				assert.NoError(t, err, "the winner's password is the one stored")
				continue
			}
			// Refused as the sixth or later: the code is dead for good.
			assert.Equal(t, users.Invited, e.user(u.ID).State)
			_, err := e.svc.RegisterEmail(e.ctx, users.RegisterEmailInput{TenantID: "t1", Email: email, Code: right, Password: "a long enough password"})
			require.Error(t, err)
			assert.Equal(t, want.Error(), err.Error())
			assert.Equal(t, users.Invited, e.user(u.ID).State)
		}
	})
}

func TestCodeBurstPhone(t *testing.T) {
	eachConcurrent(t, func(t *testing.T, db *storage.DB) {
		e := newEnv(t, db)
		for round := range rounds {
			phone := fmt.Sprintf("+25470000010%d", round)
			u := e.invite(e.op, agentInput(phone))
			right := e.code(phone)
			_, want := e.svc.VerifyPhone(e.ctx, users.VerifyPhoneInput{TenantID: "t1", Phone: "+254799999999", Code: right})
			require.ErrorIs(t, want, users.ErrInvalidCode)

			var mu sync.Mutex
			var ticket users.Ticket
			r := burst(t, e.svc, round == 0, right, sixDigits(right), func(code string) error {
				tk, err := e.svc.VerifyPhone(e.ctx, users.VerifyPhoneInput{TenantID: "t1", Phone: phone, Code: code})
				if err == nil {
					mu.Lock()
					ticket = tk
					mu.Unlock()
				}
				return err
			})
			assertBurst(t, r, users.MaxCodeAttempts, want)

			_, err := e.svc.VerifyPhone(e.ctx, users.VerifyPhoneInput{TenantID: "t1", Phone: phone, Code: right})
			require.Error(t, err, "the code is spent or dead either way")
			assert.Equal(t, want.Error(), err.Error())
			if r.errs[r.pos] == nil {
				s, err := e.svc.SetPIN(e.ctx, users.SetPINInput{TenantID: "t1", Ticket: ticket.Ticket, PIN: "4821", ConfirmPIN: "4821"})
				require.NoError(t, err)
				assert.Equal(t, users.Active, s.User.State)
				continue
			}
			assert.Equal(t, users.Invited, e.user(u.ID).State)
		}
	})
}

// loginBurst fires a burst of logins at one account and checks the lockout
// afterwards: a success leaves the account unlocked, a refused right secret
// finds it locked for the lockout period.
func loginBurst(t *testing.T, e *env, rightFirst bool, right string, wrong func(i int) string, login func(secret string) error, unknown func() error) {
	t.Helper()
	want := unknown()
	require.ErrorIs(t, want, users.ErrInvalidCredentials)
	r := burst(t, e.svc, rightFirst, right, wrong, login)
	assertBurst(t, r, users.DefaultMaxLoginFailures, want)
	if r.errs[r.pos] == nil {
		assert.NoError(t, login(right), "a successful login leaves the account unlocked")
		return
	}
	err := login(right)
	require.Error(t, err, "five attempts were spent: the account is locked")
	assert.Equal(t, want.Error(), err.Error())
	e.clock.Advance(users.DefaultLockout)
	assert.NoError(t, login(right), "the lock lifts after the lockout period")
}

func TestLoginBurstPassword(t *testing.T) {
	eachConcurrent(t, func(t *testing.T, db *storage.DB) {
		e := newEnv(t, db)
		for round := range rounds {
			email := fmt.Sprintf("ada%d@bank.example", round)
			e.admin(email)
			loginBurst(t, e, round == 0, "admin-password-1",
				func(i int) string { return fmt.Sprintf("wrong password %d", i) },
				func(pw string) error {
					_, err := e.svc.LoginPassword(e.ctx, users.PasswordLoginInput{TenantID: "t1", Email: email, Password: pw})
					return err
				},
				func() error {
					_, err := e.svc.LoginPassword(e.ctx, users.PasswordLoginInput{TenantID: "t1", Email: "nobody@bank.example", Password: "admin-password-1"})
					return err
				})
		}
	})
}

func TestLoginBurstPIN(t *testing.T) {
	eachConcurrent(t, func(t *testing.T, db *storage.DB) {
		e := newEnv(t, db)
		for round := range rounds {
			phone := fmt.Sprintf("+25470000020%d", round)
			e.invite(e.op, agentInput(phone))
			_, err := e.registerPhone(phone, "1357")
			require.NoError(t, err)
			loginBurst(t, e, round == 0, "1357",
				func(i int) string { return fmt.Sprintf("%04d", 2000+i) },
				func(pin string) error {
					_, err := e.svc.LoginPIN(e.ctx, users.PINLoginInput{TenantID: "t1", Phone: phone, PIN: pin})
					return err
				},
				func() error {
					_, err := e.svc.LoginPIN(e.ctx, users.PINLoginInput{TenantID: "t1", Phone: "+254799999999", PIN: "1357"})
					return err
				})
		}
	})
}

package users_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/adapters"
	"github.com/clientele-go/clientele/internal/dbtest"
	"github.com/clientele-go/clientele/outbox"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/users"
)

// effectsOf returns the outbox records of user id.
func (e *env) effectsOf(id string) []outbox.Record {
	e.t.Helper()
	recs, _, err := e.db.Effects().List(e.ctx, "t1", outbox.Filter{Entity: outbox.Entity{Kind: users.EntityKind, ID: id}}, "", 100)
	require.NoError(e.t, err)
	return recs
}

// waitAttempts waits until the effects of user id have been tried n times in
// all.
func (e *env) waitAttempts(id string, n int) {
	e.t.Helper()
	require.Eventually(e.t, func() bool {
		total := 0
		for _, r := range e.effectsOf(id) {
			total += r.Attempts
		}
		return total >= n
	}, 10*time.Second, 2*time.Millisecond)
}

// sentTo returns the messages sent to recipient.
func (e *env) sentTo(recipient string) []adapters.Message {
	var out []adapters.Message
	for _, m := range e.msg.Sent() {
		if m.Recipient == recipient {
			out = append(out, m)
		}
	}
	return out
}

func (e *env) registerEmail(email, code string) (users.Session, error) {
	return e.svc.RegisterEmail(e.ctx, users.RegisterEmailInput{TenantID: "t1", Email: email, Code: code, Password: "a long enough password"})
}

func TestInvitationSentOnceAfterCommit(t *testing.T) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		e := newEnv(t, db)
		const email = "ivy@mail.example"
		u := e.invite(e.op, investorInput(email))
		assert.Equal(t, users.Invited, u.State)
		code := e.code(email)
		require.Len(t, e.sentTo(email), 1)
		recs := e.effectsOf(u.ID)
		require.Len(t, recs, 1)
		assert.Equal(t, users.OpSendInvitation, recs[0].Op)
		assert.Equal(t, outbox.Delivered, recs[0].Status)
		assert.Equal(t, 1, recs[0].Attempts)
		var params string
		require.NoError(t, db.SQL().QueryRowContext(e.ctx, "SELECT params FROM clientele_effects").Scan(&params))
		assert.NotContains(t, params, code, "the code is never stored in clear")

		s, err := e.registerEmail(email, code)
		require.NoError(t, err)
		assert.Equal(t, users.Active, s.User.State)
		e.drain()
		assert.Len(t, e.sentTo(email), 1, "delivered once")
	})
}

func TestInvitationRolledBackIsNeverSent(t *testing.T) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		e := newEnv(t, db)
		boom := errors.New("the app gives up")
		err := db.InTx(e.ctx, func(ctx context.Context, _ *sql.Tx) error {
			_, err := e.svc.Invite(ctx, e.op, investorInput("gone@mail.example"), "")
			require.NoError(t, err)
			return boom
		})
		require.ErrorIs(t, err, boom)
		// An invitation committed with the app's transaction goes out.
		err = db.InTx(e.ctx, func(ctx context.Context, _ *sql.Tx) error {
			_, err := e.svc.Invite(ctx, e.op, investorInput("kept@mail.example"), "")
			return err
		})
		require.NoError(t, err)
		e.code("kept@mail.example")
		time.Sleep(100 * time.Millisecond) // many polls of the dispatcher
		assert.Empty(t, e.sentTo("gone@mail.example"), "nothing is sent for a rolled-back invitation")
		assert.Len(t, e.msg.Sent(), 1)
		_, err = e.registerEmail("gone@mail.example", "123456")
		assert.ErrorIs(t, err, users.ErrInvalidCode)
	})
}

func TestInvitationWaitsForMessaging(t *testing.T) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		e := newEnv(t, db)
		const phone = "+254777777777"
		e.faults.FailOperation("Send", clientele.ErrUnavailable)
		u, err := e.svc.Invite(e.ctx, e.op, borrowerInput(phone), "k-1")
		require.NoError(t, err, "Invite does not wait for the message")
		e.waitAttempts(u.ID, 2)
		assert.Empty(t, e.sentTo(phone))
		recs := e.effectsOf(u.ID)
		require.Len(t, recs, 1)
		assert.Equal(t, outbox.Pending, recs[0].Status)
		assert.Contains(t, recs[0].LastError, "unavailable")
		_, err = e.svc.VerifyPhone(e.ctx, users.VerifyPhoneInput{TenantID: "t1", Phone: phone, Code: "123456"})
		assert.ErrorIs(t, err, users.ErrInvalidCode, "no code works before one is sent")

		e.faults.FailOperation("Send", nil)
		code := e.code(phone)
		assert.Len(t, e.sentTo(phone), 1, "delivered once when messaging is back")
		assert.Equal(t, outbox.Delivered, e.effectsOf(u.ID)[0].Status)
		s, err := e.registerPhone(phone, "8642")
		require.NoError(t, err)
		assert.Equal(t, users.Active, s.User.State)
		_ = code
	})
}

func TestReinviteSupersedesQueuedInvitation(t *testing.T) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		e := newEnv(t, db)
		const email = "ivy@mail.example"
		e.faults.FailOperation("Send", clientele.ErrUnavailable)
		u := e.invite(e.op, investorInput(email))
		e.waitAttempts(u.ID, 1)
		_, err := e.svc.Reinvite(e.ctx, e.op, u.ID)
		require.NoError(t, err)
		e.faults.FailOperation("Send", nil)
		code := e.code(email)
		assert.Len(t, e.sentTo(email), 1, "the superseded invitation sends nothing")
		for _, r := range e.effectsOf(u.ID) {
			assert.Equal(t, outbox.Delivered, r.Status, r.Key)
		}
		_, err = e.registerEmail(email, code)
		require.NoError(t, err)
	})
}

// lostReceipts is a Messaging that sends, then reports the first n sends as
// failed: the provider took the message but the answer was lost.
type lostReceipts struct {
	adapters.Messaging
	n atomic.Int32
}

func (l *lostReceipts) Send(ctx context.Context, m adapters.Message) (adapters.Receipt, error) {
	r, err := l.Messaging.Send(ctx, m)
	if err == nil && l.n.Add(-1) >= 0 {
		return adapters.Receipt{}, errors.New("connection reset after the provider accepted the message")
	}
	return r, err
}

func TestInvitationRetriedAfterSendMintsFreshCode(t *testing.T) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		lost := &lostReceipts{}
		lost.n.Store(1)
		e := newEnvWrapped(t, db, func(m adapters.Messaging) adapters.Messaging { lost.Messaging = m; return lost }, nil)
		const email = "ivy@mail.example"
		e.invite(e.op, investorInput(email))
		e.drain()
		sent := e.sentTo(email)
		require.Len(t, sent, 2, "the retry sends again: the user may receive two messages")
		assert.NotEqual(t, sent[0].IdempotencyKey, sent[1].IdempotencyKey, "each code under its own key")
		first, last := sent[0].Params[adapters.ParamCode], sent[1].Params[adapters.ParamCode]
		if first != last {
			_, err := e.registerEmail(email, first)
			assert.ErrorIs(t, err, users.ErrInvalidCode, "the earlier code is dead")
		}
		_, err := e.registerEmail(email, last)
		require.NoError(t, err, "the later message carries the live code")
	})
}

// lostDIDs is an Identity whose first n CreateDID calls create the DID and
// then fail, as a crash between the adapter's answer and its record would.
type lostDIDs struct {
	adapters.Identity
	n     atomic.Int32
	mu    sync.Mutex
	calls int
	dids  map[string]bool
}

func (l *lostDIDs) CreateDID(ctx context.Context, req adapters.CreateDIDRequest) (adapters.DID, error) {
	d, err := l.Identity.CreateDID(ctx, req)
	l.mu.Lock()
	l.calls++
	if err == nil {
		l.dids[d.DID] = true
	}
	l.mu.Unlock()
	if err == nil && l.n.Add(-1) >= 0 {
		return adapters.DID{}, errors.New("identity provider: connection reset")
	}
	return d, err
}

func TestBorrowerDIDCreatedAfterCommit(t *testing.T) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		e := newEnv(t, db)
		const phone = "+254711111111"
		e.invite(e.op, borrowerInput(phone))
		e.faults.FailOperation("CreateDID", clientele.ErrUnavailable)
		s, err := e.registerPhone(phone, "8642")
		require.NoError(t, err, "registration does not wait for the identity provider")
		assert.Equal(t, users.Active, s.User.State)
		assert.Empty(t, s.User.DID)
		e.waitAttempts(s.User.ID, 3) // the invitation, then the DID at least twice
		assert.Empty(t, e.user(s.User.ID).DID, "no DID until it is delivered")

		e.faults.FailOperation("CreateDID", nil)
		e.drain()
		u := e.user(s.User.ID)
		require.NotEmpty(t, u.DID)
		assert.True(t, strings.HasPrefix(u.DID, "did:"))
		assert.Equal(t, s.User.Version, u.Version, "the DID is no edit of the user")
		for _, r := range e.effectsOf(u.ID) {
			assert.Equal(t, outbox.Delivered, r.Status, r.Key)
		}
		// Agents get no DID.
		e.invite(e.op, agentInput("+254722222222"))
		a, err := e.registerPhone("+254722222222", "8642")
		require.NoError(t, err)
		e.drain()
		assert.Empty(t, e.user(a.User.ID).DID)
		assert.Len(t, e.effectsOf(a.User.ID), 1, "only the invitation")
	})
}

func TestDIDRetryAfterCrashCreatesNoSecond(t *testing.T) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		lost := &lostDIDs{dids: map[string]bool{}}
		lost.n.Store(2)
		e := newEnvWrapped(t, db, nil, func(i adapters.Identity) adapters.Identity { lost.Identity = i; return lost })
		const phone = "+254733333333"
		e.invite(e.op, borrowerInput(phone))
		s, err := e.registerPhone(phone, "8642")
		require.NoError(t, err)
		e.drain()
		u := e.user(s.User.ID)
		lost.mu.Lock()
		defer lost.mu.Unlock()
		assert.Equal(t, 3, lost.calls, "two lost answers, then the one recorded")
		require.Len(t, lost.dids, 1, "every retry got the DID created the first time")
		assert.True(t, lost.dids[u.DID], "the user holds that DID")
	})
}

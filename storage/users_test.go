package storage_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/audit"
	"github.com/clientele-go/clientele/idempotency"
	"github.com/clientele-go/clientele/internal/dbtest"
	"github.com/clientele-go/clientele/internal/testkit"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/users"
)

var t0 = time.Date(2026, 11, 23, 9, 0, 0, 123456000, time.UTC)

func account(tenant, id, email, phone string) users.Account {
	return users.Account{
		User: users.User{
			ID: id, TenantID: tenant, Type: users.Investor, State: users.Invited, Name: "N " + id,
			Email: email, Phone: phone, ClientID: "c-" + id, Roles: []string{"RC001"}, Version: 1,
			CreatedAt: t0, UpdatedAt: t0,
		},
	}
}

func entry(tenant, id, op string) audit.Entry {
	return audit.Entry{TenantID: tenant, Actor: "tester", Operation: op, EntityType: "user", EntityID: id, At: t0}
}

func code(tenant, user, id string, purpose users.Purpose, hash string) users.Code {
	return users.Code{ID: id, TenantID: tenant, UserID: user, Purpose: purpose, Channel: "email", Hash: hash,
		ExpiresAt: t0.Add(time.Hour), CreatedAt: t0}
}

func userStore(t *testing.T, db *storage.DB) *storage.UserStore {
	t.Helper()
	for _, id := range []string{"t1", "t2"} {
		require.NoError(t, db.Tenants().Create(context.Background(), testkit.Tenant(id)))
	}
	return db.Users()
}

const (
	u1 = "0190a0b0-0000-7000-8000-000000000001"
	u2 = "0190a0b0-0000-7000-8000-000000000002"
	u3 = "0190a0b0-0000-7000-8000-000000000003"
)

func TestUserStoreCreateFind(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		s := userStore(t, db)
		a := account("t1", u1, "Ivy@Mail.example", "+254700000001")
		c := code("t1", u1, "code-1", users.PurposeInvitation, "$argon2id$x")
		saved, replayed, err := s.Create(ctx, a, &c, idempotency.Key{}, entry("t1", u1, "US001"))
		require.NoError(t, err)
		assert.False(t, replayed)
		assert.Equal(t, "ivy@mail.example", saved.Email)

		got, err := s.Get(ctx, "t1", u1)
		require.NoError(t, err)
		assert.Equal(t, saved, got.User)
		assert.Equal(t, t0, got.User.CreatedAt)
		assert.True(t, got.User.ActivatedAt.IsZero())
		assert.True(t, got.LockedUntil.IsZero())
		for _, k := range []users.Key{{Email: "IVY@mail.example"}, {Phone: "+254700000001"}} {
			f, err := s.Find(ctx, "t1", k)
			require.NoError(t, err)
			assert.Equal(t, u1, f.User.ID)
			_, err = s.Find(ctx, "t2", k)
			assert.ErrorIs(t, err, clientele.ErrNotFound, "tenant-scoped")
		}
		_, err = s.Get(ctx, "t2", u1)
		assert.ErrorIs(t, err, clientele.ErrNotFound)
		_, err = s.Find(ctx, "t1", users.Key{})
		assert.ErrorIs(t, err, clientele.ErrInvalid)

		lc, err := s.LiveCode(ctx, "t1", u1, users.PurposeInvitation)
		require.NoError(t, err)
		assert.Equal(t, c, lc)

		// Email and phone are unique per tenant where set; empty ones do not collide.
		_, _, err = s.Create(ctx, account("t1", u2, "ivy@mail.example", ""), nil, idempotency.Key{}, entry("t1", u2, "US001"))
		var ce *users.ConflictError
		require.ErrorAs(t, err, &ce)
		assert.Equal(t, "email", ce.Field)
		_, _, err = s.Create(ctx, account("t1", u2, "", "+254700000001"), nil, idempotency.Key{}, entry("t1", u2, "US001"))
		require.ErrorAs(t, err, &ce)
		assert.Equal(t, "phone", ce.Field)
		_, _, err = s.Create(ctx, account("t1", u2, "", ""), nil, idempotency.Key{}, entry("t1", u2, "US001"))
		require.NoError(t, err)
		_, _, err = s.Create(ctx, account("t1", u3, "", ""), nil, idempotency.Key{}, entry("t1", u3, "US001"))
		require.NoError(t, err)
		_, _, err = s.Create(ctx, account("t2", "0190a0b0-0000-7000-8000-000000000004", "ivy@mail.example", "+254700000001"), nil, idempotency.Key{}, entry("t2", "x", "US001"))
		require.NoError(t, err, "another tenant may reuse them")

		entries, err := db.AuditLog(ctx, "t1", "user", u1, 10)
		require.NoError(t, err)
		assert.Len(t, entries, 1)
	})
}

func TestUserStoreIdempotentCreate(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		s := userStore(t, db)
		idem := idempotency.Key{Principal: "u0", Operation: "US001", Value: "k", RequestHash: "h1"}
		first, _, err := s.Create(ctx, account("t1", u1, "a@x.example", ""), nil, idem, entry("t1", u1, "US001"))
		require.NoError(t, err)
		again, replayed, err := s.Create(ctx, account("t1", u2, "b@x.example", ""), nil, idem, entry("t1", u2, "US001"))
		require.NoError(t, err)
		assert.True(t, replayed)
		assert.Equal(t, first, again)
		idem.RequestHash = "h2"
		_, _, err = s.Create(ctx, account("t1", u3, "c@x.example", ""), nil, idem, entry("t1", u3, "US001"))
		assert.ErrorIs(t, err, clientele.ErrConflict)
		_, err = s.Get(ctx, "t1", u2)
		assert.ErrorIs(t, err, clientele.ErrNotFound, "a replay writes nothing")
	})
}

func TestUserStoreChange(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		s := userStore(t, db)
		c := code("t1", u1, "code-1", users.PurposeInvitation, "h")
		_, _, err := s.Create(ctx, account("t1", u1, "a@x.example", ""), &c, idempotency.Key{}, entry("t1", u1, "US001"))
		require.NoError(t, err)

		// An error from fn writes nothing.
		boom := errors.New("boom")
		_, err = s.Change(ctx, "t1", u1, func(ch *users.Change) error {
			ch.Account.User.State = users.Active
			ch.Consume = c.ID
			return boom
		})
		assert.ErrorIs(t, err, boom)
		got, err := s.Get(ctx, "t1", u1)
		require.NoError(t, err)
		assert.Equal(t, users.Invited, got.User.State)
		_, err = s.LiveCode(ctx, "t1", u1, users.PurposeInvitation)
		require.NoError(t, err)

		// A reservation counts an attempt and leaves the code live.
		rc, err := s.ReserveCode(ctx, "t1", u1, users.PurposeInvitation, users.MaxCodeAttempts)
		require.NoError(t, err)
		assert.Equal(t, 1, rc.Attempts)

		// A full change: consume, issue a ticket, open a session, audit.
		ticket := code("t1", u1, "ticket-1", users.PurposePINTicket, "digest-1")
		sess := users.SessionRecord{ID: "s1", Digest: "token-digest-1", Method: users.ChannelPhone, CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
		at := t0.Add(time.Minute)
		e := entry("t1", u1, "user.register")
		u, err := s.Change(ctx, "t1", u1, func(ch *users.Change) error {
			ch.At = at
			ch.Account.User.State, ch.Account.User.ActivatedAt = users.Active, at
			ch.Account.PINHash = "pin-hash"
			ch.Account.FailedLogins, ch.Account.LockedUntil = 2, at.Add(time.Hour)
			ch.Consume = c.ID
			ch.Issue = []users.Code{ticket}
			ch.Session = &sess
			ch.Audit = &e
			return nil
		})
		require.NoError(t, err)
		assert.Equal(t, int64(2), u.Version)
		assert.Equal(t, at, u.ActivatedAt)
		got, err = s.Get(ctx, "t1", u1)
		require.NoError(t, err)
		assert.Equal(t, "pin-hash", got.PINHash)
		assert.Equal(t, 2, got.FailedLogins)
		assert.Equal(t, at.Add(time.Hour), got.LockedUntil)
		_, err = s.LiveCode(ctx, "t1", u1, users.PurposeInvitation)
		assert.ErrorIs(t, err, clientele.ErrNotFound, "consumed")

		// Consuming a used code aborts the whole change.
		_, err = s.Change(ctx, "t1", u1, func(ch *users.Change) error {
			ch.Account.User.Name = "changed"
			ch.Consume = c.ID
			return nil
		})
		assert.ErrorIs(t, err, users.ErrCodeUsed)
		assert.ErrorIs(t, err, clientele.ErrConflict)
		got, err = s.Get(ctx, "t1", u1)
		require.NoError(t, err)
		assert.Equal(t, "N "+u1, got.User.Name, "nothing written")
		assert.Equal(t, int64(2), got.User.Version)
		tk, err := s.CodeByDigest(ctx, "t1", users.PurposePINTicket, "digest-1")
		require.NoError(t, err)
		assert.Equal(t, ticket, tk)
		_, err = s.CodeByDigest(ctx, "t2", users.PurposePINTicket, "digest-1")
		assert.ErrorIs(t, err, clientele.ErrNotFound)

		sv, err := s.SessionByDigest(ctx, "token-digest-1")
		require.NoError(t, err)
		assert.Equal(t, users.SessionView{TenantID: "t1", UserID: u1, ExpiresAt: t0.Add(time.Hour), Type: users.Investor,
			State: users.Active, Roles: []string{"RC001"}, ClientID: "c-" + u1}, sv)

		// Revoking codes and sessions.
		_, err = s.Change(ctx, "t1", u1, func(ch *users.Change) error {
			ch.At = at
			ch.RevokeCodes = []users.Purpose{users.PurposePINTicket}
			ch.RevokeSessions = true
			return nil
		})
		require.NoError(t, err)
		_, err = s.CodeByDigest(ctx, "t1", users.PurposePINTicket, "digest-1")
		assert.ErrorIs(t, err, clientele.ErrNotFound)
		sv, err = s.SessionByDigest(ctx, "token-digest-1")
		require.NoError(t, err)
		assert.True(t, sv.Revoked)

		entries, err := db.AuditLog(ctx, "t1", "user", u1, 10)
		require.NoError(t, err)
		assert.Len(t, entries, 2)

		_, err = s.Change(ctx, "t2", u1, func(*users.Change) error { return nil })
		assert.ErrorIs(t, err, clientele.ErrNotFound, "tenant-scoped")
		_, err = s.SessionByDigest(ctx, "nope")
		assert.ErrorIs(t, err, clientele.ErrNotFound)
	})
}

func TestUserStoreSessionsAndSocial(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		s := userStore(t, db)
		for _, id := range []string{u1, u2} {
			_, _, err := s.Create(ctx, account("t1", id, id+"@x.example", ""), nil, idempotency.Key{}, entry("t1", id, "US001"))
			require.NoError(t, err)
		}
		link := func(id, subject string) error {
			_, err := s.Change(ctx, "t1", id, func(ch *users.Change) error {
				ch.Account.User.SocialProvider, ch.Account.SocialSubject = "google", subject
				ch.Session = &users.SessionRecord{ID: "s-" + id + subject, Digest: "d-" + id + subject, Method: users.ChannelSocial, CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
				return nil
			})
			return err
		}
		require.NoError(t, link(u1, "g-1"))
		var ce *users.ConflictError
		require.ErrorAs(t, link(u2, "g-1"), &ce)
		assert.Equal(t, "social", ce.Field)
		_, err := s.SessionByDigest(ctx, "d-"+u2+"g-1")
		assert.ErrorIs(t, err, clientele.ErrNotFound, "the failed change opened no session")
		f, err := s.Find(ctx, "t1", users.Key{SocialProvider: "google", SocialSubject: "g-1"})
		require.NoError(t, err)
		assert.Equal(t, u1, f.User.ID)
		assert.Equal(t, "g-1", f.SocialSubject)

		require.NoError(t, s.RevokeSession(ctx, "d-"+u1+"g-1", t0))
		require.NoError(t, s.RevokeSession(ctx, "d-"+u1+"g-1", t0), "revoking twice is fine")
		sv, err := s.SessionByDigest(ctx, "d-"+u1+"g-1")
		require.NoError(t, err)
		assert.True(t, sv.Revoked)
		assert.ErrorIs(t, s.RevokeSession(ctx, "unknown", t0), clientele.ErrNotFound)
	})
}

func TestUserStoreList(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		s := userStore(t, db)
		for i, id := range []string{u1, u2, u3} {
			a := account("t1", id, "", "")
			if i == 1 {
				a.User.Type = users.OriginatorAgent
			}
			_, _, err := s.Create(ctx, a, nil, idempotency.Key{}, entry("t1", id, "US001"))
			require.NoError(t, err)
		}
		got, err := s.List(ctx, "t1", []users.Type{users.Investor}, "", 10)
		require.NoError(t, err)
		require.Len(t, got, 2)
		assert.Equal(t, u3, got[0].ID)
		got, err = s.List(ctx, "t1", []users.Type{users.Investor, users.OriginatorAgent}, u3, 10)
		require.NoError(t, err)
		require.Len(t, got, 2)
		assert.Equal(t, u2, got[0].ID)
		got, err = s.List(ctx, "t2", []users.Type{users.Investor}, "", 10)
		require.NoError(t, err)
		assert.Empty(t, got)
		got, err = s.List(ctx, "t1", nil, "", 10)
		require.NoError(t, err)
		assert.Empty(t, got)
	})
}

// eachConcurrent runs fn on stores where concurrent transactions really run
// side by side: a WAL SQLite file (an in-memory SQLite store has a single
// connection) and PostgreSQL.
func eachConcurrent(t *testing.T, fn func(t *testing.T, db *storage.DB)) {
	t.Helper()
	t.Run("sqlite-file", func(t *testing.T) {
		db, err := storage.Open(context.Background(), "sqlite://"+filepath.Join(t.TempDir(), "users.db"))
		require.NoError(t, err)
		t.Cleanup(func() { _ = db.Close() })
		fn(t, db)
	})
	t.Run("postgres", func(t *testing.T) { fn(t, dbtest.Postgres(t)) })
}

func TestUserStoreReserveCode(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		s := userStore(t, db)
		c := code("t1", u1, "code-1", users.PurposeInvitation, "h")
		_, _, err := s.Create(ctx, account("t1", u1, "a@x.example", ""), &c, idempotency.Key{}, entry("t1", u1, "US001"))
		require.NoError(t, err)

		// Each reservation gets the next count, up to the limit.
		for n := 1; n <= 3; n++ {
			got, err := s.ReserveCode(ctx, "t1", u1, users.PurposeInvitation, 3)
			require.NoError(t, err)
			want := c
			want.Attempts = n
			assert.Equal(t, want, got)
		}
		lc, err := s.LiveCode(ctx, "t1", u1, users.PurposeInvitation)
		require.NoError(t, err)
		assert.Equal(t, 3, lc.Attempts)
		_, err = s.ReserveCode(ctx, "t1", u1, users.PurposeInvitation, 3)
		assert.ErrorIs(t, err, clientele.ErrNotFound, "out of attempts")
		lc, err = s.LiveCode(ctx, "t1", u1, users.PurposeInvitation)
		require.NoError(t, err)
		assert.Equal(t, 3, lc.Attempts, "a refused reservation counts nothing")

		// Another tenant, user or purpose has no such code.
		for _, k := range []struct {
			tenant, user string
			purpose      users.Purpose
		}{{"t2", u1, users.PurposeInvitation}, {"t1", u2, users.PurposeInvitation}, {"t1", u1, users.PurposePINTicket}} {
			_, err = s.ReserveCode(ctx, k.tenant, k.user, k.purpose, 5)
			assert.ErrorIs(t, err, clientele.ErrNotFound, "%+v", k)
		}

		// A fresh code (reinvitation) is the live one: it starts from zero.
		fresh := code("t1", u1, "code-2", users.PurposeInvitation, "h2")
		fresh.CreatedAt = t0.Add(time.Minute)
		_, err = s.Change(ctx, "t1", u1, func(ch *users.Change) error {
			ch.RevokeCodes = []users.Purpose{users.PurposeInvitation}
			ch.Issue = []users.Code{fresh}
			return nil
		})
		require.NoError(t, err)
		got, err := s.ReserveCode(ctx, "t1", u1, users.PurposeInvitation, 3)
		require.NoError(t, err)
		assert.Equal(t, "code-2", got.ID)
		assert.Equal(t, 1, got.Attempts)

		// A consumed code takes no more reservations.
		_, err = s.Change(ctx, "t1", u1, func(ch *users.Change) error {
			ch.Consume = fresh.ID
			return nil
		})
		require.NoError(t, err)
		_, err = s.ReserveCode(ctx, "t1", u1, users.PurposeInvitation, 3)
		assert.ErrorIs(t, err, clientele.ErrNotFound, "used")
	})
}

// TestUserStoreReserveCodeConcurrent: however many reserve at once, exactly
// limit get the code, each with its own count.
func TestUserStoreReserveCodeConcurrent(t *testing.T) {
	eachConcurrent(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		s := userStore(t, db)
		c := code("t1", u1, "code-1", users.PurposeInvitation, "h")
		_, _, err := s.Create(ctx, account("t1", u1, "a@x.example", ""), &c, idempotency.Key{}, entry("t1", u1, "US001"))
		require.NoError(t, err)
		const n, limit = 60, users.MaxCodeAttempts
		var mu sync.Mutex
		var counts []int
		refused := 0
		testkit.Together(n, func(int) {
			got, err := s.ReserveCode(ctx, "t1", u1, users.PurposeInvitation, limit)
			mu.Lock()
			defer mu.Unlock()
			if errors.Is(err, clientele.ErrNotFound) {
				refused++
				return
			}
			if assert.NoError(t, err) {
				counts = append(counts, got.Attempts)
			}
		})
		assert.ElementsMatch(t, []int{1, 2, 3, 4, 5}, counts)
		assert.Equal(t, n-limit, refused)
		lc, err := s.LiveCode(ctx, "t1", u1, users.PurposeInvitation)
		require.NoError(t, err)
		assert.Equal(t, limit, lc.Attempts)
	})
}

// TestUserStoreChangeConcurrent: concurrent Changes of one account run one
// after the other, each seeing what the last wrote (login reservations count
// on it), and of several consuming one code exactly one succeeds.
func TestUserStoreChangeConcurrent(t *testing.T) {
	eachConcurrent(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		s := userStore(t, db)
		c := code("t1", u1, "code-1", users.PurposeInvitation, "h")
		_, _, err := s.Create(ctx, account("t1", u1, "a@x.example", ""), &c, idempotency.Key{}, entry("t1", u1, "US001"))
		require.NoError(t, err)
		const n = 60
		testkit.Together(n, func(int) {
			_, err := s.Change(ctx, "t1", u1, func(ch *users.Change) error {
				ch.Account.FailedLogins++
				return nil
			})
			assert.NoError(t, err)
		})
		got, err := s.Get(ctx, "t1", u1)
		require.NoError(t, err)
		assert.Equal(t, n, got.FailedLogins, "no increment lost")
		assert.Equal(t, int64(1+n), got.User.Version)

		var consumed, used atomic.Int64
		testkit.Together(n, func(int) {
			_, err := s.Change(ctx, "t1", u1, func(ch *users.Change) error {
				ch.Consume = c.ID
				return nil
			})
			switch {
			case err == nil:
				consumed.Add(1)
			case errors.Is(err, users.ErrCodeUsed):
				used.Add(1)
			default:
				assert.NoError(t, err)
			}
		})
		assert.Equal(t, int64(1), consumed.Load())
		assert.Equal(t, int64(n-1), used.Load())
	})
}

func TestUserStoreRolesRoundTrip(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		s := userStore(t, db)
		for i, roles := range [][]string{{}, {"RC001"}, {"RP001", "RA001", "with space", `q"uote`, `back\slash`, "comma,inside", "ünï"}} {
			id := []string{u1, u2, u3}[i]
			a := account("t1", id, "", "")
			a.User.Roles = roles
			_, _, err := s.Create(ctx, a, nil, idempotency.Key{}, entry("t1", id, "US001"))
			require.NoError(t, err)
			got, err := s.Get(ctx, "t1", id)
			require.NoError(t, err)
			assert.Equal(t, roles, got.User.Roles)
			_, err = s.Change(ctx, "t1", id, func(ch *users.Change) error {
				ch.Session = &users.SessionRecord{ID: "s" + id, Digest: "d" + id, Method: users.ChannelEmail, CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
				return nil
			})
			require.NoError(t, err)
			sv, err := s.SessionByDigest(ctx, "d"+id)
			require.NoError(t, err)
			assert.Equal(t, roles, sv.Roles)
		}
	})
}

// TestUserStoreMintCode: a minted invitation code replaces the placeholder's
// hash, attempts and expiry, without touching the user's version, only while
// the user is invited and the code unused.
func TestUserStoreMintCode(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		s := userStore(t, db)
		a := account("t1", u1, "ivy@mail.example", "")
		c := code("t1", u1, "code-1", users.PurposeInvitation, "")
		_, _, err := s.Create(ctx, a, &c, idempotency.Key{}, entry("t1", u1, "US001"))
		require.NoError(t, err)
		_, err = s.ReserveCode(ctx, "t1", u1, users.PurposeInvitation, 5)
		require.NoError(t, err)

		exp := t0.Add(24 * time.Hour)
		u, got, err := s.MintCode(ctx, "t1", u1, "code-1", "$argon2id$minted", exp)
		require.NoError(t, err)
		assert.Equal(t, a.User.Version, u.Version)
		assert.Equal(t, "$argon2id$minted", got.Hash)
		assert.Equal(t, 0, got.Attempts)
		assert.True(t, exp.Equal(got.ExpiresAt))
		live, err := s.LiveCode(ctx, "t1", u1, users.PurposeInvitation)
		require.NoError(t, err)
		assert.Equal(t, "$argon2id$minted", live.Hash)

		_, _, err = s.MintCode(ctx, "t1", u1, "code-2", "$argon2id$other", exp)
		assert.ErrorIs(t, err, clientele.ErrPrecondition, "unknown code")
		_, _, err = s.MintCode(ctx, "t2", u1, "code-1", "$argon2id$other", exp)
		assert.ErrorIs(t, err, clientele.ErrNotFound, "another tenant's user")
		_, err = s.Change(ctx, "t1", u1, func(ch *users.Change) error {
			ch.RevokeCodes = []users.Purpose{users.PurposeInvitation}
			return nil
		})
		require.NoError(t, err)
		_, _, err = s.MintCode(ctx, "t1", u1, "code-1", "$argon2id$other", exp)
		assert.ErrorIs(t, err, clientele.ErrPrecondition, "a revoked code is superseded")

		// SetDID keeps the first DID.
		_, err = s.SetDID(ctx, "t1", u1, "did:key:first")
		require.NoError(t, err)
		got2, err := s.SetDID(ctx, "t1", u1, "did:key:second")
		require.NoError(t, err)
		assert.Equal(t, "did:key:first", got2.DID)
	})
}

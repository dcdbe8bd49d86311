package users_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/internal/dbtest"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/users"
)

// BenchmarkAuthenticate measures turning a bearer token into a principal: one
// SHA-256 and one indexed look-up joined with the user and its associate.
// Target ≤ 20 µs on SQLite. The -associate cases authenticate a user linked to
// an associate (the join finds a row); the others the bootstrapped operator,
// who has none.
func BenchmarkAuthenticate(b *testing.B) {
	for _, tc := range []struct {
		name      string
		open      func(testing.TB) *storage.DB
		associate bool
	}{
		{"sqlite", dbtest.SQLite, false},
		{"sqlite-file", sqliteFile, false},
		{"postgres", dbtest.Postgres, false},
		{"sqlite-associate", dbtest.SQLite, true},
		{"postgres-associate", dbtest.Postgres, true},
	} {
		b.Run(tc.name, func(b *testing.B) {
			e := benchEnv(b, tc.open(b))
			login := users.PasswordLoginInput{TenantID: "t1", Email: operatorEmail, Password: operatorPassword}
			if tc.associate {
				// t2's operator, linked to t2's staff associate.
				_, err := e.svc.Bootstrap(e.ctx, "t2", users.NodeOperatorInput{Email: operatorEmail, Name: "Staff Operator",
					AssociateID: staffT2, Password: operatorPassword})
				require.NoError(b, err)
				login.TenantID = "t2"
			}
			// Some other sessions, so the index has something to search.
			for range 200 {
				_, err := e.svc.LoginPassword(e.ctx, login)
				require.NoError(b, err)
			}
			s, err := e.svc.LoginPassword(e.ctx, login)
			require.NoError(b, err)
			if p, err := e.svc.Authenticate(e.ctx, s.Token); err != nil || (tc.associate && p.OfficeID == "") {
				b.Fatalf("principal %+v, %v", p, err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := e.svc.Authenticate(e.ctx, s.Token); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkLoginPassword measures a password login at the default (OWASP)
// argon2id cost: one hash verification, one write (session and counters).
func BenchmarkLoginPassword(b *testing.B) {
	e := benchEnv(b, dbtest.SQLite(b), users.WithHashing(users.OWASPHashing()))
	in := users.PasswordLoginInput{TenantID: "t1", Email: operatorEmail, Password: operatorPassword}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.svc.LoginPassword(e.ctx, in); err != nil {
			b.Fatal(err)
		}
	}
}

// sqliteFile opens a store on a WAL-mode SQLite file, as a server would.
func sqliteFile(tb testing.TB) *storage.DB {
	tb.Helper()
	db, err := storage.Open(context.Background(), "sqlite://"+filepath.Join(tb.TempDir(), "users.db"))
	require.NoError(tb, err)
	tb.Cleanup(func() { _ = db.Close() })
	return db
}

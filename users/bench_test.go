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
// SHA-256 and one indexed look-up joined with the user. Target ≤ 20 µs on SQLite.
func BenchmarkAuthenticate(b *testing.B) {
	for _, tc := range []struct {
		name string
		open func(testing.TB) *storage.DB
	}{
		{"sqlite", dbtest.SQLite},
		{"sqlite-file", sqliteFile},
		{"postgres", dbtest.Postgres},
	} {
		b.Run(tc.name, func(b *testing.B) {
			e := benchEnv(b, tc.open(b))
			// Some other sessions, so the index has something to search.
			for range 200 {
				_, err := e.svc.LoginPassword(e.ctx, users.PasswordLoginInput{TenantID: "t1", Email: operatorEmail, Password: operatorPassword})
				require.NoError(b, err)
			}
			s, err := e.svc.LoginPassword(e.ctx, users.PasswordLoginInput{TenantID: "t1", Email: operatorEmail, Password: operatorPassword})
			require.NoError(b, err)
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

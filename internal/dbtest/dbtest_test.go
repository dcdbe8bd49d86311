package dbtest

import "testing"

func TestPostgresDecision(t *testing.T) {
	const dsn = "postgres://postgres@127.0.0.1:5432/test"
	for _, tc := range []struct {
		name, dsn, ci string
		want          decision
	}{
		{"DSN set outside CI", dsn, "", usePostgres},
		{"DSN set in CI", dsn, "true", usePostgres},
		{"DSN set, CI false", dsn, "false", usePostgres},
		{"no DSN outside CI", "", "", skipPostgres},
		{"no DSN, CI=false", "", "false", skipPostgres},
		{"no DSN, CI=0", "", "0", skipPostgres},
		{"no DSN, CI=true", "", "true", failPostgres},
		{"no DSN, CI=TRUE", "", "TRUE", failPostgres},
		{"no DSN, CI=1", "", "1", failPostgres},
		{"no DSN, CI=yes", "", "yes", failPostgres},
		{"no DSN, CI=on", "", "on", failPostgres},
		{"blank DSN, CI=1", "  ", "1", failPostgres},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := decide(tc.dsn, tc.ci); got != tc.want {
				t.Errorf("decide(%q, %q) = %v, want %v", tc.dsn, tc.ci, got, tc.want)
			}
		})
	}
}

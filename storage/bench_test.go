package storage_test

// Search benchmarks (issue 2, "Performance"). They run only with -bench:
//
//	CLIENTELE_TEST_POSTGRES=postgres://postgres@127.0.0.1:5432/test?sslmode=disable \
//	    go test -run '^$' -bench Search -benchtime 2s -count 5 ./storage
//
// BenchmarkSearchPostgres loads 1,000,000 clients (COPY) into the schema
// clientele_bench_v<version> of the test database the first time it runs and reuses
// it afterwards; a marker table written after the load (and VACUUM ANALYZE) tells a
// complete load from an interrupted one. Drop it with
//
//	psql "$CLIENTELE_TEST_POSTGRES" -c 'DROP SCHEMA clientele_bench_v1 CASCADE'
//
// BenchmarkSearchSQLite does the same with 100,000 clients in
// $TMPDIR/clientele-bench-v1.db (delete the file to reload). Both measure
// clients.Service.List, the code path of GET /clients/profile?filter=, and report
// the median and 99th percentile of per-call latency (p50-ms, p99-ms).
//
// CLIENTELE_BENCH_EXPLAIN=1 also prints, per case, the SQL the store issued (captured
// with a bun query hook), its plan (EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL,
// EXPLAIN QUERY PLAN on SQLite) and how many rows of the tenant match each
// substring.

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/clientele-go/clientele/authz"
	"github.com/clientele-go/clientele/clients"
	"github.com/clientele-go/clientele/internal/dbtest"
	"github.com/clientele-go/clientele/internal/testkit"
	"github.com/clientele-go/clientele/storage"
)

// benchVersion keys the stored data set: change it when the generator or the
// schema changes, and the next run loads a fresh copy.
const benchVersion = 1

const (
	benchRowsPostgres = 1_000_000
	benchRowsSQLite   = 100_000
	benchSeed         = 20261123
	benchPageSize     = 50
)

// Substrings searched with name~…, grouped by how many of the main tenant's
// 940,103 clients contain them (counts in BENCHMARKS.md; CLIENTELE_BENCH_EXPLAIN=1
// logs them). Each iteration takes the next substring of its group.
var benchSubstrings = []struct {
	name   string
	values []string
}{
	// 20,000–43,000 matches (2–4.5 %): the newest 50 are near the top.
	{"common", []string{"john", "ltd", "mary", "mwa", "grace", "ali", "otieno", "rot"}},
	// 5,000–15,000 matches (0.5–1.6 %).
	{"frequent", []string{"kiprotich", "savannah", "onyango", "ach", "sacco", "cheruiyot", "wairimu", "kosgei"}},
	// 1,000–4,000 matches (0.1–0.4 %).
	{"medium", []string{"amina", "akinyi", "kipchoge", "patel", "delta", "harvest", "tembo", "thaddeus"}},
	// 500–700 matches.
	{"uncommon", []string{"quigley", "quartermaine", "vexillum", "lindqvist", "zwolinski", "coldstream", "jubilant", "umberfield"}},
	// 6–111 matches (full names).
	{"rare", []string{"wanjiru kamau", "john smith", "amina otieno", "daniel wekesa", "grace tanaka", "kevin okafor", "priya patel", "omar farah"}},
	// No match at all.
	{"none", []string{"zzqx", "qwerty", "xylophone", "jabberwock", "kwyjibo", "snark", "plugh", "frobozz"}},
}

type benchEnv struct {
	db      *storage.DB
	svc     *clients.Service
	p       authz.Principal
	deep    []string // cursors of pages deep in the tenant, 20,000 rows apart
	explain bool
	kind    storage.Dialect
}

type captureKey struct{}

// captureHook stores the SQL of queries whose context carries a *string.
type captureHook struct{}

func (captureHook) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context { return ctx }

func (captureHook) AfterQuery(ctx context.Context, e *bun.QueryEvent) {
	if p, ok := ctx.Value(captureKey{}).(*string); ok {
		*p = e.Query
	}
}

var (
	pgEnvOnce, sqliteEnvOnce sync.Once
	pgEnv, sqliteEnv         *benchEnv
	pgEnvErr, sqliteEnvErr   error
)

func BenchmarkSearchPostgres(b *testing.B) {
	dsn := dbtest.PostgresDSN(b)
	pgEnvOnce.Do(func() { pgEnv, pgEnvErr = openPostgresBench(b, dsn) })
	if pgEnvErr != nil {
		b.Fatal(pgEnvErr)
	}
	runSearchBenchmarks(b, pgEnv)
}

func BenchmarkSearchSQLite(b *testing.B) {
	if testing.Short() {
		b.Skip("loads 100,000 clients")
	}
	sqliteEnvOnce.Do(func() { sqliteEnv, sqliteEnvErr = openSQLiteBench(b) })
	if sqliteEnvErr != nil {
		b.Fatal(sqliteEnvErr)
	}
	runSearchBenchmarks(b, sqliteEnv)
}

func benchSchema() string { return fmt.Sprintf("clientele_bench_v%d", benchVersion) }

// openBenchSchema prepares a benchmark's PostgreSQL schema: it makes sure
// pg_trgm exists, reports whether the schema holds a complete data set of want
// rows (the bench_meta marker its loader writes last), and returns the DSN
// whose search_path is the schema. The caller closes admin.
func openBenchSchema(ctx context.Context, dsn, schema string, want int) (admin *sql.DB, schemaDSN string, loaded bool, err error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return nil, "", false, err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	admin, err = sql.Open("pgx", dsn)
	if err != nil {
		return nil, "", false, err
	}
	if _, err := admin.ExecContext(ctx, "CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public"); err != nil {
		_ = admin.Close()
		return nil, "", false, err
	}
	var rows int
	err = admin.QueryRowContext(ctx, "SELECT rows FROM "+schema+".bench_meta").Scan(&rows)
	return admin, u.String(), err == nil && rows == want, nil
}

func openPostgresBench(b *testing.B, dsn string) (*benchEnv, error) {
	ctx := context.Background()
	schema := benchSchema()
	admin, schemaDSN, loaded, err := openBenchSchema(ctx, dsn, schema, benchRowsPostgres)
	if err != nil {
		return nil, err
	}
	defer admin.Close()
	if !loaded {
		b.Logf("loading %d clients into schema %s (once; reused by later runs)", benchRowsPostgres, schema)
		start := time.Now()
		if _, err := admin.ExecContext(ctx, "DROP SCHEMA IF EXISTS "+schema+" CASCADE"); err != nil {
			return nil, err
		}
		if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
			return nil, err
		}
		db, err := storage.Open(ctx, schemaDSN)
		if err != nil {
			return nil, err
		}
		err = loadBench(ctx, db, benchRowsPostgres)
		_ = db.Close()
		if err != nil {
			return nil, err
		}
		b.Logf("COPY done in %s", time.Since(start).Round(time.Second))
		if _, err := admin.ExecContext(ctx, "VACUUM ANALYZE "+schema+".clients"); err != nil {
			return nil, err
		}
		if _, err := admin.ExecContext(ctx, fmt.Sprintf("CREATE TABLE %s.bench_meta AS SELECT %d::bigint AS rows, now() AS loaded_at", schema, benchRowsPostgres)); err != nil {
			return nil, err
		}
		b.Logf("loaded and analyzed in %s", time.Since(start).Round(time.Second))
	}
	db, err := storage.Open(ctx, schemaDSN)
	if err != nil {
		return nil, err
	}
	return newBenchEnv(ctx, db)
}

func openSQLiteBench(b *testing.B) (*benchEnv, error) {
	ctx := context.Background()
	path := filepath.Join(os.TempDir(), fmt.Sprintf("clientele-bench-v%d.db", benchVersion))
	db, err := storage.Open(ctx, "sqlite://"+path)
	if err != nil {
		return nil, err
	}
	var rows int
	err = db.BenchSQLDB().QueryRowContext(ctx, "SELECT rows FROM bench_meta").Scan(&rows)
	if err != nil || rows != benchRowsSQLite {
		_ = db.Close()
		for _, suffix := range []string{"", "-wal", "-shm"} {
			if err := os.Remove(path + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
				return nil, err
			}
		}
		b.Logf("loading %d clients into %s (once; reused by later runs)", benchRowsSQLite, path)
		start := time.Now()
		if db, err = storage.Open(ctx, "sqlite://"+path); err != nil {
			return nil, err
		}
		if err := loadBench(ctx, db, benchRowsSQLite); err != nil {
			return nil, err
		}
		for _, stmt := range []string{
			"ANALYZE",
			fmt.Sprintf("CREATE TABLE bench_meta AS SELECT %d AS rows", benchRowsSQLite),
		} {
			if _, err := db.BenchSQLDB().ExecContext(ctx, stmt); err != nil {
				return nil, err
			}
		}
		b.Logf("loaded and analyzed in %s", time.Since(start).Round(time.Second))
	}
	return newBenchEnv(ctx, db)
}

func loadBench(ctx context.Context, db *storage.DB, n int) error {
	for _, t := range storage.BenchTenants {
		if err := db.Tenants().Create(ctx, testkit.Tenant(t.ID)); err != nil {
			return err
		}
	}
	return db.BenchLoadClients(ctx, n, storage.NewBenchGen(benchSeed).Next)
}

func newBenchEnv(ctx context.Context, db *storage.DB) (*benchEnv, error) {
	db.BenchAddQueryHook(captureHook{})
	svc, err := clients.New(db.Clients(), testkit.AllowAll{})
	if err != nil {
		return nil, err
	}
	env := &benchEnv{
		db: db, svc: svc, kind: db.Dialect(),
		p:       testkit.Staff(storage.BenchTenants[0].ID, "bench"),
		explain: os.Getenv("CLIENTELE_BENCH_EXPLAIN") != "",
	}
	rows, err := db.BenchSQLDB().QueryContext(ctx, `SELECT id FROM (
		SELECT id, row_number() OVER (ORDER BY id DESC) AS rn FROM clients WHERE tenant_id = '`+env.p.TenantID+`'
	) s WHERE rn % 20000 = 0 ORDER BY id DESC`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		// The cursor format of clients.Page.NextCursor; List rejects anything else.
		env.deep = append(env.deep, base64.RawURLEncoding.EncodeToString([]byte("c1:"+id)))
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(env.deep) == 0 {
		return nil, errors.New("no deep cursors")
	}
	return env, nil
}

// benchCase is one measured query shape: req(i) gives the request of iteration i.
type benchCase struct {
	name string
	req  func(i int) clients.ListRequest
}

func rotate(filters []string) func(int) clients.ListRequest {
	return func(i int) clients.ListRequest {
		return clients.ListRequest{Filter: filters[i%len(filters)], Limit: benchPageSize}
	}
}

func runSearchBenchmarks(b *testing.B, env *benchEnv) {
	var cases []benchCase
	for _, g := range benchSubstrings {
		filters := make([]string, len(g.values))
		for i, v := range g.values {
			filters[i] = fmt.Sprintf("name~%q", v)
		}
		cases = append(cases, benchCase{"name/" + g.name, rotate(filters)})
	}
	// Every substring in turn: the figure the substring target is about.
	var mixed []string
	for i := range benchSubstrings[0].values {
		for _, g := range benchSubstrings {
			mixed = append(mixed, fmt.Sprintf("name~%q", g.values[i]))
		}
	}
	cases = append([]benchCase{{"name/mixed", rotate(mixed)}}, cases...)
	cases = append(cases,
		benchCase{"status_type", rotate([]string{"status:active type:corporate"})},
		benchCase{"status_type/rare", rotate([]string{"status:suspended type:corporate kyc:rejected"})},
		benchCase{"status_type/alternatives", rotate([]string{"status:active|suspended type:corporate"})},
		benchCase{"list/first_page", rotate([]string{""})},
		benchCase{"keyset/deep", func(i int) clients.ListRequest {
			return clients.ListRequest{Limit: benchPageSize, Cursor: env.deep[i%len(env.deep)]}
		}},
		benchCase{"keyset/deep_status_type", func(i int) clients.ListRequest {
			return clients.ListRequest{Filter: "status:active type:corporate", Limit: benchPageSize, Cursor: env.deep[i%len(env.deep)]}
		}},
		benchCase{"keyset/deep_name_common", func(i int) clients.ListRequest {
			return clients.ListRequest{Filter: "name~john", Limit: benchPageSize, Cursor: env.deep[i%len(env.deep)]}
		}},
	)
	ctx := context.Background()
	if env.explain {
		logSubstringCounts(b, env)
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			if env.explain && c.name != "name/mixed" {
				seen := map[clients.ListRequest]bool{}
				for i := range 8 {
					if req := c.req(i); !seen[req] {
						seen[req] = true
						explainCase(b, env, c.name, req)
					}
				}
			}
			lat := make([]time.Duration, 0, 4096)
			found := 0
			i := 0
			for b.Loop() {
				start := time.Now()
				page, err := env.svc.List(ctx, env.p, c.req(i))
				lat = append(lat, time.Since(start))
				if err != nil {
					b.Fatal(err)
				}
				found += len(page.Clients)
				i++
			}
			reportLatency(b, lat)
			b.ReportMetric(float64(found)/float64(len(lat)), "rows/op")
		})
	}
	// Follow NextCursor from the newest client on: every page, shallow or deep.
	b.Run("keyset/walk", func(b *testing.B) {
		lat := make([]time.Duration, 0, 4096)
		cursor := ""
		for b.Loop() {
			start := time.Now()
			page, err := env.svc.List(ctx, env.p, clients.ListRequest{Limit: benchPageSize, Cursor: cursor})
			lat = append(lat, time.Since(start))
			if err != nil {
				b.Fatal(err)
			}
			cursor = page.NextCursor
		}
		reportLatency(b, lat)
	})
}

func reportLatency(b *testing.B, lat []time.Duration) {
	slices.Sort(lat)
	pct := func(p float64) float64 {
		return float64(lat[int(p*float64(len(lat)-1)+0.5)]) / float64(time.Millisecond)
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}

// explainCase logs the SQL the store issues for req and the database's plan of it.
func explainCase(b *testing.B, env *benchEnv, name string, req clients.ListRequest) {
	var query string
	ctx := context.WithValue(context.Background(), captureKey{}, &query)
	if _, err := env.svc.List(ctx, env.p, req); err != nil {
		b.Fatal(err)
	}
	prefix := "EXPLAIN (ANALYZE, BUFFERS) "
	if env.kind == storage.SQLite {
		prefix = "EXPLAIN QUERY PLAN "
	}
	rows, err := env.db.BenchSQLDB().QueryContext(context.Background(), prefix+query)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var plan strings.Builder
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			b.Fatal(err)
		}
		fmt.Fprintln(&plan, vals[len(vals)-1])
	}
	// Printed rather than logged: benchmark logs are cut to a few lines.
	fmt.Printf("=== %s: filter %q, cursor %v\n%s\n%s\n", name, req.Filter, req.Cursor != "", query, plan.String())
}

func logSubstringCounts(b *testing.B, env *benchEnv) {
	var out strings.Builder
	for _, g := range benchSubstrings {
		for _, v := range g.values {
			var n int
			err := env.db.BenchSQLDB().QueryRow("SELECT count(*) FROM clients WHERE tenant_id = '" + env.p.TenantID + "' AND name_search LIKE '%" + v + "%'").Scan(&n)
			if err != nil {
				b.Fatal(err)
			}
			fmt.Fprintf(&out, "%s %q: %d\n", g.name, v, n)
		}
	}
	fmt.Printf("rows of %s matching each substring:\n%s", env.p.TenantID, out.String())
}

package bench

import (
	"flag"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	"github.com/clientele-go/clientele/authz"
	"github.com/stretchr/testify/require"
)

var ratios = flag.Bool("ratios", false, "TestRatios: benchmark Decide and Casbin and log the ratios")

// spec is the benchmark catalogue: 5 roles (seed 002's RP001–RP005),
// 8 permissions (seed 002's six, the employee-account permission and role
// administration) and 2 policies (P_RE_001, P_RE_002).
func spec() authz.Spec {
	re := authz.RetailEngine()
	s := authz.Spec{Name: "bench", StaffPermission: authz.PermStaffAccounts}
	s.Permissions = append(s.Permissions, re.Permissions[:6]...)
	for _, p := range re.Permissions {
		if p.Code == authz.PermStaffAccounts || p.Code == authz.PermRoleAdmin {
			s.Permissions = append(s.Permissions, p)
		}
	}
	s.Roles = append(s.Roles, re.Roles[:5]...)
	s.Roles[0].Permissions = append(s.Roles[0].Permissions, authz.PermStaffAccounts, authz.PermRoleAdmin)
	s.Policies = re.Policies
	return s
}

// Casbin request values. They implement casbin.CacheableParam so the cached
// enforcer can key on them.
type subject struct {
	Name        string // the user; g(user, role) holds its roles
	AssociateID string
}

func (s *subject) GetCacheKey() string { return s.Name + "|" + s.AssociateID }

type object struct {
	ClientID string
	Assigned []string
}

func (o *object) GetCacheKey() string { return o.ClientID + "|" + strings.Join(o.Assigned, ",") }

type tenant struct{ Retail string }

func (t *tenant) GetCacheKey() string { return t.Retail }

// The same semantics in Casbin: RBAC (g: user → role), one policy line per role
// and operation the role grants, P_RE_002 as the line's eval() condition
// (RP002's CL004 only), and P_RE_001 in the matcher for every operation.
const casbinModel = `
[request_definition]
r = sub, act, obj, org

[policy_definition]
p = role, act, cond

[role_definition]
g = _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = g(r.sub.Name, p.role) && r.act == p.act && r.org.Retail == "active" && eval(p.cond)
`

const assignedCond = `r.obj.ClientID != "" && assigned(r.obj.Assigned, r.sub.AssociateID)`

func casbinRules(s authz.Spec) [][]string {
	perms := s.PermissionMap()
	var rules [][]string
	for _, r := range s.Roles {
		var ops []authz.Operation
		for _, pc := range r.Permissions {
			for _, op := range perms[pc].Operations {
				if !slices.Contains(ops, op) {
					ops = append(ops, op)
				}
			}
		}
		for _, op := range ops {
			cond := "true"
			if r.Code == "RP002" && op == authz.OpUpdateClient {
				cond = assignedCond
			}
			rules = append(rules, []string{r.Code, string(op), cond})
		}
	}
	return rules
}

func assignedFunc(args ...interface{}) (interface{}, error) {
	set, _ := args[0].([]string)
	id, _ := args[1].(string)
	return id != "" && slices.Contains(set, id), nil
}

// users are every single role and every ordered pair of roles, named by them.
func users(s authz.Spec) [][]string {
	var out [][]string
	for _, a := range s.Roles {
		out = append(out, []string{a.Code})
		for _, b := range s.Roles {
			if a.Code != b.Code {
				out = append(out, []string{a.Code, b.Code})
			}
		}
	}
	return out
}

type enforcer interface {
	Enforce(rvals ...interface{}) (bool, error)
}

func newCasbin(t testing.TB, cached bool) enforcer {
	m, err := model.NewModelFromString(casbinModel)
	require.NoError(t, err)
	var e *casbin.Enforcer
	var out enforcer
	if cached {
		ce, err := casbin.NewCachedEnforcer(m)
		require.NoError(t, err)
		e, out = ce.Enforcer, ce
	} else {
		e, err = casbin.NewEnforcer(m)
		require.NoError(t, err)
		out = e
	}
	e.AddFunction("assigned", assignedFunc)
	_, err = e.AddPolicies(casbinRules(spec()))
	require.NoError(t, err)
	for _, u := range users(spec()) {
		for _, r := range u {
			_, err = e.AddGroupingPolicy(strings.Join(u, "+"), r)
			require.NoError(t, err)
		}
	}
	return out
}

func newDecide(t testing.TB) *authz.Catalogue {
	c, err := authz.Compile(spec())
	require.NoError(t, err)
	return c
}

// TestSameDecisions checks that the Casbin model decides as Decide does for
// every user (one or two roles) × operation × resource × subscription state.
func TestSameDecisions(t *testing.T) {
	cat := newDecide(t)
	plain, cached := newCasbin(t, false), newCasbin(t, true)
	// member.clients is the acting associate's data scope, which the store
	// resolves (Resource.InMemberScope); the Casbin model is given the same
	// fact as the client's assigned associates.
	resources := []authz.Resource{
		{ClientID: "c1", AssignedAssociates: []string{"a1"}, InMemberScope: authz.InScope},
		{ClientID: "c1", AssignedAssociates: []string{"a2"}, InMemberScope: authz.OutOfScope},
		{},
	}
	n := 0
	for _, u := range users(spec()) {
		for _, op := range authz.Operations() {
			if op.Type() != authz.Backoffice {
				continue
			}
			for _, res := range resources {
				for _, state := range []string{"active", "inactive"} {
					p := authz.Principal{TenantID: "t", Kind: authz.Backoffice, Roles: u, AssociateID: "a1"}
					org := authz.Org{TenantID: "t", Apps: map[string]string{authz.AppRetail: state}}
					want := cat.Decide(p, org, op, res).Allowed
					sub := &subject{Name: strings.Join(u, "+"), AssociateID: "a1"}
					obj := &object{ClientID: res.ClientID, Assigned: res.AssignedAssociates}
					for _, e := range []enforcer{plain, cached} {
						got, err := e.Enforce(sub, string(op), obj, &tenant{Retail: state})
						require.NoError(t, err)
						require.Equal(t, want, got, "%v %s %+v %s", u, op, res, state)
					}
					n++
				}
			}
		}
	}
	t.Logf("%d decisions agree", n)
}

// The benchmark request: a principal with 2 roles (RP005, RP002) updating a
// client assigned to it, so RP002's grant is qualified by P_RE_002 and P_RE_001
// is evaluated too.
var (
	benchPrincipal = authz.Principal{TenantID: "t", Kind: authz.Backoffice, Roles: []string{"RP005", "RP002"}, AssociateID: "a1"}
	benchOrg       = authz.Org{TenantID: "t", Apps: map[string]string{authz.AppRetail: "active"}}
	benchResource  = authz.Resource{ClientID: "c1", AssignedAssociates: []string{"a9", "a1"}, InMemberScope: authz.InScope}
	benchSubject   = &subject{Name: "RP005+RP002", AssociateID: "a1"}
	benchObject    = &object{ClientID: "c1", Assigned: []string{"a9", "a1"}}
	benchTenant    = &tenant{Retail: "active"}
)

func benchDecide(b *testing.B) {
	cat := newDecide(b)
	if !cat.Decide(benchPrincipal, benchOrg, authz.OpUpdateClient, benchResource).Allowed {
		b.Fatal("Decide denies")
	}
	b.ReportAllocs()
	for b.Loop() {
		cat.Decide(benchPrincipal, benchOrg, authz.OpUpdateClient, benchResource)
	}
}

func benchCasbin(cached bool) func(b *testing.B) {
	return func(b *testing.B) {
		e := newCasbin(b, cached)
		if ok, err := e.Enforce(benchSubject, string(authz.OpUpdateClient), benchObject, benchTenant); !ok || err != nil {
			b.Fatalf("Casbin denies: %v", err)
		}
		b.ReportAllocs()
		for b.Loop() {
			_, _ = e.Enforce(benchSubject, string(authz.OpUpdateClient), benchObject, benchTenant)
		}
	}
}

func BenchmarkAuthorize(b *testing.B) {
	b.Run("Decide", benchDecide)
	b.Run("CasbinPlain", benchCasbin(false))
	b.Run("CasbinCached", benchCasbin(true))
}

// TestRatios runs the three benchmarks in one process and logs the ratios:
//
//	go test -run Ratios -ratios -v
func TestRatios(t *testing.T) {
	if !*ratios {
		t.Skip("pass -ratios to run")
	}
	d := testing.Benchmark(benchDecide)
	p := testing.Benchmark(benchCasbin(false))
	c := testing.Benchmark(benchCasbin(true))
	line := func(name string, r testing.BenchmarkResult) string {
		return fmt.Sprintf("%-13s %10.1f ns/op %6d allocs/op", name, float64(r.T.Nanoseconds())/float64(r.N), r.AllocsPerOp())
	}
	ns := func(r testing.BenchmarkResult) float64 { return float64(r.T.Nanoseconds()) / float64(r.N) }
	t.Log(line("Decide", d))
	t.Log(line("CasbinPlain", p))
	t.Log(line("CasbinCached", c))
	t.Logf("Decide is %.0fx faster than Casbin's plain enforcer and %.1fx faster than its cached enforcer",
		ns(p)/ns(d), ns(c)/ns(d))
}

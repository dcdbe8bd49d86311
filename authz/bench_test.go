package authz

import (
	"context"
	"testing"
)

// benchSpec is the catalogue of the benchmark: 5 roles, 8 permissions,
// 2 policies (seed 002's tables plus the employee-account and a role permission).
func benchSpec() Spec {
	re := RetailEngine()
	s := Spec{Name: "bench", StaffPermission: PermStaffAccounts}
	s.Permissions = append(s.Permissions, re.Permissions[:6]...)
	for _, p := range re.Permissions {
		if p.Code == PermStaffAccounts || p.Code == PermRoleAdmin {
			s.Permissions = append(s.Permissions, p)
		}
	}
	s.Roles = append(s.Roles, re.Roles[:5]...)
	s.Roles[0].Permissions = append(s.Roles[0].Permissions, PermStaffAccounts, PermRoleAdmin)
	s.Policies = re.Policies
	return s
}

func BenchmarkDecide(b *testing.B) {
	cat, err := Compile(benchSpec())
	if err != nil {
		b.Fatal(err)
	}
	org := Org{TenantID: "t1", Apps: map[string]string{AppRetail: "active"}}
	cases := []struct {
		name string
		p    Principal
		op   Operation
		r    Resource
		want bool
	}{
		// RP002's grant of CL004 is qualified by P_RE_002; both policies evaluated.
		{"RoleBoundAllowed", Principal{TenantID: "t1", Kind: Backoffice, Roles: []string{"RP005", "RP002"}, AssociateID: "a1"},
			OpUpdateClient, Resource{ClientID: "c1", AssignedAssociates: []string{"a9", "a1"}, InMemberScope: InScope}, true},
		{"RoleBoundDenied", Principal{TenantID: "t1", Kind: Backoffice, Roles: []string{"RP005", "RP002"}, AssociateID: "a1"},
			OpUpdateClient, Resource{ClientID: "c1", AssignedAssociates: []string{"a9"}, InMemberScope: OutOfScope}, false},
		{"Unconditional", Principal{TenantID: "t1", Kind: Backoffice, Roles: []string{"RP003", "RP005"}},
			OpResetDevicePIN, Resource{ClientID: "c1"}, true},
		{"Missing", Principal{TenantID: "t1", Kind: Backoffice, Roles: []string{"RP003", "RP004"}},
			OpArchiveClient, Resource{ClientID: "c1"}, false},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			if d := cat.Decide(c.p, org, c.op, c.r); d.Allowed != c.want {
				b.Fatalf("Decide = %+v, want allowed=%v", d, c.want)
			}
			b.ReportAllocs()
			for b.Loop() {
				cat.Decide(c.p, org, c.op, c.r)
			}
		})
	}
}

// TestDecideAllocs keeps the benchmark's promise in every test run: Decide
// allocates nothing, allowing or denying.
func TestDecideAllocs(t *testing.T) {
	cat, err := Compile(benchSpec())
	if err != nil {
		t.Fatal(err)
	}
	org := Org{TenantID: "t1", Apps: map[string]string{AppRetail: "active"}}
	p := Principal{TenantID: "t1", Kind: Backoffice, Roles: []string{"RP005", "RP002"}, AssociateID: "a1"}
	for _, r := range []Resource{
		{ClientID: "c1", AssignedAssociates: []string{"a1"}, InMemberScope: InScope},
		{ClientID: "c1", AssignedAssociates: []string{"a2"}, InMemberScope: OutOfScope},
		{ClientID: "c1", StaffOwned: true, AssignedAssociates: []string{"a1"}, InMemberScope: InScope},
	} {
		if n := testing.AllocsPerRun(100, func() { cat.Decide(p, org, OpUpdateClient, r) }); n > 0 {
			t.Errorf("Decide allocates %v times per call on %+v", n, r)
		}
	}
}

// BenchmarkAuthorizer measures the whole Authorize call on MemoryStore (cached
// catalogue; the org is fetched, and its map copied, on every call).
func BenchmarkAuthorizer(b *testing.B) {
	store := NewMemoryStore()
	if err := store.PutTenant(Org{TenantID: "t1", Apps: map[string]string{AppRetail: "active"}}, benchSpec()); err != nil {
		b.Fatal(err)
	}
	az, err := New(store, store)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	p := Principal{TenantID: "t1", Kind: Backoffice, Roles: []string{"RP005", "RP002"}, AssociateID: "a1"}
	r := Resource{ClientID: "c1", AssignedAssociates: []string{"a9", "a1"}, InMemberScope: InScope}
	if err := az.Authorize(ctx, p, OpUpdateClient, r); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = az.Authorize(ctx, p, OpUpdateClient, r)
	}
}

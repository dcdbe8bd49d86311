package authz

import "testing"

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
			OpUpdateClient, Resource{ClientID: "c1", AssignedAssociates: []string{"a9", "a1"}}, true},
		{"RoleBoundDenied", Principal{TenantID: "t1", Kind: Backoffice, Roles: []string{"RP005", "RP002"}, AssociateID: "a1"},
			OpUpdateClient, Resource{ClientID: "c1", AssignedAssociates: []string{"a9"}}, false},
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

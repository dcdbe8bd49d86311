package authz

import (
	"errors"
	"testing"
)

// FuzzCompilePolicy checks that the compiler never panics, that every failure is
// a *PolicyError pointing inside the condition, that the canonical form of a
// compiled condition compiles to itself, and that evaluation never panics. The
// committed seed corpus is in testdata/fuzz/FuzzCompilePolicy.
func FuzzCompilePolicy(f *testing.F) {
	f.Add("org.apps.retail eq active")
	f.Add("role eq RP002 AND member.clients contain {client}")
	f.Add(`NOT (client.office in (HQ, "B 2")) OR request.amount ge -10`)
	p := Principal{TenantID: "t", Kind: Backoffice, Roles: []string{"RP002"}, AssociateID: "a1", OfficeID: "o1"}
	org := Org{TenantID: "t", Apps: map[string]string{AppRetail: "active"}, ClientPortal: true}
	r := Resource{ClientID: "c1", OfficeID: "o1", AssignedAssociates: []string{"a1"}, StaffOwned: true, Amount: 10}
	f.Fuzz(func(t *testing.T, cond string) {
		cp, err := CompilePolicy(Policy{Code: "F", Condition: cond})
		if err != nil {
			var pe *PolicyError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T %v is not a *PolicyError", err, err)
			}
			if pe.Offset < 0 || pe.Offset > len(cond) || pe.Line < 1 || pe.Column < 1 || pe.Expected == "" {
				t.Fatalf("bad position in %v (offset %d, len %d)", err, pe.Offset, len(cond))
			}
			return
		}
		canon := cp.String()
		if len(canon) <= maxConditionLen {
			again, err := CompilePolicy(Policy{Code: "F", Condition: canon})
			if err != nil {
				t.Fatalf("canonical form %q of %q does not compile: %v", canon, cond, err)
			}
			if got := again.String(); got != canon {
				t.Fatalf("canonical form not stable: %q -> %q", canon, got)
			}
			if cp.Eval(p, org, OpUpdateClient, r) != again.Eval(p, org, OpUpdateClient, r) {
				t.Fatalf("canonical form %q evaluates differently", canon)
			}
		}
		cp.Eval(Principal{}, Org{}, "", Resource{})
	})
}

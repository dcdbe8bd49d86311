package authz

import (
	"errors"
	"testing"
)

// FuzzCompilePolicy checks that the compiler never panics, that every failure is
// a *PolicyError pointing inside the condition, that the canonical form of a
// compiled condition compiles to itself and evaluates the same, that NOT
// negates in three-valued logic, and that evaluation never panics. The
// committed seed corpus is in testdata/fuzz/FuzzCompilePolicy.
func FuzzCompilePolicy(f *testing.F) {
	f.Add("org.apps.retail eq active")
	f.Add("role eq RP002 AND member.clients contain {client}")
	f.Add(`NOT (client.office in (HQ, "B 2")) OR request.amount ge -10`)
	p := Principal{TenantID: "t", Kind: Backoffice, Roles: []string{"RP002"}, AssociateID: "a1", OfficeID: "o1"}
	org := Org{TenantID: "t", Apps: map[string]string{AppRetail: "active"}, ClientPortal: true}
	r := Resource{ClientID: "c1", OfficeID: "o1", AssignedAssociates: []string{"a1"}, InMemberScope: InScope, StaffOwned: true, Amount: 10}
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
			if cp.truth(p, org, OpUpdateClient, r) != again.truth(p, org, OpUpdateClient, r) {
				t.Fatalf("canonical form %q evaluates differently", canon)
			}
		}
		// NOT swaps true and false and keeps unknown, on a full request and on
		// an empty one (where most values are missing).
		if neg, err := CompilePolicy(Policy{Code: "F", Condition: "NOT (" + cond + ")"}); err == nil {
			for _, req := range []struct {
				p   Principal
				org Org
				r   Resource
			}{{p, org, r}, {}} {
				if a, b := cp.truth(req.p, req.org, OpUpdateClient, req.r), neg.truth(req.p, req.org, OpUpdateClient, req.r); a != -b {
					t.Fatalf("%q is %d but its negation %d", cond, a, b)
				}
			}
		}
		cp.Eval(Principal{}, Org{}, "", Resource{})
	})
}

package authz

import (
	"errors"
	"testing"

	"github.com/clientele-go/clientele"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCompilePolicyErrors(t *testing.T) {
	tests := []struct {
		cond     string
		line     int
		col      int
		expected string
	}{
		{"", 1, 1, "a condition"},
		{"org.apps.retail", 1, 16, "an operator"},
		{"org.apps.retail eq", 1, 19, "a value, an attribute or a placeholder"},
		{"org.apps.retial eq active", 1, 1, "a known attribute"},
		{"org.apps eq active", 1, 1, "a known attribute"},
		{"active eq org.apps.retail", 1, 1, "a known attribute"},
		{"role equals RP002", 1, 6, "an operator"},
		{"role eq RP002 AND", 1, 18, "an attribute, a placeholder, NOT or \"(\""},
		{"role eq RP002 AND member.clients contain {clients}", 1, 43, "a known placeholder"},
		{"role eq RP002 AND member.clients contain {client", 1, 49, "\"}\""},
		{"(role eq RP002", 1, 15, "\")\", AND or OR"},
		{"role eq RP002)", 1, 14, "AND, OR or end of condition"},
		{"role eq RP002 role eq RP003", 1, 15, "AND, OR or end of condition"},
		{"member.clients eq {client}", 1, 16, "contain or contains after member.clients"},
		{"request.amount gt big", 1, 19, "a number"},
		{"request.amount contains 5", 1, 16, "eq, ne, in, gt, ge, lt or le for a number"},
		{"org.clientPortal eq yes", 1, 21, "true or false"},
		{"client.office gt 3", 1, 15, "eq, ne, in or contain for a string"},
		{"client.office in 3", 1, 18, "a list"},
		{"request.amount in (1, x)", 1, 23, "a number"},
		{"role in (RP001 RP002)", 1, 16, "\",\" or \")\""},
		{`org.tenant eq "unterminated`, 1, 15, "a value, an attribute or a placeholder"},
		{"org.tenant eq 12ab", 1, 15, "a value, an attribute or a placeholder"},
		{"org.tenant eq @", 1, 15, "a value, an attribute or a placeholder"},
		{"role eq and", 1, 9, "a value, an attribute or a placeholder"},
		{"request.amount eq 99999999999999999999", 1, 19, "an integer that fits in 64 bits"},
		{"role eq RP001 AND role eq RP002", 1, 19, "one role-binding term"},
		{"role eq RP002 AND\n  nope eq 1", 2, 3, "a known attribute"},
	}
	for _, tt := range tests {
		t.Run(tt.cond, func(t *testing.T) {
			_, err := CompilePolicy(Policy{Code: "P1", Condition: tt.cond})
			require.Error(t, err)
			assert.ErrorIs(t, err, clientele.ErrInvalid)
			var pe *PolicyError
			require.True(t, errors.As(err, &pe), "%T", err)
			assert.Equal(t, tt.line, pe.Line, "line: %v", err)
			assert.Equal(t, tt.col, pe.Column, "column: %v", err)
			assert.Contains(t, pe.Expected, tt.expected, "%v", err)
			assert.Contains(t, err.Error(), "policy P1")
		})
	}
}

func TestCompilePolicyCanonical(t *testing.T) {
	tests := []struct{ in, want string }{
		{"org.apps.retail  eq active", `org.apps.retail eq "active"`},
		{"role eq RP002 AND member.clients contain {client}", `role eq "RP002" AND member.clients contain {client}`},
		{"ROLE Eq RP002 and member.clients CONTAINS {client}", ""}, // attribute names are case-sensitive
		{"role eq RP002 and member.clients CONTAINS {client}", `role eq "RP002" AND member.clients contain {client}`},
		{"not (a.b eq 1)", ""},
		{"NOT (client.staffOwned eq true) or member.office eq client.office",
			`NOT client.staffOwned eq true OR member.office eq client.office`},
		{`client.office in (HQ, "Branch 2") AND request.amount le -5`,
			`client.office in ("HQ", "Branch 2") AND request.amount le -5`},
		{`member.id in client.assigned`, `member.id in client.assigned`},
		{`org.tenant eq "say \"hi\" \\ there"`, `org.tenant eq "say \"hi\" \\ there"`},
		{"a OR b AND c", ""},
		{"op in (CL004, CL005) OR org.clientPortal eq FALSE AND role ne RP001",
			`op in ("CL004", "CL005") OR org.clientPortal eq false AND role ne "RP001"`},
		{"(op eq CL004 OR op eq CL005) AND NOT (role eq RP001 AND (role eq RP002))",
			`(op eq "CL004" OR op eq "CL005") AND NOT (role eq "RP001" AND role eq "RP002")`},
		{"op eq CL004 AND (op eq CL005 AND op eq CL006) OR (op eq CL007 OR op eq CL008)",
			`op eq "CL004" AND (op eq "CL005" AND op eq "CL006") OR (op eq "CL007" OR op eq "CL008")`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			cp, err := CompilePolicy(Policy{Code: "P", Condition: tt.in})
			if tt.want == "" {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, cp.String())
			again, err := CompilePolicy(Policy{Code: "P", Condition: cp.String()})
			require.NoError(t, err)
			assert.Equal(t, cp.String(), again.String())
		})
	}
}

func TestRoleBinding(t *testing.T) {
	cp, err := CompilePolicy(Policy{Condition: "role eq RP002 AND member.clients contain {client}"})
	require.NoError(t, err)
	assert.Equal(t, []string{"RP002"}, cp.RoleBound())
	cp, err = CompilePolicy(Policy{Condition: "client.office eq member.office AND role in (RP003, RP004)"})
	require.NoError(t, err)
	assert.Equal(t, []string{"RP003", "RP004"}, cp.RoleBound())
	for _, c := range []string{"org.apps.retail eq active", "role eq RP002 OR member.clients contain {client}", "NOT role eq RP002"} {
		cp, err = CompilePolicy(Policy{Condition: c})
		require.NoError(t, err)
		assert.Nil(t, cp.RoleBound(), c)
	}
}

func TestPolicyEval(t *testing.T) {
	p := Principal{TenantID: "t1", UserID: "u1", Kind: Backoffice, Roles: []string{"RP002", "RP005"},
		AssociateID: "a1", OfficeID: "o1"}
	org := Org{TenantID: "t1", Apps: map[string]string{AppRetail: "active", AppBackoffice: "inactive"}, ClientPortal: true}
	assigned := Resource{ClientID: "c1", OfficeID: "o1", AssignedAssociates: []string{"a0", "a1"}, InMemberScope: InScope, Amount: 500}
	other := Resource{ClientID: "c2", OfficeID: "o2", AssignedAssociates: []string{"a0"}, InMemberScope: OutOfScope,
		StaffOwned: true, StaffAssociateID: "a7", Amount: 5000}
	tests := []struct {
		cond       string
		onAssigned bool
		onOther    bool
	}{
		{"org.apps.retail eq active", true, true},
		{"org.apps.backoffice eq active", false, false},
		{"org.apps.backoffice ne active", true, true},
		{"org.clientPortal eq true", true, true},
		{"org.tenant eq t1", true, true},
		{"role eq RP002", true, true},
		{"role eq RP001", false, false},
		{"role ne RP001", true, true},
		{"role in (RP001, RP005)", true, true},
		{"role contains RP005", true, true},
		{"member.clients contain {client}", true, false},
		{"member.clients contains c1", true, false},
		{"role eq RP002 AND member.clients contain {client}", true, false},
		{"client.office eq member.office", true, false},
		{"client.office eq {office}", true, true},
		{"client.office in (o2, o3)", false, true},
		{"member.id in client.assigned", true, false},
		{"client.assigned contain member.id", true, false},
		{"client.staffOwned eq false", true, false},
		{"client.staffOwned eq true AND client.staffAssociate ne member.id", false, true},
		{"request.amount gt 1000", false, true},
		{"request.amount le 500", true, false},
		{"request.amount in (500, 5000)", true, true},
		{"request.amount ge 5000 OR NOT client.id eq c2", true, true},
		{"NOT (role eq RP002 OR role eq RP005)", false, false},
		{"member.kind eq backoffice AND op eq CL004", true, true},
		{`client.id contain "2"`, false, true},
		// An empty value never matches another attribute.
		{"member.client eq client.id", false, false},
		{"member.client ne client.id", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.cond, func(t *testing.T) {
			cp, err := CompilePolicy(Policy{Condition: tt.cond})
			require.NoError(t, err)
			assert.Equal(t, tt.onAssigned, cp.Eval(p, org, OpUpdateClient, assigned), "assigned")
			assert.Equal(t, tt.onOther, cp.Eval(p, org, OpUpdateClient, other), "other")
		})
	}
}

func TestPolicyLimits(t *testing.T) {
	deep := ""
	for range 70 {
		deep += "("
	}
	_, err := CompilePolicy(Policy{Condition: deep + "role eq x"})
	assert.ErrorIs(t, err, clientele.ErrInvalid)
	long := make([]byte, maxConditionLen+1)
	for i := range long {
		long[i] = ' '
	}
	_, err = CompilePolicy(Policy{Condition: string(long)})
	assert.ErrorIs(t, err, clientele.ErrInvalid)
}

package authz

import (
	"fmt"

	"github.com/clientele-go/clientele"
)

// The policy language is compiled in stages, one file each:
//
//	policy_lex.go    bytes to tokens
//	policy_parse.go  tokens to a syntax tree, by recursive descent
//	policy_attr.go   the attributes and placeholders a condition may name
//	policy_check.go  the type check of each comparison, run by the parser
//	policy_ast.go    the syntax tree and its canonical rendering
//	policy_eval.go   evaluating the tree for one request
//	policy.go        CompilePolicy: parse once, split off the role-binding
//	                 term; the compiled policy and its methods
//
// A condition is parsed and checked once; Decide only walks the checked tree.

// Limits that keep a hostile or broken condition from costing much to compile.
const (
	maxConditionLen = 4096
	maxDepth        = 64
)

// PolicyError is a condition that does not compile. It names the position (byte
// offset, and 1-based line and column) and what the compiler expected there, and
// unwraps to clientele.ErrInvalid.
type PolicyError struct {
	Policy   string // policy code, when known
	Offset   int    // byte offset of the offending token
	Line     int
	Column   int
	Expected string
	Found    string
}

func (e *PolicyError) Error() string {
	name := "condition"
	if e.Policy != "" {
		name = "policy " + e.Policy
	}
	return fmt.Sprintf("authz: %s: %d:%d: expected %s, found %s", name, e.Line, e.Column, e.Expected, e.Found)
}

// Unwrap makes errors.Is(err, clientele.ErrInvalid) true.
func (e *PolicyError) Unwrap() error { return clientele.ErrInvalid }

func newPolicyError(policy, src string, pos int, expected, found string) *PolicyError {
	line, col := 1, 1
	for i := 0; i < pos && i < len(src); i++ {
		if src[i] == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return &PolicyError{Policy: policy, Offset: pos, Line: line, Column: col, Expected: expected, Found: found}
}

// CompiledPolicy is a policy whose condition has been parsed and checked once;
// evaluating it does not parse again.
type CompiledPolicy struct {
	Policy
	root     *node
	residual *node    // root without its role-binding term, for role-bound policies
	bound    []string // roles the policy is bound to; empty: tenant-wide
	roleRefs []string // every role code the condition names
}

// CompilePolicy parses and type-checks p.Condition. A *PolicyError (wrapping
// clientele.ErrInvalid) gives the position and what was expected.
func CompilePolicy(p Policy) (*CompiledPolicy, error) {
	root, err := parse(p.Code, p.Condition)
	if err != nil {
		return nil, err
	}
	cp := &CompiledPolicy{Policy: p, root: root}
	collectRoles(root, &cp.roleRefs)

	var terms []*node
	flattenAnd(root, &terms)
	var rest []*node
	for _, t := range terms {
		if roles, ok := roleBinding(t); ok {
			if cp.bound != nil {
				return nil, newPolicyError(p.Code, p.Condition, t.lhs.pos,
					"one role-binding term (role eq CODE) per policy", "a second one")
			}
			cp.bound = roles
			continue
		}
		rest = append(rest, t)
	}
	if cp.bound != nil {
		cp.residual = &node{kind: nTrue}
		for i, t := range rest {
			if i == 0 {
				cp.residual = t
			} else {
				cp.residual = &node{kind: nAnd, l: cp.residual, r: t}
			}
		}
	}
	return cp, nil
}

func flattenAnd(n *node, out *[]*node) {
	if n.kind == nAnd {
		flattenAnd(n.l, out)
		flattenAnd(n.r, out)
		return
	}
	*out = append(*out, n)
}

func roleBinding(n *node) ([]string, bool) {
	if n.kind != nCmp || n.lhs.attr != aRole || n.lhs.kind != oAttr {
		return nil, false
	}
	switch {
	case n.cmp == cEq && n.rhs.kind == oStr:
		return []string{n.rhs.str}, true
	case n.cmp == cIn && n.rhs.kind == oList:
		return append([]string(nil), n.rhs.strs...), true
	}
	return nil, false
}

func collectRoles(n *node, out *[]string) {
	if n == nil {
		return
	}
	if n.kind == nCmp && n.lhs.attr == aRole && n.lhs.kind == oAttr {
		if n.rhs.kind == oStr {
			*out = append(*out, n.rhs.str)
		}
		*out = append(*out, n.rhs.strs...)
	}
	collectRoles(n.l, out)
	collectRoles(n.r, out)
}

// String is the condition in canonical form: every string quoted, operators in
// lower case, AND/OR/NOT in upper case, parentheses only where needed.
// Compiling it again gives the same policy.
func (c *CompiledPolicy) String() string { return c.root.String() }

// RoleBound returns the roles a role-bound policy qualifies, or nil for a
// tenant-wide policy.
func (c *CompiledPolicy) RoleBound() []string { return append([]string(nil), c.bound...) }

// Covers reports whether the policy applies to op.
func (c *CompiledPolicy) Covers(op Operation) bool {
	return len(c.Operations) == 0 || hasOp(c.Operations, op)
}

func hasOp(ops []Operation, op Operation) bool {
	for _, o := range ops {
		if o == op {
			return true
		}
	}
	return false
}

// Eval reports whether the whole condition holds for one request; "role eq X"
// means the principal holds X. The condition is evaluated in three-valued
// logic and holds only when it is true: false and unknown (a comparison that
// reads a missing value, and whatever that leaves undecided) do not hold.
func (c *CompiledPolicy) Eval(p Principal, org Org, op Operation, r Resource) bool {
	return c.truth(p, org, op, r) == tTrue
}

// truth is the three-valued value of the condition for one request.
func (c *CompiledPolicy) truth(p Principal, org Org, op Operation, r Resource) truth {
	e := env{p: &p, org: &org, r: &r, op: op}
	return eval(c.root, &e)
}

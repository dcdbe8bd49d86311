package authz

import "strings"

// truth is a value of three-valued (Kleene) logic. The zero value is unknown,
// and only true allows: a policy that cannot be decided denies.
type truth int8

const (
	tFalse   truth = -1
	tUnknown truth = 0
	tTrue    truth = 1
)

func toTruth(b bool) truth {
	if b {
		return tTrue
	}
	return tFalse
}

// env is what a condition reads. It lives on the caller's stack: eval does not
// retain it.
type env struct {
	p   *Principal
	org *Org
	r   *Resource
	op  Operation
}

// str returns a string operand's value; "" is a missing value (for a literal,
// the empty string itself: callers check dynamic()).
func (e *env) str(o *operand) string {
	switch o.kind {
	case oStr:
		return o.str
	case oAttr, oPlace:
		switch o.attr {
		case aOrgTenant:
			return e.org.TenantID
		case aOrgApp:
			return e.org.Apps[o.key]
		case aOp:
			return string(e.op)
		case aMemberID:
			return e.p.AssociateID
		case aMemberUser:
			return e.p.UserID
		case aMemberKind:
			if !validType(e.p.Kind) {
				return "" // not a kind: missing
			}
			return e.p.Kind.String()
		case aMemberOffice:
			return e.p.OfficeID
		case aMemberClient:
			return e.p.ClientID
		case aClientID:
			return e.r.ClientID
		case aClientOffice:
			return e.r.OfficeID
		case aClientStaffAssoc:
			return e.r.StaffAssociateID
		}
	}
	return ""
}

// known reports whether a string operand has a value: a literal always does
// (even ""), an attribute or placeholder unless it is empty.
func known(o *operand, v string) bool { return v != "" || !o.dynamic() }

// num returns a number operand's value. Numbers always have one: a call that
// moves nothing has amount 0.
func (e *env) num(o *operand) int64 {
	if o.kind == oNum {
		return o.num
	}
	if o.attr == aAmount {
		return e.r.Amount
	}
	return 0
}

// boolean returns a boolean operand's value. Booleans always have one: false
// is a value.
func (e *env) boolean(o *operand) bool {
	switch {
	case o.kind == oBool:
		return o.b
	case o.attr == aOrgPortal:
		return e.org.ClientPortal
	case o.attr == aClientStaffOwned:
		return e.r.StaffOwned
	}
	return false
}

// set returns a set attribute's members; an empty set is a missing value.
func (e *env) set(o *operand) []string {
	switch o.attr {
	case aRole:
		return e.p.Roles
	case aClientAssigned:
		return e.r.AssignedAssociates
	}
	return nil
}

func has(set []string, s string) bool {
	for _, x := range set {
		if x == s {
			return true
		}
	}
	return false
}

func hasAny(set, of []string) bool {
	for _, x := range of {
		if has(set, x) {
			return true
		}
	}
	return false
}

// eval evaluates n in Kleene's three-valued logic: NOT swaps true and false
// and keeps unknown; AND is false when either side is false, true when both
// are true, unknown otherwise; OR is true when either side is true, false when
// both are false, unknown otherwise. Each stops as soon as its left side
// decides it.
func eval(n *node, e *env) truth {
	switch n.kind {
	case nTrue:
		return tTrue
	case nAnd:
		l := eval(n.l, e)
		if l == tFalse {
			return tFalse
		}
		return min(l, eval(n.r, e))
	case nOr:
		l := eval(n.l, e)
		if l == tTrue {
			return tTrue
		}
		return max(l, eval(n.r, e))
	case nNot:
		return -eval(n.l, e)
	case nCmp:
		return compare(n, e)
	}
	return tUnknown
}

// compare evaluates one comparison: unknown when it reads a missing value (an
// empty string attribute or placeholder, an empty set), true or false
// otherwise.
func compare(n *node, e *env) truth {
	lhs, rhs := &n.lhs, &n.rhs
	switch lhs.typ {
	case vString:
		l := e.str(lhs)
		if !known(lhs, l) {
			return tUnknown
		}
		if n.cmp == cIn {
			if rhs.kind == oList {
				return toTruth(has(rhs.strs, l))
			}
			set := e.set(rhs)
			if len(set) == 0 {
				return tUnknown
			}
			return toTruth(has(set, l))
		}
		r := e.str(rhs)
		if !known(rhs, r) {
			return tUnknown
		}
		switch n.cmp {
		case cEq:
			return toTruth(l == r)
		case cNe:
			return toTruth(l != r)
		case cContain:
			return toTruth(strings.Contains(l, r))
		}
	case vNumber:
		l := e.num(lhs)
		if n.cmp == cIn {
			for _, x := range rhs.nums {
				if x == l {
					return tTrue
				}
			}
			return tFalse
		}
		r := e.num(rhs)
		switch n.cmp {
		case cEq:
			return toTruth(l == r)
		case cNe:
			return toTruth(l != r)
		case cGt:
			return toTruth(l > r)
		case cGe:
			return toTruth(l >= r)
		case cLt:
			return toTruth(l < r)
		case cLe:
			return toTruth(l <= r)
		}
	case vBool:
		l, r := e.boolean(lhs), e.boolean(rhs)
		if n.cmp == cEq {
			return toTruth(l == r)
		}
		return toTruth(l != r)
	case vSet:
		set := e.set(lhs)
		if len(set) == 0 {
			return tUnknown
		}
		if n.cmp == cIn {
			return toTruth(hasAny(set, rhs.strs))
		}
		r := e.str(rhs)
		if !known(rhs, r) {
			return tUnknown
		}
		if n.cmp == cNe {
			return toTruth(!has(set, r))
		}
		return toTruth(has(set, r))
	case vClients:
		// member.clients contain X: X is the client the call acts on and it
		// is in the data scope of the acting associate
		// (Resource.InMemberScope). Unknown when X, the call's client or the
		// associate is missing, when X is another client (only the call's
		// client's membership is known), or when the membership is unknown.
		x := e.str(rhs)
		if !known(rhs, x) || e.r.ClientID == "" || e.p.AssociateID == "" || x != e.r.ClientID {
			return tUnknown
		}
		switch e.r.InMemberScope {
		case InScope:
			return tTrue
		case OutOfScope:
			return tFalse
		}
		return tUnknown
	}
	return tUnknown
}

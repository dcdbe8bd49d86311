package authz

import "strings"

// env is what a condition reads. It lives on the caller's stack: eval does not
// retain it.
type env struct {
	p   *Principal
	org *Org
	r   *Resource
	op  Operation
}

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

func (e *env) num(o *operand) int64 {
	if o.kind == oNum {
		return o.num
	}
	if o.attr == aAmount {
		return e.r.Amount
	}
	return 0
}

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

// eval evaluates n. A comparison between a value and an empty attribute or
// placeholder value is false (an unknown value never matches).
func eval(n *node, e *env) bool {
	switch n.kind {
	case nTrue:
		return true
	case nAnd:
		return eval(n.l, e) && eval(n.r, e)
	case nOr:
		return eval(n.l, e) || eval(n.r, e)
	case nNot:
		return !eval(n.l, e)
	case nCmp:
		return compare(n, e)
	}
	return false
}

func compare(n *node, e *env) bool {
	lhs, rhs := &n.lhs, &n.rhs
	switch lhs.typ {
	case vString:
		l := e.str(lhs)
		if l == "" {
			return false
		}
		if n.cmp == cIn {
			if rhs.kind == oList {
				return has(rhs.strs, l)
			}
			return has(e.set(rhs), l)
		}
		r := e.str(rhs)
		if r == "" && rhs.dynamic() {
			return false
		}
		switch n.cmp {
		case cEq:
			return l == r
		case cNe:
			return l != r
		case cContain:
			return strings.Contains(l, r)
		}
	case vNumber:
		l := e.num(lhs)
		if n.cmp == cIn {
			for _, x := range rhs.nums {
				if x == l {
					return true
				}
			}
			return false
		}
		r := e.num(rhs)
		switch n.cmp {
		case cEq:
			return l == r
		case cNe:
			return l != r
		case cGt:
			return l > r
		case cGe:
			return l >= r
		case cLt:
			return l < r
		case cLe:
			return l <= r
		}
	case vBool:
		l, r := e.boolean(lhs), e.boolean(rhs)
		if n.cmp == cEq {
			return l == r
		}
		return l != r
	case vSet:
		set := e.set(lhs)
		if n.cmp == cIn {
			return hasAny(set, rhs.strs)
		}
		r := e.str(rhs)
		if r == "" {
			return false
		}
		if n.cmp == cNe {
			return !has(set, r)
		}
		return has(set, r)
	case vClients:
		// member.clients contain X: X is the client the call acts on and the
		// acting associate is assigned to it.
		x := e.str(rhs)
		return x != "" && x == e.r.ClientID && e.p.AssociateID != "" &&
			has(e.r.AssignedAssociates, e.p.AssociateID)
	}
	return false
}

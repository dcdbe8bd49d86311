package authz

import "strconv"

func (p *parser) check(lhs *operand, cmp cmpOp, rhs *operand, opPos int) {
	scalar := func(t vtype) {
		if rhs.typ != t {
			p.fail(rhs.pos, t.String(), rhs.describe())
		}
	}
	switch lhs.typ {
	case vString:
		switch cmp {
		case cEq, cNe, cContain:
			scalar(vString)
		case cIn:
			if rhs.kind != oList && rhs.typ != vSet {
				p.fail(rhs.pos, "a list (a, b, …) or a set attribute", rhs.describe())
			}
		default:
			p.fail(opPos, "eq, ne, in or contain for a string", cmp.String())
		}
	case vNumber:
		switch cmp {
		case cContain:
			p.fail(opPos, "eq, ne, in, gt, ge, lt or le for a number", cmp.String())
		case cIn:
			if rhs.kind != oList {
				p.fail(rhs.pos, "a list of numbers", rhs.describe())
			}
		default:
			scalar(vNumber)
		}
	case vBool:
		if cmp != cEq && cmp != cNe {
			p.fail(opPos, "eq or ne for true/false", cmp.String())
		}
		scalar(vBool)
	case vSet:
		switch cmp {
		case cEq, cNe, cContain:
			scalar(vString)
		case cIn:
			if rhs.kind != oList {
				p.fail(rhs.pos, "a list (a, b, …)", rhs.describe())
			}
		default:
			p.fail(opPos, "eq, ne, in or contain for a set", cmp.String())
		}
	case vClients:
		if cmp != cContain {
			p.fail(opPos, "contain or contains after member.clients", cmp.String())
		}
		scalar(vString)
	}
}

func (o *operand) describe() string {
	switch o.kind {
	case oStr:
		return strconv.Quote(o.str)
	case oNum:
		return strconv.FormatInt(o.num, 10)
	case oBool:
		return strconv.FormatBool(o.b)
	case oList:
		return "a list"
	}
	return o.render() + " (" + o.typ.String() + ")"
}

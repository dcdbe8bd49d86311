package authz

import (
	"strconv"
	"strings"
)

type cmpOp uint8

const (
	cEq cmpOp = iota + 1
	cNe
	cIn
	cContain
	cGt
	cGe
	cLt
	cLe
)

func (c cmpOp) String() string {
	switch c {
	case cEq:
		return "eq"
	case cNe:
		return "ne"
	case cIn:
		return "in"
	case cContain:
		return "contain"
	case cGt:
		return "gt"
	case cGe:
		return "ge"
	case cLt:
		return "lt"
	case cLe:
		return "le"
	}
	return "?"
}

func parseCmp(word string) (cmpOp, bool) {
	switch strings.ToLower(word) {
	case "eq":
		return cEq, true
	case "ne":
		return cNe, true
	case "in":
		return cIn, true
	case "contain", "contains":
		return cContain, true
	case "gt":
		return cGt, true
	case "ge":
		return cGe, true
	case "lt":
		return cLt, true
	case "le":
		return cLe, true
	}
	return 0, false
}

func isKeyword(word string) bool {
	switch strings.ToLower(word) {
	case "and", "or", "not":
		return true
	}
	_, ok := parseCmp(word)
	return ok
}

type opdKind uint8

const (
	oAttr opdKind = iota + 1
	oPlace
	oStr
	oNum
	oBool
	oList
)

type operand struct {
	kind opdKind
	typ  vtype
	attr attrID
	key  string // org.apps key, or placeholder name
	str  string
	num  int64
	b    bool
	strs []string // oList of strings
	nums []int64  // oList of numbers
	pos  int
}

func (o *operand) dynamic() bool { return o.kind == oAttr || o.kind == oPlace }

type nodeKind uint8

const (
	nTrue nodeKind = iota + 1
	nAnd
	nOr
	nNot
	nCmp
)

type node struct {
	kind     nodeKind
	l, r     *node
	cmp      cmpOp
	lhs, rhs operand
}

func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

func (o *operand) render() string {
	switch o.kind {
	case oAttr:
		return attrPath(o.attr, o.key)
	case oPlace:
		return "{" + o.key + "}"
	case oStr:
		return quote(o.str)
	case oNum:
		return strconv.FormatInt(o.num, 10)
	case oBool:
		return strconv.FormatBool(o.b)
	case oList:
		parts := make([]string, 0, len(o.strs)+len(o.nums))
		for _, s := range o.strs {
			parts = append(parts, quote(s))
		}
		for _, n := range o.nums {
			parts = append(parts, strconv.FormatInt(n, 10))
		}
		return "(" + strings.Join(parts, ", ") + ")"
	}
	return "?"
}

func (n *node) String() string {
	var b strings.Builder
	n.write(&b, 0)
	return b.String()
}

// write renders n with the fewest parentheses that keep its structure: OR binds
// loosest, then AND, then NOT; both are left-associative.
func (n *node) write(b *strings.Builder, parent int) {
	bin := func(prec int, op string) {
		if parent > prec {
			b.WriteByte('(')
		}
		n.l.write(b, prec)
		b.WriteString(op)
		n.r.write(b, prec+1)
		if parent > prec {
			b.WriteByte(')')
		}
	}
	switch n.kind {
	case nTrue:
		b.WriteString("true")
	case nOr:
		bin(1, " OR ")
	case nAnd:
		bin(2, " AND ")
	case nNot:
		b.WriteString("NOT ")
		n.l.write(b, 3)
	case nCmp:
		b.WriteString(n.lhs.render())
		b.WriteByte(' ')
		b.WriteString(n.cmp.String())
		b.WriteByte(' ')
		b.WriteString(n.rhs.render())
	}
}

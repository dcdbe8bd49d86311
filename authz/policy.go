package authz

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/clientele-go/clientele"
)

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

// ---- lexer ----

type tokKind uint8

const (
	tEOF tokKind = iota
	tIdent
	tPath // dotted identifier: org.apps.retail
	tString
	tNumber
	tLParen
	tRParen
	tComma
	tLBrace
	tRBrace
	tBad
)

type token struct {
	kind tokKind
	text string // identifier, path, number text, or unquoted string value
	pos  int
}

func isIdentStart(c byte) bool {
	return c == '_' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
}

func isIdentChar(c byte) bool {
	return isIdentStart(c) || ('0' <= c && c <= '9') || c == '-'
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// lex splits src into tokens. A bad character or an unterminated string becomes
// a tBad token the parser reports.
func lex(src string) []token {
	var toks []token
	i := 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '(':
			toks = append(toks, token{tLParen, "(", i})
			i++
		case c == ')':
			toks = append(toks, token{tRParen, ")", i})
			i++
		case c == ',':
			toks = append(toks, token{tComma, ",", i})
			i++
		case c == '{':
			toks = append(toks, token{tLBrace, "{", i})
			i++
		case c == '}':
			toks = append(toks, token{tRBrace, "}", i})
			i++
		case c == '"':
			start := i
			var b strings.Builder
			i++
			closed := false
			for i < len(src) {
				if src[i] == '\\' && i+1 < len(src) && (src[i+1] == '"' || src[i+1] == '\\') {
					b.WriteByte(src[i+1])
					i += 2
					continue
				}
				if src[i] == '"' {
					closed = true
					i++
					break
				}
				b.WriteByte(src[i])
				i++
			}
			if !closed {
				return append(toks, token{tBad, "unterminated string", start})
			}
			toks = append(toks, token{tString, b.String(), start})
		case isDigit(c) || (c == '-' && i+1 < len(src) && isDigit(src[i+1])):
			start := i
			i++
			for i < len(src) && isDigit(src[i]) {
				i++
			}
			if i < len(src) && (isIdentStart(src[i]) || src[i] == '.') {
				return append(toks, token{tBad, strconv.Quote(src[start : i+1]), start})
			}
			toks = append(toks, token{tNumber, src[start:i], start})
		case isIdentStart(c):
			start := i
			kind := tIdent
			for {
				for i < len(src) && isIdentChar(src[i]) {
					i++
				}
				if i+1 < len(src) && src[i] == '.' && isIdentStart(src[i+1]) {
					kind = tPath
					i++
					continue
				}
				break
			}
			toks = append(toks, token{kind, src[start:i], start})
		default:
			r := src[i:]
			if len(r) > 1 {
				r = r[:1]
			}
			return append(toks, token{tBad, strconv.Quote(r), i})
		}
	}
	return append(toks, token{tEOF, "", len(src)})
}

// ---- attributes ----

type attrID uint8

const (
	aOrgTenant attrID = iota + 1
	aOrgApp
	aOrgPortal
	aRole
	aOp
	aMemberID
	aMemberUser
	aMemberKind
	aMemberOffice
	aMemberClient
	aMemberClients
	aClientID
	aClientOffice
	aClientStaffOwned
	aClientStaffAssoc
	aClientAssigned
	aAmount
)

type vtype uint8

const (
	vString vtype = iota + 1
	vNumber
	vBool
	vSet     // a set of strings: role, client.assigned
	vClients // member.clients: only "contain"
)

func (t vtype) String() string {
	switch t {
	case vString:
		return "a string"
	case vNumber:
		return "a number"
	case vBool:
		return "true or false"
	case vSet:
		return "a set"
	case vClients:
		return "member.clients"
	}
	return "a value"
}

// App names for org.apps.<app>.
const (
	AppBackoffice = "backoffice"
	AppRetail     = "retail"
)

// attributeNames lists every attribute path, for error messages and docs.
const attributeNames = "org.tenant, org.apps.backoffice, org.apps.retail, org.clientPortal, role, op, " +
	"member.id, member.user, member.kind, member.office, member.client, member.clients, " +
	"client.id, client.office, client.staffOwned, client.staffAssociate, client.assigned, request.amount"

func lookupAttr(path string) (id attrID, key string, t vtype, ok bool) {
	switch path {
	case "org.tenant":
		return aOrgTenant, "", vString, true
	case "org.apps." + AppBackoffice:
		return aOrgApp, AppBackoffice, vString, true
	case "org.apps." + AppRetail:
		return aOrgApp, AppRetail, vString, true
	case "org.clientPortal":
		return aOrgPortal, "", vBool, true
	case "role":
		return aRole, "", vSet, true
	case "op":
		return aOp, "", vString, true
	case "member.id":
		return aMemberID, "", vString, true
	case "member.user":
		return aMemberUser, "", vString, true
	case "member.kind":
		return aMemberKind, "", vString, true
	case "member.office":
		return aMemberOffice, "", vString, true
	case "member.client":
		return aMemberClient, "", vString, true
	case "member.clients":
		return aMemberClients, "", vClients, true
	case "client.id":
		return aClientID, "", vString, true
	case "client.office":
		return aClientOffice, "", vString, true
	case "client.staffOwned":
		return aClientStaffOwned, "", vBool, true
	case "client.staffAssociate":
		return aClientStaffAssoc, "", vString, true
	case "client.assigned":
		return aClientAssigned, "", vSet, true
	case "request.amount":
		return aAmount, "", vNumber, true
	}
	return 0, "", 0, false
}

// placeholders bind {name} to the request's resource.
func lookupPlaceholder(name string) (attrID, bool) {
	switch name {
	case "client":
		return aClientID, true
	case "office":
		return aClientOffice, true
	}
	return 0, false
}

// ---- syntax tree ----

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

// ---- parser ----

type parser struct {
	src    string
	policy string
	toks   []token
	i      int
	depth  int
}

type parseErr struct{ e *PolicyError }

func (p *parser) fail(pos int, expected, found string) {
	panic(parseErr{newPolicyError(p.policy, p.src, pos, expected, found)})
}

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

func describe(t token) string {
	switch t.kind {
	case tEOF:
		return "end of condition"
	case tString:
		return strconv.Quote(t.text)
	case tBad:
		return t.text
	}
	return strconv.Quote(t.text)
}

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) next() token { t := p.toks[p.i]; p.i++; return t }

func (p *parser) isWord(word string) bool {
	t := p.peek()
	return t.kind == tIdent && strings.EqualFold(t.text, word)
}

func parse(policy, src string) (n *node, err error) {
	p := &parser{src: src, policy: policy}
	if len(src) > maxConditionLen {
		p.toks = []token{{tBad, "condition longer than 4096 bytes", maxConditionLen}}
	} else {
		p.toks = lex(src)
	}
	defer func() {
		if r := recover(); r != nil {
			pe, ok := r.(parseErr)
			if !ok {
				panic(r)
			}
			n, err = nil, pe.e
		}
	}()
	if t := p.peek(); t.kind == tEOF {
		p.fail(t.pos, "a condition", "end of condition")
	}
	n = p.parseOr()
	if t := p.peek(); t.kind != tEOF {
		p.fail(t.pos, "AND, OR or end of condition", describe(t))
	}
	return n, nil
}

func (p *parser) enter(pos int) {
	p.depth++
	if p.depth > maxDepth {
		p.fail(pos, "a shallower expression", "nesting deeper than 64")
	}
}

func (p *parser) parseOr() *node {
	l := p.parseAnd()
	for p.isWord("or") {
		p.next()
		l = &node{kind: nOr, l: l, r: p.parseAnd()}
	}
	return l
}

func (p *parser) parseAnd() *node {
	l := p.parseUnary()
	for p.isWord("and") {
		p.next()
		l = &node{kind: nAnd, l: l, r: p.parseUnary()}
	}
	return l
}

func (p *parser) parseUnary() *node {
	t := p.peek()
	p.enter(t.pos)
	defer func() { p.depth-- }()
	if p.isWord("not") {
		p.next()
		return &node{kind: nNot, l: p.parseUnary()}
	}
	if t.kind == tLParen {
		p.next()
		n := p.parseOr()
		if c := p.next(); c.kind != tRParen {
			p.fail(c.pos, "\")\", AND or OR", describe(c))
		}
		return n
	}
	return p.parseComparison()
}

func (p *parser) parseComparison() *node {
	lhs := p.parseLHS()
	t := p.next()
	cmp, ok := parseCmp(t.text)
	if t.kind != tIdent || !ok {
		p.fail(t.pos, "an operator (eq, ne, in, contain, contains, gt, ge, lt, le)", describe(t))
	}
	var rhs operand
	if cmp == cIn && p.peek().kind == tLParen {
		rhs = p.parseList(lhs.typ)
	} else {
		rhs = p.parseRHS()
	}
	p.check(&lhs, cmp, &rhs, t.pos)
	return &node{kind: nCmp, cmp: cmp, lhs: lhs, rhs: rhs}
}

func (p *parser) parseLHS() operand {
	t := p.peek()
	switch t.kind {
	case tLBrace:
		return p.parsePlaceholder()
	case tIdent, tPath:
		if isKeyword(t.text) {
			p.fail(t.pos, "an attribute, a placeholder, NOT or \"(\"", describe(t))
		}
		id, key, typ, ok := lookupAttr(t.text)
		if !ok {
			p.fail(t.pos, "a known attribute ("+attributeNames+")", describe(t))
		}
		p.next()
		return operand{kind: oAttr, typ: typ, attr: id, key: key, pos: t.pos}
	}
	p.fail(t.pos, "an attribute, a placeholder, NOT or \"(\"", describe(t))
	return operand{}
}

func (p *parser) parsePlaceholder() operand {
	open := p.next()
	name := p.next()
	if name.kind != tIdent {
		p.fail(name.pos, "a placeholder name (client, office)", describe(name))
	}
	id, ok := lookupPlaceholder(name.text)
	if !ok {
		p.fail(name.pos, "a known placeholder (client, office)", describe(name))
	}
	if c := p.next(); c.kind != tRBrace {
		p.fail(c.pos, "\"}\"", describe(c))
	}
	return operand{kind: oPlace, typ: vString, attr: id, key: name.text, pos: open.pos}
}

// parseRHS reads the right side of a comparison: an attribute (any dotted path,
// or a bare attribute name such as role), a placeholder, or a literal. A bare
// identifier that is not an attribute is a string literal (active, RP002).
func (p *parser) parseRHS() operand {
	t := p.peek()
	switch t.kind {
	case tLBrace:
		return p.parsePlaceholder()
	case tPath:
		id, key, typ, ok := lookupAttr(t.text)
		if !ok {
			p.fail(t.pos, "a known attribute ("+attributeNames+")", describe(t))
		}
		p.next()
		return operand{kind: oAttr, typ: typ, attr: id, key: key, pos: t.pos}
	case tIdent:
		if isKeyword(t.text) {
			p.fail(t.pos, "a value, an attribute or a placeholder", "keyword "+strings.ToUpper(t.text))
		}
		p.next()
		if id, key, typ, ok := lookupAttr(t.text); ok {
			return operand{kind: oAttr, typ: typ, attr: id, key: key, pos: t.pos}
		}
		switch strings.ToLower(t.text) {
		case "true":
			return operand{kind: oBool, typ: vBool, b: true, pos: t.pos}
		case "false":
			return operand{kind: oBool, typ: vBool, b: false, pos: t.pos}
		}
		return operand{kind: oStr, typ: vString, str: t.text, pos: t.pos}
	case tString:
		p.next()
		return operand{kind: oStr, typ: vString, str: t.text, pos: t.pos}
	case tNumber:
		p.next()
		n, err := strconv.ParseInt(t.text, 10, 64)
		if err != nil {
			p.fail(t.pos, "an integer that fits in 64 bits", describe(t))
		}
		return operand{kind: oNum, typ: vNumber, num: n, pos: t.pos}
	}
	p.fail(t.pos, "a value, an attribute or a placeholder", describe(t))
	return operand{}
}

// parseList reads "(" value { "," value } ")" of literals of the type want
// (strings for string and set attributes, numbers for number attributes).
func (p *parser) parseList(want vtype) operand {
	open := p.next()
	o := operand{kind: oList, pos: open.pos}
	if want == vNumber {
		o.typ = vNumber
	} else {
		o.typ = vString
	}
	for {
		t := p.next()
		switch {
		case o.typ == vNumber && t.kind == tNumber:
			n, err := strconv.ParseInt(t.text, 10, 64)
			if err != nil {
				p.fail(t.pos, "an integer that fits in 64 bits", describe(t))
			}
			o.nums = append(o.nums, n)
		case o.typ == vString && t.kind == tString:
			o.strs = append(o.strs, t.text)
		case o.typ == vString && t.kind == tIdent && !isKeyword(t.text):
			o.strs = append(o.strs, t.text)
		default:
			if o.typ == vNumber {
				p.fail(t.pos, "a number", describe(t))
			}
			p.fail(t.pos, "a string or identifier", describe(t))
		}
		c := p.next()
		if c.kind == tRParen {
			return o
		}
		if c.kind != tComma {
			p.fail(c.pos, "\",\" or \")\"", describe(c))
		}
	}
}

// check type-checks one comparison.
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

// ---- canonical rendering ----

func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

func attrPath(id attrID, key string) string {
	switch id {
	case aOrgTenant:
		return "org.tenant"
	case aOrgApp:
		return "org.apps." + key
	case aOrgPortal:
		return "org.clientPortal"
	case aRole:
		return "role"
	case aOp:
		return "op"
	case aMemberID:
		return "member.id"
	case aMemberUser:
		return "member.user"
	case aMemberKind:
		return "member.kind"
	case aMemberOffice:
		return "member.office"
	case aMemberClient:
		return "member.client"
	case aMemberClients:
		return "member.clients"
	case aClientID:
		return "client.id"
	case aClientOffice:
		return "client.office"
	case aClientStaffOwned:
		return "client.staffOwned"
	case aClientStaffAssoc:
		return "client.staffAssociate"
	case aClientAssigned:
		return "client.assigned"
	case aAmount:
		return "request.amount"
	}
	return "?"
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

// ---- evaluation ----

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

// ---- compiled policies ----

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

// Eval evaluates the whole condition for one request; "role eq X" means the
// principal holds X.
func (c *CompiledPolicy) Eval(p Principal, org Org, op Operation, r Resource) bool {
	e := env{p: &p, org: &org, r: &r, op: op}
	return eval(c.root, &e)
}

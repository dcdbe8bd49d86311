package authz

import (
	"strconv"
	"strings"
)

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

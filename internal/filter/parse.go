package filter

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Parse parses input against s. Empty or whitespace-only input gives an empty Query.
// A malformed query, or one that breaks a limit, gives a *SyntaxError (which unwraps
// to clientele.ErrInvalid); an invalid schema gives the error of s.Validate.
func Parse(input string, s Schema) (Query, error) {
	if err := s.Validate(); err != nil {
		return Query{}, err
	}
	if len(input) > MaxInputLen {
		return Query{}, errorf(MaxInputLen, "query is %d bytes; the limit is %d", len(input), MaxInputLen)
	}
	for i := 0; i < len(input); {
		r, n := utf8.DecodeRuneInString(input[i:])
		if r == utf8.RuneError && n == 1 {
			return Query{}, errorf(i, "invalid UTF-8")
		}
		if unicode.IsControl(r) && !unicode.IsSpace(r) {
			return Query{}, errorf(i, "control character %U is not allowed", r)
		}
		i += n
	}
	p := parser{in: input, s: &s}
	var q Query
	for {
		p.skipSpace()
		if p.i == len(p.in) {
			return q, nil
		}
		if len(q.Terms) == MaxTerms {
			return Query{}, errorf(p.i, "too many terms; the limit is %d", MaxTerms)
		}
		t, err := p.term()
		if err != nil {
			return Query{}, err
		}
		q.Terms = append(q.Terms, t)
	}
}

type parser struct {
	in string
	s  *Schema
	i  int
}

func errorf(pos int, format string, args ...any) *SyntaxError {
	return &SyntaxError{Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

// spaceAt returns the width of the whitespace rune at i, or 0.
func (p *parser) spaceAt(i int) int {
	if i >= len(p.in) {
		return 0
	}
	if c := p.in[i]; c < utf8.RuneSelf {
		if c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' {
			return 1
		}
		return 0
	}
	r, n := utf8.DecodeRuneInString(p.in[i:])
	if unicode.IsSpace(r) {
		return n
	}
	return 0
}

func (p *parser) skipSpace() {
	for {
		n := p.spaceAt(p.i)
		if n == 0 {
			return
		}
		p.i += n
	}
}

// endOfTerm reports whether the value that ended at p.i ends its term.
func (p *parser) endOfTerm() bool { return p.i == len(p.in) || p.spaceAt(p.i) > 0 }

// opAt returns the operator starting at i and its length, or 0, 0.
func (p *parser) opAt(i int) (Op, int) {
	if i >= len(p.in) {
		return 0, 0
	}
	next := byte(0)
	if i+1 < len(p.in) {
		next = p.in[i+1]
	}
	switch p.in[i] {
	case ':':
		return Eq, 1
	case '~':
		return Contains, 1
	case '!':
		if next == ':' {
			return Ne, 2
		}
	case '>':
		if next == '=' {
			return Ge, 2
		}
		return Gt, 1
	case '<':
		if next == '=' {
			return Le, 2
		}
		return Lt, 1
	}
	return 0, 0
}

const opsExpected = "one of : !: ~ > >= < <="

// term parses one term starting at p.i, which is not whitespace.
func (p *parser) term() (Term, error) {
	start := p.i
	switch p.in[start] {
	case '|':
		return Term{}, errorf(start, "unexpected |; expected a term such as field:value")
	case '"':
		return p.bare(start)
	}
	j := start
	for j < len(p.in) && isNameByte(p.in[j]) {
		j++
	}
	name := p.in[start:j]
	op, n := p.opAt(j)
	if n == 0 {
		if _, known := p.s.field(name); known && j < len(p.in) && (p.in[j] == '=' || p.in[j] == '!') {
			bad := p.in[j : j+1]
			if j+1 < len(p.in) && (p.in[j+1] == '=' || p.in[j+1] == '~') {
				bad = p.in[j : j+2]
			}
			return Term{}, errorf(j, "unknown operator %q after field %s; expected %s", bad, name, opsExpected)
		}
		return p.bare(start)
	}
	if name == "" {
		return Term{}, errorf(start, "missing field name before %s", op)
	}
	f, ok := p.s.field(name)
	if !ok {
		hint := ""
		if name[0] == '-' {
			if g, ok := p.s.field(name[1:]); ok {
				hint = fmt.Sprintf(" (to negate, write %s!:value)", g.Name)
			}
		}
		return Term{}, errorf(start, "unknown field %s; expected one of %s%s", quote(name), p.fieldNames(), hint)
	}
	if !f.allows(op) {
		return Term{}, errorf(j, "field %s does not allow %s; allowed: %s", f.Name, op, opList(f.ops()))
	}
	p.i = j + n
	if p.endOfTerm() {
		return Term{}, errorf(p.i, "expected a value after %s%s", f.Name, op)
	}
	return p.values(start, f, op)
}

// bare parses a value with no field: a Contains term on the schema's default field.
func (p *parser) bare(start int) (Term, error) {
	if p.s.Default == "" {
		end := start
		for end < len(p.in) && p.spaceAt(end) == 0 {
			end++
		}
		return Term{}, errorf(start, "expected a term such as field:value, got %s; fields: %s", quote(p.in[start:end]), p.fieldNames())
	}
	f, _ := p.s.field(p.s.Default) // Validate checked it exists and allows Contains.
	return p.values(start, f, Contains)
}

// values parses the |-separated values of a term starting at p.i, which is not
// whitespace and not the end of input.
func (p *parser) values(start int, f *Field, op Op) (Term, error) {
	t := Term{Field: f.Name, Kind: f.Kind, Op: op, Pos: start}
	for {
		vpos := p.i
		if len(t.Values) == MaxAlternatives {
			return Term{}, errorf(vpos, "too many alternatives; the limit is %d", MaxAlternatives)
		}
		raw, err := p.value()
		if err != nil {
			return Term{}, err
		}
		if len(raw) > MaxValueLen {
			return Term{}, errorf(vpos, "value is %d bytes; the limit is %d", len(raw), MaxValueLen)
		}
		v, err := convert(f, raw, vpos)
		if err != nil {
			return Term{}, err
		}
		t.Values = append(t.Values, v)
		if p.endOfTerm() {
			return t, nil
		}
		if p.in[p.i] != '|' {
			// Only a quoted value can stop here, on what follows its closing quote.
			return Term{}, errorf(p.i, "expected whitespace or | after the closing quote")
		}
		if !op.multi() {
			return Term{}, errorf(p.i, "alternatives (|) are allowed only with :, !: and ~, not %s", op)
		}
		p.i++
		if p.endOfTerm() || p.in[p.i] == '|' {
			return Term{}, errorf(p.i-1, "expected a value after |")
		}
	}
}

// value scans one bare or quoted value at p.i and returns it unescaped.
func (p *parser) value() (string, error) {
	start := p.i
	switch p.in[start] {
	case '|':
		return "", errorf(start, "expected a value before |")
	case '"':
		return p.quoted()
	}
	for p.i < len(p.in) && p.spaceAt(p.i) == 0 {
		switch p.in[p.i] {
		case '|':
			return p.in[start:p.i], nil
		case '"':
			return "", errorf(p.i, "unexpected \" inside a value; quote the whole value")
		}
		p.i++
	}
	return p.in[start:p.i], nil
}

// quoted scans a double-quoted value at p.i, with \" and \\ escapes.
func (p *parser) quoted() (string, error) {
	open := p.i
	p.i++
	var b []byte // nil until the first escape
	from := p.i
	for p.i < len(p.in) {
		c := p.in[p.i]
		switch {
		case c == '"':
			s := p.in[from:p.i]
			if b != nil {
				s = string(append(b, s...))
			}
			p.i++
			if s == "" {
				return "", errorf(open, "empty value")
			}
			return s, nil
		case c == '\\':
			if p.i+1 >= len(p.in) {
				return "", errorf(open, "unterminated quoted value; expected a closing \"")
			}
			if e := p.in[p.i+1]; e != '"' && e != '\\' {
				r, _ := utf8.DecodeRuneInString(p.in[p.i+1:])
				return "", errorf(p.i, "unknown escape \\%c; only \\\" and \\\\ are allowed", r)
			}
			b = append(b, p.in[from:p.i]...)
			b = append(b, p.in[p.i+1])
			p.i += 2
			from = p.i
		case c < utf8.RuneSelf && c < ' ':
			return "", errorf(p.i, "control character %U is not allowed in a quoted value", rune(c))
		case c >= utf8.RuneSelf:
			r, n := utf8.DecodeRuneInString(p.in[p.i:])
			if unicode.IsControl(r) {
				return "", errorf(p.i, "control character %U is not allowed in a quoted value", r)
			}
			p.i += n
		default:
			p.i++
		}
	}
	return "", errorf(open, "unterminated quoted value; expected a closing \"")
}

// convert turns a raw value into a Value of f's kind.
func convert(f *Field, raw string, pos int) (Value, error) {
	switch f.Kind {
	case Enum:
		for _, v := range f.Values {
			if strings.EqualFold(v, raw) {
				return Value{Str: v}, nil
			}
		}
		return Value{}, errorf(pos, "field %s: unknown value %s; expected one of %s", f.Name, quote(raw), strings.Join(f.Values, ", "))
	case Date:
		var t time.Time
		var err error
		dateOnly := len(raw) == len(time.DateOnly)
		if dateOnly {
			t, err = time.Parse(time.DateOnly, raw)
		} else {
			t, err = time.Parse(time.RFC3339Nano, raw)
			t = t.UTC()
		}
		if err != nil {
			return Value{}, errorf(pos, "field %s: %s is not a date; expected YYYY-MM-DD or an RFC 3339 timestamp such as 2025-01-31T09:30:00Z", f.Name, quote(raw))
		}
		if y := t.Year(); y < 1 || y > 9999 {
			return Value{}, errorf(pos, "field %s: date %s is out of range; expected a year from 0001 to 9999 (in UTC)", f.Name, quote(raw))
		}
		return Value{Time: t, DateOnly: dateOnly}, nil
	case Number:
		n, err := strconv.ParseInt(raw, 10, 64)
		if errors.Is(err, strconv.ErrRange) {
			return Value{}, errorf(pos, "field %s: number %s is out of range; expected a whole number of at most 19 digits", f.Name, quote(raw))
		}
		if err != nil {
			return Value{}, errorf(pos, "field %s: %s is not a number; expected a whole number such as 42", f.Name, quote(raw))
		}
		return Value{Num: n}, nil
	}
	return Value{Str: raw}, nil
}

func (p *parser) fieldNames() string {
	names := make([]string, len(p.s.Fields))
	for i, f := range p.s.Fields {
		names[i] = f.Name
	}
	return strings.Join(names, ", ")
}

func opList(ops []Op) string {
	s := make([]string, len(ops))
	for i, o := range ops {
		s[i] = o.String()
	}
	return strings.Join(s, " ")
}

// quote returns s quoted for an error message, cut to a readable length.
func quote(s string) string {
	const max = 40
	if len(s) <= max {
		return strconv.Quote(s)
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strconv.Quote(s[:cut]) + "…"
}

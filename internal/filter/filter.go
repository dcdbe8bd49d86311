package filter

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/clientele-go/clientele"
)

// Limits on what Parse accepts. Input beyond them is rejected with a *SyntaxError
// rather than truncated.
const (
	// MaxInputLen is the longest query, in bytes.
	MaxInputLen = 1024
	// MaxTerms is the most terms one query may hold.
	MaxTerms = 16
	// MaxAlternatives is the most |-separated values one term may hold.
	MaxAlternatives = 10
	// MaxValueLen is the longest value, in bytes, after quotes and escapes are removed.
	MaxValueLen = 256
)

// Kind is the type of a field's values.
type Kind uint8

// The kinds of field.
const (
	// String values are free text, kept as typed.
	String Kind = iota + 1
	// Enum values must be one of Field.Values (matched case-insensitively).
	Enum
	// Date values are a calendar day (YYYY-MM-DD) or an RFC 3339 timestamp.
	Date
	// Number values are base-10 int64.
	Number
)

// String returns the lower-case name of the kind.
func (k Kind) String() string {
	switch k {
	case String:
		return "string"
	case Enum:
		return "enum"
	case Date:
		return "date"
	case Number:
		return "number"
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Op is a comparison operator.
type Op uint8

// The operators, with their spelling in a query.
const (
	Eq       Op = iota + 1 // ":"  equals (any of the alternatives)
	Ne                     // "!:" equals none of the alternatives
	Contains               // "~"  contains (any of the alternatives) as a substring
	Gt                     // ">"
	Ge                     // ">="
	Lt                     // "<"
	Le                     // "<="
)

var opText = [...]string{Eq: ":", Ne: "!:", Contains: "~", Gt: ">", Ge: ">=", Lt: "<", Le: "<="}

// String returns the operator as it is written in a query, for example "!:".
func (o Op) String() string {
	if o >= Eq && o <= Le {
		return opText[o]
	}
	return "Op(" + strconv.Itoa(int(o)) + ")"
}

// multi reports whether the operator takes |-separated alternatives.
func (o Op) multi() bool { return o == Eq || o == Ne || o == Contains }

// defaultOps are the operators a field allows when its Ops is empty.
var defaultOps = [...][]Op{
	String: {Eq, Ne, Contains},
	Enum:   {Eq, Ne},
	Date:   {Eq, Ne, Gt, Ge, Lt, Le},
	Number: {Eq, Ne, Gt, Ge, Lt, Le},
}

// Field describes one field a query may name.
type Field struct {
	// Name is how queries refer to the field (matched case-insensitively; Term.Field
	// carries this spelling). It starts with an ASCII letter and holds ASCII letters,
	// digits, '_', '.' and '-'.
	Name string
	Kind Kind
	// Ops are the operators the field allows. Empty means the kind's default:
	// String  : !: ~; Enum  : !:; Date and Number  : !: > >= < <=.
	Ops []Op
	// Values are the allowed values of an Enum field, in their canonical spelling.
	Values []string
}

// ops returns the operators f allows.
func (f *Field) ops() []Op {
	if len(f.Ops) > 0 {
		return f.Ops
	}
	if f.Kind >= String && f.Kind <= Number {
		return defaultOps[f.Kind]
	}
	return nil
}

// allows reports whether f allows op.
func (f *Field) allows(op Op) bool {
	for _, o := range f.ops() {
		if o == op {
			return true
		}
	}
	return false
}

// Schema is the set of fields a query may name.
type Schema struct {
	Fields []Field
	// Default is the field a bare value (one without "field op") searches with
	// Contains. Empty means bare values are an error.
	Default string
}

// field returns the field named name, matched case-insensitively.
func (s *Schema) field(name string) (*Field, bool) {
	for i := range s.Fields {
		if strings.EqualFold(s.Fields[i].Name, name) {
			return &s.Fields[i], true
		}
	}
	return nil, false
}

// Validate reports whether s is well formed: field names valid and unique
// (case-insensitively), kinds and operators known, Enum fields with unique non-empty
// Values and only Enum fields with Values, and Default naming a field that allows
// Contains. Parse calls it first; its error is a programming error and wraps no
// clientele error kind.
func (s Schema) Validate() error {
	for i := range s.Fields {
		f := &s.Fields[i]
		if !validName(f.Name) {
			return fmt.Errorf("filter: invalid schema: field name %q: want an ASCII letter then letters, digits, '_', '.' or '-'", f.Name)
		}
		for _, g := range s.Fields[:i] {
			if strings.EqualFold(g.Name, f.Name) {
				return fmt.Errorf("filter: invalid schema: field %q declared twice", f.Name)
			}
		}
		if f.Kind < String || f.Kind > Number {
			return fmt.Errorf("filter: invalid schema: field %q: unknown kind %v", f.Name, f.Kind)
		}
		for _, o := range f.Ops {
			if o < Eq || o > Le {
				return fmt.Errorf("filter: invalid schema: field %q: unknown operator %v", f.Name, o)
			}
		}
		if f.Kind != Enum {
			if len(f.Values) > 0 {
				return fmt.Errorf("filter: invalid schema: field %q: Values set on a %v field", f.Name, f.Kind)
			}
			continue
		}
		if len(f.Values) == 0 {
			return fmt.Errorf("filter: invalid schema: enum field %q has no Values", f.Name)
		}
		for j, v := range f.Values {
			if v == "" || len(v) > MaxValueLen || !printable(v) {
				return fmt.Errorf("filter: invalid schema: enum field %q: value %q is empty, too long or not printable UTF-8", f.Name, v)
			}
			for _, w := range f.Values[:j] {
				if strings.EqualFold(v, w) {
					return fmt.Errorf("filter: invalid schema: enum field %q: value %q listed twice", f.Name, v)
				}
			}
		}
	}
	if s.Default != "" {
		f, ok := s.field(s.Default)
		if !ok {
			return fmt.Errorf("filter: invalid schema: default field %q is not in the schema", s.Default)
		}
		if !f.allows(Contains) {
			return fmt.Errorf("filter: invalid schema: default field %q does not allow ~", s.Default)
		}
	}
	return nil
}

func validName(s string) bool {
	if s == "" || !isLetter(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !isNameByte(s[i]) {
			return false
		}
	}
	return true
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

func isNameByte(c byte) bool {
	return isLetter(c) || '0' <= c && c <= '9' || c == '_' || c == '.' || c == '-'
}

// printable reports whether s is valid UTF-8 without control characters.
func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return false
		}
	}
	return true
}

// Value is one typed value of a term. Which member is set depends on the term's Kind:
// Str for String and Enum (Enum in the schema's canonical spelling), Time (UTC) and
// DateOnly for Date, Num for Number.
type Value struct {
	Str  string
	Time time.Time
	Num  int64
	// DateOnly is set when the value was a calendar day (YYYY-MM-DD); Time is then
	// the start of that day, UTC.
	DateOnly bool
}

// Term is one condition: Field Op Values.
type Term struct {
	// Field is the field's name as the schema spells it.
	Field string
	Kind  Kind
	Op    Op
	// Values holds at least one value; more than one are alternatives: for Eq and
	// Contains any may match, for Ne none may.
	Values []Value
	// Pos is the byte offset of the term in the input.
	Pos int
}

// Query is a parsed filter. Its terms are ANDed; an empty Query matches everything.
type Query struct {
	Terms []Term
}

// String renders the query in canonical form: terms separated by one space, every
// term as field, operator and values (a bare value becomes "default~value"), values
// quoted only when needed, dates as YYYY-MM-DD or RFC 3339 in UTC. Parsing the result
// with the same schema yields the same Query except for Term.Pos.
func (q Query) String() string {
	var b strings.Builder
	for i, t := range q.Terms {
		if i > 0 {
			b.WriteByte(' ')
		}
		t.write(&b)
	}
	return b.String()
}

// String renders the term in canonical form, as Query.String does.
func (t Term) String() string {
	var b strings.Builder
	t.write(&b)
	return b.String()
}

func (t Term) write(b *strings.Builder) {
	b.WriteString(t.Field)
	b.WriteString(t.Op.String())
	for i, v := range t.Values {
		if i > 0 {
			b.WriteByte('|')
		}
		writeValue(b, formatValue(t.Kind, v))
	}
}

func formatValue(k Kind, v Value) string {
	switch k {
	case Date:
		if v.DateOnly {
			return v.Time.UTC().Format(time.DateOnly)
		}
		return v.Time.UTC().Format(time.RFC3339Nano)
	case Number:
		return strconv.FormatInt(v.Num, 10)
	}
	return v.Str
}

// writeValue writes s bare when it would read back unchanged, quoted otherwise.
func writeValue(b *strings.Builder, s string) {
	if !needsQuote(s) {
		b.WriteString(s)
		return
	}
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('"')
}

func needsQuote(s string) bool {
	// A leading '=' would merge with a preceding > or < into >= or <=.
	if s == "" || s[0] == '=' {
		return true
	}
	for _, r := range s {
		if r == '"' || r == '\\' || r == '|' || unicode.IsSpace(r) {
			return true
		}
	}
	return false
}

// SyntaxError reports a query that does not parse or breaks a limit. Pos is the byte
// offset in the input where the problem was found; Msg says what was expected there.
// It unwraps to clientele.ErrInvalid.
type SyntaxError struct {
	Pos int
	Msg string
}

func (e *SyntaxError) Error() string {
	return "filter: at position " + strconv.Itoa(e.Pos) + ": " + e.Msg
}

// Unwrap returns clientele.ErrInvalid, so errors.Is(err, clientele.ErrInvalid) holds.
func (e *SyntaxError) Unwrap() error { return clientele.ErrInvalid }

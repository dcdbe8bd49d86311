package filter_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/internal/filter"
)

// testSchema resembles the client search schema, plus a field allowing every
// operator on strings to exercise the corners of quoting.
func testSchema() filter.Schema {
	return filter.Schema{
		Fields: []filter.Field{
			{Name: "status", Kind: filter.Enum, Values: []string{"active", "suspended", "closed"}},
			{Name: "type", Kind: filter.Enum, Values: []string{"individual", "corporate"}},
			{Name: "name", Kind: filter.String},
			{Name: "ref", Kind: filter.String, Ops: []filter.Op{filter.Eq}},
			{Name: "created", Kind: filter.Date},
			{Name: "amount", Kind: filter.Number},
			{Name: "code", Kind: filter.String, Ops: []filter.Op{filter.Eq, filter.Ne, filter.Contains, filter.Gt, filter.Ge, filter.Lt, filter.Le}},
			{Name: "risk.Level", Kind: filter.Enum, Values: []string{"Low", "HIGH"}},
			{Name: "starred", Kind: filter.Enum, Values: []string{"true", "false"}, Ops: []filter.Op{filter.Eq}},
		},
		Default: "name",
	}
}

func str(s ...string) []filter.Value {
	v := make([]filter.Value, len(s))
	for i := range s {
		v[i] = filter.Value{Str: s[i]}
	}
	return v
}

func day(y int, m time.Month, d int) filter.Value {
	return filter.Value{Time: time.Date(y, m, d, 0, 0, 0, 0, time.UTC), DateOnly: true}
}

func instant(t *testing.T, s string) filter.Value {
	tm, err := time.Parse(time.RFC3339Nano, s)
	require.NoError(t, err)
	return filter.Value{Time: tm.UTC()}
}

func TestParseValid(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  []filter.Term
	}{
		{"empty", "", nil},
		{"whitespace only", " \t\n\u00a0 ", nil},
		{"enum eq", "status:active", []filter.Term{
			{Field: "status", Kind: filter.Enum, Op: filter.Eq, Values: str("active")},
		}},
		{"design example", "status:active type:corporate name~acme created>=2025-01-01", []filter.Term{
			{Field: "status", Kind: filter.Enum, Op: filter.Eq, Values: str("active")},
			{Field: "type", Kind: filter.Enum, Op: filter.Eq, Values: str("corporate"), Pos: 14},
			{Field: "name", Kind: filter.String, Op: filter.Contains, Values: str("acme"), Pos: 29},
			{Field: "created", Kind: filter.Date, Op: filter.Ge, Values: []filter.Value{day(2025, 1, 1)}, Pos: 39},
		}},
		{"case-insensitive field and enum, canonical spelling", "STATUS:Active RISK.level:high", []filter.Term{
			{Field: "status", Kind: filter.Enum, Op: filter.Eq, Values: str("active")},
			{Field: "risk.Level", Kind: filter.Enum, Op: filter.Eq, Values: str("HIGH"), Pos: 14},
		}},
		{"string keeps case", "name:AcMe", []filter.Term{
			{Field: "name", Kind: filter.String, Op: filter.Eq, Values: str("AcMe")},
		}},
		{"alternatives eq", "status:active|SUSPENDED|closed", []filter.Term{
			{Field: "status", Kind: filter.Enum, Op: filter.Eq, Values: str("active", "suspended", "closed")},
		}},
		{"alternatives ne", "status!:closed|suspended", []filter.Term{
			{Field: "status", Kind: filter.Enum, Op: filter.Ne, Values: str("closed", "suspended")},
		}},
		{"alternatives contains, quoted and bare", `name~acme|"big bank"|x`, []filter.Term{
			{Field: "name", Kind: filter.String, Op: filter.Contains, Values: str("acme", "big bank", "x")},
		}},
		{"quoted with escapes", `name~"say \"hi\" \\ bye"`, []filter.Term{
			{Field: "name", Kind: filter.String, Op: filter.Contains, Values: str(`say "hi" \ bye`)},
		}},
		{"quoted operators and bars", `name:"a:b|c~d"`, []filter.Term{
			{Field: "name", Kind: filter.String, Op: filter.Eq, Values: str("a:b|c~d")},
		}},
		{"bare value keeps backslash and operator characters", `name:a\b:c>d`, []filter.Term{
			{Field: "name", Kind: filter.String, Op: filter.Eq, Values: str(`a\b:c>d`)},
		}},
		{"unicode value", "name~Müller", []filter.Term{
			{Field: "name", Kind: filter.String, Op: filter.Contains, Values: str("Müller")},
		}},
		{"all operators", "amount:1 amount!:2 amount>3 amount>=4 amount<5 amount<=-6", []filter.Term{
			{Field: "amount", Kind: filter.Number, Op: filter.Eq, Values: []filter.Value{{Num: 1}}},
			{Field: "amount", Kind: filter.Number, Op: filter.Ne, Values: []filter.Value{{Num: 2}}, Pos: 9},
			{Field: "amount", Kind: filter.Number, Op: filter.Gt, Values: []filter.Value{{Num: 3}}, Pos: 19},
			{Field: "amount", Kind: filter.Number, Op: filter.Ge, Values: []filter.Value{{Num: 4}}, Pos: 28},
			{Field: "amount", Kind: filter.Number, Op: filter.Lt, Values: []filter.Value{{Num: 5}}, Pos: 38},
			{Field: "amount", Kind: filter.Number, Op: filter.Le, Values: []filter.Value{{Num: -6}}, Pos: 47},
		}},
		{"number extremes", "amount>=-9223372036854775808 amount<=+9223372036854775807", []filter.Term{
			{Field: "amount", Kind: filter.Number, Op: filter.Ge, Values: []filter.Value{{Num: -9223372036854775808}}},
			{Field: "amount", Kind: filter.Number, Op: filter.Le, Values: []filter.Value{{Num: 9223372036854775807}}, Pos: 29},
		}},
		{"timestamps converted to UTC", "created>2025-01-31T10:30:00.5+01:00 created<2025-02-01T00:00:00Z", []filter.Term{
			{Field: "created", Kind: filter.Date, Op: filter.Gt, Values: []filter.Value{instant(t, "2025-01-31T09:30:00.5Z")}},
			{Field: "created", Kind: filter.Date, Op: filter.Lt, Values: []filter.Value{instant(t, "2025-02-01T00:00:00Z")}, Pos: 36},
		}},
		{"quoted date", `created:"2024-02-29"|2024-03-01`, []filter.Term{
			{Field: "created", Kind: filter.Date, Op: filter.Eq, Values: []filter.Value{day(2024, 2, 29), day(2024, 3, 1)}},
		}},
		{"bare word searches default field", "  acme  status:active", []filter.Term{
			{Field: "name", Kind: filter.String, Op: filter.Contains, Values: str("acme"), Pos: 2},
			{Field: "status", Kind: filter.Enum, Op: filter.Eq, Values: str("active"), Pos: 8},
		}},
		{"bare quoted and alternatives", `"acme ltd"|foo@bar.com`, []filter.Term{
			{Field: "name", Kind: filter.String, Op: filter.Contains, Values: str("acme ltd", "foo@bar.com")},
		}},
		{"bare word with operator after non-name byte", "foo@bar:baz", []filter.Term{
			{Field: "name", Kind: filter.String, Op: filter.Contains, Values: str("foo@bar:baz")},
		}},
		{"unicode whitespace separates", "status:active\u2003type:individual", []filter.Term{
			{Field: "status", Kind: filter.Enum, Op: filter.Eq, Values: str("active")},
			{Field: "type", Kind: filter.Enum, Op: filter.Eq, Values: str("individual"), Pos: 16},
		}},
		{"greedy >=, quoted leading =", `code>=x code>"=x"`, []filter.Term{
			{Field: "code", Kind: filter.String, Op: filter.Ge, Values: str("x")},
			{Field: "code", Kind: filter.String, Op: filter.Gt, Values: str("=x"), Pos: 8},
		}},
		{"value starting with operator", "code::x", []filter.Term{
			{Field: "code", Kind: filter.String, Op: filter.Eq, Values: str(":x")},
		}},
		{"duplicate fields are ANDed", "status:active status:closed", []filter.Term{
			{Field: "status", Kind: filter.Enum, Op: filter.Eq, Values: str("active")},
			{Field: "status", Kind: filter.Enum, Op: filter.Eq, Values: str("closed"), Pos: 14},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := filter.Parse(tt.input, testSchema())
			require.NoError(t, err)
			assert.Equal(t, filter.Query{Terms: tt.want}, q)
		})
	}
}

func TestParseErrors(t *testing.T) {
	long := strings.Repeat("x", filter.MaxValueLen+1)
	tests := []struct {
		name  string
		input string
		pos   int
		msg   string // a substring of SyntaxError.Msg
	}{
		{"unknown field", "status:active colour:red", 14, `unknown field "colour"; expected one of status, type, name`},
		{"negation hint", "-status:active", 0, "to negate, write status!:value"},
		{"missing field name", "status:active :x", 14, "missing field name before :"},
		{"operator not allowed", "name>acme", 4, "field name does not allow >; allowed: : !: ~"},
		{"contains on enum", "status~act", 6, "field status does not allow ~; allowed: : !:"},
		{"contains not in Ops", "ref~x", 3, "field ref does not allow ~; allowed: :"},
		{"unknown operator =", "status=active", 6, `unknown operator "=" after field status; expected one of : !: ~ > >= < <=`},
		{"unknown operator !=", "status!=active", 6, `unknown operator "!="`},
		{"unknown operator !~", "name!~x", 4, `unknown operator "!~"`},
		{"space after operator", "status: active", 7, "expected a value after status:"},
		{"operator at end", "amount>=", 8, "expected a value after amount>="},
		{"empty quoted", `name:""`, 5, "empty value"},
		{"unterminated quote", `name~"acme ltd`, 5, `unterminated quoted value; expected a closing "`},
		{"unterminated after escape", `name~"acme\`, 5, "unterminated quoted value"},
		{"unknown escape", `name~"a\nb"`, 7, `unknown escape \n; only \" and \\ are allowed`},
		{"text after closing quote", `name~"a"b`, 8, "expected whitespace or | after the closing quote"},
		{"quote inside bare value", `name~o"brien`, 6, `unexpected " inside a value`},
		{"dangling bar at end", "status:active|", 13, "expected a value after |"},
		{"dangling bar before space", "status:active| type:corporate", 13, "expected a value after |"},
		{"double bar", "status:active||closed", 13, "expected a value after |"},
		{"leading bar in value", "status:|active", 7, "expected a value before |"},
		{"bar starting a term", "status:active |x", 14, "unexpected |; expected a term"},
		{"alternatives with range operator", "amount>1|2", 8, "alternatives (|) are allowed only with :, !: and ~, not >"},
		{"unknown enum value", "status:active|dormant", 14, `field status: unknown value "dormant"; expected one of active, suspended, closed`},
		{"bad date", "created>=2025-02-30", 9, `field created: "2025-02-30" is not a date`},
		{"bad timestamp", "created>=2025-01-01T25:00:00Z", 9, "is not a date"},
		{"date without zone", "created>=2025-01-01T10:00:00", 9, "is not a date"},
		{"year zero", "created>=0000-01-01", 9, "out of range"},
		{"year below one in UTC", "created>=0001-01-01T00:00:00+01:00", 9, "out of range"},
		{"not a number", "amount:12.5", 7, `field amount: "12.5" is not a number`},
		{"number out of range", "amount:9223372036854775808", 7, "out of range"},
		{"control character", "name~a\x00b", 6, "control character U+0000 is not allowed"},
		{"tab in quoted value", "name~\"a\tb\"", 7, "control character U+0009 is not allowed in a quoted value"},
		{"invalid UTF-8", "name~ab\xffc", 7, "invalid UTF-8"},
		{"value too long", "name~" + long, 5, "value is 257 bytes; the limit is 256"},
		{"quoted value too long", `name~"` + long + `"`, 5, "value is 257 bytes"},
		{"input too long", "name~" + strings.Repeat("a ", 600), filter.MaxInputLen, "query is 1205 bytes; the limit is 1024"},
		{"too many terms", strings.Repeat("status:active ", filter.MaxTerms) + "type:corporate", 14 * filter.MaxTerms, "too many terms; the limit is 16"},
		{"too many alternatives", "amount:1|2|3|4|5|6|7|8|9|10|11", 28, "too many alternatives; the limit is 10"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := filter.Parse(tt.input, testSchema())
			require.Error(t, err)
			assert.Empty(t, q.Terms)
			assert.ErrorIs(t, err, clientele.ErrInvalid)
			var se *filter.SyntaxError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, tt.pos, se.Pos, "position; message %q", se.Msg)
			assert.Contains(t, se.Msg, tt.msg)
		})
	}
}

func TestParseBareWithoutDefault(t *testing.T) {
	s := testSchema()
	s.Default = ""
	_, err := filter.Parse(`status:active "acme ltd"`, s)
	var se *filter.SyntaxError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, 14, se.Pos)
	assert.Equal(t, `filter: at position 14: expected a term such as field:value, got "\"acme"; fields: status, type, name, ref, created, amount, code, risk.Level, starred`, err.Error())
}

func TestParseLimitsAccepted(t *testing.T) {
	tests := []struct {
		name  string
		input string
	}{
		{"value at limit", "name~" + strings.Repeat("é", filter.MaxValueLen/2)},
		{"terms at limit", strings.Repeat("status:active ", filter.MaxTerms)},
		{"alternatives at limit", "amount:1|2|3|4|5|6|7|8|9|10"},
		{"input at limit", "name~" + strings.Repeat("a", 250) + strings.Repeat(" ", filter.MaxInputLen-255)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.LessOrEqual(t, len(tt.input), filter.MaxInputLen)
			_, err := filter.Parse(tt.input, testSchema())
			assert.NoError(t, err)
		})
	}
}

func TestSchemaValidate(t *testing.T) {
	enum := func(name string, values ...string) filter.Field {
		return filter.Field{Name: name, Kind: filter.Enum, Values: values}
	}
	tests := []struct {
		name   string
		schema filter.Schema
		msg    string // "" means valid
	}{
		{"test schema", testSchema(), ""},
		{"empty", filter.Schema{}, ""},
		{"bad name", filter.Schema{Fields: []filter.Field{{Name: "1x", Kind: filter.String}}}, `field name "1x"`},
		{"empty name", filter.Schema{Fields: []filter.Field{{Kind: filter.String}}}, `field name ""`},
		{"name with colon", filter.Schema{Fields: []filter.Field{{Name: "a:b", Kind: filter.String}}}, `field name "a:b"`},
		{"duplicate name", filter.Schema{Fields: []filter.Field{{Name: "a", Kind: filter.String}, {Name: "A", Kind: filter.Number}}}, `field "A" declared twice`},
		{"no kind", filter.Schema{Fields: []filter.Field{{Name: "a"}}}, "unknown kind Kind(0)"},
		{"bad op", filter.Schema{Fields: []filter.Field{{Name: "a", Kind: filter.String, Ops: []filter.Op{9}}}}, "unknown operator Op(9)"},
		{"enum without values", filter.Schema{Fields: []filter.Field{enum("a")}}, "has no Values"},
		{"enum empty value", filter.Schema{Fields: []filter.Field{enum("a", "x", "")}}, `value ""`},
		{"enum control value", filter.Schema{Fields: []filter.Field{enum("a", "x\ny")}}, `value "x\ny"`},
		{"enum duplicate value", filter.Schema{Fields: []filter.Field{enum("a", "x", "X")}}, `value "X" listed twice`},
		{"values on string", filter.Schema{Fields: []filter.Field{{Name: "a", Kind: filter.String, Values: []string{"x"}}}}, "Values set on a string field"},
		{"unknown default", filter.Schema{Fields: []filter.Field{{Name: "a", Kind: filter.String}}, Default: "b"}, `default field "b" is not in the schema`},
		{"default without contains", filter.Schema{Fields: []filter.Field{enum("a", "x")}, Default: "a"}, `default field "a" does not allow ~`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.schema.Validate()
			if tt.msg == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.msg)
			assert.NotErrorIs(t, err, clientele.ErrInvalid, "a bad schema is a programming error, not bad input")

			_, perr := filter.Parse("", tt.schema)
			assert.Equal(t, err, perr, "Parse reports the schema error")
		})
	}
}

func TestString(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  string
	}{
		{"canonical spacing, names and enum spelling", "  STATUS:Active|CLOSED\t\tType!:individual ", "status:active|closed type!:individual"},
		{"bare words get the default field", `acme "big bank"`, `name~acme name~"big bank"`},
		{"quotes only when needed", `name:"plain" name~"a b" name:"a|b" name:"say \"x\"" name:"c:\\d"`, `name:plain name~"a b" name:"a|b" name:"say \"x\"" name:"c:\\d"`},
		{"unicode space is quoted", "name:\"a\u00a0b\"", "name:\"a\u00a0b\""},
		{"leading = is quoted", `code>"=x" code:"=y"`, `code>"=x" code:"=y"`},
		{"dates in UTC", "created>=2025-01-01 created<2025-01-31T10:30:00.500+01:00", "created>=2025-01-01 created<2025-01-31T09:30:00.5Z"},
		{"numbers normalised", "amount:+007|-0", "amount:7|0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := filter.Parse(tt.input, testSchema())
			require.NoError(t, err)
			assert.Equal(t, tt.want, q.String())

			again, err := filter.Parse(q.String(), testSchema())
			require.NoError(t, err)
			assert.Equal(t, stripPos(q), stripPos(again))
		})
	}
}

func TestOpAndKindString(t *testing.T) {
	ops := map[filter.Op]string{
		filter.Eq: ":", filter.Ne: "!:", filter.Contains: "~", filter.Gt: ">",
		filter.Ge: ">=", filter.Lt: "<", filter.Le: "<=", 0: "Op(0)", 8: "Op(8)",
	}
	for op, want := range ops {
		assert.Equal(t, want, op.String())
	}
	kinds := map[filter.Kind]string{
		filter.String: "string", filter.Enum: "enum", filter.Date: "date", filter.Number: "number", 0: "Kind(0)",
	}
	for k, want := range kinds {
		assert.Equal(t, want, k.String())
	}
}

func TestSyntaxError(t *testing.T) {
	var err error = &filter.SyntaxError{Pos: 3, Msg: "boom"}
	assert.Equal(t, "filter: at position 3: boom", err.Error())
	assert.True(t, errors.Is(err, clientele.ErrInvalid))
	assert.Equal(t, clientele.ErrInvalid, clientele.Kind(err))
}

// stripPos returns q with every Term.Pos zeroed, for comparing a query with its
// re-rendered and re-parsed self.
func stripPos(q filter.Query) filter.Query {
	if q.Terms == nil {
		return q
	}
	terms := make([]filter.Term, len(q.Terms))
	for i, t := range q.Terms {
		t.Pos = 0
		terms[i] = t
	}
	return filter.Query{Terms: terms}
}

func BenchmarkParse(b *testing.B) {
	s := testSchema()
	const input = `status:active|suspended type:corporate name~"acme ltd" created>=2025-01-01 amount<1000000 bank`
	b.ReportAllocs()
	for b.Loop() {
		if _, err := filter.Parse(input, s); err != nil {
			b.Fatal(err)
		}
	}
}

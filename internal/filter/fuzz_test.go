package filter_test

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/internal/filter"
)

func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"",
		"status:active type:corporate name~acme created>=2025-01-01",
		`status:active|SUSPENDED name~"acme ltd"|"big \"bank\"" amount<=-5`,
		`acme "big bank" foo@bar:baz`,
		"created>2025-01-31T10:30:00.123456789+01:00 created<0001-01-01T00:30:00+00:30",
		`code>"=x" code<=y code!:"a\\b"`,
		"status:active|",
		`name~"unterminated`,
		"amount:9223372036854775807|-9223372036854775808",
		"RISK.level:low\u00a0status!:closed",
		"starred:true name~acme STARRED:FALSE|true",
		"starred!:true starred~tru starred:yes",
	} {
		f.Add(seed)
	}
	schema := testSchema()
	f.Fuzz(func(t *testing.T, input string) {
		q, err := filter.Parse(input, schema)
		if err != nil {
			var se *filter.SyntaxError
			if !errors.As(err, &se) || !errors.Is(err, clientele.ErrInvalid) {
				t.Fatalf("Parse(%q): error %v is not a *SyntaxError wrapping ErrInvalid", input, err)
			}
			if se.Pos < 0 || se.Pos > len(input) {
				t.Fatalf("Parse(%q): error position %d outside the input", input, se.Pos)
			}
			if len(q.Terms) != 0 {
				t.Fatalf("Parse(%q): terms returned with an error", input)
			}
			return
		}
		checkQuery(t, input, q, schema)

		out := q.String()
		if len(out) > filter.MaxInputLen {
			// Rendering may lengthen a query (bare values gain "field~"), past
			// what Parse accepts; nothing to compare.
			return
		}
		again, err := filter.Parse(out, schema)
		if err != nil {
			t.Fatalf("Parse(%q) = %q, which does not parse: %v", input, out, err)
		}
		if a, b := stripPos(q), stripPos(again); !equalQuery(a, b) {
			t.Fatalf("Parse(%q) rendered as %q parses differently:\n%#v\n%#v", input, out, a, b)
		}
		if again.String() != out {
			t.Fatalf("rendering is not stable: %q then %q", out, again.String())
		}
	})
}

func checkQuery(t *testing.T, input string, q filter.Query, s filter.Schema) {
	t.Helper()
	if len(q.Terms) > filter.MaxTerms {
		t.Fatalf("Parse(%q): %d terms", input, len(q.Terms))
	}
	if strings.TrimSpace(input) == "" && q.Terms != nil {
		t.Fatalf("Parse(%q): terms from blank input", input)
	}
	for _, term := range q.Terms {
		var f *filter.Field
		for i := range s.Fields {
			if s.Fields[i].Name == term.Field {
				f = &s.Fields[i]
			}
		}
		if f == nil {
			t.Fatalf("Parse(%q): field %q not in the schema", input, term.Field)
		}
		if term.Kind != f.Kind {
			t.Fatalf("Parse(%q): field %s has kind %v, want %v", input, term.Field, term.Kind, f.Kind)
		}
		if !opAllowed(*f, term.Op) {
			t.Fatalf("Parse(%q): operator %v not allowed for %s", input, term.Op, term.Field)
		}
		if n := len(term.Values); n < 1 || n > filter.MaxAlternatives || n > 1 && term.Op != filter.Eq && term.Op != filter.Ne && term.Op != filter.Contains {
			t.Fatalf("Parse(%q): %d values for %s%s", input, n, term.Field, term.Op)
		}
		if term.Pos < 0 || term.Pos >= len(input) {
			t.Fatalf("Parse(%q): term position %d outside the input", input, term.Pos)
		}
		for _, v := range term.Values {
			switch term.Kind {
			case filter.String, filter.Enum:
				if v.Str == "" || len(v.Str) > filter.MaxValueLen || !utf8.ValidString(v.Str) {
					t.Fatalf("Parse(%q): bad string value %q", input, v.Str)
				}
				if term.Kind == filter.Enum && !contains(f.Values, v.Str) {
					t.Fatalf("Parse(%q): enum value %q not canonical", input, v.Str)
				}
			case filter.Date:
				if v.Time.Location() != nil && v.Time.Location().String() != "UTC" || v.Time.Year() < 1 || v.Time.Year() > 9999 {
					t.Fatalf("Parse(%q): bad time %v", input, v.Time)
				}
			}
		}
	}
}

func opAllowed(f filter.Field, op filter.Op) bool {
	ops := f.Ops
	if len(ops) == 0 {
		switch f.Kind {
		case filter.String:
			ops = []filter.Op{filter.Eq, filter.Ne, filter.Contains}
		case filter.Enum:
			ops = []filter.Op{filter.Eq, filter.Ne}
		default:
			ops = []filter.Op{filter.Eq, filter.Ne, filter.Gt, filter.Ge, filter.Lt, filter.Le}
		}
	}
	for _, o := range ops {
		if o == op {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// equalQuery compares two queries, times by instant as well as representation.
func equalQuery(a, b filter.Query) bool {
	if len(a.Terms) != len(b.Terms) {
		return false
	}
	for i := range a.Terms {
		x, y := a.Terms[i], b.Terms[i]
		if x.Field != y.Field || x.Kind != y.Kind || x.Op != y.Op || x.Pos != y.Pos || len(x.Values) != len(y.Values) {
			return false
		}
		for j := range x.Values {
			v, w := x.Values[j], y.Values[j]
			if v.Str != w.Str || v.Num != w.Num || v.DateOnly != w.DateOnly || v.Time != w.Time {
				return false
			}
		}
	}
	return true
}

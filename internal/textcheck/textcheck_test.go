package textcheck_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/internal/textcheck"
)

func TestLineAndText(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		max      int
		line     string // rule Line reports, "" when it passes
		text     string // rule Text reports
	}{
		{"plain", "Amina Otieno", 20, "", ""},
		{"unicode", "Zoë Ñandú 北京", 12, "", ""},
		{"empty", "", 5, "", ""},
		{"NUL", "a\x00b", 0, textcheck.RuleControl, textcheck.RuleControl},
		{"escape", "\x1b[2J", 0, textcheck.RuleControl, textcheck.RuleControl},
		{"DEL", "a\x7f", 0, textcheck.RuleControl, textcheck.RuleControl},
		{"C1", "a\u0085", 0, textcheck.RuleControl, textcheck.RuleControl},
		{"tab", "a\tb", 0, textcheck.RuleControl, textcheck.RuleControl},
		{"carriage return", "a\rb", 0, textcheck.RuleControl, textcheck.RuleControl},
		{"newline", "a\nb", 0, textcheck.RuleControl, ""},
		{"invalid UTF-8", "a\xffb", 0, textcheck.RuleUTF8, textcheck.RuleUTF8},
		{"surrogate half", "\xed\xa0\x80", 0, textcheck.RuleUTF8, textcheck.RuleUTF8},
		{"at max in characters", strings.Repeat("é", 5), 5, "", ""},
		{"over max", strings.Repeat("x", 6), 5, textcheck.RuleMax, textcheck.RuleMax},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for fn, want := range map[string]string{"Line": tc.line, "Text": tc.text} {
				v := &clientele.ValidationError{}
				check := textcheck.Line
				if fn == "Text" {
					check = textcheck.Text
				}
				ok := check(v, "f", tc.in, tc.max)
				assert.Equal(t, want == "", ok, fn)
				if want == "" {
					assert.Empty(t, v.Problems, fn)
					continue
				}
				if assert.Len(t, v.Problems, 1, fn) {
					assert.Equal(t, "f", v.Problems[0].Field, fn)
					assert.Equal(t, want, v.Problems[0].Rule, fn)
				}
			}
		})
	}
}

type inner struct {
	Name string `json:"name"`
}

type outer struct {
	inner
	Code    string            `json:"code"`
	Skip    string            `json:"-"`
	Plain   string            // no JSON name
	Nested  *inner            `json:"nested,omitempty"`
	List    []string          `json:"list"`
	Items   []inner           `json:"items"`
	Labels  map[string]string `json:"labels"`
	Any     any               `json:"any"`
	private string
}

func TestStringsNamesEveryFieldByItsJSONPath(t *testing.T) {
	bad := "x\x00"
	v := &clientele.ValidationError{}
	textcheck.Strings(v, "", &outer{
		inner: inner{Name: bad}, Code: bad, Skip: bad, Plain: bad,
		Nested: &inner{Name: bad}, List: []string{"ok", bad}, Items: []inner{{Name: bad}},
		Labels: map[string]string{"k": bad}, Any: bad, private: bad,
	})
	var fields []string
	for _, p := range v.Problems {
		fields = append(fields, p.Field)
	}
	assert.ElementsMatch(t, []string{"name", "code", "Plain", "nested.name", "list[1]", "items[0].name", "labels.k", "any"}, fields)

	v = &clientele.ValidationError{}
	textcheck.Strings(v, "body", outer{Labels: map[string]string{"\xff": "ok"}})
	if assert.Len(t, v.Problems, 1) {
		assert.Equal(t, "body.labels.(key)", v.Problems[0].Field)
	}

	v = &clientele.ValidationError{}
	textcheck.Strings(v, "", outer{Code: "fine", Nested: &inner{Name: "Zoë"}})
	assert.Empty(t, v.Problems)
}

package associates

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
)

func ptr[T any](v T) *T { return &v }

func partner() Classification {
	return Classification{Name: "Partner", Scope: ScopeRestricted, Fields: []Field{
		{Name: "code", Type: FieldString, Required: true, MinLength: ptr(2), MaxLength: ptr(5)},
		{Name: "commission", Type: FieldNumber, Min: ptr(0.0), Max: ptr(50.0)},
		{Name: "since", Type: FieldDate, MinDate: "2000-01-01", MaxDate: "2030-12-31"},
		{Name: "funder", Type: FieldBoolean},
		{Name: "tier", Type: FieldEnum, Values: []string{"gold", "silver"}},
	}}
}

// fields returns the field and rule of every problem of err.
func problems(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	var verr *clientele.ValidationError
	require.True(t, errors.As(err, &verr), "%v", err)
	require.ErrorIs(t, err, clientele.ErrInvalid)
	var out []string
	for _, p := range verr.Problems {
		out = append(out, p.Field+":"+p.Rule)
	}
	return out
}

func TestValidateData(t *testing.T) {
	c := partner()
	require.NoError(t, c.Validate())
	tests := []struct {
		name string
		data map[string]any
		want []string
	}{
		{"all valid", map[string]any{"code": "KIVA", "commission": 2.5, "since": "2012-06-01", "funder": true, "tier": "gold"}, nil},
		{"only the required", map[string]any{"code": "KV"}, nil},
		{"integers and json.Number count as numbers", map[string]any{"code": "KV", "commission": json.Number("7")}, nil},
		{"Go int", map[string]any{"code": "KV", "commission": 50}, nil},
		{"null is absent", map[string]any{"code": "KV", "tier": nil}, nil},
		{"missing required", map[string]any{}, []string{"data.code:required"}},
		{"required given null", map[string]any{"code": nil}, []string{"data.code:required"}},
		{"required string empty", map[string]any{"code": ""}, []string{"data.code:required"}},
		{"required string blank", map[string]any{"code": "   "}, []string{"data.code:required"}},
		{"optional enum empty is not listed", map[string]any{"code": "KV", "tier": ""}, []string{"data.tier:oneof"}},
		{"unknown field", map[string]any{"code": "KV", "colour": "red"}, []string{"data.colour:unknown"}},
		{"unknown field with a control character", map[string]any{"code": "KV", "a\x00b": 1}, []string{"data:unknown"}},
		{"string too short", map[string]any{"code": "K"}, []string{"data.code:minLength"}},
		{"string too long", map[string]any{"code": "KIVA12"}, []string{"data.code:maxLength"}},
		{"string with NUL", map[string]any{"code": "K\x00V"}, []string{"data.code:control"}},
		{"string of wrong type", map[string]any{"code": 12}, []string{"data.code:type"}},
		{"number below min", map[string]any{"code": "KV", "commission": -1.0}, []string{"data.commission:min"}},
		{"number above max", map[string]any{"code": "KV", "commission": 50.01}, []string{"data.commission:max"}},
		{"number as string", map[string]any{"code": "KV", "commission": "5"}, []string{"data.commission:type"}},
		{"date malformed", map[string]any{"code": "KV", "since": "01/06/2012"}, []string{"data.since:type"}},
		{"date impossible", map[string]any{"code": "KV", "since": "2012-02-30"}, []string{"data.since:type"}},
		{"date before min", map[string]any{"code": "KV", "since": "1999-12-31"}, []string{"data.since:minDate"}},
		{"date after max", map[string]any{"code": "KV", "since": "2031-01-01"}, []string{"data.since:maxDate"}},
		{"boolean as string", map[string]any{"code": "KV", "funder": "true"}, []string{"data.funder:type"}},
		{"enum value not listed", map[string]any{"code": "KV", "tier": "bronze"}, []string{"data.tier:oneof"}},
		{"enum of wrong type", map[string]any{"code": "KV", "tier": 1}, []string{"data.tier:type"}},
		{"every problem at once", map[string]any{"colour": 1, "commission": 99, "tier": "x"},
			[]string{"data.colour:unknown", "data.code:required", "data.commission:max", "data.tier:oneof"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, problems(t, c.ValidateData(tt.data)))
		})
	}
}

func TestClassificationValidate(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Classification)
		want []string
	}{
		{"valid", func(*Classification) {}, nil},
		{"no name", func(c *Classification) { c.Name = " " }, []string{"name:required"}},
		{"unknown scope", func(c *Classification) { c.Scope = "office" }, []string{"scope:oneof"}},
		{"bad field name", func(c *Classification) { c.Fields[0].Name = "1code" }, []string{"fields[0].name:format"}},
		{"duplicate field", func(c *Classification) { c.Fields[1].Name = "code" }, []string{"fields[1].name:unique"}},
		{"unknown type", func(c *Classification) { c.Fields[3].Type = "blob" }, []string{"fields[3].type:oneof"}},
		{"bound of another type", func(c *Classification) { c.Fields[0].Min = ptr(1.0) }, []string{"fields[0].min:type"}},
		{"min above max", func(c *Classification) { c.Fields[1].Min = ptr(60.0) }, []string{"fields[1].min:range"}},
		{"minLength above maxLength", func(c *Classification) { c.Fields[0].MinLength = ptr(6) }, []string{"fields[0].minLength:range"}},
		{"bad date bound", func(c *Classification) { c.Fields[2].MinDate = "2000-13-01" }, []string{"fields[2].minDate:date"}},
		{"enum without values", func(c *Classification) { c.Fields[4].Values = nil }, []string{"fields[4].values:required"}},
		{"enum value twice", func(c *Classification) { c.Fields[4].Values = []string{"gold", "gold"} }, []string{"fields[4].values[1]:unique"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := partner()
			tt.edit(&c)
			assert.Equal(t, tt.want, problems(t, c.Validate()))
		})
	}
}

func TestParseClosedSets(t *testing.T) {
	for _, s := range []string{"branch", "restricted"} {
		m, err := ParseScopeMode(s)
		require.NoError(t, err)
		assert.Equal(t, ScopeMode(s), m)
	}
	_, err := ParseScopeMode("Branch")
	assert.ErrorIs(t, err, clientele.ErrInvalid)
	for _, s := range []string{"string", "number", "date", "boolean", "enum"} {
		_, err := ParseFieldType(s)
		assert.NoError(t, err)
	}
	_, err = ParseFieldType("int")
	assert.ErrorIs(t, err, clientele.ErrInvalid)
	for _, s := range []string{"center", "group", "client", "loan", "savings"} {
		_, err := ParseEntityKind(s)
		assert.NoError(t, err)
	}
	_, err = ParseEntityKind("office")
	assert.ErrorIs(t, err, clientele.ErrInvalid)
}

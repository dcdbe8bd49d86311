package associates

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/authz"
	"github.com/clientele-go/clientele/internal/textcheck"
)

// Bounds of a classification.
const (
	MaxFields        = 50  // fields of one data table
	MaxFieldNameLen  = 64  // a field's name
	MaxEnumValues    = 100 // values of one enum field
	MaxEnumValueLen  = 100 // one enum value
	MaxStringLen     = 4000
	maxDataKeyShown  = 64
	dateLayout       = "2006-01-02"
	maxNumberBoundAt = 1e15 // numbers beyond this lose integer precision in JSON
)

// ScopeMode is the data scope of a classification's members (seed 000).
type ScopeMode string

const (
	// ScopeBranch: the associate's office and every office under it (the
	// default of seed 000).
	ScopeBranch ScopeMode = authz.ScopeModeBranch
	// ScopeRestricted: only the entities linked to the associate or to an
	// associate below it in the hierarchy.
	ScopeRestricted ScopeMode = authz.ScopeModeRestricted
)

// ParseScopeMode accepts "branch" and "restricted".
func ParseScopeMode(s string) (ScopeMode, error) {
	switch ScopeMode(s) {
	case ScopeBranch, ScopeRestricted:
		return ScopeMode(s), nil
	}
	return "", fmt.Errorf("associates: scope mode %q: want branch or restricted: %w", shown(s), clientele.ErrInvalid)
}

// FieldType is the type of one custom field of a data table.
type FieldType string

// The field types.
const (
	FieldString  FieldType = "string"
	FieldNumber  FieldType = "number"
	FieldDate    FieldType = "date" // a calendar date, "2006-01-02"
	FieldBoolean FieldType = "boolean"
	FieldEnum    FieldType = "enum" // one of Field.Values
)

// ParseFieldType accepts string, number, date, boolean and enum.
func ParseFieldType(s string) (FieldType, error) {
	switch FieldType(s) {
	case FieldString, FieldNumber, FieldDate, FieldBoolean, FieldEnum:
		return FieldType(s), nil
	}
	return "", fmt.Errorf("associates: field type %q: want string, number, date, boolean or enum: %w", shown(s), clientele.ErrInvalid)
}

// Field is one typed custom field of a classification's data table. Bounds
// apply to the field's type only: MinLength and MaxLength to strings (in
// characters), Min and Max to numbers, MinDate and MaxDate ("2006-01-02") to
// dates, Values to enums (which must list at least one). A bound that is nil
// or empty does not apply.
type Field struct {
	// Name is the field's key in Associate.Data: a letter, then letters,
	// digits or '_' (at most MaxFieldNameLen).
	Name      string    `json:"name"`
	Type      FieldType `json:"type"`
	Required  bool      `json:"required,omitempty"`
	MinLength *int      `json:"minLength,omitempty"`
	MaxLength *int      `json:"maxLength,omitempty"`
	Min       *float64  `json:"min,omitempty"`
	Max       *float64  `json:"max,omitempty"`
	MinDate   string    `json:"minDate,omitempty"`
	MaxDate   string    `json:"maxDate,omitempty"`
	Values    []string  `json:"values,omitempty"`
}

// Classification is an org-defined kind of associate (Employee, Agent,
// Partner, Funding Partner, …): the data scope of its members and the data
// table (Fields) each member's Data must satisfy. A classification is fixed
// once created: the associates classified by it were validated against its
// fields.
type Classification struct {
	ID       string    `json:"id"`
	TenantID string    `json:"tenantId"`
	Name     string    `json:"name"`
	Scope    ScopeMode `json:"scope"`
	Fields   []Field   `json:"fields"`
	// Version is 1: a classification is not changed after it is created.
	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"createdAt"`
}

// Validate checks a classification before it is stored: a name, a known
// scope mode, and well-formed fields (unique names, known types, bounds that
// fit the type and do not contradict each other). Problems name the field:
// "name", "scope", "fields[2].max", ….
func (c Classification) Validate() error {
	v := &clientele.ValidationError{}
	checkName(v, "name", c.Name)
	if _, err := ParseScopeMode(string(c.Scope)); err != nil {
		v.Add("scope", "oneof", "must be branch or restricted")
	}
	if len(c.Fields) > MaxFields {
		v.Add("fields", "max", fmt.Sprintf("must hold at most %d fields", MaxFields))
		return v.OrNil()
	}
	seen := map[string]bool{}
	for i, f := range c.Fields {
		at := fmt.Sprintf("fields[%d]", i)
		if !validFieldName(f.Name) {
			v.Add(at+".name", "format", fmt.Sprintf("must be a letter followed by letters, digits or '_', at most %d characters", MaxFieldNameLen))
		} else if seen[f.Name] {
			v.Add(at+".name", "unique", fmt.Sprintf("field %s is defined twice", f.Name))
		}
		seen[f.Name] = true
		if _, err := ParseFieldType(string(f.Type)); err != nil {
			v.Add(at+".type", "oneof", "must be string, number, date, boolean or enum")
			continue
		}
		f.checkBounds(v, at)
	}
	return v.OrNil()
}

func (f Field) checkBounds(v *clientele.ValidationError, at string) {
	only := func(set bool, name string, typ FieldType) {
		if set && f.Type != typ {
			v.Add(at+"."+name, "type", fmt.Sprintf("applies to %s fields only", typ))
		}
	}
	only(f.MinLength != nil, "minLength", FieldString)
	only(f.MaxLength != nil, "maxLength", FieldString)
	only(f.Min != nil, "min", FieldNumber)
	only(f.Max != nil, "max", FieldNumber)
	only(f.MinDate != "", "minDate", FieldDate)
	only(f.MaxDate != "", "maxDate", FieldDate)
	only(len(f.Values) > 0, "values", FieldEnum)
	switch f.Type {
	case FieldString:
		if f.MinLength != nil && (*f.MinLength < 0 || *f.MinLength > MaxStringLen) {
			v.Add(at+".minLength", "range", fmt.Sprintf("must be between 0 and %d", MaxStringLen))
		}
		if f.MaxLength != nil && (*f.MaxLength < 1 || *f.MaxLength > MaxStringLen) {
			v.Add(at+".maxLength", "range", fmt.Sprintf("must be between 1 and %d", MaxStringLen))
		}
		if f.MinLength != nil && f.MaxLength != nil && *f.MinLength > *f.MaxLength {
			v.Add(at+".minLength", "range", "must not exceed maxLength")
		}
	case FieldNumber:
		for name, b := range map[string]*float64{"min": f.Min, "max": f.Max} {
			if b != nil && (math.IsNaN(*b) || math.Abs(*b) > maxNumberBoundAt) {
				v.Add(at+"."+name, "range", "must be a number of at most 1e15 in magnitude")
			}
		}
		if f.Min != nil && f.Max != nil && *f.Min > *f.Max {
			v.Add(at+".min", "range", "must not exceed max")
		}
	case FieldDate:
		minD, okMin := parseDate(f.MinDate)
		maxD, okMax := parseDate(f.MaxDate)
		if f.MinDate != "" && !okMin {
			v.Add(at+".minDate", "date", "must be a date, YYYY-MM-DD")
		}
		if f.MaxDate != "" && !okMax {
			v.Add(at+".maxDate", "date", "must be a date, YYYY-MM-DD")
		}
		if okMin && okMax && minD.After(maxD) {
			v.Add(at+".minDate", "range", "must not be after maxDate")
		}
	case FieldEnum:
		if len(f.Values) == 0 || len(f.Values) > MaxEnumValues {
			v.Add(at+".values", "required", fmt.Sprintf("must list 1 to %d values", MaxEnumValues))
		}
		for i, val := range f.Values {
			field := fmt.Sprintf("%s.values[%d]", at, i)
			if val == "" {
				v.Add(field, "required", "must not be empty")
			} else if textcheck.Line(v, field, val, MaxEnumValueLen) && slices.Index(f.Values, val) < i {
				v.Add(field, "unique", "is listed twice")
			}
		}
	}
}

// ValidateData checks data, an associate's values for the classification's
// data table: every key must be a field of c, every value of the field's type
// and within its bounds, every required field present (a JSON null counts as
// absent, and so does an empty or blank string for a required string field). Numbers may be float64 (as encoding/json decodes them), any Go
// integer type, or json.Number; dates are "YYYY-MM-DD" strings. It returns a
// *clientele.ValidationError naming "data.<field>" for each problem (an
// unknown key whose name cannot be shown is "data").
func (c Classification) ValidateData(data map[string]any) error {
	v := &clientele.ValidationError{}
	keys := make([]string, 0, len(data))
	for k := range data {
		keys = append(keys, k)
	}
	slices.Sort(keys) // problems in a stable order
	for _, k := range keys {
		if slices.IndexFunc(c.Fields, func(f Field) bool { return f.Name == k }) < 0 {
			field := "data"
			if shown(k) == k && len(k) <= maxDataKeyShown {
				field = "data." + k
			}
			v.Add(field, "unknown", fmt.Sprintf("is not a field of classification %s", shown(c.Name)))
		}
	}
	for _, f := range c.Fields {
		val, ok := data[f.Name]
		if !ok || val == nil {
			if f.Required {
				v.Add("data."+f.Name, "required", "is required")
			}
			continue
		}
		if s, isString := val.(string); isString && f.Required && f.Type == FieldString && strings.TrimSpace(s) == "" {
			v.Add("data."+f.Name, "required", "is required: must not be empty or blank")
			continue
		}
		f.checkValue(v, "data."+f.Name, val)
	}
	return v.OrNil()
}

func (f Field) checkValue(v *clientele.ValidationError, field string, val any) {
	switch f.Type {
	case FieldString:
		s, ok := val.(string)
		if !ok {
			v.Add(field, "type", "must be a string")
			return
		}
		if !textcheck.Line(v, field, s, MaxStringLen) {
			return
		}
		n := utf8.RuneCountInString(s)
		if f.MinLength != nil && n < *f.MinLength {
			v.Add(field, "minLength", fmt.Sprintf("must be at least %d characters", *f.MinLength))
		}
		if f.MaxLength != nil && n > *f.MaxLength {
			v.Add(field, "maxLength", fmt.Sprintf("must be at most %d characters", *f.MaxLength))
		}
	case FieldNumber:
		n, ok := number(val)
		if !ok {
			v.Add(field, "type", "must be a finite number")
			return
		}
		if f.Min != nil && n < *f.Min {
			v.Add(field, "min", "must be at least "+strconv.FormatFloat(*f.Min, 'g', -1, 64))
		}
		if f.Max != nil && n > *f.Max {
			v.Add(field, "max", "must be at most "+strconv.FormatFloat(*f.Max, 'g', -1, 64))
		}
	case FieldDate:
		s, ok := val.(string)
		d, okDate := parseDate(s)
		if !ok || !okDate {
			v.Add(field, "type", "must be a date, YYYY-MM-DD")
			return
		}
		if minD, ok := parseDate(f.MinDate); ok && d.Before(minD) {
			v.Add(field, "minDate", "must be on or after "+f.MinDate)
		}
		if maxD, ok := parseDate(f.MaxDate); ok && d.After(maxD) {
			v.Add(field, "maxDate", "must be on or before "+f.MaxDate)
		}
	case FieldBoolean:
		if _, ok := val.(bool); !ok {
			v.Add(field, "type", "must be true or false")
		}
	case FieldEnum:
		s, ok := val.(string)
		if !ok {
			v.Add(field, "type", "must be a string")
			return
		}
		if !slices.Contains(f.Values, s) {
			v.Add(field, "oneof", "must be one of the field's values")
		}
	}
}

// number reads the numeric kinds a caller or encoding/json may hand over.
func number(val any) (float64, bool) {
	var n float64
	switch x := val.(type) {
	case float64:
		n = x
	case float32:
		n = float64(x)
	case int:
		n = float64(x)
	case int8:
		n = float64(x)
	case int16:
		n = float64(x)
	case int32:
		n = float64(x)
	case int64:
		n = float64(x)
	case uint:
		n = float64(x)
	case uint8:
		n = float64(x)
	case uint16:
		n = float64(x)
	case uint32:
		n = float64(x)
	case uint64:
		n = float64(x)
	case json.Number:
		f, err := x.Float64()
		if err != nil {
			return 0, false
		}
		n = f
	default:
		return 0, false
	}
	return n, !math.IsNaN(n) && !math.IsInf(n, 0)
}

func parseDate(s string) (time.Time, bool) {
	if len(s) != len(dateLayout) {
		return time.Time{}, false
	}
	d, err := time.Parse(dateLayout, s)
	return d, err == nil
}

func validFieldName(s string) bool {
	if s == "" || len(s) > MaxFieldNameLen {
		return false
	}
	for i, r := range s {
		letter := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
		if !(letter || i > 0 && (r >= '0' && r <= '9' || r == '_')) {
			return false
		}
	}
	return true
}

// clone returns c with its own copies of the fields and their bounds.
func (c Classification) clone() Classification {
	fields := make([]Field, len(c.Fields))
	for i, f := range c.Fields {
		f.MinLength, f.MaxLength = clonePtr(f.MinLength), clonePtr(f.MaxLength)
		f.Min, f.Max = clonePtr(f.Min), clonePtr(f.Max)
		f.Values = slices.Clone(f.Values)
		fields[i] = f
	}
	c.Fields = fields
	return c
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

package clients

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/internal/filter"
	"github.com/clientele-go/clientele/internal/textcheck"
)

// Page sizes of List.
const (
	DefaultPageSize = 20
	MaxPageSize     = 100
)

// Field is a field client search filters on. The set is closed: a Store
// implementation handles exactly these.
type Field string

// The search fields. Date fields (FieldCreated, FieldUpdated) carry
// Value.Time; the others carry Value.Text.
const (
	FieldStatus    Field = "status"    // State
	FieldType      Field = "type"      // Type
	FieldKYC       Field = "kyc"       // KYCStatus
	FieldName      Field = "name"      // DisplayName, compared case-insensitively
	FieldReference Field = "reference" // Reference
	FieldOffice    Field = "office"    // OfficeID
	FieldEmail     Field = "email"     // Contact.Email, compared case-insensitively
	FieldPhone     Field = "phone"     // Contact.Phone
	FieldCreated   Field = "created"   // CreatedAt
	FieldUpdated   Field = "updated"   // UpdatedAt
	// FieldStarred is true for the clients Query.Member starred (CL008),
	// false for the others. Its values are "true" and "false".
	FieldStarred Field = "starred"
)

// IsDate reports whether f holds timestamps (its values carry Value.Time).
func (f Field) IsDate() bool { return f == FieldCreated || f == FieldUpdated }

// Op is a comparison of a search term, written as in the filter language.
type Op string

// The operators.
const (
	OpEq       Op = ":"  // equals any of the values
	OpNe       Op = "!:" // equals none of the values
	OpContains Op = "~"  // contains any of the values as a substring (case-insensitive)
	OpGt       Op = ">"  // after the value (for a whole day: after its end)
	OpGe       Op = ">=" // at or after the value (for a whole day: from its start)
	OpLt       Op = "<"  // before the value (for a whole day: before its start)
	OpLe       Op = "<=" // at or before the value (for a whole day: up to its end)
)

// Value is one value of a term: Text for the text and enumerated fields (an
// enumerated value in its canonical spelling, e.g. "active"), Time (UTC) for
// the date fields.
type Value struct {
	Text string    `json:"text,omitempty"`
	Time time.Time `json:"time,omitzero"`
	// DateOnly is set when the value is a whole UTC day (YYYY-MM-DD): Time is
	// then the start of that day, and OpEq means "within that day".
	DateOnly bool `json:"dateOnly,omitempty"`
}

// Term is one condition of a query: Field Op Values. Values holds at least one
// value; several are alternatives (for OpEq and OpContains any may match, for
// OpNe none may). OpGt, OpGe, OpLt and OpLe take exactly one value.
type Term struct {
	Field  Field   `json:"field"`
	Op     Op      `json:"op"`
	Values []Value `json:"values"`
}

// Query is a parsed client search filter. Its terms must all hold; an empty
// Query matches every client. ParseQuery builds one from the filter language;
// a Store implementation translates it.
type Query struct {
	Terms []Term `json:"terms,omitempty"`
	// Member is the back-office member (a user ID) whose favourites a
	// FieldStarred term refers to. It is not part of the filter language:
	// List sets it to the acting principal's user. A query with a
	// FieldStarred term needs it.
	Member string `json:"member,omitempty"`
}

// SearchField describes one field of client search: the operators it allows
// and, for an enumerated field, its values.
type SearchField struct {
	Field  Field
	Ops    []Op
	Values []string // empty for a free-text or date field
}

// SearchSchema lists the fields client search (CL001, CL009) admits, with their
// operators and values. See the package documentation for the language.
func SearchSchema() []SearchField {
	eqNe := []Op{OpEq, OpNe}
	dates := []Op{OpEq, OpGt, OpGe, OpLt, OpLe}
	return []SearchField{
		{Field: FieldStatus, Ops: eqNe, Values: []string{"pending", "active", "suspended", "archiving", "archived"}},
		{Field: FieldType, Ops: eqNe, Values: []string{"individual", "corporate"}},
		{Field: FieldKYC, Ops: eqNe, Values: []string{"pending", "verified", "rejected"}},
		{Field: FieldName, Ops: []Op{OpContains, OpEq}},
		{Field: FieldReference, Ops: []Op{OpEq, OpContains}},
		{Field: FieldOffice, Ops: eqNe},
		{Field: FieldEmail, Ops: []Op{OpEq}},
		{Field: FieldPhone, Ops: []Op{OpEq}},
		{Field: FieldCreated, Ops: dates},
		{Field: FieldUpdated, Ops: dates},
		{Field: FieldStarred, Ops: []Op{OpEq}, Values: []string{"true", "false"}},
	}
}

// opCodes maps the public operators to the parser's, one to one.
var opCodes = map[Op]filter.Op{
	OpEq: filter.Eq, OpNe: filter.Ne, OpContains: filter.Contains,
	OpGt: filter.Gt, OpGe: filter.Ge, OpLt: filter.Lt, OpLe: filter.Le,
}

func publicOp(o filter.Op) Op {
	for p, f := range opCodes {
		if f == o {
			return p
		}
	}
	return Op(o.String())
}

// filterSchema is SearchSchema in the parser's terms; a bare word searches the
// name.
func filterSchema() filter.Schema {
	s := filter.Schema{Default: string(FieldName)}
	for _, f := range SearchSchema() {
		ff := filter.Field{Name: string(f.Field), Kind: filter.String, Values: f.Values}
		switch {
		case f.Field.IsDate():
			ff.Kind = filter.Date
		case len(f.Values) > 0:
			ff.Kind = filter.Enum
		}
		for _, o := range f.Ops {
			ff.Ops = append(ff.Ops, opCodes[o])
		}
		s.Fields = append(s.Fields, ff)
	}
	return s
}

// ParseQuery parses a filter in the search language (see the package
// documentation). A filter that does not parse gives a
// *clientele.ValidationError on "filter" whose message names the byte position
// and what was expected there.
func ParseQuery(filterText string) (Query, error) {
	fq, err := filter.Parse(filterText, filterSchema())
	var se *filter.SyntaxError
	if errors.As(err, &se) {
		return Query{}, clientele.NewValidationError("filter", "syntax", fmt.Sprintf("at position %d: %s", se.Pos, se.Msg))
	}
	if err != nil {
		return Query{}, err
	}
	q := Query{Terms: make([]Term, 0, len(fq.Terms))}
	for _, ft := range fq.Terms {
		t := Term{Field: Field(ft.Field), Op: publicOp(ft.Op), Values: make([]Value, len(ft.Values))}
		for i, v := range ft.Values {
			t.Values[i] = Value{Text: v.Str, Time: v.Time, DateOnly: v.DateOnly}
		}
		q.Terms = append(q.Terms, t)
	}
	if len(q.Terms) == 0 {
		q.Terms = nil
	}
	return q, nil
}

// Validate reports whether q stays within SearchSchema: every term names a
// search field with an operator it allows and one to 10 values (exactly one for
// OpGt, OpGe, OpLt and OpLe); enumerated values are canonical, text values are
// one line of valid UTF-8 of at most 256 bytes, dates are set. Anything else is a
// *clientele.ValidationError on "filter". ParseQuery only returns valid
// queries; a Store checks the queries it is handed by other code with it.
func (q Query) Validate() error {
	if len(q.Terms) > filter.MaxTerms {
		return clientele.NewValidationError("filter", "max", fmt.Sprintf("has %d terms; the limit is %d", len(q.Terms), filter.MaxTerms))
	}
	schema := SearchSchema()
	verr := &clientele.ValidationError{}
	textcheck.Line(verr, "filter", q.Member, 64)
	for i, t := range q.Terms {
		bad := func(rule, format string, args ...any) {
			verr.Add("filter", rule, fmt.Sprintf("term %d (%s%s): ", i+1, t.Field, t.Op)+fmt.Sprintf(format, args...))
		}
		j := slices.IndexFunc(schema, func(f SearchField) bool { return f.Field == t.Field })
		if j < 0 {
			bad("field", "unknown field")
			continue
		}
		f := schema[j]
		if f.Field == FieldStarred && q.Member == "" {
			bad("member", "needs the member whose favourites it means")
			continue
		}
		if !slices.Contains(f.Ops, t.Op) {
			bad("op", "operator not allowed on this field")
			continue
		}
		switch n := len(t.Values); {
		case n == 0:
			bad("required", "needs a value")
			continue
		case n > filter.MaxAlternatives:
			bad("max", "has %d values; the limit is %d", n, filter.MaxAlternatives)
			continue
		case n > 1 && t.Op != OpEq && t.Op != OpNe && t.Op != OpContains:
			bad("max", "takes one value")
			continue
		}
		for _, v := range t.Values {
			switch {
			case f.Field.IsDate():
				if v.Time.IsZero() {
					bad("required", "needs a time")
				}
			case len(f.Values) > 0:
				if !slices.Contains(f.Values, v.Text) {
					bad("oneof", "value %q is not one of %s", v.Text, strings.Join(f.Values, ", "))
				}
			case v.Text == "":
				bad("required", "has an empty value")
			case len(v.Text) > filter.MaxValueLen:
				bad("max", "a value is longer than %d bytes", filter.MaxValueLen)
			default:
				textcheck.Line(verr, "filter", v.Text, 0)
			}
		}
	}
	return verr.OrNil()
}

// String renders q's terms in the filter language, canonically: parsing the
// result with ParseQuery gives the terms back (Member is not part of the
// language).
func (q Query) String() string {
	fq := filter.Query{Terms: make([]filter.Term, len(q.Terms))}
	for i, t := range q.Terms {
		ft := filter.Term{Field: string(t.Field), Kind: filter.String, Op: opCodes[t.Op], Values: make([]filter.Value, len(t.Values))}
		if t.Field.IsDate() {
			ft.Kind = filter.Date
		}
		for j, v := range t.Values {
			ft.Values[j] = filter.Value{Str: v.Text, Time: v.Time, DateOnly: v.DateOnly}
		}
		fq.Terms[i] = ft
	}
	return fq.String()
}

// ListRequest asks for one page of clients.
type ListRequest struct {
	// Filter is a query in the filter language; empty lists every client.
	Filter string
	// Limit is the page size: 0 means DefaultPageSize; at most MaxPageSize.
	Limit int
	// Cursor is NextCursor of the previous page; empty for the first.
	Cursor string
}

// Page is one page of clients, newest first.
type Page struct {
	Clients []Client `json:"items"`
	// NextCursor fetches the next page; empty on the last one.
	NextCursor string `json:"nextCursor,omitempty"`
}

// cursorPrefix marks the cursors of the client list.
const cursorPrefix = "c1:"

// has reports whether q has a term on field f.
func (q Query) has(f Field) bool {
	for _, t := range q.Terms {
		if t.Field == f {
			return true
		}
	}
	return false
}

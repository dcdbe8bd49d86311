// Package filter parses the client search filter language into a typed AST.
//
// A query is what a user types into a search box:
//
//	status:active|suspended type:corporate name~"acme ltd" created>=2025-01-01
//
// Parse checks it against a Schema (the fields, their kinds, the operators and enum
// values they allow) and returns a Query of typed Terms. The package knows nothing
// about clients or SQL: the storage layer maps each Term to a condition with bound
// parameters, never to SQL built from strings.
//
// # Terms
//
// A query is a sequence of terms separated by whitespace (any Unicode space); all
// terms must hold (AND). There is no OR between terms, no NOT and no parentheses.
// Empty or whitespace-only input is an empty Query, which matches everything.
//
//	query = [ws] [term {ws term}] [ws]
//	term  = field op values | values      (the second form needs Schema.Default)
//	field = letter {letter | digit | "_" | "." | "-"}     (ASCII, case-insensitive)
//	op    = ":" | "!:" | "~" | ">" | ">=" | "<" | "<="
//	values = value {"|" value}
//	value = bare | quoted
//	bare  = 1*(any character except whitespace, "|" and `"`)
//	quoted = `"` 1*(any character except `"`, `\` and control characters | `\"` | `\\`) `"`
//
// There is no whitespace inside a term: "status: active" is an error. Field names and
// operators match case-insensitively (Term.Field carries the schema's spelling);
// values keep their case.
//
// # Operators
//
//	:   equals             status:active
//	!:  does not equal     status!:closed
//	~   contains           name~acme        (substring; storage compares case-insensitively)
//	>   greater than       created>2025-01-01
//	>=  at least           amount>=1000
//	<   less than          created<2025-06-01T12:00:00Z
//	<=  at most            amount<=5000
//
// Operators are matched longest first, so "a>=b" is a >= b; a value that itself
// starts with "=" after > or < must be quoted: name>"=x". A field allows the
// operators in Field.Ops, or when that is empty its kind's default: String : !: ~,
// Enum : !:, Date and Number : !: > >= < <=. Any other operator is an error naming
// the field and the operators it allows.
//
// # Alternatives
//
// With ":", "!:" and "~" a term may list up to MaxAlternatives values separated by
// "|", without spaces around it. status:active|suspended matches either value;
// status!:closed|archived matches neither; name~acme|"big bank" matches a name
// containing either substring. Alternatives with > >= < <= are an error, as is a "|"
// with no value on either side (status:|active, status:active|, status:a||b).
//
// # Values
//
// A bare value runs to the next whitespace or "|". A value holding whitespace, "|"
// or `"` is double-quoted; inside quotes `\"` is a quote and `\\` a backslash, and
// any other backslash escape is an error. Backslashes in a bare value are literal. A
// quoted value must be followed by whitespace, "|" or the end of input. Empty values
// (status: or name~"") are an error. Control characters are rejected anywhere except
// as whitespace between terms.
//
// Values are checked and converted according to the field's Kind:
//
//   - String: kept as typed, in Value.Str.
//   - Enum: must equal one of Field.Values ignoring case; Value.Str holds the
//     schema's spelling.
//   - Date: either a calendar day, YYYY-MM-DD, or an RFC 3339 timestamp such as
//     2025-01-31T09:30:00Z or 2025-01-31T10:30:00.5+01:00. Value.Time is in UTC; for
//     a day it is the start of the day and Value.DateOnly is set. Years must be 0001
//     to 9999 after conversion to UTC. A day stands for the whole UTC day, and storage
//     should compare it so: created:2025-01-31 is within that day, created!: outside
//     it, > after its end, >= from its start, < before its start, <= up to its end.
//   - Number: a base-10 int64 with an optional sign, in Value.Num.
//
// # Bare values
//
// A term with no field and operator (a value on its own, bare or quoted, possibly
// with alternatives) searches Schema.Default with "~": with Default "name", acme is
// name~acme. When Default is empty a bare value is an error. A word that starts like
// a field name and is followed by an operator is always read as a term, so a bare
// value such as "a:b" must be quoted.
//
// # Limits
//
// Input is at most MaxInputLen bytes of valid UTF-8, with at most MaxTerms terms, at
// most MaxAlternatives values per term and at most MaxValueLen bytes per value (after
// unquoting). Parse never panics and does work linear in the input.
//
// # Errors
//
// A query that breaks any rule gives a *SyntaxError whose Pos is the 0-based byte
// offset of the problem (the term for an unknown field, the operator for a disallowed
// or unknown one, the value for a bad value, the opening quote for an unterminated
// one, the "|" for a dangling alternative) and whose Msg says what was expected. It
// unwraps to clientele.ErrInvalid. A malformed Schema is a programming error, reported
// by Schema.Validate and by Parse as a plain error.
//
// # Rendering
//
// Query.String renders a query canonically; parsing the result with the same schema
// gives back the same Query apart from Term.Pos. Rendering can lengthen a query (a
// bare value gains its field and "~"), so the result may exceed MaxInputLen.
package filter

// Package textcheck holds the library's one rule for strings that come from
// input: valid UTF-8, no control characters (newline allowed only in free-form
// text), and a maximum length in characters. Every domain package checks its
// strings with it before they reach a store, so a NUL byte or an invalid UTF-8
// sequence is refused as clientele.ErrInvalid naming the field, the same way
// on SQLite (which would store it) and PostgreSQL (which refuses it).
//
// Line checks single-line values (names, codes, identifiers), Text free-form
// ones. Strings walks a struct and checks every string in it as a line, so a
// field added later is covered without anyone remembering to; its length
// maximum stays the struct's own validation rule.
//
// Email and E164 are the library's one shape rule for an email address and a
// phone number: clients, users and adapters all judge contacts with them.
package textcheck

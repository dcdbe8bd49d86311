package users

import (
	"strings"
	"unicode/utf8"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/internal/textcheck"
)

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// Password rules: long enough to resist guessing without composition rules
// (NIST SP 800-63B), bounded so hashing cost stays bounded.
const (
	MinPasswordLength = 12
	MaxPasswordLength = 128
)

// normEmail lower-cases and trims an email. Invalid UTF-8 is returned as it
// is, for the check to refuse (strings.ToLower would replace it with U+FFFD).
func normEmail(s string) string {
	if !utf8.ValidString(s) {
		return s
	}
	return strings.ToLower(strings.TrimSpace(s))
}

// maxLength is the longest value, in characters, of each string field this
// package takes as input, by the field's JSON name. Every input string is
// checked against it (checkRequired, checkLen, checkEmail) together with the
// textcheck rule: one line of valid UTF-8. A password is bounded in bytes by
// checkPassword and LoginPassword instead (0 here).
func maxLength(field string) int {
	switch field {
	case "password":
		return 0
	case "email":
		return 254
	case "phone", "pin", "confirmPin":
		return 16
	case "name":
		return 200
	case "idempotencyKey":
		return 200
	case "credential":
		return 16 << 10 // an OIDC ID token with its claims
	}
	// Identifiers: tenantId, id, associateId, clientId, provider, ticket, code.
	return 64
}

// checkText adds a problem when value is not one line of valid UTF-8 within the
// field's maximum length, and reports whether it passed. A field that already
// has a problem is not checked again.
func checkText(v *clientele.ValidationError, field, value string) bool {
	if hasProblem(v, field) {
		return false
	}
	return textcheck.Line(v, field, value, maxLength(field))
}

func hasProblem(v *clientele.ValidationError, field string) bool {
	for _, p := range v.Problems {
		if p.Field == field {
			return true
		}
	}
	return false
}

func checkEmail(v *clientele.ValidationError, field, email string, required bool) {
	switch {
	case email == "" && required:
		v.Add(field, "required", "is required")
	case email == "" || !checkText(v, field, email):
	case !textcheck.Email(email):
		v.Add(field, "email", "must be an email address")
	}
}

func checkPhone(v *clientele.ValidationError, field, phone string, required bool) {
	switch {
	case phone == "" && required:
		v.Add(field, "required", "is required")
	case phone != "" && !textcheck.E164(phone):
		v.Add(field, "e164", "must be an E.164 phone number such as +254712345678")
	}
}

func checkCode(v *clientele.ValidationError, code string) {
	if len(code) != 6 || !isDigits(code) {
		v.Add("code", "code", "must be the 6-digit code you received")
	}
}

func checkPassword(v *clientele.ValidationError, field, pw string) {
	n := utf8.RuneCountInString(pw)
	switch {
	case !checkText(v, field, pw):
	case n < MinPasswordLength:
		v.Add(field, "min", "must be at least 12 characters")
	case len(pw) > MaxPasswordLength:
		v.Add(field, "max", "must be at most 128 bytes")
	}
}

func checkPIN(v *clientele.ValidationError, pin, confirm string) {
	if len(pin) < 4 || len(pin) > 8 || !isDigits(pin) {
		v.Add("pin", "pin", "must be 4 to 8 digits")
		return
	}
	if allSame(pin) {
		v.Add("pin", "weak", "must not repeat one digit")
	}
	if confirm != pin {
		v.Add("confirmPin", "eqfield", "must repeat the PIN")
	}
}

func allSame(s string) bool {
	for i := 1; i < len(s); i++ {
		if s[i] != s[0] {
			return false
		}
	}
	return true
}

// checkRequired adds a problem when value is blank or breaks the text rule of
// its field (checkText).
func checkRequired(v *clientele.ValidationError, field, value string) {
	if strings.TrimSpace(value) == "" {
		v.Add(field, "required", "is required")
		return
	}
	checkText(v, field, value)
}

// checkLen adds a problem when value, which may be empty, breaks the text rule
// or is longer than max characters.
func checkLen(v *clientele.ValidationError, field, value string, max int) {
	if hasProblem(v, field) {
		return
	}
	textcheck.Line(v, field, value, max)
}

// checkID checks the id naming the user a call acts on (a path segment over
// HTTP) before any store sees it.
func checkID(id string) error {
	v := &clientele.ValidationError{}
	checkRequired(v, "id", id)
	return v.OrNil()
}

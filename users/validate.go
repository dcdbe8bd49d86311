package users

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/clientele-go/clientele"
)

// isEmail is a shape check (one @, a dot in the domain, no spaces); delivery
// proves the rest.
func isEmail(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	return ok && local != "" && !strings.Contains(domain, "@") &&
		strings.Contains(domain, ".") && !strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".") &&
		!strings.ContainsFunc(s, unicode.IsSpace)
}

// isE164 reports whether s is "+" and 7 to 15 digits, the first not 0.
func isE164(s string) bool {
	return len(s) >= 8 && len(s) <= 16 && s[0] == '+' && s[1] != '0' && isDigits(s[1:])
}

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

func normEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func checkEmail(v *clientele.ValidationError, field, email string, required bool) {
	switch {
	case email == "" && required:
		v.Add(field, "required", "is required")
	case email != "" && (len(email) > 254 || !isEmail(email)):
		v.Add(field, "email", "must be an email address")
	}
}

func checkPhone(v *clientele.ValidationError, field, phone string, required bool) {
	switch {
	case phone == "" && required:
		v.Add(field, "required", "is required")
	case phone != "" && !isE164(phone):
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

func checkRequired(v *clientele.ValidationError, field, value string) {
	if strings.TrimSpace(value) == "" {
		v.Add(field, "required", "is required")
	}
}

func checkLen(v *clientele.ValidationError, field, value string, max int) {
	if len(value) > max {
		v.Add(field, "max", "is too long")
	}
}

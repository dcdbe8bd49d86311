package users

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/clientele-go/clientele"
)

var (
	emailRE = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
	e164RE  = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)
	codeRE  = regexp.MustCompile(`^[0-9]{6}$`)
	pinRE   = regexp.MustCompile(`^[0-9]{4,8}$`)
)

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
	case email != "" && (len(email) > 254 || !emailRE.MatchString(email)):
		v.Add(field, "email", "must be an email address")
	}
}

func checkPhone(v *clientele.ValidationError, field, phone string, required bool) {
	switch {
	case phone == "" && required:
		v.Add(field, "required", "is required")
	case phone != "" && !e164RE.MatchString(phone):
		v.Add(field, "e164", "must be an E.164 phone number such as +254712345678")
	}
}

func checkCode(v *clientele.ValidationError, code string) {
	if !codeRE.MatchString(code) {
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
	if !pinRE.MatchString(pin) {
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

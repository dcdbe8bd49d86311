package textcheck

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Email reports whether s has the shape of an email address: one "@" between a
// non-empty local part and a domain of at least two dot-separated labels, with
// no whitespace, control character or any of <>()[]\,;:" anywhere, and domain
// labels of letters, digits and "-" (any non-ASCII letter counts, for
// internationalised domains). It is a shape check, the one every package
// uses; delivery proves the rest. Length is the caller's rule.
func Email(s string) bool {
	if !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r) || strings.ContainsRune(`<>()[]\,;:"`, r)
	}) {
		return false
	}
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || strings.Contains(domain, "@") {
		return false
	}
	labels := strings.Split(domain, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || strings.ContainsFunc(l, func(r rune) bool {
			return r < utf8.RuneSelf && !(r == '-' || '0' <= r && r <= '9' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z')
		}) {
			return false
		}
	}
	return true
}

// E164 reports whether s is a phone number in E.164 form: "+" then 7 to 15
// digits, the first not 0 (e.g. +254712345678). It is the one phone rule
// every package uses.
func E164(s string) bool {
	if len(s) < 8 || len(s) > 16 || s[0] != '+' || s[1] == '0' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

package textcheck

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestEmail(t *testing.T) {
	for s, want := range map[string]bool{
		"amina@example.com":              true,
		"a.b+tag@mail.example.co.ke":     true,
		"zoë@bücher.example":             true,
		"x@":                             false,
		"@example.com":                   false,
		"amina@localhost":                false,
		"amina@@example.com":             false,
		"amina @example.com":             false,
		"Amina <amina@example.com>":      false,
		"amina@example..com":             false,
		"amina@.example.com":             false,
		"amina@example.com.":             false,
		"amina@exa_mple.com":             false,
		"amina@example.com\x00":          false,
		"am\"ina\"@example.com":          false,
		"\xffamina@example.com":          false,
		strings.Repeat("a", 64) + "@x.y": true, // length is the caller's rule
	} {
		assert.Equal(t, want, Email(s), "%q", s)
	}
}

func TestE164(t *testing.T) {
	for s, want := range map[string]bool{
		"+254712345678":     true,
		"+1234567":          true,
		"+123456789012345":  true,
		"+1234567890123456": false,
		"+123456":           false,
		"0712345678":        false,
		"+0712345678":       false,
		"+2547 1234567":     false,
		"+25471234567a":     false,
		"":                  false,
		"+":                 false,
	} {
		assert.Equal(t, want, E164(s), "%q", s)
	}
}

package keyset

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/clientele-go/clientele"
)

func TestParseAndPage(t *testing.T) {
	v := &clientele.ValidationError{}
	r := Parse("x1:", "", 0, 20, 100, v)
	assert.NoError(t, v.OrNil())
	assert.Equal(t, Request{Limit: 20}, r)

	ids := []string{"01a20a1a-c38e-70bc-92bc-e360ae3197bb", "01a20a1a-c38e-70bc-92bc-e360ae3197ba", "01a20a1a-c38e-70bc-92bc-e360ae3197b9"}
	page, next := Page("x1:", Request{Limit: 2}, ids, func(s string) string { return s })
	assert.Equal(t, ids[:2], page)
	r = Parse("x1:", next, 2, 20, 100, v)
	assert.NoError(t, v.OrNil())
	assert.Equal(t, Request{After: ids[1], Limit: 2}, r)

	page, next = Page("x1:", Request{Limit: 5}, []string(nil), func(s string) string { return s })
	assert.Equal(t, []string{}, page)
	assert.Empty(t, next)

	for _, bad := range []string{"nope", next + "!", "eDE6bm90LWEtdXVpZA"} {
		v := &clientele.ValidationError{}
		Parse("x1:", bad, 0, 20, 100, v)
		assert.ErrorIs(t, v.OrNil(), clientele.ErrInvalid, bad)
	}
	v = &clientele.ValidationError{}
	_, nextClients := Page("c1:", Request{Limit: 1}, ids, func(s string) string { return s })
	Parse("x1:", nextClients, 0, 20, 100, v)
	assert.Error(t, v.OrNil(), "a cursor of another list is refused")
	for _, l := range []int{-1, 101} {
		v := &clientele.ValidationError{}
		Parse("x1:", "", l, 20, 100, v)
		assert.Equal(t, "limit", v.Problems[0].Field)
	}
}

// TestParseRefusesCursorsItDidNotMake: a cursor holds the canonical form of a
// row's UUID and nothing else; the other spellings uuid.Parse accepts, and any
// overlong or control-character input, are not cursors.
func TestParseRefusesCursorsItDidNotMake(t *testing.T) {
	id := "01a20a1a-c38e-70bc-92bc-e360ae3197bb"
	for name, raw := range map[string]string{
		"urn":        "x1:urn:uuid:" + id,
		"braces":     "x1:{" + id + "}",
		"no dashes":  "x1:01a20a1ac38e70bc92bce360ae3197bb",
		"upper case": "x1:01A20A1A-C38E-70BC-92BC-E360AE3197BB",
		"NUL":        "x1:" + id + "\x00",
	} {
		v := &clientele.ValidationError{}
		r := Parse("x1:", base64.RawURLEncoding.EncodeToString([]byte(raw)), 0, 20, 100, v)
		assert.ErrorIs(t, v.OrNil(), clientele.ErrInvalid, name)
		assert.Empty(t, r.After, name)
	}
	v := &clientele.ValidationError{}
	Parse("x1:", strings.Repeat("A", 10_000), 0, 20, 100, v)
	assert.Equal(t, "cursor", v.Problems[0].Field)
}

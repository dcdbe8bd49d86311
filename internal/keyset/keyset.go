package keyset

import (
	"encoding/base64"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele"
)

// Request is a parsed page request: list the rows after ID After (all when
// empty), at most Limit of them.
type Request struct {
	After string
	Limit int
}

// maxCursor is longer than any cursor Page makes (a short prefix and an ID of at
// most 64 bytes, base64url-encoded).
const maxCursor = 128

// Parse checks a caller's cursor and limit, adding a problem to v for each that is
// wrong. prefix tells one list's cursors from another's ("c1:" for clients, …);
// limit 0 means def, and more than max is refused. The cursor must hold a UUID
// in canonical form (uuid.Parse also takes other spellings, which are refused).
func Parse(prefix, cursor string, limit, def, max int, v *clientele.ValidationError) Request {
	return ParseID(prefix, cursor, limit, def, max, func(id string) bool {
		u, err := uuid.Parse(id)
		return err == nil && u.String() == id
	}, v)
}

// ParseID is Parse for a list keyed by IDs of another form: valid says which
// IDs a cursor may hold.
func ParseID(prefix, cursor string, limit, def, max int, valid func(string) bool, v *clientele.ValidationError) Request {
	var r Request
	if cursor != "" {
		var id string
		ok := len(cursor) <= maxCursor
		if ok {
			raw, err := base64.RawURLEncoding.DecodeString(cursor)
			id, ok = strings.CutPrefix(string(raw), prefix)
			ok = ok && err == nil && valid(id)
		}
		if ok {
			r.After = id
		} else {
			v.Add("cursor", "cursor", "is not a cursor this API returned")
		}
	}
	switch {
	case limit == 0:
		r.Limit = def
	case limit < 0 || limit > max:
		v.Add("limit", "range", "must be between 1 and "+strconv.Itoa(max))
	default:
		r.Limit = limit
	}
	return r
}

// Page cuts found, fetched with limit r.Limit+1, to one page and returns the
// cursor of the next page ("" on the last), never a nil slice.
func Page[T any](prefix string, r Request, found []T, id func(T) string) ([]T, string) {
	if len(found) > r.Limit {
		found = found[:r.Limit]
		return found, base64.RawURLEncoding.EncodeToString([]byte(prefix + id(found[r.Limit-1])))
	}
	if found == nil {
		found = []T{}
	}
	return found, ""
}

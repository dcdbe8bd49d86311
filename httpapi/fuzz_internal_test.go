package httpapi

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/clients"
)

// FuzzDecodeJSON: decodeJSON never panics, every failure is an ErrInvalid
// naming a field, and what it accepts has no duplicate key and is valid UTF-8.
func FuzzDecodeJSON(f *testing.F) {
	f.Add([]byte(`{"version":1,"officeId":"o"}`))
	f.Add([]byte(`{"version":"1"}`))
	f.Add([]byte(`{"individual":{"firstName":7}}`))
	f.Add([]byte(`{} x`))
	f.Add([]byte(`{"version":1,"version":2}`))
	f.Add([]byte(`{"individual":{"firstName":"a\u0000b"}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var in clients.UpdateInput
		err := decodeJSON(strings.NewReader(string(body)), DefaultMaxBodyBytes, &in)
		if err == nil {
			if _, dup := duplicateKey(body); dup || !utf8.Valid(body) {
				t.Fatalf("accepted a duplicate key or invalid UTF-8: %q", body)
			}
			return
		}
		var verr *clientele.ValidationError
		if !errors.As(err, &verr) || len(verr.Problems) == 0 || verr.Problems[0].Field == "" {
			t.Fatalf("decode error is not a field problem: %v", err)
		}
	})
}

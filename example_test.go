package clientele_test

import (
	"errors"
	"fmt"

	"github.com/clientele-go/clientele"
)

// Example shows how callers tell error kinds apart and read field problems,
// whatever wrapping the error went through.
func Example() {
	verr := &clientele.ValidationError{}
	verr.Add("contact.phone", "e164", "must be a phone number in E.164 form")
	verr.Add("individual.dateOfBirth", "notfuture", "must not be in the future")
	err := fmt.Errorf("clients: create: %w", verr.OrNil())

	fmt.Println(errors.Is(err, clientele.ErrInvalid), clientele.Kind(err) == clientele.ErrInvalid)
	var got *clientele.ValidationError
	if errors.As(err, &got) {
		for _, p := range got.Problems {
			fmt.Println(p.Field, p.Rule)
		}
	}
	conflict := fmt.Errorf("clients: update C1: version 3 is stale: %w", clientele.ErrConflict)
	fmt.Println(clientele.Kind(conflict))
	// Output:
	// true true
	// contact.phone e164
	// individual.dateOfBirth notfuture
	// conflict
}

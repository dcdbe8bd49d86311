package problem_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/problem"
)

// Example answers an app's own handler's error the way the library's HTTP API
// does: the status of the error's kind and a problem+json document naming every
// failing field.
func Example() {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := clientele.NewValidationError("amount", "min", "must be at least 1")
		problem.Write(w, r, fmt.Errorf("loans: apply: %w", err))
	})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("POST", "/loans", strings.NewReader("{}")))
	fmt.Println(rec.Code, rec.Header().Get("Content-Type"))
	fmt.Print(rec.Body.String())

	fmt.Println(problem.Status(fmt.Errorf("wrapped: %w", clientele.ErrNotFound)))
	fmt.Println(errors.Is(problem.KindFor(http.StatusConflict, "conflict"), clientele.ErrConflict))
	// Output:
	// 422 application/problem+json
	// {"type":"urn:clientele:problem:invalid","title":"Invalid input","status":422,"detail":"the request has invalid fields","code":"invalid","errors":[{"field":"amount","rule":"min","message":"must be at least 1"}]}
	// 404
	// true
}

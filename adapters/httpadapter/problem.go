package httpadapter

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/problem"
)

// ProblemContentType is the media type of error bodies (RFC 9457).
const ProblemContentType = problem.ContentType

// Problem is an RFC 9457 problem document with the library's stable code; the
// module has one (problem.Document), shared with the HTTP API.
type Problem = problem.Document

// The stable problem codes (package problem holds the table).
const (
	CodeInvalid         = problem.CodeInvalid
	CodeUnauthenticated = problem.CodeUnauthenticated
	CodeForbidden       = problem.CodeForbidden
	CodePortalDisabled  = problem.CodePortalDisabled
	CodeNotFound        = problem.CodeNotFound
	CodeConflict        = problem.CodeConflict
	CodePrecondition    = problem.CodePrecondition
	CodeNotSupported    = problem.CodeNotSupported
	CodeUnavailable     = problem.CodeUnavailable
	CodeInternal        = problem.CodeInternal
)

// ProblemFor returns the problem document for err, as a handler writes it
// (problem.For).
func ProblemFor(err error) Problem { return problem.For(err) }

func writeProblem(w http.ResponseWriter, r *http.Request, err error) { problem.Write(w, r, err) }

// KindForStatus returns the error kind a status code stands for when a response
// carries no known problem code: 400 and 422 ErrInvalid… as the table in the package
// doc, 429 and 5xx ErrUnavailable, 501 adapters.ErrNotSupported (problem.KindFor).
func KindForStatus(status int) error { return problem.KindFor(status, "") }

// StatusError is the error a client returns for a response that is not a success.
// It unwraps to the error kind and, for invalid input, to the
// *clientele.ValidationError the server reported.
type StatusError struct {
	Method  string
	Path    string
	Status  int
	Problem Problem
	kind    error
}

func (e *StatusError) Error() string {
	detail := e.Problem.Detail
	if detail == "" {
		detail = http.StatusText(e.Status)
	}
	return fmt.Sprintf("httpadapter: %s %s: %d %s: %s", e.Method, e.Path, e.Status, e.Problem.Code, detail)
}

// Unwrap returns the kind and, when the server listed field problems, a
// *clientele.ValidationError holding them.
func (e *StatusError) Unwrap() []error {
	errs := []error{e.kind}
	if len(e.Problem.Errors) > 0 {
		errs = append(errs, &clientele.ValidationError{Problems: e.Problem.Errors})
	}
	return errs
}

func statusError(method, path string, status int, body []byte) *StatusError {
	e := &StatusError{Method: method, Path: path, Status: status}
	_ = json.Unmarshal(body, &e.Problem)
	e.kind = problem.KindFor(status, e.Problem.Code)
	if e.Problem.Code == "" {
		e.Problem.Status = status
	}
	return e
}

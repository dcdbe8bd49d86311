package httpadapter

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/adapters"
)

// ProblemContentType is the media type of error bodies (RFC 9457).
const ProblemContentType = "application/problem+json"

// Problem is an RFC 9457 problem document with the library's stable code.
type Problem struct {
	Type   string                 `json:"type"`
	Title  string                 `json:"title"`
	Status int                    `json:"status"`
	Detail string                 `json:"detail,omitempty"`
	Code   string                 `json:"code"`
	Errors []clientele.FieldError `json:"errors,omitempty"`
}

// The stable problem codes.
const (
	CodeInvalid         = "invalid"
	CodeUnauthenticated = "unauthenticated"
	CodeForbidden       = "forbidden"
	CodePortalDisabled  = "portal_disabled"
	CodeNotFound        = "not_found"
	CodeConflict        = "conflict"
	CodePrecondition    = "precondition_failed"
	CodeNotSupported    = "not_supported"
	CodeUnavailable     = "unavailable"
	CodeInternal        = "internal"
)

type mapping struct {
	code   string
	status int
	kind   error
}

// mappings returns the code table, ordered: ErrNotSupported is tested before
// ErrPrecondition, which it wraps.
func mappings() [9]mapping {
	return [...]mapping{
		{CodeNotSupported, http.StatusNotImplemented, adapters.ErrNotSupported},
		{CodeInvalid, http.StatusBadRequest, clientele.ErrInvalid},
		{CodeUnauthenticated, http.StatusUnauthorized, clientele.ErrUnauthenticated},
		{CodePortalDisabled, http.StatusForbidden, clientele.ErrPortalDisabled},
		{CodeForbidden, http.StatusForbidden, clientele.ErrForbidden},
		{CodeNotFound, http.StatusNotFound, clientele.ErrNotFound},
		{CodeConflict, http.StatusConflict, clientele.ErrConflict},
		{CodePrecondition, http.StatusUnprocessableEntity, clientele.ErrPrecondition},
		{CodeUnavailable, http.StatusServiceUnavailable, clientele.ErrUnavailable},
	}
}

// ProblemFor returns the problem document for err, as a handler writes it.
func ProblemFor(err error) Problem {
	m := mapping{CodeInternal, http.StatusInternalServerError, nil}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		m = mapping{CodeUnavailable, http.StatusServiceUnavailable, clientele.ErrUnavailable}
	}
	for _, c := range mappings() {
		if errors.Is(err, c.kind) {
			m = c
			break
		}
	}
	p := Problem{Type: "urn:clientele:problem:" + m.code, Title: http.StatusText(m.status), Status: m.status, Code: m.code}
	if m.kind != nil {
		p.Detail = err.Error()
	} else {
		p.Detail = "internal error"
	}
	var ve *clientele.ValidationError
	if errors.As(err, &ve) {
		p.Errors = ve.Problems
	}
	return p
}

func writeProblem(w http.ResponseWriter, err error) {
	p := ProblemFor(err)
	w.Header().Set("Content-Type", ProblemContentType)
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}

// KindForStatus returns the error kind a status code stands for when a response
// carries no known problem code: 400 and 422 ErrInvalid… as the table in the package
// doc, 429 and 5xx ErrUnavailable, 501 adapters.ErrNotSupported.
func KindForStatus(status int) error {
	switch status {
	case http.StatusBadRequest:
		return clientele.ErrInvalid
	case http.StatusUnauthorized:
		return clientele.ErrUnauthenticated
	case http.StatusForbidden:
		return clientele.ErrForbidden
	case http.StatusNotFound, http.StatusGone:
		return clientele.ErrNotFound
	case http.StatusConflict:
		return clientele.ErrConflict
	case http.StatusPreconditionFailed, http.StatusUnprocessableEntity:
		return clientele.ErrPrecondition
	case http.StatusNotImplemented:
		return adapters.ErrNotSupported
	case http.StatusTooManyRequests, http.StatusRequestTimeout:
		return clientele.ErrUnavailable
	}
	if status >= 500 {
		return clientele.ErrUnavailable
	}
	return clientele.ErrInvalid
}

func kindForCode(code string) error {
	for _, m := range mappings() {
		if m.code == code {
			return m.kind
		}
	}
	return nil
}

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
	if json.Unmarshal(body, &e.Problem) == nil {
		e.kind = kindForCode(e.Problem.Code)
	}
	if e.kind == nil {
		e.kind = KindForStatus(status)
	}
	if e.Problem.Code == "" {
		e.Problem.Status = status
	}
	return e
}

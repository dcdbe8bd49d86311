package problem

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/adapters"
)

// ContentType is the media type of problem documents (RFC 9457).
const ContentType = "application/problem+json"

// TypePrefix starts the type URI of every document; the code completes it.
const TypePrefix = "urn:clientele:problem:"

// Document is an RFC 9457 problem document with the library's stable code.
type Document struct {
	// Type is TypePrefix followed by Code.
	Type  string `json:"type"`
	Title string `json:"title"`
	// Status repeats the response's HTTP status.
	Status int    `json:"status"`
	Detail string `json:"detail,omitempty"`
	// Code is the stable, machine-readable code (CodeInvalid …).
	Code string `json:"code"`
	// Errors lists the field problems of invalid input.
	Errors []clientele.FieldError `json:"errors,omitempty"`
	// RequestID is the request's id (RequestID), also in the X-Request-Id
	// response header and the server's log lines.
	RequestID string `json:"requestId,omitempty"`
}

// The stable problem codes.
const (
	CodeInvalid              = "invalid"
	CodeUnauthenticated      = "unauthenticated"
	CodeForbidden            = "forbidden"
	CodePortalDisabled       = "portal_disabled"
	CodeNotFound             = "not_found"
	CodeConflict             = "conflict"
	CodePrecondition         = "precondition_failed"
	CodeNotSupported         = "not_supported"
	CodeUnavailable          = "unavailable"
	CodeInternal             = "internal"
	CodeTooLarge             = "too_large"
	CodeUnsupportedMediaType = "unsupported_media_type"
	CodeMethodNotAllowed     = "method_not_allowed"
)

// Error is an error with its own status and code, for answers the kinds do not
// name: a request body over the limit (413) or of the wrong media type (415).
// It unwraps to Kind, so errors.Is still sees the kind.
type Error struct {
	Status int
	Code   string
	Detail string
	// Kind is the library kind the error is, clientele.ErrInvalid for bodies.
	Kind error
}

func (e *Error) Error() string { return e.Detail }

// Unwrap returns Kind.
func (e *Error) Unwrap() error { return e.Kind }

type mapping struct {
	code   string
	status int
	kind   error
}

// table is ordered: ErrNotSupported is tested before ErrPrecondition, which it
// wraps, and ErrPortalDisabled before ErrForbidden.
var table = [...]mapping{
	{CodeNotSupported, http.StatusNotImplemented, adapters.ErrNotSupported},
	{CodeInvalid, http.StatusUnprocessableEntity, clientele.ErrInvalid},
	{CodeUnauthenticated, http.StatusUnauthorized, clientele.ErrUnauthenticated},
	{CodePortalDisabled, http.StatusForbidden, clientele.ErrPortalDisabled},
	{CodeForbidden, http.StatusForbidden, clientele.ErrForbidden},
	{CodeNotFound, http.StatusNotFound, clientele.ErrNotFound},
	{CodeConflict, http.StatusConflict, clientele.ErrConflict},
	{CodePrecondition, http.StatusConflict, clientele.ErrPrecondition},
	{CodeUnavailable, http.StatusServiceUnavailable, clientele.ErrUnavailable},
}

var titles = map[string]string{
	CodeInvalid:              "Invalid input",
	CodeUnauthenticated:      "Unauthenticated",
	CodeForbidden:            "Forbidden",
	CodePortalDisabled:       "Client portal disabled",
	CodeNotFound:             "Not found",
	CodeConflict:             "Conflict",
	CodePrecondition:         "Precondition failed",
	CodeNotSupported:         "Not supported",
	CodeUnavailable:          "Service unavailable",
	CodeInternal:             "Internal error",
	CodeTooLarge:             "Request body too large",
	CodeUnsupportedMediaType: "Unsupported media type",
	CodeMethodNotAllowed:     "Method not allowed",
}

func lookup(err error) mapping {
	var pe *Error
	if errors.As(err, &pe) {
		return mapping{pe.Code, pe.Status, pe.Kind}
	}
	for _, m := range table {
		if errors.Is(err, m.kind) {
			return m
		}
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return mapping{CodeUnavailable, http.StatusServiceUnavailable, clientele.ErrUnavailable}
	}
	return mapping{CodeInternal, http.StatusInternalServerError, nil}
}

// Status returns the HTTP status err is answered with.
func Status(err error) int { return lookup(err).status }

// Detail texts of the documents that do not carry the error's own text.
const (
	DetailInvalid  = "the request has invalid fields"
	DetailNotFound = "no such resource"
)

// For returns the document err is answered with (without a request id).
func For(err error) Document {
	m := lookup(err)
	d := Document{Type: TypePrefix + m.code, Title: titles[m.code], Status: m.status, Code: m.code}
	var verr *clientele.ValidationError
	switch {
	case errors.As(err, &verr) && len(verr.Problems) > 0:
		d.Detail = DetailInvalid
		d.Errors = verr.Problems
	case m.status >= 500 && m.status != http.StatusNotImplemented:
		// The cause is the server's business; the handler logs it.
	case m.status == http.StatusNotFound:
		// One body for every miss: a resource that does not exist and one the
		// caller may not see answer alike, byte for byte.
		d.Detail = DetailNotFound
	default:
		d.Detail = err.Error()
	}
	return d
}

// Write answers the request with the document err stands for, carrying the
// request's id (RequestID of r's context). A 401 also carries
// WWW-Authenticate: Bearer. Write logs nothing: a handler logs the cause of a
// 5xx itself, since the document does not carry it.
func Write(w http.ResponseWriter, r *http.Request, err error) {
	d := For(err)
	if r != nil {
		d.RequestID = RequestID(r.Context())
	}
	if d.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="clientele"`)
	}
	w.Header().Set("Content-Type", ContentType)
	w.WriteHeader(d.Status)
	_ = json.NewEncoder(w).Encode(d)
}

// KindFor returns the error kind a response stands for: the kind of its
// problem code when it carries a known one, else the kind its status means
// (400 and 422 ErrInvalid, 412 ErrPrecondition, 408, 429 and 5xx other than
// 501 ErrUnavailable, 501 adapters.ErrNotSupported).
func KindFor(status int, code string) error {
	for _, m := range table {
		if m.code == code {
			return m.kind
		}
	}
	switch code {
	case CodeTooLarge, CodeUnsupportedMediaType:
		return clientele.ErrInvalid
	}
	switch status {
	case http.StatusBadRequest, http.StatusUnprocessableEntity, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType:
		return clientele.ErrInvalid
	case http.StatusUnauthorized:
		return clientele.ErrUnauthenticated
	case http.StatusForbidden:
		return clientele.ErrForbidden
	case http.StatusNotFound, http.StatusGone:
		return clientele.ErrNotFound
	case http.StatusConflict:
		return clientele.ErrConflict
	case http.StatusPreconditionFailed:
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

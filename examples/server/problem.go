package main

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/clientele-go/clientele"
)

// problem is an RFC 9457 problem details body with a stable machine-readable code.
type problem struct {
	Type   string                 `json:"type"`
	Title  string                 `json:"title"`
	Status int                    `json:"status"`
	Detail string                 `json:"detail,omitempty"`
	Code   string                 `json:"code"`
	Errors []clientele.FieldError `json:"errors,omitempty"`
}

// kindStatus maps the library's error kinds to HTTP. This is the only place that
// knows both.
func kindStatus(err error) (status int, code, title string) {
	switch clientele.Kind(err) {
	case clientele.ErrNotFound:
		return http.StatusNotFound, "not_found", "Not found"
	case clientele.ErrInvalid:
		return http.StatusUnprocessableEntity, "invalid", "Invalid input"
	case clientele.ErrConflict:
		return http.StatusConflict, "conflict", "Conflict"
	case clientele.ErrPortalDisabled:
		return http.StatusForbidden, "portal_disabled", "Client portal disabled"
	case clientele.ErrForbidden:
		return http.StatusForbidden, "forbidden", "Forbidden"
	case clientele.ErrUnauthenticated:
		return http.StatusUnauthorized, "unauthenticated", "Unauthenticated"
	case clientele.ErrPrecondition:
		return http.StatusConflict, "precondition_failed", "Precondition failed"
	case clientele.ErrUnavailable:
		return http.StatusServiceUnavailable, "unavailable", "Service unavailable"
	}
	return http.StatusInternalServerError, "internal", "Internal error"
}

// writeError answers with the problem err describes. Internal errors are logged and
// answered without detail, so nothing internal leaks to the caller.
func writeError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	status, code, title := kindStatus(err)
	p := problem{Type: "https://clientele.dev/problems/" + code, Title: title, Status: status, Code: code}
	var verr *clientele.ValidationError
	switch {
	case errors.As(err, &verr):
		p.Detail = "the request has invalid fields"
		p.Errors = verr.Problems
	case status == http.StatusInternalServerError, status == http.StatusServiceUnavailable:
		log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	default:
		p.Detail = err.Error()
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="clientele"`)
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(p)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

package main

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/adapters/httpadapter"
)

// problem is an RFC 9457 problem details body. It shares the document and the
// stable codes of the adapters' HTTP contract; the statuses are this API's own
// (invalid input is 422 and a state conflict 409 here).
type problem = httpadapter.Problem

// kindStatus maps the library's error kinds to this server's HTTP statuses. This
// is the only place in the server that knows both. A body refused as a whole
// (bodyProblem: too large, not JSON) carries its own status.
func kindStatus(err error) (status int, code, title string) {
	var bp *bodyProblem
	if errors.As(err, &bp) {
		return bp.status, bp.code, http.StatusText(bp.status)
	}
	switch clientele.Kind(err) {
	case clientele.ErrNotFound:
		return http.StatusNotFound, httpadapter.CodeNotFound, "Not found"
	case clientele.ErrInvalid:
		return http.StatusUnprocessableEntity, httpadapter.CodeInvalid, "Invalid input"
	case clientele.ErrConflict:
		return http.StatusConflict, httpadapter.CodeConflict, "Conflict"
	case clientele.ErrPortalDisabled:
		return http.StatusForbidden, httpadapter.CodePortalDisabled, "Client portal disabled"
	case clientele.ErrForbidden:
		return http.StatusForbidden, httpadapter.CodeForbidden, "Forbidden"
	case clientele.ErrUnauthenticated:
		return http.StatusUnauthorized, httpadapter.CodeUnauthenticated, "Unauthenticated"
	case clientele.ErrPrecondition:
		return http.StatusConflict, httpadapter.CodePrecondition, "Precondition failed"
	case clientele.ErrUnavailable:
		return http.StatusServiceUnavailable, httpadapter.CodeUnavailable, "Service unavailable"
	}
	return http.StatusInternalServerError, httpadapter.CodeInternal, "Internal error"
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
	case status == http.StatusNotFound:
		// One body for every miss: a resource that does not exist and one the
		// caller may not see answer alike, byte for byte.
		p.Detail = "no such resource"
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

// apiHeaders sets on every answer the headers an API of personal and financial
// data needs: no cache may keep it (Cache-Control: no-store) and no browser may
// guess another content type than the one declared (nosniff).
func apiHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Cache-Control", "no-store")
		h.Set("X-Content-Type-Options", "nosniff")
		next.ServeHTTP(w, r)
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

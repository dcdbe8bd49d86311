package problem_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/adapters"
	"github.com/clientele-go/clientele/problem"
)

// Every kind has one status and code, and a client maps them back to the kind.
func TestTable(t *testing.T) {
	for _, tc := range []struct {
		kind   error
		status int
		code   string
	}{
		{clientele.ErrInvalid, 422, problem.CodeInvalid},
		{clientele.ErrUnauthenticated, 401, problem.CodeUnauthenticated},
		{clientele.ErrForbidden, 403, problem.CodeForbidden},
		{clientele.ErrPortalDisabled, 403, problem.CodePortalDisabled},
		{clientele.ErrNotFound, 404, problem.CodeNotFound},
		{clientele.ErrConflict, 409, problem.CodeConflict},
		{clientele.ErrPrecondition, 409, problem.CodePrecondition},
		{adapters.ErrNotSupported, 501, problem.CodeNotSupported},
		{clientele.ErrUnavailable, 503, problem.CodeUnavailable},
		{context.DeadlineExceeded, 503, problem.CodeUnavailable},
		{errors.New("boom: password=secret"), 500, problem.CodeInternal},
	} {
		t.Run(tc.code, func(t *testing.T) {
			err := fmt.Errorf("svc: %w", tc.kind)
			d := problem.For(err)
			assert.Equal(t, tc.status, d.Status)
			assert.Equal(t, tc.status, problem.Status(err))
			assert.Equal(t, tc.code, d.Code)
			assert.Equal(t, problem.TypePrefix+tc.code, d.Type)
			assert.NotEmpty(t, d.Title)
			if tc.status >= 500 && tc.status != 501 {
				assert.Empty(t, d.Detail, "the cause of a 5xx stays on the server")
			}
			if want := clientele.Kind(err); want != nil {
				assert.ErrorIs(t, problem.KindFor(d.Status, d.Code), want)
			}
		})
	}
	too := &problem.Error{Status: 413, Code: problem.CodeTooLarge, Detail: "at most 1 byte", Kind: clientele.ErrInvalid}
	assert.Equal(t, 413, problem.Status(fmt.Errorf("read: %w", too)))
	assert.ErrorIs(t, too, clientele.ErrInvalid)
	assert.Equal(t, problem.DetailNotFound, problem.For(fmt.Errorf("client C-12 of tenant x: %w", clientele.ErrNotFound)).Detail,
		"a miss names nothing")
	for status, kind := range map[int]error{400: clientele.ErrInvalid, 422: clientele.ErrInvalid, 412: clientele.ErrPrecondition,
		409: clientele.ErrConflict, 429: clientele.ErrUnavailable, 502: clientele.ErrUnavailable, 501: adapters.ErrNotSupported} {
		assert.ErrorIs(t, problem.KindFor(status, ""), kind, "%d", status)
	}
}

// Write sends the document with the request's id, and WWW-Authenticate on 401.
func TestWrite(t *testing.T) {
	h := problem.RequestIDs(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		problem.Write(w, r, fmt.Errorf("no session: %w", clientele.ErrUnauthenticated))
	}))
	for _, tc := range []struct{ sent, want string }{
		{"abc-123", "abc-123"},
		{"", ""},
		{"has space", ""},
		{"line\nbreak", ""},
		{strings.Repeat("x", problem.MaxRequestIDLength+1), ""},
	} {
		req := httptest.NewRequest("GET", "/", nil)
		if tc.sent != "" {
			req.Header[problem.RequestIDHeader] = []string{tc.sent}
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		require.Equal(t, 401, rec.Code)
		assert.Equal(t, problem.ContentType, rec.Header().Get("Content-Type"))
		assert.Contains(t, rec.Header().Get("WWW-Authenticate"), "Bearer")
		var d problem.Document
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &d))
		id := rec.Header().Get(problem.RequestIDHeader)
		assert.Equal(t, id, d.RequestID)
		if tc.want != "" {
			assert.Equal(t, tc.want, id)
		} else {
			assert.True(t, problem.ValidRequestID(id), "a malformed id is replaced: %q", id)
			assert.NotEqual(t, tc.sent, id)
		}
	}
}

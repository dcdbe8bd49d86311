package httpadapter

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/clientele-go/clientele"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A change without its idempotency key is never retried; with it, and for reads,
// 503s are retried.
func TestRetryOnlyWhenSafe(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	t.Cleanup(srv.Close)
	c, err := newConn(srv.URL, []Option{WithRetry(2, time.Millisecond, time.Millisecond)})
	require.NoError(t, err)
	ctx := context.Background()
	for _, tc := range []struct {
		method, key string
		attempts    int64
	}{
		{http.MethodPost, "", 1},
		{http.MethodPut, "", 1},
		{http.MethodPost, "k1", 3},
		{http.MethodGet, "", 3},
	} {
		n.Store(0)
		err := c.call(ctx, tc.method, "/x", nil, tc.key, map[string]string{"a": "b"}, nil)
		require.ErrorIs(t, err, clientele.ErrUnavailable)
		assert.Equal(t, tc.attempts, n.Load(), "%s key=%q", tc.method, tc.key)
	}
}

// 4xx answers are never retried.
func TestNoRetryOnClientErrors(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		writeProblem(w, nil, clientele.ErrConflict)
	}))
	t.Cleanup(srv.Close)
	c, err := newConn(srv.URL, []Option{WithRetry(3, time.Millisecond, time.Millisecond)})
	require.NoError(t, err)
	err = c.call(context.Background(), http.MethodPost, "/x", nil, "k", struct{}{}, nil)
	require.ErrorIs(t, err, clientele.ErrConflict)
	assert.Equal(t, int64(1), n.Load())
}

func TestNewConnRejectsBadURL(t *testing.T) {
	for _, u := range []string{"", "localhost:8080", "ftp://x", "http://"} {
		_, err := newConn(u, nil)
		assert.ErrorIs(t, err, clientele.ErrInvalid, u)
	}
}

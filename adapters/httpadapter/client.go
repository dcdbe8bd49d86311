package httpadapter

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/clientele-go/clientele"
	"github.com/hashicorp/go-retryablehttp"
)

// IdempotencyKeyHeader carries the idempotency key of a request that changes
// something.
const IdempotencyKeyHeader = "Idempotency-Key"

// Defaults of the client options.
const (
	DefaultTimeout      = 10 * time.Second
	DefaultRetryMax     = 3
	DefaultRetryWaitMin = 100 * time.Millisecond
	DefaultRetryWaitMax = 2 * time.Second
	maxResponseBytes    = 32 << 20
)

// Option configures a client.
type Option func(*clientConfig)

type clientConfig struct {
	httpClient       *http.Client
	timeout          time.Duration
	retryMax         int
	waitMin, waitMax time.Duration
	logger           *slog.Logger
	header           http.Header
}

// WithHTTPClient sets the underlying *http.Client (its Timeout is replaced by
// WithTimeout's). A nil client is ignored.
func WithHTTPClient(c *http.Client) Option {
	return func(cfg *clientConfig) {
		if c != nil {
			cfg.httpClient = c
		}
	}
}

// WithTimeout bounds each attempt (not the whole call, which the context bounds).
func WithTimeout(d time.Duration) Option {
	return func(cfg *clientConfig) {
		if d > 0 {
			cfg.timeout = d
		}
	}
}

// WithRetry sets the number of retries after the first attempt (0 disables them)
// and the exponential backoff bounds.
func WithRetry(retries int, waitMin, waitMax time.Duration) Option {
	return func(cfg *clientConfig) {
		cfg.retryMax = max(retries, 0)
		if waitMin > 0 {
			cfg.waitMin = waitMin
		}
		if waitMax >= cfg.waitMin {
			cfg.waitMax = waitMax
		}
	}
}

// WithLogger logs attempts and retries to l at debug level. Without it the client
// logs nothing.
func WithLogger(l *slog.Logger) Option { return func(cfg *clientConfig) { cfg.logger = l } }

// WithHeader adds a header to every request (an API key, a bearer token).
func WithHeader(name, value string) Option {
	return func(cfg *clientConfig) { cfg.header.Add(name, value) }
}

// conn is the transport every client shares.
type conn struct {
	base   *url.URL
	rc     *retryablehttp.Client
	header http.Header
}

type retrySafeKey struct{}

func newConn(baseURL string, opts []Option) (*conn, error) {
	u, err := url.Parse(strings.TrimRight(baseURL, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("httpadapter: base URL %q: want http(s)://host[/path]: %w", baseURL, clientele.ErrInvalid)
	}
	cfg := clientConfig{timeout: DefaultTimeout, retryMax: DefaultRetryMax, waitMin: DefaultRetryWaitMin, waitMax: DefaultRetryWaitMax, header: http.Header{}}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	hc := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	if cfg.httpClient != nil {
		c := *cfg.httpClient
		hc = &c
	}
	hc.Timeout = cfg.timeout
	rc := &retryablehttp.Client{
		HTTPClient:   hc,
		RetryWaitMin: cfg.waitMin,
		RetryWaitMax: cfg.waitMax,
		RetryMax:     cfg.retryMax,
		CheckRetry:   checkRetry,
		Backoff: func(lo, hi time.Duration, n int, resp *http.Response) time.Duration {
			return min(retryablehttp.DefaultBackoff(lo, hi, n, resp), hi) // cap Retry-After
		},
		ErrorHandler: retryablehttp.PassthroughErrorHandler,
	}
	if cfg.logger != nil {
		rc.Logger = slogAdapter{cfg.logger}
	} else {
		rc.Logger = nil
	}
	return &conn{base: u, rc: rc, header: cfg.header}, nil
}

// checkRetry retries what retryablehttp's default policy would (network errors,
// 429, 5xx but 501) only when the request is safe to repeat: a read, or a change
// that carries its idempotency key.
func checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if safe, _ := ctx.Value(retrySafeKey{}).(bool); !safe {
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
		return false, nil
	}
	return retryablehttp.DefaultRetryPolicy(ctx, resp, err)
}

// slogAdapter turns a *slog.Logger into retryablehttp's LeveledLogger.
type slogAdapter struct{ l *slog.Logger }

func (a slogAdapter) Error(msg string, kv ...any) { a.l.Error(msg, kv...) }
func (a slogAdapter) Info(msg string, kv ...any)  { a.l.Debug(msg, kv...) }
func (a slogAdapter) Debug(msg string, kv ...any) { a.l.Debug(msg, kv...) }
func (a slogAdapter) Warn(msg string, kv ...any)  { a.l.Warn(msg, kv...) }

// call sends one request and decodes a JSON success body into out (when non-nil).
// path is already escaped, each variable segment with esc; key is the idempotency
// key of a change ("" for reads).
func (c *conn) call(ctx context.Context, method, path string, query url.Values, key string, in, out any) error {
	u, err := c.target(path)
	if err != nil {
		return fmt.Errorf("httpadapter: %s %s: %w", method, path, clientele.ErrInvalid)
	}
	if len(query) > 0 {
		u.RawQuery = query.Encode()
	}
	var body []byte
	if in != nil {
		if body, err = json.Marshal(in); err != nil {
			return fmt.Errorf("httpadapter: %s %s: encode request: %w", method, path, clientele.ErrInvalid)
		}
	}
	safe := method == http.MethodGet || method == http.MethodHead || key != ""
	hreq, err := http.NewRequestWithContext(context.WithValue(ctx, retrySafeKey{}, safe), method, u.String(), nil)
	if err != nil {
		return fmt.Errorf("httpadapter: %s %s: %w", method, path, clientele.ErrInvalid)
	}
	hreq.URL = u // as built: parsing u.String() again could re-decide its escaping
	req, err := retryablehttp.FromRequest(hreq)
	if err != nil {
		return fmt.Errorf("httpadapter: %s %s: %w", method, path, clientele.ErrInvalid)
	}
	if body != nil {
		if err := req.SetBody(body); err != nil {
			return fmt.Errorf("httpadapter: %s %s: %w", method, path, clientele.ErrInvalid)
		}
	}
	for k, vs := range c.header {
		req.Header[k] = append([]string(nil), vs...)
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set(IdempotencyKeyHeader, key)
	}
	resp, err := c.rc.Do(req)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return fmt.Errorf("httpadapter: %s %s: %w", method, path, ctxErr)
		}
		return fmt.Errorf("httpadapter: %s %s: %w: %w", method, path, clientele.ErrUnavailable, unwrapURLError(err))
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return fmt.Errorf("httpadapter: %s %s: %w", method, path, ctxErr)
		}
		return fmt.Errorf("httpadapter: %s %s: read response: %w: %w", method, path, clientele.ErrUnavailable, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return statusError(method, path, resp.StatusCode, data)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("httpadapter: %s %s: decode response: %w: %w", method, path, clientele.ErrUnavailable, err)
	}
	return nil
}

func bodyOrNil(b []byte) any {
	if b == nil {
		return nil
	}
	return bytes.NewReader(b)
}

// unwrapURLError drops the *url.Error wrapper's repeated URL but keeps its cause
// (and with it errors.Is for timeouts).
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}

// target is the URL of path (escaped) under the base URL. It carries both forms of
// the path, decoded (Path) and as sent (RawPath), so an escaped slash inside an ID
// reaches the server as %2F instead of splitting the segment.
func (c *conn) target(path string) (*url.URL, error) {
	u := *c.base
	u.RawPath = c.base.EscapedPath() + path
	p, err := url.PathUnescape(u.RawPath)
	if err != nil {
		return nil, err
	}
	u.Path = p
	if u.EscapedPath() != u.RawPath {
		// url.URL would send another escaping than the one built here.
		return nil, fmt.Errorf("path %q does not round-trip", u.RawPath)
	}
	return &u, nil
}

// esc escapes one path segment: url.PathEscape (a slash becomes %2F, a percent
// sign %25), and the dot segments "." and ".." as %2E, so no path cleaning on the
// way (a proxy, the server's mux) can resolve an ID into another route.
func esc(s string) string {
	if s == "." || s == ".." {
		return strings.Repeat("%2E", len(s))
	}
	return url.PathEscape(s)
}

// do is call with a typed result.
func do[T any](ctx context.Context, c *conn, method, path string, query url.Values, key string, in any) (T, error) {
	var out T
	err := c.call(ctx, method, path, query, key, in, &out)
	return out, err
}

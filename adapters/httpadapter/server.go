package httpadapter

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/adapters"
)

// Body size limits of the handlers.
const (
	maxBodyBytes     = 1 << 20
	maxDocumentBytes = 16 << 20 // base64 of adapters.MaxDocumentSize, with room
)

// route is one operation of an HTTP contract. The handler and the OpenAPI
// documents are both made from the route tables.
type route struct {
	method  string
	pattern string // relative to the adapter's mount point
	op      string // operationId: the interface method
	summary string
	query   []string // query parameters
	change  bool     // takes an idempotency key
	request any      // the JSON body type (nil: no body)
	reply   any      // the JSON response type
	serve   func(r *http.Request) (any, error)
}

// newMux serves routes. Each {name} segment of a pattern matches one segment of
// the request's escaped path, unescaped once, and the handler reads it with
// r.PathValue(name).
func newMux(routes []route) http.Handler {
	rt := &router{}
	for _, r := range routes {
		h := func(w http.ResponseWriter, req *http.Request) {
			out, err := r.serve(req)
			if err != nil {
				writeProblem(w, req, err)
				return
			}
			writeJSON(w, http.StatusOK, out)
		}
		rt.routes = append(rt.routes, compileRoute(r.method, r.pattern, h))
	}
	return rt
}

// router dispatches on the escaped request path one segment at a time, as
// net/http.ServeMux matches a pattern, without ServeMux's two rules that change
// an identifier on its way to a wildcard: path cleaning (which resolves dot
// segments and redirects) and the trailing-slash rule (under which a wildcard
// cannot hold a segment that unescapes to "/"). Every identifier the clients send,
// escaped with url.PathEscape, reaches the handler as it was sent. Patterns of one
// table must not overlap (a test checks the tables); an unknown path is a plain
// 404 and a known path with another method a 405 with Allow, as from ServeMux.
type router struct{ routes []compiledRoute }

type compiledRoute struct {
	method string
	segs   []string // literal segments; "" where the pattern has a wildcard
	names  []string // wildcard names, by segment position ("" for literals)
	h      http.HandlerFunc
}

func compileRoute(method, pattern string, h http.HandlerFunc) compiledRoute {
	parts := strings.Split(strings.TrimPrefix(pattern, "/"), "/")
	c := compiledRoute{method: method, segs: make([]string, len(parts)), names: make([]string, len(parts)), h: h}
	for i, p := range parts {
		if strings.HasPrefix(p, "{") && strings.HasSuffix(p, "}") {
			c.names[i] = p[1 : len(p)-1]
		} else {
			c.segs[i] = p
		}
	}
	return c
}

// match reports whether the unescaped segments fit the route's shape.
func (c compiledRoute) match(segs []string) bool {
	if len(segs) != len(c.segs) {
		return false
	}
	for i, s := range segs {
		if c.names[i] == "" && s != c.segs[i] {
			return false
		}
	}
	return true
}

func (rt *router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	raw := r.URL.EscapedPath()
	if !strings.HasPrefix(raw, "/") {
		http.NotFound(w, r)
		return
	}
	parts := strings.Split(raw[1:], "/")
	segs := make([]string, len(parts))
	for i, p := range parts {
		s, err := url.PathUnescape(p)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		segs[i] = s
	}
	method := r.Method
	if method == http.MethodHead {
		method = http.MethodGet
	}
	var allow []string
	for _, c := range rt.routes {
		if !c.match(segs) {
			continue
		}
		if c.method != method {
			allow = append(allow, c.method)
			continue
		}
		for i, name := range c.names {
			if name != "" {
				r.SetPathValue(name, segs[i])
			}
		}
		c.h(w, r)
		return
	}
	if len(allow) > 0 {
		w.Header().Set("Allow", strings.Join(allow, ", "))
		http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
		return
	}
	http.NotFound(w, r)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// binding ties a path parameter to the request field it fills.
type binding struct {
	param string // path parameter and JSON field name
	dst   *string
}

func bind(param string, dst *string) binding { return binding{param, dst} }

// fill sets each bound field from the path. A body that names another value for
// the same field is invalid.
func fill(r *http.Request, bs ...binding) error {
	var ve clientele.ValidationError
	for _, b := range bs {
		v := r.PathValue(b.param)
		if *b.dst != "" && *b.dst != v {
			ve.Add(b.param, "eqpath", fmt.Sprintf("body says %q, path says %q", *b.dst, v))
			continue
		}
		*b.dst = v
	}
	return ve.OrNil()
}

// decodeBody reads a JSON body into dst.
func decodeBody(r *http.Request, limit int64, dst any) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, limit))
	if err := dec.Decode(dst); err != nil {
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			return clientele.NewValidationError("body", "max", fmt.Sprintf("at most %d bytes", limit))
		case errors.Is(err, io.EOF):
			return clientele.NewValidationError("body", "required", "a JSON body is required")
		}
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) && typeErr.Field != "" {
			return clientele.NewValidationError(typeErr.Field, "type", "must be "+typeErr.Type.String())
		}
		return clientele.NewValidationError("body", "json", "malformed JSON: "+err.Error())
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return clientele.NewValidationError("body", "json", "trailing data after the JSON value")
	}
	return nil
}

// decodeChange reads the body of a change, fills path parameters, and reconciles
// the Idempotency-Key header with the body's key.
func decodeChange(r *http.Request, limit int64, dst any, key *string, bs ...binding) error {
	if err := decodeBody(r, limit, dst); err != nil {
		return err
	}
	if h := r.Header.Get(IdempotencyKeyHeader); h != "" {
		switch *key {
		case "":
			*key = h
		case h:
		default:
			return clientele.NewValidationError("idempotencyKey", "eqheader", "the body and the Idempotency-Key header disagree")
		}
	}
	return fill(r, bs...)
}

// queryInt parses an optional integer query parameter.
func queryInt(r *http.Request, name string) (int, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, clientele.NewValidationError(name, "int", "must be an integer")
	}
	return n, nil
}

func notSupported(what string) error {
	return fmt.Errorf("httpadapter: %s: %w", what, adapters.ErrNotSupported)
}

func nilImpl(fn string) error {
	return fmt.Errorf("httpadapter: %s: nil implementation: %w", fn, clientele.ErrInvalid)
}

// changeRoute builds the route of a change whose JSON body is the request type Req.
func changeRoute[Req, Resp any](method, pattern, op, summary string, limit int64,
	key func(*Req) *string, binds func(*Req) []binding, call func(context.Context, Req) (Resp, error)) route {
	var req Req
	var resp Resp
	return route{method: method, pattern: pattern, op: op, summary: summary, change: true, request: req, reply: resp,
		serve: func(r *http.Request) (any, error) {
			var req Req
			if err := decodeChange(r, limit, &req, key(&req), binds(&req)...); err != nil {
				return nil, err
			}
			return call(r.Context(), req)
		}}
}

// readRoute builds the route of a read.
func readRoute[Resp any](pattern, op, summary string, query []string, call func(*http.Request) (Resp, error)) route {
	var resp Resp
	return route{method: http.MethodGet, pattern: pattern, op: op, summary: summary, query: query, reply: resp,
		serve: func(r *http.Request) (any, error) { return call(r) }}
}

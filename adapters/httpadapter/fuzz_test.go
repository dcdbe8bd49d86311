package httpadapter

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
)

// changeRoutes are the routes that decode a JSON body, over fresh fakes.
func changeRoutes() []route {
	var out []route
	for _, c := range contracts() {
		for _, rt := range c.routes {
			if rt.change {
				out = append(out, rt)
			}
		}
	}
	return out
}

// FuzzHandlers sends arbitrary bodies to every route that decodes JSON. A handler
// never panics, never answers 500, and always answers JSON: a result or a problem.
// The seed corpus is in testdata/fuzz/FuzzHandlers.
func FuzzHandlers(f *testing.F) {
	routes := changeRoutes()
	f.Add(uint8(0), []byte(`{"clientId":"c1","profile":{"type":"individual","firstName":"A"},"idempotencyKey":"k"}`))
	f.Add(uint8(10), []byte(`{"kind":"otp","channel":"sms","recipient":"+254700000001","idempotencyKey":"k"}`))
	f.Add(uint8(3), []byte(`{"amount":{"amount":-1,"currency":"KES"}}`))
	f.Add(uint8(7), []byte(`null`))
	f.Add(uint8(1), []byte(`[1,2,3]`))
	f.Add(uint8(2), []byte(`{"ttl":1e400}`))
	mux := newMux(routes)
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		rt := routes[int(which)%len(routes)]
		target := paramRE.ReplaceAllString(rt.pattern, "p")
		req := httptest.NewRequest(rt.method, target, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, req)
		if w.Code >= 500 && w.Code != http.StatusNotImplemented {
			t.Fatalf("%s %s with %q: status %d: %s", rt.method, target, body, w.Code, w.Body)
		}
		if !json.Valid(w.Body.Bytes()) {
			t.Fatalf("%s %s with %q: answer is not JSON: %q", rt.method, target, body, w.Body)
		}
	})
}

package httpadapter

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/clientele-go/clientele/adapters"
	"github.com/clientele-go/clientele/adapters/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the OpenAPI documents in openapi/")

type contract struct {
	file, title, description string
	routes                   []route
}

func contracts() []contract {
	return []contract{
		{"corebanking.json", "clientele core banking adapter", "Client profiles, savings and loan accounts, account transfers (seed 002 CC001-CC011).", coreBankingRoutes(memory.NewCoreBanking())},
		{"identity.json", "clientele identity adapter", "User profiles and DIDs (seed 002 IU001-IU003).", identityRoutes(memory.NewIdentity())},
		{"crm.json", "clientele CRM adapter", "Partner profiles (seed 002 HP001-HP003).", crmRoutes(memory.NewCRM())},
		{"documents.json", "clientele documents adapter", "Client documents (seed 002 DD001-DD003).", documentsRoutes(memory.NewDocuments())},
		{"messaging.json", "clientele messaging adapter", "Notifications, OTPs and invitations by email or SMS (seed 002 MW001, MU002, MC001, MD001).", messagingRoutes(memory.NewMessaging())},
		{"persistence.json", "clientele persistence adapter", "Devices, device transfers, favourites and member settings (seed 002 DL001-MC007).", persistenceRoutes(memory.NewPersistence())},
	}
}

// enums lists the values of the contract's closed string types.
func enums() map[reflect.Type][]string {
	strs := func(vs ...any) []string {
		out := make([]string, len(vs))
		for i, v := range vs {
			out[i] = reflect.ValueOf(v).String()
		}
		return out
	}
	kinds := make([]any, 0, 8)
	for _, k := range adapters.MessageKinds() {
		kinds = append(kinds, k)
	}
	return map[reflect.Type][]string{
		reflect.TypeFor[adapters.Status]():           strs(adapters.StatusActive, adapters.StatusInactive),
		reflect.TypeFor[adapters.ClientType]():       strs(adapters.Individual, adapters.Corporate),
		reflect.TypeFor[adapters.AccountType]():      strs(adapters.Savings, adapters.Loan),
		reflect.TypeFor[adapters.AccountStatus]():    strs(adapters.AccountPending, adapters.AccountActive, adapters.AccountClosed),
		reflect.TypeFor[adapters.DocumentCategory](): strs(adapters.CategoryUtility, adapters.CategoryVerification, adapters.CategoryPhoto),
		reflect.TypeFor[adapters.MessageKind]():      strs(kinds...),
		reflect.TypeFor[adapters.Channel]():          strs(adapters.Email, adapters.SMS),
		reflect.TypeFor[adapters.DeviceStatus]():     strs(adapters.DeviceActive, adapters.DeviceInactive),
		reflect.TypeFor[adapters.TransferStatus]():   strs(adapters.TransferPending, adapters.TransferConfirmed, adapters.TransferCancelled),
	}
}

type schemaGen struct {
	components map[string]any
	enums      map[reflect.Type][]string
	// optional names the fields of a request body that the path or a header may
	// supply instead.
	optional map[string]bool
}

func ref(name string) map[string]any { return map[string]any{"$ref": "#/components/schemas/" + name} }

func (g *schemaGen) schema(t reflect.Type) map[string]any {
	switch t {
	case reflect.TypeFor[time.Time]():
		return map[string]any{"type": "string", "format": "date-time"}
	case reflect.TypeFor[time.Duration]():
		return map[string]any{"type": "integer", "format": "int64", "description": "nanoseconds"}
	case reflect.TypeFor[[]byte]():
		return map[string]any{"type": "string", "contentEncoding": "base64"}
	}
	if vals, ok := g.enums[t]; ok {
		return map[string]any{"type": "string", "enum": vals}
	}
	switch t.Kind() {
	case reflect.Pointer:
		return g.schema(t.Elem())
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int64:
		return map[string]any{"type": "integer", "format": "int64"}
	case reflect.Slice:
		return map[string]any{"type": "array", "items": g.schema(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": g.schema(t.Elem())}
	case reflect.Struct:
		name := t.Name()
		if t == reflect.TypeFor[Problem]() {
			name = "Problem" // problem.Document; adapters have a Document of their own
		}
		if _, done := g.components[name]; !done {
			g.components[name] = nil // break cycles
			props := map[string]any{}
			var required []string
			for f := range t.Fields() {
				tag, ok := f.Tag.Lookup("json")
				if !f.IsExported() || tag == "-" {
					continue
				}
				jsonName, opts, _ := strings.Cut(tag, ",")
				if !ok || jsonName == "" {
					jsonName = f.Name
				}
				props[jsonName] = g.schema(f.Type)
				if !strings.Contains(opts, "omit") && f.Type.Kind() != reflect.Pointer && !g.optional[jsonName] {
					required = append(required, jsonName)
				}
			}
			s := map[string]any{"type": "object", "properties": props}
			if len(required) > 0 {
				s["required"] = required
			}
			g.components[name] = s
		}
		return ref(name)
	}
	panic("openapi: unsupported type " + t.String())
}

var paramRE = regexp.MustCompile(`\{([a-zA-Z]+)\}`)

// pathParamDescription is how every identifier travels in a path.
const pathParamDescription = "Any non-blank string, sent as exactly one path segment: percent-encoded as url.PathEscape does " +
	"(a slash is %2F, a percent sign %25, a space %20, non-ASCII as UTF-8 bytes), \".\" and \"..\" as %2E and %2E%2E; " +
	"the server decodes the segment once and never cleans or redirects the path."

func buildOpenAPI(c contract) map[string]any {
	g := &schemaGen{components: map[string]any{}, enums: enums()}
	g.schema(reflect.TypeFor[Problem]())
	paths := map[string]any{}
	for _, rt := range c.routes {
		var params []any
		for _, m := range paramRE.FindAllStringSubmatch(rt.pattern, -1) {
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "string"},
				"description": pathParamDescription})
		}
		for _, q := range rt.query {
			params = append(params, map[string]any{"name": q, "in": "query", "required": false, "schema": map[string]any{"type": "string"}})
		}
		op := map[string]any{
			"operationId": rt.op,
			"summary":     rt.summary,
			"responses": map[string]any{
				"200": map[string]any{"description": "Success", "content": map[string]any{"application/json": map[string]any{"schema": g.schema(reflect.TypeOf(rt.reply))}}},
				"default": map[string]any{"description": "An RFC 9457 problem; code is stable (see the package documentation).",
					"content": map[string]any{ProblemContentType: map[string]any{"schema": ref("Problem")}}},
			},
		}
		if rt.change {
			g.optional = map[string]bool{"idempotencyKey": true}
			for _, m := range paramRE.FindAllStringSubmatch(rt.pattern, -1) {
				g.optional[m[1]] = true
			}
			body := g.schema(reflect.TypeOf(rt.request))
			g.optional = nil
			params = append(params, map[string]any{"name": IdempotencyKeyHeader, "in": "header", "required": false,
				"description": "The request's idempotency key, when not in the body's idempotencyKey (they must agree when both are sent). Required one way or the other.",
				"schema":      map[string]any{"type": "string", "maxLength": 255}})
			op["requestBody"] = map[string]any{"required": true, "description": "Fields named by path parameters may be left out; when present they must equal the path's.",
				"content": map[string]any{"application/json": map[string]any{"schema": body}}}
		}
		if len(params) > 0 {
			op["parameters"] = params
		}
		item, _ := paths[rt.pattern].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[rt.pattern] = item
		}
		item[strings.ToLower(rt.method)] = op
	}
	return map[string]any{
		"openapi":    "3.1.0",
		"info":       map[string]any{"title": c.title, "version": "1.0.0", "description": c.description + " Errors are application/problem+json with a stable code; every change carries an idempotency key."},
		"paths":      paths,
		"components": map[string]any{"schemas": g.components},
	}
}

func TestOpenAPIDocumentsUpToDate(t *testing.T) {
	for _, c := range contracts() {
		t.Run(c.file, func(t *testing.T) {
			want, err := json.MarshalIndent(buildOpenAPI(c), "", "  ")
			require.NoError(t, err)
			want = append(want, '\n')
			path := filepath.Join("openapi", c.file)
			if *update {
				require.NoError(t, os.MkdirAll("openapi", 0o755))
				require.NoError(t, os.WriteFile(path, want, 0o644))
			}
			got, err := os.ReadFile(path)
			require.NoError(t, err, "run go test ./adapters/httpadapter -run OpenAPI -update")
			assert.True(t, bytes.Equal(want, got), "%s is stale: run go test ./adapters/httpadapter -run OpenAPI -update", path)
		})
	}
}

// TestOpenAPIMatchesHandler: every operation in a committed document is served by
// the handler, and every route the handler serves is in the document.
func TestOpenAPIMatchesHandler(t *testing.T) {
	for _, c := range contracts() {
		t.Run(c.file, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("openapi", c.file))
			require.NoError(t, err)
			var doc struct {
				OpenAPI string                               `json:"openapi"`
				Paths   map[string]map[string]map[string]any `json:"paths"`
			}
			require.NoError(t, json.Unmarshal(raw, &doc))
			assert.Equal(t, "3.1.0", doc.OpenAPI)
			var documented, served []string
			for path, item := range doc.Paths {
				for method := range item {
					documented = append(documented, strings.ToUpper(method)+" "+path)
				}
			}
			for _, rt := range c.routes {
				served = append(served, rt.method+" "+rt.pattern)
			}
			slices.Sort(documented)
			slices.Sort(served)
			assert.Equal(t, served, documented)

			// Probe the handler itself: a documented operation reaches a route (a JSON
			// answer), never the mux's own 404 or 405.
			h := newMux(c.routes)
			for _, op := range documented {
				method, path, _ := strings.Cut(op, " ")
				target := paramRE.ReplaceAllString(path, "x")
				w := httptest.NewRecorder()
				h.ServeHTTP(w, httptest.NewRequest(method, target, strings.NewReader("{}")))
				ct := w.Header().Get("Content-Type")
				assert.True(t, ct == "application/json" || ct == ProblemContentType, "%s answered %d %q: not served", op, w.Code, ct)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/no/such/route", nil))
			assert.Equal(t, http.StatusNotFound, w.Code)
			assert.NotEqual(t, ProblemContentType, w.Header().Get("Content-Type"), "the probe can tell an unserved route")
		})
	}
}

package httpapi

import (
	"bytes"
	"encoding"
	"encoding/json"
	"flag"
	"maps"
	"net/http"
	"os"
	"path"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/associates"
	"github.com/clientele-go/clientele/authz"
	"github.com/clientele-go/clientele/clients"
	"github.com/clientele-go/clientele/outbox"
	"github.com/clientele-go/clientele/portal"
	"github.com/clientele-go/clientele/problem"
	"github.com/clientele-go/clientele/tenants"
	"github.com/clientele-go/clientele/users"
)

var update = flag.Bool("update", false, "rewrite openapi.json")

// operation describes one route for the document.
type operation struct {
	summary string
	query   []string
	request any // nil: no body
	status  int
	reply   any // nil: no body
	// idempotency: the route reads an Idempotency-Key header.
	idempotency bool
	// accepted: the route may also answer 202 with the same reply (work
	// left to finish in the background).
	accepted bool
}

type itemsOf[T any] struct {
	Items []T `json:"items"`
}

// operations describes every route of Routes.
func operations() map[string]operation {
	list := []string{"cursor", "limit"}
	return map[string]operation{
		"GET /openapi.json":                        {summary: "This document.", status: 200, reply: map[string]any{}},
		"GET /clients/profile":                     {summary: "List clients, or search them with a filter (name~…, status:…), each with its portal access.", query: append([]string{"filter"}, list...), status: 200, reply: portal.ClientPage{}},
		"POST /clients/profile":                    {summary: "Create a client (pending), optionally granting it portal access in the same transaction. Location names it relative to this path.", request: portal.NewClient{}, status: 201, reply: portal.ClientView{}, idempotency: true},
		"GET /clients/profile/{reference}":         {summary: "Read a client with its core-banking profile, utility documents and CRM profile (a source that failed or was late is named in missing), and its portal access.", status: 200, reply: portal.DetailsView{}},
		"PUT /clients/profile/{reference}":         {summary: "Replace a client's profile: a field left out is cleared; version is the one read.", request: clients.UpdateInput{}, status: 200, reply: clients.Client{}},
		"POST /clients/profile/{reference}/status": {summary: "Move a client between pending, active and suspended.", request: TransitionInput{}, status: 200, reply: clients.Client{}},
		"GET /clients/device/{reference}":          {summary: "List a client's devices as the Persistence adapter holds them (CL007).", status: 200, reply: DeviceList{}},
		"POST /clients/device/lock":                {summary: "Lock (locked true) or unlock a client's device (CL010); accepted, delivered to the Persistence adapter by the outbox.", request: clients.LockInput{}, status: 202, reply: clients.DeviceRequest{}},
		"POST /clients/device/activate":            {summary: "Activate (active true) or deactivate a client's device (CL012); accepted, delivered by the outbox.", request: clients.ActivateInput{}, status: 202, reply: clients.DeviceRequest{}},
		"POST /clients/device/resetPIN":            {summary: "Reset a device's PIN (CL013): a new PIN is set at the Persistence adapter and sent to the client (MD001), never returned.", request: clients.DeviceInput{}, status: 202, reply: clients.DeviceRequest{}},
		"POST /clients/device/transfer":            {summary: "Transfer a device to another client (CL011): reference, deviceId and toReference start it and send a one-time token to the client; transferId and token complete it.", request: DeviceTransferInput{}, status: 202, reply: clients.DeviceTransfer{}},
		"DELETE /clients/profile/{reference}":      {summary: "Archive a client (CL005): 202 with the client, archiving while the saga runs, or archived; again resumes it.", query: []string{"version"}, status: 202, reply: clients.Client{}},
		"GET /permissions":                         {summary: "List permissions (?type=employee by default, customer or all).", query: []string{"type"}, status: 200, reply: itemsOf[authz.Permission]{}},
		"GET /roles":                               {summary: "List roles (?type=employee by default, customer or all).", query: []string{"type"}, status: 200, reply: itemsOf[authz.Role]{}},
		"POST /roles":                              {summary: "Create a role.", request: authz.Role{}, status: 201, reply: authz.Role{}},
		"PUT /roles/{code}":                        {summary: "Replace a role's name and permissions; its type cannot change.", request: authz.Role{}, status: 200, reply: authz.Role{}},
		"POST /auth/invitations":                   {summary: "Invite a user.", request: users.InviteInput{}, status: 201, reply: users.User{}, idempotency: true},
		"POST /auth/invitations/{id}/resend":       {summary: "Send an invitation again, with a new code.", status: 200, reply: users.User{}},
		"POST /auth/register/email":                {summary: "Register with the e-mailed code and a password.", request: users.RegisterEmailInput{}, status: 200, reply: users.Session{}},
		"POST /auth/register/social":               {summary: "Register with a social sign-in credential.", request: users.SocialInput{}, status: 200, reply: users.Session{}},
		"POST /auth/register/phone":                {summary: "Verify the texted code; returns a ticket to set the PIN with.", request: users.VerifyPhoneInput{}, status: 200, reply: users.Ticket{}},
		"POST /auth/register/phone/pin":            {summary: "Set the PIN with the ticket.", request: users.SetPINInput{}, status: 200, reply: users.Session{}},
		"POST /auth/login":                         {summary: "Log in with e-mail and password.", request: users.PasswordLoginInput{}, status: 200, reply: users.Session{}},
		"POST /auth/login/pin":                     {summary: "Log in with phone and PIN.", request: users.PINLoginInput{}, status: 200, reply: users.Session{}},
		"POST /auth/login/social":                  {summary: "Log in with a social sign-in credential.", request: users.SocialInput{}, status: 200, reply: users.Session{}},
		"POST /auth/logout":                        {summary: "End the session of the bearer token.", status: 204},
		"GET /auth/me":                             {summary: "The acting user.", status: 200, reply: users.User{}},
		"GET /users":                               {summary: "List users (?type=employee by default, customer or all).", query: append([]string{"type"}, list...), status: 200, reply: users.Page{}},
		"GET /users/{id}":                          {summary: "Read a user.", status: 200, reply: users.User{}},
		"POST /users/{id}/block":                   {summary: "Block a user; its sessions stop at once.", status: 200, reply: users.User{}},
		"POST /users/{id}/unblock":                 {summary: "Unblock a user.", status: 200, reply: users.User{}},
		"PUT /users/{id}/roles":                    {summary: "Replace a user's roles.", request: RolesInput{}, status: 200, reply: users.User{}},
		"GET /tenants":                             {summary: "List tenants (the deployment's node operator).", query: list, status: 200, reply: tenants.Page{}},
		"POST /tenants":                            {summary: "Create a tenant.", request: tenants.Tenant{}, status: 201, reply: tenants.Tenant{}},
		"GET /tenants/{id}":                        {summary: "Read a tenant.", status: 200, reply: tenants.Tenant{}},
		"PATCH /tenants/{id}":                      {summary: "Change the fields named; version is the one read.", request: tenants.Change{}, status: 200, reply: tenants.Tenant{}},
		"GET /effects":                             {summary: "List the tenant's effects (deliveries to the adapters).", query: append([]string{"status", "entityKind", "entityId"}, list...), status: 200, reply: outbox.Page{}},
		"POST /effects/{key}/replay":               {summary: "Deliver a parked effect again.", status: 200, reply: outbox.Record{}},

		"GET /clients/accounts/{reference}":    {summary: "List a client's savings and credit accounts at core banking, money in minor units; 503 while core banking is down.", status: 200, reply: clients.Accounts{}},
		"POST /clients/starred/{reference}":    {summary: "Star the client for the acting member, or unstar it when starred; list stars with filter=starred:true.", status: 200, reply: clients.Favorite{}},
		"GET /clients/preferences/{reference}": {summary: "Read a client's preferences and service configuration.", status: 200, reply: clients.Preferences{}},
		"PUT /clients/preferences/{reference}": {summary: "Replace a client's preferences; version is the one read. Accepted: delivered to the persistence adapter by the outbox.", request: clients.PreferencesInput{}, status: 202, reply: clients.Preferences{}},

		"GET /offices":                                    {summary: "List offices: the subtree of ?root= (that office and every office below it), or all of them.", query: append([]string{"root"}, list...), status: 200, reply: associates.Page[associates.Office]{}},
		"POST /offices":                                   {summary: "Create an open office, a root or under an open parent. Location names it relative to this path.", request: associates.NewOffice{}, status: 201, reply: associates.Office{}},
		"GET /offices/{id}":                               {summary: "Read an office.", status: 200, reply: associates.Office{}},
		"POST /offices/{id}/rename":                       {summary: "Rename an office; version is the one read.", request: RenameInput{}, status: 200, reply: associates.Office{}},
		"POST /offices/{id}/move":                         {summary: "Move an office with its subtree under parentId (none: a root), never under its own subtree; version is the one read.", request: ParentInput{}, status: 200, reply: associates.Office{}},
		"POST /offices/{id}/close":                        {summary: "Close an office that has no open child office and no active associate; version is the one read.", request: VersionInput{}, status: 200, reply: associates.Office{}},
		"GET /classifications":                            {summary: "List the classifications of associates.", query: list, status: 200, reply: associates.Page[associates.Classification]{}},
		"POST /classifications":                           {summary: "Define a classification: its data scope mode and data table. It is fixed once created.", request: associates.NewClassification{}, status: 201, reply: associates.Classification{}},
		"GET /classifications/{id}":                       {summary: "Read a classification.", status: 200, reply: associates.Classification{}},
		"GET /associates":                                 {summary: "List associates: ?root= and everyone below it in the hierarchy, or all of them.", query: append([]string{"root"}, list...), status: 200, reply: associates.Page[associates.Associate]{}},
		"POST /associates":                                {summary: "Create an active associate; data must satisfy its classification's data table. With access, also invite its back-office user (named, emailed and phoned as the associate) in the same transaction.", request: associates.NewAssociate{}, status: 201, reply: associates.Associate{}},
		"GET /associates/{id}":                            {summary: "Read an associate.", status: 200, reply: associates.Associate{}},
		"PATCH /associates/{id}":                          {summary: "Change the fields named (name, email, phone; data replaces all the data); version is the one read. A new name or email reaches the associate's users.", request: associates.Change{}, status: 200, reply: associates.Associate{}},
		"POST /associates/{id}/deactivate":                {summary: "Deactivate an associate; version is the one read. Its users are blocked and their sessions revoked at once.", request: VersionInput{}, status: 200, reply: associates.Associate{}},
		"POST /associates/{id}/transfer":                  {summary: "Transfer an active associate to another open office; version is the one read.", request: TransferInput{}, status: 200, reply: associates.Associate{}},
		"POST /associates/{id}/parent":                    {summary: "Put an associate, with everyone below it, under parentId (none: no parent); a cycle is refused; version is the one read.", request: ParentInput{}, status: 200, reply: associates.Associate{}},
		"POST /associates/{id}/agent":                     {summary: "Tag (agent true) or untag an associate as an agent; version is the one read.", request: AgentInput{}, status: 200, reply: associates.Associate{}},
		"GET /associates/{id}/links":                      {summary: "List an associate's links.", query: list, status: 200, reply: associates.Page[associates.Link]{}},
		"POST /associates/{id}/links":                     {summary: "Link an active associate to a center, group, client, loan or savings account; linking a linked pair again returns the link and changes nothing.", request: LinkInput{}, status: 200, reply: associates.Link{}},
		"DELETE /associates/{id}/links/{kind}/{entityId}": {summary: "Unlink an associate from an entity; 404 when they are not linked.", status: 204},
		"GET /clients/profile/{reference}/portal-access":  {summary: "Read a client's portal access.", status: 200, reply: portal.Access{}},
		"PUT /clients/profile/{reference}/portal-access":  {summary: "Grant (version 0: creates the linked customer user), change the roles of, or enable/disable a client's portal access; version is the one read.", request: portal.AccessInput{}, status: 200, reply: portal.Access{}},
		"GET /client-portal/api/v1/savings":               {summary: "Portal: the logged-in client's active savings accounts.", status: 200, reply: portal.SavingsList{}},
		"GET /client-portal/api/v1/loans":                 {summary: "Portal: the logged-in client's active and closed loans, without the bank's notes and approval data.", status: 200, reply: portal.LoanList{}},
		"POST /client-portal/api/v1/accounttransfer":      {summary: "Portal: transfer from one of the client's active savings accounts to another savings account (Idempotency-Key required). 201 completed; 202 pending while core banking is unavailable; a refused transfer is 409.", request: portal.TransferInput{}, status: 201, reply: portal.Transfer{}, idempotency: true, accepted: true},
		"GET /client-portal/api/v1/accounttransfer/{id}":  {summary: "Portal: one of the client's transfers and its status (pending, completed, failed).", status: 200, reply: portal.Transfer{}},
		"GET /links":                                      {summary: "List the links of one entity (?kind=center|group|client|loan|savings&id=…).", query: append([]string{"kind", "id"}, list...), status: 200, reply: associates.Page[associates.Link]{}},

		// Onboarding verification (issue 12).
		"POST /clients/profile/{reference}/kyc":          {summary: "Set a client's KYC status by hand (its own permission, KY001), with the reason for the audit log.", request: clients.KYCInput{}, status: 200, reply: clients.Client{}},
		"POST /clients/profile/{reference}/verification": {summary: "Run again the onboarding checks of a pending client that have not passed.", request: VersionInput{}, status: 200, reply: clients.Client{}},
	}
}

type schemaGen struct {
	components map[string]any
	// types names the Go type behind each component, to tell apart types of
	// one name in different packages (clients.Page, users.Page …).
	types map[string]reflect.Type
	// response: a field not marked omitempty is required.
	response bool
}

func ref(name string) map[string]any { return map[string]any{"$ref": "#/components/schemas/" + name} }

func nullable(s map[string]any) map[string]any {
	return map[string]any{"oneOf": []any{s, map[string]any{"type": "null"}}}
}

var textMarshaler = reflect.TypeFor[encoding.TextMarshaler]()

func (g *schemaGen) schema(t reflect.Type) map[string]any {
	switch t {
	case reflect.TypeFor[time.Time]():
		return map[string]any{"type": "string", "format": "date-time"}
	case reflect.TypeFor[json.RawMessage](), reflect.TypeFor[any]():
		return map[string]any{}
	}
	if t.Implements(textMarshaler) {
		return map[string]any{"type": "string"}
	}
	switch t.Kind() {
	case reflect.Pointer:
		if k := t.Elem().Kind(); k == reflect.Slice || k == reflect.Map {
			// Already nullable: a second null branch would make null match
			// both sides of the oneOf, which oneOf refuses.
			return g.schema(t.Elem())
		}
		return nullable(g.schema(t.Elem()))
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int64, reflect.Int32, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uint:
		return map[string]any{"type": "integer"}
	case reflect.Float64, reflect.Float32:
		return map[string]any{"type": "number"}
	case reflect.Slice:
		return nullable(map[string]any{"type": "array", "items": g.schema(t.Elem())})
	case reflect.Map:
		return nullable(map[string]any{"type": "object", "additionalProperties": g.schema(t.Elem())})
	case reflect.Interface:
		return map[string]any{}
	case reflect.Struct:
		name := t.Name()
		if i := strings.IndexByte(name, '['); i >= 0 {
			name = "ItemsOf" + t.Field(0).Type.Elem().Name()
		}
		if other, ok := g.types[name]; ok && other != t {
			pkg := path.Base(t.PkgPath())
			name = strings.ToUpper(pkg[:1]) + pkg[1:] + name
		}
		if !g.response {
			name += "Input"
		}
		if _, done := g.components[name]; !done {
			g.types[strings.TrimSuffix(name, "Input")] = t
			g.components[name] = nil // break cycles
			props, required := map[string]any{}, []string{}
			g.fields(t, props, &required)
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

// fields adds the JSON fields of struct t, flattening embedded structs as
// encoding/json does.
func (g *schemaGen) fields(t reflect.Type, props map[string]any, required *[]string) {
	for f := range t.Fields() {
		tag, hasTag := f.Tag.Lookup("json")
		if tag == "-" {
			continue
		}
		jsonName, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && jsonName == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				g.fields(ft, props, required)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if !hasTag || jsonName == "" {
			jsonName = f.Name
		}
		props[jsonName] = g.schema(f.Type)
		if g.response && !strings.Contains(opts, "omit") {
			*required = append(*required, jsonName)
		}
	}
}

var paramRE = regexp.MustCompile(`\{([a-zA-Z]+)\}`)

// errorStatuses are the problem answers every operation may give.
func errorStatuses(op operation) []int {
	st := []int{401, 403, 404, 409, 422, 500, 503}
	if op.request != nil {
		st = append(st, 413, 415)
	}
	slices.Sort(st)
	return slices.Compact(st)
}

func buildOpenAPI(t *testing.T) map[string]any {
	ops := operations()
	out := &schemaGen{components: map[string]any{}, types: map[string]reflect.Type{}, response: true}
	out.schema(reflect.TypeFor[problem.Document]())
	in := &schemaGen{components: out.components, types: out.types}
	paths := map[string]any{}
	for _, rt := range Routes() {
		op, ok := ops[rt.String()]
		require.True(t, ok, "describe %s in operations()", rt)
		var params []any
		for _, m := range paramRE.FindAllStringSubmatch(rt.Pattern, -1) {
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
		}
		for _, q := range op.query {
			params = append(params, map[string]any{"name": q, "in": "query", "required": false, "schema": map[string]any{"type": "string"}})
		}
		if op.idempotency {
			params = append(params, map[string]any{"name": "Idempotency-Key", "in": "header", "required": false,
				"description": "Makes a retry return the first answer instead of acting twice.", "schema": map[string]any{"type": "string"}})
		}
		success := map[string]any{"description": http.StatusText(op.status)}
		if op.reply != nil {
			success["content"] = map[string]any{"application/json": map[string]any{"schema": out.schema(reflect.TypeOf(op.reply))}}
		}
		responses := map[string]any{strconvI(op.status): success}
		if op.accepted {
			accepted := maps.Clone(success)
			accepted["description"] = http.StatusText(http.StatusAccepted)
			responses[strconvI(http.StatusAccepted)] = accepted
		}
		for _, st := range errorStatuses(op) {
			responses[strconvI(st)] = map[string]any{"$ref": "#/components/responses/Problem"}
		}
		o := map[string]any{"operationId": operationID(rt), "summary": op.summary, "responses": responses}
		if !rt.Public {
			o["security"] = []any{map[string]any{"bearer": []any{}}}
		} else {
			o["security"] = []any{}
		}
		if op.request != nil {
			o["requestBody"] = map[string]any{"required": true,
				"content": map[string]any{"application/json": map[string]any{"schema": in.schema(reflect.TypeOf(op.request))}}}
		}
		if len(params) > 0 {
			o["parameters"] = params
		}
		item, _ := paths[rt.Pattern].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[rt.Pattern] = item
		}
		item[strings.ToLower(rt.Method)] = o
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{"title": "clientele HTTP API", "version": "1.0.0",
			"description": "Clients, roles and permissions, users and sign-in, tenants and effects, offices, classifications, associates and their links. Paths are relative to where the application mounts the API. " +
				"Errors are RFC 9457 application/problem+json documents with a stable code; every answer carries an X-Request-Id."},
		"paths": paths,
		"components": map[string]any{
			"schemas": out.components,
			"responses": map[string]any{"Problem": map[string]any{"description": "An RFC 9457 problem; code is stable (see package problem).",
				"content": map[string]any{problem.ContentType: map[string]any{"schema": ref("Document")}}}},
			"securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer",
				"description": "The session token of a login (or whatever the application's authenticator accepts)."}},
		},
	}
}

func strconvI(i int) string { return strconv.Itoa(i) }

// operationID is the route in lowerCamel: "POST /clients/profile/{reference}/status" → postClientsProfileReferenceStatus.
func operationID(rt Route) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(rt.Method))
	for _, part := range strings.FieldsFunc(rt.Pattern, func(r rune) bool { return r == '/' || r == '{' || r == '}' || r == '.' }) {
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}

// TestOpenAPIUpToDate: openapi.json is what the route descriptions generate
// (go test ./httpapi -run OpenAPI -update rewrites it).
func TestOpenAPIUpToDate(t *testing.T) {
	want, err := json.MarshalIndent(buildOpenAPI(t), "", "  ")
	require.NoError(t, err)
	want = append(want, '\n')
	if *update {
		require.NoError(t, os.WriteFile("openapi.json", want, 0o644))
	}
	got, err := os.ReadFile("openapi.json")
	require.NoError(t, err)
	assert.True(t, bytes.Equal(want, got), "openapi.json is stale: run go test ./httpapi -run OpenAPI -update")
}

// TestOpenAPIParity: the committed document's operations are exactly the
// handler's routes, method included, and every 4xx and 5xx answer is a
// problem+json document.
func TestOpenAPIParity(t *testing.T) {
	var doc struct {
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			Responses map[string]struct {
				Content map[string]json.RawMessage `json:"content"`
			} `json:"responses"`
		} `json:"components"`
	}
	require.NoError(t, json.Unmarshal(OpenAPI, &doc))
	var inDoc, inHandler []string
	for path, item := range doc.Paths {
		for method, raw := range item {
			inDoc = append(inDoc, strings.ToUpper(method)+" "+path)
			var op struct {
				Responses map[string]struct {
					Ref     string                     `json:"$ref"`
					Content map[string]json.RawMessage `json:"content"`
				} `json:"responses"`
			}
			require.NoError(t, json.Unmarshal(raw, &op))
			for code, resp := range op.Responses {
				if code[0] != '4' && code[0] != '5' {
					continue
				}
				content := resp.Content
				if name, ok := strings.CutPrefix(resp.Ref, "#/components/responses/"); ok {
					content = doc.Components.Responses[name].Content
				}
				assert.Contains(t, content, problem.ContentType, "%s %s answers %s", method, path, code)
				assert.Len(t, content, 1, "%s %s answers %s with problem+json only", method, path, code)
			}
		}
	}
	for _, rt := range Routes() {
		inHandler = append(inHandler, rt.String())
	}
	slices.Sort(inDoc)
	slices.Sort(inHandler)
	assert.Equal(t, inHandler, inDoc)
}

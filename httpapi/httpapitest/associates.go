package httpapitest

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/associates"
	"github.com/clientele-go/clientele/authz"
	"github.com/clientele-go/clientele/internal/dbtest"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/tenants"
)

// elsewhere is what another tenant holds: an office, a classification and an
// associate linked to the center "C-1", made through the service by that
// tenant's own administrator. Their IDs are well formed and exist, just not
// in the test tenant.
type elsewhere struct{ office, classification, associate string }

func otherTenant(t *testing.T, env *Env) elsewhere {
	t.Helper()
	ctx := context.Background()
	require.NoError(t, env.DB.Tenants().Create(ctx, tenants.Tenant{
		ID: "acme", Name: "Acme Lending", Preset: authz.PresetRetailEngine,
		Apps: map[authz.App]authz.AppState{authz.AppBackoffice: authz.AppActive, authz.AppRetail: authz.AppActive}, CreatedAt: time.Now().UTC(),
	}))
	p := authz.Principal{TenantID: "acme", UserID: "admin-acme", Kind: authz.Backoffice, Roles: []string{authz.RoleSecurityAdmin}}
	as := env.Services.Associates
	o, err := as.CreateOffice(ctx, p, associates.NewOffice{Name: "Acme head office"})
	require.NoError(t, err)
	c, err := as.CreateClassification(ctx, p, associates.NewClassification{Name: "Employee", Scope: associates.ScopeBranch})
	require.NoError(t, err)
	a, err := as.CreateAssociate(ctx, p, associates.NewAssociate{OfficeID: o.ID, ClassificationID: c.ID, Name: "Acme Officer"})
	require.NoError(t, err)
	_, err = as.Link(ctx, p, a.ID, associates.Entity{Kind: associates.EntityCenter, ID: "C-1"})
	require.NoError(t, err)
	return elsewhere{office: o.ID, classification: c.ID, associate: a.ID}
}

// location posts body to path as the node operator and returns the
// Location of the 201, which is relative to path.
func (e *Env) location(t *testing.T, method, path, body string) string {
	t.Helper()
	req, err := http.NewRequest(method, e.Server.URL+path, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+e.admin(t).token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusCreated, resp.StatusCode)
	loc := resp.Header.Get("Location")
	require.NotEmpty(t, loc)
	ref, err := url.Parse(loc)
	require.NoError(t, err)
	base, _ := url.Parse(path)
	return strings.TrimPrefix(base.ResolveReference(ref).Path, "/")
}

// firstField is the field the first problem of a 422 answer names.
func firstField(t *testing.T, out map[string]any) string {
	t.Helper()
	errs, ok := out["errors"].([]any)
	require.True(t, ok, "a 422 lists its problems: %v", out)
	require.NotEmpty(t, errs)
	return errs[0].(map[string]any)["field"].(string)
}

// items returns the IDs of a page's items.
func itemIDs(out map[string]any) []string {
	var ids []string
	for _, it := range out["items"].([]any) {
		ids = append(ids, it.(map[string]any)["id"].(string))
	}
	return ids
}

// officeRoutes: create, read, list a subtree (keyset-paged), rename, move,
// close; each refusal is the one the service gives: 404 for another tenant's
// office, 422 naming the field, 409 for a stale version or a broken rule.
func officeRoutes(t *testing.T, check Check) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		env := testServer(t, db, check)
		admin := env.admin(t)
		other := otherTenant(t, env)

		status, out := admin.do("POST", "/offices", `{"name":"Head office"}`)
		require.Equal(t, http.StatusCreated, status, "%v", out)
		head := out["id"].(string)
		assert.Equal(t, "open", out["state"])
		assert.Equal(t, float64(1), out["version"])
		status, out = admin.do("POST", "/offices", `{"name":"North region","parentId":"`+head+`"}`)
		require.Equal(t, http.StatusCreated, status, "%v", out)
		north := out["id"].(string)
		assert.Equal(t, head, out["parentId"])
		status, out = admin.do("POST", "/offices", `{"name":"Nyeri branch","parentId":"`+north+`"}`)
		require.Equal(t, http.StatusCreated, status, "%v", out)
		nyeri := out["id"].(string)

		status, out = admin.do("POST", "/offices", `{"name":""}`)
		assert.Equal(t, http.StatusUnprocessableEntity, status)
		assert.Equal(t, "name", firstField(t, out))
		status, out = admin.do("POST", "/offices", `{"name":"Lost","parentId":"`+other.office+`"}`)
		assert.Equal(t, http.StatusUnprocessableEntity, status, "another tenant's office is no parent: %v", out)
		assert.Equal(t, "parentId", firstField(t, out))

		status, out = admin.do("GET", "/offices/"+north, "")
		require.Equal(t, http.StatusOK, status, "%v", out)
		assert.Equal(t, "North region", out["name"])
		status, _ = admin.do("GET", "/offices/"+other.office, "")
		assert.Equal(t, http.StatusNotFound, status, "another tenant's office")

		status, out = admin.do("GET", "/offices", "")
		require.Equal(t, http.StatusOK, status, "%v", out)
		assert.ElementsMatch(t, []string{staffOfficeID, head, north, nyeri}, itemIDs(out), "the tenant's offices, none of another tenant")
		status, out = admin.do("GET", "/offices?root="+north, "")
		require.Equal(t, http.StatusOK, status, "%v", out)
		assert.ElementsMatch(t, []string{north, nyeri}, itemIDs(out), "the subtree of north")
		status, out = admin.do("GET", "/offices?limit=2", "")
		require.Equal(t, http.StatusOK, status, "%v", out)
		first := itemIDs(out)
		require.Len(t, first, 2)
		require.NotEmpty(t, out["nextCursor"])
		status, out = admin.do("GET", "/offices?limit=2&cursor="+out["nextCursor"].(string), "")
		require.Equal(t, http.StatusOK, status, "%v", out)
		assert.ElementsMatch(t, []string{staffOfficeID, head, north, nyeri}, append(first, itemIDs(out)...), "two pages, each office once")
		assert.Empty(t, out["nextCursor"])
		status, _ = admin.do("GET", "/offices?root="+other.office, "")
		assert.Equal(t, http.StatusNotFound, status, "another tenant's subtree")
		status, out = admin.do("GET", "/offices?limit=lots", "")
		assert.Equal(t, http.StatusUnprocessableEntity, status)
		assert.Equal(t, "limit", firstField(t, out))

		status, out = admin.do("POST", "/offices/"+north+"/rename", `{"version":1,"name":"Northern region"}`)
		require.Equal(t, http.StatusOK, status, "%v", out)
		assert.Equal(t, "Northern region", out["name"])
		assert.Equal(t, float64(2), out["version"])
		status, out = admin.do("POST", "/offices/"+north+"/rename", `{"version":1,"name":"Stale"}`)
		assert.Equal(t, http.StatusConflict, status, "stale version: %v", out)
		assert.Equal(t, "conflict", out["code"])
		status, out = admin.do("POST", "/offices/"+north+"/rename", `{"version":2,"name":"Bad\u0000name"}`)
		assert.Equal(t, http.StatusUnprocessableEntity, status)
		assert.Equal(t, "name", firstField(t, out))
		status, _ = admin.do("POST", "/offices/"+other.office+"/rename", `{"version":1,"name":"Mine now"}`)
		assert.Equal(t, http.StatusNotFound, status, "another tenant's office")

		status, out = admin.do("POST", "/offices/"+head+"/move", `{"version":1,"parentId":"`+nyeri+`"}`)
		assert.Equal(t, http.StatusConflict, status, "under its own subtree: %v", out)
		assert.Equal(t, "precondition_failed", out["code"])
		status, out = admin.do("POST", "/offices/"+north+"/move", `{"version":2}`)
		require.Equal(t, http.StatusOK, status, "north becomes a root: %v", out)
		assert.Nil(t, out["parentId"])
		status, out = admin.do("GET", "/offices?root="+head, "")
		require.Equal(t, http.StatusOK, status, "%v", out)
		assert.Equal(t, []string{head}, itemIDs(out), "north left head's subtree with nyeri")
		status, out = admin.do("POST", "/offices/"+north+"/move", `{"version":2,"parentId":"`+head+`"}`)
		assert.Equal(t, http.StatusConflict, status, "stale version: %v", out)
		assert.Equal(t, "conflict", out["code"])
		status, out = admin.do("POST", "/offices/"+north+"/move", `{"version":3,"parentId":"not-an-id"}`)
		assert.Equal(t, http.StatusUnprocessableEntity, status)
		assert.Equal(t, "parentId", firstField(t, out))
		status, _ = admin.do("POST", "/offices/"+other.office+"/move", `{"version":1}`)
		assert.Equal(t, http.StatusNotFound, status, "another tenant's office")

		status, out = admin.do("POST", "/offices/"+north+"/close", `{"version":3}`)
		assert.Equal(t, http.StatusConflict, status, "north still has an open branch: %v", out)
		assert.Equal(t, "precondition_failed", out["code"])
		status, out = admin.do("POST", "/offices/"+nyeri+"/close", `{"version":1}`)
		require.Equal(t, http.StatusOK, status, "%v", out)
		assert.Equal(t, "closed", out["state"])
		status, out = admin.do("POST", "/offices/"+nyeri+"/close", `{"version":1}`)
		assert.Equal(t, http.StatusConflict, status, "stale version: %v", out)
		status, out = admin.do("POST", "/offices/"+nyeri+"/close", `{}`)
		assert.Equal(t, http.StatusUnprocessableEntity, status)
		assert.Equal(t, "version", firstField(t, out))
		status, _ = admin.do("POST", "/offices/"+other.office+"/close", `{"version":1}`)
		assert.Equal(t, http.StatusNotFound, status, "another tenant's office")
	})
}

// classificationRoutes: create with a data table, read, list; 422 naming the
// field, 409 for a name the tenant uses, 404 for another tenant's.
func classificationRoutes(t *testing.T, check Check) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		env := testServer(t, db, check)
		admin := env.admin(t)
		other := otherTenant(t, env)

		const agent = `{"name":"Agent","scope":"restricted","fields":[
		 {"name":"licence","type":"string","required":true,"maxLength":20},
		 {"name":"float","type":"number","min":0},
		 {"name":"tier","type":"enum","values":["bronze","gold"]}]}`
		status, out := admin.do("POST", "/classifications", agent)
		require.Equal(t, http.StatusCreated, status, "%v", out)
		id := out["id"].(string)
		assert.Equal(t, "restricted", out["scope"])
		assert.Len(t, out["fields"], 3)
		status, out = admin.do("POST", "/classifications", agent)
		assert.Equal(t, http.StatusConflict, status, "the name is taken: %v", out)
		assert.Equal(t, "conflict", out["code"])
		status, out = admin.do("POST", "/classifications", `{"name":"Partner","scope":"everywhere","fields":[]}`)
		assert.Equal(t, http.StatusUnprocessableEntity, status)
		assert.Equal(t, "scope", firstField(t, out))
		status, out = admin.do("POST", "/classifications", `{"name":"Partner","scope":"branch","fields":[{"name":"x","type":"string","min":1}]}`)
		assert.Equal(t, http.StatusUnprocessableEntity, status)
		assert.Equal(t, "fields[0].min", firstField(t, out))
		status, out = admin.do("POST", "/classifications", `{"name":"Employee","scope":"branch"}`)
		require.Equal(t, http.StatusCreated, status, "another tenant's name is free here: %v", out)
		employee := out["id"].(string)

		status, out = admin.do("GET", "/classifications/"+id, "")
		require.Equal(t, http.StatusOK, status, "%v", out)
		assert.Equal(t, "Agent", out["name"])
		status, _ = admin.do("GET", "/classifications/"+other.classification, "")
		assert.Equal(t, http.StatusNotFound, status, "another tenant's classification")

		status, out = admin.do("GET", "/classifications?limit=1", "")
		require.Equal(t, http.StatusOK, status, "%v", out)
		first := itemIDs(out)
		require.NotEmpty(t, out["nextCursor"])
		status, out = admin.do("GET", "/classifications?cursor="+out["nextCursor"].(string), "")
		require.Equal(t, http.StatusOK, status, "%v", out)
		assert.ElementsMatch(t, []string{staffClassificationID, id, employee}, append(first, itemIDs(out)...))
		status, out = admin.do("GET", "/classifications?cursor=bogus", "")
		assert.Equal(t, http.StatusUnprocessableEntity, status)
		assert.Equal(t, "cursor", firstField(t, out))

		// The Location of a 201 is relative to the collection's path.
		status, out = admin.do("GET", "/"+env.location(t, "POST", "/classifications", `{"name":"Located","scope":"branch"}`), "")
		assert.Equal(t, http.StatusOK, status, "the Location names the classification")
		assert.Equal(t, "Located", out["name"])
	})
}

// associateRoutes: create (data validated against the classification), read,
// list a hierarchy, update, tag as agent, transfer, re-parent, deactivate;
// every route refuses another tenant's associate with 404, names the field of
// bad input, and refuses a stale version with 409.
func associateRoutes(t *testing.T, check Check) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		env := testServer(t, db, check)
		admin := env.admin(t)
		other := otherTenant(t, env)
		_, out := admin.do("POST", "/offices", `{"name":"Head office"}`)
		head := out["id"].(string)
		_, out = admin.do("POST", "/offices", `{"name":"Branch","parentId":"`+head+`"}`)
		branch := out["id"].(string)
		_, out = admin.do("POST", "/classifications", `{"name":"Agent","scope":"restricted","fields":[{"name":"licence","type":"string","required":true}]}`)
		agentClass := out["id"].(string)

		body := func(name, parent string) string {
			return fmt.Sprintf(`{"officeId":%q,"classificationId":%q,"parentId":%q,"name":%q,"email":"x@lender.example","data":{"licence":"L-1"}}`,
				head, agentClass, parent, name)
		}
		status, out := admin.do("POST", "/associates", body("Lucy Manager", ""))
		require.Equal(t, http.StatusCreated, status, "%v", out)
		lucy := out["id"].(string)
		assert.Equal(t, "active", out["state"])
		assert.Equal(t, map[string]any{"licence": "L-1"}, out["data"])
		status, out = admin.do("POST", "/associates", body("Otis Officer", lucy))
		require.Equal(t, http.StatusCreated, status, "%v", out)
		otis := out["id"].(string)
		status, out = admin.do("POST", "/associates", `{"officeId":"`+head+`","classificationId":"`+agentClass+`","name":"No Licence","data":{}}`)
		assert.Equal(t, http.StatusUnprocessableEntity, status)
		assert.Equal(t, "data.licence", firstField(t, out))
		status, out = admin.do("POST", "/associates", `{"officeId":"`+other.office+`","classificationId":"`+agentClass+`","name":"Lost","data":{"licence":"L"}}`)
		assert.Equal(t, http.StatusUnprocessableEntity, status, "another tenant's office: %v", out)
		assert.Equal(t, "officeId", firstField(t, out))

		status, out = admin.do("GET", "/associates/"+otis, "")
		require.Equal(t, http.StatusOK, status, "%v", out)
		assert.Equal(t, lucy, out["parentId"])
		status, _ = admin.do("GET", "/associates/"+other.associate, "")
		assert.Equal(t, http.StatusNotFound, status, "another tenant's associate")
		status, out = admin.do("GET", "/associates?root="+lucy, "")
		require.Equal(t, http.StatusOK, status, "%v", out)
		assert.ElementsMatch(t, []string{lucy, otis}, itemIDs(out), "lucy and everyone below her")
		status, out = admin.do("GET", "/associates?root="+otis+"&limit=1", "")
		require.Equal(t, http.StatusOK, status, "%v", out)
		assert.Equal(t, []string{otis}, itemIDs(out))
		assert.Empty(t, out["nextCursor"])
		status, _ = admin.do("GET", "/associates?root="+other.associate, "")
		assert.Equal(t, http.StatusNotFound, status, "another tenant's hierarchy")

		// PATCH changes only the fields it names.
		status, out = admin.do("PATCH", "/associates/"+otis, `{"version":1,"name":"Otis K. Officer"}`)
		require.Equal(t, http.StatusOK, status, "%v", out)
		assert.Equal(t, "Otis K. Officer", out["name"])
		assert.Equal(t, "x@lender.example", out["email"], "a field not named is kept")
		assert.Equal(t, float64(2), out["version"])
		status, out = admin.do("PATCH", "/associates/"+otis, `{"version":1,"name":"Stale"}`)
		assert.Equal(t, http.StatusConflict, status, "stale version: %v", out)
		assert.Equal(t, "conflict", out["code"])
		status, out = admin.do("PATCH", "/associates/"+otis, `{"version":2,"email":"not-an-email"}`)
		assert.Equal(t, http.StatusUnprocessableEntity, status)
		assert.Equal(t, "email", firstField(t, out))
		status, out = admin.do("PATCH", "/associates/"+otis, `{"version":2,"data":{"licence":5}}`)
		assert.Equal(t, http.StatusUnprocessableEntity, status, "%v", out)
		assert.Equal(t, "data.licence", firstField(t, out))
		status, _ = admin.do("PATCH", "/associates/"+other.associate, `{"version":1,"name":"Mine"}`)
		assert.Equal(t, http.StatusNotFound, status, "another tenant's associate")

		status, out = admin.do("POST", "/associates/"+otis+"/agent", `{"version":2,"agent":true}`)
		require.Equal(t, http.StatusOK, status, "%v", out)
		assert.Equal(t, true, out["agent"])
		status, out = admin.do("POST", "/associates/"+otis+"/agent", `{"version":3}`)
		assert.Equal(t, http.StatusUnprocessableEntity, status, "agent is required: %v", out)
		assert.Equal(t, "agent", firstField(t, out))
		assert.Len(t, out["errors"], 1)
		status, out = admin.do("POST", "/associates/"+otis+"/agent", `{}`)
		assert.Equal(t, http.StatusUnprocessableEntity, status, "%v", out)
		assert.Len(t, out["errors"], 2, "agent and version")
		status, out = admin.do("POST", "/associates/"+otis+"/agent", `{"version":2,"agent":false}`)
		assert.Equal(t, http.StatusConflict, status, "stale version: %v", out)
		status, _ = admin.do("POST", "/associates/"+other.associate+"/agent", `{"version":1,"agent":true}`)
		assert.Equal(t, http.StatusNotFound, status, "another tenant's associate")

		status, out = admin.do("POST", "/associates/"+otis+"/transfer", `{"version":3,"officeId":"`+branch+`"}`)
		require.Equal(t, http.StatusOK, status, "%v", out)
		assert.Equal(t, branch, out["officeId"])
		status, out = admin.do("POST", "/associates/"+otis+"/transfer", `{"version":4}`)
		assert.Equal(t, http.StatusUnprocessableEntity, status)
		assert.Equal(t, "officeId", firstField(t, out))
		status, out = admin.do("POST", "/associates/"+otis+"/transfer", `{"version":3,"officeId":"`+head+`"}`)
		assert.Equal(t, http.StatusConflict, status, "stale version: %v", out)
		status, _ = admin.do("POST", "/associates/"+other.associate+"/transfer", `{"version":1,"officeId":"`+head+`"}`)
		assert.Equal(t, http.StatusNotFound, status, "another tenant's associate")

		status, out = admin.do("POST", "/associates/"+lucy+"/parent", `{"version":1,"parentId":"`+otis+`"}`)
		assert.Equal(t, http.StatusConflict, status, "a cycle: %v", out)
		assert.Equal(t, "precondition_failed", out["code"])
		status, out = admin.do("POST", "/associates/"+otis+"/parent", `{"version":4}`)
		require.Equal(t, http.StatusOK, status, "otis has no parent now: %v", out)
		assert.Nil(t, out["parentId"])
		status, out = admin.do("POST", "/associates/"+otis+"/parent", `{"version":4,"parentId":"`+lucy+`"}`)
		assert.Equal(t, http.StatusConflict, status, "stale version: %v", out)
		assert.Equal(t, "conflict", out["code"])
		status, out = admin.do("POST", "/associates/"+otis+"/parent", `{"version":5,"parentId":"nobody"}`)
		assert.Equal(t, http.StatusUnprocessableEntity, status)
		assert.Equal(t, "parentId", firstField(t, out))
		status, _ = admin.do("POST", "/associates/"+other.associate+"/parent", `{"version":1}`)
		assert.Equal(t, http.StatusNotFound, status, "another tenant's associate")

		status, out = admin.do("POST", "/associates/"+otis+"/deactivate", `{"version":5}`)
		require.Equal(t, http.StatusOK, status, "%v", out)
		assert.Equal(t, "inactive", out["state"])
		status, out = admin.do("POST", "/associates/"+otis+"/deactivate", `{"version":6}`)
		assert.Equal(t, http.StatusConflict, status, "inactive already: %v", out)
		assert.Equal(t, "precondition_failed", out["code"])
		status, out = admin.do("POST", "/associates/"+otis+"/deactivate", `{"version":5}`)
		assert.Equal(t, http.StatusConflict, status, "stale version: %v", out)
		assert.Equal(t, "conflict", out["code"])
		status, out = admin.do("POST", "/associates/"+otis+"/deactivate", `{"version":"6"}`)
		assert.Equal(t, http.StatusUnprocessableEntity, status)
		assert.Equal(t, "version", firstField(t, out))
		status, _ = admin.do("POST", "/associates/"+other.associate+"/deactivate", `{"version":1}`)
		assert.Equal(t, http.StatusNotFound, status, "another tenant's associate")
	})
}

// linkRoutes: link, list an associate's links and an entity's links, unlink;
// 404 for another tenant's associate (and its links stay out of every list),
// 422 naming the field, 409 linking an inactive associate.
func linkRoutes(t *testing.T, check Check) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		env := testServer(t, db, check)
		admin := env.admin(t)
		other := otherTenant(t, env) // linked to center C-1 in its own tenant
		_, out := admin.do("POST", "/offices", `{"name":"Head office"}`)
		head := out["id"].(string)
		_, out = admin.do("POST", "/classifications", `{"name":"Officer","scope":"restricted"}`)
		class := out["id"].(string)
		newAssociate := func(name string) string {
			status, out := admin.do("POST", "/associates", `{"officeId":"`+head+`","classificationId":"`+class+`","name":"`+name+`"}`)
			require.Equal(t, http.StatusCreated, status, "%v", out)
			return out["id"].(string)
		}
		officer, kiva := newAssociate("Loan Officer"), newAssociate("Kiva Partner")

		// A loan officer and a funding partner linked to one center (seed 000).
		status, out := admin.do("POST", "/associates/"+officer+"/links", `{"entity":{"kind":"center","id":"C-1"}}`)
		require.Equal(t, http.StatusOK, status, "%v", out)
		assert.Equal(t, map[string]any{"kind": "center", "id": "C-1"}, out["entity"])
		link := out["id"].(string)
		status, out = admin.do("POST", "/associates/"+officer+"/links", `{"entity":{"kind":"center","id":"C-1"}}`)
		require.Equal(t, http.StatusOK, status, "linking again changes nothing: %v", out)
		assert.Equal(t, link, out["id"])
		status, out = admin.do("POST", "/associates/"+kiva+"/links", `{"entity":{"kind":"center","id":"C-1"}}`)
		require.Equal(t, http.StatusOK, status, "%v", out)
		status, out = admin.do("POST", "/associates/"+kiva+"/links", `{"entity":{"kind":"loan","id":"L-9"}}`)
		require.Equal(t, http.StatusOK, status, "%v", out)

		// An opaque core-banking ID may hold a slash: escaped, it is one path segment.
		status, out = admin.do("POST", "/associates/"+kiva+"/links", `{"entity":{"kind":"savings","id":"SA/2024/7"}}`)
		require.Equal(t, http.StatusOK, status, "%v", out)
		status, out = admin.do("DELETE", "/associates/"+kiva+"/links/savings/"+url.PathEscape("SA/2024/7"), "")
		assert.Equal(t, http.StatusNoContent, status, "%v", out)

		status, out = admin.do("POST", "/associates/"+kiva+"/links", `{"entity":{"kind":"planet","id":"P-1"}}`)
		assert.Equal(t, http.StatusUnprocessableEntity, status)
		assert.Equal(t, "entity.kind", firstField(t, out))
		status, out = admin.do("POST", "/associates/"+kiva+"/links", `{"entity":{"kind":"loan"}}`)
		assert.Equal(t, http.StatusUnprocessableEntity, status)
		assert.Equal(t, "entity.id", firstField(t, out))
		status, _ = admin.do("POST", "/associates/"+other.associate+"/links", `{"entity":{"kind":"center","id":"C-2"}}`)
		assert.Equal(t, http.StatusNotFound, status, "another tenant's associate")

		status, out = admin.do("GET", "/associates/"+kiva+"/links", "")
		require.Equal(t, http.StatusOK, status, "%v", out)
		assert.Len(t, out["items"], 2)
		status, out = admin.do("GET", "/associates/"+kiva+"/links?limit=1", "")
		require.Equal(t, http.StatusOK, status, "%v", out)
		assert.Len(t, out["items"], 1)
		require.NotEmpty(t, out["nextCursor"])
		status, out = admin.do("GET", "/associates/"+kiva+"/links?limit=1&cursor="+out["nextCursor"].(string), "")
		require.Equal(t, http.StatusOK, status, "%v", out)
		assert.Len(t, out["items"], 1)
		status, _ = admin.do("GET", "/associates/"+other.associate+"/links", "")
		assert.Equal(t, http.StatusNotFound, status, "another tenant's associate")

		status, out = admin.do("GET", "/links?kind=center&id=C-1", "")
		require.Equal(t, http.StatusOK, status, "%v", out)
		var linked []string
		for _, it := range out["items"].([]any) {
			linked = append(linked, it.(map[string]any)["associateId"].(string))
		}
		assert.ElementsMatch(t, []string{officer, kiva}, linked, "both, and not the other tenant's associate")
		status, out = admin.do("GET", "/links?kind=planet&id=C-1", "")
		assert.Equal(t, http.StatusUnprocessableEntity, status)
		assert.Equal(t, "kind", firstField(t, out), "the field is the query parameter")
		status, out = admin.do("GET", "/links?kind=center", "")
		assert.Equal(t, http.StatusUnprocessableEntity, status)
		assert.Equal(t, "id", firstField(t, out))

		status, out = admin.do("DELETE", "/associates/"+officer+"/links/center/C-1", "")
		assert.Equal(t, http.StatusNoContent, status, "%v", out)
		status, out = admin.do("DELETE", "/associates/"+officer+"/links/center/C-1", "")
		assert.Equal(t, http.StatusNotFound, status, "no such link any more: %v", out)
		status, out = admin.do("DELETE", "/associates/"+officer+"/links/planet/C-1", "")
		assert.Equal(t, http.StatusUnprocessableEntity, status)
		assert.Equal(t, "kind", firstField(t, out), "the field is the path segment")
		status, _ = admin.do("DELETE", "/associates/"+other.associate+"/links/center/C-1", "")
		assert.Equal(t, http.StatusNotFound, status, "another tenant's associate")
		status, out = admin.do("GET", "/links?kind=center&id=C-1", "")
		require.Equal(t, http.StatusOK, status, "%v", out)
		assert.Len(t, out["items"], 1, "kiva only")

		_, out = admin.do("GET", "/associates/"+officer, "")
		status, out = admin.do("POST", "/associates/"+officer+"/deactivate", fmt.Sprintf(`{"version":%v}`, out["version"]))
		require.Equal(t, http.StatusOK, status, "%v", out)
		status, out = admin.do("POST", "/associates/"+officer+"/links", `{"entity":{"kind":"group","id":"G-1"}}`)
		assert.Equal(t, http.StatusConflict, status, "an inactive associate is linked to nothing: %v", out)
		assert.Equal(t, "precondition_failed", out["code"])
	})
}

// associateWithUser: POST /associates with access creates the associate and
// invites its user in one transaction; the user registers and logs in, its
// principal carries the associate and its office; a PATCH of the associate's
// name reaches the user; a refused access leaves no associate; deactivating
// the associate blocks the user and its token stops working at once.
func associateWithUser(t *testing.T, check Check) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		env := testServer(t, db, check)
		admin := env.admin(t)
		_, out := admin.do("POST", "/offices", `{"name":"Gulu"}`)
		office := out["id"].(string)
		_, out = admin.do("POST", "/classifications", `{"name":"Officer","scope":"branch"}`)
		class := out["id"].(string)
		body := func(name, email, roles string) string {
			return fmt.Sprintf(`{"officeId":%q,"classificationId":%q,"name":%q,"email":%q,"access":{"type":"originator_admin","roles":[%s]}}`,
				office, class, name, email, roles)
		}

		status, out := admin.do("POST", "/associates", body("Nora Officer", "nora@lender.example", `"RP002","RX404"`))
		assert.Equal(t, http.StatusUnprocessableEntity, status, "%v", out)
		assert.Equal(t, "access.roles[1]", firstField(t, out))
		status, out = admin.do("GET", "/associates", "")
		require.Equal(t, http.StatusOK, status)
		for _, it := range out["items"].([]any) {
			assert.NotEqual(t, "Nora Officer", it.(map[string]any)["name"], "a refused access leaves no associate")
		}

		status, out = admin.do("POST", "/associates", body("Nora Officer", "nora@lender.example", `"RP002"`))
		require.Equal(t, http.StatusCreated, status, "%v", out)
		nora := out["id"].(string)
		user, ok := out["user"].(map[string]any)
		require.True(t, ok, "the answer holds the invited user: %v", out)
		assert.Equal(t, nora, user["associateId"])
		assert.Equal(t, "invited", user["state"])
		userID := user["id"].(string)

		code := env.code(t, "nora@lender.example")
		noraC := env.login(t, "/auth/register/email", `{"tenantId":"demo","email":"nora@lender.example","code":"`+code+`","password":"nora-strong-password"}`)
		status, me := noraC.do("GET", "/auth/me", "")
		require.Equal(t, http.StatusOK, status, "%v", me)
		assert.Equal(t, nora, me["associateId"])

		status, out = admin.do("PATCH", "/associates/"+nora, `{"version":1,"name":"Nora Akello"}`)
		require.Equal(t, http.StatusOK, status, "%v", out)
		status, out = admin.do("GET", "/users/"+userID, "")
		require.Equal(t, http.StatusOK, status, "%v", out)
		assert.Equal(t, "Nora Akello", out["name"], "the associate's new name reached its user")

		status, out = admin.do("POST", "/associates/"+nora+"/deactivate", `{"version":2}`)
		require.Equal(t, http.StatusOK, status, "%v", out)
		status, _ = noraC.do("GET", "/auth/me", "")
		assert.Equal(t, http.StatusUnauthorized, status, "the user's token stops at once")
		status, out = admin.do("GET", "/users/"+userID, "")
		require.Equal(t, http.StatusOK, status, "%v", out)
		assert.Equal(t, "blocked", out["state"])
	})
}

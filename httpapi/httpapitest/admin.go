package httpapitest

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/authz"
	"github.com/clientele-go/clientele/internal/dbtest"
	"github.com/clientele-go/clientele/outbox"
	"github.com/clientele-go/clientele/storage"
)

// tenantRoutes: the node operator of the operator tenant creates, lists, reads
// and changes tenants; a user without a role may do none of it.
func tenantRoutes(t *testing.T, check Check) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		env := testServer(t, db, check)
		operator := env.admin(t)

		status, out := operator.do("POST", "/tenants", `{"id":"acme","name":"Acme Lending","preset":"`+authz.PresetBackofficePlatform+`","apps":{"backoffice":"active"},"clientPortal":false,"settings":{}}`)
		require.Equal(t, http.StatusCreated, status, "%v", out)
		assert.Equal(t, float64(1), out["version"])
		status, out = operator.do("POST", "/tenants", `{"id":"acme","name":"Again","preset":"`+authz.PresetBackofficePlatform+`","apps":{},"clientPortal":false,"settings":{}}`)
		assert.Equal(t, http.StatusConflict, status, "%v", out)

		status, out = operator.do("GET", "/tenants?limit=1", "")
		require.Equal(t, http.StatusOK, status, "%v", out)
		assert.Len(t, out["items"], 1)
		require.NotEmpty(t, out["nextCursor"])
		status, out = operator.do("GET", "/tenants?limit=1&cursor="+out["nextCursor"].(string), "")
		require.Equal(t, http.StatusOK, status, "%v", out)
		assert.Len(t, out["items"], 1)
		status, _ = operator.do("GET", "/tenants?limit=many", "")
		assert.Equal(t, http.StatusUnprocessableEntity, status)

		status, out = operator.do("PATCH", "/tenants/acme", `{"version":1,"name":"Acme Lending Ltd","clientPortal":true}`)
		require.Equal(t, http.StatusOK, status, "%v", out)
		assert.Equal(t, "Acme Lending Ltd", out["name"])
		assert.Equal(t, true, out["clientPortal"])
		status, out = operator.do("PATCH", "/tenants/acme", `{"version":1,"name":"Stale"}`)
		assert.Equal(t, http.StatusConflict, status, "a stale version: %v", out)
		status, out = operator.do("GET", "/tenants/acme", "")
		require.Equal(t, http.StatusOK, status, "%v", out)
		assert.Equal(t, float64(2), out["version"])
		status, _ = operator.do("GET", "/tenants/nope", "")
		assert.Equal(t, http.StatusNotFound, status)

		invite(t, operator, `{"type":"originator_agent","name":"Nobody","phone":"+254700000016","associateId":"`+staffID+`"}`)
		nobody := env.registerPhone(t, "+254700000016", "482913")
		status, _ = nobody.do("GET", "/tenants/demo", "")
		assert.Equal(t, http.StatusForbidden, status)
		status, _ = nobody.do("GET", "/tenants", "")
		assert.Equal(t, http.StatusForbidden, status)
	})
}

// effectRoutes: an operator holding the outbox permission lists the tenant's
// effects and replays parked ones only; others are refused.
func effectRoutes(t *testing.T, check Check) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		env := testServer(t, db, check)
		operator := env.admin(t)
		for i := range 3 {
			require.NoError(t, env.DB.Enqueue(context.Background(), outbox.Effect{
				TenantID: demoTenant, Op: "APP01", Target: outbox.Messaging,
				Entity: outbox.Entity{Kind: "note", ID: fmt.Sprint("n", i)}, Key: fmt.Sprint("note-", i),
			}))
		}

		status, out := operator.do("GET", "/effects", "")
		assert.Equal(t, http.StatusForbidden, status, "the node operator's roles do not hold outbox_admin: %v", out)

		ops := env.registerAgent(t, operator, "+254700000017", authz.RoleOperations)
		status, out = ops.do("GET", "/effects?limit=2&entityKind=note", "")
		require.Equal(t, http.StatusOK, status, "%v", out)
		assert.Len(t, out["effects"], 2)
		require.NotEmpty(t, out["nextCursor"])
		status, out = ops.do("GET", "/effects?limit=2&entityKind=note&cursor="+out["nextCursor"].(string), "")
		require.Equal(t, http.StatusOK, status, "%v", out)
		assert.Len(t, out["effects"], 1)
		status, out = ops.do("GET", "/effects?entityKind=note&entityId=n1", "")
		require.Equal(t, http.StatusOK, status, "%v", out)
		require.Len(t, out["effects"], 1)
		assert.Equal(t, "note-1", out["effects"].([]any)[0].(map[string]any)["key"])
		status, out = ops.do("GET", "/effects?status=lost", "")
		assert.Equal(t, http.StatusUnprocessableEntity, status, "%v", out)

		status, out = ops.do("POST", "/effects/note-1/replay", "")
		assert.Equal(t, http.StatusConflict, status, "only a parked effect is replayed (this one is pending, or skipped: no handler): %v", out)
		assert.Equal(t, "precondition_failed", out["code"])
		status, _ = ops.do("POST", "/effects/nope/replay", "")
		assert.Equal(t, http.StatusNotFound, status)
	})
}

// assignRoles: PUT /users/{id}/roles replaces a user's roles, and the new
// roles apply to the user's next request.
func assignRoles(t *testing.T, check Check) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		env := testServer(t, db, check)
		operator := env.admin(t)
		id := invite(t, operator, `{"type":"originator_agent","name":"Agent","phone":"+254700000018","associateId":"`+staffID+`","roles":["RP005"]}`)
		agent := env.registerPhone(t, "+254700000018", "482913")
		status, _ := agent.do("POST", "/clients/profile", personBody)
		assert.Equal(t, http.StatusForbidden, status, "RP005 may not create clients")

		status, out := operator.do("PUT", "/users/"+id+"/roles", `{"roles":["RP001"]}`)
		require.Equal(t, http.StatusOK, status, "%v", out)
		assert.Equal(t, []any{"RP001"}, out["roles"])
		status, out = agent.do("POST", "/clients/profile", personBody)
		assert.Equal(t, http.StatusCreated, status, "the new role applies at once: %v", out)

		status, out = operator.do("PUT", "/users/"+id+"/roles", `{"roles":["RP999"]}`)
		assert.Equal(t, http.StatusUnprocessableEntity, status, "%v", out)
		status, _ = agent.do("PUT", "/users/"+id+"/roles", `{"roles":["RP001","RA001"]}`)
		assert.Contains(t, []int{http.StatusForbidden, http.StatusNotFound}, status, "no one assigns its own roles")
	})
}

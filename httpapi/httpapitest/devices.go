package httpapitest

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/adapters"
	"github.com/clientele-go/clientele/authz"
	"github.com/clientele-go/clientele/clients"
	"github.com/clientele-go/clientele/internal/dbtest"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/tenants"
)

// deviceClient creates an active client with its own phone and national ID
// and returns its ID and reference. The onboarding checks run first (the
// documents check fails: nothing is on file), then its identity document is
// filed and the checks are run again, so they pass and it can be activated
// whenever the dispatcher happens to run them.
func deviceClient(t *testing.T, env *Env, admin caller, phone, nationalID string) (string, string) {
	t.Helper()
	body := strings.Replace(strings.Replace(personBody, "+254712345678", phone, 1), "29384756", nationalID, 1)
	status, out := admin.do("POST", "/clients/profile", body)
	require.Equal(t, http.StatusCreated, status, "%v", out)
	ref, id := out["reference"].(string), out["id"].(string)
	dbtest.Drain(t, env.DB)
	_, err := env.Docs.PutDocument(context.Background(), adapters.PutDocumentRequest{
		TenantID: demoTenant, ClientID: id, Category: adapters.CategoryVerification, Type: "national_id",
		ContentType: "image/png", Verified: true, Content: []byte("png"), IdempotencyKey: "doc-" + id,
	})
	require.NoError(t, err)
	status, out = admin.do("GET", "/clients/profile/"+ref, "")
	require.Equal(t, http.StatusOK, status, "%v", out)
	status, out = admin.do("POST", "/clients/profile/"+ref+"/verification", fmt.Sprintf(`{"version":%v}`, out["version"]))
	require.Equal(t, http.StatusOK, status, "%v", out)
	dbtest.Drain(t, env.DB)
	status, out = admin.do("GET", "/clients/profile/"+ref, "")
	require.Equal(t, http.StatusOK, status, "%v", out)
	status, out = admin.do("POST", "/clients/profile/"+ref+"/status", fmt.Sprintf(`{"status":"active","version":%v}`, out["version"]))
	require.Equal(t, http.StatusOK, status, "%v", out)
	return out["id"].(string), ref
}

func fieldsOf(out map[string]any) []string {
	var fs []string
	errs, _ := out["errors"].([]any)
	for _, e := range errs {
		fs = append(fs, e.(map[string]any)["field"].(string))
	}
	return fs
}

// deviceRoutes runs the device routes of seeds 001/002 on the memory
// Persistence and Messaging fakes: list, lock, activate, PIN reset and a
// transfer confirmed with the token read from the messaging fake; bad bodies
// are 422 naming their fields, another tenant's client is 404.
func deviceRoutes(t *testing.T, check Check) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		env := testServer(t, db, check)
		admin := env.admin(t)
		ctx := context.Background()
		fromID, from := deviceClient(t, env, admin, "+254711000001", "51000001")
		_, to := deviceClient(t, env, admin, "+254711000002", "51000002")
		d, err := env.Pers.RegisterDevice(ctx, adapters.RegisterDeviceRequest{TenantID: demoTenant, ClientID: fromID, Name: "Phone", IdempotencyKey: "reg-1"})
		require.NoError(t, err)

		status, out := admin.do("GET", "/clients/device/"+from, "")
		require.Equal(t, http.StatusOK, status, "%v", out)
		require.Len(t, out["devices"], 1)
		assert.Equal(t, d.ID, out["devices"].([]any)[0].(map[string]any)["id"])

		dev := `"reference":"` + from + `","deviceId":"` + d.ID + `"`
		status, out = admin.do("POST", "/clients/device/lock", `{`+dev+`,"locked":true}`)
		require.Equal(t, http.StatusAccepted, status, "%v", out)
		assert.Equal(t, "pending", out["status"])
		status, out = admin.do("POST", "/clients/device/activate", `{`+dev+`,"active":false}`)
		require.Equal(t, http.StatusAccepted, status, "%v", out)
		status, out = admin.do("POST", "/clients/device/activate", `{`+dev+`,"active":true}`)
		require.Equal(t, http.StatusAccepted, status, "%v", out)
		dbtest.Drain(t, db)
		got, err := env.Pers.GetDevice(ctx, demoTenant, d.ID)
		require.NoError(t, err)
		assert.True(t, got.Locked)
		assert.Equal(t, adapters.DeviceActive, got.Status)

		status, out = admin.do("POST", "/clients/device/resetPIN", `{`+dev+`}`)
		require.Equal(t, http.StatusAccepted, status, "%v", out)
		dbtest.Drain(t, db)
		m, ok := env.Msg.Last("+254711000001")
		require.True(t, ok)
		require.Equal(t, adapters.KindDevicePINReset, m.Kind)
		assert.NotContains(t, out, "pin")

		status, out = admin.do("POST", "/clients/device/transfer", `{`+dev+`,"toReference":"`+to+`"}`)
		require.Equal(t, http.StatusAccepted, status, "%v", out)
		assert.Equal(t, "pending", out["status"])
		transferID := out["id"].(string)
		dbtest.Drain(t, db)
		m, ok = env.Msg.Last("+254711000001")
		require.True(t, ok)
		require.Equal(t, adapters.KindDeviceTransferToken, m.Kind)
		token := m.Params[adapters.ParamToken]
		status, out = admin.do("POST", "/clients/device/transfer", `{"transferId":"`+transferID+`","token":"wrong"}`)
		assert.Equal(t, http.StatusUnprocessableEntity, status, "%v", out)
		assert.Equal(t, []string{"token"}, fieldsOf(out))
		status, out = admin.do("POST", "/clients/device/transfer", `{"transferId":"`+transferID+`","token":"`+token+`"}`)
		require.Equal(t, http.StatusAccepted, status, "%v", out)
		assert.Equal(t, "confirmed", out["status"])
		dbtest.Drain(t, db)
		status, out = admin.do("GET", "/clients/device/"+to, "")
		require.Equal(t, http.StatusOK, status)
		assert.Len(t, out["devices"], 1, "the device moved")
		status, out = admin.do("POST", "/clients/device/transfer", `{"transferId":"`+transferID+`","token":"`+token+`"}`)
		assert.Equal(t, http.StatusUnprocessableEntity, status, "a used token: %v", out)

		// 422 naming the fields.
		for path, want := range map[string][]string{
			"/clients/device/lock":     {"reference", "deviceId", "locked"},
			"/clients/device/activate": {"reference", "deviceId", "active"},
			"/clients/device/resetPIN": {"reference", "deviceId"},
			"/clients/device/transfer": {"reference", "deviceId", "toReference"},
		} {
			status, out = admin.do("POST", path, `{}`)
			assert.Equal(t, http.StatusUnprocessableEntity, status, path)
			assert.ElementsMatch(t, want, fieldsOf(out), path)
		}

		// Another tenant's client and device: 404, like a missing one.
		require.NoError(t, env.DB.Tenants().Create(ctx, tenants.Tenant{
			ID: "acme", Name: "Acme Lending", Preset: authz.PresetRetailEngine,
			Apps: map[authz.App]authz.AppState{authz.AppBackoffice: authz.AppActive, authz.AppRetail: authz.AppActive}, CreatedAt: time.Now().UTC(),
		}))
		acmeAdmin := authz.Principal{TenantID: "acme", UserID: "admin-acme", Kind: authz.Backoffice, Roles: []string{authz.RetailAdministrator}}
		in := clients.CreateInput{Type: clients.Individual, Profile: clients.Profile{OfficeID: "head-office",
			Individual: &clients.Person{FirstName: "Acme", LastName: "Client", DateOfBirth: "1990-04-12", NationalID: "A-1"}}}
		foreign, err := env.Services.Clients.Create(ctx, acmeAdmin, in, "")
		require.NoError(t, err)
		fd, err := env.Pers.RegisterDevice(ctx, adapters.RegisterDeviceRequest{TenantID: "acme", ClientID: foreign.ID, IdempotencyKey: "reg-acme"})
		require.NoError(t, err)
		status, _ = admin.do("GET", "/clients/device/"+foreign.Reference, "")
		assert.Equal(t, http.StatusNotFound, status)
		status, _ = admin.do("POST", "/clients/device/lock", `{"reference":"`+foreign.Reference+`","deviceId":"`+fd.ID+`","locked":true}`)
		assert.Equal(t, http.StatusNotFound, status)
		status, _ = admin.do("POST", "/clients/device/lock", `{"reference":"`+from+`","deviceId":"`+fd.ID+`","locked":true}`)
		assert.Equal(t, http.StatusNotFound, status, "another tenant's device")
	})
}

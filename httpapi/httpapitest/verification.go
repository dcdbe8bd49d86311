package httpapitest

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/adapters"
	"github.com/clientele-go/clientele/authz"
	"github.com/clientele-go/clientele/internal/dbtest"
	"github.com/clientele-go/clientele/storage"
)

// verificationRoutes: the onboarding checks' results on GET, activation
// refused naming the failed check, the checks run again once a document is
// filed (POST …/verification), and the manual KYC decision (POST …/kyc),
// refused to the administrator and allowed to a KYC officer (RK001).
func verificationRoutes(t *testing.T, check Check) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		env := testServer(t, db, check)
		admin := env.admin(t)
		// In the office of the seeded staff, so the KYC officer (an agent
		// linked to it, branch scope) reaches the client.
		status, body := admin.do("POST", "/clients/profile", strings.Replace(personBody, "head-office", staffOfficeID, 1))
		require.Equal(t, http.StatusCreated, status, body)
		ref, id := body["reference"].(string), body["id"].(string)
		dbtest.Drain(t, env.DB)

		checkOf := func(body map[string]any, name string) map[string]any {
			return body["verification"].(map[string]any)[name].(map[string]any)
		}
		status, body = admin.do("GET", "/clients/profile/"+ref, "")
		require.Equal(t, http.StatusOK, status, body)
		assert.Equal(t, "passed", checkOf(body, "identity")["status"])
		assert.Equal(t, "passed", checkOf(body, "screening")["status"])
		assert.Equal(t, "failed", checkOf(body, "documents")["status"])
		assert.Equal(t, "no identity document on file", checkOf(body, "documents")["reason"])
		version := body["version"].(float64)

		status, body = admin.do("POST", "/clients/profile/"+ref+"/status", fmt.Sprintf(`{"status":"active","version":%v}`, version))
		assert.Equal(t, http.StatusConflict, status)
		assert.Equal(t, "precondition_failed", body["code"])
		assert.Contains(t, body["detail"], "documents check failed: no identity document on file")

		_, err := env.Docs.PutDocument(context.Background(), adapters.PutDocumentRequest{
			TenantID: demoTenant, ClientID: id, Category: adapters.CategoryVerification, Type: "national_id",
			ContentType: "image/png", Verified: true, Content: []byte("png"), IdempotencyKey: "doc-1",
		})
		require.NoError(t, err)
		status, body = admin.do("POST", "/clients/profile/"+ref+"/verification", fmt.Sprintf(`{"version":%v}`, version))
		require.Equal(t, http.StatusOK, status, body)
		assert.Equal(t, float64(2), body["verification"].(map[string]any)["round"])
		assert.Equal(t, "pending", checkOf(body, "documents")["status"])
		version = body["version"].(float64)
		dbtest.Drain(t, env.DB)
		status, body = admin.do("GET", "/clients/profile/"+ref, "")
		require.Equal(t, http.StatusOK, status)
		assert.Equal(t, "passed", checkOf(body, "documents")["status"])

		// The manual KYC decision: not the administrator's; a KYC officer's.
		decision := fmt.Sprintf(`{"status":"verified","version":%v,"reason":"passport seen at the branch"}`, version)
		status, body = admin.do("POST", "/clients/profile/"+ref+"/kyc", decision)
		assert.Equal(t, http.StatusForbidden, status, body)
		assert.Contains(t, body["detail"], "KY001")
		kyc := env.registerAgent(t, admin, "+254700000031", authz.RoleKYCOfficer)
		status, body = kyc.do("POST", "/clients/profile/"+ref+"/kyc", fmt.Sprintf(`{"status":"verified","version":%v}`, version))
		assert.Equal(t, http.StatusUnprocessableEntity, status)
		assert.Equal(t, "reason", body["errors"].([]any)[0].(map[string]any)["field"])
		status, body = kyc.do("POST", "/clients/profile/"+ref+"/kyc", decision)
		require.Equal(t, http.StatusOK, status, body)
		assert.Equal(t, "verified", body["kycStatus"])
		version = body["version"].(float64)

		status, body = admin.do("POST", "/clients/profile/"+ref+"/status", fmt.Sprintf(`{"status":"active","version":%v}`, version))
		require.Equal(t, http.StatusOK, status, body)
		assert.Equal(t, "active", body["status"])
	})
}

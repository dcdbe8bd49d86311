package httpapi

import (
	"net/http"

	"github.com/clientele-go/clientele/clients"
)

// registerVerification adds the routes of onboarding verification (issue
// 12): the manual KYC decision, which has its own permission (KY001) and so
// its own route rather than a field of PUT /clients/profile/{reference}, and
// running the onboarding checks again. The results of the checks are part of
// the client (verification) that GET /clients/profile/{reference} returns.
func (a *api) registerVerification(auth func(method, pattern string, h handlerFunc)) {
	auth("POST", "/clients/profile/{reference}/kyc", body(a, http.StatusOK, func(r *http.Request, in clients.KYCInput) (clients.Client, error) {
		return a.s.Clients.SetKYCStatus(r.Context(), principal(r.Context()), r.PathValue("reference"), in)
	}))
	auth("POST", "/clients/profile/{reference}/verification", body(a, http.StatusOK, func(r *http.Request, in VersionInput) (clients.Client, error) {
		return a.s.Clients.Recheck(r.Context(), principal(r.Context()), r.PathValue("reference"), in.Version)
	}))
}

package httpapi

import (
	"net/http"

	"github.com/clientele-go/clientele/clients"
)

// registerClientReads adds the routes of issue 12's reads: a client's
// accounts at core banking (CL006), the member's star on a client (CL008) and
// the client's preferences. GET /clients/profile/{reference} (CL002) answers
// with clients.Service.Details and is registered with the other profile
// routes.
func (a *api) registerClientReads(auth func(method, pattern string, h handlerFunc)) {
	cs := a.s.Clients

	// CL006: savings and credit accounts, money in minor units; 503 while
	// core banking is down.
	auth("GET", "/clients/accounts/{reference}", func(w http.ResponseWriter, r *http.Request) error {
		out, err := cs.Accounts(r.Context(), principal(r.Context()), r.PathValue("reference"))
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, out)
		return nil
	})

	// CL008: star the client for the acting member, or unstar it; the
	// member's stars are listed by GET /clients/profile?filter=starred:true.
	auth("POST", "/clients/starred/{reference}", func(w http.ResponseWriter, r *http.Request) error {
		out, err := cs.ToggleStar(r.Context(), principal(r.Context()), r.PathValue("reference"))
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, out)
		return nil
	})

	// Preferences and service configuration, held by the Persistence
	// adapter: read as viewing the client (CL002), replaced as updating it
	// (CL004). A change is accepted (202) and delivered by the outbox.
	auth("GET", "/clients/preferences/{reference}", func(w http.ResponseWriter, r *http.Request) error {
		out, err := cs.Preferences(r.Context(), principal(r.Context()), r.PathValue("reference"))
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, out)
		return nil
	})
	auth("PUT", "/clients/preferences/{reference}", body(a, http.StatusAccepted, func(r *http.Request, in clients.PreferencesInput) (clients.Preferences, error) {
		return cs.SetPreferences(r.Context(), principal(r.Context()), r.PathValue("reference"), in)
	}))
}

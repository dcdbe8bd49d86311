package httpapi

import (
	"net/http"
	"strconv"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/clients"
)

// registerArchive adds DELETE /clients/profile/{reference} (CL005).
func (a *api) registerArchive(auth func(method, pattern string, h handlerFunc)) {
	auth("DELETE", "/clients/profile/{reference}", a.archiveClient)
}

// archiveClient starts, or resumes, the archive of a client (CL005). The
// optional ?version= is the version the caller read (a newer one is 409). The
// answer is 202 with the client: archiving, with the step the saga is at, while
// the outbox runs it; archived once it has finished.
func (a *api) archiveClient(w http.ResponseWriter, r *http.Request) error {
	var in clients.ArchiveInput
	if v := r.URL.Query().Get("version"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return clientele.NewValidationError("version", "type", "must be a whole number")
		}
		in.Version = n
	}
	c, err := a.s.Clients.Archive(r.Context(), principal(r.Context()), r.PathValue("reference"), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, c)
	return nil
}

package httpadapter

import (
	"context"
	"net/http"
	"net/url"

	"github.com/clientele-go/clientele/adapters"
)

var (
	_ adapters.Documents     = (*Documents)(nil)
	_ adapters.DocumentStore = (*Documents)(nil)
)

// Documents is the HTTP client of the documents contract. It implements the
// optional DocumentStore; when the server lacks it, PutDocument fails with
// adapters.ErrNotSupported.
type Documents struct{ c *conn }

// NewDocuments returns a client of the documents handler mounted at baseURL.
func NewDocuments(baseURL string, opts ...Option) (*Documents, error) {
	c, err := newConn(baseURL, opts)
	if err != nil {
		return nil, err
	}
	return &Documents{c}, nil
}

func clientPath(tenantID, clientID string) string {
	return tenantPath(tenantID) + "/clients/" + esc(clientID)
}

// ListDocuments implements adapters.Documents.
func (s *Documents) ListDocuments(ctx context.Context, req adapters.ListDocumentsRequest) ([]adapters.Document, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	q := url.Values{"category": {string(req.Category)}}
	return do[[]adapters.Document](ctx, s.c, http.MethodGet, clientPath(req.TenantID, req.ClientID)+"/documents", q, "", nil)
}

// GetPhoto implements adapters.Documents.
func (s *Documents) GetPhoto(ctx context.Context, tenantID, clientID string) (adapters.Document, error) {
	if err := adapters.ValidateTenant(tenantID, adapters.NamedID{Field: "clientId", Value: clientID}); err != nil {
		return adapters.Document{}, err
	}
	return do[adapters.Document](ctx, s.c, http.MethodGet, clientPath(tenantID, clientID)+"/photo", nil, "", nil)
}

// PutDocument implements adapters.DocumentStore.
func (s *Documents) PutDocument(ctx context.Context, req adapters.PutDocumentRequest) (adapters.Document, error) {
	if err := req.Validate(); err != nil {
		return adapters.Document{}, err
	}
	return do[adapters.Document](ctx, s.c, http.MethodPost, clientPath(req.TenantID, req.ClientID)+"/documents", nil, req.IdempotencyKey, req)
}

// NewDocumentsHandler serves the documents contract over impl.
func NewDocumentsHandler(impl adapters.Documents) (http.Handler, error) {
	if impl == nil {
		return nil, nilImpl("NewDocumentsHandler")
	}
	return newMux(documentsRoutes(impl)), nil
}

func documentsRoutes(impl adapters.Documents) []route {
	put := func(ctx context.Context, req adapters.PutDocumentRequest) (adapters.Document, error) {
		store, ok := impl.(adapters.DocumentStore)
		if !ok {
			return adapters.Document{}, notSupported("PutDocument")
		}
		return store.PutDocument(ctx, req)
	}
	return []route{
		readRoute("/tenants/{tenantId}/clients/{clientId}/documents", "ListDocuments", "DD001 / DD002 Get client utility documents / verification IDs",
			[]string{"category"}, func(r *http.Request) ([]adapters.Document, error) {
				return impl.ListDocuments(r.Context(), adapters.ListDocumentsRequest{TenantID: r.PathValue("tenantId"),
					ClientID: r.PathValue("clientId"), Category: adapters.DocumentCategory(r.URL.Query().Get("category"))})
			}),
		readRoute("/tenants/{tenantId}/clients/{clientId}/photo", "GetPhoto", "DD003 Get client photo", nil,
			func(r *http.Request) (adapters.Document, error) {
				return impl.GetPhoto(r.Context(), r.PathValue("tenantId"), r.PathValue("clientId"))
			}),
		changeRoute("POST", "/tenants/{tenantId}/clients/{clientId}/documents", "PutDocument", "File a document (optional ability)", maxDocumentBytes,
			func(r *adapters.PutDocumentRequest) *string { return &r.IdempotencyKey },
			func(r *adapters.PutDocumentRequest) []binding {
				return []binding{bind("tenantId", &r.TenantID), bind("clientId", &r.ClientID)}
			},
			put),
	}
}

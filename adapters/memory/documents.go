package memory

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/clientele-go/clientele/adapters"
)

var (
	_ adapters.Documents     = (*Documents)(nil)
	_ adapters.DocumentStore = (*Documents)(nil)
)

// Documents is an in-memory document processor.
type Documents struct {
	cfg  config
	mu   sync.Mutex
	docs map[string][]adapters.Document // tenant, client; in filing order
	idem keyLog
}

// NewDocuments returns an empty document processor.
func NewDocuments(opts ...Option) *Documents {
	return &Documents{cfg: newConfig(opts), docs: map[string][]adapters.Document{}}
}

// Faults returns the fake's fault switch.
func (s *Documents) Faults() *Faults { return s.cfg.faults }

func cloneDoc(d adapters.Document) adapters.Document { return d.Clone() }

// PutDocument implements adapters.DocumentStore.
func (s *Documents) PutDocument(ctx context.Context, req adapters.PutDocumentRequest) (adapters.Document, error) {
	return mutate(ctx, s.cfg, &s.mu, &s.idem, "PutDocument", req.TenantID, req.IdempotencyKey, req, cloneDoc,
		func(now time.Time) (adapters.Document, error) {
			d := adapters.Document{
				ID: newID(), TenantID: req.TenantID, ClientID: req.ClientID, Category: req.Category, Type: req.Type,
				Name: req.Name, ContentType: req.ContentType, Size: int64(len(req.Content)), Number: req.Number,
				Verified: req.Verified, IssuedAt: req.IssuedAt, ExpiresAt: req.ExpiresAt, UploadedAt: now, Content: req.Content,
			}.Clone()
			k := tk(req.TenantID, req.ClientID)
			s.docs[k] = append(s.docs[k], d)
			return d, nil
		})
}

// ListDocuments implements adapters.Documents (DD001, DD002).
func (s *Documents) ListDocuments(ctx context.Context, req adapters.ListDocumentsRequest) ([]adapters.Document, error) {
	out, err := read(ctx, s.cfg, &s.mu, "ListDocuments", req.Validate(), func() ([]adapters.Document, error) {
		out := []adapters.Document{}
		for _, d := range s.docs[tk(req.TenantID, req.ClientID)] {
			if d.Category == req.Category {
				d = d.Clone()
				d.Content = nil
				out = append(out, d)
			}
		}
		return out, nil
	})
	slices.SortStableFunc(out, func(x, y adapters.Document) int {
		if c := y.UploadedAt.Compare(x.UploadedAt); c != 0 {
			return c
		}
		return strings.Compare(y.ID, x.ID)
	})
	return out, err
}

// GetPhoto implements adapters.Documents (DD003): the latest photo filed.
func (s *Documents) GetPhoto(ctx context.Context, tenantID, clientID string) (adapters.Document, error) {
	return read(ctx, s.cfg, &s.mu, "GetPhoto", adapters.ValidateTenant(tenantID, adapters.NamedID{Field: "clientId", Value: clientID}),
		func() (adapters.Document, error) {
			docs := s.docs[tk(tenantID, clientID)]
			for i := len(docs) - 1; i >= 0; i-- {
				if docs[i].Category == adapters.CategoryPhoto {
					return docs[i].Clone(), nil
				}
			}
			return adapters.Document{}, notFound("photo of client", clientID)
		})
}

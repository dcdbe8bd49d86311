package memory

import (
	"context"
	"slices"
	"strings"
	"sync"

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
	idem idempotency
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
	const op = "PutDocument"
	if err := s.cfg.faults.before(ctx, op); err != nil {
		return adapters.Document{}, err
	}
	if err := req.Validate(); err != nil {
		return adapters.Document{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if d, ok, err := replay(&s.idem, req.TenantID, op, req.IdempotencyKey, req, cloneDoc); ok {
		return d, err
	}
	d := adapters.Document{
		ID: newID(), TenantID: req.TenantID, ClientID: req.ClientID, Category: req.Category, Type: req.Type,
		Name: req.Name, ContentType: req.ContentType, Size: int64(len(req.Content)), Number: req.Number,
		Verified: req.Verified, IssuedAt: req.IssuedAt, ExpiresAt: req.ExpiresAt, UploadedAt: s.cfg.timestamp(),
		Content: req.Content,
	}.Clone()
	k := tk(req.TenantID, req.ClientID)
	s.docs[k] = append(s.docs[k], d)
	remember(&s.idem, req.TenantID, op, req.IdempotencyKey, req, d.Clone())
	return d.Clone(), nil
}

// ListDocuments implements adapters.Documents (DD001, DD002).
func (s *Documents) ListDocuments(ctx context.Context, req adapters.ListDocumentsRequest) ([]adapters.Document, error) {
	if err := s.cfg.faults.before(ctx, "ListDocuments"); err != nil {
		return nil, err
	}
	if err := req.Validate(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []adapters.Document{}
	for _, d := range s.docs[tk(req.TenantID, req.ClientID)] {
		if d.Category == req.Category {
			d = d.Clone()
			d.Content = nil
			out = append(out, d)
		}
	}
	slices.SortStableFunc(out, func(x, y adapters.Document) int {
		if c := y.UploadedAt.Compare(x.UploadedAt); c != 0 {
			return c
		}
		return strings.Compare(y.ID, x.ID)
	})
	return out, nil
}

// GetPhoto implements adapters.Documents (DD003): the latest photo filed.
func (s *Documents) GetPhoto(ctx context.Context, tenantID, clientID string) (adapters.Document, error) {
	if err := s.cfg.faults.before(ctx, "GetPhoto"); err != nil {
		return adapters.Document{}, err
	}
	if err := adapters.ValidateTenant(tenantID, adapters.NamedID{Field: "clientId", Value: clientID}); err != nil {
		return adapters.Document{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	docs := s.docs[tk(tenantID, clientID)]
	for i := len(docs) - 1; i >= 0; i-- {
		if docs[i].Category == adapters.CategoryPhoto {
			return docs[i].Clone(), nil
		}
	}
	return adapters.Document{}, notFound("photo of client", clientID)
}

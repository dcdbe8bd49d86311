package adapters

import (
	"context"
	"fmt"
	"time"

	"github.com/clientele-go/clientele"
)

// Documents is the document processor holding clients' KYC documents (seed 002,
// DD001–DD003). It is read-only for clientele; DocumentStore is the optional ability
// to file documents through the adapter.
type Documents interface {
	// ListDocuments lists the client's documents of one category: utility documents
	// (DD001) or verification IDs (DD002), newest first. A client without documents
	// has an empty list.
	ListDocuments(ctx context.Context, req ListDocumentsRequest) ([]Document, error)
	// GetPhoto returns the client's current photo with its content (DD003), or
	// clientele.ErrNotFound.
	GetPhoto(ctx context.Context, tenantID, clientID string) (Document, error)
}

// DocumentStore is implemented by a document processor that accepts documents
// through the adapter. Test suites use it to set up documents.
type DocumentStore interface {
	PutDocument(ctx context.Context, req PutDocumentRequest) (Document, error)
}

// DocumentCategory groups documents as the seed's operations read them.
type DocumentCategory string

// The document categories.
const (
	CategoryUtility      DocumentCategory = "utility"
	CategoryVerification DocumentCategory = "verification"
	CategoryPhoto        DocumentCategory = "photo"
)

// ParseDocumentCategory accepts "utility", "verification" and "photo".
func ParseDocumentCategory(s string) (DocumentCategory, error) {
	switch DocumentCategory(s) {
	case CategoryUtility, CategoryVerification, CategoryPhoto:
		return DocumentCategory(s), nil
	}
	return "", fmt.Errorf("adapters: document category %q: want utility, verification or photo: %w", s, clientele.ErrInvalid)
}

// Document is one client document. Content is filled by GetPhoto only; lists carry
// metadata and, where the processor has one, a URL.
type Document struct {
	ID       string           `json:"id"`
	TenantID string           `json:"tenantId"`
	ClientID string           `json:"clientId"`
	Category DocumentCategory `json:"category"`
	// Type names the document ("passport", "national_id", "utility_bill", …).
	Type        string     `json:"type"`
	Name        string     `json:"name,omitempty"`
	ContentType string     `json:"contentType"`
	Size        int64      `json:"size"`
	URL         string     `json:"url,omitempty"`
	Number      string     `json:"number,omitempty"`
	Verified    bool       `json:"verified"`
	IssuedAt    *time.Time `json:"issuedAt,omitempty"`
	ExpiresAt   *time.Time `json:"expiresAt,omitempty"`
	UploadedAt  time.Time  `json:"uploadedAt"`
	Content     []byte     `json:"content,omitempty"`
}

// Clone returns a deep copy of d.
func (d Document) Clone() Document {
	if d.IssuedAt != nil {
		t := *d.IssuedAt
		d.IssuedAt = &t
	}
	if d.ExpiresAt != nil {
		t := *d.ExpiresAt
		d.ExpiresAt = &t
	}
	if d.Content != nil {
		d.Content = append([]byte(nil), d.Content...)
	}
	return d
}

// ListDocumentsRequest lists a client's documents of one category.
type ListDocumentsRequest struct {
	TenantID string           `json:"tenantId"`
	ClientID string           `json:"clientId"`
	Category DocumentCategory `json:"category"`
}

// Validate reports missing or malformed fields.
func (r ListDocumentsRequest) Validate() error {
	var v validation
	v.required("tenantId", r.TenantID)
	v.required("clientId", r.ClientID)
	if r.Category != CategoryUtility && r.Category != CategoryVerification && r.Category != CategoryPhoto {
		v.Add("category", "oneof", "must be utility, verification or photo")
	}
	return v.err()
}

// PutDocumentRequest files a document (DocumentStore). A photo replaces the client's
// current photo.
type PutDocumentRequest struct {
	TenantID       string           `json:"tenantId"`
	ClientID       string           `json:"clientId"`
	Category       DocumentCategory `json:"category"`
	Type           string           `json:"type"`
	Name           string           `json:"name,omitempty"`
	ContentType    string           `json:"contentType"`
	Number         string           `json:"number,omitempty"`
	Verified       bool             `json:"verified"`
	IssuedAt       *time.Time       `json:"issuedAt,omitempty"`
	ExpiresAt      *time.Time       `json:"expiresAt,omitempty"`
	Content        []byte           `json:"content"`
	IdempotencyKey string           `json:"idempotencyKey"`
}

// MaxDocumentSize is the largest document content the contract carries (10 MiB).
const MaxDocumentSize = 10 << 20

// Validate reports missing or malformed fields.
func (r PutDocumentRequest) Validate() error {
	var v validation
	v.required("tenantId", r.TenantID)
	v.required("clientId", r.ClientID)
	if r.Category != CategoryUtility && r.Category != CategoryVerification && r.Category != CategoryPhoto {
		v.Add("category", "oneof", "must be utility, verification or photo")
	}
	v.required("type", r.Type)
	v.required("contentType", r.ContentType)
	if len(r.Content) > MaxDocumentSize {
		v.Add("content", "max", "at most 10 MiB")
	}
	v.key(r.IdempotencyKey)
	return v.err()
}

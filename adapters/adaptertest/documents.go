package adaptertest

import (
	"testing"
	"time"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/adapters"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Documents runs the conformance suite for adapters.Documents. newDocs returns a
// fresh implementation for each subtest. Subtests that file documents need
// adapters.DocumentStore.
func Documents(t *testing.T, newDocs func(t *testing.T) adapters.Documents) {
	put := func(t *testing.T, d adapters.Documents, req adapters.PutDocumentRequest) adapters.Document {
		t.Helper()
		store, ok := d.(adapters.DocumentStore)
		if !ok {
			t.Skip("adapters.DocumentStore not implemented: cannot set up documents")
		}
		req.IdempotencyKey = newKey()
		doc, err := store.PutDocument(ctxFor(t), req)
		skipUnsupported(t, err, "PutDocument")
		require.NoError(t, err)
		return doc
	}

	t.Run("ListByCategory", func(t *testing.T) {
		d, ctx, tenant := newDocs(t), ctxFor(t), newTenant()
		client := newID()
		expires := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
		bill := put(t, d, adapters.PutDocumentRequest{TenantID: tenant, ClientID: client, Category: adapters.CategoryUtility, Type: "utility_bill", ContentType: "application/pdf", Content: []byte("%PDF-1")})
		pass := put(t, d, adapters.PutDocumentRequest{TenantID: tenant, ClientID: client, Category: adapters.CategoryVerification, Type: "passport", Number: "A123", Verified: true, ExpiresAt: &expires, ContentType: "image/jpeg", Content: []byte{0xff, 0xd8}})
		nid := put(t, d, adapters.PutDocumentRequest{TenantID: tenant, ClientID: client, Category: adapters.CategoryVerification, Type: "national_id", ContentType: "image/png", Content: []byte{0x89, 'P'}})
		assert.Equal(t, int64(6), bill.Size)

		util, err := d.ListDocuments(ctx, adapters.ListDocumentsRequest{TenantID: tenant, ClientID: client, Category: adapters.CategoryUtility})
		require.NoError(t, err)
		require.Len(t, util, 1)
		assert.Equal(t, bill.ID, util[0].ID)
		assert.Empty(t, util[0].Content, "lists carry no content")

		ver, err := d.ListDocuments(ctx, adapters.ListDocumentsRequest{TenantID: tenant, ClientID: client, Category: adapters.CategoryVerification})
		require.NoError(t, err)
		require.Len(t, ver, 2)
		assert.ElementsMatch(t, []string{pass.ID, nid.ID}, []string{ver[0].ID, ver[1].ID})
		for _, doc := range ver {
			if doc.ID == pass.ID {
				assert.True(t, doc.Verified)
				assert.Equal(t, "A123", doc.Number)
				require.NotNil(t, doc.ExpiresAt)
				assert.True(t, expires.Equal(*doc.ExpiresAt))
			}
		}

		none, err := d.ListDocuments(ctx, adapters.ListDocumentsRequest{TenantID: newTenant(), ClientID: client, Category: adapters.CategoryUtility})
		require.NoError(t, err)
		assert.Empty(t, none, "documents are tenant-scoped")
		_, err = d.ListDocuments(ctx, adapters.ListDocumentsRequest{TenantID: tenant, ClientID: client, Category: "selfie"})
		requireInvalidField(t, err, "category")
	})

	t.Run("Photo", func(t *testing.T) {
		d, ctx, tenant := newDocs(t), ctxFor(t), newTenant()
		client := newID()
		_, err := d.GetPhoto(ctx, tenant, client)
		requireKind(t, err, clientele.ErrNotFound)
		put(t, d, adapters.PutDocumentRequest{TenantID: tenant, ClientID: client, Category: adapters.CategoryPhoto, Type: "photo", ContentType: "image/jpeg", Content: []byte("old")})
		time.Sleep(2 * time.Millisecond)
		latest := put(t, d, adapters.PutDocumentRequest{TenantID: tenant, ClientID: client, Category: adapters.CategoryPhoto, Type: "photo", ContentType: "image/jpeg", Content: []byte("new")})
		p, err := d.GetPhoto(ctx, tenant, client)
		require.NoError(t, err)
		assert.Equal(t, latest.ID, p.ID, "the latest photo is the current one")
		assert.Equal(t, []byte("new"), p.Content)
		_, err = d.GetPhoto(ctx, newTenant(), client)
		requireKind(t, err, clientele.ErrNotFound)
	})

	t.Run("PutIdempotency", func(t *testing.T) {
		d, ctx, tenant := newDocs(t), ctxFor(t), newTenant()
		store, ok := d.(adapters.DocumentStore)
		if !ok {
			t.Skip("adapters.DocumentStore not implemented")
		}
		req := adapters.PutDocumentRequest{TenantID: tenant, ClientID: newID(), Category: adapters.CategoryUtility, Type: "bill", ContentType: "text/plain", Content: []byte("x"), IdempotencyKey: newKey()}
		first, err := store.PutDocument(ctx, req)
		skipUnsupported(t, err, "PutDocument")
		require.NoError(t, err)
		again, err := store.PutDocument(ctx, req)
		require.NoError(t, err)
		assert.Equal(t, first.ID, again.ID)
		list, err := d.ListDocuments(ctx, adapters.ListDocumentsRequest{TenantID: tenant, ClientID: req.ClientID, Category: adapters.CategoryUtility})
		require.NoError(t, err)
		assert.Len(t, list, 1, "a replay files nothing new")
		req.Content = []byte("y")
		_, err = store.PutDocument(ctx, req)
		requireKind(t, err, clientele.ErrConflict)
		req.IdempotencyKey = ""
		_, err = store.PutDocument(ctx, req)
		requireInvalidField(t, err, "idempotencyKey")
	})

	t.Run("Cancellation", func(t *testing.T) {
		d, tenant := newDocs(t), newTenant()
		_, err := d.ListDocuments(cancelled(t), adapters.ListDocumentsRequest{TenantID: tenant, ClientID: newID(), Category: adapters.CategoryUtility})
		requireCancelled(t, err)
		_, err = d.GetPhoto(cancelled(t), tenant, newID())
		requireCancelled(t, err)
	})
}

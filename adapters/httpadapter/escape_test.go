package httpadapter_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/clientele-go/clientele/adapters"
	"github.com/clientele-go/clientele/adapters/httpadapter"
	"github.com/clientele-go/clientele/adapters/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// awkwardIDs are identifiers that a client must escape segment by segment and a
// server must unescape once: a space, a slash, a percent sign, an escaped slash
// that must stay three characters, non-ASCII, a query and a fragment, and the dot
// segments a path cleaner would resolve.
var awkwardIDs = []string{"a b", "a/b", "100%", "a%2Fb", "ü-ñ", "a?b#c", "/", "..", ".", "a/../b", " lead and trail "}

// uriRecorder notes the request URI of every request before passing it on.
type uriRecorder struct {
	next http.Handler
	mu   sync.Mutex
	uris []string
}

func (u *uriRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	u.mu.Lock()
	u.uris = append(u.uris, r.RequestURI)
	u.mu.Unlock()
	u.next.ServeHTTP(w, r)
}

// TestAwkwardIDsRoundTrip: every client method that puts an ID in the path reaches
// the same record as the implementation behind the server sees, for IDs (and
// tenants) that need escaping; none of them gets a false not-found, an update never
// fails with a path/body mismatch, and no request is redirected.
func TestAwkwardIDsRoundTrip(t *testing.T) {
	for _, id := range awkwardIDs {
		t.Run(id, func(t *testing.T) {
			f := fakes{memory.NewCoreBanking(), memory.NewIdentity(), memory.NewCRM(), memory.NewDocuments(), memory.NewMessaging(), memory.NewPersistence()}
			h, err := httpadapter.NewHandler(httpadapter.Implementations{CoreBanking: f.bank, Identity: f.idp, CRM: f.crm, Documents: f.docs, Messaging: f.msgs, Persistence: f.store})
			require.NoError(t, err)
			rec := &uriRecorder{next: h}
			srv := httptest.NewServer(rec)
			t.Cleanup(srv.Close)
			// A redirect would mean the server saw another path than the client meant.
			hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			c, err := httpadapter.NewClients(srv.URL, httpadapter.WithHTTPClient(hc), httpadapter.WithRetry(0, 0, 0))
			require.NoError(t, err)
			ctx := context.Background()
			tenant := "tenant " + id
			corp := func(name string) adapters.Profile { return adapters.Profile{Type: adapters.Corporate, LegalName: name} }

			// Core banking: create, read, update, list accounts, open, block, close, deactivate.
			bc, err := c.CoreBanking.CreateClient(ctx, adapters.CreateClientRequest{TenantID: tenant, ClientID: id, Profile: corp("Acme"), IdempotencyKey: "k1"})
			require.NoError(t, err)
			assert.Equal(t, id, bc.ClientID)
			assert.Equal(t, tenant, bc.TenantID)
			_, err = f.bank.GetClient(ctx, tenant, id)
			require.NoError(t, err, "the implementation holds the client under the exact ID")
			_, err = c.CoreBanking.GetClient(ctx, tenant, id)
			require.NoError(t, err)
			_, err = c.CoreBanking.UpdateClient(ctx, adapters.UpdateClientRequest{TenantID: tenant, ClientID: id, Profile: corp("Acme 2"), IdempotencyKey: "k2"})
			require.NoError(t, err)
			acct, err := c.CoreBanking.OpenAccount(ctx, adapters.OpenAccountRequest{TenantID: tenant, ClientID: id, Type: adapters.Savings,
				OpeningBalance: adapters.Money{Currency: "KES"}, IdempotencyKey: "k3"})
			require.NoError(t, err)
			list, err := c.CoreBanking.ListAccounts(ctx, adapters.ListAccountsRequest{TenantID: tenant, ClientID: id})
			require.NoError(t, err)
			assert.Len(t, list, 1)
			_, err = c.CoreBanking.GetAccount(ctx, tenant, acct.ID)
			require.NoError(t, err)
			_, err = c.CoreBanking.SetAccountBlocks(ctx, adapters.SetAccountBlocksRequest{TenantID: tenant, ClientID: id, PostNoDebit: true, IdempotencyKey: "k4"})
			require.NoError(t, err)
			_, err = c.CoreBanking.CloseAccounts(ctx, adapters.CloseAccountsRequest{TenantID: tenant, ClientID: id, IdempotencyKey: "k5"})
			require.NoError(t, err)
			_, err = c.CoreBanking.DeactivateClient(ctx, adapters.DeactivateClientRequest{TenantID: tenant, ClientID: id, IdempotencyKey: "k6"})
			require.NoError(t, err)
			got, err := f.bank.GetClient(ctx, tenant, id)
			require.NoError(t, err)
			assert.Equal(t, adapters.StatusInactive, got.Status)
			page, err := c.CoreBanking.ListClients(ctx, adapters.ListClientsRequest{TenantID: tenant})
			require.NoError(t, err)
			require.Len(t, page.Clients, 1)
			assert.Equal(t, id, page.Clients[0].ClientID)

			// Identity.
			_, err = c.Identity.CreateUser(ctx, adapters.CreateUserRequest{TenantID: tenant, SubjectID: id, Profile: corp("Acme"), IdempotencyKey: "k1"})
			require.NoError(t, err)
			_, err = c.Identity.UpdateUser(ctx, adapters.UpdateUserRequest{TenantID: tenant, SubjectID: id, Profile: corp("Acme 2"), IdempotencyKey: "k2"})
			require.NoError(t, err)
			_, err = c.Identity.CreateDID(ctx, adapters.CreateDIDRequest{TenantID: tenant, SubjectID: id, IdempotencyKey: "k3"})
			require.NoError(t, err)
			_, err = c.Identity.DeactivateUser(ctx, adapters.DeactivateUserRequest{TenantID: tenant, SubjectID: id, IdempotencyKey: "k4"})
			require.NoError(t, err)
			u, err := c.Identity.GetUser(ctx, tenant, id)
			require.NoError(t, err)
			assert.Equal(t, adapters.StatusInactive, u.Status)
			_, err = f.idp.GetUser(ctx, tenant, id)
			require.NoError(t, err)

			// CRM.
			_, err = c.CRM.CreatePartner(ctx, adapters.CreatePartnerRequest{TenantID: tenant, ClientID: id, Profile: corp("Acme"), IdempotencyKey: "k1"})
			require.NoError(t, err)
			_, err = c.CRM.UpdatePartner(ctx, adapters.UpdatePartnerRequest{TenantID: tenant, ClientID: id, Profile: corp("Acme 2"), IdempotencyKey: "k2"})
			require.NoError(t, err)
			_, err = c.CRM.DeactivatePartner(ctx, adapters.DeactivatePartnerRequest{TenantID: tenant, ClientID: id, IdempotencyKey: "k3"})
			require.NoError(t, err)
			p, err := c.CRM.GetPartner(ctx, tenant, id)
			require.NoError(t, err)
			assert.Equal(t, "Acme 2", p.Profile.LegalName)
			_, err = f.crm.GetPartner(ctx, tenant, id)
			require.NoError(t, err)

			// Documents.
			_, err = c.Documents.PutDocument(ctx, adapters.PutDocumentRequest{TenantID: tenant, ClientID: id, Category: adapters.CategoryPhoto, Type: "photo",
				ContentType: "image/jpeg", Content: []byte("x"), IdempotencyKey: "k1"})
			require.NoError(t, err)
			_, err = c.Documents.GetPhoto(ctx, tenant, id)
			require.NoError(t, err)
			docs, err := c.Documents.ListDocuments(ctx, adapters.ListDocumentsRequest{TenantID: tenant, ClientID: id, Category: adapters.CategoryPhoto})
			require.NoError(t, err)
			assert.Len(t, docs, 1)
			_, err = f.docs.GetPhoto(ctx, tenant, id)
			require.NoError(t, err)

			// Messaging.
			_, err = c.Messaging.Send(ctx, adapters.Message{TenantID: tenant, Kind: adapters.KindWelcome, Channel: adapters.Email, Recipient: "a@example.com", IdempotencyKey: "k1"})
			require.NoError(t, err)
			require.Len(t, f.msgs.Sent(), 1)
			assert.Equal(t, tenant, f.msgs.Sent()[0].TenantID)

			// Persistence.
			d, err := c.Persistence.RegisterDevice(ctx, adapters.RegisterDeviceRequest{TenantID: tenant, ClientID: id, Name: "Phone", Platform: "ussd", IdempotencyKey: "k1"})
			require.NoError(t, err)
			devs, err := c.Persistence.ListDevices(ctx, tenant, id)
			require.NoError(t, err)
			assert.Len(t, devs, 1)
			_, err = c.Persistence.SetDeviceLock(ctx, adapters.SetDeviceLockRequest{TenantID: tenant, DeviceID: d.ID, Locked: true, IdempotencyKey: "k2"})
			require.NoError(t, err)
			_, err = c.Persistence.GetDevice(ctx, tenant, d.ID)
			require.NoError(t, err)
			fav, err := c.Persistence.ToggleFavorite(ctx, adapters.ToggleFavoriteRequest{TenantID: tenant, MemberID: id, ClientID: id, IdempotencyKey: "k3"})
			require.NoError(t, err)
			assert.True(t, fav.Starred)
			favs, err := c.Persistence.ListFavorites(ctx, tenant, id)
			require.NoError(t, err)
			require.Len(t, favs, 1)
			assert.Equal(t, id, favs[0].ClientID)
			_, err = c.Persistence.PutSettings(ctx, adapters.PutSettingsRequest{TenantID: tenant, MemberID: id, Values: map[string]string{"lang": "sw"}, IdempotencyKey: "k4"})
			require.NoError(t, err)
			st, err := c.Persistence.GetSettings(ctx, tenant, id)
			require.NoError(t, err)
			assert.Equal(t, "sw", st.Values["lang"])
			_, err = f.store.GetSettings(ctx, tenant, id)
			require.NoError(t, err)

			// On the wire, a slash inside an ID is %2F and a literal "%2F" is %252F.
			rec.mu.Lock()
			defer rec.mu.Unlock()
			for _, uri := range rec.uris {
				path, _, _ := strings.Cut(uri, "?")
				assert.NotContains(t, path, " ", "a space is escaped: %s", uri)
				assert.NotContains(t, path, "#", "a fragment mark is escaped: %s", uri)
				assert.NotContains(t, path, "/../", "no dot segment: %s", uri)
				assert.False(t, strings.HasSuffix(path, "/.."), "no dot segment: %s", uri)
			}
		})
	}
}

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/clientele-go/clientele/adapters"
	"github.com/clientele-go/clientele/adapters/adaptertest"
	"github.com/clientele-go/clientele/adapters/httpadapter"
	"github.com/stretchr/testify/require"
)

func start(t testing.TB) (*httptest.Server, *httpadapter.Clients) {
	h, err := newHandler()
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c, err := httpadapter.NewClients(srv.URL)
	require.NoError(t, err)
	return srv, c
}

// The fakes server passes the conformance suites through the HTTP clients.
func TestFakesServeAllContracts(t *testing.T) {
	adaptertest.CoreBanking(t, adaptertest.CoreBankingFixture{
		New:     func(t *testing.T) adapters.CoreBanking { _, c := start(t); return c.CoreBanking },
		Account: adaptertest.OpenAccount,
	})
	adaptertest.Messaging(t, func(t *testing.T) adapters.Messaging { _, c := start(t); return c.Messaging })
	adaptertest.Persistence(t, func(t *testing.T) adapters.Persistence { _, c := start(t); return c.Persistence })
	adaptertest.Identity(t, func(t *testing.T) adapters.Identity { _, c := start(t); return c.Identity })
	adaptertest.CRM(t, func(t *testing.T) adapters.CRM { _, c := start(t); return c.CRM })
	adaptertest.Documents(t, func(t *testing.T) adapters.Documents { _, c := start(t); return c.Documents })
}

func TestSentMessagesView(t *testing.T) {
	srv, c := start(t)
	_, err := c.Messaging.Send(context.Background(), adapters.Message{TenantID: "demo", Kind: adapters.KindOTP, Channel: adapters.SMS,
		Recipient: "+256700000001", Params: map[string]string{adapters.ParamCode: "482913"}, IdempotencyKey: "otp-1"})
	require.NoError(t, err)
	resp, err := http.Get(srv.URL + "/_fakes/messages?recipient=%2B256700000001")
	require.NoError(t, err)
	defer resp.Body.Close()
	var m adapters.Message
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&m))
	require.Equal(t, "482913", m.Params[adapters.ParamCode])
}

func TestRunStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, "127.0.0.1:0", slogDiscard()) }()
	cancel()
	require.NoError(t, <-done)
}

// A client of the fakes server, as the example server builds its adapters.
func Example() {
	h, _ := newHandler()
	srv := httptest.NewServer(h)
	defer srv.Close()
	clients, _ := httpadapter.NewClients(srv.URL) // CLIENTELE_ADAPTERS_URL in the example server
	ctx := context.Background()
	fav, _ := clients.Persistence.ToggleFavorite(ctx, adapters.ToggleFavoriteRequest{TenantID: "demo", MemberID: "m1", ClientID: "c1", IdempotencyKey: "star-1"})
	fmt.Println("starred:", fav.Starred)
	// Output: starred: true
}

package httpadapter_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/adapters"
	"github.com/clientele-go/clientele/adapters/httpadapter"
	"github.com/clientele-go/clientele/adapters/memory"
)

// One server for all six contracts over the memory fakes, and its clients. The
// clients implement the adapters interfaces; error kinds survive the trip.
func ExampleNewClients() {
	bank := memory.NewCoreBanking()
	h, _ := httpadapter.NewHandler(httpadapter.Implementations{CoreBanking: bank, Messaging: memory.NewMessaging()})
	srv := httptest.NewServer(h)
	defer srv.Close()

	clients, _ := httpadapter.NewClients(srv.URL)
	var cb adapters.CoreBanking = clients.CoreBanking
	ctx := context.Background()
	_, err := cb.GetClient(ctx, "acme", "nobody")
	fmt.Println("not found:", errors.Is(err, clientele.ErrNotFound))

	c, _ := cb.CreateClient(ctx, adapters.CreateClientRequest{TenantID: "acme", ClientID: "c1",
		Profile: adapters.Profile{Type: adapters.Corporate, LegalName: "Acme Traders"}, IdempotencyKey: "create-c1"})
	fmt.Println(c.Profile.DisplayName(), c.Status)

	_, err = clients.Messaging.Send(ctx, adapters.Message{TenantID: "acme", Kind: adapters.KindWelcome,
		Channel: adapters.SMS, Recipient: "not-a-phone", IdempotencyKey: "w1"})
	var ve *clientele.ValidationError
	fmt.Println("invalid:", errors.As(err, &ve), ve.Problems[0].Field)
	// Output:
	// not found: true
	// Acme Traders active
	// invalid: true recipient
}

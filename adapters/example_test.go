package adapters_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/adapters"
	"github.com/clientele-go/clientele/adapters/memory"
)

// Every request validates itself; implementations report the failing fields by
// their JSON names.
func ExampleTransferRequest_Validate() {
	err := adapters.TransferRequest{TenantID: "acme", FromAccountID: "a", ToAccountID: "a",
		Amount: adapters.Money{Amount: 0, Currency: "KES"}}.Validate()
	var ve *clientele.ValidationError
	if errors.As(err, &ve) {
		for _, p := range ve.Problems {
			fmt.Println(p.Field, p.Rule)
		}
	}
	// Output:
	// toAccountId nefield
	// amount.amount gt
	// idempotencyKey required
}

// A device transfer: the caller generates the one-time token, sends it by
// Messaging and hands the Persistence worker only its hash.
func ExampleDevices() {
	ctx := context.Background()
	var p adapters.Persistence = memory.NewPersistence()
	d, _ := p.RegisterDevice(ctx, adapters.RegisterDeviceRequest{TenantID: "acme", ClientID: "old-owner", Name: "Pixel", IdempotencyKey: "reg-1"})
	tr, _ := p.InitiateDeviceTransfer(ctx, adapters.InitiateDeviceTransferRequest{TenantID: "acme", DeviceID: d.ID,
		ToClientID: "new-owner", TokenHash: adapters.HashToken("739251"), IdempotencyKey: "dt-1"})
	_, err := p.ConfirmDeviceTransfer(ctx, adapters.ConfirmDeviceTransferRequest{TenantID: "acme", TransferID: tr.ID, Token: "000000", IdempotencyKey: "c-1"})
	fmt.Println("wrong token:", errors.Is(err, clientele.ErrForbidden))
	moved, _ := p.ConfirmDeviceTransfer(ctx, adapters.ConfirmDeviceTransferRequest{TenantID: "acme", TransferID: tr.ID, Token: "739251", IdempotencyKey: "c-2"})
	fmt.Println("owner:", moved.ClientID)
	// Output:
	// wrong token: true
	// owner: new-owner
}

package clients_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/clientele-go/clientele/adapters"
	"github.com/clientele-go/clientele/adapters/memory"
	"github.com/clientele-go/clientele/authz"
	"github.com/clientele-go/clientele/clients"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/tenants"
)

// ExampleService_ConfirmTransfer moves a device to another client: the
// one-time token reaches the device's client through Messaging (here the
// memory fake), and confirming with it moves the device at the Persistence
// adapter. A wrong token costs one of the transfer's five attempts.
func ExampleService_ConfirmTransfer() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "devices-example")
	defer os.RemoveAll(dir)
	db, err := storage.Open(ctx, "sqlite://"+filepath.Join(dir, "app.db"))
	if err != nil {
		panic(err)
	}
	defer db.Close()
	checksOff := false // onboarding checks are another example's subject
	_ = db.Tenants().Create(ctx, tenants.Tenant{
		ID: "bank", Name: "Example Bank", Preset: authz.PresetRetailEngine,
		Apps:     map[authz.App]authz.AppState{authz.AppRetail: authz.AppActive},
		Settings: tenants.Settings{RequireVerifiedOnboarding: &checksOff},
	})
	az, _ := authz.New(db.Authz(), db.Authz())
	devices, messages := memory.NewPersistence(), memory.NewMessaging()
	svc, _ := clients.New(db.Clients(), az, clients.WithTenants(db.Tenants()),
		clients.WithAdapters(clients.Adapters{Persistence: devices, Messaging: messages}))
	d, _ := db.NewDispatcher(svc.DeviceHandlers(), storage.WithPolling(10*time.Millisecond, time.Millisecond))
	_ = d.Start(ctx)
	defer d.Stop(ctx)

	admin := authz.Principal{TenantID: "bank", UserID: "u1", Kind: authz.Backoffice, Roles: []string{authz.RetailAdministrator}}
	onboard := func(ref, first, phone string) clients.Client {
		c, err := svc.Create(ctx, admin, clients.CreateInput{Reference: ref, Type: clients.Individual, Profile: clients.Profile{
			OfficeID:   "nairobi",
			Individual: &clients.Person{FirstName: first, LastName: "Otieno", DateOfBirth: "1990-04-12", NationalID: ref},
			Contact:    clients.ContactInfo{Phone: phone},
		}}, "")
		if err != nil {
			panic(err)
		}
		c, _ = svc.Transition(ctx, admin, c.Reference, clients.Active, c.Version)
		return c
	}
	amina, baraka := onboard("AMINA-1", "Amina", "+254712345678"), onboard("BARAKA-1", "Baraka", "+254712345679")
	phone, _ := devices.RegisterDevice(ctx, adapters.RegisterDeviceRequest{TenantID: "bank", ClientID: amina.ID, Name: "Phone", IdempotencyKey: "reg-1"})

	t, err := svc.InitiateTransfer(ctx, admin, clients.TransferInput{
		DeviceInput: clients.DeviceInput{Reference: "AMINA-1", DeviceID: phone.ID}, ToReference: "BARAKA-1"})
	fmt.Println(t.Status, err)
	var token string
	for token == "" { // the dispatcher sends the token to Amina's phone
		if m, ok := messages.Last("+254712345678"); ok {
			token = m.Params[adapters.ParamToken]
		}
		time.Sleep(5 * time.Millisecond)
	}

	_, err = svc.ConfirmTransfer(ctx, admin, clients.ConfirmTransferInput{TransferID: t.ID, Token: "a guess"})
	fmt.Println(errors.Is(err, clients.ErrInvalidTransferToken))
	t, err = svc.ConfirmTransfer(ctx, admin, clients.ConfirmTransferInput{TransferID: t.ID, Token: token})
	fmt.Println(t.Status, err)
	for {
		if ds, _ := svc.ListDevices(ctx, admin, "BARAKA-1"); len(ds) == 1 {
			fmt.Println("moved to", ds[0].ClientID == baraka.ID)
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	// Output:
	// pending <nil>
	// true
	// confirmed <nil>
	// moved to true
}

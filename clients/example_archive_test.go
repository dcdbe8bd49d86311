package clients_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/clientele-go/clientele/adapters"
	"github.com/clientele-go/clientele/adapters/memory"
	"github.com/clientele-go/clientele/authz"
	"github.com/clientele-go/clientele/clients"
	"github.com/clientele-go/clientele/outbox"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/tenants"
)

// ExampleService_Archive archives a client with savings on the memory fakes:
// the request commits the state archiving, the dispatcher runs the saga's
// steps, and the savings end at the tenant's settlement account.
func ExampleService_Archive() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "clientele-example")
	defer os.RemoveAll(dir)
	db, err := storage.Open(ctx, "sqlite://"+filepath.Join(dir, "bank.db"))
	if err != nil {
		panic(err)
	}
	defer db.Close()

	// Core banking holds the bank's settlement account.
	bank := memory.NewCoreBanking()
	_, _ = bank.CreateClient(ctx, adapters.CreateClientRequest{TenantID: "bank", ClientID: "the-bank",
		Profile: adapters.Profile{Type: adapters.Corporate, LegalName: "Example Bank", Reference: "BANK"}, IdempotencyKey: "b"})
	settle, _ := bank.OpenAccount(ctx, adapters.OpenAccountRequest{TenantID: "bank", ClientID: "the-bank",
		Type: adapters.Savings, OpeningBalance: adapters.Money{Currency: "KES"}, IdempotencyKey: "s"})
	_ = db.Tenants().Create(ctx, tenants.Tenant{
		ID: "bank", Name: "Example Bank", Preset: authz.PresetRetailEngine,
		Apps:     map[authz.App]authz.AppState{authz.AppRetail: authz.AppActive},
		Settings: tenants.Settings{SettlementAccount: settle.ID},
	})

	ad := clients.Adapters{CoreBanking: bank, Identity: memory.NewIdentity(), CRM: memory.NewCRM(), Messaging: memory.NewMessaging()}
	az, _ := authz.New(db.Authz(), db.Authz())
	svc, _ := clients.New(db.Clients(), az, clients.WithAdapters(ad), clients.WithTenants(db.Tenants()))
	archive, err := clients.ArchiveHandlers(clients.ArchiveDeps{Store: db.Clients(), Adapters: ad, Tenants: db.Tenants()})
	if err != nil {
		panic(err)
	}
	d, _ := db.NewDispatcher(outbox.Merge(clients.SyncHandlers(db.Clients(), ad), archive))
	_ = d.Start(ctx)
	defer func() { _ = d.Stop(ctx) }()

	admin := authz.Principal{TenantID: "bank", UserID: "u1", Kind: authz.Backoffice, Roles: []string{authz.RetailAdministrator}}
	c, err := svc.Create(ctx, admin, clients.CreateInput{
		Reference: "AMINA-1", Type: clients.Individual,
		Profile: clients.Profile{OfficeID: "nairobi",
			Individual: &clients.Person{FirstName: "Amina", LastName: "Otieno", DateOfBirth: "1990-04-12", NationalID: "29384756"},
			Contact:    clients.ContactInfo{Email: "amina@example.com"}},
	}, "")
	if err != nil {
		panic(err)
	}
	waitFor := func(done func(clients.Client) bool) clients.Client {
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(5 * time.Millisecond) {
			got, err := svc.Get(ctx, admin, c.Reference)
			if err != nil {
				panic(err)
			}
			if done(got) || time.Now().After(deadline) {
				return got
			}
		}
	}
	// The client reaches core banking, which opens a savings account for it.
	waitFor(func(c clients.Client) bool { return c.Sync[outbox.CoreBanking].Status == outbox.Delivered })
	_, _ = bank.OpenAccount(ctx, adapters.OpenAccountRequest{TenantID: "bank", ClientID: c.ID,
		Type: adapters.Savings, OpeningBalance: adapters.Money{Amount: 250_00, Currency: "KES"}, IdempotencyKey: "a1"})

	c, err = svc.Archive(ctx, admin, c.Reference, clients.ArchiveInput{Version: c.Version})
	if err != nil {
		panic(err)
	}
	fmt.Println(c.State, c.Archive.Step)

	c = waitFor(func(c clients.Client) bool { return c.State == clients.Archived })
	fmt.Println(c.State, c.Archive.Step)
	s, _ := bank.GetAccount(ctx, "bank", settle.ID)
	fmt.Println(s.Balance)
	// Output:
	// archiving block
	// archived done
	// 25000 KES
}

package clients_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/adapters"
	"github.com/clientele-go/clientele/adapters/memory"
	"github.com/clientele-go/clientele/authz"
	"github.com/clientele-go/clientele/clients"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/tenants"
)

// ExampleService_Details reads a client with what core banking, the document
// processor and the CRM hold about it; the CRM is down, so its part is missing
// and the call still answers. Then the client's accounts (CL006) and a star
// (CL008) that the filter starred:true lists.
func ExampleService_Details() {
	ctx := context.Background()
	db, err := storage.Open(ctx, "sqlite://:memory:")
	if err != nil {
		panic(err)
	}
	defer db.Close()
	_ = db.Tenants().Create(ctx, tenants.Tenant{
		ID: "bank", Name: "Example Bank", Preset: authz.PresetRetailEngine,
		Apps: map[authz.App]authz.AppState{authz.AppRetail: authz.AppActive},
	})
	az, _ := authz.New(db.Authz(), db.Authz())
	bank, crm := memory.NewCoreBanking(), memory.NewCRM()
	svc, _ := clients.New(db.Clients(), az, clients.WithAdapters(clients.Adapters{
		CoreBanking: bank, Documents: memory.NewDocuments(), CRM: crm,
	}))
	admin := authz.Principal{TenantID: "bank", UserID: "u1", Kind: authz.Backoffice, Roles: []string{authz.RetailAdministrator}}
	c, err := svc.Create(ctx, admin, clients.CreateInput{
		Reference: "AMINA-1", Type: clients.Individual,
		Profile: clients.Profile{OfficeID: "nairobi", Individual: &clients.Person{
			FirstName: "Amina", LastName: "Otieno", DateOfBirth: "1990-04-12", NationalID: "29384756",
		}},
	}, "")
	if err != nil {
		panic(err)
	}
	// What the outbox would have pushed: the client at core banking, with a
	// savings account.
	_, _ = bank.CreateClient(ctx, adapters.CreateClientRequest{TenantID: "bank", ClientID: c.ID, Profile: c.AdapterProfile(), IdempotencyKey: "k1"})
	_, _ = bank.OpenAccount(ctx, adapters.OpenAccountRequest{TenantID: "bank", ClientID: c.ID, Type: adapters.Savings,
		OpeningBalance: adapters.Money{Amount: 150000, Currency: "KES"}, IdempotencyKey: "k2"})
	crm.Faults().FailAll(clientele.ErrUnavailable)

	d, err := svc.Details(ctx, admin, "AMINA-1")
	fmt.Println(err, d.DisplayName, d.CoreBanking.Profile.Reference, len(d.Documents), d.Missing)

	accts, _ := svc.Accounts(ctx, admin, "AMINA-1")
	fmt.Println(len(accts.Savings), accts.Savings[0].Balance.Amount, accts.Savings[0].Balance.Currency)
	bank.Faults().FailAll(clientele.ErrUnavailable)
	_, err = svc.Accounts(ctx, admin, "AMINA-1")
	fmt.Println(errors.Is(err, clientele.ErrUnavailable))

	f, _ := svc.ToggleStar(ctx, admin, "AMINA-1")
	page, _ := svc.List(ctx, admin, clients.ListRequest{Filter: "starred:true"})
	fmt.Println(f.Starred, len(page.Clients))
	// Output:
	// <nil> Amina Otieno AMINA-1 0 [{crm unavailable}]
	// 1 150000 KES
	// true
	// true 1
}

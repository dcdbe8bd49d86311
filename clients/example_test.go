package clients_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/authz"
	"github.com/clientele-go/clientele/clients"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/tenants"
)

// Example shows onboarding, an update with optimistic locking and a search, on
// embedded SQLite with the Retail Engine catalogue. The tenant lets clients be
// activated before their onboarding checks pass (ExampleVerificationHandlers
// shows the checks).
func Example() {
	ctx := context.Background()
	db, err := storage.Open(ctx, "sqlite://:memory:")
	if err != nil {
		panic(err)
	}
	defer db.Close()
	checksOff := false
	_ = db.Tenants().Create(ctx, tenants.Tenant{
		ID: "bank", Name: "Example Bank", Preset: authz.PresetRetailEngine,
		Apps:     map[authz.App]authz.AppState{authz.AppRetail: authz.AppActive},
		Settings: tenants.Settings{RequireVerifiedOnboarding: &checksOff},
	})
	az, _ := authz.New(db.Authz(), db.Authz())
	svc, _ := clients.New(db.Clients(), az, clients.WithTenants(db.Tenants()))
	admin := authz.Principal{TenantID: "bank", UserID: "u1", Kind: authz.Backoffice, Roles: []string{authz.RetailAdministrator}}

	c, err := svc.Create(ctx, admin, clients.CreateInput{
		Reference: "AMINA-1",
		Type:      clients.Individual,
		Profile: clients.Profile{
			OfficeID: "nairobi",
			Individual: &clients.Person{
				FirstName: "Amina", LastName: "Otieno", DateOfBirth: "1990-04-12", NationalID: "29384756",
			},
			Contact: clients.ContactInfo{Phone: "+254712345678"},
		},
	}, "onboard-amina")
	if err != nil {
		panic(err)
	}
	fmt.Println(c.Reference, c.State, c.Version)

	c, _ = svc.Transition(ctx, admin, c.Reference, clients.Active, c.Version)
	fmt.Println(c.State, c.Version)

	_, err = svc.Transition(ctx, admin, c.Reference, clients.Suspended, 1) // stale version
	fmt.Println(errors.Is(err, clientele.ErrConflict))

	page, _ := svc.List(ctx, admin, clients.ListRequest{Filter: "status:active name~amina"})
	fmt.Println(len(page.Clients), page.Clients[0].DisplayName)

	helpdesk := authz.Principal{TenantID: "bank", UserID: "u2", Kind: authz.Backoffice, Roles: []string{authz.RetailHelpdeskOfficer}}
	_, err = svc.Create(ctx, helpdesk, clients.CreateInput{}, "")
	fmt.Println(errors.Is(err, clientele.ErrForbidden))
	// Output:
	// AMINA-1 pending 1
	// active 2
	// true
	// 1 Amina Otieno
	// true
}

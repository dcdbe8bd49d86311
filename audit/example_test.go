package audit_test

import (
	"context"
	"fmt"

	"github.com/clientele-go/clientele/authz"
	"github.com/clientele-go/clientele/clients"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/tenants"
)

// Example reads the audit entries a change wrote in its own transaction: who
// did what to which entity, and which fields it touched.
func Example() {
	ctx := context.Background()
	db, err := storage.Open(ctx, "sqlite://:memory:")
	if err != nil {
		panic(err)
	}
	defer db.Close()
	_ = db.Tenants().Create(ctx, tenants.Tenant{ID: "bank", Name: "Example Bank", Preset: authz.PresetRetailEngine,
		Apps: map[authz.App]authz.AppState{authz.AppRetail: authz.AppActive}})
	az, _ := authz.New(db.Authz(), db.Authz())
	svc, _ := clients.New(db.Clients(), az)
	admin := authz.Principal{TenantID: "bank", UserID: "u1", Kind: authz.Backoffice, Roles: []string{authz.RetailAdministrator}}
	c, err := svc.Create(ctx, admin, clients.CreateInput{Type: clients.Individual, Profile: clients.Profile{
		OfficeID:   "nairobi",
		Individual: &clients.Person{FirstName: "Amina", LastName: "Otieno", DateOfBirth: "1990-04-12", NationalID: "29384756"},
	}}, "")
	if err != nil {
		panic(err)
	}
	entries, _ := db.AuditLog(ctx, "bank", "client", c.ID, 10)
	for _, e := range entries {
		fmt.Println(e.Actor, e.Operation, e.EntityType, len(e.Changed) > 0)
	}
	// Output:
	// u1 CL003 client true
}

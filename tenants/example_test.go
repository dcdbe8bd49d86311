package tenants_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/adapters/memory"
	"github.com/clientele-go/clientele/authz"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/tenants"
	"github.com/clientele-go/clientele/users"
)

func ExampleTenant_Validate() {
	t := tenants.Tenant{
		ID: "acme-mfi", Name: "Acme Microfinance", Preset: "retail",
		Apps:         map[authz.App]authz.AppState{authz.AppRetail: authz.AppActive, authz.AppBackoffice: "paused"},
		ClientPortal: true,
	}
	err := t.Validate()
	fmt.Println(errors.Is(err, clientele.ErrInvalid))
	fmt.Println(err)
	// Output:
	// true
	// invalid input: preset: must be backoffice-platform or retail-engine, not "retail"; apps.backoffice: must be active or inactive
}

// Example sets up the deployment's operator tenant and its node operator, then
// the node operator creates a bank and switches its retail subscription off:
// the bank's staff are refused at once.
func Example() {
	ctx := context.Background()
	db, err := storage.Open(ctx, "sqlite://:memory:")
	if err != nil {
		panic(err)
	}
	defer db.Close()

	// Setup code (no principal yet): the operator tenant and its node operator.
	err = db.Tenants().Create(ctx, tenants.Tenant{ID: "node", Name: "Node Operations", Preset: authz.PresetBackofficePlatform,
		Apps: map[authz.App]authz.AppState{authz.AppBackoffice: authz.AppActive}})
	if err != nil {
		panic(err)
	}
	az, _ := authz.New(db.Authz(), db.Authz())
	us, _ := users.New(db.Users(), az, az, db.Clients(), db.Associates(), memory.NewMessaging(), memory.NewIdentity(), users.WithHashing(users.InsecureTestHashing()))
	op, err := us.Bootstrap(ctx, "node", users.NodeOperatorInput{Email: "ops@node.example", Name: "Operator", Password: "correct horse battery"})
	if err != nil {
		panic(err)
	}
	operator := authz.Principal{TenantID: "node", UserID: op.ID, Kind: authz.Backoffice}

	// The service invalidates the authorizer's cache of a tenant it changes.
	svc, _ := tenants.New(db.Tenants(), "node", tenants.WithAuthorizer(az))
	_, err = svc.Create(ctx, operator, tenants.Tenant{ID: "bank", Name: "Example Bank", Preset: "retail"})
	fmt.Println("unknown preset:", errors.Is(err, clientele.ErrInvalid))

	bank, err := svc.Create(ctx, operator, tenants.Tenant{ID: "bank", Name: "Example Bank", Preset: authz.PresetRetailEngine,
		Apps: map[authz.App]authz.AppState{authz.AppRetail: authz.AppActive}})
	fmt.Println(bank.ID, bank.Version, err)

	teller := authz.Principal{TenantID: "bank", UserID: "u1", Kind: authz.Backoffice, Roles: []string{"RP001"}}
	fmt.Println("list clients:", az.Authorize(ctx, teller, authz.OpListClients, authz.Resource{}) == nil)

	bank, err = svc.Update(ctx, operator, "bank", tenants.Change{Version: bank.Version,
		Apps: map[authz.App]authz.AppState{authz.AppRetail: authz.AppInactive}})
	fmt.Println(bank.Apps[authz.AppRetail], bank.Version, err)
	fmt.Println("list clients:", az.Authorize(ctx, teller, authz.OpListClients, authz.Resource{}) == nil)

	_, err = svc.Update(ctx, operator, "bank", tenants.Change{Version: 1, ClientPortal: new(true)})
	fmt.Println("stale version:", errors.Is(err, clientele.ErrConflict))

	log, _ := db.AuditLog(ctx, "bank", tenants.AuditEntity, "bank", 10)
	for _, e := range log {
		fmt.Println(e.Operation, e.Changed)
	}
	// Output:
	// unknown preset: true
	// bank 1 <nil>
	// list clients: true
	// inactive 2 <nil>
	// list clients: false
	// stale version: true
	// TN003 [name preset clientPortal apps.retail]
	// TN004 [apps.retail]
}

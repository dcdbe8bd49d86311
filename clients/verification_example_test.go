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
	"github.com/clientele-go/clientele/clients/watchlist"
	"github.com/clientele-go/clientele/outbox"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/tenants"
)

// ExampleVerificationHandlers runs the onboarding checks of a new client on
// the memory fakes: the dispatcher delivers them, the results are recorded on
// the client, and activation is refused while one has not passed.
func ExampleVerificationHandlers() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "clientele-example")
	defer os.RemoveAll(dir)
	db, err := storage.Open(ctx, "sqlite://"+filepath.Join(dir, "example.db"))
	if err != nil {
		panic(err)
	}
	defer db.Close()
	_ = db.Tenants().Create(ctx, tenants.Tenant{ID: "bank", Name: "Example Bank", Preset: authz.PresetRetailEngine,
		Apps: map[authz.App]authz.AppState{authz.AppRetail: authz.AppActive}})
	az, _ := authz.New(db.Authz(), db.Authz())
	svc, _ := clients.New(db.Clients(), az, clients.WithTenants(db.Tenants()))

	docs := memory.NewDocuments()
	a := clients.Adapters{Identity: memory.NewIdentity(), Documents: docs}
	list := watchlist.New(watchlist.Entry{List: "UN sanctions", Name: "Viktor Bout"})
	d, _ := db.NewDispatcher(outbox.Merge(clients.SyncHandlers(db.Clients(), a), clients.VerificationHandlers(db.Clients(), a, list)),
		storage.WithPolling(5*time.Millisecond, time.Millisecond))

	admin := authz.Principal{TenantID: "bank", UserID: "u1", Kind: authz.Backoffice, Roles: []string{authz.RetailAdministrator}}
	c, err := svc.Create(ctx, admin, clients.CreateInput{Type: clients.Individual, Profile: clients.Profile{
		OfficeID:   "nairobi",
		Individual: &clients.Person{FirstName: "Amina", LastName: "Otieno", DateOfBirth: "1990-04-12", NationalID: "29384756"},
	}}, "")
	if err != nil {
		panic(err)
	}
	// The client's ID card, filed with the document processor.
	_, _ = docs.PutDocument(ctx, adapters.PutDocumentRequest{TenantID: "bank", ClientID: c.ID, Category: adapters.CategoryVerification,
		Type: "national_id", ContentType: "image/png", Verified: true, Content: []byte("…"), IdempotencyKey: "doc-1"})
	_ = d.Start(ctx)
	defer d.Stop(ctx)

	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if c, _ = svc.Get(ctx, admin, c.Reference); c.Verification.Passed() {
			break
		}
	}
	for _, ch := range clients.Checks() {
		fmt.Println(ch, c.Verification.Result(ch).Status)
	}
	c, err = svc.Transition(ctx, admin, c.Reference, clients.Active, c.Version)
	fmt.Println(c.State, err)

	// A listed name fails screening: activation is refused, naming it.
	v, _ := svc.Create(ctx, admin, clients.CreateInput{Type: clients.Individual, Profile: clients.Profile{
		OfficeID:   "nairobi",
		Individual: &clients.Person{FirstName: "Viktor", LastName: "Bout", DateOfBirth: "1967-01-13", NationalID: "1"},
	}}, "")
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if v, _ = svc.Get(ctx, admin, v.Reference); v.Verification.Screening.Status != clients.CheckPending {
			break
		}
	}
	_, err = svc.Transition(ctx, admin, v.Reference, clients.Active, v.Version)
	var ve *clients.VerificationError
	if errors.As(err, &ve) {
		fmt.Println(ve.Missing[len(ve.Missing)-1])
	}
	// Output:
	// identity passed
	// documents passed
	// screening passed
	// active <nil>
	// screening check failed: UN sanctions: Viktor Bout
}

package storage_test

import (
	"context"
	"fmt"

	"github.com/clientele-go/clientele/authz"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/tenants"
)

// ExampleOpen opens the embedded default, which needs no database server.
func ExampleOpen() {
	ctx := context.Background()
	db, err := storage.Open(ctx, "sqlite://:memory:")
	if err != nil {
		panic(err)
	}
	defer db.Close()
	// A tenant is built on one of the two presets and subscribes to apps; the
	// Retail Engine preset's policy P_RE_001 needs apps.retail active.
	err = db.Tenants().Create(ctx, tenants.Tenant{
		ID: "bank", Name: "Example Bank", Preset: authz.PresetRetailEngine,
		Apps: map[authz.App]authz.AppState{authz.AppRetail: authz.AppActive},
	})
	fmt.Println(db.Dialect(), err)
	t, _ := db.Tenants().Get(ctx, "bank")
	fmt.Println(t.Name)
	// Output:
	// sqlite <nil>
	// Example Bank
}

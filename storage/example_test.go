package storage_test

import (
	"context"
	"fmt"

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
	err = db.Tenants().Create(ctx, tenants.Tenant{ID: "bank", Name: "Example Bank", Preset: "retail-engine"})
	fmt.Println(db.Dialect(), err)
	t, _ := db.Tenants().Get(ctx, "bank")
	fmt.Println(t.Name)
	// Output:
	// sqlite <nil>
	// Example Bank
}

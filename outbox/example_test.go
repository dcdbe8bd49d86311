package outbox_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/clientele-go/clientele/outbox"
	"github.com/clientele-go/clientele/storage"
)

// Example declares an effect, commits it, and lets the dispatcher deliver it
// to its handler. Library services declare their effects the same way (a
// client's create implies CC001, IU001 and HP001); an app may declare its own.
func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "outbox-example")
	defer os.RemoveAll(dir)
	db, err := storage.Open(ctx, "sqlite://"+filepath.Join(dir, "app.db"))
	if err != nil {
		panic(err)
	}
	defer db.Close()

	delivered := make(chan string)
	welcome := outbox.HandlerFunc(func(ctx context.Context, d outbox.Delivery) (outbox.Progress, error) {
		// Call the adapter here, sending d.Key as its idempotency key.
		delivered <- d.Entity.ID + " under key " + d.Key
		return outbox.Progress{Created: true}, nil
	})
	d, err := db.NewDispatcher(outbox.Handlers{"WELCOME": welcome})
	if err != nil {
		panic(err)
	}
	if err := d.Start(ctx); err != nil {
		panic(err)
	}
	defer d.Stop(ctx)

	err = db.Enqueue(ctx, outbox.Effect{
		TenantID: "bank", Op: "WELCOME", Target: outbox.Messaging,
		Entity: outbox.Entity{Kind: "client", ID: "C7K2M9P4Q"}, Key: "welcome:C7K2M9P4Q",
	})
	fmt.Println(err)
	fmt.Println(<-delivered)
	// Output:
	// <nil>
	// C7K2M9P4Q under key welcome:C7K2M9P4Q
}

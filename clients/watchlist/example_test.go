package watchlist_test

import (
	"context"
	"fmt"

	"github.com/clientele-go/clientele/adapters"
	"github.com/clientele-go/clientele/clients"
	"github.com/clientele-go/clientele/clients/watchlist"
)

// Example screens two clients against a list matched by name and by number.
func Example() {
	list := watchlist.New(
		watchlist.Entry{List: "UN sanctions", Name: "Viktor Bout"},
		watchlist.Entry{List: "PEP", Number: "A1234567"},
	)
	ctx := context.Background()
	for _, p := range []adapters.Profile{
		{FirstName: "viktor", LastName: "BOUT"},
		{FirstName: "Amina", LastName: "Otieno", NationalID: "A1234567"},
		{LegalName: "Acme Ltd", RegistrationNumber: "C-1"},
	} {
		r, err := list.Screen(ctx, clients.ScreeningRequest{TenantID: "bank", ClientID: "c1", Profile: p, IdempotencyKey: "k"})
		fmt.Println(r.Hit, r.Reason, err)
	}
	// Output:
	// true UN sanctions: Viktor Bout <nil>
	// true PEP: number A1234567 <nil>
	// false  <nil>
}

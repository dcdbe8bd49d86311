package tenants_test

import (
	"errors"
	"fmt"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/tenants"
)

func ExampleTenant_Validate() {
	t := tenants.Tenant{
		ID: "acme-mfi", Name: "Acme Microfinance", Preset: "retail-engine",
		Apps:         map[tenants.App]tenants.AppState{tenants.Retail: tenants.AppActive, tenants.Backoffice: "paused"},
		ClientPortal: true,
	}
	err := t.Validate()
	fmt.Println(errors.Is(err, clientele.ErrInvalid))
	fmt.Println(err)
	// Output:
	// true
	// invalid input: apps.backoffice: must be active or inactive
}

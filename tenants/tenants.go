package tenants

import (
	"fmt"
	"time"

	"github.com/clientele-go/clientele"
)

// App is a product a tenant subscribes to; policies test its state
// (org.apps.retail eq active).
type App string

// The apps of the seeds.
const (
	Backoffice App = "backoffice"
	Retail     App = "retail"
)

// AppState is a subscription state.
type AppState string

// Subscription states.
const (
	AppActive   AppState = "active"
	AppInactive AppState = "inactive"
)

// Tenant is one institution.
type Tenant struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Preset names the authorization catalogue the tenant started from.
	Preset string `json:"preset"`
	// Apps holds the tenant's subscriptions.
	Apps map[App]AppState `json:"apps"`
	// ClientPortal is the organisation-wide switch of the client self-service portal
	// (seed 000: c_configuration client_portal).
	ClientPortal bool `json:"clientPortal"`
	// Settings are tenant-level settings, such as the settlement account that takes
	// balances of archived clients.
	Settings  Settings  `json:"settings"`
	CreatedAt time.Time `json:"createdAt"`
}

// Settings are a tenant's configuration values.
type Settings struct {
	SettlementAccount string `json:"settlementAccount,omitempty"`
}

// Validate checks a tenant before it is stored.
func (t Tenant) Validate() error {
	verr := &clientele.ValidationError{}
	if t.ID == "" || len(t.ID) > 64 {
		verr.Add("id", "required", "is required, at most 64 characters")
	}
	if t.Name == "" || len(t.Name) > 200 {
		verr.Add("name", "required", "is required, at most 200 characters")
	}
	for app, st := range t.Apps {
		if st != AppActive && st != AppInactive {
			verr.Add(fmt.Sprintf("apps.%s", app), "oneof", "must be active or inactive")
		}
	}
	return verr.OrNil()
}

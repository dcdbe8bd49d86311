package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/authz"
	"github.com/clientele-go/clientele/tenants"
)

// demoTenant is the tenant the example server creates on first start.
const demoTenant = "demo"

// seedDemo creates the demo tenant (Retail Engine preset, both apps active) unless
// it exists, and returns how to call the server as its administrator.
func (a *app) seedDemo(ctx context.Context) (string, error) {
	err := a.db.Tenants().Create(ctx, tenants.Tenant{
		ID: demoTenant, Name: "Demo Microfinance", Preset: authz.PresetRetailEngine,
		Apps:         map[tenants.App]tenants.AppState{tenants.Backoffice: tenants.AppActive, tenants.Retail: tenants.AppActive},
		ClientPortal: true,
		CreatedAt:    time.Now().UTC(),
	})
	if err != nil && !errors.Is(err, clientele.ErrConflict) {
		return "", err
	}
	return fmt.Sprintf(`demo tenant %q (Retail Engine preset). Call it as its administrator (DEVELOPMENT headers):
  curl -H '%s: %s' -H '%s: admin' -H '%s: RP001,RA001' http://ADDR/clients/profile
`, demoTenant, devHeaderTenant, demoTenant, devHeaderUser, devHeaderRoles), nil
}

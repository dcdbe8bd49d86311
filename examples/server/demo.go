package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/authz"
	"github.com/clientele-go/clientele/tenants"
	"github.com/clientele-go/clientele/users"
)

// The demo tenant the example server sets up on first start, and its node
// operator (super-admin).
const (
	demoTenant      = "demo"
	demoAdminEmail  = "admin@demo.example"
	defaultDemoPass = "demo-admin-password" // override with CLIENTELE_DEMO_PASSWORD
)

// seedDemo creates the demo tenant (Retail Engine preset, both apps active, portal
// on) and its node operator with the demo password, unless they exist, and returns
// how to log in to the API served at base.
func (a *app) seedDemo(ctx context.Context, base string) (string, error) {
	err := a.db.Tenants().Create(ctx, tenants.Tenant{
		ID: demoTenant, Name: "Demo Microfinance", Preset: authz.PresetRetailEngine,
		Apps:         map[authz.App]authz.AppState{authz.AppBackoffice: authz.AppActive, authz.AppRetail: authz.AppActive},
		ClientPortal: true,
		CreatedAt:    time.Now().UTC(),
	})
	if err != nil && !errors.Is(err, clientele.ErrConflict) {
		return "", err
	}
	_, err = a.services.Users.Bootstrap(ctx, demoTenant, users.NodeOperatorInput{
		Email:    demoAdminEmail,
		Name:     "Demo Operator",
		Roles:    []string{"RP001", authz.RoleSecurityAdmin, authz.RoleKYCOfficer},
		Password: a.cfg.demoPassword,
	})
	if err != nil {
		return "", fmt.Errorf("demo node operator: %w", err)
	}
	return fmt.Sprintf(`demo tenant %q (Retail Engine preset); node operator %s. Log in:
  curl -s -H 'Content-Type: application/json' -d '{"tenantId":"%s","email":"%s","password":"%s"}' %s/auth/login
and send the returned token as "Authorization: Bearer <token>".
`, demoTenant, demoAdminEmail, demoTenant, demoAdminEmail, a.cfg.demoPassword, base), nil
}

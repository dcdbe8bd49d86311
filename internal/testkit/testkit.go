package testkit

import (
	"context"
	"sync"
	"time"

	"github.com/clientele-go/clientele/adapters"
	"github.com/clientele-go/clientele/audit"
	"github.com/clientele-go/clientele/authz"
	"github.com/clientele-go/clientele/clients"
	"github.com/clientele-go/clientele/tenants"
)

// AllowAll authorizes everything. Tests of authorization use the real authz.Authorizer;
// this is for tests of what happens after the decision.
type AllowAll struct{}

// Authorize always allows.
func (AllowAll) Authorize(context.Context, authz.Principal, authz.Operation, authz.Resource) error {
	return nil
}

// AuthorizeOperation always allows.
func (AllowAll) AuthorizeOperation(context.Context, authz.Principal, authz.Operation) error {
	return nil
}

// TenantWide always says the principal sees the whole tenant.
func (AllowAll) TenantWide(context.Context, authz.Principal) (bool, error) {
	return true, nil
}

// TenantNoChecks returns Tenant(id) with verified onboarding turned off
// (tenants.Settings.RequireVerifiedOnboarding false): its clients may be
// activated before their onboarding checks pass.
func TenantNoChecks(id string) tenants.Tenant {
	t := Tenant(id)
	off := false
	t.Settings.RequireVerifiedOnboarding = &off
	return t
}

// Tenant returns a tenant with both apps active.
func Tenant(id string) tenants.Tenant {
	return tenants.Tenant{
		ID: id, Name: "Tenant " + id, Preset: "retail-engine",
		Apps:      map[authz.App]authz.AppState{authz.AppBackoffice: authz.AppActive, authz.AppRetail: authz.AppActive},
		CreatedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
	}
}

// Staff returns a back-office principal of tenant holding roles.
func Staff(tenant, user string, roles ...string) authz.Principal {
	return authz.Principal{TenantID: tenant, UserID: user, Kind: authz.Backoffice, Roles: roles, AssociateID: "assoc-" + user}
}

// Person returns a valid individual client input.
func Person(first, last string) clients.CreateInput {
	return clients.CreateInput{
		Type: clients.Individual,
		Profile: clients.Profile{
			OfficeID: "head-office",
			Individual: &clients.Person{
				FirstName: first, LastName: last, DateOfBirth: "1990-04-12", NationalID: "ID-" + first + last,
			},
			Contact: clients.ContactInfo{Phone: "+254712345678", Email: first + "@example.com"},
		},
	}
}

// Company returns a valid corporate client input.
func Company(name string) clients.CreateInput {
	return clients.CreateInput{
		Type: clients.Corporate,
		Profile: clients.Profile{
			OfficeID: "head-office",
			Corporate: &clients.Company{
				LegalName: name, RegistrationNumber: "REG-" + name, IncorporationDate: "2010-06-01", Country: "KE",
				ExpectedMonthlyTurnover: &adapters.Money{Amount: 1_500_000_00, Currency: "KES"},
			},
		},
	}
}

// Entry is an audit entry by the test actor, now.
func Entry(tenant, op string) audit.Entry {
	return audit.Entry{TenantID: tenant, Actor: "test", Operation: op, At: time.Now().UTC()}
}

// Together runs fn(i) for every i in [0, n), each in its own goroutine,
// released at once when all have started, and waits for all: the burst of
// concurrent calls a test of a limit, a key or a balance needs.
func Together(n int, fn func(i int)) {
	start := make(chan struct{})
	var ready, done sync.WaitGroup
	for i := range n {
		ready.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			ready.Done()
			<-start
			fn(i)
		}()
	}
	ready.Wait()
	close(start)
	done.Wait()
}

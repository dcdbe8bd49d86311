package portal_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/adapters"
	"github.com/clientele-go/clientele/adapters/memory"
	"github.com/clientele-go/clientele/authz"
	"github.com/clientele-go/clientele/clients"
	"github.com/clientele-go/clientele/portal"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/tenants"
	"github.com/clientele-go/clientele/users"
)

const tenantID = "bank"

// fixture is the portal on one database: a tenant with the portal on, its
// node operator, and the memory core-banking fake.
type fixture struct {
	db    *storage.DB
	az    *authz.Authorizer
	bank  *memory.CoreBanking
	cs    *clients.Service
	us    *users.Service
	ps    *portal.Service
	admin authz.Principal
}

func newFixture(t testing.TB, db *storage.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{db: db, bank: memory.NewCoreBanking()}
	var err error
	f.az, err = authz.New(db.Authz(), db.Authz())
	require.NoError(t, err)
	f.cs, err = clients.New(db.Clients(), f.az)
	require.NoError(t, err)
	f.us, err = users.New(db.Users(), f.az, f.az, db.Clients(), db.Associates(), memory.NewMessaging(), memory.NewIdentity(),
		users.WithHashing(users.InsecureTestHashing()))
	require.NoError(t, err)
	f.ps = f.portal(t, f.az)
	require.NoError(t, db.Tenants().Create(ctx, tenants.Tenant{
		ID: tenantID, Name: "Bank", Preset: authz.PresetRetailEngine,
		Apps:         map[authz.App]authz.AppState{authz.AppBackoffice: authz.AppActive, authz.AppRetail: authz.AppActive},
		ClientPortal: true, CreatedAt: time.Now().UTC(),
	}))
	op, err := f.us.Bootstrap(ctx, tenantID, users.NodeOperatorInput{Email: "op@bank.example", Name: "Operator",
		Roles: []string{"RP001", authz.RoleSecurityAdmin}, Password: "correct horse battery"})
	require.NoError(t, err)
	f.admin = op.Principal()
	return f
}

// portal returns a portal service of f deciding with az.
func (f *fixture) portal(t testing.TB, az *authz.Authorizer) *portal.Service {
	t.Helper()
	ps, err := portal.New(f.db.Portal(), az, f.bank, f.cs, f.us)
	require.NoError(t, err)
	return ps
}

// customer onboards a client with portal access (username phone, roles) and
// returns the principal of its customer user and the client.
func (f *fixture) customer(t testing.TB, nationalID, phone string, roles ...string) (authz.Principal, clients.Client) {
	t.Helper()
	ctx := context.Background()
	c, err := f.cs.Create(ctx, f.admin, clientInput(nationalID, phone), "")
	require.NoError(t, err)
	_, err = f.bank.CreateClient(ctx, adapters.CreateClientRequest{TenantID: tenantID, ClientID: c.ID,
		Profile: adapters.Profile{Type: clients.Individual, FirstName: "Amina", LastName: "Otieno"}, IdempotencyKey: "cc-" + c.ID})
	require.NoError(t, err)
	acc, err := f.ps.SetAccess(ctx, f.admin, c.Reference, portal.AccessInput{Username: phone, Roles: roles})
	require.NoError(t, err)
	u, err := f.us.Get(ctx, f.admin, acc.UserID)
	require.NoError(t, err)
	return u.Principal(), c
}

// ends onboards the two ends of a transfer: a client who may transfer, with a
// savings account holding funded KES, and a view-only client with an empty
// one. It returns the payer's principal and both accounts.
func (f *fixture) ends(t testing.TB, funded int64) (payer authz.Principal, from, to string) {
	t.Helper()
	payer, a := f.customer(t, "100001", "+254700000101", authz.RolePortalTransactor)
	_, b := f.customer(t, "100002", "+254700000102", authz.RolePortalViewer)
	return payer, f.savings(t, a.ID, funded), f.savings(t, b.ID, 0)
}

// savings opens an active savings account of clientID holding amount KES.
func (f *fixture) savings(t testing.TB, clientID string, amount int64) string {
	t.Helper()
	a, err := f.bank.OpenAccount(context.Background(), adapters.OpenAccountRequest{TenantID: tenantID, ClientID: clientID,
		Type: adapters.Savings, OpeningBalance: adapters.Money{Amount: amount, Currency: "KES"}, IdempotencyKey: "open-" + clientID + "-" + time.Now().Format(time.RFC3339Nano)})
	require.NoError(t, err)
	return a.ID
}

// balance is the balance of an account at core banking.
func (f *fixture) balance(t testing.TB, id string) int64 {
	t.Helper()
	a, err := f.bank.GetAccount(context.Background(), tenantID, id)
	require.NoError(t, err)
	return a.Balance.Amount
}

func kes(n int64) adapters.Money { return adapters.Money{Amount: n, Currency: "KES"} }

// clientInput is a valid individual client.
func clientInput(nationalID, phone string) clients.CreateInput {
	return clients.CreateInput{Type: clients.Individual, Profile: clients.Profile{
		OfficeID:   "head-office",
		Individual: &clients.Person{FirstName: "Amina", LastName: "Otieno", DateOfBirth: "1990-04-12", NationalID: nationalID},
		Contact:    clients.ContactInfo{Phone: phone},
	}}
}

package portal_test

import (
	"context"
	"fmt"
	"time"

	"github.com/clientele-go/clientele/adapters"
	"github.com/clientele-go/clientele/adapters/memory"
	"github.com/clientele-go/clientele/associates"
	"github.com/clientele-go/clientele/audit"
	"github.com/clientele-go/clientele/authz"
	"github.com/clientele-go/clientele/clients"
	"github.com/clientele-go/clientele/portal"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/tenants"
	"github.com/clientele-go/clientele/users"
)

// Example shows seed 000's agent cash-in flow end to end on the embedded
// database and the in-memory core-banking fake: an associate tagged agent
// has a client account of its own with portal access; a customer hands it
// cash, and the agent transfers the same amount from its own savings account
// to the customer's through the portal.
func Example() {
	ctx := context.Background()
	check := func(err error) {
		if err != nil {
			panic(err)
		}
	}
	db, err := storage.Open(ctx, "sqlite://:memory:")
	check(err)
	defer db.Close()
	check(db.Tenants().Create(ctx, tenants.Tenant{ID: "mfi", Name: "Pay-go Solar MFI", Preset: authz.PresetRetailEngine,
		Apps: map[authz.App]authz.AppState{authz.AppRetail: authz.AppActive}, ClientPortal: true}))
	az, err := authz.New(db.Authz(), db.Authz())
	check(err)
	us, err := users.New(db.Users(), az, az, db.Clients(), db.Associates(), memory.NewMessaging(), memory.NewIdentity(),
		users.WithHashing(users.InsecureTestHashing()))
	check(err)
	cs, err := clients.New(db.Clients(), az)
	check(err)
	as, err := associates.New(db.Associates(), az)
	check(err)
	bank := memory.NewCoreBanking()
	// A transfer is executed by the request that records it; the app's
	// dispatcher (Service.Handlers) takes over one the request could not
	// finish, at once when core banking was down, or after this grace when
	// the process stopped before recording the outcome.
	ps, err := portal.New(db.Portal(), az, bank, cs, us, portal.WithInlineGrace(10*time.Second))
	check(err)
	// The agent's own client account is a staff account (seed 000): creating
	// it needs the employee-account permission, given here to a setup role.
	check(db.Authz().CreateRole(ctx, "mfi", authz.Role{Code: "RS001", Name: "Staff accounts", Type: authz.Backoffice,
		Permissions: []string{authz.PermStaffAccounts}}, audit.Entry{TenantID: "mfi", Actor: "setup", Operation: string(authz.OpCreateRole),
		EntityType: "role", EntityID: "RS001", Changed: []string{"code"}, At: time.Now()}))
	op, err := us.Bootstrap(ctx, "mfi", users.NodeOperatorInput{Email: "ops@mfi.example", Name: "Operator",
		Roles: []string{authz.RetailAdministrator, authz.RoleSecurityAdmin, "RS001"}, Password: "correct horse battery"})
	check(err)
	admin := op.Principal()

	// The agent: an associate tagged agent.
	office, err := as.CreateOffice(ctx, admin, associates.NewOffice{Name: "Kisumu"})
	check(err)
	class, err := as.CreateClassification(ctx, admin, associates.NewClassification{Name: "Agent", Scope: associates.ScopeRestricted, Fields: []associates.Field{}})
	check(err)
	agent, err := as.CreateAssociate(ctx, admin, associates.NewAssociate{OfficeID: office.ID, ClassificationID: class.ID, Name: "Otieno (agent)", Agent: true})
	check(err)

	// Onboard a client with a savings account at core banking and, for the
	// agent's own account, portal access that may transfer.
	onboard := func(first, nationalID, phone, staff string, balance int64) (clients.Client, string) {
		c, err := cs.Create(ctx, admin, clients.CreateInput{Type: clients.Individual, Profile: clients.Profile{
			OfficeID: office.ID, StaffAssociateID: staff,
			Individual: &clients.Person{FirstName: first, LastName: "Example", DateOfBirth: "1990-01-01", NationalID: nationalID},
			Contact:    clients.ContactInfo{Phone: phone},
		}}, "")
		check(err)
		_, err = bank.CreateClient(ctx, adapters.CreateClientRequest{TenantID: "mfi", ClientID: c.ID,
			Profile: adapters.Profile{Type: clients.Individual, FirstName: first, LastName: "Example"}, IdempotencyKey: "cc-" + c.ID})
		check(err)
		acct, err := bank.OpenAccount(ctx, adapters.OpenAccountRequest{TenantID: "mfi", ClientID: c.ID, Type: adapters.Savings,
			OpeningBalance: adapters.Money{Amount: balance, Currency: "KES"}, IdempotencyKey: "open-" + c.ID})
		check(err)
		return c, acct.ID
	}
	agentClient, agentAccount := onboard("Otieno", "11111111", "+254700000001", agent.ID, 500_000)
	_, customerAccount := onboard("Amina", "22222222", "+254700000002", "", 0)
	access, err := ps.SetAccess(ctx, admin, agentClient.Reference, portal.AccessInput{
		Username: "+254700000001", Roles: []string{authz.RolePortalTransactor}})
	check(err)
	fmt.Println("agent's portal access:", access.Username, access.Roles, access.Enabled)

	// The agent logs in (phone and PIN, package users); its principal is the
	// one users.Authenticate returns for its session.
	agentUser, err := us.Get(ctx, admin, access.UserID)
	check(err)
	agentP := agentUser.Principal()

	// Amina hands over KES 1,500 in cash; the agent pays it into her account.
	t, err := ps.Transfer(ctx, agentP, portal.TransferInput{FromAccountID: agentAccount, ToAccountID: customerAccount,
		Amount: adapters.Money{Amount: 150_000, Currency: "KES"}, Narration: "cash-in, receipt 0042"}, "receipt-0042")
	check(err)
	fmt.Println("transfer:", t.Status, t.Amount.Amount, t.Amount.Currency)

	mine, err := ps.Savings(ctx, agentP)
	check(err)
	fmt.Println("agent's balance:", mine.Accounts[0].Balance.Amount)
	theirs, err := bank.GetAccount(ctx, "mfi", customerAccount)
	check(err)
	fmt.Println("customer's balance:", theirs.Balance.Amount)
	// Output:
	// agent's portal access: +254700000001 [RC002] true
	// transfer: completed 150000 KES
	// agent's balance: 350000
	// customer's balance: 150000
}

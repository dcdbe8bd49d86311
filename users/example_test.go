package users_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/adapters"
	"github.com/clientele-go/clientele/adapters/memory"
	"github.com/clientele-go/clientele/audit"
	"github.com/clientele-go/clientele/authz"
	"github.com/clientele-go/clientele/clients"
	"github.com/clientele-go/clientele/idempotency"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/tenants"
	"github.com/clientele-go/clientele/users"
)

func must[T any](v T, err error) T {
	if err != nil {
		log.Fatal(err)
	}
	return v
}

// eventually waits until done reports true (the dispatcher's work).
func eventually(done func() bool) {
	for deadline := time.Now().Add(10 * time.Second); !done(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			log.Fatal("timed out")
		}
	}
}

// Example runs seed 003 on embedded SQLite and the in-memory adapters: the node
// operator is bootstrapped and logs in, invites a borrower by SMS, the borrower
// registers by phone and PIN (and gets a DID), is blocked, and is refused. The
// dispatcher sends the invitation and creates the DID after their transactions
// commit.
func Example() {
	ctx := context.Background()
	dir := must(os.MkdirTemp("", "users-example"))
	defer os.RemoveAll(dir)
	db := must(storage.Open(ctx, "sqlite://"+filepath.Join(dir, "bank.db")))
	defer db.Close()
	if err := db.Tenants().Create(ctx, tenants.Tenant{ID: "bank", Name: "Demo Bank", Preset: authz.PresetRetailEngine, CreatedAt: time.Now()}); err != nil {
		log.Fatal(err)
	}
	// The Retail Engine preset; RA001 (security administrator) may manage users.
	cats := authz.NewMemoryStore()
	if err := cats.PutTenant(authz.Org{TenantID: "bank", Apps: map[string]string{"retail": "active"}}, authz.RetailEngine()); err != nil {
		log.Fatal(err)
	}
	az := must(authz.New(cats, cats))
	sms := memory.NewMessaging()
	// Roles are checked against az's catalogues; a customer invitation must
	// name a client of the tenant in the store.
	svc := must(users.New(db.Users(), az, az, db.Clients(), db.Associates(), sms, memory.NewIdentity(),
		users.WithHashing(users.InsecureTestHashing()), // the default is OWASP's argon2id cost
	))
	// The dispatcher delivers what the service queues: invitations, DIDs.
	dispatcher := must(db.NewDispatcher(svc.Handlers()))
	if err := dispatcher.Start(ctx); err != nil {
		log.Fatal(err)
	}
	defer dispatcher.Stop(ctx)

	// Tenant setup: the node operator, with a password for the demo.
	must(svc.Bootstrap(ctx, "bank", users.NodeOperatorInput{
		Email: "operator@bank.example", Name: "Node Operator", Password: "demo-password-123", Roles: []string{authz.RoleSecurityAdmin},
	}))
	login := must(svc.LoginPassword(ctx, users.PasswordLoginInput{TenantID: "bank", Email: "operator@bank.example", Password: "demo-password-123"}))
	operator := must(svc.Authenticate(ctx, login.Token)) // what an HTTP middleware does with the bearer token
	fmt.Println("operator:", operator.Kind)

	// The borrower's client record, as onboarding (clients.Service.Create) stores it.
	now := time.Now()
	if _, _, err := db.Clients().Create(ctx, clients.Client{
		ID: "client-1", TenantID: "bank", Reference: "C1", Type: clients.Individual, State: clients.Active,
		KYCStatus: clients.KYCVerified, Version: 1, CreatedAt: now, UpdatedAt: now,
	}, idempotency.Key{}, clients.Change{Audit: audit.Entry{TenantID: "bank", Actor: "setup", Operation: "CL003", EntityType: "client", EntityID: "client-1", At: now}}); err != nil {
		log.Fatal(err)
	}

	// The operator invites a borrower; the code goes by SMS.
	b := must(svc.Invite(ctx, operator, users.InviteInput{
		Type: users.Borrower, Name: "Bea Borrower", Phone: "+254700000001", ClientID: "client-1", Roles: []string{authz.RolePortalViewer},
	}, "invite-bea"))
	fmt.Println("invited:", b.Type, b.State)
	var msg adapters.Message
	eventually(func() (ok bool) { msg, ok = sms.Last("+254700000001"); return ok })

	// USSD: the code, then the PIN twice.
	ticket := must(svc.VerifyPhone(ctx, users.VerifyPhoneInput{TenantID: "bank", Phone: "+254700000001", Code: msg.Params["code"]}))
	bea := must(svc.SetPIN(ctx, users.SetPINInput{TenantID: "bank", Ticket: ticket.Ticket, PIN: "4821", ConfirmPIN: "4821"}))
	fmt.Println("registered:", bea.User.State, "DID yet:", bea.User.DID != "")
	var did string
	eventually(func() bool { did = must(svc.Get(ctx, operator, bea.User.ID)).DID; return did != "" })
	fmt.Println("DID:", strings.HasPrefix(did, "did:key:"))
	p := must(svc.Authenticate(ctx, bea.Token))
	fmt.Println("borrower:", p.Kind, p.ClientID)

	// Blocked: the session stops at once, and the PIN no longer opens one.
	must(svc.Block(ctx, operator, b.ID))
	_, err := svc.Authenticate(ctx, bea.Token)
	fmt.Println("session after block:", errors.Is(err, clientele.ErrUnauthenticated))
	_, err = svc.LoginPIN(ctx, users.PINLoginInput{TenantID: "bank", Phone: "+254700000001", PIN: "4821"})
	fmt.Println("login after block:", err)

	page := must(svc.List(ctx, operator, users.ListRequest{Type: "all"}))
	for _, u := range page.Users {
		fmt.Println("user:", u.Type, u.State)
	}
	// Output:
	// operator: backoffice
	// invited: borrower invited
	// registered: active DID yet: false
	// DID: true
	// borrower: customer client-1
	// session after block: true
	// login after block: users: login: user is blocked: forbidden
	// user: borrower blocked
	// user: node_operator active
}

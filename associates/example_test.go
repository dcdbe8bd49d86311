package associates_test

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/adapters/memory"
	"github.com/clientele-go/clientele/associates"
	"github.com/clientele-go/clientele/authz"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/tenants"
	"github.com/clientele-go/clientele/users"
)

// Example builds seed 000's partner model: a head office with a branch, a
// "Partner" classification whose members carry a commission rate, the Kiva
// partner with an agent below it, and both linked to one center alongside
// each other.
func Example() {
	ctx := context.Background()
	db, err := storage.Open(ctx, "sqlite://:memory:")
	if err != nil {
		panic(err)
	}
	defer db.Close()
	err = db.Tenants().Create(ctx, tenants.Tenant{ID: "bank", Name: "Example Bank", Preset: authz.PresetRetailEngine,
		Apps: map[authz.App]authz.AppState{authz.AppRetail: authz.AppActive}})
	if err != nil {
		panic(err)
	}
	az, _ := authz.New(db.Authz(), db.Authz())
	svc, _ := associates.New(db.Associates(), az)
	admin := authz.Principal{TenantID: "bank", UserID: "u1", Kind: authz.Backoffice, Roles: []string{authz.RoleSecurityAdmin}}

	head, _ := svc.CreateOffice(ctx, admin, associates.NewOffice{Name: "Head office"})
	branch, _ := svc.CreateOffice(ctx, admin, associates.NewOffice{Name: "Kampala", ParentID: head.ID})

	maxRate := 20.0
	partner, err := svc.CreateClassification(ctx, admin, associates.NewClassification{
		Name: "Partner", Scope: associates.ScopeRestricted,
		Fields: []associates.Field{{Name: "commission", Type: associates.FieldNumber, Required: true, Max: &maxRate}},
	})
	fmt.Println(partner.Name, partner.Scope, err)

	_, err = svc.CreateAssociate(ctx, admin, associates.NewAssociate{OfficeID: branch.ID, ClassificationID: partner.ID,
		Name: "Kiva", Data: map[string]any{"commission": 35}})
	fmt.Println(err)

	kiva, _ := svc.CreateAssociate(ctx, admin, associates.NewAssociate{OfficeID: branch.ID, ClassificationID: partner.ID,
		Name: "Kiva", Data: map[string]any{"commission": 5}})
	agent, _ := svc.CreateAssociate(ctx, admin, associates.NewAssociate{OfficeID: branch.ID, ClassificationID: partner.ID,
		ParentID: kiva.ID, Name: "Agent Okello", Agent: true, Data: map[string]any{"commission": 2}})

	_, err = svc.SetParent(ctx, admin, kiva.ID, kiva.Version, agent.ID)
	fmt.Println("cycle refused:", errors.Is(err, clientele.ErrPrecondition))

	team, _ := svc.ListAssociates(ctx, admin, kiva.ID, associates.ListRequest{})
	for _, a := range team.Items {
		fmt.Println("under Kiva:", a.Name)
	}

	center := associates.Entity{Kind: associates.EntityCenter, ID: "center-42"}
	_, _ = svc.Link(ctx, admin, kiva.ID, center)
	_, _ = svc.Link(ctx, admin, agent.ID, center)
	links, _ := svc.EntityLinks(ctx, admin, center, associates.ListRequest{})
	fmt.Println("linked to the center:", len(links.Items))

	_, err = svc.CloseOffice(ctx, admin, head.ID, head.Version)
	_, why, _ := strings.Cut(err.Error(), head.ID+": ")
	fmt.Println("close head office:", why)
	// Output:
	// Partner restricted <nil>
	// associates: create associate: invalid input: data.commission: must be at most 20
	// cycle refused: true
	// under Kiva: Kiva
	// under Kiva: Agent Okello
	// linked to the center: 2
	// close head office: the office has 1 open child offices: precondition failed
}

// ExampleWithUsers creates an associate together with its back-office user,
// in one transaction, and deactivates it before the user registered: the
// user stays invited, its invitation revoked (an active user would be
// blocked, its sessions revoked).
func ExampleWithUsers() {
	ctx := context.Background()
	db, err := storage.Open(ctx, "sqlite://:memory:")
	if err != nil {
		panic(err)
	}
	defer db.Close()
	err = db.Tenants().Create(ctx, tenants.Tenant{ID: "bank", Name: "Example Bank", Preset: authz.PresetRetailEngine,
		Apps: map[authz.App]authz.AppState{authz.AppRetail: authz.AppActive}})
	if err != nil {
		panic(err)
	}
	az, _ := authz.New(db.Authz(), db.Authz())
	us, err := users.New(db.Users(), az, az, db.Clients(), db.Associates(), memory.NewMessaging(), memory.NewIdentity(),
		users.WithHashing(users.InsecureTestHashing()))
	if err != nil {
		panic(err)
	}
	svc, err := associates.New(db.Associates(), az, associates.WithUsers(us))
	if err != nil {
		panic(err)
	}
	op, err := us.Bootstrap(ctx, "bank", users.NodeOperatorInput{Email: "op@bank.example", Name: "Operator",
		Password: "operator-password-1", Roles: []string{authz.RoleSecurityAdmin}})
	if err != nil {
		panic(err)
	}
	admin := op.Principal()

	office, _ := svc.CreateOffice(ctx, admin, associates.NewOffice{Name: "Kampala"})
	officer, _ := svc.CreateClassification(ctx, admin, associates.NewClassification{Name: "Loan officer", Scope: associates.ScopeBranch})
	a, err := svc.CreateAssociate(ctx, admin, associates.NewAssociate{OfficeID: office.ID, ClassificationID: officer.ID,
		Name: "Grace Nakato", Email: "grace@bank.example",
		Access: &associates.Access{Type: users.OriginatorAdmin, Roles: []string{authz.RetailRelationshipOfficer}}})
	if err != nil {
		panic(err)
	}
	fmt.Println(a.User.Name, a.User.Email, a.User.Type, a.User.State, a.User.AssociateID == a.ID)

	_, err = svc.Deactivate(ctx, admin, a.ID, a.Version)
	u, _ := us.Get(ctx, admin, a.User.ID)
	fmt.Println(err, u.State)
	// Output:
	// Grace Nakato grace@bank.example originator_admin invited true
	// <nil> invited
}

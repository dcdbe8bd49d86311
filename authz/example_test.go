package authz_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/authz"
)

// A tenant on the Retail Engine preset: RP002 (Relationship Officer) may update
// only the clients assigned to it (P_RE_002).
func ExampleAuthorizer_Authorize() {
	ctx := context.Background()
	store := authz.NewMemoryStore()
	org := authz.Org{TenantID: "bank-1", Apps: map[string]string{authz.AppRetail: "active"}}
	if err := store.PutTenant(org, authz.RetailEngine()); err != nil {
		panic(err)
	}
	az, err := authz.New(store, store)
	if err != nil {
		panic(err)
	}
	officer := authz.Principal{TenantID: "bank-1", UserID: "u-7", Kind: authz.Backoffice,
		Roles: []string{"RP002"}, AssociateID: "assoc-7"}

	// Package clients says whether the client is in the officer's data
	// scope (member.clients): it read the client within that scope.
	mine := authz.Resource{ClientID: "c-1", InMemberScope: authz.InScope}
	fmt.Println(az.Authorize(ctx, officer, authz.OpUpdateClient, mine))

	theirs := authz.Resource{ClientID: "c-2", InMemberScope: authz.OutOfScope}
	err = az.Authorize(ctx, officer, authz.OpUpdateClient, theirs)
	fmt.Println(errors.Is(err, clientele.ErrForbidden))
	fmt.Println(err)
	// Output:
	// <nil>
	// true
	// authz: CL004 (Update Client Profile) denied to user "u-7" of tenant "bank-1": role RP002 grants CL004 only where policy P_RE_002 (RP002 can ONLY update assigned clients) holds: role eq RP002 AND member.clients contain {client}
}

func ExampleCatalogue_Decide() {
	cat, err := authz.Compile(authz.BackofficePlatform())
	if err != nil {
		panic(err)
	}
	org := authz.Org{TenantID: "bank-1", Apps: map[string]string{authz.AppBackoffice: "active"}}
	admin := authz.Principal{TenantID: "bank-1", Kind: authz.Backoffice, Roles: []string{"RP001"}}

	d := cat.Decide(admin, org, authz.OpArchiveClient, authz.Resource{ClientID: "c-1"})
	fmt.Println(d.Allowed, d.Reason)

	// An employee's own client account needs the employee-account permission too.
	d = cat.Decide(admin, org, authz.OpArchiveClient, authz.Resource{ClientID: "c-2", StaffOwned: true})
	fmt.Println(d.Allowed, d.Permission)

	org.Apps[authz.AppBackoffice] = "inactive"
	d = cat.Decide(admin, org, authz.OpListClients, authz.Resource{})
	fmt.Println(d.Allowed, d.Policy)
	// Output:
	// true CL005 granted by permission clnt_admin of role RP001
	// false staff_acct_updt
	// false P_BO_001
}

func ExampleCompilePolicy() {
	p, err := authz.CompilePolicy(authz.Policy{Code: "P_RE_002",
		Condition: "role eq RP002 and member.clients CONTAINS {client}"})
	if err != nil {
		panic(err)
	}
	fmt.Println(p.String())
	fmt.Println(p.RoleBound())

	_, err = authz.CompilePolicy(authz.Policy{Code: "P_X", Condition: "org.apps.retial eq active"})
	var pe *authz.PolicyError
	fmt.Println(errors.As(err, &pe), pe.Line, pe.Column, pe.Found)
	_, err = authz.CompilePolicy(authz.Policy{Code: "P_Y", Condition: "role eq RP002 AND"})
	fmt.Println(err)
	// Output:
	// role eq "RP002" AND member.clients contain {client}
	// [RP002]
	// true 1 1 "org.apps.retial"
	// authz: policy P_Y: 1:18: expected an attribute, a placeholder, NOT or "(", found end of condition
}

// Creating a customer role that sneaks in a back-office permission is refused,
// naming the permission.
func ExampleRoleService_CreateRole() {
	ctx := context.Background()
	store := authz.NewMemoryStore()
	_ = store.PutTenant(authz.Org{TenantID: "bank-1", Apps: map[string]string{authz.AppRetail: "active"}}, authz.RetailEngine())
	az, _ := authz.New(store, store)
	roles, _ := authz.NewRoleService(store, az)
	secadmin := authz.Principal{TenantID: "bank-1", Kind: authz.Backoffice, Roles: []string{authz.RoleSecurityAdmin}}

	_, err := roles.CreateRole(ctx, secadmin, authz.Role{Code: "RC100", Name: "Savings viewer",
		Type: authz.Customer, Permissions: []string{authz.PermPortalSavings, "clnt_list"}})
	fmt.Println(errors.Is(err, clientele.ErrInvalid))
	fmt.Println(err)

	t, _ := authz.ParseListType("customer")
	list, _ := roles.ListRoles(ctx, secadmin, t)
	for _, r := range list {
		fmt.Println(r.Code, r.Name, r.Permissions)
	}
	// Output:
	// true
	// authz: create role RC100: invalid input: permissions[1]: role RC100 is a customer role and cannot hold backoffice permission clnt_list
	// RC001 Portal Viewer [portal_savings_view portal_loans_view]
	// RC002 Portal Transactor [portal_savings_view portal_loans_view portal_transfer]
}

package authz

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/audit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func newTestAuthorizer(t *testing.T) (*Authorizer, *MemoryStore) {
	t.Helper()
	store := NewMemoryStore()
	require.NoError(t, store.PutTenant(activeRetail, RetailEngine()))
	require.NoError(t, store.PutTenant(Org{TenantID: "t2", Apps: map[string]string{AppBackoffice: "active"}}, BackofficePlatform()))
	az, err := New(store, store)
	require.NoError(t, err)
	return az, store
}

func TestNewRequiresDependencies(t *testing.T) {
	_, err := New(nil, NewMemoryStore())
	assert.ErrorIs(t, err, clientele.ErrInvalid)
	_, err = New(NewMemoryStore(), nil)
	assert.ErrorIs(t, err, clientele.ErrInvalid)
	_, err = NewRoleService(nil, nil)
	assert.ErrorIs(t, err, clientele.ErrInvalid)
}

func TestAuthorize(t *testing.T) {
	az, store := newTestAuthorizer(t)
	ctx := context.Background()
	assigned := Resource{ClientID: "c1", AssignedAssociates: []string{"a1"}, InMemberScope: InScope}

	require.NoError(t, az.Authorize(ctx, staff("RP002"), OpUpdateClient, assigned))

	err := az.Authorize(ctx, staff("RP002"), OpUpdateClient, Resource{ClientID: "c2"})
	require.ErrorIs(t, err, clientele.ErrForbidden)
	assert.Contains(t, err.Error(), "P_RE_002")
	var denied *DeniedError
	require.ErrorAs(t, err, &denied)
	assert.Equal(t, "P_RE_002", denied.Decision.Policy)

	err = az.Authorize(ctx, staff("RP004"), OpArchiveClient, assigned)
	require.ErrorIs(t, err, clientele.ErrForbidden)
	assert.Contains(t, err.Error(), "CL005 (Archive Client) denied")
	assert.Contains(t, err.Error(), "permissions that do: clnt_mgmt_admin")

	// Unknown tenant, tenant mismatch, no tenant: forbidden.
	p := staff("RP001")
	p.TenantID = "nope"
	assert.ErrorIs(t, az.Authorize(ctx, p, OpListClients, Resource{}), clientele.ErrForbidden)
	assert.ErrorIs(t, az.Authorize(ctx, staff("RP001"), OpListClients, Resource{TenantID: "t2"}), clientele.ErrForbidden)
	p.TenantID = ""
	assert.ErrorIs(t, az.Authorize(ctx, p, OpListClients, Resource{}), clientele.ErrForbidden)

	// The same role code means what the tenant's own catalogue says.
	p = staff("RP004")
	p.TenantID = "t2"
	require.NoError(t, az.Authorize(ctx, p, OpResetDevicePIN, Resource{})) // Support Officer, seed 001
	require.Error(t, az.Authorize(ctx, staff("RP004"), OpResetDevicePIN, Resource{}))

	// Org attributes are cached with the catalogue: a subscription switched
	// off bites once the tenant is invalidated (or its entry expires).
	require.NoError(t, store.SetOrg(Org{TenantID: "t1", Apps: map[string]string{AppRetail: "inactive"}, ClientPortal: true}))
	require.NoError(t, az.Authorize(ctx, staff("RP001"), OpListClients, Resource{}), "cached")
	az.Invalidate("t1")
	err = az.Authorize(ctx, staff("RP001"), OpListClients, Resource{})
	require.ErrorIs(t, err, clientele.ErrForbidden)
	assert.Contains(t, err.Error(), "P_RE_001")

	// The portal switch: forbidden and portal-disabled.
	require.NoError(t, store.SetOrg(Org{TenantID: "t1", Apps: map[string]string{AppRetail: "active"}}))
	az.Invalidate("t1")
	cust := Principal{TenantID: "t1", Kind: Customer, Roles: []string{RolePortalViewer}, ClientID: "c1"}
	err = az.Authorize(ctx, cust, OpPortalListSavings, Resource{ClientID: "c1"})
	assert.ErrorIs(t, err, clientele.ErrForbidden)
	assert.ErrorIs(t, err, clientele.ErrPortalDisabled)

	// A cancelled context allows nothing.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	err = az.Authorize(cctx, staff("RP001"), OpListClients, Resource{})
	assert.ErrorIs(t, err, context.Canceled)
}

type failingSource struct{ err error }

func (f failingSource) Catalogue(context.Context, string) (Spec, error) { return Spec{}, f.err }
func (f failingSource) Org(context.Context, string) (Org, error)        { return Org{}, f.err }

func TestAuthorizeSourceFailure(t *testing.T) {
	down := failingSource{fmt.Errorf("db down: %w", clientele.ErrUnavailable)}
	az, err := New(down, down)
	require.NoError(t, err)
	err = az.Authorize(context.Background(), staff("RP001"), OpListClients, Resource{})
	assert.ErrorIs(t, err, clientele.ErrUnavailable)
	assert.NotErrorIs(t, err, clientele.ErrForbidden)

	// A stored catalogue that does not compile allows nothing.
	store := NewMemoryStore()
	az, _ = New(brokenCatalogue{}, store)
	err = az.Authorize(context.Background(), staff("RP001"), OpListClients, Resource{})
	assert.ErrorIs(t, err, clientele.ErrInvalid)
}

type brokenCatalogue struct{}

func (brokenCatalogue) Catalogue(context.Context, string) (Spec, error) {
	s := RetailEngine()
	s.Roles[0].Permissions = append(s.Roles[0].Permissions, PermPortalTransfer)
	return s, nil
}

// countingStore counts catalogue loads to show the cache and its invalidation.
type countingStore struct {
	*MemoryStore
	mu    sync.Mutex
	loads int
}

func (c *countingStore) Catalogue(ctx context.Context, tenantID string) (Spec, error) {
	c.mu.Lock()
	c.loads++
	c.mu.Unlock()
	return c.MemoryStore.Catalogue(ctx, tenantID)
}

func TestAuthorizerCachesPerTenant(t *testing.T) {
	mem := NewMemoryStore()
	require.NoError(t, mem.PutTenant(activeRetail, RetailEngine()))
	cs := &countingStore{MemoryStore: mem}
	az, err := New(cs, mem, WithClock(newFakeClock().Now)) // the clock stands still: no expiry
	require.NoError(t, err)
	ctx := context.Background()
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			for range 50 {
				assert.NoError(t, az.Authorize(ctx, staff("RP001"), OpListClients, Resource{}))
			}
		})
	}
	wg.Wait()
	first := cs.loads
	assert.Equal(t, 1, first, "20 concurrent callers share one load")
	assert.NoError(t, az.Authorize(ctx, staff("RP001"), OpListClients, Resource{}))
	assert.Equal(t, first, cs.loads)
	az.Invalidate("t1")
	assert.NoError(t, az.Authorize(ctx, staff("RP001"), OpListClients, Resource{}))
	assert.Equal(t, first+1, cs.loads)
}

func TestAuthorizerCacheTTL(t *testing.T) {
	mem := NewMemoryStore()
	require.NoError(t, mem.PutTenant(activeRetail, RetailEngine()))
	cs := &countingStore{MemoryStore: mem}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	az, err := New(cs, mem, WithCacheTTL(time.Minute), WithClock(func() time.Time { return now }))
	require.NoError(t, err)
	ctx := context.Background()
	for range 3 {
		require.NoError(t, az.Authorize(ctx, staff("RP001"), OpListClients, Resource{}))
	}
	assert.Equal(t, 1, cs.loads)
	now = now.Add(time.Minute)
	require.NoError(t, az.Authorize(ctx, staff("RP001"), OpListClients, Resource{}))
	assert.Equal(t, 2, cs.loads)

	_, err = New(mem, mem, WithCacheTTL(-time.Second))
	assert.ErrorIs(t, err, clientele.ErrInvalid)
}

func TestRoleService(t *testing.T) {
	az, store := newTestAuthorizer(t)
	svc, err := NewRoleService(store, az, WithNodeOperators(nodeOperator("root")))
	require.NoError(t, err)
	ctx := context.Background()
	admin := staff(RoleSecurityAdmin)
	root := staff(RoleSecurityAdmin)
	root.UserID = "root"

	// Listing is authorized and filtered by type.
	perms, err := svc.ListPermissions(ctx, admin, ListCustomer)
	require.NoError(t, err)
	assert.Len(t, perms, 3)
	roles, err := svc.ListRoles(ctx, admin, ListEmployee)
	require.NoError(t, err)
	assert.Len(t, roles, 8)
	_, err = svc.ListRoles(ctx, staff("RP001"), ListAll)
	assert.ErrorIs(t, err, clientele.ErrForbidden)

	// Creating a customer role of customer permissions.
	r, err := svc.CreateRole(ctx, admin, Role{Code: "RC010", Name: "Savings only", Type: Customer, Permissions: []string{PermPortalSavings}})
	require.NoError(t, err)
	assert.Equal(t, "RC010", r.Code)
	roles, _ = svc.ListRoles(ctx, admin, ListCustomer)
	assert.Len(t, roles, 3)
	// ... and it authorizes at once (the cache was invalidated).
	cust := Principal{TenantID: "t1", Kind: Customer, Roles: []string{"RC010"}, ClientID: "c1"}
	assert.NoError(t, az.Authorize(ctx, cust, OpPortalListSavings, Resource{ClientID: "c1"}))
	assert.ErrorIs(t, az.Authorize(ctx, cust, OpPortalTransfer, Resource{ClientID: "c1"}), clientele.ErrForbidden)

	// Type mixing through the service.
	_, err = svc.CreateRole(ctx, admin, Role{Code: "RC011", Name: "Sneaky", Type: Customer, Permissions: []string{PermPortalSavings, "clnt_mgmt_admin"}})
	require.ErrorIs(t, err, clientele.ErrInvalid)
	assert.Contains(t, err.Error(), "permissions[1]")
	assert.Contains(t, err.Error(), "clnt_mgmt_admin")
	_, err = svc.CreateRole(ctx, admin, Role{Code: "RB011", Name: "Sneaky", Type: Backoffice, Permissions: []string{"clnt_list", PermPortalTransfer}})
	require.ErrorIs(t, err, clientele.ErrInvalid)
	assert.Contains(t, err.Error(), "portal_transfer")
	_, err = svc.UpdateRole(ctx, admin, Role{Code: "RC010", Name: "Savings", Permissions: []string{"dev_list"}})
	require.ErrorIs(t, err, clientele.ErrInvalid)
	assert.Contains(t, err.Error(), "dev_list")
	_, err = svc.UpdateRole(ctx, admin, Role{Code: "RC010", Name: "Savings", Type: Backoffice, Permissions: []string{"dev_list"}})
	require.ErrorIs(t, err, clientele.ErrInvalid)
	assert.Contains(t, err.Error(), "type cannot change")

	// ... and through the store directly (second line of defence).
	err = store.CreateRole(ctx, "t1", Role{Code: "RC012", Name: "x", Type: Customer, Permissions: []string{"clnt_list"}}, audit.Entry{})
	assert.ErrorIs(t, err, clientele.ErrInvalid)
	err = store.UpdateRole(ctx, "t1", "RC010", func(r *Role) (audit.Entry, error) {
		r.Permissions = append(r.Permissions, "clnt_list")
		return audit.Entry{}, nil
	})
	assert.ErrorIs(t, err, clientele.ErrInvalid)

	// Conflicts, not found, unauthorized.
	_, err = svc.CreateRole(ctx, admin, Role{Code: "RP001", Name: "Dup", Type: Backoffice, Permissions: []string{"clnt_list"}})
	assert.ErrorIs(t, err, clientele.ErrConflict)
	_, err = svc.UpdateRole(ctx, admin, Role{Code: "RP777", Name: "x", Permissions: []string{"clnt_list"}})
	assert.ErrorIs(t, err, clientele.ErrNotFound)
	_, err = svc.CreateRole(ctx, staff("RP001"), Role{Code: "RB1", Name: "x", Type: Backoffice})
	assert.ErrorIs(t, err, clientele.ErrForbidden)

	// Updating a role changes decisions at once: RP004 gains device admin. Only
	// the node operator may: the security administrator holds none of these.
	assert.ErrorIs(t, az.Authorize(ctx, staff("RP004"), OpResetDevicePIN, Resource{}), clientele.ErrForbidden)
	_, err = svc.UpdateRole(ctx, admin, Role{Code: "RP004", Name: "Credit Controller", Permissions: []string{"clnt_list", "clnt_read_updt", "dev_mgmt_admin"}})
	var ge *GrantError
	require.ErrorAs(t, err, &ge)
	assert.Equal(t, []string{"clnt_list", "clnt_read_updt"}, ge.Missing)
	up, err := svc.UpdateRole(ctx, root, Role{Code: "RP004", Name: "Credit Controller", Permissions: []string{"clnt_list", "clnt_read_updt", "dev_mgmt_admin"}})
	require.NoError(t, err)
	assert.Equal(t, Backoffice, up.Type)
	assert.NoError(t, az.Authorize(ctx, staff("RP004"), OpResetDevicePIN, Resource{}))

	// Every change the service made is audited with its actor and fields.
	log := store.AuditLog()
	require.Len(t, log, 2)
	assert.Equal(t, "AD003", log[0].Operation)
	assert.Equal(t, "RC010", log[0].EntityID)
	assert.Equal(t, admin.UserID, log[0].Actor)
	assert.Equal(t, "AD004", log[1].Operation)
	assert.Equal(t, "root", log[1].Actor)
	assert.Equal(t, []string{"permissions"}, log[1].Changed)
	assert.JSONEq(t, `{"name":"Credit Controller","type":"backoffice","permissions":["clnt_list","clnt_read_updt"]}`, string(log[1].Before))
	assert.JSONEq(t, `{"name":"Credit Controller","type":"backoffice","permissions":["clnt_list","clnt_read_updt","dev_mgmt_admin"]}`, string(log[1].After))

	// Another tenant is untouched.
	p := admin
	p.TenantID = "t2"
	roles, err = svc.ListRoles(ctx, p, ListCustomer)
	require.NoError(t, err)
	assert.Len(t, roles, 2)
}

// nodeOperator says the user with this ID is the node operator.
type nodeOperator string

func (n nodeOperator) IsNodeOperator(_ context.Context, p Principal) (bool, error) {
	return p.UserID == string(n), nil
}

// TestGrantRules checks what an actor holds outright and may therefore grant.
func TestGrantRules(t *testing.T) {
	cat, err := Compile(RetailEngine())
	require.NoError(t, err)
	held := cat.HeldPermissions(staff(RoleSecurityAdmin, "RP002"))
	assert.Equal(t, map[string]bool{PermRoleAdmin: true, PermUserAdmin: true, PermAssociateAdmin: true, "clnt_list": true}, held,
		"clnt_read_updt is held only under P_RE_002")
	assert.Empty(t, cat.HeldPermissions(Principal{TenantID: "t1", Kind: Customer, Roles: []string{"RP001"}}), "a role of the other kind grants nothing")

	// Holding every operation of a permission is enough to grant it; a
	// permission granting no operation must be held itself.
	admin := staff("RP001")
	assert.True(t, cat.MayGrant(admin, "clnt_list"), "clnt_mgmt_admin covers clnt_list's operations")
	assert.True(t, cat.MayGrant(admin, "clnt_read_updt"))
	assert.False(t, cat.MayGrant(admin, PermStaffAccounts))
	assert.False(t, cat.MayGrant(admin, PermRoleList))
	assert.False(t, cat.MayGrant(admin, "nope"))
	officer := staff("RP002")
	assert.True(t, cat.MayGrant(officer, "clnt_list"))
	assert.False(t, cat.MayGrant(officer, "clnt_read_updt"), "CL004 only under P_RE_002")
	assert.NoError(t, cat.CheckGrantRoles(staff("RP001", RoleSecurityAdmin), []string{"RP002", "RP003", RoleSecurityAdmin}))

	p := staff(RoleSecurityAdmin)
	assert.NoError(t, cat.CheckGrantRoles(p, []string{RoleSecurityAdmin, RolePortalTransactor, "NOPE"}))
	err = cat.CheckGrantRoles(p, []string{"RP001"})
	require.ErrorIs(t, err, clientele.ErrForbidden)
	assert.Equal(t, "authz: role RP001 has permissions the actor does not hold: clnt_mgmt_admin, dev_mgmt_admin, clnt_acct_list", err.Error())
	assert.EqualError(t, &GrantError{Role: "RA001", Own: true}, "authz: role RA001 is held by the actor; only the node operator edits a role it holds")
}

// TestAuthorizeOperation: the operation-level check reads no resource. A
// role-bound policy is left for the resource decision; a tenant-wide policy
// that needs no resource applies at once.
func TestAuthorizeOperation(t *testing.T) {
	az, store := newTestAuthorizer(t)
	ctx := context.Background()
	require.NoError(t, az.AuthorizeOperation(ctx, staff("RP002"), OpUpdateClient), "RP002 holds CL004, under P_RE_002")
	err := az.Authorize(ctx, staff("RP002"), OpUpdateClient, Resource{TenantID: "t1", ClientID: "c9"})
	assert.ErrorIs(t, err, clientele.ErrForbidden, "... which the resource decision applies")
	err = az.AuthorizeOperation(ctx, staff("RP005"), OpUpdateClient)
	require.ErrorIs(t, err, clientele.ErrForbidden)
	assert.Contains(t, err.Error(), "no role of the principal grants CL004")
	p := staff("RP001")
	p.TenantID = "nope"
	assert.ErrorIs(t, az.AuthorizeOperation(ctx, p, OpViewClient), clientele.ErrForbidden)
	assert.ErrorIs(t, az.AuthorizeOperation(ctx, Principal{TenantID: "t1", Kind: Customer, Roles: []string{"RP001"}}, OpViewClient), clientele.ErrForbidden)

	require.NoError(t, store.SetOrg(Org{TenantID: "t1", Apps: map[string]string{AppRetail: "inactive"}, ClientPortal: true}))
	az.Invalidate("t1")
	err = az.AuthorizeOperation(ctx, staff("RP001"), OpViewClient)
	require.ErrorIs(t, err, clientele.ErrForbidden)
	assert.Contains(t, err.Error(), "P_RE_001")
	require.NoError(t, store.SetOrg(Org{TenantID: "t1", Apps: map[string]string{AppRetail: "active"}}))
	az.Invalidate("t1")
	err = az.AuthorizeOperation(ctx, Principal{TenantID: "t1", Kind: Customer, Roles: []string{RolePortalViewer}}, OpPortalListSavings)
	assert.ErrorIs(t, err, clientele.ErrPortalDisabled)

	// A tenant-wide policy on the resource waits for the resource.
	spec := RetailEngine()
	spec.Policies = append(spec.Policies, Policy{Code: "HQ", Name: "Head office only", Condition: "client.office eq hq", Operations: []Operation{OpViewClient}})
	cat, err := Compile(spec)
	require.NoError(t, err)
	assert.True(t, cat.HoldsOperation(staff("RP001"), activeRetail, OpViewClient).Allowed)
	assert.False(t, cat.Decide(staff("RP001"), activeRetail, OpViewClient, Resource{OfficeID: "branch"}).Allowed)

	cctx, cancel := context.WithCancel(ctx)
	cancel()
	assert.ErrorIs(t, az.AuthorizeOperation(cctx, staff("RP001"), OpViewClient), context.Canceled)
}

func TestDeniedErrorMessage(t *testing.T) {
	err := error(&DeniedError{Op: OpUpdateClient, UserID: "u1", TenantID: "t1", Decision: Decision{Reason: "why"}})
	assert.Equal(t, `authz: CL004 (Update Client Profile) denied to user "u1" of tenant "t1": why`, err.Error())
	assert.True(t, errors.Is(fmt.Errorf("clients: update: %w", err), clientele.ErrForbidden))
	assert.Equal(t, clientele.ErrForbidden, clientele.Kind(err))
}

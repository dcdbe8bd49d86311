package clients_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/associates"
	"github.com/clientele-go/clientele/authz"
	"github.com/clientele-go/clientele/clients"
	"github.com/clientele-go/clientele/internal/dbtest"
	"github.com/clientele-go/clientele/internal/testkit"
	"github.com/clientele-go/clientele/storage"
)

// TestServiceAuthorizes runs the service with the real authorizer on the Retail
// Engine preset: denied calls return ErrForbidden and change nothing.
func TestServiceAuthorizes(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		require.NoError(t, db.Tenants().Create(ctx, testkit.Tenant("t1")))
		require.NoError(t, db.Tenants().Create(ctx, testkit.Tenant("t2")))
		// The Retail Engine preset, except that its client permissions see
		// the whole tenant: this test is about operations and policies, not
		// about the data scope of associates (storage's TestClientScope…).
		spec := authz.RetailEngine()
		spec.TenantWidePermissions = append(spec.TenantWidePermissions, "clnt_list")
		cats := authz.NewMemoryStore()
		for _, id := range []string{"t1", "t2"} {
			require.NoError(t, cats.PutTenant(authz.Org{TenantID: id, Apps: map[string]string{"retail": "active"}}, spec))
		}
		az, err := authz.New(cats, cats)
		require.NoError(t, err)
		svc, err := clients.New(db.Clients(), az)
		require.NoError(t, err)

		admin := testkit.Staff("t1", "admin", authz.RetailAdministrator)
		officer := testkit.Staff("t1", "ro", authz.RetailRelationshipOfficer)
		compliance := testkit.Staff("t1", "co", authz.RetailComplianceOfficer)
		helpdesk := testkit.Staff("t1", "hd", authz.RetailHelpdeskOfficer)

		// The officer is an associate of a branch office (scope mode
		// branch): member.clients, in P_RE_002, are that office's clients.
		as, err := associates.New(db.Associates(), testkit.AllowAll{})
		require.NoError(t, err)
		branch, err := as.CreateOffice(ctx, admin, associates.NewOffice{Name: "Branch"})
		require.NoError(t, err)
		class, err := as.CreateClassification(ctx, admin, associates.NewClassification{Name: "Officer", Scope: associates.ScopeBranch})
		require.NoError(t, err)
		ro, err := as.CreateAssociate(ctx, admin, associates.NewAssociate{OfficeID: branch.ID, ClassificationID: class.ID, Name: "RO"})
		require.NoError(t, err)
		officer.AssociateID, officer.OfficeID = ro.ID, branch.ID

		assigned := testkit.Person("Assigned", "Client")
		assigned.OfficeID = branch.ID
		a, err := svc.Create(ctx, admin, assigned, "")
		require.NoError(t, err)
		other, err := svc.Create(ctx, admin, testkit.Person("Other", "Client"), "")
		require.NoError(t, err)

		_, err = svc.Create(ctx, helpdesk, testkit.Person("No", "Way"), "")
		assert.ErrorIs(t, err, clientele.ErrForbidden, "RP005 cannot create (CL003)")

		rename := func(c clients.Client, last string) clients.UpdateInput {
			in := clients.UpdateInput{Version: c.Version, Profile: c.Profile}
			person := *c.Individual
			person.LastName = last
			in.Individual = &person
			return in
		}
		// P_RE_002: RP002 updates only the clients in its associate's data
		// scope (member.clients), here looked up for a tenant-wide principal;
		// another client is answered as a missing one.
		_, err = svc.Update(ctx, officer, a.Reference, rename(a, "Renamed"))
		require.NoError(t, err)
		_, err = svc.Update(ctx, officer, other.Reference, rename(other, "Hijacked"))
		require.ErrorIs(t, err, clientele.ErrNotFound)
		assert.NotContains(t, err.Error(), "P_RE_002")
		got, err := svc.Get(ctx, admin, other.Reference)
		require.NoError(t, err)
		assert.Equal(t, other, got, "the denied update changed nothing")
		// RP003 holds the same permissions without the policy.
		_, err = svc.Update(ctx, compliance, other.Reference, rename(other, "Checked"))
		require.NoError(t, err)

		// Staff-owned clients also need the employee-account permission.
		staffIn := testkit.Person("Staff", "Member")
		staffIn.StaffAssociateID = "assoc-agent-7"
		_, err = svc.Create(ctx, admin, staffIn, "")
		assert.ErrorIs(t, err, clientele.ErrForbidden)
		_, err = svc.Update(ctx, compliance, a.Reference, func() clients.UpdateInput {
			in := rename(a, "X")
			in.Version = 2
			in.StaffAssociateID = "assoc-agent-7"
			return in
		}())
		assert.ErrorIs(t, err, clientele.ErrForbidden, "making a client staff-owned is checked against the new state")

		// Another tenant's principal sees nothing: t2 exists and its RP001 may view
		// clients, so the call reaches the read, which finds no such client in t2.
		outsider := testkit.Staff("t2", "x", authz.RetailAdministrator)
		_, err = svc.Get(ctx, outsider, a.Reference)
		require.ErrorIs(t, err, clientele.ErrNotFound)
		assert.NotErrorIs(t, err, clientele.ErrForbidden)
		_, err = svc.Update(ctx, outsider, a.Reference, rename(a, "Foreign"))
		require.ErrorIs(t, err, clientele.ErrNotFound)
		got, err = svc.Get(ctx, admin, a.Reference)
		require.NoError(t, err)
		assert.Equal(t, "Renamed", got.Individual.LastName, "the other tenant changed nothing")
	})
}

// sameError asserts that two errors, for two references, are the same error:
// the same kinds and the same text once the references are set aside.
func sameError(t *testing.T, a error, refA string, b error, refB string) {
	t.Helper()
	require.Error(t, a)
	require.Error(t, b)
	assert.Equal(t, strings.ReplaceAll(b.Error(), refB, "REF"), strings.ReplaceAll(a.Error(), refA, "REF"))
	for _, kind := range []error{clientele.ErrNotFound, clientele.ErrForbidden} {
		assert.Equal(t, errors.Is(b, kind), errors.Is(a, kind), "kind %v", kind)
	}
}

// TestNoClientExistenceOracle: for every principal, a real client it may not
// touch and a missing reference give the same error (issue 8, item 3). A
// principal without the operation is refused before anything is read.
func TestNoClientExistenceOracle(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		require.NoError(t, db.Tenants().Create(ctx, testkit.Tenant("t1")))
		// The Retail Engine preset plus a tenant-wide policy on the resource:
		// only head-office clients may be viewed.
		spec := authz.RetailEngine()
		spec.Policies = append(spec.Policies, authz.Policy{Code: "HQ", Name: "Head office clients only",
			Condition: "client.office eq head-office", Operations: []authz.Operation{authz.OpViewClient}})
		cats := authz.NewMemoryStore()
		require.NoError(t, cats.PutTenant(authz.Org{TenantID: "t1", Apps: map[string]string{"retail": "active"}, ClientPortal: true}, spec))
		az, err := authz.New(cats, cats)
		require.NoError(t, err)
		reads := &countingStore{Store: db.Clients()}
		svc, err := clients.New(reads, az)
		require.NoError(t, err)

		admin := testkit.Staff("t1", "admin", authz.RetailAdministrator)
		hq, err := svc.Create(ctx, admin, testkit.Person("Head", "Office"), "")
		require.NoError(t, err)
		branchIn := testkit.Person("Branch", "Client")
		branchIn.OfficeID = "branch-7"
		branch, err := svc.Create(ctx, admin, branchIn, "")
		require.NoError(t, err)
		const missing = "CMISSING1"

		helpdesk := testkit.Staff("t1", "hd", authz.RetailHelpdeskOfficer) // no CL002, no CL004
		borrower := authz.Principal{TenantID: "t1", UserID: "b1", Kind: authz.Customer, Roles: []string{authz.RolePortalTransactor}, ClientID: hq.ID}
		officer := testkit.Staff("t1", "ro", authz.RetailRelationshipOfficer) // CL004 only where assigned (P_RE_002)
		update := func(p authz.Principal, c clients.Client, ref string) error {
			_, err := svc.Update(ctx, p, ref, clients.UpdateInput{Version: c.Version, Profile: c.Profile})
			return err
		}

		// Without the operation: ErrForbidden either way, and nothing read.
		reads.n.Store(0)
		for _, p := range []authz.Principal{helpdesk, borrower} {
			_, errReal := svc.Get(ctx, p, hq.Reference)
			_, errMissing := svc.Get(ctx, p, missing)
			require.ErrorIs(t, errReal, clientele.ErrForbidden)
			sameError(t, errReal, hq.Reference, errMissing, missing)
			errReal, errMissing = update(p, hq, hq.Reference), update(p, hq, missing)
			require.ErrorIs(t, errReal, clientele.ErrForbidden)
			sameError(t, errReal, hq.Reference, errMissing, missing)
		}
		assert.Zero(t, reads.n.Load(), "a principal without the operation causes no read")

		// With the operation but not on this client: ErrNotFound, as missing.
		_, errReal := svc.Get(ctx, admin, branch.Reference)
		_, errMissing := svc.Get(ctx, admin, missing)
		require.ErrorIs(t, errReal, clientele.ErrNotFound)
		sameError(t, errReal, branch.Reference, errMissing, missing)
		errReal, errMissing = update(officer, hq, hq.Reference), update(officer, hq, missing)
		require.ErrorIs(t, errReal, clientele.ErrNotFound)
		sameError(t, errReal, hq.Reference, errMissing, missing)

		// What the principal may touch is still there.
		_, err = svc.Get(ctx, admin, hq.Reference)
		require.NoError(t, err)
	})
}

// countingStore counts the reads of one client.
type countingStore struct {
	clients.Store
	n atomic.Int64
}

func (c *countingStore) Get(ctx context.Context, tenantID, reference string, sc clients.Scope) (clients.Client, error) {
	c.n.Add(1)
	return c.Store.Get(ctx, tenantID, reference, sc)
}

package clients_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
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
		az, err := authz.New(db.Authz(), db.Authz())
		require.NoError(t, err)
		svc, err := clients.New(db.Clients(), az)
		require.NoError(t, err)

		admin := testkit.Staff("t1", "admin", "RP001")
		officer := testkit.Staff("t1", "ro", "RP002") // associate "assoc-ro"
		compliance := testkit.Staff("t1", "co", "RP003")
		helpdesk := testkit.Staff("t1", "hd", "RP005")

		assigned := testkit.Person("Assigned", "Client")
		assigned.AssignedAssociateIDs = []string{"assoc-ro"}
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
		// P_RE_002: RP002 updates only the clients assigned to it.
		_, err = svc.Update(ctx, officer, a.Reference, rename(a, "Renamed"))
		require.NoError(t, err)
		_, err = svc.Update(ctx, officer, other.Reference, rename(other, "Hijacked"))
		require.ErrorIs(t, err, clientele.ErrForbidden)
		assert.Contains(t, err.Error(), "P_RE_002")
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

		// Another tenant's principal sees nothing.
		_, err = svc.Get(ctx, testkit.Staff("t2", "x", "RP001"), a.Reference)
		assert.Error(t, err)
	})
}

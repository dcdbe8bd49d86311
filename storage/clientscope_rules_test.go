package storage_test

import (
	"context"
	"strings"
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

// as returns the scopeWorld actor name holding roles instead of RP003.
func (w *scopeWorld) actorWith(name string, roles ...string) authz.Principal {
	p := w.actor(name)
	p.Roles = roles
	return p
}

// rename updates the named client's last name as p.
func (w *scopeWorld) rename(t *testing.T, p authz.Principal, name, last string) (clients.Client, error) {
	t.Helper()
	return w.update(t, p, name, func(in *clients.UpdateInput) {
		person := *in.Individual
		person.LastName = last
		in.Individual = &person
	})
}

// update applies edit to the named client's current profile, as p.
func (w *scopeWorld) update(t *testing.T, p authz.Principal, name string, edit func(*clients.UpdateInput)) (clients.Client, error) {
	t.Helper()
	cur, err := w.cs.Get(context.Background(), w.admin, w.refs[name])
	require.NoError(t, err)
	in := clients.UpdateInput{Version: cur.Version, Profile: cur.Profile}
	edit(&in)
	return w.cs.Update(context.Background(), p, w.refs[name], in)
}

// P_RE_002 ("role eq RP002 AND member.clients contain {client}") through
// clients.Service with the real authorizer and the Retail Engine preset:
// member.clients is the data scope of the RP002's associate (its office
// subtree when branch-scoped; the clients linked to it or below it when
// restricted), not the client's assignedAssociateIds. A client outside it is
// ErrNotFound with the text of a missing one.
func TestMemberClientsIsTheAssociatesScope(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newScopeWorld(t, db)
		mgr := w.actorWith("mgr", authz.RetailRelationshipOfficer)       // branch, at R1
		parent := w.actorWith("parent", authz.RetailRelationshipOfficer) // restricted
		for _, tc := range []struct {
			p       authz.Principal
			in, out []string
		}{
			{mgr, []string{"inB1", "inB2"}, []string{"inR2", "ofChild", "ofParent"}},
			{parent, []string{"ofChild", "ofParent"}, []string{"inB1", "inB2", "inR2"}},
		} {
			for _, name := range tc.in {
				c, err := w.rename(t, tc.p, name, "Renamed")
				require.NoError(t, err, "%s updates %s, in its scope", tc.p.UserID, name)
				assert.Equal(t, "Renamed", c.Individual.LastName)
				assert.Empty(t, c.AssignedAssociateIDs, "no assignment needed")
			}
			for _, name := range tc.out {
				_, err := w.rename(t, tc.p, name, "Hijacked")
				require.ErrorIs(t, err, clientele.ErrNotFound, "%s updates %s", tc.p.UserID, name)
				_, missing := w.cs.Update(context.Background(), tc.p, "CMISSING1", clients.UpdateInput{Version: 1})
				sameText(t, err, w.refs[name], missing, "CMISSING1")
			}
		}
	})
}

func sameText(t *testing.T, a error, refA string, b error, refB string) {
	t.Helper()
	require.Error(t, a)
	require.Error(t, b)
	assert.Equal(t, strings.ReplaceAll(b.Error(), refB, "REF"), strings.ReplaceAll(a.Error(), refA, "REF"))
}

// A scoped principal cannot move a client out of its scope, nor create one
// outside it: an officeId outside its associate's office subtree, and one
// that names no office at all, are the same problem ("officeId", one text).
// A restricted associate's new client is linked to it in the same
// transaction, so it stays in its own view (and its parent's). Tenant-wide
// principals are not limited.
func TestScopedPrincipalKeepsClientsInScope(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		w := newScopeWorld(t, db)
		// A role that creates clients without seeing the whole tenant: the
		// Retail Engine preset with one more permission and role.
		spec := authz.RetailEngine()
		spec.Permissions = append(spec.Permissions, authz.Permission{Code: "clnt_create", Name: "Create Clients",
			Type: authz.Backoffice, Operations: []authz.Operation{authz.OpCreateClient}})
		spec.Roles = append(spec.Roles, authz.Role{Code: "RX001", Name: "Client Maker", Type: authz.Backoffice,
			Permissions: []string{"clnt_list", "clnt_read_updt", "clnt_create"}})
		cats := authz.NewMemoryStore()
		require.NoError(t, cats.PutTenant(authz.Org{TenantID: "bank", Apps: map[string]string{authz.AppRetail: "active"}}, spec))
		az, err := authz.New(cats, cats)
		require.NoError(t, err)
		w.cs, err = clients.New(db.Clients(), az)
		require.NoError(t, err)
		maker := func(name string) authz.Principal { return w.actorWith(name, "RX001") }

		assertOutside := func(t *testing.T, err error) string {
			t.Helper()
			require.ErrorIs(t, err, clientele.ErrInvalid)
			var verr *clientele.ValidationError
			require.ErrorAs(t, err, &verr)
			require.Len(t, verr.Problems, 1)
			assert.Equal(t, "officeId", verr.Problems[0].Field)
			return verr.Problems[0].Message
		}
		moveTo := func(office string) func(*clients.UpdateInput) {
			return func(in *clients.UpdateInput) { in.OfficeID = office }
		}
		const nowhere = "01937000-0000-7000-8000-00000000dead"

		// Update: the branch manager (R1) moves within R1, not out of it.
		_, err = w.update(t, maker("mgr"), "inB1", moveTo(w.offices["B2"].ID))
		require.NoError(t, err)
		outside := assertOutside(t, func() error { _, err := w.update(t, maker("mgr"), "inB1", moveTo(w.offices["R2"].ID)); return err }())
		missing := assertOutside(t, func() error { _, err := w.update(t, maker("mgr"), "inB1", moveTo(nowhere)); return err }())
		assert.Equal(t, outside, missing, "no office-existence oracle")
		// The restricted parent (at B1) edits a linked client of another
		// office, but moves it only under its own office.
		_, err = w.rename(t, maker("parent"), "ofChild", "Edited")
		require.NoError(t, err, "an office that does not change is not checked")
		assertOutside(t, func() error {
			_, err := w.update(t, maker("parent"), "ofChild", moveTo(w.offices["R1"].ID))
			return err
		}())
		_, err = w.update(t, maker("parent"), "ofChild", moveTo(w.offices["B1"].ID))
		require.NoError(t, err)
		// Tenant-wide: anywhere.
		_, err = w.update(t, w.admin, "inB1", moveTo(w.offices["R2"].ID))
		require.NoError(t, err)

		// Create.
		in := testkit.Person("Made", "ByManager")
		in.OfficeID = w.offices["R2"].ID
		_, err = w.cs.Create(ctx, maker("mgr"), in, "")
		assert.Equal(t, outside, assertOutside(t, err))
		in.OfficeID = nowhere
		_, err = w.cs.Create(ctx, maker("mgr"), in, "")
		assert.Equal(t, outside, assertOutside(t, err))
		in.OfficeID = w.offices["B2"].ID
		_, err = w.cs.Create(ctx, maker("mgr"), in, "")
		require.NoError(t, err)
		assert.Contains(t, w.seen(t, maker("mgr"), "", 50), "Made")

		agentIn := testkit.Person("Onboarded", "ByAgent")
		agentIn.OfficeID = w.offices["R1"].ID
		_, err = w.cs.Create(ctx, maker("child"), agentIn, "")
		assertOutside(t, err)
		agentIn.OfficeID = w.offices["B1"].ID
		c, err := w.cs.Create(ctx, maker("child"), agentIn, "")
		require.NoError(t, err)
		assert.Contains(t, w.seen(t, maker("child"), "", 50), "Onboarded", "linked to its creator")
		assert.Contains(t, w.seen(t, maker("parent"), "", 50), "Onboarded", "and so in its parent's scope")
		assert.NotContains(t, w.seen(t, maker("sibling"), "", 50), "Onboarded")
		links, err := w.as.EntityLinks(ctx, w.sec, associates.Entity{Kind: associates.EntityClient, ID: c.ID}, associates.ListRequest{})
		require.NoError(t, err)
		require.Len(t, links.Items, 1)
		assert.Equal(t, w.assoc["child"].ID, links.Items[0].AssociateID)

		// A principal with no associate (and not tenant-wide) creates nowhere.
		none := authz.Principal{TenantID: "bank", UserID: "nobody", Kind: authz.Backoffice, Roles: []string{"RX001"}}
		_, err = w.cs.Create(ctx, none, agentIn, "")
		assert.Equal(t, outside, assertOutside(t, err))
	})
}

package associates_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/associates"
	"github.com/clientele-go/clientele/authz"
	"github.com/clientele-go/clientele/internal/dbtest"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/tenants"
)

// fixture is a service on db with two tenants ("bank" and "other") and an
// associate administrator (RA001) in each.
type fixture struct {
	db         *storage.DB
	svc        *associates.Service
	admin      authz.Principal // of "bank"
	otherAdmin authz.Principal // of "other"
}

func setup(t *testing.T, db *storage.DB) fixture {
	t.Helper()
	ctx := context.Background()
	for _, id := range []string{"bank", "other"} {
		require.NoError(t, db.Tenants().Create(ctx, tenants.Tenant{ID: id, Name: id, Preset: authz.PresetRetailEngine,
			Apps: map[authz.App]authz.AppState{authz.AppRetail: authz.AppActive}}))
	}
	az, err := authz.New(db.Authz(), db.Authz())
	require.NoError(t, err)
	svc, err := associates.New(db.Associates(), az)
	require.NoError(t, err)
	admin := func(tenant string) authz.Principal {
		return authz.Principal{TenantID: tenant, UserID: "admin-" + tenant, Kind: authz.Backoffice, Roles: []string{authz.RoleSecurityAdmin}}
	}
	return fixture{db: db, svc: svc, admin: admin("bank"), otherAdmin: admin("other")}
}

func (f fixture) office(t *testing.T, name, parent string) associates.Office {
	t.Helper()
	o, err := f.svc.CreateOffice(context.Background(), f.admin, associates.NewOffice{Name: name, ParentID: parent})
	require.NoError(t, err)
	return o
}

func (f fixture) classification(t *testing.T) associates.Classification {
	t.Helper()
	c, err := f.svc.CreateClassification(context.Background(), f.admin, associates.NewClassification{
		Name: "Agent", Scope: associates.ScopeRestricted,
		Fields: []associates.Field{{Name: "region", Type: associates.FieldEnum, Required: true, Values: []string{"north", "south"}}},
	})
	require.NoError(t, err)
	return c
}

func (f fixture) associate(t *testing.T, office, class, parent, name string) associates.Associate {
	t.Helper()
	a, err := f.svc.CreateAssociate(context.Background(), f.admin, associates.NewAssociate{OfficeID: office, ClassificationID: class,
		ParentID: parent, Name: name, Data: map[string]any{"region": "north"}})
	require.NoError(t, err)
	return a
}

func officeIDs(t *testing.T, f fixture, root string) []string {
	t.Helper()
	var ids []string
	req := associates.ListRequest{Limit: 2} // several pages
	for {
		page, err := f.svc.ListOffices(context.Background(), f.admin, root, req)
		require.NoError(t, err)
		for _, o := range page.Items {
			ids = append(ids, o.ID)
		}
		if page.NextCursor == "" {
			return ids
		}
		req.Cursor = page.NextCursor
	}
}

func associateIDs(t *testing.T, f fixture, root string) []string {
	t.Helper()
	page, err := f.svc.ListAssociates(context.Background(), f.admin, root, associates.ListRequest{Limit: associates.MaxPageSize})
	require.NoError(t, err)
	var ids []string
	for _, a := range page.Items {
		ids = append(ids, a.ID)
	}
	return ids
}

// The office tree: a subtree listing in pages, a move carrying its whole
// subtree, a move under the office's own subtree refused, a close refused
// while the office holds an open child or an active associate.
func TestOfficeTree(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		f := setup(t, db)
		head := f.office(t, "Head office", "")
		north := f.office(t, "North", head.ID)
		south := f.office(t, "South", head.ID)
		n1 := f.office(t, "North 1", north.ID)
		n2 := f.office(t, "North 2", north.ID)
		n11 := f.office(t, "North 1 a", n1.ID)
		other := f.office(t, "Elsewhere", "")

		assert.Equal(t, []string{head.ID, north.ID, south.ID, n1.ID, n2.ID, n11.ID}, officeIDs(t, f, head.ID))
		assert.Equal(t, []string{north.ID, n1.ID, n2.ID, n11.ID}, officeIDs(t, f, north.ID))
		assert.Equal(t, []string{head.ID, north.ID, south.ID, n1.ID, n2.ID, n11.ID, other.ID}, officeIDs(t, f, ""))

		// Under its own subtree, or itself: refused, nothing written.
		for _, target := range []string{north.ID, n1.ID, n11.ID} {
			_, err := f.svc.MoveOffice(ctx, f.admin, north.ID, north.Version, target)
			require.ErrorIs(t, err, clientele.ErrPrecondition, target)
		}
		got, err := f.svc.GetOffice(ctx, f.admin, north.ID)
		require.NoError(t, err)
		assert.Equal(t, north, got)

		// North with its subtree moves under South.
		moved, err := f.svc.MoveOffice(ctx, f.admin, north.ID, north.Version, south.ID)
		require.NoError(t, err)
		assert.Equal(t, south.ID, moved.ParentID)
		assert.Equal(t, north.Version+1, moved.Version)
		assert.Equal(t, []string{north.ID, south.ID, n1.ID, n2.ID, n11.ID}, officeIDs(t, f, south.ID))
		assert.Equal(t, []string{north.ID, n1.ID, n2.ID, n11.ID}, officeIDs(t, f, north.ID))
		// … and then to the top.
		moved, err = f.svc.MoveOffice(ctx, f.admin, north.ID, moved.Version, "")
		require.NoError(t, err)
		assert.Empty(t, moved.ParentID)
		assert.Equal(t, []string{south.ID}, officeIDs(t, f, south.ID))
		assert.Equal(t, []string{north.ID, n1.ID, n2.ID, n11.ID}, officeIDs(t, f, north.ID))
		assert.Equal(t, []string{head.ID, south.ID}, officeIDs(t, f, head.ID))
		// A stale version is refused.
		_, err = f.svc.MoveOffice(ctx, f.admin, north.ID, north.Version, head.ID)
		require.ErrorIs(t, err, clientele.ErrConflict)

		// Close: refused with an open child, then with an active associate.
		_, err = f.svc.CloseOffice(ctx, f.admin, n1.ID, n1.Version)
		require.ErrorIs(t, err, clientele.ErrPrecondition)
		assert.Contains(t, err.Error(), "open child office")
		n11, err = f.svc.CloseOffice(ctx, f.admin, n11.ID, n11.Version)
		require.NoError(t, err)
		assert.Equal(t, associates.OfficeClosed, n11.State)
		c := f.classification(t)
		a := f.associate(t, n1.ID, c.ID, "", "Ann")
		_, err = f.svc.CloseOffice(ctx, f.admin, n1.ID, n1.Version)
		require.ErrorIs(t, err, clientele.ErrPrecondition)
		assert.Contains(t, err.Error(), "active associate")
		_, err = f.svc.Deactivate(ctx, f.admin, a.ID, a.Version)
		require.NoError(t, err)
		closed, err := f.svc.CloseOffice(ctx, f.admin, n1.ID, n1.Version)
		require.NoError(t, err)
		assert.Equal(t, associates.OfficeClosed, closed.State)
		// Nothing goes into a closed office.
		_, err = f.svc.CreateOffice(ctx, f.admin, associates.NewOffice{Name: "x", ParentID: n1.ID})
		require.ErrorIs(t, err, clientele.ErrPrecondition)
		_, err = f.svc.CreateAssociate(ctx, f.admin, associates.NewAssociate{OfficeID: n1.ID, ClassificationID: c.ID, Name: "Bo", Data: map[string]any{"region": "south"}})
		require.ErrorIs(t, err, clientele.ErrPrecondition)

		log, err := db.AuditLog(ctx, "bank", associates.AuditOffice, north.ID, 10)
		require.NoError(t, err)
		require.Len(t, log, 3, "create and two moves; the refused moves wrote nothing")
		assert.Equal(t, string(authz.OpUpdateOffice), log[1].Operation)
		assert.Equal(t, []string{"parentId"}, log[1].Changed)
		assert.Equal(t, "admin-bank", log[1].Actor)
	})
}

// The associate hierarchy: "me and everyone below me" is a subtree, a
// re-parent carries the subtree, a cycle is refused.
func TestAssociateHierarchy(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		f := setup(t, db)
		o := f.office(t, "Branch", "")
		c := f.classification(t)
		kiva := f.associate(t, o.ID, c.ID, "", "Kiva")
		agent1 := f.associate(t, o.ID, c.ID, kiva.ID, "Agent 1")
		agent2 := f.associate(t, o.ID, c.ID, kiva.ID, "Agent 2")
		sub := f.associate(t, o.ID, c.ID, agent1.ID, "Sub-agent")
		lone := f.associate(t, o.ID, c.ID, "", "Lone")

		assert.Equal(t, []string{kiva.ID, agent1.ID, agent2.ID, sub.ID}, associateIDs(t, f, kiva.ID))
		assert.Equal(t, []string{agent1.ID, sub.ID}, associateIDs(t, f, agent1.ID))

		for _, target := range []string{kiva.ID, agent1.ID, sub.ID} {
			_, err := f.svc.SetParent(ctx, f.admin, kiva.ID, kiva.Version, target)
			require.ErrorIs(t, err, clientele.ErrPrecondition, "a cycle through %s", target)
		}
		moved, err := f.svc.SetParent(ctx, f.admin, agent1.ID, agent1.Version, lone.ID)
		require.NoError(t, err)
		assert.Equal(t, lone.ID, moved.ParentID)
		assert.Equal(t, []string{kiva.ID, agent2.ID}, associateIDs(t, f, kiva.ID))
		assert.Equal(t, []string{agent1.ID, sub.ID, lone.ID}, associateIDs(t, f, lone.ID))
		// A child of the moved associate is found under its new ancestor and
		// may not become the ancestor's parent.
		_, err = f.svc.SetParent(ctx, f.admin, lone.ID, lone.Version, sub.ID)
		require.ErrorIs(t, err, clientele.ErrPrecondition)

		// An inactive associate gets no children.
		lone2 := f.associate(t, o.ID, c.ID, "", "Lone 2")
		_, err = f.svc.Deactivate(ctx, f.admin, lone2.ID, lone2.Version)
		require.NoError(t, err)
		_, err = f.svc.CreateAssociate(ctx, f.admin, associates.NewAssociate{OfficeID: o.ID, ClassificationID: c.ID,
			ParentID: lone2.ID, Name: "x", Data: map[string]any{"region": "north"}})
		require.ErrorIs(t, err, clientele.ErrPrecondition)
		// A missing parent names the field.
		_, err = f.svc.SetParent(ctx, f.admin, sub.ID, sub.Version, "01890a5d-ac96-774b-bcce-b302099a8057")
		var verr *clientele.ValidationError
		require.ErrorAs(t, err, &verr)
		assert.Equal(t, "parentId", verr.Problems[0].Field)
	})
}

// Associates: create validates the data table, update is version-checked
// (a stale version writes nothing), transfer, agent tag, audit entries.
func TestAssociateLifecycle(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		f := setup(t, db)
		o := f.office(t, "Branch", "")
		o2 := f.office(t, "Branch 2", "")
		c := f.classification(t)

		_, err := f.svc.CreateAssociate(ctx, f.admin, associates.NewAssociate{OfficeID: o.ID, ClassificationID: c.ID, Name: "Ann",
			Data: map[string]any{"region": "west", "shoe": 42}})
		var verr *clientele.ValidationError
		require.ErrorAs(t, err, &verr)
		var fields []string
		for _, p := range verr.Problems {
			fields = append(fields, p.Field)
		}
		assert.Equal(t, []string{"data.shoe", "data.region"}, fields)

		a := f.associate(t, o.ID, c.ID, "", "Ann")
		got, err := f.svc.GetAssociate(ctx, f.admin, a.ID)
		require.NoError(t, err)
		assert.Equal(t, a, got)

		// Numbers come back as they read back from the store, whatever their
		// Go type going in.
		scored, err := f.svc.CreateClassification(ctx, f.admin, associates.NewClassification{Name: "Scored", Scope: associates.ScopeBranch,
			Fields: []associates.Field{{Name: "score", Type: associates.FieldNumber}}})
		require.NoError(t, err)
		b, err := f.svc.CreateAssociate(ctx, f.admin, associates.NewAssociate{OfficeID: o.ID, ClassificationID: scored.ID, Name: "Bo",
			Data: map[string]any{"score": 7}})
		require.NoError(t, err)
		assert.Equal(t, map[string]any{"score": 7.0}, b.Data)
		got, err = f.svc.GetAssociate(ctx, f.admin, b.ID)
		require.NoError(t, err)
		assert.Equal(t, b, got)
		// A classification name is unique in its tenant.
		_, err = f.svc.CreateClassification(ctx, f.admin, associates.NewClassification{Name: "Scored", Scope: associates.ScopeRestricted})
		require.ErrorIs(t, err, clientele.ErrConflict)
		_, err = f.svc.CreateClassification(ctx, f.otherAdmin, associates.NewClassification{Name: "Scored", Scope: associates.ScopeRestricted})
		require.NoError(t, err, "another tenant may use the name")

		name, email := "Ann Smith", "ann@bank.example"
		updated, err := f.svc.UpdateAssociate(ctx, f.admin, a.ID, associates.Change{Version: a.Version, Name: &name, Email: &email})
		require.NoError(t, err)
		assert.Equal(t, a.Version+1, updated.Version)
		assert.Equal(t, name, updated.Name)

		// Stale: refused, nothing written.
		other := "Someone Else"
		_, err = f.svc.UpdateAssociate(ctx, f.admin, a.ID, associates.Change{Version: a.Version, Name: &other})
		require.ErrorIs(t, err, clientele.ErrConflict)
		got, err = f.svc.GetAssociate(ctx, f.admin, a.ID)
		require.NoError(t, err)
		assert.Equal(t, updated, got)

		bad := map[string]any{"region": 3}
		_, err = f.svc.UpdateAssociate(ctx, f.admin, a.ID, associates.Change{Version: updated.Version, Data: &bad})
		require.ErrorAs(t, err, &verr)
		assert.Equal(t, "data.region", verr.Problems[0].Field)

		tagged, err := f.svc.SetAgent(ctx, f.admin, a.ID, updated.Version, true)
		require.NoError(t, err)
		assert.True(t, tagged.Agent)
		moved, err := f.svc.Transfer(ctx, f.admin, a.ID, tagged.Version, o2.ID)
		require.NoError(t, err)
		assert.Equal(t, o2.ID, moved.OfficeID)
		inactive, err := f.svc.Deactivate(ctx, f.admin, a.ID, moved.Version)
		require.NoError(t, err)
		assert.Equal(t, associates.Inactive, inactive.State)
		_, err = f.svc.Transfer(ctx, f.admin, a.ID, inactive.Version, o.ID)
		require.ErrorIs(t, err, clientele.ErrPrecondition)

		log, err := db.AuditLog(ctx, "bank", associates.AuditAssociate, a.ID, 20)
		require.NoError(t, err)
		var ops [][]string
		for _, e := range log {
			ops = append(ops, append([]string{e.Operation}, e.Changed...))
		}
		assert.Equal(t, [][]string{
			{"AS008", "officeId", "classificationId", "name", "state", "data"},
			{"AS009", "name", "email"},
			{"AS009", "agent"},
			{"AS009", "officeId"},
			{"AS010", "state"},
		}, ops)
	})
}

// Links: many associates per entity, idempotent, listed both ways; an
// inactive associate is not linked.
func TestLinks(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		f := setup(t, db)
		o := f.office(t, "Branch", "")
		c := f.classification(t)
		officer := f.associate(t, o.ID, c.ID, "", "Loan officer")
		kiva := f.associate(t, o.ID, c.ID, "", "Kiva")
		center := associates.Entity{Kind: associates.EntityCenter, ID: "center-7"}

		l1, err := f.svc.Link(ctx, f.admin, officer.ID, center)
		require.NoError(t, err)
		again, err := f.svc.Link(ctx, f.admin, officer.ID, center)
		require.NoError(t, err)
		assert.Equal(t, l1, again, "linking twice returns the first link")
		l2, err := f.svc.Link(ctx, f.admin, kiva.ID, center)
		require.NoError(t, err)
		_, err = f.svc.Link(ctx, f.admin, kiva.ID, associates.Entity{Kind: associates.EntityLoan, ID: "loan-1"})
		require.NoError(t, err)

		page, err := f.svc.EntityLinks(ctx, f.admin, center, associates.ListRequest{})
		require.NoError(t, err)
		assert.Equal(t, []associates.Link{l1, l2}, page.Items)
		page, err = f.svc.AssociateLinks(ctx, f.admin, kiva.ID, associates.ListRequest{Limit: 1})
		require.NoError(t, err)
		assert.Equal(t, []associates.Link{l2}, page.Items)
		require.NotEmpty(t, page.NextCursor)

		removed, err := f.svc.Unlink(ctx, f.admin, officer.ID, center)
		require.NoError(t, err)
		assert.True(t, removed)
		removed, err = f.svc.Unlink(ctx, f.admin, officer.ID, center)
		require.NoError(t, err)
		assert.False(t, removed)
		log, err := db.AuditLog(ctx, "bank", associates.AuditAssociate, officer.ID, 10)
		require.NoError(t, err)
		require.Len(t, log, 3, "create, one link, one unlink")
		assert.JSONEq(t, `{"kind":"center","id":"center-7"}`, string(log[1].After))
		assert.JSONEq(t, `{"kind":"center","id":"center-7"}`, string(log[2].Before))

		_, err = f.svc.Deactivate(ctx, f.admin, kiva.ID, kiva.Version)
		require.NoError(t, err)
		_, err = f.svc.Link(ctx, f.admin, kiva.ID, associates.Entity{Kind: associates.EntityClient, ID: "c-1"})
		require.ErrorIs(t, err, clientele.ErrPrecondition)
		_, err = f.svc.Link(ctx, f.admin, officer.ID, associates.Entity{Kind: "office", ID: "x"})
		require.ErrorIs(t, err, clientele.ErrInvalid)
	})
}

// Nothing of another tenant is readable or changeable: it is ErrNotFound,
// as a missing one; references to it are missing references.
func TestTenantIsolation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		f := setup(t, db)
		o := f.office(t, "Branch", "")
		c := f.classification(t)
		a := f.associate(t, o.ID, c.ID, "", "Ann")
		_, err := f.svc.Link(ctx, f.admin, a.ID, associates.Entity{Kind: associates.EntityClient, ID: "c-1"})
		require.NoError(t, err)
		p := f.otherAdmin

		_, err = f.svc.GetOffice(ctx, p, o.ID)
		assert.ErrorIs(t, err, clientele.ErrNotFound)
		_, err = f.svc.ListOffices(ctx, p, o.ID, associates.ListRequest{})
		assert.ErrorIs(t, err, clientele.ErrNotFound)
		_, err = f.svc.RenameOffice(ctx, p, o.ID, o.Version, "x")
		assert.ErrorIs(t, err, clientele.ErrNotFound)
		_, err = f.svc.MoveOffice(ctx, p, o.ID, o.Version, "")
		assert.ErrorIs(t, err, clientele.ErrNotFound)
		_, err = f.svc.CloseOffice(ctx, p, o.ID, o.Version)
		assert.ErrorIs(t, err, clientele.ErrNotFound)
		_, err = f.svc.GetClassification(ctx, p, c.ID)
		assert.ErrorIs(t, err, clientele.ErrNotFound)
		_, err = f.svc.GetAssociate(ctx, p, a.ID)
		assert.ErrorIs(t, err, clientele.ErrNotFound)
		_, err = f.svc.ListAssociates(ctx, p, a.ID, associates.ListRequest{})
		assert.ErrorIs(t, err, clientele.ErrNotFound)
		_, err = f.svc.Deactivate(ctx, p, a.ID, a.Version)
		assert.ErrorIs(t, err, clientele.ErrNotFound)
		_, err = f.svc.SetParent(ctx, p, a.ID, a.Version, "")
		assert.ErrorIs(t, err, clientele.ErrNotFound)
		_, err = f.svc.Link(ctx, p, a.ID, associates.Entity{Kind: associates.EntityClient, ID: "c-2"})
		assert.ErrorIs(t, err, clientele.ErrNotFound)
		_, err = f.svc.AssociateLinks(ctx, p, a.ID, associates.ListRequest{})
		assert.ErrorIs(t, err, clientele.ErrNotFound)

		for _, list := range []func() (int, error){
			func() (int, error) {
				pg, err := f.svc.ListOffices(ctx, p, "", associates.ListRequest{})
				return len(pg.Items), err
			},
			func() (int, error) {
				pg, err := f.svc.ListClassifications(ctx, p, associates.ListRequest{})
				return len(pg.Items), err
			},
			func() (int, error) {
				pg, err := f.svc.ListAssociates(ctx, p, "", associates.ListRequest{})
				return len(pg.Items), err
			},
			func() (int, error) {
				pg, err := f.svc.EntityLinks(ctx, p, associates.Entity{Kind: associates.EntityClient, ID: "c-1"}, associates.ListRequest{})
				return len(pg.Items), err
			},
		} {
			n, err := list()
			require.NoError(t, err)
			assert.Zero(t, n)
		}

		// The other tenant's office and classification are missing references.
		oo, err := f.svc.CreateOffice(ctx, p, associates.NewOffice{Name: "Theirs"})
		require.NoError(t, err)
		_, err = f.svc.CreateAssociate(ctx, p, associates.NewAssociate{OfficeID: oo.ID, ClassificationID: c.ID, Name: "x"})
		assert.ErrorIs(t, err, clientele.ErrInvalid)
		_, err = f.svc.CreateOffice(ctx, p, associates.NewOffice{Name: "Under theirs", ParentID: o.ID})
		assert.ErrorIs(t, err, clientele.ErrInvalid)
		_, err = f.svc.Transfer(ctx, f.admin, a.ID, a.Version, oo.ID)
		assert.ErrorIs(t, err, clientele.ErrInvalid)
	})
}

// Authorization comes first: a principal without associate_admin is refused
// before anything is read, even for an ID that does not exist.
func TestAuthorizeFirst(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		f := setup(t, db)
		officer := authz.Principal{TenantID: "bank", UserID: "ro", Kind: authz.Backoffice, Roles: []string{authz.RetailRelationshipOfficer}}
		customer := authz.Principal{TenantID: "bank", UserID: "cu", Kind: authz.Customer, Roles: []string{authz.RolePortalViewer}}
		for _, p := range []authz.Principal{officer, customer, {}} {
			_, err := f.svc.CreateOffice(ctx, p, associates.NewOffice{Name: "x"})
			assert.ErrorIs(t, err, clientele.ErrForbidden)
			_, err = f.svc.GetAssociate(ctx, p, "not-an-id")
			assert.ErrorIs(t, err, clientele.ErrForbidden)
			_, err = f.svc.CreateClassification(ctx, p, associates.NewClassification{})
			assert.ErrorIs(t, err, clientele.ErrForbidden, "refused before the input is checked")
		}
		page, err := f.svc.ListOffices(ctx, f.admin, "", associates.ListRequest{})
		require.NoError(t, err)
		assert.Empty(t, page.Items)
	})
}

// Two concurrent moves that would together form a cycle (A under B, B under
// A) never both succeed, in either tree, and the tree stays a tree.
func TestConcurrentMovesKeepATree(t *testing.T) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		f := setup(t, db)
		root := f.office(t, "Root", "")
		c := f.classification(t)
		for round := range 4 {
			a := f.office(t, "A", root.ID)
			b := f.office(t, "B", root.ID)
			errs := race(func() error { _, err := f.svc.MoveOffice(ctx, f.admin, a.ID, a.Version, b.ID); return err },
				func() error { _, err := f.svc.MoveOffice(ctx, f.admin, b.ID, b.Version, a.ID); return err })
			assertOneWins(t, errs, round)
			// Both are still in root's subtree: no cycle cut them off.
			ids := officeIDs(t, f, root.ID)
			assert.Contains(t, ids, a.ID)
			assert.Contains(t, ids, b.ID)

			x := f.associate(t, root.ID, c.ID, "", "X")
			y := f.associate(t, root.ID, c.ID, "", "Y")
			errs = race(func() error { _, err := f.svc.SetParent(ctx, f.admin, x.ID, x.Version, y.ID); return err },
				func() error { _, err := f.svc.SetParent(ctx, f.admin, y.ID, y.Version, x.ID); return err })
			assertOneWins(t, errs, round)
			under := append(associateIDs(t, f, x.ID), associateIDs(t, f, y.ID)...)
			assert.ElementsMatch(t, []string{x.ID, y.ID}, dedupe(under), "one is the other's parent")
		}
	})
}

func race(fns ...func() error) []error {
	errs := make([]error, len(fns))
	var start, done sync.WaitGroup
	start.Add(1)
	for i, fn := range fns {
		done.Add(1)
		go func() {
			defer done.Done()
			start.Wait()
			errs[i] = fn()
		}()
	}
	start.Done()
	done.Wait()
	return errs
}

func assertOneWins(t *testing.T, errs []error, round int) {
	t.Helper()
	var ok int
	for _, err := range errs {
		if err == nil {
			ok++
			continue
		}
		assert.True(t, errors.Is(err, clientele.ErrPrecondition), "round %d: %v", round, err)
	}
	assert.Equal(t, 1, ok, "round %d: exactly one of the two succeeds: %v", round, errs)
}

func dedupe(ids []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// Closing an office while an associate is created in it: exactly one
// succeeds, so a closed office never holds an active associate.
func TestConcurrentCloseAndCreate(t *testing.T) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		f := setup(t, db)
		c := f.classification(t)
		for round := range 4 {
			o := f.office(t, "Branch", "")
			errs := race(func() error { _, err := f.svc.CloseOffice(ctx, f.admin, o.ID, o.Version); return err },
				func() error {
					_, err := f.svc.CreateAssociate(ctx, f.admin, associates.NewAssociate{OfficeID: o.ID, ClassificationID: c.ID,
						Name: "Ann", Data: map[string]any{"region": "north"}})
					return err
				})
			assertOneWins(t, errs, round)
			got, err := f.svc.GetOffice(ctx, f.admin, o.ID)
			require.NoError(t, err)
			staff, err := f.svc.ListAssociates(ctx, f.admin, "", associates.ListRequest{Limit: associates.MaxPageSize})
			require.NoError(t, err)
			var here int
			for _, a := range staff.Items {
				if a.OfficeID == o.ID && a.State == associates.Active {
					here++
				}
			}
			assert.False(t, got.State == associates.OfficeClosed && here > 0, "round %d: a closed office holds %d active associates", round, here)
		}
	})
}

package storage_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/authz"
	"github.com/clientele-go/clientele/internal/dbtest"
	"github.com/clientele-go/clientele/internal/testkit"
	"github.com/clientele-go/clientele/storage"
)

// operatorIs says that the user with this ID is the node operator.
type operatorIs string

func (o operatorIs) IsNodeOperator(_ context.Context, p authz.Principal) (bool, error) {
	return p.UserID == string(o), nil
}

// TestRoleServiceNoEscalation attacks the role service on the stored catalogue:
// an actor puts into a role only permissions it holds outright, never edits a
// role it holds, and only the node operator is exempt (issue 8, item 2).
func TestRoleServiceNoEscalation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		require.NoError(t, db.Tenants().Create(ctx, testkit.Tenant("t1")))
		az, err := authz.New(db.Authz(), db.Authz())
		require.NoError(t, err)
		svc, err := authz.NewRoleService(db.Authz(), az, authz.WithNodeOperators(operatorIs("op")))
		require.NoError(t, err)

		sec := testkit.Staff("t1", "sec", authz.RoleSecurityAdmin)             // role_admin, user_admin
		officer := testkit.Staff("t1", "ro", authz.RoleSecurityAdmin, "RP002") // + clnt_list, clnt_read_updt under P_RE_002
		op := testkit.Staff("t1", "op", authz.RoleSecurityAdmin)               // the node operator
		bo := func(code string, perms ...string) authz.Role {
			return authz.Role{Code: code, Name: "Role " + code, Type: authz.Backoffice, Permissions: perms}
		}

		// Creating a role with a permission the actor lacks.
		_, err = svc.CreateRole(ctx, sec, bo("X1", "clnt_mgmt_admin"))
		require.ErrorIs(t, err, clientele.ErrForbidden)
		assert.Contains(t, err.Error(), "clnt_mgmt_admin")
		_, err = svc.CreateRole(ctx, sec, bo("X2", authz.PermUserAdmin, "clnt_list"))
		require.ErrorIs(t, err, clientele.ErrForbidden)
		// A permission held only under a role-bound policy (P_RE_002) is not held
		// outright: in another role it would grant without the condition.
		_, err = svc.CreateRole(ctx, officer, bo("X3", "clnt_read_updt"))
		require.ErrorIs(t, err, clientele.ErrForbidden)
		// Within the actor's own permissions it works.
		_, err = svc.CreateRole(ctx, sec, bo("UADM", authz.PermUserAdmin))
		require.NoError(t, err)
		_, err = svc.CreateRole(ctx, officer, bo("LIST", "clnt_list"))
		require.NoError(t, err)

		// Adding to a role a permission the actor lacks.
		_, err = svc.UpdateRole(ctx, sec, bo("UADM", authz.PermUserAdmin, "clnt_mgmt_admin"))
		require.ErrorIs(t, err, clientele.ErrForbidden)
		// Editing a role whose permissions exceed the actor's (even only its name).
		_, err = svc.UpdateRole(ctx, sec, bo("RP001", "clnt_mgmt_admin", "dev_mgmt_admin", "clnt_acct_list"))
		require.ErrorIs(t, err, clientele.ErrForbidden)
		// Editing a role it holds, even with permissions it holds.
		_, err = svc.UpdateRole(ctx, sec, bo(authz.RoleSecurityAdmin, authz.PermRoleAdmin, authz.PermUserAdmin, authz.PermRoleList))
		require.ErrorIs(t, err, clientele.ErrForbidden)
		_, err = svc.UpdateRole(ctx, officer, bo("RP002", "clnt_list", "clnt_read_updt", "clnt_mgmt_admin"))
		require.ErrorIs(t, err, clientele.ErrForbidden)

		// Nothing of that reached the catalogue or the audit log.
		cat, err := az.Catalogue(ctx, "t1")
		require.NoError(t, err)
		for _, code := range []string{"X1", "X2", "X3"} {
			_, ok := cat.Role(code)
			assert.False(t, ok, code)
		}
		ra, _ := cat.Role(authz.RoleSecurityAdmin)
		assert.Equal(t, []string{authz.PermRoleAdmin, authz.PermUserAdmin, authz.PermAssociateAdmin}, ra.Permissions)
		uadm, _ := cat.Role("UADM")
		assert.Equal(t, []string{authz.PermUserAdmin}, uadm.Permissions)
		for _, code := range []string{authz.RoleSecurityAdmin, "RP001", "RP002", "X1"} {
			log, err := db.AuditLog(ctx, "t1", "role", code, 10)
			require.NoError(t, err)
			assert.Empty(t, log, code)
		}

		// The node operator may do all of it.
		_, err = svc.CreateRole(ctx, op, bo("X1", "clnt_mgmt_admin"))
		require.NoError(t, err)
		_, err = svc.UpdateRole(ctx, op, bo("UADM", authz.PermUserAdmin, "clnt_mgmt_admin"))
		require.NoError(t, err)
		_, err = svc.UpdateRole(ctx, op, bo(authz.RoleSecurityAdmin, authz.PermRoleAdmin, authz.PermUserAdmin, authz.PermRoleList))
		require.NoError(t, err)

		// The audit entry of a role change records the permission set before and after.
		log, err := db.AuditLog(ctx, "t1", "role", authz.RoleSecurityAdmin, 10)
		require.NoError(t, err)
		require.Len(t, log, 1)
		assert.Equal(t, "AD004", log[0].Operation)
		assert.Equal(t, "op", log[0].Actor)
		assert.Equal(t, []string{"name", "permissions"}, log[0].Changed)
		require.NotEmpty(t, log[0].Before, "the entry records the role before the change")
		assert.JSONEq(t, `{"name":"Security Administrator","type":"backoffice","permissions":["role_admin","user_admin","associate_admin"]}`, string(log[0].Before))
		assert.JSONEq(t, `{"name":"Role RA001","type":"backoffice","permissions":["role_admin","user_admin","role_list"]}`, string(log[0].After))
		log, err = db.AuditLog(ctx, "t1", "role", "X1", 10)
		require.NoError(t, err)
		require.Len(t, log, 1)
		assert.Empty(t, log[0].Before)
		assert.JSONEq(t, `{"name":"Role X1","type":"backoffice","permissions":["clnt_mgmt_admin"]}`, string(log[0].After))
	})
}

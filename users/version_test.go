package users_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/authz"
	"github.com/clientele-go/clientele/internal/dbtest"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/users"
)

// TestLoginLeavesVersionAlone: logging in (right, wrong, locked out) is no
// edit of the user. Its version and UpdatedAt stay as an administrator read
// them, so an edit made at the version it read is not refused because the user
// logged in meanwhile.
func TestLoginLeavesVersionAlone(t *testing.T) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		e := newEnv(t, db)
		const email, password = "ada@bank.example", "admin-password-1"
		id := e.admin(email).User.ID
		read := e.user(id)

		login := func(pw string) error {
			_, err := e.svc.LoginPassword(e.ctx, users.PasswordLoginInput{TenantID: "t1", Email: email, Password: pw})
			return err
		}
		require.NoError(t, login(password))
		require.ErrorIs(t, login("wrong-password-1"), users.ErrInvalidCredentials)
		for range users.DefaultMaxLoginFailures {
			_ = login("wrong-password-1") // the last one locks the account
		}
		require.ErrorIs(t, login(password), users.ErrInvalidCredentials, "locked out")

		after := e.user(id)
		assert.Equal(t, read.Version, after.Version, "logins do not change the version")
		assert.Equal(t, read.UpdatedAt, after.UpdatedAt, "logins do not change UpdatedAt")

		// An administrator's edit guarded by the version it read goes through.
		_, err := db.Users().Change(e.ctx, "t1", id, func(c *users.Change) error {
			if c.Account.User.Version != read.Version {
				return fmt.Errorf("user changed since it was read: %w", clientele.ErrConflict)
			}
			c.Account.User.Roles = []string{authz.RoleSecurityAdmin}
			return nil
		})
		require.NoError(t, err)
	})
}

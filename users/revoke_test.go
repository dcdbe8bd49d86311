package users_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/internal/dbtest"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/users"
)

// RevokeClientUsers blocks a client's registered and invited users at once,
// ends the registered one's session, audits each in the requester's name,
// leaves other clients' users alone, and a second call changes nothing.
func TestRevokeClientUsers(t *testing.T) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		e := newEnv(t, db)
		const client = "client-amina"
		in := borrowerInput("+254700000031")
		in.ClientID = client
		e.invite(e.op, in)
		sess, err := e.registerPhone("+254700000031", "482913")
		require.NoError(t, err)
		invited := borrowerInput("+254700000032")
		invited.ClientID = client
		pending := e.invite(e.op, invited)
		other := e.invite(e.op, borrowerInput("+254700000033"))
		_, err = e.svc.Authenticate(e.ctx, sess.Token)
		require.NoError(t, err)

		n, err := e.svc.RevokeClientUsers(e.ctx, "t1", client, "archivist")
		require.NoError(t, err)
		assert.Equal(t, 2, n)
		assert.Equal(t, users.Blocked, e.user(sess.User.ID).State)
		assert.Equal(t, users.Blocked, e.user(pending.ID).State)
		assert.Equal(t, users.Invited, e.user(other.ID).State, "another client's user")
		_, err = e.svc.Authenticate(e.ctx, sess.Token)
		assert.ErrorIs(t, err, clientele.ErrUnauthenticated, "the session ended")
		entries, err := db.AuditLog(e.ctx, "t1", "user", pending.ID, 10)
		require.NoError(t, err)
		require.NotEmpty(t, entries)
		last := entries[len(entries)-1]
		assert.Equal(t, "archivist", last.Actor)
		assert.Equal(t, users.OpRevokeClientUsers, last.Operation)

		n, err = e.svc.RevokeClientUsers(e.ctx, "t1", client, "archivist")
		require.NoError(t, err)
		assert.Zero(t, n)
		again, err := db.AuditLog(e.ctx, "t1", "user", pending.ID, 10)
		require.NoError(t, err)
		assert.Len(t, again, len(entries), "nothing more written")
		n, err = e.svc.RevokeClientUsers(e.ctx, "t2", client, "archivist")
		require.NoError(t, err)
		assert.Zero(t, n, "another tenant has no such users")
	})
}

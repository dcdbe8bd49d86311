package adaptertest

import (
	"strings"
	"testing"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/adapters"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Identity runs the conformance suite for adapters.Identity. newIdentity returns a
// fresh implementation for each subtest.
func Identity(t *testing.T, newIdentity func(t *testing.T) adapters.Identity) {
	t.Run("Lifecycle", func(t *testing.T) {
		s, ctx, tenant := newIdentity(t), ctxFor(t), newTenant()
		subject := newID()
		u, err := s.CreateUser(ctx, adapters.CreateUserRequest{TenantID: tenant, SubjectID: subject, Profile: individual("Jane", "Doe"), IdempotencyKey: newKey()})
		require.NoError(t, err)
		assert.Equal(t, subject, u.SubjectID)
		assert.NotEmpty(t, u.ExternalID)
		assert.Equal(t, adapters.StatusActive, u.Status)

		p := individual("Jane", "Mwangi")
		u2, err := s.UpdateUser(ctx, adapters.UpdateUserRequest{TenantID: tenant, SubjectID: subject, Profile: p, IdempotencyKey: newKey()})
		require.NoError(t, err)
		assert.Equal(t, p, u2.Profile)
		got, err := s.GetUser(ctx, tenant, subject)
		require.NoError(t, err)
		assert.Equal(t, p, got.Profile)
		assert.Equal(t, u.ExternalID, got.ExternalID)

		d, err := s.DeactivateUser(ctx, adapters.DeactivateUserRequest{TenantID: tenant, SubjectID: subject, IdempotencyKey: newKey()})
		require.NoError(t, err)
		assert.Equal(t, adapters.StatusInactive, d.Status)
		got, err = s.GetUser(ctx, tenant, subject)
		require.NoError(t, err)
		assert.Equal(t, adapters.StatusInactive, got.Status)
		_, err = s.UpdateUser(ctx, adapters.UpdateUserRequest{TenantID: tenant, SubjectID: subject, Profile: p, IdempotencyKey: newKey()})
		requireKind(t, err, clientele.ErrPrecondition, "an inactive user cannot be updated")
	})

	t.Run("ErrorKinds", func(t *testing.T) {
		s, ctx, tenant := newIdentity(t), ctxFor(t), newTenant()
		_, err := s.GetUser(ctx, tenant, newID())
		requireKind(t, err, clientele.ErrNotFound)
		_, err = s.UpdateUser(ctx, adapters.UpdateUserRequest{TenantID: tenant, SubjectID: newID(), Profile: individual("A", "B"), IdempotencyKey: newKey()})
		requireKind(t, err, clientele.ErrNotFound)
		_, err = s.DeactivateUser(ctx, adapters.DeactivateUserRequest{TenantID: tenant, SubjectID: newID(), IdempotencyKey: newKey()})
		requireKind(t, err, clientele.ErrNotFound)
		_, err = s.CreateUser(ctx, adapters.CreateUserRequest{TenantID: tenant, SubjectID: newID(), Profile: individual("A", "B")})
		requireInvalidField(t, err, "idempotencyKey")
		_, err = s.CreateUser(ctx, adapters.CreateUserRequest{TenantID: tenant, Profile: individual("A", "B"), IdempotencyKey: newKey()})
		requireInvalidField(t, err, "subjectId")
		_, err = s.CreateUser(ctx, adapters.CreateUserRequest{TenantID: tenant, SubjectID: newID(), Profile: adapters.Profile{Type: "alien"}, IdempotencyKey: newKey()})
		requireInvalidField(t, err, "profile.type")

		subject := newID()
		_, err = s.CreateUser(ctx, adapters.CreateUserRequest{TenantID: tenant, SubjectID: subject, Profile: individual("A", "B"), IdempotencyKey: newKey()})
		require.NoError(t, err)
		_, err = s.GetUser(ctx, newTenant(), subject)
		requireKind(t, err, clientele.ErrNotFound, "users are tenant-scoped")
		_, err = s.CreateUser(ctx, adapters.CreateUserRequest{TenantID: tenant, SubjectID: subject, Profile: individual("A", "B"), IdempotencyKey: newKey()})
		requireKind(t, err, clientele.ErrConflict, "a subject has one identity")
	})

	t.Run("Idempotency", func(t *testing.T) {
		s, ctx, tenant := newIdentity(t), ctxFor(t), newTenant()
		req := adapters.CreateUserRequest{TenantID: tenant, SubjectID: newID(), Profile: corporate("Acme"), IdempotencyKey: newKey()}
		const n = 8
		users := make([]adapters.IdentityUser, n)
		errs := make([]error, n)
		parallel(n, func(i int) { users[i], errs[i] = s.CreateUser(ctx, req) })
		for i := range n {
			require.NoError(t, errs[i], "concurrent duplicates of one create all succeed")
			assert.Equal(t, users[0].ExternalID, users[i].ExternalID, "and return the same user")
		}
		other := req
		other.Profile.LegalName = "Other"
		_, err := s.CreateUser(ctx, other)
		requireKind(t, err, clientele.ErrConflict)
	})

	t.Run("CreateDID", func(t *testing.T) {
		s, ctx, tenant := newIdentity(t), ctxFor(t), newTenant()
		subject := newID()
		_, err := s.CreateUser(ctx, adapters.CreateUserRequest{TenantID: tenant, SubjectID: subject, Profile: individual("Bo", "Rower"), IdempotencyKey: newKey()})
		require.NoError(t, err)
		req := adapters.CreateDIDRequest{TenantID: tenant, SubjectID: subject, Phone: "+256700000002", IdempotencyKey: newKey()}
		d, err := s.CreateDID(ctx, req)
		require.NoError(t, err)
		assert.True(t, strings.HasPrefix(d.DID, "did:"), "a DID starts with did: (got %q)", d.DID)
		assert.Equal(t, subject, d.SubjectID)
		again, err := s.CreateDID(ctx, req)
		require.NoError(t, err)
		assert.Equal(t, d.DID, again.DID)
		u, err := s.GetUser(ctx, tenant, subject)
		require.NoError(t, err)
		assert.Equal(t, d.DID, u.DID, "the user carries its DID")

		req.IdempotencyKey = newKey()
		_, err = s.CreateDID(ctx, req)
		requireKind(t, err, clientele.ErrConflict, "a subject has one DID")
		other, err := s.CreateDID(ctx, adapters.CreateDIDRequest{TenantID: tenant, SubjectID: newID(), IdempotencyKey: newKey()})
		require.NoError(t, err)
		assert.NotEqual(t, d.DID, other.DID)
		_, err = s.CreateDID(ctx, adapters.CreateDIDRequest{TenantID: tenant, SubjectID: newID()})
		requireInvalidField(t, err, "idempotencyKey")
	})

	t.Run("Cancellation", func(t *testing.T) {
		s, tenant := newIdentity(t), newTenant()
		subject := newID()
		_, err := s.CreateUser(cancelled(t), adapters.CreateUserRequest{TenantID: tenant, SubjectID: subject, Profile: individual("A", "B"), IdempotencyKey: newKey()})
		requireCancelled(t, err)
		_, err = s.GetUser(ctxFor(t), tenant, subject)
		requireKind(t, err, clientele.ErrNotFound, "a cancelled create has no effect")
		_, err = s.GetUser(cancelled(t), tenant, subject)
		requireCancelled(t, err)
	})
}

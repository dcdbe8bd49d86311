package adaptertest

import (
	"testing"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/adapters"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// CRM runs the conformance suite for adapters.CRM. newCRM returns a fresh
// implementation for each subtest.
func CRM(t *testing.T, newCRM func(t *testing.T) adapters.CRM) {
	t.Run("Lifecycle", func(t *testing.T) {
		s, ctx, tenant := newCRM(t), ctxFor(t), newTenant()
		client := newID()
		p, err := s.CreatePartner(ctx, adapters.CreatePartnerRequest{TenantID: tenant, ClientID: client, Profile: corporate("Acme"), IdempotencyKey: newKey()})
		require.NoError(t, err)
		assert.Equal(t, client, p.ClientID)
		assert.NotEmpty(t, p.ExternalID)
		assert.Equal(t, adapters.StatusActive, p.Status)

		prof := corporate("Acme Holdings")
		u, err := s.UpdatePartner(ctx, adapters.UpdatePartnerRequest{TenantID: tenant, ClientID: client, Profile: prof, IdempotencyKey: newKey()})
		require.NoError(t, err)
		assert.Equal(t, prof, u.Profile)
		got, err := s.GetPartner(ctx, tenant, client)
		require.NoError(t, err)
		assert.Equal(t, prof, got.Profile)

		d, err := s.DeactivatePartner(ctx, adapters.DeactivatePartnerRequest{TenantID: tenant, ClientID: client, Reason: "archived", IdempotencyKey: newKey()})
		require.NoError(t, err)
		assert.Equal(t, adapters.StatusInactive, d.Status)
		got, err = s.GetPartner(ctx, tenant, client)
		require.NoError(t, err)
		assert.Equal(t, adapters.StatusInactive, got.Status)
		_, err = s.UpdatePartner(ctx, adapters.UpdatePartnerRequest{TenantID: tenant, ClientID: client, Profile: prof, IdempotencyKey: newKey()})
		requireKind(t, err, clientele.ErrPrecondition)
	})

	t.Run("ErrorKinds", func(t *testing.T) {
		s, ctx, tenant := newCRM(t), ctxFor(t), newTenant()
		_, err := s.GetPartner(ctx, tenant, newID())
		requireKind(t, err, clientele.ErrNotFound)
		_, err = s.UpdatePartner(ctx, adapters.UpdatePartnerRequest{TenantID: tenant, ClientID: newID(), Profile: corporate("X"), IdempotencyKey: newKey()})
		requireKind(t, err, clientele.ErrNotFound)
		_, err = s.DeactivatePartner(ctx, adapters.DeactivatePartnerRequest{TenantID: tenant, ClientID: newID(), IdempotencyKey: newKey()})
		requireKind(t, err, clientele.ErrNotFound)
		_, err = s.CreatePartner(ctx, adapters.CreatePartnerRequest{TenantID: tenant, ClientID: newID(), Profile: corporate("X")})
		requireInvalidField(t, err, "idempotencyKey")
		_, err = s.CreatePartner(ctx, adapters.CreatePartnerRequest{ClientID: newID(), Profile: corporate("X"), IdempotencyKey: newKey()})
		requireInvalidField(t, err, "tenantId")

		client := newID()
		_, err = s.CreatePartner(ctx, adapters.CreatePartnerRequest{TenantID: tenant, ClientID: client, Profile: corporate("X"), IdempotencyKey: newKey()})
		require.NoError(t, err)
		_, err = s.GetPartner(ctx, newTenant(), client)
		requireKind(t, err, clientele.ErrNotFound, "partners are tenant-scoped")
		_, err = s.CreatePartner(ctx, adapters.CreatePartnerRequest{TenantID: tenant, ClientID: client, Profile: corporate("X"), IdempotencyKey: newKey()})
		requireKind(t, err, clientele.ErrConflict)
	})

	t.Run("Idempotency", func(t *testing.T) {
		s, ctx, tenant := newCRM(t), ctxFor(t), newTenant()
		client := newID()
		_, err := s.CreatePartner(ctx, adapters.CreatePartnerRequest{TenantID: tenant, ClientID: client, Profile: corporate("X"), IdempotencyKey: newKey()})
		require.NoError(t, err)
		req := adapters.DeactivatePartnerRequest{TenantID: tenant, ClientID: client, IdempotencyKey: newKey()}
		const n = 8
		out := make([]adapters.Partner, n)
		errs := make([]error, n)
		parallel(n, func(i int) { out[i], errs[i] = s.DeactivatePartner(ctx, req) })
		for i := range n {
			require.NoError(t, errs[i])
			assert.Equal(t, out[0].UpdatedAt, out[i].UpdatedAt, "duplicates return the first result")
		}
		req.Reason = "changed"
		_, err = s.DeactivatePartner(ctx, req)
		requireKind(t, err, clientele.ErrConflict)
	})

	t.Run("Cancellation", func(t *testing.T) {
		s, tenant := newCRM(t), newTenant()
		client := newID()
		_, err := s.CreatePartner(cancelled(t), adapters.CreatePartnerRequest{TenantID: tenant, ClientID: client, Profile: corporate("X"), IdempotencyKey: newKey()})
		requireCancelled(t, err)
		_, err = s.GetPartner(ctxFor(t), tenant, client)
		requireKind(t, err, clientele.ErrNotFound, "a cancelled create has no effect")
		_, err = s.GetPartner(cancelled(t), tenant, client)
		requireCancelled(t, err)
	})
}

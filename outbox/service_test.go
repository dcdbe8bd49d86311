package outbox_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/authz"
	"github.com/clientele-go/clientele/internal/dbtest"
	"github.com/clientele-go/clientele/outbox"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/tenants"
)

func newService(t *testing.T, db *storage.DB) *outbox.Service {
	t.Helper()
	ctx := context.Background()
	for _, id := range []string{"bank", "other"} {
		require.NoError(t, db.Tenants().Create(ctx, tenants.Tenant{ID: id, Name: id, Preset: authz.PresetRetailEngine,
			Apps: map[authz.App]authz.AppState{authz.AppRetail: authz.AppActive}}))
	}
	az, err := authz.New(db.Authz(), db.Authz())
	require.NoError(t, err)
	svc, err := outbox.New(db.Effects(), az)
	require.NoError(t, err)
	return svc
}

func TestServiceListAndReplay(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		svc := newService(t, db)
		ops := authz.Principal{TenantID: "bank", UserID: "u1", Kind: authz.Backoffice, Roles: []string{authz.RoleOperations}}
		admin := authz.Principal{TenantID: "bank", UserID: "u2", Kind: authz.Backoffice, Roles: []string{"RP001"}}
		for i := range 3 {
			require.NoError(t, db.Enqueue(ctx, outbox.Effect{TenantID: "bank", Op: "CC001", Target: outbox.CoreBanking,
				Entity: outbox.Entity{Kind: "client", ID: fmt.Sprintf("c%d", i)}, Key: fmt.Sprintf("k%d", i)}))
		}
		require.NoError(t, db.Enqueue(ctx, outbox.Effect{TenantID: "other", Op: "CC001", Target: outbox.CoreBanking,
			Entity: outbox.Entity{Kind: "client", ID: "x"}, Key: "kx"}))

		_, err := svc.List(ctx, admin, outbox.ListInput{})
		assert.ErrorIs(t, err, clientele.ErrForbidden, "RP001 does not operate the outbox")

		page, err := svc.List(ctx, ops, outbox.ListInput{Limit: 2})
		require.NoError(t, err)
		require.Len(t, page.Effects, 2)
		require.NotEmpty(t, page.NextCursor)
		next, err := svc.List(ctx, ops, outbox.ListInput{Limit: 2, Cursor: page.NextCursor})
		require.NoError(t, err)
		require.Len(t, next.Effects, 1, "the other tenant's effect is never listed")
		assert.Equal(t, "k2", next.Effects[0].Key)
		assert.Empty(t, next.NextCursor)

		one, err := svc.List(ctx, ops, outbox.ListInput{EntityKind: "client", EntityID: "c1", Status: "pending"})
		require.NoError(t, err)
		require.Len(t, one.Effects, 1)
		assert.Equal(t, "k1", one.Effects[0].Key)

		_, err = svc.List(ctx, ops, outbox.ListInput{Status: "lost", Cursor: "nope"})
		var verr *clientele.ValidationError
		require.ErrorAs(t, err, &verr)
		var fields []string
		for _, p := range verr.Problems {
			fields = append(fields, p.Field)
		}
		assert.ElementsMatch(t, []string{"status", "cursor"}, fields)

		_, err = svc.Replay(ctx, ops, "k1")
		assert.ErrorIs(t, err, clientele.ErrPrecondition, "a pending effect is not replayed")
		_, err = svc.Replay(ctx, ops, "kx")
		assert.ErrorIs(t, err, clientele.ErrNotFound, "another tenant's effect is not found")
		_, err = svc.Replay(ctx, admin, "k1")
		assert.ErrorIs(t, err, clientele.ErrForbidden)
	})
}

// TestEffectDelayBounds: an effect's Delay is between 0 and MaxDelay.
func TestEffectDelayBounds(t *testing.T) {
	e := outbox.Effect{TenantID: "t1", Op: "CC001", Target: outbox.CoreBanking, Entity: outbox.Entity{Kind: "client", ID: "c1"}, Key: "k"}
	for _, d := range []time.Duration{0, time.Second, outbox.MaxDelay} {
		e.Delay = d
		assert.NoError(t, e.Validate(), d)
	}
	for _, d := range []time.Duration{-time.Nanosecond, outbox.MaxDelay + time.Nanosecond} {
		e.Delay = d
		err := e.Validate()
		require.ErrorIs(t, err, clientele.ErrInvalid, d)
		assert.Contains(t, err.Error(), "delay")
	}
}

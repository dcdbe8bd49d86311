package adaptertest

import (
	"fmt"
	"testing"
	"time"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/adapters"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Persistence runs the conformance suite for adapters.Persistence. newPersistence
// returns a fresh implementation for each subtest.
func Persistence(t *testing.T, newPersistence func(t *testing.T) adapters.Persistence) {
	register := func(t *testing.T, p adapters.Persistence, tenant, client string) adapters.Device {
		t.Helper()
		d, err := p.RegisterDevice(ctxFor(t), adapters.RegisterDeviceRequest{TenantID: tenant, ClientID: client, Name: "Pixel 8", Platform: "android", Fingerprint: newID(), IdempotencyKey: newKey()})
		require.NoError(t, err)
		return d
	}

	t.Run("RegisterAndListDevices", func(t *testing.T) {
		p, ctx, tenant := newPersistence(t), ctxFor(t), newTenant()
		client := newID()
		req := adapters.RegisterDeviceRequest{TenantID: tenant, ClientID: client, Name: "Phone", Platform: "ussd", IdempotencyKey: newKey()}
		d1, err := p.RegisterDevice(ctx, req)
		require.NoError(t, err)
		assert.Equal(t, adapters.DeviceActive, d1.Status)
		assert.False(t, d1.Locked)
		again, err := p.RegisterDevice(ctx, req)
		require.NoError(t, err)
		assert.Equal(t, d1.ID, again.ID, "a replayed registration returns the first device")
		time.Sleep(2 * time.Millisecond)
		d2 := register(t, p, tenant, client)
		register(t, p, tenant, newID())

		list, err := p.ListDevices(ctx, tenant, client)
		require.NoError(t, err)
		require.Len(t, list, 2)
		assert.Equal(t, []string{d1.ID, d2.ID}, []string{list[0].ID, list[1].ID}, "oldest first")
		got, err := p.GetDevice(ctx, tenant, d2.ID)
		require.NoError(t, err)
		assert.Equal(t, d2.Fingerprint, got.Fingerprint)

		empty, err := p.ListDevices(ctx, newTenant(), client)
		require.NoError(t, err)
		assert.Empty(t, empty, "devices are tenant-scoped")
		_, err = p.GetDevice(ctx, newTenant(), d1.ID)
		requireKind(t, err, clientele.ErrNotFound)
		_, err = p.RegisterDevice(ctx, adapters.RegisterDeviceRequest{TenantID: tenant, ClientID: client})
		requireInvalidField(t, err, "idempotencyKey")
	})

	t.Run("LockAndActivate", func(t *testing.T) {
		p, ctx, tenant := newPersistence(t), ctxFor(t), newTenant()
		d := register(t, p, tenant, newID())
		lock := adapters.SetDeviceLockRequest{TenantID: tenant, DeviceID: d.ID, Locked: true, IdempotencyKey: newKey()}
		got, err := p.SetDeviceLock(ctx, lock)
		require.NoError(t, err)
		assert.True(t, got.Locked)
		got, err = p.SetDeviceLock(ctx, adapters.SetDeviceLockRequest{TenantID: tenant, DeviceID: d.ID, Locked: false, IdempotencyKey: newKey()})
		require.NoError(t, err)
		assert.False(t, got.Locked)
		replay, err := p.SetDeviceLock(ctx, lock)
		require.NoError(t, err)
		assert.True(t, replay.Locked, "a replay returns the first result")
		now, err := p.GetDevice(ctx, tenant, d.ID)
		require.NoError(t, err)
		assert.False(t, now.Locked, "and changes nothing again")
		lock.Locked = false
		_, err = p.SetDeviceLock(ctx, lock)
		requireKind(t, err, clientele.ErrConflict)

		got, err = p.SetDeviceActive(ctx, adapters.SetDeviceActiveRequest{TenantID: tenant, DeviceID: d.ID, Active: false, IdempotencyKey: newKey()})
		require.NoError(t, err)
		assert.Equal(t, adapters.DeviceInactive, got.Status)
		got, err = p.SetDeviceActive(ctx, adapters.SetDeviceActiveRequest{TenantID: tenant, DeviceID: d.ID, Active: true, IdempotencyKey: newKey()})
		require.NoError(t, err)
		assert.Equal(t, adapters.DeviceActive, got.Status)
		_, err = p.SetDeviceActive(ctx, adapters.SetDeviceActiveRequest{TenantID: tenant, DeviceID: newID(), Active: true, IdempotencyKey: newKey()})
		requireKind(t, err, clientele.ErrNotFound)
		_, err = p.SetDeviceLock(ctx, adapters.SetDeviceLockRequest{TenantID: newTenant(), DeviceID: d.ID, Locked: true, IdempotencyKey: newKey()})
		requireKind(t, err, clientele.ErrNotFound)
	})

	t.Run("ResetPIN", func(t *testing.T) {
		p, ctx, tenant := newPersistence(t), ctxFor(t), newTenant()
		d := register(t, p, tenant, newID())
		got, err := p.ResetDevicePIN(ctx, adapters.ResetDevicePINRequest{TenantID: tenant, DeviceID: d.ID, PINHash: "argon2id$demo", IdempotencyKey: newKey()})
		require.NoError(t, err)
		require.NotNil(t, got.PINResetAt)
		_, err = p.ResetDevicePIN(ctx, adapters.ResetDevicePINRequest{TenantID: tenant, DeviceID: d.ID, IdempotencyKey: newKey()})
		requireInvalidField(t, err, "pinHash")
		_, err = p.SetDeviceActive(ctx, adapters.SetDeviceActiveRequest{TenantID: tenant, DeviceID: d.ID, Active: false, IdempotencyKey: newKey()})
		require.NoError(t, err)
		_, err = p.ResetDevicePIN(ctx, adapters.ResetDevicePINRequest{TenantID: tenant, DeviceID: d.ID, PINHash: "h2", IdempotencyKey: newKey()})
		requireKind(t, err, clientele.ErrPrecondition, "an inactive device gets no PIN")
	})

	t.Run("DeviceTransfer", func(t *testing.T) {
		p, ctx, tenant := newPersistence(t), ctxFor(t), newTenant()
		from, to := newID(), newID()
		d := register(t, p, tenant, from)
		const token = "739251"
		init := adapters.InitiateDeviceTransferRequest{TenantID: tenant, DeviceID: d.ID, ToClientID: to, TokenHash: adapters.HashToken(token), IdempotencyKey: newKey()}
		tr, err := p.InitiateDeviceTransfer(ctx, init)
		require.NoError(t, err)
		assert.Equal(t, adapters.TransferPending, tr.Status)
		assert.Equal(t, from, tr.FromClientID)
		assert.Equal(t, to, tr.ToClientID)
		assert.True(t, tr.ExpiresAt.After(tr.CreatedAt))
		again, err := p.InitiateDeviceTransfer(ctx, init)
		require.NoError(t, err)
		assert.Equal(t, tr.ID, again.ID)

		_, err = p.ConfirmDeviceTransfer(ctx, adapters.ConfirmDeviceTransferRequest{TenantID: tenant, TransferID: tr.ID, Token: "000000", IdempotencyKey: newKey()})
		requireKind(t, err, clientele.ErrForbidden, "a wrong token is refused")
		still, err := p.GetDevice(ctx, tenant, d.ID)
		require.NoError(t, err)
		assert.Equal(t, from, still.ClientID)

		confirm := adapters.ConfirmDeviceTransferRequest{TenantID: tenant, TransferID: tr.ID, Token: token, IdempotencyKey: newKey()}
		moved, err := p.ConfirmDeviceTransfer(ctx, confirm)
		require.NoError(t, err)
		assert.Equal(t, to, moved.ClientID)
		replay, err := p.ConfirmDeviceTransfer(ctx, confirm)
		require.NoError(t, err, "a replayed confirmation returns the first result")
		assert.Equal(t, to, replay.ClientID)
		_, err = p.ConfirmDeviceTransfer(ctx, adapters.ConfirmDeviceTransferRequest{TenantID: tenant, TransferID: tr.ID, Token: token, IdempotencyKey: newKey()})
		requireKind(t, err, clientele.ErrPrecondition, "a token is used once")

		list, err := p.ListDevices(ctx, tenant, to)
		require.NoError(t, err)
		require.Len(t, list, 1)
		list, err = p.ListDevices(ctx, tenant, from)
		require.NoError(t, err)
		assert.Empty(t, list)

		_, err = p.ConfirmDeviceTransfer(ctx, adapters.ConfirmDeviceTransferRequest{TenantID: tenant, TransferID: newID(), Token: token, IdempotencyKey: newKey()})
		requireKind(t, err, clientele.ErrNotFound)
		_, err = p.InitiateDeviceTransfer(ctx, adapters.InitiateDeviceTransferRequest{TenantID: tenant, DeviceID: d.ID, ToClientID: to, TokenHash: adapters.HashToken("x"), IdempotencyKey: newKey()})
		requireKind(t, err, clientele.ErrInvalid, "a device cannot move to its own client")
		_, err = p.InitiateDeviceTransfer(ctx, adapters.InitiateDeviceTransferRequest{TenantID: tenant, DeviceID: d.ID, ToClientID: from, TokenHash: "short", IdempotencyKey: newKey()})
		requireInvalidField(t, err, "tokenHash")
	})

	t.Run("DeviceTransferAttemptsAndSupersede", func(t *testing.T) {
		p, ctx, tenant := newPersistence(t), ctxFor(t), newTenant()
		d := register(t, p, tenant, newID())
		to := newID()
		first, err := p.InitiateDeviceTransfer(ctx, adapters.InitiateDeviceTransferRequest{TenantID: tenant, DeviceID: d.ID, ToClientID: to, TokenHash: adapters.HashToken("111111"), IdempotencyKey: newKey()})
		require.NoError(t, err)
		second, err := p.InitiateDeviceTransfer(ctx, adapters.InitiateDeviceTransferRequest{TenantID: tenant, DeviceID: d.ID, ToClientID: to, TokenHash: adapters.HashToken("222222"), IdempotencyKey: newKey()})
		require.NoError(t, err)
		_, err = p.ConfirmDeviceTransfer(ctx, adapters.ConfirmDeviceTransferRequest{TenantID: tenant, TransferID: first.ID, Token: "111111", IdempotencyKey: newKey()})
		requireKind(t, err, clientele.ErrPrecondition, "a superseded transfer is dead")

		for i := range adapters.MaxTransferAttempts {
			_, err = p.ConfirmDeviceTransfer(ctx, adapters.ConfirmDeviceTransferRequest{TenantID: tenant, TransferID: second.ID, Token: fmt.Sprintf("9%05d", i), IdempotencyKey: newKey()})
			requireKind(t, err, clientele.ErrForbidden)
		}
		_, err = p.ConfirmDeviceTransfer(ctx, adapters.ConfirmDeviceTransferRequest{TenantID: tenant, TransferID: second.ID, Token: "222222", IdempotencyKey: newKey()})
		requireKind(t, err, clientele.ErrPrecondition, "after too many wrong tokens even the right one is refused")
	})

	t.Run("DeviceTransferExpires", func(t *testing.T) {
		p, ctx, tenant := newPersistence(t), ctxFor(t), newTenant()
		d := register(t, p, tenant, newID())
		tr, err := p.InitiateDeviceTransfer(ctx, adapters.InitiateDeviceTransferRequest{TenantID: tenant, DeviceID: d.ID, ToClientID: newID(), TokenHash: adapters.HashToken("123456"), TTL: time.Millisecond, IdempotencyKey: newKey()})
		require.NoError(t, err)
		time.Sleep(20 * time.Millisecond)
		_, err = p.ConfirmDeviceTransfer(ctx, adapters.ConfirmDeviceTransferRequest{TenantID: tenant, TransferID: tr.ID, Token: "123456", IdempotencyKey: newKey()})
		requireKind(t, err, clientele.ErrPrecondition, "an expired token is refused")
	})

	t.Run("Favorites", func(t *testing.T) {
		p, ctx, tenant := newPersistence(t), ctxFor(t), newTenant()
		member, c1, c2 := newID(), newID(), newID()
		toggle := func(client string) adapters.Favorite {
			t.Helper()
			f, err := p.ToggleFavorite(ctx, adapters.ToggleFavoriteRequest{TenantID: tenant, MemberID: member, ClientID: client, IdempotencyKey: newKey()})
			require.NoError(t, err)
			return f
		}
		assert.True(t, toggle(c1).Starred)
		time.Sleep(2 * time.Millisecond)
		assert.True(t, toggle(c2).Starred)
		favs, err := p.ListFavorites(ctx, tenant, member)
		require.NoError(t, err)
		require.Len(t, favs, 2)
		assert.Equal(t, c2, favs[0].ClientID, "most recent first")
		assert.False(t, toggle(c1).Starred, "a second toggle unstars")
		favs, err = p.ListFavorites(ctx, tenant, member)
		require.NoError(t, err)
		require.Len(t, favs, 1)
		assert.Equal(t, c2, favs[0].ClientID)

		other, err := p.ListFavorites(ctx, tenant, newID())
		require.NoError(t, err)
		assert.Empty(t, other, "favourites are per member")
		other, err = p.ListFavorites(ctx, newTenant(), member)
		require.NoError(t, err)
		assert.Empty(t, other, "and per tenant")
	})

	t.Run("FavoriteToggleIdempotentUnderConcurrency", func(t *testing.T) {
		p, ctx, tenant := newPersistence(t), ctxFor(t), newTenant()
		member, client := newID(), newID()
		req := adapters.ToggleFavoriteRequest{TenantID: tenant, MemberID: member, ClientID: client, IdempotencyKey: newKey()}
		const n = 10
		errs := make([]error, n)
		starred := make([]bool, n)
		parallel(n, func(i int) {
			f, err := p.ToggleFavorite(ctx, req)
			starred[i], errs[i] = f.Starred, err
		})
		for i := range n {
			require.NoError(t, errs[i])
			assert.True(t, starred[i], "one key, one toggle")
		}
		// Distinct keys: each toggles once; an even number leaves it unstarred.
		parallel(n, func(int) {
			_, err := p.ToggleFavorite(ctx, adapters.ToggleFavoriteRequest{TenantID: tenant, MemberID: member, ClientID: client, IdempotencyKey: newKey()})
			assert.NoError(t, err)
		})
		favs, err := p.ListFavorites(ctx, tenant, member)
		require.NoError(t, err)
		assert.Len(t, favs, 1, "1 + 10 toggles leave the client starred")
	})

	t.Run("Settings", func(t *testing.T) {
		p, ctx, tenant := newPersistence(t), ctxFor(t), newTenant()
		member := newID()
		s, err := p.GetSettings(ctx, tenant, member)
		require.NoError(t, err)
		assert.Equal(t, int64(0), s.Version)
		assert.Empty(t, s.Values)

		put := adapters.PutSettingsRequest{TenantID: tenant, MemberID: member, Values: map[string]string{"theme": "dark", "pageSize": "50"}, IdempotencyKey: newKey()}
		s, err = p.PutSettings(ctx, put)
		require.NoError(t, err)
		assert.Equal(t, int64(1), s.Version)
		again, err := p.PutSettings(ctx, put)
		require.NoError(t, err)
		assert.Equal(t, int64(1), again.Version, "a replay writes nothing")

		_, err = p.PutSettings(ctx, adapters.PutSettingsRequest{TenantID: tenant, MemberID: member, Values: map[string]string{"theme": "light"}, ExpectedVersion: 0, IdempotencyKey: newKey()})
		requireKind(t, err, clientele.ErrConflict, "a stale version is a conflict")
		s, err = p.PutSettings(ctx, adapters.PutSettingsRequest{TenantID: tenant, MemberID: member, Values: map[string]string{"theme": "light"}, ExpectedVersion: 1, IdempotencyKey: newKey()})
		require.NoError(t, err)
		assert.Equal(t, int64(2), s.Version)
		got, err := p.GetSettings(ctx, tenant, member)
		require.NoError(t, err)
		assert.Equal(t, map[string]string{"theme": "light"}, got.Values, "put replaces all values")
		other, err := p.GetSettings(ctx, newTenant(), member)
		require.NoError(t, err)
		assert.Equal(t, int64(0), other.Version)
		_, err = p.PutSettings(ctx, adapters.PutSettingsRequest{TenantID: tenant, MemberID: member, Values: map[string]string{"": "x"}, ExpectedVersion: 2, IdempotencyKey: newKey()})
		requireInvalidField(t, err, "values")
	})

	t.Run("Cancellation", func(t *testing.T) {
		p, tenant := newPersistence(t), newTenant()
		client := newID()
		_, err := p.RegisterDevice(cancelled(t), adapters.RegisterDeviceRequest{TenantID: tenant, ClientID: client, IdempotencyKey: newKey()})
		requireCancelled(t, err)
		list, err := p.ListDevices(ctxFor(t), tenant, client)
		require.NoError(t, err)
		assert.Empty(t, list, "a cancelled registration has no effect")
		_, err = p.ListDevices(cancelled(t), tenant, client)
		requireCancelled(t, err)
		_, err = p.ToggleFavorite(cancelled(t), adapters.ToggleFavoriteRequest{TenantID: tenant, MemberID: newID(), ClientID: client, IdempotencyKey: newKey()})
		requireCancelled(t, err)
	})
}

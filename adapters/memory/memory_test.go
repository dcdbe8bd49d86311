package memory_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/adapters"
	"github.com/clientele-go/clientele/adapters/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func send(m *memory.Messaging, key string) error {
	_, err := m.Send(context.Background(), adapters.Message{TenantID: "t", Kind: adapters.KindOTP, Channel: adapters.SMS,
		Recipient: "+254700000001", Params: map[string]string{adapters.ParamCode: key}, IdempotencyKey: key})
	return err
}

func TestFaults(t *testing.T) {
	f := memory.NewFaults()
	m := memory.NewMessaging(memory.WithFaults(f))
	crm := memory.NewCRM(memory.WithFaults(f))
	require.Same(t, f, m.Faults())

	t.Run("FailAll", func(t *testing.T) {
		f.FailAll(clientele.ErrUnavailable)
		defer f.Reset()
		err := send(m, "a1")
		require.ErrorIs(t, err, clientele.ErrUnavailable)
		var inj *memory.InjectedError
		require.ErrorAs(t, err, &inj)
		assert.Equal(t, "Send", inj.Op)
		_, err = crm.GetPartner(context.Background(), "t", "c")
		require.ErrorIs(t, err, clientele.ErrUnavailable, "the switch is shared")
		assert.Empty(t, m.Sent(), "a failed call has no effect")
	})

	t.Run("FailEveryNth", func(t *testing.T) {
		f.FailEveryNth(3, clientele.ErrConflict)
		defer f.Reset()
		var failed []int
		for i := 1; i <= 9; i++ {
			if err := send(m, "n"+string(rune('0'+i))); err != nil {
				require.ErrorIs(t, err, clientele.ErrConflict)
				failed = append(failed, i)
			}
		}
		assert.Equal(t, []int{3, 6, 9}, failed)
	})

	t.Run("FailOperation", func(t *testing.T) {
		f.FailOperation("GetPartner", clientele.ErrForbidden)
		defer f.Reset()
		require.NoError(t, send(m, "op1"))
		_, err := crm.GetPartner(context.Background(), "t", "c")
		require.ErrorIs(t, err, clientele.ErrForbidden)
		f.FailOperation("GetPartner", nil)
		_, err = crm.GetPartner(context.Background(), "t", "c")
		require.ErrorIs(t, err, clientele.ErrNotFound)
	})

	t.Run("LatencyHonoursContext", func(t *testing.T) {
		f.SetLatency(time.Second)
		defer f.Reset()
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := crm.GetPartner(ctx, "t", "c")
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Less(t, time.Since(start), 500*time.Millisecond)
		f.SetLatency(10 * time.Millisecond)
		start = time.Now()
		require.NoError(t, send(m, "lat"))
		assert.GreaterOrEqual(t, time.Since(start), 10*time.Millisecond)
	})
}

func TestMessagingRecords(t *testing.T) {
	m := memory.NewMessaging()
	require.NoError(t, send(m, "k1"))
	require.NoError(t, send(m, "k1"), "replay")
	require.NoError(t, send(m, "k2"))
	sent := m.Sent()
	require.Len(t, sent, 2, "a replay is not sent twice")
	last, ok := m.Last("+254700000001")
	require.True(t, ok)
	assert.Equal(t, "k2", last.Params[adapters.ParamCode])
	last.Params[adapters.ParamCode] = "mutated"
	again, _ := m.Last("+254700000001")
	assert.Equal(t, "k2", again.Params[adapters.ParamCode], "values are copied out")
	_, ok = m.Last("+254700000002")
	assert.False(t, ok)
	m.Reset()
	assert.Empty(t, m.Sent())
}

func TestTransferExpiryWithClock(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	p := memory.NewPersistence(memory.WithClock(func() time.Time { return now }))
	ctx := context.Background()
	d, err := p.RegisterDevice(ctx, adapters.RegisterDeviceRequest{TenantID: "t", ClientID: "a", IdempotencyKey: "r"})
	require.NoError(t, err)
	tr, err := p.InitiateDeviceTransfer(ctx, adapters.InitiateDeviceTransferRequest{TenantID: "t", DeviceID: d.ID, ToClientID: "b", TokenHash: adapters.HashToken("42"), IdempotencyKey: "i"})
	require.NoError(t, err)
	assert.Equal(t, now.Add(adapters.DefaultTransferTTL), tr.ExpiresAt)
	now = now.Add(adapters.DefaultTransferTTL)
	_, err = p.ConfirmDeviceTransfer(ctx, adapters.ConfirmDeviceTransferRequest{TenantID: "t", TransferID: tr.ID, Token: "42", IdempotencyKey: "c"})
	require.ErrorIs(t, err, clientele.ErrPrecondition)
}

func TestValuesAreCopied(t *testing.T) {
	b := memory.NewCoreBanking()
	ctx := context.Background()
	p := adapters.Profile{Type: adapters.Individual, FirstName: "A", Attributes: map[string]string{"k": "v"}}
	_, err := b.CreateClient(ctx, adapters.CreateClientRequest{TenantID: "t", ClientID: "c", Profile: p, IdempotencyKey: "k"})
	require.NoError(t, err)
	p.Attributes["k"] = "changed"
	got, err := b.GetClient(ctx, "t", "c")
	require.NoError(t, err)
	assert.Equal(t, "v", got.Profile.Attributes["k"], "values are copied in")
	got.Profile.Attributes["k"] = "changed"
	again, _ := b.GetClient(ctx, "t", "c")
	assert.Equal(t, "v", again.Profile.Attributes["k"], "values are copied out")
	assert.False(t, errors.Is(err, clientele.ErrNotFound))
}

package adaptertest

import (
	"testing"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/adapters"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Messaging runs the conformance suite for adapters.Messaging. newMessaging
// returns a fresh implementation for each subtest. The suite checks acceptance,
// validation and idempotency; what is delivered is the provider's business.
func Messaging(t *testing.T, newMessaging func(t *testing.T) adapters.Messaging) {
	t.Run("SendEveryKind", func(t *testing.T) {
		m, ctx, tenant := newMessaging(t), ctxFor(t), newTenant()
		for _, kind := range adapters.MessageKinds() {
			for _, msg := range []adapters.Message{
				{TenantID: tenant, Kind: kind, Channel: adapters.Email, Recipient: "amina@example.com", Params: map[string]string{adapters.ParamCode: "123456"}, IdempotencyKey: newKey()},
				{TenantID: tenant, Kind: kind, Channel: adapters.SMS, Recipient: "+254700000001", ClientID: newID(), Params: map[string]string{adapters.ParamPIN: "4821"}, IdempotencyKey: newKey()},
			} {
				r, err := m.Send(ctx, msg)
				require.NoError(t, err, "%s by %s", kind, msg.Channel)
				assert.NotEmpty(t, r.ID)
				assert.Equal(t, "accepted", r.Status)
			}
		}
	})

	t.Run("Validation", func(t *testing.T) {
		m, ctx, tenant := newMessaging(t), ctxFor(t), newTenant()
		base := adapters.Message{TenantID: tenant, Kind: adapters.KindOTP, Channel: adapters.SMS, Recipient: "+254700000001", IdempotencyKey: newKey()}
		for field, mutate := range map[string]func(*adapters.Message){
			"recipient":      func(m *adapters.Message) { m.Recipient = "0700 000 001" },
			"channel":        func(m *adapters.Message) { m.Channel = "fax" },
			"kind":           func(m *adapters.Message) { m.Kind = "spam" },
			"tenantId":       func(m *adapters.Message) { m.TenantID = "" },
			"idempotencyKey": func(m *adapters.Message) { m.IdempotencyKey = "" },
		} {
			msg := base
			mutate(&msg)
			_, err := m.Send(ctx, msg)
			requireInvalidField(t, err, field)
		}
		_, err := m.Send(ctx, adapters.Message{TenantID: tenant, Kind: adapters.KindInvitation, Channel: adapters.Email, Recipient: "not-an-address", IdempotencyKey: newKey()})
		requireInvalidField(t, err, "recipient")
	})

	t.Run("Idempotency", func(t *testing.T) {
		m, ctx, tenant := newMessaging(t), ctxFor(t), newTenant()
		msg := adapters.Message{TenantID: tenant, Kind: adapters.KindOTP, Channel: adapters.SMS, Recipient: "+254700000009",
			Params: map[string]string{adapters.ParamCode: "000111"}, IdempotencyKey: newKey()}
		const n = 8
		ids := make([]string, n)
		errs := make([]error, n)
		parallel(n, func(i int) {
			r, err := m.Send(ctx, msg)
			ids[i], errs[i] = r.ID, err
		})
		for i := range n {
			require.NoError(t, errs[i])
			assert.Equal(t, ids[0], ids[i], "one message, one receipt")
		}
		msg.Params = map[string]string{adapters.ParamCode: "999999"}
		_, err := m.Send(ctx, msg)
		requireKind(t, err, clientele.ErrConflict)
	})

	t.Run("Cancellation", func(t *testing.T) {
		m := newMessaging(t)
		_, err := m.Send(cancelled(t), adapters.Message{TenantID: newTenant(), Kind: adapters.KindWelcome, Channel: adapters.Email, Recipient: "a@example.com", IdempotencyKey: newKey()})
		requireCancelled(t, err)
	})
}

package mocks_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/adapters"
	"github.com/clientele-go/clientele/internal/mocks"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
)

// notifyClosure stands in for a domain service step: it sends the MC001 closure
// notice and reports a failed delivery.
func notifyClosure(ctx context.Context, m adapters.Messaging, tenantID, clientID, email string) error {
	_, err := m.Send(ctx, adapters.Message{TenantID: tenantID, Kind: adapters.KindAccountClosure, Channel: adapters.Email,
		Recipient: email, ClientID: clientID, IdempotencyKey: "closure-" + clientID})
	if err != nil {
		return fmt.Errorf("notify closure of %s: %w", clientID, err)
	}
	return nil
}

func TestMessagingMock(t *testing.T) {
	m := mocks.NewMessaging(t) // asserts the expectations at cleanup
	m.EXPECT().
		Send(mock.Anything, mock.MatchedBy(func(msg adapters.Message) bool {
			return msg.Kind == adapters.KindAccountClosure && msg.IdempotencyKey == "closure-c1" && msg.Recipient == "a@example.com"
		})).
		Return(adapters.Receipt{ID: "r1", Status: "accepted"}, nil).
		Once()
	require.NoError(t, notifyClosure(context.Background(), m, "t1", "c1", "a@example.com"))

	failing := mocks.NewMessaging(t)
	failing.EXPECT().Send(mock.Anything, mock.Anything).Return(adapters.Receipt{}, clientele.ErrUnavailable).Once()
	err := notifyClosure(context.Background(), failing, "t1", "c2", "b@example.com")
	assert.ErrorIs(t, err, clientele.ErrUnavailable)
}

// The mocks satisfy the contracts they mock.
var (
	_ adapters.CoreBanking = (*mocks.CoreBanking)(nil)
	_ adapters.Persistence = (*mocks.Persistence)(nil)
	_ adapters.Documents   = (*mocks.Documents)(nil)
)

// A mock set up without a *testing.T, expecting one welcome message.
func ExampleMessaging() {
	m := &mocks.Messaging{}
	m.EXPECT().Send(mock.Anything, mock.Anything).Return(adapters.Receipt{ID: "r1", Status: "accepted"}, nil)
	r, _ := m.Send(context.Background(), adapters.Message{Kind: adapters.KindWelcome})
	fmt.Println(r.Status, len(m.Calls))
	// Output: accepted 1
}

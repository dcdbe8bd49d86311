package users_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/authz"
	"github.com/clientele-go/clientele/users"
)

// TestTypes checks the table of seed 003: kinds, ranks and registration channels.
func TestTypes(t *testing.T) {
	for _, tc := range []struct {
		typ      users.Type
		kind     authz.PermissionType
		rank     int
		admin    bool
		channels []users.Channel
	}{
		{users.NodeOperator, authz.Backoffice, 3, true, []users.Channel{users.ChannelEmail, users.ChannelSocial}},
		{users.OriginatorAdmin, authz.Backoffice, 2, true, []users.Channel{users.ChannelEmail, users.ChannelSocial}},
		{users.OriginatorAgent, authz.Backoffice, 1, false, []users.Channel{users.ChannelPhone}},
		{users.Investor, authz.Customer, 1, false, []users.Channel{users.ChannelEmail, users.ChannelSocial}},
		{users.Borrower, authz.Customer, 1, false, []users.Channel{users.ChannelPhone}},
	} {
		got, err := users.ParseType(string(tc.typ))
		assert.NoError(t, err)
		assert.Equal(t, tc.typ, got)
		assert.Equal(t, tc.kind, tc.typ.Kind(), tc.typ)
		assert.Equal(t, tc.rank, tc.typ.Rank(), tc.typ)
		assert.Equal(t, tc.admin, tc.typ.Administers(), tc.typ)
		assert.Equal(t, tc.channels, tc.typ.Channels(), tc.typ)
	}
	assert.Equal(t, []users.Type{users.NodeOperator, users.OriginatorAdmin, users.OriginatorAgent, users.Investor, users.Borrower}, users.Types())
	for _, bad := range []string{"", "admin", "Borrower"} {
		_, err := users.ParseType(bad)
		assert.ErrorIs(t, err, clientele.ErrInvalid)
	}
	for _, s := range []string{"invited", "active", "blocked"} {
		st, err := users.ParseState(s)
		assert.NoError(t, err)
		assert.Equal(t, s, string(st))
	}
	_, err := users.ParseState("suspended")
	assert.ErrorIs(t, err, clientele.ErrInvalid)
	for _, s := range []string{"email", "social", "phone"} {
		c, err := users.ParseChannel(s)
		assert.NoError(t, err)
		assert.Equal(t, s, string(c))
	}
	_, err = users.ParseChannel("ussd")
	assert.ErrorIs(t, err, clientele.ErrInvalid)
}

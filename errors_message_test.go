package clientele_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/adapters"
	"github.com/clientele-go/clientele/adapters/memory"
	"github.com/clientele-go/clientele/authz"
	"github.com/clientele-go/clientele/clients"
	"github.com/clientele-go/clientele/internal/dbtest"
	"github.com/clientele-go/clientele/internal/testkit"
	"github.com/clientele-go/clientele/outbox"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/tenants"
	"github.com/clientele-go/clientele/users"
)

// doubled finds a prefix repeated at once, as in "filter: filter: at position 7"
// or "users: users: code already used". (RE2 has no backreferences, so the
// check walks the "word: " prefixes instead.)
func doubledPrefix(msg string) string {
	words := regexp.MustCompile(`\b([A-Za-z_][\w.]*): `).FindAllStringSubmatchIndex(msg, -1)
	for i := 1; i < len(words); i++ {
		prev, cur := words[i-1], words[i]
		if prev[1] == cur[0] && msg[prev[2]:prev[3]] == msg[cur[2]:cur[3]] {
			return msg[prev[0]:cur[1]]
		}
	}
	return ""
}

func TestDoubledPrefixDetector(t *testing.T) {
	assert.Equal(t, "filter: filter: ", doubledPrefix("invalid input: filter: filter: at position 7: x"))
	assert.Equal(t, "", doubledPrefix("clients: list: invalid input: filter: at position 7: x"))
}

// TestErrorMessages triggers a representative error of each package through its
// public API and checks that no message repeats a prefix ("filter: filter:")
// or exposes an internal key.
func TestErrorMessages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		require.NoError(t, db.Tenants().Create(ctx, testkit.Tenant("t1")))
		staff := testkit.Staff("t1", "u1", authz.RoleOperations)
		errs := map[string]error{}

		csvc, err := clients.New(db.Clients(), testkit.AllowAll{})
		require.NoError(t, err)
		_, errs["clients: bad filter"] = csvc.List(ctx, staff, clients.ListRequest{Filter: "status:bogus"})
		_, errs["clients: bad cursor"] = csvc.List(ctx, staff, clients.ListRequest{Cursor: "nope"})
		_, errs["clients: missing"] = csvc.Get(ctx, staff, "NOPE-1")
		_, errs["clients: invalid"] = csvc.Create(ctx, staff, clients.CreateInput{Type: "robot"}, "")
		_, errs["clients: hand-built query"] = db.Clients().Search(ctx, "t1", clients.TenantScope(), clients.Query{Terms: []clients.Term{{Field: "colour"}}}, "", 1)
		c, err := csvc.Create(ctx, staff, testkit.Person("Amina", "Otieno"), "")
		require.NoError(t, err)
		_, errs["clients: stale"] = csvc.Transition(ctx, staff, c.Reference, clients.Active, 7)
		_, errs["clients: transition"] = csvc.Transition(ctx, staff, c.Reference, clients.Suspended, 1)

		az, err := authz.New(db.Authz(), db.Authz())
		require.NoError(t, err)
		usvc, err := users.New(db.Users(), testkit.AllowAll{}, az, db.Clients(), db.Associates(), memory.NewMessaging(), memory.NewIdentity(),
			users.WithHashing(users.InsecureTestHashing()))
		require.NoError(t, err)
		op := users.NodeOperatorInput{Email: "op@bank.example", Name: "Node Operator", Password: "operator-password-1", Roles: []string{authz.RoleSecurityAdmin}}
		_, err = usvc.Bootstrap(ctx, "t1", op)
		require.NoError(t, err)
		op.Name = "Another Operator"
		_, err = usvc.Bootstrap(ctx, "t1", op)
		require.ErrorIs(t, err, clientele.ErrConflict)
		assert.Contains(t, err.Error(), "the node operator was already bootstrapped with other settings")
		assert.NotContains(t, err.Error(), "idempotency key", "no internal key in a caller's error")
		assert.NotContains(t, err.Error(), `"node_operator"`)
		errs["users: bootstrap again"] = err
		_, errs["users: bad login"] = usvc.LoginPassword(ctx, users.PasswordLoginInput{TenantID: "t1", Email: "op@bank.example", Password: "wrong-password-1"})
		_, errs["users: invalid get"] = usvc.Get(ctx, staff, "")

		tsvc, err := tenants.New(db.Tenants(), "t1")
		require.NoError(t, err)
		_, errs["tenants: invalid"] = tsvc.Create(ctx, staff, tenants.Tenant{ID: "bad id"})
		_, errs["tenants: missing"] = tsvc.Get(ctx, staff, "nope")

		_, errs["authz: bad catalogue"] = authz.New(nil, nil)
		_, errs["storage: bad dsn"] = storage.Open(ctx, "mysql://x")

		cb := memory.NewCoreBanking()
		_, errs["adapters: invalid transfer"] = cb.Transfer(ctx, adapters.TransferRequest{TenantID: "t1"})

		osvc, err := outbox.New(db.Effects(), az)
		require.NoError(t, err)
		_, errs["outbox: bad cursor"] = osvc.List(ctx, staff, outbox.ListInput{Cursor: "nope"})

		for name, err := range errs {
			if !assert.Error(t, err, name) {
				continue
			}
			msg := err.Error()
			t.Logf("%s: %s", name, msg)
			assert.Empty(t, doubledPrefix(msg), "%s: %q", name, msg)
			assert.False(t, strings.Contains(msg, "idempotency key \""), "%s: %q", name, msg)
			assert.NotNil(t, clientele.Kind(err), "%s keeps its kind: %q", name, msg)
		}
		var verr *clientele.ValidationError
		require.ErrorAs(t, errs["clients: bad filter"], &verr)
		require.Len(t, verr.Problems, 1)
		assert.Equal(t, "filter", verr.Problems[0].Field)
		assert.True(t, strings.HasPrefix(verr.Problems[0].Message, "at position 7: "), verr.Problems[0].Message)
	})
}

package clientele_test

import (
	"context"
	"errors"
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
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/users"
)

// hasProblem reports whether err is a *clientele.ValidationError with a problem
// on field.
func hasProblem(err error, field string) bool {
	var v *clientele.ValidationError
	if !errors.As(err, &v) {
		return false
	}
	for _, p := range v.Problems {
		if p.Field == field {
			return true
		}
	}
	return false
}

// TestEmailAndPhoneRulesAgree: an email address or an E.164 phone number is
// judged the same by clients (a client's contact), users (the node operator)
// and adapters (a message's recipient): one rule, one implementation.
func TestEmailAndPhoneRulesAgree(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		require.NoError(t, db.Tenants().Create(ctx, testkit.Tenant("t1")))
		csvc, err := clients.New(db.Clients(), testkit.AllowAll{})
		require.NoError(t, err)
		az, err := authz.New(db.Authz(), db.Authz())
		require.NoError(t, err)
		usvc, err := users.New(db.Users(), testkit.AllowAll{}, az, db.Clients(), db.Associates(), memory.NewMessaging(), memory.NewIdentity(),
			users.WithHashing(users.InsecureTestHashing()))
		require.NoError(t, err)

		verdicts := func(field, value string) map[string]bool {
			in := testkit.Person("Amina", "Otieno")
			op := users.NodeOperatorInput{Email: "op@bank.example", Name: "Operator", Phone: "+254700000009", Password: "operator-password-1"}
			msg := adapters.Message{TenantID: "t1", Kind: adapters.KindOTP, IdempotencyKey: "k"}
			if field == "email" {
				in.Contact.Email, op.Email, msg.Channel, msg.Recipient = value, value, adapters.Email, value
			} else {
				in.Contact.Phone, op.Phone, msg.Channel, msg.Recipient = value, value, adapters.SMS, value
			}
			// Only the validation problems matter: a valid bootstrap after the
			// first fails as a conflict, which is no problem on the field.
			_, cerr := csvc.Create(ctx, testkit.Staff("t1", "u1"), in, "")
			_, uerr := usvc.Bootstrap(ctx, "t1", op)
			return map[string]bool{
				"clients":  !hasProblem(cerr, "contact."+field),
				"users":    !hasProblem(uerr, field),
				"adapters": !hasProblem(msg.Validate(), "recipient"),
			}
		}
		for _, tc := range []struct {
			field, value string
			ok           bool
		}{
			{"email", "amina@example.com", true},
			{"email", "a.b+tag@mail.example.co.ke", true},
			{"email", "x@", false},
			{"email", "@example.com", false},
			{"email", "amina@localhost", false},
			{"email", "amina@@example.com", false},
			{"email", "amina @example.com", false},
			{"email", "Amina <amina@example.com>", false},
			{"email", "amina@example..com", false},
			{"email", "amina@.example.com", false},
			{"phone", "+254712345678", true},
			{"phone", "+1234567", true},
			{"phone", "0712345678", false},
			{"phone", "+0712345678", false},
			{"phone", "+123456", false},
			{"phone", "+1234567890123456", false},
			{"phone", "+2547 1234567", false},
		} {
			got := verdicts(tc.field, tc.value)
			for who, ok := range got {
				assert.Equal(t, tc.ok, ok, "%s judges %s %q", who, tc.field, tc.value)
			}
		}
	})
}

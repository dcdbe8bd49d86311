package clients_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/adapters"
	"github.com/clientele-go/clientele/clients"
	"github.com/clientele-go/clientele/internal/dbtest"
	"github.com/clientele-go/clientele/internal/testkit"
)

func fields(err error) []string {
	var verr *clientele.ValidationError
	if !errors.As(err, &verr) {
		return nil
	}
	out := []string{}
	for _, p := range verr.Problems {
		out = append(out, p.Field+"/"+p.Rule)
	}
	return out
}

func TestCreateValidation(t *testing.T) {
	db := dbtest.SQLite(t)
	require.NoError(t, db.Tenants().Create(context.Background(), testkit.Tenant("t1")))
	today := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	svc, err := clients.New(db.Clients(), testkit.AllowAll{}, clients.WithClock(func() time.Time { return today }))
	require.NoError(t, err)
	p := testkit.Staff("t1", "u1")

	cases := []struct {
		name   string
		modify func(*clients.CreateInput)
		want   []string
	}{
		{"valid person", func(*clients.CreateInput) {}, nil},
		{"bad type", func(in *clients.CreateInput) { in.Type = "robot" }, []string{"type/oneof"}},
		{"missing office", func(in *clients.CreateInput) { in.OfficeID = "" }, []string{"officeId/required"}},
		{"phone not E.164", func(in *clients.CreateInput) { in.Contact.Phone = "0712345678" }, []string{"contact.phone/e164"}},
		{"bad email", func(in *clients.CreateInput) { in.Contact.Email = "x@" }, []string{"contact.email/email"}},
		{"birth tomorrow", func(in *clients.CreateInput) { in.Individual.DateOfBirth = "2026-11-24" }, []string{"individual.dateOfBirth/notfuture"}},
		{"birth today", func(in *clients.CreateInput) { in.Individual.DateOfBirth = "2026-11-23" }, nil},
		{"birth not a date", func(in *clients.CreateInput) { in.Individual.DateOfBirth = "12/04/1990" }, []string{"individual.dateOfBirth/isodate"}},
		{"nationality", func(in *clients.CreateInput) { in.Individual.Nationality = "XX" }, []string{"individual.nationality/iso3166_1_alpha2"}},
		{"address country", func(in *clients.CreateInput) {
			in.Contact.Address = &clients.Address{Line1: "1 Road", City: "Nairobi", Country: "Kenya"}
		}, []string{"contact.address.country/iso3166_1_alpha2"}},
		{"individual without person", func(in *clients.CreateInput) { in.Individual = nil }, []string{"individual/required"}},
		{"individual with company", func(in *clients.CreateInput) { in.Corporate = testkit.Company("X").Corporate }, []string{"corporate/excluded"}},
		{"bad reference", func(in *clients.CreateInput) { in.Reference = "a b" }, []string{"reference/pattern"}},
		{"many problems at once", func(in *clients.CreateInput) {
			in.OfficeID = ""
			in.Individual.FirstName = ""
			in.Contact.Phone = "12"
		}, []string{"officeId/required", "individual.firstName/required", "contact.phone/e164"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := testkit.Person("Test", tc.name[:3])
			tc.modify(&in)
			_, err := svc.Create(context.Background(), p, in, "")
			if tc.want == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, clientele.ErrInvalid)
			assert.ElementsMatch(t, tc.want, fields(err))
		})
	}

	corp := []struct {
		name   string
		modify func(*clients.CreateInput)
		want   []string
	}{
		{"valid company", func(*clients.CreateInput) {}, nil},
		{"currency", func(in *clients.CreateInput) { in.Corporate.ExpectedMonthlyTurnover.Currency = "KSH" }, []string{"corporate.expectedMonthlyTurnover.currency/iso4217"}},
		{"no currency", func(in *clients.CreateInput) { in.Corporate.ExpectedMonthlyTurnover.Currency = "" }, []string{"corporate.expectedMonthlyTurnover.currency/required"}},
		{"negative money", func(in *clients.CreateInput) { in.Corporate.ExpectedMonthlyTurnover.Amount = -1 }, []string{"corporate.expectedMonthlyTurnover.amount/min"}},
		{"incorporated in future", func(in *clients.CreateInput) { in.Corporate.IncorporationDate = "2030-01-01" }, []string{"corporate.incorporationDate/notfuture"}},
		{"contact phone", func(in *clients.CreateInput) {
			in.Corporate.Contacts = []clients.Contact{{Name: "CFO", Phone: "abc"}}
		}, []string{"corporate.contacts[0].phone/e164"}},
	}
	for _, tc := range corp {
		t.Run(tc.name, func(t *testing.T) {
			in := testkit.Company("Co " + tc.name)
			tc.modify(&in)
			_, err := svc.Create(context.Background(), p, in, "")
			if tc.want == nil {
				require.NoError(t, err)
				return
			}
			assert.ElementsMatch(t, tc.want, fields(err))
		})
	}
}

func TestTransitionTable(t *testing.T) {
	all := []clients.State{clients.Pending, clients.Active, clients.Suspended, clients.Archived}
	allowed := map[[2]clients.State]bool{
		{clients.Pending, clients.Active}:   true,
		{clients.Active, clients.Suspended}: true,
		{clients.Suspended, clients.Active}: true,
	}
	for _, from := range all {
		for _, to := range all {
			assert.Equal(t, allowed[[2]clients.State{from, to}], clients.CanTransition(from, to), "%s → %s", from, to)
		}
	}
	for _, s := range all {
		got, err := clients.ParseState(string(s))
		require.NoError(t, err)
		assert.Equal(t, s, got)
	}
	_, err := clients.ParseState("closed")
	assert.ErrorIs(t, err, clientele.ErrInvalid)
	_, err = adapters.ParseClientType("robot")
	assert.ErrorIs(t, err, clientele.ErrInvalid)
}

func TestNewRequiresDependencies(t *testing.T) {
	_, err := clients.New(nil, testkit.AllowAll{})
	assert.Error(t, err)
	_, err = clients.New(dbtest.SQLite(t).Clients(), nil)
	assert.Error(t, err)
}

// TestEveryProfileStringIsBounded: every string field of the profile a create
// or update takes carries a validation rule that bounds its length (max, or a format that
// implies one), so a field added later cannot take a 10,000-character value.
func TestEveryProfileStringIsBounded(t *testing.T) {
	bounded := []string{"max=", "e164", "email", "isodate", "iso3166_1_alpha2", "iso4217", "oneof="}
	var walk func(path string, typ reflect.Type)
	walk = func(path string, typ reflect.Type) {
		for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice {
			typ = typ.Elem()
		}
		if typ.Kind() != reflect.Struct || typ.PkgPath() != reflect.TypeFor[clients.Profile]().PkgPath() {
			return
		}
		for i := range typ.NumField() {
			f := typ.Field(i)
			name := path + "." + f.Name
			ft := f.Type
			if ft.Kind() == reflect.Slice {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.String && f.Type.Kind() != reflect.Slice {
				tag := f.Tag.Get("validate")
				ok := false
				for _, b := range bounded {
					ok = ok || strings.Contains(tag, b)
				}
				assert.True(t, ok, "%s has no length bound (validate:%q)", name, tag)
			}
			if f.Type.Kind() == reflect.Slice && ft.Kind() == reflect.String {
				assert.Regexp(t, `max=\d+,dive,.*max=\d+`, f.Tag.Get("validate"), "%s: bound the list and each element", name)
			}
			walk(name, f.Type)
		}
	}
	// The fields of CreateInput and UpdateInput outside Profile are closed sets
	// or patterns checked in code: Reference (3 to 40 characters), Type, KYCStatus.
	walk("Profile", reflect.TypeFor[clients.Profile]())
}

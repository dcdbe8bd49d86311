package clientele_test

import (
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/clientele-go/clientele/adapters"
	"github.com/clientele-go/clientele/clients"
)

// TestOneMoneyOneClientType: one concept, one definition. The Money a client
// declares and the Money an adapter moves are one type, and so are the client
// type a client has and the one its adapters receive.
func TestOneMoneyOneClientType(t *testing.T) {
	turnover, _ := reflect.TypeFor[clients.Company]().FieldByName("ExpectedMonthlyTurnover")
	balance, _ := reflect.TypeFor[adapters.Account]().FieldByName("Balance")
	assert.Equal(t, typeName(balance.Type), typeName(turnover.Type.Elem()), "one Money")

	clientType, _ := reflect.TypeFor[clients.Client]().FieldByName("Type")
	profileType, _ := reflect.TypeFor[adapters.Profile]().FieldByName("Type")
	assert.Equal(t, typeName(profileType.Type), typeName(clientType.Type), "one client type")
}

func typeName(t reflect.Type) string { return t.PkgPath() + "." + t.Name() }

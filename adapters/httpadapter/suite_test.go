package httpadapter_test

import (
	"net/http/httptest"
	"testing"

	"github.com/clientele-go/clientele/adapters"
	"github.com/clientele-go/clientele/adapters/adaptertest"
	"github.com/clientele-go/clientele/adapters/httpadapter"
	"github.com/clientele-go/clientele/adapters/memory"
	"github.com/stretchr/testify/require"
)

// serve starts one server for all six contracts over fresh memory fakes and
// returns its clients.
func serve(t *testing.T) *httpadapter.Clients {
	t.Helper()
	h, err := httpadapter.NewHandler(httpadapter.Implementations{
		CoreBanking: memory.NewCoreBanking(), Identity: memory.NewIdentity(), CRM: memory.NewCRM(),
		Documents: memory.NewDocuments(), Messaging: memory.NewMessaging(), Persistence: memory.NewPersistence(),
	})
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c, err := httpadapter.NewClients(srv.URL)
	require.NoError(t, err)
	return c
}

func TestHTTPCoreBanking(t *testing.T) {
	adaptertest.CoreBanking(t, adaptertest.CoreBankingFixture{
		New:     func(t *testing.T) adapters.CoreBanking { return serve(t).CoreBanking },
		Account: adaptertest.OpenAccount, // through the handler's OpenAccount route
	})
}

func TestHTTPIdentity(t *testing.T) {
	adaptertest.Identity(t, func(t *testing.T) adapters.Identity { return serve(t).Identity })
}

func TestHTTPCRM(t *testing.T) {
	adaptertest.CRM(t, func(t *testing.T) adapters.CRM { return serve(t).CRM })
}

func TestHTTPDocuments(t *testing.T) {
	adaptertest.Documents(t, func(t *testing.T) adapters.Documents { return serve(t).Documents })
}

func TestHTTPMessaging(t *testing.T) {
	adaptertest.Messaging(t, func(t *testing.T) adapters.Messaging { return serve(t).Messaging })
}

func TestHTTPPersistence(t *testing.T) {
	adaptertest.Persistence(t, func(t *testing.T) adapters.Persistence { return serve(t).Persistence })
}

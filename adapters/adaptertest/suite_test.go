package adaptertest_test

import (
	"testing"

	"github.com/clientele-go/clientele/adapters"
	"github.com/clientele-go/clientele/adapters/adaptertest"
	"github.com/clientele-go/clientele/adapters/memory"
)

func TestMemoryCoreBanking(t *testing.T) {
	adaptertest.CoreBanking(t, func(*testing.T) adapters.CoreBanking { return memory.NewCoreBanking() })
}

func TestMemoryIdentity(t *testing.T) {
	adaptertest.Identity(t, func(*testing.T) adapters.Identity { return memory.NewIdentity() })
}

func TestMemoryCRM(t *testing.T) {
	adaptertest.CRM(t, func(*testing.T) adapters.CRM { return memory.NewCRM() })
}

func TestMemoryDocuments(t *testing.T) {
	adaptertest.Documents(t, func(*testing.T) adapters.Documents { return memory.NewDocuments() })
}

func TestMemoryMessaging(t *testing.T) {
	adaptertest.Messaging(t, func(*testing.T) adapters.Messaging { return memory.NewMessaging() })
}

func TestMemoryPersistence(t *testing.T) {
	adaptertest.Persistence(t, func(*testing.T) adapters.Persistence { return memory.NewPersistence() })
}

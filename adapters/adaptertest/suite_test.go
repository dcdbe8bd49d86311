package adaptertest_test

import (
	"os"
	"os/exec"
	"path"
	"sync"
	"testing"

	"github.com/clientele-go/clientele/adapters"
	"github.com/clientele-go/clientele/adapters/adaptertest"
	"github.com/clientele-go/clientele/adapters/memory"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMemoryCoreBanking(t *testing.T) {
	adaptertest.CoreBanking(t, adaptertest.CoreBankingFixture{
		New:     func(*testing.T) adapters.CoreBanking { return memory.NewCoreBanking() },
		Account: adaptertest.OpenAccount,
	})
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

// noOpener is a core banking implementation that cannot open accounts, like most
// real systems behind this contract: only the CoreBanking methods are visible.
type noOpener struct{ adapters.CoreBanking }

// TestCoreBankingWithoutOpener: an implementation without adapters.AccountOpener
// still has every money-moving method tested, with accounts from the fixture (here
// funded behind the implementation's back, as a sandbox's admin API would).
func TestCoreBankingWithoutOpener(t *testing.T) {
	var ran sync.Map
	adaptertest.CoreBanking(t, adaptertest.CoreBankingFixture{
		New: func(t *testing.T) adapters.CoreBanking {
			t.Cleanup(func() {
				if !t.Skipped() {
					ran.Store(path.Base(t.Name()), true)
				}
			})
			return noOpener{memory.NewCoreBanking()}
		},
		Account: func(t *testing.T, bank adapters.CoreBanking, spec adaptertest.AccountSpec) adapters.Account {
			backend := bank.(noOpener).CoreBanking.(*memory.CoreBanking)
			a, err := backend.OpenAccount(t.Context(), adapters.OpenAccountRequest{TenantID: spec.TenantID, ClientID: spec.ClientID,
				Type: spec.Type, OpeningBalance: spec.Balance, IdempotencyKey: "fund-" + uuid.NewString()})
			require.NoError(t, err)
			return a
		},
	})
	for _, name := range []string{"ListAndGetAccounts", "Transfer", "TransferRules", "TransferIdempotency", "ConcurrentTransfersConserveMoney",
		"ConcurrentDuplicateKeysOneEffect", "SetAccountBlocks", "CloseAccountsOnlyAtZero", "DeactivateClient", "Cancellation"} {
		_, ok := ran.Load(name)
		assert.True(t, ok, "%s must run (not skip) without adapters.AccountOpener", name)
	}
}

// TestCoreBankingFixtureRequired: the suite fails, saying what to provide, when it
// has no way to get funded accounts — never passes with the money untested. The
// suite runs in a child process so its failure can be observed.
func TestCoreBankingFixtureRequired(t *testing.T) {
	switch os.Getenv("ADAPTERTEST_CHILD") {
	case "no-account":
		adaptertest.CoreBanking(t, adaptertest.CoreBankingFixture{
			New: func(*testing.T) adapters.CoreBanking { return noOpener{memory.NewCoreBanking()} },
		})
		return
	case "open-without-opener":
		adaptertest.CoreBanking(t, adaptertest.CoreBankingFixture{
			New:     func(*testing.T) adapters.CoreBanking { return noOpener{memory.NewCoreBanking()} },
			Account: adaptertest.OpenAccount,
		})
		return
	}
	for mode, want := range map[string]string{
		"no-account":          "CoreBankingFixture needs New (a fresh implementation per subtest) and Account",
		"open-without-opener": "does not implement adapters.AccountOpener; give CoreBankingFixture.Account a function",
	} {
		t.Run(mode, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestCoreBankingFixtureRequired$", "-test.count=1", "-test.v")
			cmd.Env = append(os.Environ(), "ADAPTERTEST_CHILD="+mode)
			out, err := cmd.CombinedOutput()
			require.Error(t, err, "the suite must fail:\n%s", out)
			assert.Contains(t, string(out), want)
			assert.Contains(t, string(out), "--- FAIL")
		})
	}
}

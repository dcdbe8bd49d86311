// Package adaptertest holds the conformance suites every implementation of the
// adapter contracts must pass, like testing/fstest.TestFS or
// x/net/nettest.TestConn: library code taking a factory that returns a fresh
// implementation for each subtest.
//
//	func TestCRM(t *testing.T) {
//		adaptertest.CRM(t, func(t *testing.T) adapters.CRM {
//			return mycrm.New(…) // fresh state, cleaned up with t.Cleanup
//		})
//	}
//
// The suites check behaviour, error kinds (errors.Is against the clientele
// sentinels), idempotency keys, context cancellation and concurrency (parallel
// transfers conserve balances, duplicate keys have one effect). Every subtest works
// in its own random tenant, so an implementation backed by a shared system passes
// too. Tenants and identifiers the suites choose contain a space, a slash, a
// percent sign, an escaped slash, non-ASCII letters, "?" and "#": an implementation
// must carry any string unchanged.
//
// Seeding goes through the contracts themselves where they can: clients are
// created with CreateClient, identities with CreateUser, documents with the optional
// adapters.DocumentStore. Money cannot be made through the CoreBanking contract, so
// CoreBanking takes a CoreBankingFixture whose Account function gives a client a
// funded account; it is required, and the suite fails without it instead of
// leaving transfers, blocks, closing and balance conservation untested:
//
//	adaptertest.CoreBanking(t, adaptertest.CoreBankingFixture{
//		New:     func(t *testing.T) adapters.CoreBanking { return mybank.New(…) },
//		Account: fundInSandbox, // or adaptertest.OpenAccount for an adapters.AccountOpener
//	})
//
// Subtests of an optional ability (adapters.ClientLister, adapters.AccountOpener,
// adapters.DocumentStore) an implementation lacks are skipped, with the reason; an
// implementation may also return an error wrapping adapters.ErrNotSupported from
// the optional method (as the HTTP client does when its server lacks the ability),
// which skips too.
package adaptertest

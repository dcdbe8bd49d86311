// Package adaptertest holds the conformance suites every implementation of the
// adapter contracts must pass, like testing/fstest.TestFS or
// x/net/nettest.TestConn: library code taking a factory that returns a fresh
// implementation for each subtest.
//
//	func TestCoreBanking(t *testing.T) {
//		adaptertest.CoreBanking(t, func(t *testing.T) adapters.CoreBanking {
//			return mybank.New(…) // fresh state, cleaned up with t.Cleanup
//		})
//	}
//
// The suites check behaviour, error kinds (errors.Is against the clientele
// sentinels), idempotency keys, context cancellation and concurrency (parallel
// transfers conserve balances, duplicate keys have one effect). Every subtest works
// in its own random tenant, so an implementation backed by a shared system passes
// too.
//
// Seeding goes through the contracts themselves: clients are created with
// CreateClient; accounts with the optional adapters.AccountOpener; documents with the
// optional adapters.DocumentStore. Subtests that need an optional ability an
// implementation lacks are skipped, with the reason; an implementation may also
// return an error wrapping adapters.ErrNotSupported from the optional method (as the
// HTTP client does when its server lacks the ability), which skips too.
package adaptertest

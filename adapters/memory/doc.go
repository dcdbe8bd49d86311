// Package memory implements the six adapter contracts in memory: real,
// concurrency-safe implementations (a mutex, maps, values copied in and out) that
// pass the conformance suites of adapters/adaptertest, for tests, demos and
// examples/fakes.
//
// Each fake is built with New… and options. WithFaults shares one *Faults switch
// between fakes so a test can add latency or inject failures — on every call, on
// every Nth call, or on one operation (named by its method, e.g. "Transfer") — with
// the error kind of its choice:
//
//	f := memory.NewFaults()
//	bank := memory.NewCoreBanking(memory.WithFaults(f))
//	f.FailOperation("Transfer", clientele.ErrUnavailable)
//
// The CoreBanking fake keeps real accounts: transfers conserve money, never make a
// balance negative, respect post-no-debit / post-no-credit blocks and currencies, and
// are idempotent by key under concurrency. The Messaging fake records every message
// it accepted; tests read OTPs and tokens from Sent and Last.
package memory

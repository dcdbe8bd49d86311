// Package mocks holds mockery-generated mocks of the adapter contracts, for unit
// tests that assert calls (what was sent, how often, with which key). For behaviour,
// use the real in-memory fakes of adapters/memory instead.
//
// The mocks are generated from .mockery.yaml at the repository root with
// `go generate ./adapters`; adapters/checkmocks.sh fails when the committed mocks
// differ from freshly generated ones. Do not edit the generated files.
package mocks

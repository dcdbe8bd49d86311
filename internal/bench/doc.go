// Package bench compares authz's Catalogue.Decide with Casbin on the same
// catalogue and policies. It is a separate module (its own go.mod) so the
// library does not depend on Casbin; run it from this directory:
//
//	go test -run '^$' -bench . -count 5
package bench

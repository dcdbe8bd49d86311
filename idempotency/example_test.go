package idempotency_test

import (
	"fmt"

	"github.com/clientele-go/clientele/idempotency"
)

// Example fingerprints a request the way the stores compare repeats of one
// idempotency key: the same request always hashes the same, another does not.
func Example() {
	type transfer struct {
		From, To string
		Amount   int64
	}
	a, _ := idempotency.Hash(transfer{From: "S1", To: "S2", Amount: 5000})
	b, _ := idempotency.Hash(transfer{From: "S1", To: "S2", Amount: 5000})
	c, _ := idempotency.Hash(transfer{From: "S1", To: "S2", Amount: 500})
	fmt.Println(len(a), a == b, a == c, idempotency.TTL)
	// Output:
	// 64 true false 24h0m0s
}

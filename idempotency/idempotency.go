package idempotency

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/clientele-go/clientele"
)

// TTL is how long a key is remembered. A key older than TTL is ignored (its
// reuse is a new request) and pruned in the background.
const TTL = 24 * time.Hour

// Key is a caller's idempotency key in its scope, with the hash of the request
// it came with. The zero Key (an empty Value) means the change carries no key.
// The tenant is not part of Key: it travels with the change itself.
type Key struct {
	// Principal is who sent the request: the acting user's ID, "system" for
	// setup code, or a fixed name for a caller that has no principal (storage's
	// Persistence adapter uses its own name).
	Principal string
	// Operation is what the key is for, an operation code such as CL003.
	Operation string
	// Value is the key the caller sent.
	Value string
	// RequestHash is Hash of the request.
	RequestHash string
}

// Hash returns the request hash the mechanism compares: the hex SHA-256 of
// req's JSON encoding (encoding/json). The canonical form is therefore the
// struct's own: its fields in declaration order under their JSON names, map
// keys sorted, omitempty fields left out. It is stable for a given request
// type; a release that adds, removes or renames a field of a request type
// changes the hash of that type's requests, so a retry that spans such an
// upgrade is answered with ErrConflict (for at most TTL). A value JSON cannot
// encode (a channel, a function) is ErrInvalid.
func Hash(req any) (string, error) {
	b, err := json.Marshal(req)
	if err != nil {
		return "", fmt.Errorf("idempotency: hash request: %v: %w", err, clientele.ErrInvalid)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

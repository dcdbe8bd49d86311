package clients

import (
	"context"
	"fmt"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/audit"
	"github.com/clientele-go/clientele/internal/filter"
)

// Store is what the service needs from persistence. storage implements it on
// SQLite and PostgreSQL; every method is scoped to one tenant, and every write stores
// its audit entry in the same transaction.
type Store interface {
	// Create inserts c. With a non-empty idem.Key it first records the key: a key
	// already recorded with the same request hash returns the client created then
	// (replayed true); with another hash it fails with ErrConflict. A taken reference
	// fails with a *ConflictError on "reference".
	Create(ctx context.Context, c Client, idem Idempotency, entry audit.Entry) (saved Client, replayed bool, err error)
	// Get returns the client with this reference, or ErrNotFound.
	Get(ctx context.Context, tenantID, reference string) (Client, error)
	// Update loads the client with this reference inside a transaction (locking
	// the row where the database can), calls fn with it, and writes the result with
	// its version increased by one together with the audit entry fn returns. An
	// error from fn aborts and writes nothing.
	Update(ctx context.Context, tenantID, reference string, fn func(*Client) (audit.Entry, error)) (Client, error)
	// Search returns up to limit clients matching q, newest first, starting after
	// the client whose ID is after ("" for the first page).
	Search(ctx context.Context, tenantID string, q filter.Query, after string, limit int) ([]Client, error)
}

// Idempotency ties a create to a caller's idempotency key.
type Idempotency struct {
	Key         string
	RequestHash string
}

// ConflictError says which unique field a write collided on. It unwraps to
// clientele.ErrConflict.
type ConflictError struct {
	Field string
	Value string
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("%s %q is already taken", e.Field, e.Value)
}

// Unwrap makes errors.Is(err, clientele.ErrConflict) true.
func (e *ConflictError) Unwrap() error { return clientele.ErrConflict }

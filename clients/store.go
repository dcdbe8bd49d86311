package clients

import (
	"context"
	"fmt"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/audit"
	"github.com/clientele-go/clientele/idempotency"
	"github.com/clientele-go/clientele/outbox"
)

// Store is what the service needs from persistence. storage implements it on
// SQLite and PostgreSQL; every method is scoped to one tenant, and every write stores
// its audit entry in the same transaction.
//
// Get, Update and Search take the principal's data scope and add it to their
// query: a client outside it is ErrNotFound to Get and Update and absent from
// Search, exactly as if it did not exist. The zero Scope holds no client.
type Store interface {
	ScopeResolver
	StarStore
	ChangeRecorder
	// Create inserts c. With a non-empty idem.Value the key is recorded with
	// the client (package idempotency): a key already recorded, less than
	// idempotency.TTL ago, with the same request hash returns the client created
	// then (replayed true) and writes nothing; with another hash, or while the
	// request that recorded it is still in flight, it fails with ErrConflict. A
	// taken reference fails with a *ConflictError on "reference".
	// The client, ch's audit entry and ch's effects are written in one
	// transaction (the caller's, when ctx carries one).
	Create(ctx context.Context, c Client, idem idempotency.Key, ch Change) (saved Client, replayed bool, err error)
	// Get returns the client with this reference in scope sc, with its Sync
	// state, or ErrNotFound.
	Get(ctx context.Context, tenantID, reference string, sc Scope) (Client, error)
	// GetByID returns the client with this ID (without Sync), or ErrNotFound.
	GetByID(ctx context.Context, tenantID, id string) (Client, error)
	// Update loads the client with this reference inside a transaction (locking
	// the row where the database can), calls fn with it, and writes the result with
	// its version increased by one together with the audit entry and effects fn
	// returns. An error from fn aborts and writes nothing. A client outside
	// scope sc when it is locked is ErrNotFound and fn is not called.
	Update(ctx context.Context, tenantID, reference string, sc Scope, fn func(*Client) (Change, error)) (Client, error)
	// Search returns up to limit clients in scope sc matching q, newest first, starting after
	// the client whose ID is after ("" for the first page). q names only the
	// fields, operators and values of SearchSchema; a term outside it fails with
	// ErrInvalid.
	Search(ctx context.Context, tenantID string, sc Scope, q Query, after string, limit int) ([]Client, error)
}

// Change is what a write stores beside the client, in its transaction: the
// audit entry and the adapter effects the change implies.
type Change struct {
	Audit   audit.Entry
	Effects []outbox.Effect
	// LinkTo, for Create only, names associates the new client is linked to
	// (associates.Link, entity kind client) in the same transaction: a
	// restricted associate's new client stays in its own view.
	LinkTo []string
	// Resume names effects of the tenant (by key) to deliver again if they
	// are parked: the store makes each such effect pending and deliverable in
	// the change's transaction (as outbox.Service.Replay does); one that is
	// not parked is left as it is.
	Resume []string
	// Serial, for ChangeRecorder.Record: the change is refused while an
	// effect of the operation of its first effect, on that effect's entity,
	// is still pending.
	Serial bool
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

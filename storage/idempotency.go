package storage

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/clientele-go/clientele"
)

type idempotencyRow struct {
	bun.BaseModel `bun:"table:idempotency_keys"`

	TenantID    string    `bun:"tenant_id,pk"`
	Scope       string    `bun:"scope,pk"`
	Key         string    `bun:"key,pk"`
	RequestHash string    `bun:"request_hash"`
	EntityID    string    `bun:"entity_id"`
	CreatedAt   time.Time `bun:"created_at"`
}

// keyReplay reports that an idempotency key was already used for the same request:
// the caller returns the entity created then instead of creating another.
type keyReplay struct{ entityID string }

func (k *keyReplay) Error() string { return "idempotency key replayed for " + k.entityID }

// errKeyRace: another transaction recorded the same key between our look-up and our
// insert. The whole transaction is run again, and then sees the key.
var errKeyRace = errors.New("storage: idempotency key recorded concurrently")

// claimKey records key for scope (an operation code) within tx. A key already
// recorded with the same request hash yields *keyReplay; with another hash,
// ErrConflict.
func claimKey(ctx context.Context, tx bun.Tx, tenantID, scope, key, requestHash, entityID string, at time.Time) error {
	var existing idempotencyRow
	err := tx.NewSelect().Model(&existing).
		Where("tenant_id = ?", tenantID).Where("scope = ?", scope).Where("key = ?", key).
		Scan(ctx)
	switch {
	case err == nil && existing.RequestHash == requestHash:
		return &keyReplay{entityID: existing.EntityID}
	case err == nil:
		return fmt.Errorf("idempotency key %q was used for a different request: %w", key, clientele.ErrConflict)
	case !errors.Is(translate(err), clientele.ErrNotFound):
		return translate(err)
	}
	row := idempotencyRow{TenantID: tenantID, Scope: scope, Key: key, RequestHash: requestHash, EntityID: entityID, CreatedAt: at.UTC()}
	if _, err := tx.NewInsert().Model(&row).Exec(ctx); err != nil {
		if uniqueViolation(err) != "" {
			return errKeyRace
		}
		return translate(err)
	}
	return nil
}

// withKeyRace runs fn, and once more if it lost an idempotency-key race.
func withKeyRace(fn func() error) error {
	err := fn()
	if errors.Is(err, errKeyRace) {
		err = fn()
	}
	return err
}

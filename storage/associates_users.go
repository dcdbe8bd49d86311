package storage

import (
	"context"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/clientele-go/clientele/associates"
	"github.com/clientele-go/clientele/users"
)

var _ users.AssociateChecker = (*AssociateStore)(nil)

// AssociateExists implements users.AssociateChecker: whether associateID
// names an active associate of the tenant, by its primary key. An ID that is
// not a canonical UUID (the only form the associates package makes) names
// none and is not looked up. It joins the transaction ctx carries.
func (s *AssociateStore) AssociateExists(ctx context.Context, tenantID, associateID string) (bool, error) {
	if u, err := uuid.Parse(associateID); err != nil || u.String() != associateID {
		return false, nil
	}
	n, err := s.db.bun.NewSelect().Table("associates").
		Where("tenant_id = ?", tenantID).Where("id = ?", associateID).Where("state = ?", string(associates.Active)).
		Count(ctx)
	if err != nil {
		return false, translate(err)
	}
	return n > 0, nil
}

var _ associates.Atomic = (*AssociateStore)(nil)

// Atomically implements associates.Atomic with the store's unit of work
// (DB.InTx): one transaction, or a savepoint of the caller's when ctx
// carries one.
func (s *AssociateStore) Atomically(ctx context.Context, fn func(ctx context.Context) error) error {
	return s.db.inTxCtx(ctx, func(ctx context.Context, _ bun.Tx) error { return fn(ctx) })
}

package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/clients"
)

type clientStarRow struct {
	bun.BaseModel `bun:"table:client_stars"`

	TenantID  string    `bun:"tenant_id,pk"`
	MemberID  string    `bun:"member_id,pk"`
	ClientID  string    `bun:"client_id,pk"`
	StarredAt time.Time `bun:"starred_at"`
}

// maxToggleRounds bounds how often one toggle meets another toggle of the same
// star in flight (PostgreSQL) before it gives up with ErrConflict.
const maxToggleRounds = 5

// ToggleStar implements clients.StarStore. It inserts the star unless it
// exists (INSERT … ON CONFLICT DO NOTHING) and otherwise deletes it, so it
// never reads then writes: on PostgreSQL a concurrent toggle of the same star
// waits for the first to commit and then flips what it left, and on SQLite
// writers take turns. A delete that finds the star gone (another toggle
// removed it in between) tries the insert again. The star, the audit entry
// and the effects change returns are one transaction (the caller's, when ctx
// carries one).
func (s *ClientStore) ToggleStar(ctx context.Context, tenantID, memberID, clientID string, change func(starred bool, at time.Time) clients.Change) (bool, error) {
	var starred bool
	err := s.db.inTx(ctx, func(tx bun.Tx) error {
		now := s.db.now()
		row := clientStarRow{TenantID: tenantID, MemberID: memberID, ClientID: clientID, StarredAt: now}
		toggled := false
		for round := 0; round < maxToggleRounds && !toggled; round++ {
			res, err := tx.NewInsert().Model(&row).On("CONFLICT DO NOTHING").Exec(ctx)
			if err != nil {
				return translate(err)
			}
			if n, _ := res.RowsAffected(); n == 1 {
				starred, toggled = true, true
				break
			}
			res, err = tx.NewDelete().Model((*clientStarRow)(nil)).
				Where("tenant_id = ?", tenantID).Where("member_id = ?", memberID).Where("client_id = ?", clientID).
				Exec(ctx)
			if err != nil {
				return translate(err)
			}
			if n, _ := res.RowsAffected(); n == 1 {
				starred, toggled = false, true
			}
		}
		if !toggled {
			return fmt.Errorf("star of client %s keeps changing: %w", clientID, clientele.ErrConflict)
		}
		ch := change(starred, now)
		if err := appendAudit(ctx, tx, ch.Audit); err != nil {
			return err
		}
		return s.db.enqueue(ctx, tx, now, ch.Effects)
	})
	if err != nil {
		return false, fmt.Errorf("star client %s: %w", clientID, err)
	}
	return starred, nil
}

// whereStarred keeps the clients member starred (or, with starred false, the
// others): a condition of the same statement as the filter, scope and cursor.
// The primary key of client_stars (tenant, member, client) serves both.
func whereStarred(sel *bun.SelectQuery, table, tenantID, member string, starred bool) {
	in := "IN"
	if !starred {
		in = "NOT IN"
	}
	sel.Where("? "+in+" (SELECT s.client_id FROM client_stars AS s WHERE s.tenant_id = ? AND s.member_id = ?)",
		bun.Safe(table+".id"), tenantID, member)
}

// Record implements clients.ChangeRecorder: the audit entry and the effects
// of a change whose state lives at an adapter (a client's preferences), in
// one transaction. A Serial change first takes the lock of its entity's
// effects (on PostgreSQL a transaction-scoped advisory lock; SQLite has one
// writer at a time), so of two concurrent serial changes the second sees the
// first's pending effect once it commits.
func (s *ClientStore) Record(ctx context.Context, ch clients.Change) error {
	return s.db.inTx(ctx, func(tx bun.Tx) error {
		if ch.Serial && len(ch.Effects) > 0 {
			if err := s.db.refusePending(ctx, tx, ch.Effects[0]); err != nil {
				return err
			}
		}
		return s.writeChange(ctx, tx, ch.Audit.At, ch)
	})
}

package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/adapters"
	"github.com/clientele-go/clientele/audit"
	"github.com/clientele-go/clientele/idempotency"
	"github.com/clientele-go/clientele/outbox"
	"github.com/clientele-go/clientele/portal"
)

// PortalStore implements portal.Store: portal access (table portal_access)
// and portal transfers (table portal_transfers).
type PortalStore struct{ db *DB }

var _ portal.Store = (*PortalStore)(nil)

// Portal returns the store of the portal package.
func (db *DB) Portal() *PortalStore { return &PortalStore{db: db} }

type portalAccessRow struct {
	bun.BaseModel `bun:"table:portal_access"`

	TenantID  string    `bun:"tenant_id,pk"`
	ClientID  string    `bun:"client_id,pk"`
	UserID    string    `bun:"user_id"`
	Username  string    `bun:"username"`
	Roles     string    `bun:"roles"`
	Enabled   bool      `bun:"enabled"`
	Version   int64     `bun:"version"`
	CreatedAt time.Time `bun:"created_at"`
	UpdatedAt time.Time `bun:"updated_at"`
}

func (r portalAccessRow) access() (portal.Access, error) {
	a := portal.Access{TenantID: r.TenantID, ClientID: r.ClientID, UserID: r.UserID, Username: r.Username,
		Enabled: r.Enabled, Version: r.Version, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
	if err := json.Unmarshal([]byte(r.Roles), &a.Roles); err != nil {
		return portal.Access{}, fmt.Errorf("storage: portal access of %s: corrupt roles: %w", r.ClientID, err)
	}
	if a.Roles == nil {
		a.Roles = []string{}
	}
	return a, nil
}

// InTx implements portal.Store: see DB.InTx.
func (s *PortalStore) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	return s.db.InTx(ctx, func(ctx context.Context, _ *sql.Tx) error { return fn(ctx) })
}

// Access implements portal.Store.
func (s *PortalStore) Access(ctx context.Context, tenantID, clientID string) (portal.Access, error) {
	var row portalAccessRow
	err := s.db.bun.NewSelect().Model(&row).Where("tenant_id = ?", tenantID).Where("client_id = ?", clientID).Scan(ctx)
	if err != nil {
		return portal.Access{}, fmt.Errorf("storage: portal access of %s: %w", clientID, translate(err))
	}
	return row.access()
}

// Accesses implements portal.Store.
func (s *PortalStore) Accesses(ctx context.Context, tenantID string, clientIDs []string) (map[string]portal.Access, error) {
	var rows []portalAccessRow
	err := s.db.bun.NewSelect().Model(&rows).Where("tenant_id = ?", tenantID).Where("client_id IN (?)", bun.In(clientIDs)).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("storage: portal access: %w", translate(err))
	}
	out := make(map[string]portal.Access, len(rows))
	for _, r := range rows {
		a, err := r.access()
		if err != nil {
			return nil, err
		}
		out[a.ClientID] = a
	}
	return out, nil
}

// PutAccess implements portal.Store.
func (s *PortalStore) PutAccess(ctx context.Context, a portal.Access, version int64, entry audit.Entry) (portal.Access, error) {
	roles := a.Roles
	if roles == nil {
		roles = []string{}
	}
	raw, err := json.Marshal(roles)
	if err != nil {
		return portal.Access{}, err
	}
	row := portalAccessRow{TenantID: a.TenantID, ClientID: a.ClientID, UserID: a.UserID, Username: a.Username,
		Roles: string(raw), Enabled: a.Enabled, Version: version + 1, CreatedAt: a.CreatedAt.UTC(), UpdatedAt: a.UpdatedAt.UTC()}
	err = s.db.inTx(ctx, func(tx bun.Tx) error {
		if version == 0 {
			if _, err := tx.NewInsert().Model(&row).Exec(ctx); err != nil {
				switch c := uniqueViolation(err); {
				case strings.Contains(c, "username"):
					return clientele.NewValidationError("portalAccess.username", "unique", "already taken")
				case c != "":
					return fmt.Errorf("storage: portal access of client %s already exists: %w", a.ClientID, clientele.ErrConflict)
				}
				return translate(err)
			}
		} else {
			res, err := tx.NewUpdate().Model(&row).Column("roles", "enabled", "version", "updated_at").
				WherePK().Where("version = ?", version).Exec(ctx)
			if err != nil {
				return translate(err)
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return fmt.Errorf("storage: portal access of client %s changed meanwhile: %w", a.ClientID, clientele.ErrConflict)
			}
		}
		return appendAudit(ctx, tx, entry)
	})
	if err != nil {
		return portal.Access{}, err
	}
	return row.access()
}

type portalTransferRow struct {
	bun.BaseModel `bun:"table:portal_transfers"`

	TenantID       string    `bun:"tenant_id,pk"`
	ID             string    `bun:"id,pk"`
	ClientID       string    `bun:"client_id"`
	UserID         string    `bun:"user_id"`
	FromAccountID  string    `bun:"from_account_id"`
	ToAccountID    string    `bun:"to_account_id"`
	Amount         int64     `bun:"amount"`
	Currency       string    `bun:"currency"`
	Narration      string    `bun:"narration"`
	Status         string    `bun:"status"`
	Failure        string    `bun:"failure"`
	BankTransferID string    `bun:"bank_transfer_id"`
	CreatedAt      time.Time `bun:"created_at"`
	UpdatedAt      time.Time `bun:"updated_at"`
}

func toTransferRow(t portal.Transfer) portalTransferRow {
	return portalTransferRow{TenantID: t.TenantID, ID: t.ID, ClientID: t.ClientID, UserID: t.UserID,
		FromAccountID: t.FromAccountID, ToAccountID: t.ToAccountID, Amount: t.Amount.Amount, Currency: t.Amount.Currency,
		Narration: t.Narration, Status: string(t.Status), Failure: t.Failure, BankTransferID: t.BankTransferID,
		CreatedAt: t.CreatedAt.UTC(), UpdatedAt: t.UpdatedAt.UTC()}
}

func (r portalTransferRow) transfer() portal.Transfer {
	return portal.Transfer{TenantID: r.TenantID, ID: r.ID, ClientID: r.ClientID, UserID: r.UserID,
		FromAccountID: r.FromAccountID, ToAccountID: r.ToAccountID,
		Amount: adapters.Money{Amount: r.Amount, Currency: r.Currency}, Narration: r.Narration,
		Status: portal.TransferStatus(r.Status), Failure: r.Failure, BankTransferID: r.BankTransferID,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

// CreateTransfer implements portal.Store. The idempotency key is claimed
// with answerInProgress: a concurrent duplicate is ErrConflict at once. On
// PostgreSQL a new key's transfer is recorded in one statement, shared
// with other requests' records (recordTransfer); a duplicate queued behind
// it there goes in the next statement (one key per statement), finds the
// key and replays it.
func (s *PortalStore) CreateTransfer(ctx context.Context, t portal.Transfer, idem idempotency.Key, entry audit.Entry, effect outbox.Effect) (portal.Transfer, bool, error) {
	row := toTransferRow(t)
	if s.db.oneStatement(ctx) && idem.Value != "" && effect.Delay > 0 {
		recorded, err := s.recordTransfer(ctx, &row, idem, entry, effect)
		if err != nil {
			return portal.Transfer{}, false, err
		}
		if recorded {
			return row.transfer(), false, nil
		}
		// The key is known (a replay, another request, an expired record)
		// or in use: the transaction below tells which.
	}
	err := s.db.inTx(ctx, func(tx bun.Tx) error {
		if idem.Value != "" {
			if err := s.db.claimKey(ctx, tx, t.TenantID, idem, answerInProgress); err != nil {
				return err
			}
		}
		if _, err := tx.NewInsert().Model(&row).Exec(ctx); err != nil {
			return translate(err)
		}
		if idem.Value != "" {
			if err := s.db.recordKey(ctx, tx, t.TenantID, idem, t.ID); err != nil {
				return err
			}
		}
		if err := appendAudit(ctx, tx, entry); err != nil {
			return err
		}
		return s.db.enqueue(ctx, tx, t.CreatedAt, []outbox.Effect{effect})
	})
	var replay *keyReplay
	if errors.As(err, &replay) {
		got, err := s.Transfer(ctx, t.TenantID, replay.result)
		return got, err == nil, err
	}
	if err != nil {
		return portal.Transfer{}, false, err
	}
	return row.transfer(), false, nil
}

// Transfer implements portal.Store.
func (s *PortalStore) Transfer(ctx context.Context, tenantID, id string) (portal.Transfer, error) {
	var row portalTransferRow
	err := s.db.bun.NewSelect().Model(&row).Where("tenant_id = ?", tenantID).Where("id = ?", id).Scan(ctx)
	if err != nil {
		return portal.Transfer{}, fmt.Errorf("storage: transfer %s: %w", id, translate(err))
	}
	return row.transfer(), nil
}

// SettleTransfer implements portal.Store: one conditional UPDATE … WHERE
// status = 'pending' … RETURNING, so of two concurrent settlements one
// writes (and appends the audit entry); the other reads the result. The
// effect is marked delivered in the same transaction either way (on
// PostgreSQL, the same statement, shared with other requests'
// settlements: settleTransfer).
func (s *PortalStore) SettleTransfer(ctx context.Context, tenantID, id string, status portal.TransferStatus, bankTransferID, failure string, at time.Time, entry audit.Entry, effectKey string) (portal.Transfer, error) {
	if status != portal.TransferCompleted && status != portal.TransferFailed {
		return portal.Transfer{}, fmt.Errorf("storage: settle transfer %s as %q: %w", id, status, clientele.ErrInvalid)
	}
	if s.db.oneStatement(ctx) {
		return s.settleTransfer(ctx, tenantID, id, status, bankTransferID, failure, at, entry, effectKey)
	}
	var out portal.Transfer
	err := s.db.inTx(ctx, func(tx bun.Tx) error {
		var rows []portalTransferRow
		err := tx.NewUpdate().Model(&rows).ModelTableExpr("portal_transfers").
			Set("status = ?", string(status)).Set("bank_transfer_id = ?", bankTransferID).
			Set("failure = ?", failure).Set("updated_at = ?", at.UTC()).
			Where("tenant_id = ?", tenantID).Where("id = ?", id).Where("status = ?", string(portal.TransferPending)).
			Returning("*").Scan(ctx)
		if err != nil {
			return translate(err)
		}
		if len(rows) == 1 {
			out = rows[0].transfer()
			if err := appendAudit(ctx, tx, entry); err != nil {
				return err
			}
			return s.db.deliveredInline(ctx, tx, tenantID, effectKey, at)
		}
		// Settled already (by the request or the dispatcher): as it stands.
		var row portalTransferRow
		if err := tx.NewSelect().Model(&row).Where("tenant_id = ?", tenantID).Where("id = ?", id).Scan(ctx); err != nil {
			return fmt.Errorf("storage: transfer %s: %w", id, translate(err))
		}
		out = row.transfer()
		return s.db.deliveredInline(ctx, tx, tenantID, effectKey, at)
	})
	return out, err
}

// recordItem is one transfer's record: its row, its idempotency key (and
// the key's advisory lock), its audit entry and its effect.
type recordItem struct {
	transfer portalTransferRow
	key      idempotencyRow
	lock     int64
	audit    auditRow
	effect   effectRow
}

// recordTransfer is CreateTransfer's transaction on PostgreSQL, outside an
// app's transaction: one statement, with the records of other requests
// made at the same moment (db.records, recordBatch). It reports whether the
// transfer was recorded; if not, nothing was written, and the transaction
// path answers: in progress while the key's lock is held, else the replay
// or the reuse.
func (s *PortalStore) recordTransfer(ctx context.Context, row *portalTransferRow, idem idempotency.Key, entry audit.Entry, effect outbox.Effect) (bool, error) {
	a, err := newAuditRow(entry)
	if err != nil {
		return false, err
	}
	e, err := newEffectRow(effect, row.CreatedAt)
	if err != nil {
		return false, err
	}
	recorded, err := s.db.records.do(ctx, recordItem{transfer: *row, key: s.db.keyRow(row.TenantID, idem, row.ID),
		lock: keyLock(row.TenantID, idem), audit: a, effect: e})
	if err != nil {
		return false, fmt.Errorf("storage: record transfer %s: %w", row.ID, err)
	}
	return recorded, nil
}

// recordBatch records items (distinct keys) in one statement: each item's
// idempotency key is inserted if its advisory lock is free (as claimKey
// takes it) and it is not recorded already, and its transfer, audit entry
// and effect (which has a Delay, so no River job yet) only if the key was.
// It reports, per item, whether they were.
func (db *DB) recordBatch(ctx context.Context, items []recordItem) ([]bool, error) {
	rows := func(pick func(*recordItem) any) []any {
		out := make([]any, len(items))
		for i := range items {
			out[i] = pick(&items[i])
		}
		return out
	}
	gen := db.bun.QueryGen()
	b := append(make([]byte, 0, 1024+2500*len(items)), "WITH l AS (SELECT ord, pg_try_advisory_xact_lock(lock) AS held FROM unnest(ARRAY["...)
	for i, it := range items {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = gen.Append(b, it.lock)
	}
	b = append(b, "]::bigint[]) WITH ORDINALITY AS l(lock, ord)),\nk AS ("...)
	var err error
	steps := []struct {
		cte  string
		pick func(*recordItem) any
		cond string
	}{
		{"", func(it *recordItem) any { return &it.key }, "ord IN (SELECT ord FROM l WHERE held) ON CONFLICT DO NOTHING RETURNING result"},
		{"t", func(it *recordItem) any { return &it.transfer }, "v.id IN (SELECT result FROM k)"},
		{"a", func(it *recordItem) any { return &it.audit }, "v.entity_id IN (SELECT result FROM k)"},
		{"e", func(it *recordItem) any { return &it.effect }, "v.entity_id IN (SELECT result FROM k)"},
	}
	for _, st := range steps {
		if st.cte != "" {
			b = append(b, "),\n"+st.cte+" AS ("...)
		}
		if b, err = db.appendInsertRows(ctx, b, rows(st.pick), st.cond); err != nil {
			return nil, err
		}
	}
	b = append(b, ")\nSELECT result FROM k"...)
	var recorded []string
	if err := db.bun.NewRaw("?", sqlText(b)).Scan(ctx, &recorded); err != nil {
		return nil, translate(err)
	}
	out := make([]bool, len(items))
	for i, it := range items {
		out[i] = slices.Contains(recorded, it.transfer.ID)
	}
	return out, nil
}

// settleItem is one settlement of a transfer (SettleTransfer's arguments,
// its audit entry as a row).
type settleItem struct {
	tenantID, id, status, bankTransferID, failure, effectKey string
	at                                                       time.Time
	audit                                                    auditRow
}

// settledRow is what settleBatch's statement returns for each settlement:
// the transfer as settled (all empty when it was settled already) and the
// job of its effect.
type settledRow struct {
	portalTransferRow `bun:",extend"`

	SettledOrd *int   `bun:"settled_ord"` // the item's place, when settled now
	BatchOrd   int    `bun:"batch_ord"`   // the item's place
	EffectJob  *int64 `bun:"effect_job"`
}

// settleTransfer is SettleTransfer's transaction on PostgreSQL, outside an
// app's transaction: one statement, with the settlements of other requests
// made at the same moment (db.settles, settleBatch).
func (s *PortalStore) settleTransfer(ctx context.Context, tenantID, id string, status portal.TransferStatus, bankTransferID, failure string, at time.Time, entry audit.Entry, effectKey string) (portal.Transfer, error) {
	a, err := newAuditRow(entry)
	if err != nil {
		return portal.Transfer{}, err
	}
	t, err := s.db.settles.do(ctx, settleItem{tenantID: tenantID, id: id, status: string(status), bankTransferID: bankTransferID,
		failure: failure, effectKey: effectKey, at: at.UTC(), audit: a})
	if err != nil {
		return portal.Transfer{}, fmt.Errorf("storage: settle transfer %s: %w", id, err)
	}
	if t.ID == "" {
		// Settled already (by the request or the dispatcher): as it stands.
		return s.Transfer(ctx, tenantID, id)
	}
	return t, nil
}

// settleBatch settles items (distinct transfers) in one statement: each
// transfer still pending gets its outcome, and only those their audit
// entry; every item's effect is marked delivered. A River job an effect had
// (it was handed over to the dispatcher) is then withdrawn, best effort: a
// job that runs anyway finds its effect delivered and does nothing. A
// transfer that was settled already comes back empty.
func (db *DB) settleBatch(ctx context.Context, items []settleItem) ([]portal.Transfer, error) {
	gen := db.bun.QueryGen()
	array := func(b []byte, typ string, value func(settleItem) any) []byte {
		b = append(b, "ARRAY["...)
		for i, it := range items {
			if i > 0 {
				b = append(b, ", "...)
			}
			b = gen.Append(b, value(it))
		}
		return append(append(append(b, "]::"...), typ...), "[]"...)
	}
	b := append(make([]byte, 0, 1024+700*len(items)), "WITH i AS (SELECT * FROM unnest("...)
	for n, col := range []struct {
		typ   string
		value func(settleItem) any
	}{
		{"text", func(it settleItem) any { return it.tenantID }},
		{"text", func(it settleItem) any { return it.id }},
		{"text", func(it settleItem) any { return it.status }},
		{"text", func(it settleItem) any { return it.bankTransferID }},
		{"text", func(it settleItem) any { return it.failure }},
		{"text", func(it settleItem) any { return it.effectKey }},
		{"timestamptz", func(it settleItem) any { return it.at }},
	} {
		if n > 0 {
			b = append(b, ", "...)
		}
		b = array(b, col.typ, col.value)
	}
	b = append(b, `) WITH ORDINALITY AS i(tenant_id, id, status, bank_transfer_id, failure, effect_key, at, ord)),
s AS (UPDATE portal_transfers AS p SET status = i.status, bank_transfer_id = i.bank_transfer_id, failure = i.failure, updated_at = i.at
	FROM i WHERE p.tenant_id = i.tenant_id AND p.id = i.id AND p.status = `...)
	b = gen.Append(b, string(portal.TransferPending))
	b = append(b, " RETURNING p.*, i.ord AS settled_ord),\na AS ("...)
	audits := make([]any, len(items))
	for i := range items {
		audits[i] = &items[i].audit
	}
	b, err := db.appendInsertRows(ctx, b, audits, "ord IN (SELECT settled_ord FROM s)")
	if err != nil {
		return nil, err
	}
	b = append(b, "),\ne AS (UPDATE clientele_effects AS ef SET status = "...)
	b = gen.Append(b, string(outbox.Delivered))
	b = append(b, ", attempts = ef.attempts + 1, last_error = '', updated_at = i.at FROM i WHERE ef.tenant_id = i.tenant_id AND ef.idem_key = i.effect_key AND ef.status = "...)
	b = gen.Append(b, string(outbox.Pending))
	b = append(b, ` RETURNING ef.job_id, i.ord)
SELECT s.*, i.ord AS batch_ord, e.job_id AS effect_job FROM i LEFT JOIN s ON s.settled_ord = i.ord LEFT JOIN e ON e.ord = i.ord`...)
	var rows []settledRow
	if err := db.bun.NewRaw("?", sqlText(b)).Scan(ctx, &rows); err != nil {
		return nil, translate(err)
	}
	out := make([]portal.Transfer, len(items))
	for _, r := range rows {
		if r.BatchOrd < 1 || r.BatchOrd > len(items) {
			return nil, fmt.Errorf("storage: settle batch: row %d of %d", r.BatchOrd, len(items))
		}
		if r.EffectJob != nil && *r.EffectJob != 0 {
			db.withdrawJob(ctx, *r.EffectJob)
		}
		if r.ID != "" {
			out[r.BatchOrd-1] = r.transfer()
		}
	}
	return out, nil
}

// HandOver implements portal.Store.
func (s *PortalStore) HandOver(ctx context.Context, tenantID, effectKey string) error {
	return s.db.handOver(ctx, tenantID, effectKey)
}

package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"
	"github.com/uptrace/bun"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/audit"
	"github.com/clientele-go/clientele/outbox"
)

// The River job every effect travels as, and its queue. The job carries only the
// effect's tenant and key; the effect itself is read from clientele_effects, so
// what a job says can never disagree with what a caller is shown.
const (
	effectJobKind = "clientele_effect"
	effectQueue   = "clientele_effects"
)

type effectArgs struct {
	TenantID string `json:"tenantId"`
	Key      string `json:"key"`
}

func (effectArgs) Kind() string { return effectJobKind }

type effectRow struct {
	bun.BaseModel `bun:"table:clientele_effects"`

	ID         string     `bun:"id,pk"`
	TenantID   string     `bun:"tenant_id"`
	Key        string     `bun:"idem_key"`
	Op         string     `bun:"op"`
	Target     string     `bun:"target"`
	EntityKind string     `bun:"entity_kind"`
	EntityID   string     `bun:"entity_id"`
	Params     *string    `bun:"params"`
	Status     string     `bun:"status"`
	Attempts   int        `bun:"attempts"`
	LastError  string     `bun:"last_error"`
	JobID      int64      `bun:"job_id"` // 0 until the effect has a River job
	DueAt      *time.Time `bun:"due_at"` // an Effect.Delay: when the sweep gives it a job
	CreatedAt  time.Time  `bun:"created_at"`
	UpdatedAt  time.Time  `bun:"updated_at"`
}

func (r effectRow) record() outbox.Record {
	rec := outbox.Record{
		Effect: outbox.Effect{
			TenantID: r.TenantID, Op: r.Op, Target: outbox.Target(r.Target),
			Entity: outbox.Entity{Kind: r.EntityKind, ID: r.EntityID}, Key: r.Key,
		},
		Status: outbox.Status(r.Status), Attempts: r.Attempts, LastError: r.LastError,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
	}
	if r.Params != nil {
		rec.Params = json.RawMessage(*r.Params)
	}
	return rec
}

// riverDriver is River's driver for db's engine, over db's own pool.
func (db *DB) riverDriver() riverdriver.Driver[*sql.Tx] {
	if db.dialect == Postgres {
		return riverdatabasesql.New(db.bun.DB)
	}
	return riversqlite.New(db.bun.DB)
}

// river returns the client that inserts and retries jobs (it works none).
func (db *DB) river() (*river.Client[*sql.Tx], error) {
	db.riverOnce.Do(func() {
		db.riverClient, db.riverErr = river.NewClient(db.riverDriver(), &river.Config{
			Logger:              quietLogger(),
			SkipUnknownJobCheck: true,
		})
	})
	if db.riverErr != nil {
		return nil, fmt.Errorf("storage: outbox: %w", db.riverErr)
	}
	return db.riverClient, nil
}

// migrateRiver creates or upgrades River's tables beside the library's own.
func (db *DB) migrateRiver(ctx context.Context) error {
	m, err := rivermigrate.New(db.riverDriver(), &rivermigrate.Config{Logger: quietLogger()})
	if err != nil {
		return fmt.Errorf("storage: migrate river: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("storage: migrate river: %w", translate(err))
	}
	return nil
}

// enqueue records effects and inserts their River jobs inside tx, the
// transaction of the change that implies them. An effect whose key the tenant
// already used is skipped: it was enqueued before and is delivered once. An
// effect with a Delay gets no job yet: its request delivers it
// (deliveredInline) or hands it over (handOver), and if it does neither the
// dispatcher's sweep gives it one once the Delay has passed.
func (db *DB) enqueue(ctx context.Context, tx bun.Tx, now time.Time, effects []outbox.Effect) error {
	if len(effects) == 0 {
		return nil
	}
	rc, err := db.river()
	if err != nil {
		return err
	}
	for _, e := range effects {
		row, err := newEffectRow(e, now)
		if err != nil {
			return err
		}
		res, err := tx.NewInsert().Model(&row).On("CONFLICT (tenant_id, idem_key) DO NOTHING").Exec(ctx)
		if err != nil {
			return fmt.Errorf("storage: enqueue %s: %w", e.Op, translate(err))
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 || row.DueAt != nil {
			continue
		}
		if err := db.insertJob(ctx, tx, rc, &row); err != nil {
			return fmt.Errorf("storage: enqueue %s: %w", e.Op, err)
		}
	}
	return nil
}

// newEffectRow is the pending row of e, with a new ID, recorded at now.
func newEffectRow(e outbox.Effect, now time.Time) (effectRow, error) {
	if err := e.Validate(); err != nil {
		return effectRow{}, err
	}
	id, err := uuid.NewV7()
	if err != nil {
		return effectRow{}, err
	}
	row := effectRow{
		ID: id.String(), TenantID: e.TenantID, Key: e.Key, Op: e.Op, Target: string(e.Target),
		EntityKind: e.Entity.Kind, EntityID: e.Entity.ID, Status: string(outbox.Pending),
		CreatedAt: now.UTC(), UpdatedAt: now.UTC(),
	}
	if len(e.Params) > 0 {
		p := string(e.Params)
		row.Params = &p
	}
	if e.Delay > 0 {
		due := time.Now().Add(e.Delay).UTC()
		row.DueAt = &due
	}
	return row, nil
}

// insertJob gives the effect row its River job, available at once, in tx.
func (db *DB) insertJob(ctx context.Context, tx bun.Tx, rc *river.Client[*sql.Tx], row *effectRow) error {
	job, err := rc.InsertTx(ctx, tx.Tx, effectArgs{TenantID: row.TenantID, Key: row.Key},
		&river.InsertOpts{Queue: effectQueue, MaxAttempts: db.outboxMaxAttempts})
	if err != nil {
		return translate(err)
	}
	row.JobID = job.Job.ID
	_, err = tx.NewUpdate().Model((*effectRow)(nil)).Set("job_id = ?", job.Job.ID).Where("id = ?", row.ID).Exec(ctx)
	return translate(err)
}

// EffectStore lists and replays the outbox's effects; it implements
// outbox.Store.
type EffectStore struct{ db *DB }

var _ outbox.Store = (*EffectStore)(nil)

// Effects returns the effect store.
func (db *DB) Effects() *EffectStore { return &EffectStore{db: db} }

// List returns up to limit effects of the tenant matching f, oldest first,
// starting after the effect whose ID is after ("" for the first page).
func (s *EffectStore) List(ctx context.Context, tenantID string, f outbox.Filter, after string, limit int) ([]outbox.Record, []string, error) {
	var rows []effectRow
	q := s.db.bun.NewSelect().Model(&rows).Where("tenant_id = ?", tenantID)
	if f.Status != "" {
		q = q.Where("status = ?", string(f.Status))
	}
	if f.Entity.Kind != "" {
		q = q.Where("entity_kind = ?", f.Entity.Kind)
	}
	if f.Entity.ID != "" {
		q = q.Where("entity_id = ?", f.Entity.ID)
	}
	if after != "" {
		q = q.Where("id > ?", after)
	}
	if err := q.Order("id ASC").Limit(int64(limit)).Scan(ctx); err != nil {
		return nil, nil, fmt.Errorf("storage: list effects: %w", translate(err))
	}
	recs := make([]outbox.Record, len(rows))
	ids := make([]string, len(rows))
	for i, r := range rows {
		recs[i], ids[i] = r.record(), r.ID
	}
	return recs, ids, nil
}

// State summarizes, per target adapter, where the effects of one entity stand:
// parked if any is parked (with its last error), else pending if any is
// pending, else delivered (or skipped when the tenant has no such adapter).
func (s *EffectStore) State(ctx context.Context, tenantID string, e outbox.Entity) (map[outbox.Target]outbox.TargetState, error) {
	var rows []effectRow
	err := s.db.bun.NewSelect().Model(&rows).Column("target", "status", "last_error", "attempts", "updated_at").
		Where("tenant_id = ?", tenantID).Where("entity_kind = ?", e.Kind).Where("entity_id = ?", e.ID).
		Order("id ASC").Limit(1000).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("storage: effect state: %w", translate(err))
	}
	out := map[outbox.Target]outbox.TargetState{}
	for _, r := range rows {
		out[outbox.Target(r.Target)] = outbox.Fold(out[outbox.Target(r.Target)], r.record())
	}
	return out, nil
}

// Replay makes a parked effect pending again and its job available at once,
// with entry in the same transaction. An effect that is not parked fails with
// ErrPrecondition; an unknown key with ErrNotFound.
func (s *EffectStore) Replay(ctx context.Context, tenantID, key string, entry audit.Entry) (outbox.Record, error) {
	rc, err := s.db.river()
	if err != nil {
		return outbox.Record{}, err
	}
	var out outbox.Record
	err = s.db.inTx(ctx, func(tx bun.Tx) error {
		var row effectRow
		q := tx.NewSelect().Model(&row).Where("tenant_id = ?", tenantID).Where("idem_key = ?", key)
		if err := s.db.forUpdate(q).Scan(ctx); err != nil {
			return translate(err)
		}
		if outbox.Status(row.Status) != outbox.Parked {
			return fmt.Errorf("only a parked effect can be replayed; this one is %s: %w", row.Status, clientele.ErrPrecondition)
		}
		if err := s.db.retry(ctx, tx, rc, &row, entry.At); err != nil {
			return err
		}
		entry.EntityID = row.ID
		if err := appendAudit(ctx, tx, entry); err != nil {
			return err
		}
		out = row.record()
		return nil
	})
	if err != nil {
		return outbox.Record{}, fmt.Errorf("storage: replay effect: %w", err)
	}
	return out, nil
}

// retry makes the parked effect row pending and its job available, in tx.
func (db *DB) retry(ctx context.Context, tx bun.Tx, rc *river.Client[*sql.Tx], row *effectRow, at time.Time) error {
	row.Status, row.UpdatedAt = string(outbox.Pending), at.UTC()
	if _, err := tx.NewUpdate().Model(row).Column("status", "updated_at").WherePK().Exec(ctx); err != nil {
		return translate(err)
	}
	job, err := rc.JobRetryTx(ctx, tx.Tx, row.JobID)
	if err != nil {
		return fmt.Errorf("retry job %d: %w", row.JobID, translate(err))
	}
	if job.State != rivertype.JobStateAvailable {
		// The attempt that parked it is still being finalized (a few
		// milliseconds); River leaves a running job alone.
		return fmt.Errorf("the effect's last attempt is still finishing; try again in a moment: %w", clientele.ErrConflict)
	}
	return nil
}

// rearm makes the tenant's effect with this key pending and deliverable again
// if it is parked, in tx; any other effect, or none, is left as it is.
func (db *DB) rearm(ctx context.Context, tx bun.Tx, tenantID, key string, at time.Time) error {
	var row effectRow
	q := tx.NewSelect().Model(&row).Where("tenant_id = ?", tenantID).Where("idem_key = ?", key)
	err := db.forUpdate(q).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return translate(err)
	}
	if outbox.Status(row.Status) != outbox.Parked {
		return nil
	}
	rc, err := db.river()
	if err != nil {
		return err
	}
	return db.retry(ctx, tx, rc, &row, at)
}

// deliveredInline records, in tx, that the request which enqueued the
// tenant's effect with this key delivered it itself (see outbox.Effect's
// Delay): a pending effect becomes delivered. It usually has no job yet; one
// it got meanwhile (handOver, the sweep) is withdrawn, unless the dispatcher
// is running it already, whose handler then finds the work done. An effect
// that is not pending is left as it is.
func (db *DB) deliveredInline(ctx context.Context, tx bun.Tx, tenantID, key string, at time.Time) error {
	var jobID int64
	err := tx.NewUpdate().Model((*effectRow)(nil)).
		Set("status = ?", string(outbox.Delivered)).Set("attempts = attempts + 1").
		Set("last_error = ''").Set("updated_at = ?", at.UTC()).
		Where("tenant_id = ?", tenantID).Where("idem_key = ?", key).Where("status = ?", string(outbox.Pending)).
		Returning("job_id").Scan(ctx, &jobID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("storage: effect %s delivered: %w", key, translate(err))
	}
	if jobID == 0 {
		return nil
	}
	rc, err := db.river()
	if err != nil {
		return err
	}
	if _, err := rc.JobDeleteTx(ctx, tx.Tx, jobID); err != nil &&
		!errors.Is(err, rivertype.ErrJobRunning) && !errors.Is(err, rivertype.ErrNotFound) {
		return fmt.Errorf("storage: effect %s delivered: withdraw job %d: %w", key, jobID, translate(err))
	}
	return nil
}

// withdrawJob deletes the River job of an effect already marked delivered,
// best effort: a job that runs anyway (it was running, or the delete
// failed) finds its effect delivered and does nothing.
func (db *DB) withdrawJob(ctx context.Context, jobID int64) {
	if rc, err := db.river(); err == nil {
		_, _ = rc.JobDelete(ctx, jobID)
	}
}

// handOver makes the tenant's pending effect with this key deliverable by
// the dispatcher now, however long its Delay: the request that meant to
// deliver it could not (the adapter is down), and the dispatcher takes over
// at once, with its retries and backoff. An effect that is not pending, or
// whose job is running, is left as it is.
func (db *DB) handOver(ctx context.Context, tenantID, key string) error {
	rc, err := db.river()
	if err != nil {
		return err
	}
	err = db.inTx(ctx, func(tx bun.Tx) error {
		var row effectRow
		q := tx.NewSelect().Model(&row).Where("tenant_id = ?", tenantID).Where("idem_key = ?", key)
		err := db.forUpdate(q).Scan(ctx)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && outbox.Status(row.Status) != outbox.Pending) {
			return nil
		}
		if err != nil {
			return translate(err)
		}
		if row.JobID == 0 {
			return db.insertJob(ctx, tx, rc, &row)
		}
		_, err = rc.JobRetryTx(ctx, tx.Tx, row.JobID)
		if errors.Is(err, rivertype.ErrNotFound) {
			return nil
		}
		return translate(err)
	})
	if err != nil {
		return fmt.Errorf("storage: hand effect %s over: %w", key, err)
	}
	return nil
}

// refusePending fails with clientele.ErrConflict, in tx, while an effect of
// e's operation on e's entity is pending. On PostgreSQL it first takes a
// transaction-scoped advisory lock of that operation and entity, so a
// concurrent caller waits for tx to end and then sees its effect.
func (db *DB) refusePending(ctx context.Context, tx bun.Tx, e outbox.Effect) error {
	if db.dialect == Postgres {
		lock := advisoryKey("pending", e.TenantID, e.Op, e.Entity.Kind, e.Entity.ID)
		if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(?)", lock); err != nil {
			return translate(err)
		}
	}
	pending, err := tx.NewSelect().Model((*effectRow)(nil)).
		Where("tenant_id = ?", e.TenantID).Where("entity_kind = ?", e.Entity.Kind).Where("entity_id = ?", e.Entity.ID).
		Where("op = ?", e.Op).Where("status = ?", string(outbox.Pending)).Exists(ctx)
	if err != nil {
		return translate(err)
	}
	if pending {
		return fmt.Errorf("an earlier %s change of %s %s is still being applied; read it again and retry: %w",
			e.Op, e.Entity.Kind, e.Entity.ID, clientele.ErrConflict)
	}
	return nil
}

// sweepBatch is how many due effects one sweep gives jobs to.
const sweepBatch = 100

// sweep gives a job to each pending effect whose Delay has passed and that
// has none (its request neither delivered it nor handed it over: it failed,
// or its process stopped), at most sweepBatch per call, and reports how many.
// On PostgreSQL concurrent sweeps (one per dispatcher) skip each other's rows.
func (db *DB) sweep(ctx context.Context, now time.Time) (int, error) {
	rc, err := db.river()
	if err != nil {
		return 0, err
	}
	due := func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("job_id = 0").Where("status = ?", string(outbox.Pending)).Where("due_at <= ?", now.UTC())
	}
	// Nearly always nothing is due: look before taking a write transaction
	// (on SQLite, the database's one write lock).
	if found, err := due(db.bun.NewSelect().Model((*effectRow)(nil))).Exists(ctx); err != nil || !found {
		if err != nil {
			return 0, fmt.Errorf("storage: outbox sweep: %w", translate(err))
		}
		return 0, nil
	}
	n := 0
	err = db.inTx(ctx, func(tx bun.Tx) error {
		var rows []effectRow
		q := due(tx.NewSelect().Model(&rows)).OrderExpr("due_at").Limit(sweepBatch)
		if db.dialect == Postgres {
			q = q.For("UPDATE SKIP LOCKED")
		}
		if err := q.Scan(ctx); err != nil {
			return translate(err)
		}
		for i := range rows {
			if err := db.insertJob(ctx, tx, rc, &rows[i]); err != nil {
				return err
			}
		}
		n = len(rows)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("storage: outbox sweep: %w", err)
	}
	return n, nil
}

// errNoLease: another worker is delivering an effect of the same entity and
// target; the job is snoozed and tries again shortly.
var errNoLease = errors.New("entity leased by another worker")

// Enqueue records effects the embedding app declares itself (its own
// operations, with its own handlers in the dispatcher), in their own
// transaction.
func (db *DB) Enqueue(ctx context.Context, effects ...outbox.Effect) error {
	now := time.Now()
	return db.inTx(ctx, func(tx bun.Tx) error { return db.enqueue(ctx, tx, now, effects) })
}

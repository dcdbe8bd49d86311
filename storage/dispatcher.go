package storage

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"sync"
	"time"

	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/outbox"
)

// Dispatcher delivers the outbox's effects to their handlers: River workers on
// the same database as the changes, so a change and its effects commit together
// and a crash between commit and delivery loses nothing. The embedding app
// starts it (in the process that serves requests or in a separate one; several
// dispatchers on one database share the work and never deliver one job twice)
// and stops it on shutdown.
type Dispatcher struct {
	db       *DB
	handlers outbox.Handlers
	client   *river.Client[*sql.Tx]
	o        dispatcherOptions

	mu        sync.Mutex
	stopSweep context.CancelFunc // ends the sweep loop Start began
	swept     chan struct{}      // closed when that loop has returned
}

type dispatcherOptions struct {
	poll, cooldown time.Duration
	workers        int
	timeout        time.Duration
	lease          time.Duration
	leaseRetry     time.Duration
	backoffBase    time.Duration
	backoffMax     time.Duration
	retention      time.Duration
	sweep          time.Duration
	logger         *slog.Logger
}

// DispatcherOption configures NewDispatcher.
type DispatcherOption func(*dispatcherOptions)

// WithPolling sets how often an idle dispatcher looks for new jobs and the
// least time between two looks. The defaults, 20 ms and 5 ms, put an effect in
// its handler's hands about 20 ms after commit (median: 20 ms on SQLite, 23 ms on
// PostgreSQL) for 9 % (SQLite) or 4 % (PostgreSQL, client side) of one core while
// idle; 50 ms and 10 ms halve the idle cost. See BENCHMARKS.md.
func WithPolling(interval, cooldown time.Duration) DispatcherOption {
	return func(o *dispatcherOptions) { o.poll, o.cooldown = interval, cooldown }
}

// WithSweep sets how often the dispatcher looks for delayed effects
// (outbox.Effect.Delay) whose request neither delivered them nor handed them
// over, to deliver them itself (default 1 s): a transfer recorded by a
// process that stopped before executing it waits its Delay plus up to this.
func WithSweep(interval time.Duration) DispatcherOption {
	return func(o *dispatcherOptions) {
		if interval > 0 {
			o.sweep = interval
		}
	}
}

// WithWorkers sets how many effects are delivered at once (default 10).
func WithWorkers(n int) DispatcherOption {
	return func(o *dispatcherOptions) {
		if n >= 1 {
			o.workers = n
		}
	}
}

// WithHandlerTimeout bounds one delivery attempt (default 30 s).
func WithHandlerTimeout(d time.Duration) DispatcherOption {
	return func(o *dispatcherOptions) {
		if d > 0 {
			o.timeout = d
		}
	}
}

// WithBackoff sets the retry delay: base after the first failure, doubling,
// at most max (defaults 1 s and 10 min).
func WithBackoff(base, max time.Duration) DispatcherOption {
	return func(o *dispatcherOptions) {
		if base > 0 && max >= base {
			o.backoffBase, o.backoffMax = base, max
		}
	}
}

// WithRetention sets how long delivered and skipped effects are kept before the
// dispatcher prunes them (default 7 days; parked and pending ones are never
// pruned). Pruning runs hourly on one dispatcher of the database; it also
// deletes idempotency keys older than idempotency.TTL (24 hours), which this
// option does not change.
func WithRetention(d time.Duration) DispatcherOption {
	return func(o *dispatcherOptions) {
		if d > 0 {
			o.retention = d
		}
	}
}

// WithLogger sets where the dispatcher and River log (default: nowhere).
func WithLogger(l *slog.Logger) DispatcherOption {
	return func(o *dispatcherOptions) {
		if l != nil {
			o.logger = l
		}
	}
}

// NewDispatcher returns a stopped dispatcher for handlers. An effect whose
// operation has no handler is marked skipped: the tenant has no such adapter.
func (db *DB) NewDispatcher(handlers outbox.Handlers, opts ...DispatcherOption) (*Dispatcher, error) {
	o := dispatcherOptions{
		poll: 20 * time.Millisecond, cooldown: 5 * time.Millisecond, workers: 10,
		timeout: 30 * time.Second, leaseRetry: 100 * time.Millisecond,
		backoffBase: time.Second, backoffMax: 10 * time.Minute, retention: 7 * 24 * time.Hour,
		sweep: time.Second, logger: quietLogger(),
	}
	for _, opt := range opts {
		opt(&o)
	}
	if o.poll < time.Millisecond || o.cooldown < time.Millisecond {
		return nil, fmt.Errorf("storage: dispatcher: polling interval and cooldown must be at least 1 ms: %w", clientele.ErrInvalid)
	}
	// A lease outlives any attempt, so a crashed worker's lease lapses by itself.
	o.lease = 2*o.timeout + time.Minute
	d := &Dispatcher{db: db, handlers: handlers, o: o}
	workers := river.NewWorkers()
	if err := river.AddWorkerSafely(workers, &effectWorker{d: d}); err != nil {
		return nil, fmt.Errorf("storage: dispatcher: %w", err)
	}
	if err := river.AddWorkerSafely(workers, &pruneWorker{d: d}); err != nil {
		return nil, fmt.Errorf("storage: dispatcher: %w", err)
	}
	client, err := river.NewClient(db.riverDriver(), &river.Config{
		Logger:                      o.logger,
		Queues:                      map[string]river.QueueConfig{effectQueue: {MaxWorkers: o.workers}},
		Workers:                     workers,
		FetchPollInterval:           o.poll,
		FetchCooldown:               o.cooldown,
		JobTimeout:                  o.timeout + 30*time.Second,
		DiscardedJobRetentionPeriod: -1, // parked effects stay until replayed
		CancelledJobRetentionPeriod: -1,
		PeriodicJobs: []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
			func() (river.JobArgs, *river.InsertOpts) {
				return pruneArgs{}, &river.InsertOpts{Queue: effectQueue, MaxAttempts: 3}
			}, &river.PeriodicJobOpts{ID: pruneJobKind, RunOnStart: true})},
	})
	if err != nil {
		return nil, fmt.Errorf("storage: dispatcher: %w", err)
	}
	d.client = client
	return d, nil
}

// Start starts delivering; it returns once the dispatcher runs. ctx bounds the
// start, not the dispatcher's life: Stop ends it.
func (d *Dispatcher) Start(ctx context.Context) error {
	if err := d.client.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("storage: dispatcher: start: %w", err)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.stopSweep == nil {
		sweepCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		d.stopSweep, d.swept = cancel, make(chan struct{})
		go d.sweepLoop(sweepCtx, d.swept)
	}
	return nil
}

// sweepLoop gives jobs to due delayed effects (DB.sweep) every sweep
// interval until ctx ends, then closes done.
func (d *Dispatcher) sweepLoop(ctx context.Context, done chan<- struct{}) {
	defer close(done)
	t := time.NewTicker(d.o.sweep)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		for {
			n, err := d.db.sweep(ctx, time.Now())
			if err != nil {
				if ctx.Err() == nil {
					d.o.logger.WarnContext(ctx, "outbox: sweep failed", "error", err)
				}
				break
			}
			if n < sweepBatch {
				break
			}
		}
	}
}

// Stop stops fetching new effects and waits for those being delivered to
// finish, or for ctx to end (then their attempts are cancelled and retried
// later).
func (d *Dispatcher) Stop(ctx context.Context) error {
	d.mu.Lock()
	if d.stopSweep != nil {
		d.stopSweep()
		<-d.swept
		d.stopSweep, d.swept = nil, nil
	}
	d.mu.Unlock()
	err := d.client.Stop(ctx)
	if err != nil && ctx.Err() != nil {
		err = d.client.StopAndCancel(context.WithoutCancel(ctx))
	}
	if err != nil {
		return fmt.Errorf("storage: dispatcher: stop: %w", err)
	}
	return nil
}

type effectWorker struct {
	river.WorkerDefaults[effectArgs]
	d *Dispatcher
}

func (w *effectWorker) Work(ctx context.Context, job *river.Job[effectArgs]) error {
	return w.d.work(ctx, job.Args, job.Attempt, job.MaxAttempts)
}

// NextRetry is base·2^(attempt-1), at most max, with up to 10 % jitter so a
// recovering adapter is not hit by every parked-up effect at once.
func (w *effectWorker) NextRetry(job *river.Job[effectArgs]) time.Time {
	return time.Now().Add(w.d.backoff(job.Attempt))
}

func (d *Dispatcher) backoff(attempt int) time.Duration {
	exp := math.Min(float64(attempt-1), 40)
	delay := time.Duration(float64(d.o.backoffBase) * math.Pow(2, exp))
	if delay > d.o.backoffMax || delay <= 0 {
		delay = d.o.backoffMax
	}
	var b [1]byte
	_, _ = rand.Read(b[:])
	return delay + delay*time.Duration(b[0])/2550
}

// work is one attempt at one effect.
func (d *Dispatcher) work(ctx context.Context, args effectArgs, attempt, maxAttempts int) error {
	db := d.db
	var row effectRow
	err := db.bun.NewSelect().Model(&row).Where("tenant_id = ?", args.TenantID).Where("idem_key = ?", args.Key).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // pruned by the app
	}
	if err != nil {
		return translate(err)
	}
	if st := outbox.Status(row.Status); st == outbox.Delivered || st == outbox.Skipped {
		return nil
	}
	h := d.handlers[row.Op]
	if h == nil {
		return d.settle(ctx, row, "", nil, outbox.Skipped, "no handler for "+row.Op+" is configured")
	}
	owner, progress, err := d.lease(ctx, row)
	if errors.Is(err, errNoLease) {
		return river.JobSnooze(d.o.leaseRetry)
	}
	if err != nil {
		return err
	}
	callCtx, cancel := context.WithTimeout(ctx, d.o.timeout)
	next, herr := h.Deliver(callCtx, outbox.Delivery{Effect: row.record().Effect, Attempt: attempt, Progress: progress})
	cancel()
	if herr == nil {
		// Progress only moves forward, whatever a handler returns.
		next.Created = next.Created || progress.Created
		next.Version = max(next.Version, progress.Version)
		return d.settle(ctx, row, owner, &next, outbox.Delivered, "")
	}
	permanent := errors.Is(herr, outbox.ErrPermanent)
	status := outbox.Pending
	if permanent || attempt >= maxAttempts {
		status = outbox.Parked
	}
	d.o.logger.WarnContext(ctx, "outbox: delivery failed", "tenant", row.TenantID, "op", row.Op,
		"entity", row.EntityKind+"/"+row.EntityID, "attempt", attempt, "status", status, "error", herr)
	if err := d.settle(ctx, row, owner, nil, status, herr.Error()); err != nil {
		return errors.Join(herr, err)
	}
	if permanent {
		return river.JobCancel(herr)
	}
	return herr
}

// lease takes the entity's progress record for this attempt, creating it when
// the entity has none; errNoLease when another live attempt holds it.
func (d *Dispatcher) lease(ctx context.Context, row effectRow) (string, outbox.Progress, error) {
	var b [8]byte
	_, _ = rand.Read(b[:])
	owner := hex.EncodeToString(b[:])
	now := time.Now().UTC()
	db := d.db.bun
	if _, err := db.NewRaw(`INSERT INTO clientele_effect_progress
		(tenant_id, entity_kind, entity_id, target, created, version, lease_owner, lease_until, updated_at)
		VALUES (?, ?, ?, ?, FALSE, 0, '', NULL, ?) ON CONFLICT DO NOTHING`,
		row.TenantID, row.EntityKind, row.EntityID, row.Target, now).Exec(ctx); err != nil {
		return "", outbox.Progress{}, translate(err)
	}
	var p outbox.Progress
	err := db.NewRaw(`UPDATE clientele_effect_progress SET lease_owner = ?, lease_until = ?
		WHERE tenant_id = ? AND entity_kind = ? AND entity_id = ? AND target = ?
		AND (lease_until IS NULL OR lease_until < ?) RETURNING created, version`,
		owner, now.Add(d.o.lease), row.TenantID, row.EntityKind, row.EntityID, row.Target, now).
		Scan(ctx, &p.Created, &p.Version)
	if errors.Is(err, sql.ErrNoRows) {
		return "", outbox.Progress{}, errNoLease
	}
	if err != nil {
		return "", outbox.Progress{}, translate(err)
	}
	return owner, p, nil
}

// settle records an attempt's outcome in one transaction: the effect's status,
// attempts and last error, and (with next) the entity's new progress; it
// releases the lease either way. It runs even when the attempt's ctx ended.
func (d *Dispatcher) settle(ctx context.Context, row effectRow, owner string, next *outbox.Progress, status outbox.Status, lastError string) error {
	ctx = context.WithoutCancel(ctx)
	now := time.Now().UTC()
	if len(lastError) > 2000 {
		lastError = lastError[:2000]
	}
	return d.db.inTx(ctx, func(tx bun.Tx) error {
		q := tx.NewUpdate().Model((*effectRow)(nil)).
			Set("status = ?", string(status)).Set("last_error = ?", lastError).Set("updated_at = ?", now).
			Where("id = ?", row.ID)
		if status != outbox.Skipped {
			q = q.Set("attempts = attempts + 1")
		}
		if _, err := q.Exec(ctx); err != nil {
			return translate(err)
		}
		if owner == "" {
			return nil
		}
		u := tx.NewUpdate().Table("clientele_effect_progress").
			Set("lease_owner = ''").Set("lease_until = NULL").Set("updated_at = ?", now).
			Where("tenant_id = ?", row.TenantID).Where("entity_kind = ?", row.EntityKind).
			Where("entity_id = ?", row.EntityID).Where("target = ?", row.Target).Where("lease_owner = ?", owner)
		if next != nil {
			u = u.Set("created = ?", next.Created).Set("version = ?", next.Version)
		}
		_, err := u.Exec(ctx)
		return translate(err)
	})
}

// quietLogger discards River's own logging unless the app passes a logger.
func quietLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

const pruneJobKind = "clientele_prune"

type pruneArgs struct{}

func (pruneArgs) Kind() string { return pruneJobKind }

type pruneWorker struct {
	river.WorkerDefaults[pruneArgs]
	d *Dispatcher
}

// Work prunes settled effects older than the retention and idempotency keys
// older than idempotency.TTL.
func (w *pruneWorker) Work(ctx context.Context, _ *river.Job[pruneArgs]) error {
	_, errEffects := w.d.db.pruneEffects(ctx, time.Now().Add(-w.d.o.retention))
	_, errKeys := w.d.db.pruneKeys(ctx, w.d.db.now())
	return errors.Join(errEffects, errKeys)
}

// pruneEffects deletes delivered and skipped effects last changed before
// cutoff. Progress records stay: they are one per entity and adapter, and a
// later effect must know the entity was created there.
func (db *DB) pruneEffects(ctx context.Context, cutoff time.Time) (int64, error) {
	res, err := db.bun.NewDelete().Model((*effectRow)(nil)).
		Where("status IN (?)", bun.In([]string{string(outbox.Delivered), string(outbox.Skipped)})).
		Where("updated_at < ?", cutoff.UTC()).Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("storage: prune effects: %w", translate(err))
	}
	n, _ := res.RowsAffected()
	return n, nil
}

package portal

import (
	"context"
	"errors"
	"fmt"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/adapters"
	"github.com/clientele-go/clientele/audit"
	"github.com/clientele-go/clientele/authz"
	"github.com/clientele-go/clientele/idempotency"
	"github.com/clientele-go/clientele/internal/textcheck"
	"github.com/clientele-go/clientele/outbox"
)

// OpTransfer is the outbox operation of a portal transfer: the core-banking
// account transfer (adapters.CoreBanking.Transfer; the seeds' core-banking
// codes stop at CC011).
const OpTransfer = "CC012"

// TransferEntity is the outbox and audit entity kind of a portal transfer.
const TransferEntity = "portal_transfer"

// AuditTransferSettled is the audit operation of a transfer's outcome
// (completed or failed), written by whoever executed it ("system").
const AuditTransferSettled = "portal.transfer.settled"

// FailedError is the error of a transfer core banking refused (insufficient
// funds, a blocked, closed or missing account, different currencies). It
// carries the transfer as recorded, with status failed, and unwraps to
// clientele.ErrPrecondition.
type FailedError struct{ Transfer Transfer }

func (e *FailedError) Error() string {
	return fmt.Sprintf("portal: transfer %s failed: %s", e.Transfer.ID, e.Transfer.Failure)
}

// Unwrap makes errors.Is(err, clientele.ErrPrecondition) true.
func (e *FailedError) Unwrap() error { return clientele.ErrPrecondition }

// bankKey is the idempotency key of a transfer at core banking, and its
// outbox effect's key: one per transfer, so that the inline execution and
// the dispatcher's, however they interleave, move the money once.
func bankKey(id string) string { return "portal-transfer:" + id }

func noAccount(id string) error {
	return fmt.Errorf("account %s: %w", id, clientele.ErrNotFound)
}

// Transfer moves money from one of the principal's own active savings
// accounts to any other active savings account of the tenant in the same
// currency (PT003, seed 000's account transfer and agent cash-in).
// idempotencyKey is required.
//
// The transfer is recorded as pending, with the key, its audit entry and an
// outbox effect, in one transaction; then, after commit, it is executed at
// once against core banking, which checks the balance (the only place that
// can: it refuses an overdraft) under the transfer's own idempotency key:
//
//   - completed: the transfer is returned with status completed;
//   - refused by core banking: the transfer is recorded as failed and the
//     error is a *FailedError (clientele.ErrPrecondition);
//   - core banking unavailable: the transfer is returned with status
//     pending, and the dispatcher (Handlers) completes it once core banking
//     is back; GetTransfer shows its state.
//
// The same key with the same request returns the transfer recorded then,
// as it stands now (or its *FailedError), and moves nothing; with another
// request, or while the first is still being recorded, it fails with
// clientele.ErrConflict (on PostgreSQL a duplicate queued behind the first
// in a group of records waits for it and replays it instead). An account of another client, or one that does not
// exist, is ErrNotFound with the same text.
func (s *Service) Transfer(ctx context.Context, p authz.Principal, in TransferInput, idempotencyKey string) (Transfer, error) {
	fail := func(err error) (Transfer, error) { return Transfer{}, fmt.Errorf("portal: transfer: %w", err) }
	if err := s.customer(ctx, p, authz.OpPortalTransfer, in.Amount.Amount); err != nil {
		return fail(err)
	}
	v := &clientele.ValidationError{}
	if idempotencyKey == "" {
		v.Add("Idempotency-Key", "required", "a transfer needs an Idempotency-Key")
	} else {
		textcheck.Line(v, "Idempotency-Key", idempotencyKey, MaxIdempotencyKeyLen)
	}
	checkID(v, "fromAccountId", in.FromAccountID)
	checkID(v, "toAccountId", in.ToAccountID)
	if in.FromAccountID != "" && in.FromAccountID == in.ToAccountID {
		v.Add("toAccountId", "nefield", "must differ from fromAccountId")
	}
	if in.Amount.Amount <= 0 {
		v.Add("amount.amount", "gt", "must be a positive amount in minor units")
	}
	if !adapters.ValidCurrency(in.Amount.Currency) {
		v.Add("amount.currency", "iso4217", "must be an ISO-4217 code")
	}
	textcheck.Line(v, "narration", in.Narration, MaxNarrationLen)
	if err := v.OrNil(); err != nil {
		return fail(err)
	}

	// Check the accounts now when core banking answers; when it does not,
	// the transfer is recorded anyway and the delivery checks them before it
	// moves anything.
	verified, err := s.checkAccounts(ctx, p.TenantID, p.ClientID, in)
	if err != nil {
		return fail(err)
	}

	id, err := newID()
	if err != nil {
		return fail(err)
	}
	now := s.clock()
	t := Transfer{ID: id, TenantID: p.TenantID, ClientID: p.ClientID, UserID: p.UserID,
		FromAccountID: in.FromAccountID, ToAccountID: in.ToAccountID, Amount: in.Amount, Narration: in.Narration,
		Status: TransferPending, CreatedAt: now, UpdatedAt: now}
	idem := idempotency.Key{Principal: p.UserID, Operation: string(authz.OpPortalTransfer), Value: idempotencyKey}
	if idem.RequestHash, err = idempotency.Hash(in); err != nil {
		return fail(err)
	}
	entry := audit.Entry{TenantID: p.TenantID, Actor: p.UserID, Operation: string(authz.OpPortalTransfer),
		EntityType: TransferEntity, EntityID: id, At: now,
		Changed: []string{"clientId", "fromAccountId", "toAccountId", "amount", "narration", "status"}}
	effect := outbox.Effect{TenantID: p.TenantID, Op: OpTransfer, Target: outbox.CoreBanking,
		Entity: outbox.Entity{Kind: TransferEntity, ID: id}, Key: bankKey(id), Delay: s.grace}
	saved, replayed, err := s.store.CreateTransfer(ctx, t, idem, entry, effect)
	if err != nil {
		return fail(err)
	}
	if replayed {
		return outcome(saved)
	}
	if verified {
		// The accounts were checked above: execute at once; the settlement
		// withdraws the effect.
		saved, err = s.execute(ctx, saved)
		if err != nil && !retryable(err) {
			return fail(err)
		}
	}
	if saved.Status == TransferPending {
		// Core banking could not be reached: the dispatcher takes over now,
		// not after the grace. Best effort: the transfer and its effect are
		// committed, so if this fails the dispatcher still takes it over
		// when the grace ends, and the answer (pending) is the same.
		_ = s.store.HandOver(context.WithoutCancel(ctx), saved.TenantID, bankKey(saved.ID))
	}
	return outcome(saved)
}

// outcome is what Transfer and GetTransfer answer for t.
func outcome(t Transfer) (Transfer, error) {
	if t.Status == TransferFailed {
		return t, &FailedError{Transfer: t}
	}
	return t, nil
}

// checkAccounts checks, at core banking, that from is an active savings
// account of the client and to another active savings account of the tenant,
// both in the transfer's currency. It reports false, nil when core banking
// could not be reached (the delivery checks again).
func (s *Service) checkAccounts(ctx context.Context, tenantID, clientID string, in TransferInput) (bool, error) {
	from, err := s.bank.GetAccount(ctx, tenantID, in.FromAccountID)
	if retryable(err) {
		return false, nil
	}
	if errors.Is(err, clientele.ErrNotFound) || (err == nil && (from.TenantID != tenantID || from.ClientID != clientID)) {
		return false, noAccount(in.FromAccountID)
	}
	if err != nil {
		return false, err
	}
	v := &clientele.ValidationError{}
	if from.Type != adapters.Savings || from.Status != adapters.AccountActive {
		v.Add("fromAccountId", "savings", "must be one of your active savings accounts")
	} else if from.Balance.Currency != in.Amount.Currency {
		v.Add("amount.currency", "eqfield", "must be the currency of the account it is taken from")
	}
	to, err := s.bank.GetAccount(ctx, tenantID, in.ToAccountID)
	switch {
	case retryable(err):
		return false, nil
	case errors.Is(err, clientele.ErrNotFound) || (err == nil && (to.TenantID != tenantID || to.Type != adapters.Savings ||
		to.Status != adapters.AccountActive || to.Balance.Currency != in.Amount.Currency)):
		v.Add("toAccountId", "savings", "must be an active savings account in the transfer's currency")
	case err != nil:
		return false, err
	}
	return true, v.OrNil()
}

// retryable reports whether err says core banking could not be reached (or
// did not answer in time): the transfer stays pending and is retried.
func retryable(err error) bool {
	return errors.Is(err, clientele.ErrUnavailable) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)
}

// execute runs a pending transfer at core banking under its own idempotency
// key and records the outcome. A transfer no longer pending is returned as
// it is. The error is retryable (see retryable) when core banking could not
// be reached, and t is then returned still pending.
func (s *Service) execute(ctx context.Context, t Transfer) (Transfer, error) {
	if t.Status != TransferPending {
		return t, nil
	}
	res, err := s.bank.Transfer(ctx, adapters.TransferRequest{TenantID: t.TenantID, FromAccountID: t.FromAccountID,
		ToAccountID: t.ToAccountID, Amount: t.Amount, Narration: t.Narration, IdempotencyKey: bankKey(t.ID)})
	switch {
	case err == nil:
		return s.settle(ctx, t, TransferCompleted, res.ID, "")
	case retryable(err) || clientele.Kind(err) == nil:
		return t, fmt.Errorf("core banking: %w", err)
	default:
		return s.settle(ctx, t, TransferFailed, "", refusal(err))
	}
}

// refusal is the failure a client is shown for an error core banking
// refused a transfer with: the kind only, never the adapter's own text.
func refusal(err error) string {
	switch {
	case errors.Is(err, clientele.ErrPrecondition):
		return "core banking refused the transfer: insufficient funds, a blocked or inactive account, or different currencies"
	case errors.Is(err, clientele.ErrNotFound):
		return "core banking does not know one of the accounts"
	default:
		return "core banking refused the transfer as invalid"
	}
}

func (s *Service) settle(ctx context.Context, t Transfer, status TransferStatus, bankID, failure string) (Transfer, error) {
	now := s.clock()
	changed := []string{"status", "bankTransferId"}
	if status == TransferFailed {
		changed = []string{"status", "failure"}
	}
	entry := audit.Entry{TenantID: t.TenantID, Actor: "system", Operation: AuditTransferSettled,
		EntityType: TransferEntity, EntityID: t.ID, Changed: changed, At: now}
	// The money has moved (or been refused): record it even when the
	// caller's ctx has ended meanwhile.
	return s.store.SettleTransfer(context.WithoutCancel(ctx), t.TenantID, t.ID, status, bankID, failure, now, entry, bankKey(t.ID))
}

// GetTransfer returns one of the principal's transfers (viewing it needs
// PT001, the view of its own savings). A transfer of another client is
// ErrNotFound, like a missing one. A failed transfer is returned like any
// other, with its status and failure.
func (s *Service) GetTransfer(ctx context.Context, p authz.Principal, id string) (Transfer, error) {
	if err := s.customer(ctx, p, authz.OpPortalListSavings, 0); err != nil {
		return Transfer{}, fmt.Errorf("portal: transfer %s: %w", id, err)
	}
	v := &clientele.ValidationError{}
	checkID(v, "id", id)
	if err := v.OrNil(); err != nil {
		return Transfer{}, fmt.Errorf("portal: transfer: %w", err)
	}
	t, err := s.store.Transfer(ctx, p.TenantID, id)
	if errors.Is(err, clientele.ErrNotFound) || (err == nil && t.ClientID != p.ClientID) {
		return Transfer{}, fmt.Errorf("portal: transfer %s: %w", id, clientele.ErrNotFound)
	}
	if err != nil {
		return Transfer{}, fmt.Errorf("portal: transfer %s: %w", id, err)
	}
	return t, nil
}

// Handlers returns the outbox handler of portal transfers (OpTransfer), for
// the dispatcher the app starts. It finishes a transfer the request could
// not execute (core banking was down, the process stopped after commit): it
// checks again that the account it is taken from is an active savings
// account of the transfer's client, then executes it under the transfer's
// idempotency key, so that a transfer the request already executed moves no
// money twice. A transfer already completed or failed is left alone.
func (s *Service) Handlers() outbox.Handlers {
	return outbox.Handlers{OpTransfer: outbox.HandlerFunc(s.deliverTransfer)}
}

func (s *Service) deliverTransfer(ctx context.Context, d outbox.Delivery) (outbox.Progress, error) {
	t, err := s.store.Transfer(ctx, d.TenantID, d.Entity.ID)
	if errors.Is(err, clientele.ErrNotFound) {
		return d.Progress, outbox.Permanent(fmt.Errorf("portal: transfer %s: %w", d.Entity.ID, err))
	}
	if err != nil {
		return d.Progress, err
	}
	if t.Status != TransferPending {
		return outbox.Progress{Created: true}, nil
	}
	from, err := s.bank.GetAccount(ctx, t.TenantID, t.FromAccountID)
	switch {
	case err != nil && (retryable(err) || clientele.Kind(err) == nil):
		return d.Progress, fmt.Errorf("portal: transfer %s: %w", t.ID, err)
	case err != nil || from.TenantID != t.TenantID || from.ClientID != t.ClientID ||
		from.Type != adapters.Savings || from.Status != adapters.AccountActive:
		// Not the client's to move: refused, never tried.
		if _, err := s.settle(ctx, t, TransferFailed, "", "the account is not one of the client's active savings accounts"); err != nil {
			return d.Progress, err
		}
		return outbox.Progress{Created: true}, nil
	}
	if _, err := s.execute(ctx, t); err != nil {
		return d.Progress, fmt.Errorf("portal: transfer %s: %w", t.ID, err)
	}
	return outbox.Progress{Created: true}, nil
}

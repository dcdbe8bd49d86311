package clients

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/adapters"
	"github.com/clientele-go/clientele/audit"
	"github.com/clientele-go/clientele/authz"
	"github.com/clientele-go/clientele/outbox"
)

// ArchiveStep is a step of the archive saga (CL005). The steps run in the
// order of ArchiveSteps, one outbox effect each; each step's effect is
// enqueued in the transaction that records the completion of the step before
// it, so the saga keeps its order although the outbox keeps none.
type ArchiveStep string

// The steps of the archive saga, in order.
const (
	// StepBlock sets post-no-debit and post-no-credit blocks on every open
	// account of the client at core banking (CC011).
	StepBlock ArchiveStep = "block"
	// StepSweep moves every non-zero savings balance to the tenant's
	// settlement account: per account, the debit block is lifted (the credit
	// block stays) and the whole balance is transferred, each call with its
	// own idempotency key. An account already at zero is left alone.
	StepSweep ArchiveStep = "sweep"
	// StepClose reads the client's loans again and stops, naming the account,
	// when one has an outstanding balance; otherwise it closes every account
	// (CC010).
	StepClose ArchiveStep = "close"
	// StepCoreBanking deactivates the client's profile at core banking (CC003).
	StepCoreBanking ArchiveStep = "corebanking"
	// StepIdentity deactivates the client at the Identity adapter (IU003).
	// An adapter that does not know the client (its create never reached
	// it, and no longer will) has nothing to deactivate.
	StepIdentity ArchiveStep = "identity"
	// StepCRM deactivates the client's partner profile at the CRM (HP003),
	// with the same rule as StepIdentity.
	StepCRM ArchiveStep = "crm"
	// StepUsers blocks every user of the client and ends its sessions
	// (UserRevoker).
	StepUsers ArchiveStep = "users"
	// StepNotice sends the account-closure notice (MC001) by email, or by SMS
	// when the client has no email; a client with neither gets none.
	StepNotice ArchiveStep = "notice"
	// StepDone: the saga has finished and the client is archived.
	StepDone ArchiveStep = "done"
)

// ArchiveSteps lists the steps of the saga in the order they run.
func ArchiveSteps() []ArchiveStep {
	return []ArchiveStep{StepBlock, StepSweep, StepClose, StepCoreBanking, StepIdentity, StepCRM, StepUsers, StepNotice}
}

// The outbox operations of the archive saga's steps (Effect.Op), one per
// step; ArchiveHandlers maps each to its handler.
const (
	OpArchiveBlock       = "CL005.CC011"
	OpArchiveSweep       = "CL005.transfer"
	OpArchiveClose       = "CL005.CC010"
	OpArchiveCoreBanking = "CL005.CC003"
	OpArchiveIdentity    = "CL005.IU003"
	OpArchiveCRM         = "CL005.HP003"
	OpArchiveUsers       = "CL005.users"
	OpArchiveNotice      = "CL005.MC001"
)

type stepInfo struct {
	op     string
	target outbox.Target
}

var archiveStepInfo = map[ArchiveStep]stepInfo{
	StepBlock:       {OpArchiveBlock, outbox.CoreBanking},
	StepSweep:       {OpArchiveSweep, outbox.CoreBanking},
	StepClose:       {OpArchiveClose, outbox.CoreBanking},
	StepCoreBanking: {OpArchiveCoreBanking, outbox.CoreBanking},
	StepIdentity:    {OpArchiveIdentity, outbox.Identity},
	StepCRM:         {OpArchiveCRM, outbox.CRM},
	// Revoking the client's users is the local side of its identity: its
	// effect is reported under the identity target.
	StepUsers:  {OpArchiveUsers, outbox.Identity},
	StepNotice: {OpArchiveNotice, outbox.Messaging},
}

// next returns the step after s (StepDone after the last).
func (s ArchiveStep) next() ArchiveStep {
	steps := ArchiveSteps()
	for i, x := range steps {
		if x == s && i+1 < len(steps) {
			return steps[i+1]
		}
	}
	return StepDone
}

// beforeClose reports whether the saga has not yet closed the accounts.
func (s ArchiveStep) beforeClose() bool {
	return s == StepBlock || s == StepSweep || s == StepClose
}

// ArchiveState is where the archive saga of a client stands.
type ArchiveState struct {
	// Step is the step being carried out, or StepDone.
	Step ArchiveStep `json:"step"`
	// StartedAt is when Archive was first accepted.
	StartedAt time.Time `json:"startedAt"`
	// RequestedBy is the user who asked for the archive; the saga's audit
	// entries name it as their actor.
	RequestedBy string `json:"requestedBy"`
	// LastError is why the current step last failed ("" when it has not):
	// a retried outage, or a reason the saga stopped (a loan with an
	// outstanding balance, no settlement account). A stopped step's effect is
	// parked; Archive, called again once the cause is gone, resumes it.
	LastError string `json:"lastError,omitempty"`
	// Skipped lists the steps whose adapter is not configured.
	Skipped []ArchiveStep `json:"skipped,omitempty"`
	// Sweep lists the savings balances to move to the settlement account, as
	// core banking returned them when it blocked the accounts (the blocks
	// keep them from changing). Set by the block step.
	Sweep []SweepItem `json:"sweep,omitempty"`
	// Calls lists the adapter calls of the current step already made
	// ("release:<account>", "transfer:<account>", "loans"), so that a retried
	// step makes only the calls still missing. Emptied when the step is done.
	Calls []string `json:"calls,omitempty"`
	// CompletedAt is when the client became archived.
	CompletedAt *time.Time `json:"completedAt,omitempty"`
}

// SweepItem is one savings balance the archive moves to the settlement
// account.
type SweepItem struct {
	AccountID string         `json:"accountId"`
	Balance   adapters.Money `json:"balance"`
}

// clone returns a deep copy of a.
func (a *ArchiveState) clone() *ArchiveState {
	if a == nil {
		return nil
	}
	c := *a
	c.Skipped = append([]ArchiveStep(nil), a.Skipped...)
	c.Sweep = append([]SweepItem(nil), a.Sweep...)
	c.Calls = append([]string(nil), a.Calls...)
	if a.CompletedAt != nil {
		t := *a.CompletedAt
		c.CompletedAt = &t
	}
	return &c
}

// archiveKey is the outbox key of step's effect for client id; a step has one
// effect for the life of the client.
func archiveKey(clientID string, step ArchiveStep) string {
	return fmt.Sprintf("client:%s:archive:%s", clientID, step)
}

// archiveEffect is the effect that carries out step for c.
func archiveEffect(c Client, step ArchiveStep) outbox.Effect {
	info := archiveStepInfo[step]
	return outbox.Effect{
		TenantID: c.TenantID, Op: info.op, Target: info.target,
		Entity: outbox.Entity{Kind: EntityKind, ID: c.ID}, Key: archiveKey(c.ID, step),
	}
}

// settlementAccount is the tenant's settlement account: the core-banking
// savings account that receives an archived client's remaining savings
// (tenants.Settings.SettlementAccount), "" when it has none.
func settlementAccount(ctx context.Context, tr TenantReader, tenantID string) (string, error) {
	t, err := tr.Get(ctx, tenantID)
	if err != nil {
		return "", fmt.Errorf("settlement account: %w", err)
	}
	return t.Settings.SettlementAccount, nil
}

// ArchiveInput is what Archive takes.
type ArchiveInput struct {
	// Version, when not zero, must be the client's current version (optimistic
	// locking); zero archives whatever the version.
	Version int64 `json:"version,omitempty"`
}

// errArchived tells Archive, from inside the store's transaction, that the
// client is archived already.
var errArchived = errors.New("client already archived")

// Archive archives a client (CL005): it checks at core banking, live, that no
// loan of the client has an outstanding balance, then commits in one
// transaction the state archiving (with Client.Archive at its first step), the
// audit entry and the effect of the saga's first step. The saga then runs on
// the outbox (ArchiveHandlers) and the client becomes archived when its last
// step is done. Archive returns the client as committed.
//
// It is authorized as CL005 on the client, in the principal's data scope,
// like Update: a client the principal may not touch (including a staff-owned
// one without the employee-account permission) is ErrNotFound.
//
// A loan with an outstanding balance is ErrPrecondition naming the account,
// and nothing changes; so is, with WithTenants, savings to sweep
// when the tenant has no settlement account. Core banking unreachable or not
// configured is ErrUnavailable, and nothing changes.
//
// Archive is idempotent. On a client already archiving it changes no step: it
// checks the loans again while the accounts are not yet closed, makes the
// current step's effect deliverable again if it had stopped (parked), records
// the call (audit) and returns the client. Concurrent calls on one client
// start one saga. On an archived client it returns the client and changes
// nothing.
func (s *Service) Archive(ctx context.Context, p authz.Principal, reference string, in ArchiveInput) (Client, error) {
	fail := func(err error) (Client, error) {
		return Client{}, fmt.Errorf("clients: archive %s: %w", reference, err)
	}
	verr := &clientele.ValidationError{}
	if in.Version < 0 {
		verr.Add("version", "min", "must not be negative")
	}
	cur, sc, err := s.readAuthorized(ctx, p, authz.OpArchiveClient, reference)
	if err != nil {
		return fail(err)
	}
	if err := verr.OrNil(); err != nil {
		return fail(err)
	}
	stale := func(c *Client) error {
		if in.Version != 0 && c.Version != in.Version {
			return fmt.Errorf("version %d is stale, the client is at version %d: %w", in.Version, c.Version, clientele.ErrConflict)
		}
		return nil
	}
	if cur.State == Archived {
		return cur, nil
	}
	if err := stale(&cur); err != nil {
		return fail(err)
	}
	if cur.State != Archiving || cur.Archive == nil || cur.Archive.Step.beforeClose() {
		if err := s.checkAccounts(ctx, cur); err != nil {
			return fail(err)
		}
	}
	saved, err := s.store.Update(ctx, p.TenantID, reference, sc, func(c *Client) (Change, error) {
		if c.State == Archived {
			return Change{}, errArchived
		}
		if err := stale(c); err != nil {
			return Change{}, err
		}
		now := s.now().UTC().Truncate(time.Microsecond)
		if c.State == Archiving && c.Archive != nil {
			// Resume: the current step's effect again (a no-op when it is
			// enqueued already), delivered again if it had stopped.
			c.UpdatedAt = now
			ch := Change{Audit: s.entry(p, authz.OpArchiveClient, c.ID, []string{"archive"}, now)}
			if c.Archive.Step != StepDone {
				e := archiveEffect(*c, c.Archive.Step)
				ch.Effects, ch.Resume = []outbox.Effect{e}, []string{e.Key}
			}
			return ch, nil
		}
		c.State, c.UpdatedAt = Archiving, now
		c.Archive = &ArchiveState{Step: StepBlock, StartedAt: now, RequestedBy: p.UserID}
		return Change{
			Audit:   s.entry(p, authz.OpArchiveClient, c.ID, []string{"status", "archive"}, now),
			Effects: []outbox.Effect{archiveEffect(*c, StepBlock)},
		}, nil
	})
	if errors.Is(err, errArchived) {
		c, gerr := s.store.Get(ctx, p.TenantID, reference, sc)
		if gerr != nil {
			return fail(gerr)
		}
		return c, nil
	}
	if errors.Is(err, clientele.ErrNotFound) {
		return fail(noClient(reference))
	}
	if err != nil {
		return fail(err)
	}
	return saved, nil
}

// checkAccounts reads the client's accounts at core banking and refuses an
// archive that could not finish: a loan with an outstanding balance, or savings
// to sweep with no settlement account.
func (s *Service) checkAccounts(ctx context.Context, c Client) error {
	cb := s.adapters.CoreBanking
	if cb == nil {
		return fmt.Errorf("core banking is not configured: %w", clientele.ErrUnavailable)
	}
	accts, err := cb.ListAccounts(ctx, adapters.ListAccountsRequest{TenantID: c.TenantID, ClientID: c.ID})
	if err != nil {
		return coreBankingReadError(err)
	}
	if err := outstandingLoan(accts); err != nil {
		return err
	}
	if s.tenants == nil {
		return nil
	}
	for _, a := range accts {
		if a.Type == adapters.Savings && a.Status != adapters.AccountClosed && a.Balance.Amount != 0 {
			acct, err := settlementAccount(ctx, s.tenants, c.TenantID)
			if err != nil {
				return err
			}
			if acct == "" {
				return fmt.Errorf("savings account %s holds %s and the tenant has no settlement account to move it to: %w",
					a.ID, a.Balance, clientele.ErrPrecondition)
			}
			return nil
		}
	}
	return nil
}

// coreBankingReadError keeps the kind of an adapter's error, except that a
// client core banking does not know is a precondition (its profile has not
// reached core banking), and an error of no kind (a timeout) is unavailable.
func coreBankingReadError(err error) error {
	switch {
	case errors.Is(err, clientele.ErrNotFound):
		return fmt.Errorf("core banking does not know the client (its profile has not reached it yet): %w: %w", clientele.ErrPrecondition, err)
	case errors.Is(err, clientele.ErrUnavailable), errors.Is(err, clientele.ErrInvalid),
		errors.Is(err, clientele.ErrPrecondition), errors.Is(err, clientele.ErrConflict),
		errors.Is(err, clientele.ErrForbidden):
		return fmt.Errorf("core banking: %w", err)
	}
	return fmt.Errorf("core banking: %w: %w", clientele.ErrUnavailable, err)
}

// outstandingLoan returns ErrPrecondition naming the first loan of accts that
// is not closed and has an outstanding balance.
func outstandingLoan(accts []adapters.Account) error {
	for _, a := range accts {
		if a.Type == adapters.Loan && a.Status != adapters.AccountClosed && a.Balance.Amount != 0 {
			return fmt.Errorf("loan account %s has an outstanding balance of %s: %w", a.ID, a.Balance, clientele.ErrPrecondition)
		}
	}
	return nil
}

// UserRevoker blocks every user of a client and ends their sessions, each
// user's change in its own transaction with its audit entry naming actor.
// Calling it again changes nothing more. users.Service implements it.
type UserRevoker interface {
	RevokeClientUsers(ctx context.Context, tenantID, clientID, actor string) (revoked int, err error)
}

// ArchiveDeps is what the archive saga's handlers need. Store, Tenants and
// CoreBanking (in Adapters) are required; an Identity, CRM or Messaging adapter or a
// Users revoker that is nil makes its step a recorded no-op
// (ArchiveState.Skipped).
type ArchiveDeps struct {
	Store    Store
	Adapters Adapters
	// Tenants gives the tenant's settlement account, where the sweep step
	// moves the client's savings (tenants.Settings.SettlementAccount).
	Tenants TenantReader
	Users   UserRevoker
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// ArchiveHandlers returns the outbox handlers of the archive saga, for the
// dispatcher (merge them with SyncHandlers using outbox.Merge).
//
// Each handler carries out one step for the client its effect names, only
// while the client is archiving at that step (a repeated delivery of a step
// already done does nothing), with an idempotency key per adapter call derived
// from the client, the step and the account, so a retried step repeats no
// transfer and no call. When the step is done it records, in one transaction,
// the next step on the client, an audit entry and the next step's effect (the
// last step makes the client archived). A failure is recorded on the client
// (ArchiveState.LastError) and retried; a failure retrying cannot fix (a loan
// disbursed since Archive was accepted, no settlement account, an adapter
// refusing the request) parks the step's effect: Archive resumes it.
func ArchiveHandlers(deps ArchiveDeps) (outbox.Handlers, error) {
	if deps.Store == nil {
		return nil, errors.New("clients: ArchiveHandlers: store is nil")
	}
	if deps.Adapters.CoreBanking == nil {
		return nil, errors.New("clients: ArchiveHandlers: core banking adapter is nil")
	}
	if deps.Tenants == nil {
		return nil, errors.New("clients: ArchiveHandlers: tenant reader is nil")
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	a := &archiver{ArchiveDeps: deps}
	hs := outbox.Handlers{}
	for _, st := range ArchiveSteps() {
		hs[archiveStepInfo[st].op] = &archiveHandler{a: a, step: st}
	}
	return hs, nil
}

type archiver struct{ ArchiveDeps }

type archiveHandler struct {
	a    *archiver
	step ArchiveStep
}

// errSkipped: the step's adapter is not configured.
var errSkipped = errors.New("adapter not configured")

func (h *archiveHandler) Deliver(ctx context.Context, d outbox.Delivery) (outbox.Progress, error) {
	// The progress record of the target is the sync handlers' (created,
	// version); the saga keeps its own on the client and leaves it as it is.
	c, err := h.a.Store.GetByID(ctx, d.TenantID, d.Entity.ID)
	if errors.Is(err, clientele.ErrNotFound) {
		return d.Progress, outbox.Permanent(err)
	}
	if err != nil {
		return d.Progress, err
	}
	if c.State != Archiving || c.Archive == nil || c.Archive.Step != h.step {
		return d.Progress, nil // done before (a repeated delivery)
	}
	skipped := false
	apply, err := h.a.run(ctx, &c, h.step)
	if errors.Is(err, errSkipped) {
		skipped = true
	} else if err != nil {
		err = classifyArchive(err)
		if rerr := h.a.recordError(ctx, c, h.step, err); rerr != nil {
			err = errors.Join(err, rerr)
		}
		return d.Progress, err
	}
	return d.Progress, h.a.advance(ctx, c, h.step, skipped, apply)
}

// classifyArchive parks what a retry cannot fix: the adapter refused the
// request (invalid, forbidden, conflicting, unknown) or a precondition does not
// hold (a loan outstanding, no settlement account).
func classifyArchive(err error) error {
	if errors.Is(err, clientele.ErrPrecondition) {
		return outbox.Permanent(err)
	}
	return classify(err)
}

// update changes the archiving client at step (and only then) in one
// transaction with an audit entry in the requester's name.
func (a *archiver) update(ctx context.Context, c Client, step ArchiveStep, fn func(c *Client, now time.Time) Change) error {
	_, err := a.Store.Update(ctx, c.TenantID, c.Reference, TenantScope(), func(cur *Client) (Change, error) {
		if cur.State != Archiving || cur.Archive == nil || cur.Archive.Step != step {
			return Change{}, errStepDone
		}
		cur.Archive = cur.Archive.clone()
		now := a.Now().UTC().Truncate(time.Microsecond)
		cur.UpdatedAt = now
		return fn(cur, now), nil
	})
	if errors.Is(err, errStepDone) {
		return nil
	}
	return err
}

var errStepDone = errors.New("archive step already done")

// auditEntry is the audit entry of a saga step, in the requester's name.
func (a *archiver) auditEntry(c *Client, changed []string, now time.Time) Change {
	return Change{Audit: audit.Entry{
		TenantID: c.TenantID, Actor: c.Archive.RequestedBy, Operation: string(authz.OpArchiveClient),
		EntityType: "client", EntityID: c.ID, Changed: changed, At: now,
	}}
}

// advance records step as done: the next step and its effect, or the state
// archived after the last.
func (a *archiver) advance(ctx context.Context, c Client, step ArchiveStep, skipped bool, apply func(*ArchiveState)) error {
	return a.update(ctx, c, step, func(cur *Client, now time.Time) Change {
		next := step.next()
		cur.Archive.Step, cur.Archive.LastError, cur.Archive.Calls = next, "", nil
		if apply != nil {
			apply(cur.Archive)
		}
		if skipped {
			cur.Archive.Skipped = append(cur.Archive.Skipped, step)
		}
		if next == StepDone {
			cur.State, cur.Archive.CompletedAt = Archived, &now
			return a.auditEntry(cur, []string{"status", "archive.step"}, now)
		}
		ch := a.auditEntry(cur, []string{"archive.step"}, now)
		ch.Effects = []outbox.Effect{archiveEffect(*cur, next)}
		return ch
	})
}

// recordError writes why step failed on the client, when that is news (a
// failure repeated with the same text writes nothing).
func (a *archiver) recordError(ctx context.Context, c Client, step ArchiveStep, err error) error {
	msg := err.Error()
	msg = strings.TrimPrefix(msg, outbox.ErrPermanent.Error()+": ")
	if len(msg) > 500 {
		msg = msg[:500]
	}
	if c.Archive.LastError == msg {
		return nil
	}
	return a.update(ctx, c, step, func(cur *Client, now time.Time) Change {
		cur.Archive.LastError = msg
		return a.auditEntry(cur, []string{"archive.lastError"}, now)
	})
}

// call makes one adapter call of a step that makes several, unless an earlier
// attempt made it (ArchiveState.Calls), and records it as made, so that a
// retried step goes on from the first call still missing.
func (a *archiver) call(ctx context.Context, c *Client, name string, fn func() error) error {
	if slices.Contains(c.Archive.Calls, name) {
		return nil
	}
	if err := fn(); err != nil {
		return err
	}
	return a.update(ctx, *c, c.Archive.Step, func(cur *Client, now time.Time) Change {
		cur.Archive.Calls = append(cur.Archive.Calls, name)
		c.Archive = cur.Archive.clone()
		return a.auditEntry(cur, []string{"archive.calls"}, now)
	})
}

// run carries out one step's adapter calls for c. What it returns, when not
// nil, is applied to the archive state in the transaction that records the
// step as done.
func (a *archiver) run(ctx context.Context, c *Client, step ArchiveStep) (func(*ArchiveState), error) {
	cb := a.Adapters.CoreBanking
	key := func(parts ...string) string {
		return "client:" + c.ID + ":archive:" + strings.Join(parts, ":")
	}
	switch step {
	case StepBlock:
		accts, err := cb.SetAccountBlocks(ctx, adapters.SetAccountBlocksRequest{
			TenantID: c.TenantID, ClientID: c.ID, PostNoDebit: true, PostNoCredit: true, IdempotencyKey: key("block"),
		})
		if err != nil {
			return nil, err
		}
		var sweep []SweepItem
		for _, acct := range accts {
			if acct.Type == adapters.Savings && acct.Status != adapters.AccountClosed && acct.Balance.Amount != 0 {
				sweep = append(sweep, SweepItem{AccountID: acct.ID, Balance: acct.Balance})
			}
		}
		return func(st *ArchiveState) { st.Sweep = sweep }, nil
	case StepSweep:
		return nil, a.sweep(ctx, c, key)
	case StepClose:
		err := a.call(ctx, c, "loans", func() error {
			accts, err := cb.ListAccounts(ctx, adapters.ListAccountsRequest{TenantID: c.TenantID, ClientID: c.ID, Type: adapters.Loan})
			if err != nil {
				return err
			}
			return outstandingLoan(accts)
		})
		if err != nil {
			return nil, err
		}
		// Core banking closes none of the accounts if one has a balance:
		// a loan disbursed after the check above still stops the step.
		_, err = cb.CloseAccounts(ctx, adapters.CloseAccountsRequest{TenantID: c.TenantID, ClientID: c.ID, IdempotencyKey: key("close")})
		return nil, err
	case StepCoreBanking:
		_, err := cb.DeactivateClient(ctx, adapters.DeactivateClientRequest{
			TenantID: c.TenantID, ClientID: c.ID, Reason: "archived", IdempotencyKey: key("CC003"),
		})
		return nil, err
	case StepIdentity:
		if a.Adapters.Identity == nil {
			return nil, errSkipped
		}
		_, err := a.Adapters.Identity.DeactivateUser(ctx, adapters.DeactivateUserRequest{
			TenantID: c.TenantID, SubjectID: c.ID, Reason: "archived", IdempotencyKey: key("IU003"),
		})
		return nil, neverCreated(err)
	case StepCRM:
		if a.Adapters.CRM == nil {
			return nil, errSkipped
		}
		_, err := a.Adapters.CRM.DeactivatePartner(ctx, adapters.DeactivatePartnerRequest{
			TenantID: c.TenantID, ClientID: c.ID, Reason: "archived", IdempotencyKey: key("HP003"),
		})
		return nil, neverCreated(err)
	case StepUsers:
		if a.Users == nil {
			return nil, errSkipped
		}
		_, err := a.Users.RevokeClientUsers(ctx, c.TenantID, c.ID, c.Archive.RequestedBy)
		return nil, err
	case StepNotice:
		return nil, a.notice(ctx, *c, key("MC001"))
	}
	return nil, outbox.Permanent(fmt.Errorf("unknown archive step %q", step))
}

// neverCreated treats an adapter that does not know the client as done: the
// client's create had not reached it when the archive began, and it never
// will, since the sync handlers push nothing for a client being archived. The
// dispatcher runs a target's effects for one client one at a time, so a create
// either finished before this call or sees the client archiving.
func neverCreated(err error) error {
	if errors.Is(err, clientele.ErrNotFound) {
		return nil
	}
	return err
}

// sweep moves the savings balances the block step recorded (ArchiveState.Sweep)
// to the settlement account: per account, it lifts the debit block (the
// credit block stays) and transfers the whole balance. Each call has its own
// idempotency key (per account) and is recorded once made, so a transfer is
// never made twice: a retry skips it, and one whose answer was lost is
// replayed by core banking under its key.
func (a *archiver) sweep(ctx context.Context, c *Client, key func(...string) string) error {
	if len(c.Archive.Sweep) == 0 {
		return nil
	}
	cb := a.Adapters.CoreBanking
	settlement, err := settlementAccount(ctx, a.Tenants, c.TenantID)
	if err != nil {
		return err
	}
	if settlement == "" {
		it := c.Archive.Sweep[0]
		return fmt.Errorf("savings account %s holds %s and the tenant has no settlement account: %w",
			it.AccountID, it.Balance, clientele.ErrPrecondition)
	}
	for _, it := range c.Archive.Sweep {
		err := a.call(ctx, c, "release:"+it.AccountID, func() error {
			_, err := cb.SetAccountBlocks(ctx, adapters.SetAccountBlocksRequest{
				TenantID: c.TenantID, ClientID: c.ID, AccountIDs: []string{it.AccountID},
				PostNoDebit: false, PostNoCredit: true, IdempotencyKey: key("release", it.AccountID),
			})
			return err
		})
		if err != nil {
			return err
		}
		err = a.call(ctx, c, "transfer:"+it.AccountID, func() error {
			_, err := cb.Transfer(ctx, adapters.TransferRequest{
				TenantID: c.TenantID, FromAccountID: it.AccountID, ToAccountID: settlement, Amount: it.Balance,
				Narration: "client " + c.Reference + " archived", IdempotencyKey: key("sweep", it.AccountID),
			})
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// notice sends the closure notice by email, or SMS without an email.
func (a *archiver) notice(ctx context.Context, c Client, key string) error {
	if a.Adapters.Messaging == nil {
		return errSkipped
	}
	msg := adapters.Message{
		TenantID: c.TenantID, Kind: adapters.KindAccountClosure, ClientID: c.ID,
		Params: map[string]string{adapters.ParamName: c.DisplayName}, IdempotencyKey: key,
	}
	switch {
	case c.Contact.Email != "":
		msg.Channel, msg.Recipient = adapters.Email, c.Contact.Email
	case c.Contact.Phone != "":
		msg.Channel, msg.Recipient = adapters.SMS, c.Contact.Phone
	default:
		return errSkipped
	}
	_, err := a.Adapters.Messaging.Send(ctx, msg)
	return err
}

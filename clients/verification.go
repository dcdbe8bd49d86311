package clients

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/adapters"
	"github.com/clientele-go/clientele/audit"
	"github.com/clientele-go/clientele/authz"
	"github.com/clientele-go/clientele/internal/textcheck"
	"github.com/clientele-go/clientele/outbox"
)

// Check names one automated onboarding check (seed 002, "automated
// verification and compliance checks").
type Check string

// The onboarding checks. Each runs as an outbox effect of the client's create
// (and of Recheck).
const (
	// CheckIdentity: the identity provider (adapters.Identity) holds an active
	// identity for the client whose identifying number is the client's.
	CheckIdentity Check = "identity"
	// CheckDocuments: the document processor (adapters.Documents, DD002) holds a
	// verified, unexpired identity document of the client.
	CheckDocuments Check = "documents"
	// CheckScreening: the app's compliance screening (Screening: sanctions,
	// PEP) finds no match.
	CheckScreening Check = "screening"
)

// Checks lists the onboarding checks in the order they are reported.
func Checks() []Check { return []Check{CheckIdentity, CheckDocuments, CheckScreening} }

// CheckStatus is where one check stands.
type CheckStatus string

// Check states.
const (
	// CheckPending: not run yet, or being retried (the system it calls is
	// down).
	CheckPending CheckStatus = "pending"
	// CheckPassed: the check ran and found nothing wrong.
	CheckPassed CheckStatus = "passed"
	// CheckFailed: the check ran and gave a definite negative answer (no
	// verified document, a sanctions hit); Reason says what.
	CheckFailed CheckStatus = "failed"
	// CheckError: the check could not be completed: the system refused the
	// request, or kept failing until the effect was parked. Reason holds the
	// last error. Replaying the parked effect (or Recheck) runs it again.
	CheckError CheckStatus = "error"
)

// CheckResult is the outcome of one check.
type CheckResult struct {
	Status CheckStatus `json:"status"`
	// Reason says why a check failed or could not be completed.
	Reason string `json:"reason,omitempty"`
	// CheckedAt is when the check was decided (passed, failed or error).
	CheckedAt *time.Time `json:"checkedAt,omitempty"`
}

// Verification holds the results of a client's onboarding checks. It is
// written by the outbox handlers (VerificationHandlers), never by Update, and
// recording a result does not change the client's Version: it is not part of
// the profile an update sends.
type Verification struct {
	// Round counts the runs of the checks: 1 for the run of the create, one
	// more for each Recheck. A result is recorded only for the current round.
	Round     int         `json:"round"`
	Identity  CheckResult `json:"identity"`
	Documents CheckResult `json:"documents"`
	Screening CheckResult `json:"screening"`
}

// Result returns the result of check ch (the zero CheckResult for an unknown
// check). A check never run (a client created before the checks existed)
// reads as pending.
func (v Verification) Result(ch Check) CheckResult {
	var r CheckResult
	switch ch {
	case CheckIdentity:
		r = v.Identity
	case CheckDocuments:
		r = v.Documents
	case CheckScreening:
		r = v.Screening
	default:
		return CheckResult{}
	}
	if r.Status == "" {
		r.Status = CheckPending
	}
	return r
}

// Set replaces the result of check ch.
func (v *Verification) Set(ch Check, r CheckResult) {
	switch ch {
	case CheckIdentity:
		v.Identity = r
	case CheckDocuments:
		v.Documents = r
	case CheckScreening:
		v.Screening = r
	}
}

// Passed reports whether every check has passed.
func (v Verification) Passed() bool {
	for _, ch := range Checks() {
		if v.Result(ch).Status != CheckPassed {
			return false
		}
	}
	return true
}

// newVerification is the verification of a client being created: round 1,
// every check pending.
func newVerification() Verification {
	p := CheckResult{Status: CheckPending}
	return Verification{Round: 1, Identity: p, Documents: p, Screening: p}
}

// VerificationError is the refusal to activate a client whose onboarding is
// not verified. It names every check that has not passed (and a rejected KYC
// status), and unwraps to clientele.ErrPrecondition.
type VerificationError struct {
	Reference string
	// Missing lists what stands in the way, one item each: "identity check
	// pending", "screening check failed: …", "kycStatus rejected".
	Missing []string
}

func (e *VerificationError) Error() string {
	return fmt.Sprintf("client %s cannot be activated until its onboarding is verified: %s",
		e.Reference, strings.Join(e.Missing, "; "))
}

// Unwrap makes errors.Is(err, clientele.ErrPrecondition) true.
func (e *VerificationError) Unwrap() error { return clientele.ErrPrecondition }

// activationBlockers lists why c may not be activated under the
// verified-onboarding rule (nothing: it may).
func activationBlockers(c Client) []string {
	var out []string
	for _, ch := range Checks() {
		r := c.Verification.Result(ch)
		if r.Status == CheckPassed {
			continue
		}
		s := fmt.Sprintf("%s check %s", ch, r.Status)
		if r.Reason != "" {
			s += ": " + r.Reason
		}
		out = append(out, s)
	}
	if c.KYCStatus == KYCRejected {
		out = append(out, "kycStatus rejected")
	}
	return out
}

// Screening is the compliance screening the app supplies (sanctions and
// politically exposed persons lists). It is not one of the six adapter
// contracts of package adapters: the seeds name no such system, only
// onboarding calls it, so the package that calls it declares it (package
// watchlist holds an in-memory implementation).
//
// Screen must be idempotent per request key: the outbox may call it again
// with the same key after a failure. An error wrapping
// clientele.ErrUnavailable (or any error not listed below) is retried; one
// wrapping ErrInvalid, ErrForbidden, ErrConflict or ErrNotFound is not, and the
// check is recorded as an error.
type Screening interface {
	Screen(ctx context.Context, req ScreeningRequest) (ScreeningResult, error)
}

// ScreeningRequest is one client to screen.
type ScreeningRequest struct {
	TenantID string           `json:"tenantId"`
	ClientID string           `json:"clientId"`
	Profile  adapters.Profile `json:"profile"`
	// IdempotencyKey is the same for every attempt of one check.
	IdempotencyKey string `json:"idempotencyKey"`
}

// ScreeningResult is the answer of a screening.
type ScreeningResult struct {
	// Hit: the client matches a listed person or company.
	Hit bool `json:"hit"`
	// Reason names the list and the entry matched (recorded on the client);
	// empty without a hit.
	Reason string `json:"reason,omitempty"`
}

// The outbox operations of the onboarding checks (Effect.Op). They are this
// library's own: the identity check reads the identity provider, the
// documents check lists the verification documents (DD002), the screening
// calls the app's Screening.
const (
	OpCheckIdentity  = "kyc.identity"
	OpCheckDocuments = "kyc.documents"
	OpCheckScreening = "kyc.screening"
)

// VerificationEntityKind is the outbox entity kind of a client's checks. It
// is not EntityKind, so the checks neither mix with the client's Sync nor
// wait for the sync effects of the same adapter.
const VerificationEntityKind = "client-verification"

// ScreeningTarget is the outbox target of the screening check.
const ScreeningTarget outbox.Target = "screening"

var checkEffects = [...]struct {
	check  Check
	op     string
	target outbox.Target
}{
	{CheckIdentity, OpCheckIdentity, outbox.Identity},
	{CheckDocuments, OpCheckDocuments, outbox.Documents},
	{CheckScreening, OpCheckScreening, ScreeningTarget},
}

// VerificationEffectKey is the idempotency key of the effect that runs check
// ch of the client in round round.
func VerificationEffectKey(clientID string, ch Check, round int) string {
	return fmt.Sprintf("client:%s:kyc:%s:r%d", clientID, ch, round)
}

type checkParams struct {
	Round int `json:"round"`
}

// verificationEffects declares the effects that run checks of c in its
// current round.
func verificationEffects(c Client, checks []Check) []outbox.Effect {
	params, _ := json.Marshal(checkParams{Round: c.Verification.Round}) // cannot fail
	var out []outbox.Effect
	for _, e := range checkEffects {
		for _, ch := range checks {
			if ch != e.check {
				continue
			}
			out = append(out, outbox.Effect{
				TenantID: c.TenantID, Op: e.op, Target: e.target,
				Entity: outbox.Entity{Kind: VerificationEntityKind, ID: c.ID},
				Key:    VerificationEffectKey(c.ID, ch, c.Verification.Round),
				Params: params,
			})
		}
	}
	return out
}

// VerificationStore is what the check handlers need from persistence;
// storage's client store implements it.
type VerificationStore interface {
	ClientReader
	// RecordCheck stores result as the result of check ch of the client with
	// this ID, with entry, in one transaction — only while round is the
	// client's current round and the check is still pending there; otherwise
	// it writes nothing and returns recorded false.
	RecordCheck(ctx context.Context, tenantID, clientID string, ch Check, round int, result CheckResult, entry audit.Entry) (recorded bool, err error)
}

// CheckActor is the audit actor of a recorded check result: the outbox's
// dispatcher, acting for nobody.
const CheckActor = "system:onboarding-checks"

// VerificationHandlers returns the outbox handlers of the onboarding checks,
// for the dispatcher beside SyncHandlers: identity through a.Identity,
// documents through a.Documents, screening through screen. A nil adapter (or
// screen) has no handler: its checks are marked skipped by the dispatcher and
// stay pending, so activation stays refused while the tenant requires
// verified onboarding.
//
// Each handler is state-based: it does nothing for a check already decided or
// of an older round, so a repeated delivery calls nothing twice once the
// result is recorded. An outage (any error but a refusal) is retried and the
// check stays pending; a refusal (ErrInvalid, ErrForbidden, ErrConflict) is
// recorded as an error and the effect parked.
func VerificationHandlers(st VerificationStore, a Adapters, screen Screening) outbox.Handlers {
	base := &checkHandler{st: st, now: time.Now}
	hs := outbox.Handlers{}
	if a.Identity != nil {
		h := *base
		h.check, h.run = CheckIdentity, identityCheck{a.Identity}.run
		hs[OpCheckIdentity] = &h
	}
	if a.Documents != nil {
		h := *base
		h.check, h.run = CheckDocuments, documentsCheck{a.Documents}.run
		hs[OpCheckDocuments] = &h
	}
	if screen != nil {
		h := *base
		h.check, h.run = CheckScreening, screeningCheck{screen}.run
		hs[OpCheckScreening] = &h
	}
	return hs
}

// checkRun runs one check of c: passed (true, ""), failed (false, reason),
// or an error (retried, unless permanent).
type checkRun func(ctx context.Context, c Client, key string, now time.Time) (ok bool, reason string, err error)

type checkHandler struct {
	st    VerificationStore
	now   func() time.Time
	check Check
	run   checkRun
}

func (h *checkHandler) Deliver(ctx context.Context, d outbox.Delivery) (outbox.Progress, error) {
	var p checkParams
	if err := json.Unmarshal(d.Params, &p); err != nil || p.Round < 1 {
		return d.Progress, outbox.Permanent(fmt.Errorf("clients: check %s: malformed params: %w", h.check, clientele.ErrInvalid))
	}
	c, err := h.st.GetByID(ctx, d.TenantID, d.Entity.ID)
	if err != nil {
		if isRefusal(err) {
			return d.Progress, outbox.Permanent(err)
		}
		return d.Progress, err
	}
	if c.Verification.Round != p.Round || c.Verification.Result(h.check).Status != CheckPending {
		return d.Progress, nil // decided already, or a later round replaced this one
	}
	now := h.now().UTC().Truncate(time.Microsecond)
	ok, reason, err := h.run(ctx, c, d.Key, now)
	res := CheckResult{Status: CheckPassed, CheckedAt: &now}
	switch {
	case err != nil && !isRefusal(err):
		return d.Progress, err // an outage: retried, the check stays pending
	case err != nil:
		res.Status, res.Reason = CheckError, truncate(err.Error(), maxReasonLen)
	case !ok:
		res.Status, res.Reason = CheckFailed, truncate(reason, maxReasonLen)
	}
	entry := audit.Entry{
		TenantID: c.TenantID, Actor: CheckActor, Operation: "onboarding.check." + string(h.check),
		EntityType: "client", EntityID: c.ID, Changed: []string{"verification." + string(h.check)}, At: now,
	}
	if _, rerr := h.st.RecordCheck(ctx, c.TenantID, c.ID, h.check, p.Round, res, entry); rerr != nil {
		return d.Progress, rerr
	}
	if err != nil {
		return d.Progress, outbox.Permanent(err)
	}
	return d.Progress, nil
}

// isRefusal reports an error a retry cannot fix: the system refused the
// request as invalid, forbidden, conflicting or about an unknown subject.
func isRefusal(err error) bool {
	return errors.Is(err, clientele.ErrInvalid) || errors.Is(err, clientele.ErrForbidden) ||
		errors.Is(err, clientele.ErrConflict) || errors.Is(err, clientele.ErrNotFound)
}

// maxReasonLen bounds a recorded reason.
const maxReasonLen = 500

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}

type identityCheck struct{ a adapters.Identity }

// run passes when the identity provider holds an active identity for the
// client whose national ID (individual) or registration number (corporate)
// is the client's. The identity is created by the client's IU001 effect: until
// it exists the check is retried. A different number fails the check at
// version 1; after a change of the client, the provider may not have received
// the new number yet (IU002), so the check is retried and ends as an error if
// the provider never agrees.
func (x identityCheck) run(ctx context.Context, c Client, _ string, _ time.Time) (bool, string, error) {
	u, err := x.a.GetUser(ctx, c.TenantID, c.ID)
	if err != nil {
		if errors.Is(err, clientele.ErrNotFound) {
			return false, "", fmt.Errorf("identity of client %s not created at the identity provider yet: %w", c.Reference, clientele.ErrUnavailable)
		}
		return false, "", err
	}
	if u.Status != adapters.StatusActive {
		return false, fmt.Sprintf("the identity provider holds the identity as %s", u.Status), nil
	}
	field, want, got := "nationalId", "", u.Profile.NationalID
	if c.Individual != nil {
		want = c.Individual.NationalID
	}
	if c.Corporate != nil {
		field, want, got = "registrationNumber", c.Corporate.RegistrationNumber, u.Profile.RegistrationNumber
	}
	if want != got {
		if c.Version > 1 {
			return false, "", fmt.Errorf("the identity provider holds another %s than the client's: %w", field, clientele.ErrUnavailable)
		}
		return false, fmt.Sprintf("the identity provider holds another %s than the client's", field), nil
	}
	return true, "", nil
}

type documentsCheck struct{ a adapters.Documents }

// run passes when the client has at least one verification document (DD002)
// marked verified by the document processor and not expired.
func (x documentsCheck) run(ctx context.Context, c Client, _ string, now time.Time) (bool, string, error) {
	docs, err := x.a.ListDocuments(ctx, adapters.ListDocumentsRequest{
		TenantID: c.TenantID, ClientID: c.ID, Category: adapters.CategoryVerification,
	})
	if err != nil {
		return false, "", err
	}
	expired, unverified := 0, 0
	for _, d := range docs {
		switch {
		case !d.Verified:
			unverified++
		case d.ExpiresAt != nil && !d.ExpiresAt.After(now):
			expired++
		default:
			return true, "", nil
		}
	}
	if len(docs) == 0 {
		return false, "no identity document on file", nil
	}
	return false, fmt.Sprintf("no verified, unexpired identity document (%d unverified, %d expired)", unverified, expired), nil
}

type screeningCheck struct{ s Screening }

// run passes when the screening finds no match.
func (x screeningCheck) run(ctx context.Context, c Client, key string, _ time.Time) (bool, string, error) {
	r, err := x.s.Screen(ctx, ScreeningRequest{TenantID: c.TenantID, ClientID: c.ID, Profile: c.AdapterProfile(), IdempotencyKey: key})
	if err != nil {
		return false, "", err
	}
	if r.Hit {
		reason := r.Reason
		if reason == "" {
			reason = "listed"
		}
		return false, reason, nil
	}
	return true, "", nil
}

// KYCInput is a manual KYC decision (SetKYCStatus).
type KYCInput struct {
	// Status is the new KYC status: pending, verified or rejected.
	Status KYCStatus `json:"status"`
	// Version must be the version the caller read.
	Version int64 `json:"version"`
	// Reason says why, for the audit log: required, at most 500 characters.
	Reason string `json:"reason"`
}

// MaxKYCReasonLen bounds KYCInput.Reason.
const MaxKYCReasonLen = 500

// SetKYCStatus records a manual KYC decision on a client
// (authz.OpSetKYCStatus, its own permission: the update permission does not
// grant it). On a staff-owned client it also needs the employee-account
// permission, like every change. The audit entry holds the status before and
// after and the reason. The decision does not replace the automated checks:
// activation still needs them passed (see Transition); a rejected status
// blocks activation.
//
// ErrForbidden, before anything is read, for a principal without the
// operation; ErrNotFound for a client that is missing or out of its reach;
// ErrConflict for a stale version.
func (s *Service) SetKYCStatus(ctx context.Context, p authz.Principal, reference string, in KYCInput) (Client, error) {
	verr := &clientele.ValidationError{}
	if in.Status != KYCPending && in.Status != KYCVerified && in.Status != KYCRejected {
		verr.Add("status", "oneof", "must be one of: pending verified rejected")
	}
	if in.Version < 1 {
		verr.Add("version", "required", "is required: send the version you read")
	}
	if strings.TrimSpace(in.Reason) == "" {
		verr.Add("reason", "required", "is required: say why, for the audit log")
	} else {
		textcheck.Text(verr, "reason", in.Reason, MaxKYCReasonLen)
	}
	return s.change(ctx, p, authz.OpSetKYCStatus, reference, in.Version, verr, func(c *Client) error {
		c.KYCStatus = in.Status
		return nil
	}, in.Reason)
}

// Recheck runs again every onboarding check of a client that has not passed
// (failed, error, or still pending — say the documents were filed after the
// client was created), as an update of the client (CL004): a new round, the
// checks pending, their effects enqueued, all in one transaction with its
// audit entry. Passed checks are kept. A client whose checks have all passed,
// or that is no longer pending, fails with ErrPrecondition.
func (s *Service) Recheck(ctx context.Context, p authz.Principal, reference string, version int64) (Client, error) {
	verr := &clientele.ValidationError{}
	if version < 1 {
		verr.Add("version", "required", "is required: send the version you read")
	}
	var rerun []Check
	return s.change(ctx, p, authz.OpUpdateClient, reference, version, verr, func(c *Client) error {
		if c.State != Pending {
			return fmt.Errorf("client %s is %s: only a pending client's checks are run again: %w", reference, c.State, clientele.ErrPrecondition)
		}
		rerun = rerun[:0]
		for _, ch := range Checks() {
			if c.Verification.Result(ch).Status != CheckPassed {
				rerun = append(rerun, ch)
			}
		}
		if len(rerun) == 0 {
			return fmt.Errorf("client %s: every check has passed: %w", reference, clientele.ErrPrecondition)
		}
		c.Verification.Round++
		for _, ch := range rerun {
			c.Verification.Set(ch, CheckResult{Status: CheckPending})
		}
		return nil
	}, "")
}

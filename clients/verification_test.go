package clients_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/adapters"
	"github.com/clientele-go/clientele/adapters/memory"
	"github.com/clientele-go/clientele/authz"
	"github.com/clientele-go/clientele/clients"
	"github.com/clientele-go/clientele/clients/watchlist"
	"github.com/clientele-go/clientele/internal/dbtest"
	"github.com/clientele-go/clientele/internal/testkit"
	"github.com/clientele-go/clientele/outbox"
	"github.com/clientele-go/clientele/storage"
)

// countingIdentity counts the identity calls that succeed: creates per
// idempotency key, and reads.
type countingIdentity struct {
	adapters.Identity
	mu      sync.Mutex
	creates map[string]int
	reads   int
}

func (c *countingIdentity) CreateUser(ctx context.Context, req adapters.CreateUserRequest) (adapters.IdentityUser, error) {
	u, err := c.Identity.CreateUser(ctx, req)
	if err == nil {
		c.mu.Lock()
		c.creates[req.IdempotencyKey]++
		c.mu.Unlock()
	}
	return u, err
}

func (c *countingIdentity) GetUser(ctx context.Context, tenantID, subjectID string) (adapters.IdentityUser, error) {
	u, err := c.Identity.GetUser(ctx, tenantID, subjectID)
	if err == nil {
		c.mu.Lock()
		c.reads++
		c.mu.Unlock()
	}
	return u, err
}

type verifyEnv struct {
	db       *storage.DB
	svc      *clients.Service
	ident    *memory.Identity
	counted  *countingIdentity
	docs     *memory.Documents
	list     *watchlist.List
	handlers outbox.Handlers
}

// newVerifyEnv: tenant t1 requires verified onboarding (the default), t2 does
// not; the handlers sync to identity and run the three checks.
func newVerifyEnv(t *testing.T, db *storage.DB) *verifyEnv {
	t.Helper()
	ctx := context.Background()
	require.NoError(t, db.Tenants().Create(ctx, testkit.Tenant("t1")))
	require.NoError(t, db.Tenants().Create(ctx, testkit.TenantNoChecks("t2")))
	svc, err := clients.New(db.Clients(), testkit.AllowAll{}, clients.WithTenants(db.Tenants()))
	require.NoError(t, err)
	e := &verifyEnv{db: db, svc: svc, ident: memory.NewIdentity(), docs: memory.NewDocuments(), list: watchlist.New()}
	e.counted = &countingIdentity{Identity: e.ident, creates: map[string]int{}}
	a := clients.Adapters{Identity: e.counted, Documents: e.docs}
	e.handlers = outbox.Merge(clients.SyncHandlers(db.Clients(), a), clients.VerificationHandlers(db.Clients(), a, e.list))
	return e
}

// fileID files a verified, unexpired national ID card for the client.
func (e *verifyEnv) fileID(t *testing.T, tenant, clientID string) {
	t.Helper()
	exp := time.Now().AddDate(3, 0, 0)
	_, err := e.docs.PutDocument(context.Background(), adapters.PutDocumentRequest{
		TenantID: tenant, ClientID: clientID, Category: adapters.CategoryVerification, Type: "national_id",
		ContentType: "image/png", Verified: true, ExpiresAt: &exp, Content: []byte("png"),
		IdempotencyKey: "doc-" + clientID,
	})
	require.NoError(t, err)
}

func (e *verifyEnv) get(t *testing.T, tenant, ref string) clients.Client {
	t.Helper()
	c, err := e.svc.Get(context.Background(), testkit.Staff(tenant, "u1"), ref)
	require.NoError(t, err)
	return c
}

func statuses(c clients.Client) map[clients.Check]clients.CheckStatus {
	out := map[clients.Check]clients.CheckStatus{}
	for _, ch := range clients.Checks() {
		out[ch] = c.Verification.Result(ch).Status
	}
	return out
}

func allPassed() map[clients.Check]clients.CheckStatus {
	return map[clients.Check]clients.CheckStatus{
		clients.CheckIdentity: clients.CheckPassed, clients.CheckDocuments: clients.CheckPassed, clients.CheckScreening: clients.CheckPassed,
	}
}

// Create enqueues the three checks with the client; the dispatcher runs them
// and records each result, with an audit entry, and the client can then be
// activated.
func TestVerificationRunsOnCreate(t *testing.T) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		e := newVerifyEnv(t, db)
		p := testkit.Staff("t1", "u1")
		c, err := e.svc.Create(ctx, p, testkit.Person("Amina", "Otieno"), "")
		require.NoError(t, err)
		assert.Equal(t, 1, c.Verification.Round)
		for _, ch := range clients.Checks() {
			assert.Equal(t, clients.CheckPending, c.Verification.Result(ch).Status, ch)
		}
		_, err = e.svc.Transition(ctx, p, c.Reference, clients.Active, c.Version)
		var ve *clients.VerificationError
		require.ErrorAs(t, err, &ve)
		assert.ErrorIs(t, err, clientele.ErrPrecondition)
		assert.Equal(t, []string{"identity check pending", "documents check pending", "screening check pending"}, ve.Missing)

		e.fileID(t, "t1", c.ID)
		dbtest.StartDispatcher(t, db, e.handlers)
		dbtest.Drain(t, db)
		got := e.get(t, "t1", c.Reference)
		assert.Equal(t, allPassed(), statuses(got))
		assert.NotNil(t, got.Verification.Identity.CheckedAt)
		assert.Equal(t, c.Version, got.Version, "recording a result does not change the version")

		entries, err := db.AuditLog(ctx, "t1", "client", c.ID, 10)
		require.NoError(t, err)
		var checks []string
		for _, en := range entries {
			if en.Actor == clients.CheckActor {
				checks = append(checks, en.Operation)
			}
		}
		assert.ElementsMatch(t, []string{"onboarding.check.identity", "onboarding.check.documents", "onboarding.check.screening"}, checks)

		act, err := e.svc.Transition(ctx, p, c.Reference, clients.Active, got.Version)
		require.NoError(t, err)
		assert.Equal(t, clients.Active, act.State)
	})
}

// The identity provider is down while the client is created: the identity
// check stays pending (activation refused, naming it) while the others pass;
// when it comes back the check passes. The identity is created once, and the
// screening called once per key.
func TestVerificationIdentityOutage(t *testing.T) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		e := newVerifyEnv(t, db)
		p := testkit.Staff("t1", "u1")
		e.ident.Faults().FailAll(clientele.ErrUnavailable)
		c, err := e.svc.Create(ctx, p, testkit.Person("Brian", "Mwangi"), "")
		require.NoError(t, err)
		e.fileID(t, "t1", c.ID)
		dbtest.StartDispatcher(t, db, e.handlers)
		require.Eventually(t, func() bool {
			st := statuses(e.get(t, "t1", c.Reference))
			return st[clients.CheckDocuments] == clients.CheckPassed && st[clients.CheckScreening] == clients.CheckPassed
		}, 15*time.Second, 10*time.Millisecond)
		time.Sleep(100 * time.Millisecond) // a few identity attempts fail meanwhile
		got := e.get(t, "t1", c.Reference)
		assert.Equal(t, clients.CheckPending, got.Verification.Result(clients.CheckIdentity).Status)
		_, err = e.svc.Transition(ctx, p, c.Reference, clients.Active, got.Version)
		var ve *clients.VerificationError
		require.ErrorAs(t, err, &ve)
		assert.Equal(t, []string{"identity check pending"}, ve.Missing)

		e.ident.Faults().Reset()
		dbtest.Drain(t, db)
		got = e.get(t, "t1", c.Reference)
		assert.Equal(t, allPassed(), statuses(got))
		e.counted.mu.Lock()
		assert.Equal(t, map[string]int{"client:" + c.ID + ":identity:create": 1}, e.counted.creates)
		assert.Equal(t, 1, e.counted.reads, "the identity check read the provider once it answered, and never again")
		e.counted.mu.Unlock()
		assert.Equal(t, 1, e.list.Calls(clients.VerificationEffectKey(c.ID, clients.CheckScreening, 1)))
		_, err = e.svc.Transition(ctx, p, c.Reference, clients.Active, got.Version)
		require.NoError(t, err)
	})
}

// A screening hit fails the check with the list's reason and activation is
// refused naming it; a tenant that does not require verified onboarding
// activates the same client.
func TestVerificationScreeningHit(t *testing.T) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		e := newVerifyEnv(t, db)
		e.list.Add(watchlist.Entry{List: "UN sanctions", Name: "Viktor Bout"})
		var refs [2]string
		for i, tenant := range []string{"t1", "t2"} {
			c, err := e.svc.Create(ctx, testkit.Staff(tenant, "u1"), testkit.Person("Viktor", "Bout"), "")
			require.NoError(t, err)
			e.fileID(t, tenant, c.ID)
			refs[i] = c.Reference
		}
		dbtest.StartDispatcher(t, db, e.handlers)
		dbtest.Drain(t, db)
		for i, tenant := range []string{"t1", "t2"} {
			got := e.get(t, tenant, refs[i])
			r := got.Verification.Result(clients.CheckScreening)
			assert.Equal(t, clients.CheckFailed, r.Status)
			assert.Equal(t, "UN sanctions: Viktor Bout", r.Reason)
			assert.Equal(t, clients.CheckPassed, got.Verification.Result(clients.CheckIdentity).Status)
			_, err := e.svc.Transition(ctx, testkit.Staff(tenant, "u1"), refs[i], clients.Active, got.Version)
			if tenant == "t1" {
				var ve *clients.VerificationError
				require.ErrorAs(t, err, &ve)
				assert.ErrorIs(t, err, clientele.ErrPrecondition)
				assert.Equal(t, []string{"screening check failed: UN sanctions: Viktor Bout"}, ve.Missing)
				assert.Contains(t, err.Error(), "screening check failed")
				continue
			}
			require.NoError(t, err, "t2 does not require verified onboarding")
		}
	})
}

// No document on file fails the documents check; once one is filed, Recheck
// runs the failed check again (a new round) and keeps the passed ones.
func TestVerificationRecheck(t *testing.T) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		e := newVerifyEnv(t, db)
		p := testkit.Staff("t1", "u1")
		c, err := e.svc.Create(ctx, p, testkit.Company("Acme Ltd"), "")
		require.NoError(t, err)
		dbtest.StartDispatcher(t, db, e.handlers)
		dbtest.Drain(t, db)
		got := e.get(t, "t1", c.Reference)
		docs := got.Verification.Result(clients.CheckDocuments)
		assert.Equal(t, clients.CheckFailed, docs.Status)
		assert.Equal(t, "no identity document on file", docs.Reason)
		passedAt := got.Verification.Identity.CheckedAt

		e.fileID(t, "t1", c.ID)
		re, err := e.svc.Recheck(ctx, p, c.Reference, got.Version)
		require.NoError(t, err)
		assert.Equal(t, 2, re.Verification.Round)
		assert.Equal(t, clients.CheckPending, re.Verification.Result(clients.CheckDocuments).Status)
		dbtest.Drain(t, db)
		got = e.get(t, "t1", c.Reference)
		assert.Equal(t, allPassed(), statuses(got))
		assert.Equal(t, passedAt, got.Verification.Identity.CheckedAt, "a passed check is kept")
		assert.Equal(t, 0, e.list.Calls(clients.VerificationEffectKey(c.ID, clients.CheckScreening, 2)), "screening passed: not run again")

		_, err = e.svc.Recheck(ctx, p, c.Reference, got.Version)
		assert.ErrorIs(t, err, clientele.ErrPrecondition, "nothing left to check")
	})
}

// A check that cannot be completed shows as an error: the screening refuses
// the request (recorded at once), the identity provider stays down until the
// effect is parked (shown from the parked effect).
func TestVerificationErrors(t *testing.T) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		e := newVerifyEnv(t, db)
		p := testkit.Staff("t1", "u1")
		e.list.Fail(clientele.ErrInvalid)
		e.ident.Faults().FailAll(clientele.ErrUnavailable)
		c, err := e.svc.Create(ctx, p, testkit.Person("Chen", "Wei"), "")
		require.NoError(t, err)
		e.fileID(t, "t1", c.ID)
		dbtest.StartDispatcher(t, db, e.handlers)
		dbtest.Drain(t, db)
		got := e.get(t, "t1", c.Reference)
		sc := got.Verification.Result(clients.CheckScreening)
		assert.Equal(t, clients.CheckError, sc.Status)
		assert.Contains(t, sc.Reason, "invalid")
		id := got.Verification.Result(clients.CheckIdentity)
		assert.Equal(t, clients.CheckError, id.Status)
		assert.Contains(t, id.Reason, "could not be completed")
		assert.Contains(t, id.Reason, "unavailable")
		_, err = e.svc.Transition(ctx, p, c.Reference, clients.Active, got.Version)
		var ve *clients.VerificationError
		require.ErrorAs(t, err, &ve)
		assert.Len(t, ve.Missing, 2)
	}, storage.WithMaxAttempts(2))
}

// The manual KYC decision has its own permission (KY001, clnt_kyc_verify in
// role RK001): the update permission does not grant it, through SetKYCStatus
// or through a changed kycStatus in Update; on a staff-owned client it also
// needs the employee-account permission. Each decision is audited with the
// status before and after.
func TestKYCPermission(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		require.NoError(t, db.Tenants().Create(ctx, testkit.Tenant("t1")))
		spec := authz.RetailEngine()
		// Every client permission sees the whole tenant: this test is about
		// operations, not data scope.
		spec.TenantWidePermissions = append(spec.TenantWidePermissions, "clnt_list", "clnt_read_updt", authz.PermKYCVerify)
		spec.Roles = append(spec.Roles,
			authz.Role{Code: "RS001", Name: "Staff Accounts", Type: authz.Backoffice, Permissions: []string{authz.PermStaffAccounts}},
			authz.Role{Code: "RX001", Name: "Staff Admin", Type: authz.Backoffice, Permissions: []string{"clnt_mgmt_admin", authz.PermStaffAccounts}})
		cats := authz.NewMemoryStore()
		require.NoError(t, cats.PutTenant(authz.Org{TenantID: "t1", Apps: map[string]string{"retail": "active"}}, spec))
		az, err := authz.New(cats, cats)
		require.NoError(t, err)
		svc, err := clients.New(db.Clients(), az, clients.WithTenants(db.Tenants()))
		require.NoError(t, err)

		admin := testkit.Staff("t1", "admin", authz.RetailAdministrator)
		compliance := testkit.Staff("t1", "co", authz.RetailComplianceOfficer)
		kyc := testkit.Staff("t1", "kyc", authz.RoleKYCOfficer)
		kycCompliance := testkit.Staff("t1", "kco", authz.RetailComplianceOfficer, authz.RoleKYCOfficer)
		kycStaff := testkit.Staff("t1", "kst", authz.RoleKYCOfficer, "RS001")
		staffAdmin := testkit.Staff("t1", "sa", "RX001")

		c, err := svc.Create(ctx, admin, testkit.Person("Dana", "Kim"), "")
		require.NoError(t, err)
		verify := clients.KYCInput{Status: clients.KYCVerified, Version: c.Version, Reason: "passport seen in branch"}

		for name, p := range map[string]authz.Principal{"RP001": admin, "RP003": compliance} {
			_, err = svc.SetKYCStatus(ctx, p, c.Reference, verify)
			assert.ErrorIs(t, err, clientele.ErrForbidden, name)
			_, err = svc.SetKYCStatus(ctx, p, "CNOSUCH99", verify)
			assert.ErrorIs(t, err, clientele.ErrForbidden, name+": refused before anything is read")
			_, err = svc.Update(ctx, p, c.Reference, clients.UpdateInput{Version: c.Version, KYCStatus: clients.KYCVerified, Profile: c.Profile})
			assert.ErrorIs(t, err, clientele.ErrForbidden, name+": a changed kycStatus through Update")
		}
		got, err := svc.Get(ctx, admin, c.Reference)
		require.NoError(t, err)
		assert.Equal(t, clients.KYCPending, got.KYCStatus)
		assert.Equal(t, c.Version, got.Version, "the refusals changed nothing")
		// The unchanged status in an update needs nothing more.
		got, err = svc.Update(ctx, admin, c.Reference, clients.UpdateInput{Version: c.Version, KYCStatus: clients.KYCPending, Profile: c.Profile})
		require.NoError(t, err)

		// Invalid input names its field.
		_, err = svc.SetKYCStatus(ctx, kyc, c.Reference, clients.KYCInput{Status: "approved", Version: got.Version, Reason: "\x00"})
		var verr *clientele.ValidationError
		require.ErrorAs(t, err, &verr)
		var fields []string
		for _, pr := range verr.Problems {
			fields = append(fields, pr.Field)
		}
		assert.ElementsMatch(t, []string{"status", "reason"}, fields)

		verify.Version = got.Version
		got, err = svc.SetKYCStatus(ctx, kyc, c.Reference, verify)
		require.NoError(t, err)
		assert.Equal(t, clients.KYCVerified, got.KYCStatus)
		entries, err := db.AuditLog(ctx, "t1", "client", c.ID, 10)
		require.NoError(t, err)
		var kycEntry *struct{ before, after string }
		for _, en := range entries {
			if en.Operation == string(authz.OpSetKYCStatus) {
				assert.Equal(t, "kyc", en.Actor)
				kycEntry = &struct{ before, after string }{string(en.Before), string(en.After)}
			}
		}
		require.NotNil(t, kycEntry)
		assert.JSONEq(t, `{"kycStatus":"pending"}`, kycEntry.before)
		assert.JSONEq(t, `{"kycStatus":"verified","reason":"passport seen in branch"}`, kycEntry.after)

		// Holding both permissions, Update may change it too.
		got, err = svc.Update(ctx, kycCompliance, c.Reference, clients.UpdateInput{Version: got.Version, KYCStatus: clients.KYCRejected, Profile: got.Profile})
		require.NoError(t, err)
		assert.Equal(t, clients.KYCRejected, got.KYCStatus)
		_, err = svc.SetKYCStatus(ctx, kyc, c.Reference, verify)
		assert.ErrorIs(t, err, clientele.ErrConflict, "a stale version")

		// A staff-owned client: the KYC permission alone does not reach it.
		staffIn := testkit.Person("Staff", "Member")
		staffIn.StaffAssociateID = "assoc-7"
		s, err := svc.Create(ctx, staffAdmin, staffIn, "")
		require.NoError(t, err)
		in := clients.KYCInput{Status: clients.KYCVerified, Version: s.Version, Reason: "employee file"}
		_, err = svc.SetKYCStatus(ctx, kyc, s.Reference, in)
		require.ErrorIs(t, err, clientele.ErrNotFound)
		_, missing := svc.SetKYCStatus(ctx, kyc, "CNOSUCH99", in)
		sameError(t, err, s.Reference, missing, "CNOSUCH99")
		got, err = svc.SetKYCStatus(ctx, kycStaff, s.Reference, in)
		require.NoError(t, err)
		assert.Equal(t, clients.KYCVerified, got.KYCStatus)
	})
}

// A rejected KYC status blocks activation even with every check passed.
func TestVerificationRejectedKYCBlocksActivation(t *testing.T) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		e := newVerifyEnv(t, db)
		p := testkit.Staff("t1", "u1")
		c, err := e.svc.Create(ctx, p, testkit.Person("Eve", "Njeri"), "")
		require.NoError(t, err)
		e.fileID(t, "t1", c.ID)
		dbtest.StartDispatcher(t, db, e.handlers)
		dbtest.Drain(t, db)
		got, err := e.svc.SetKYCStatus(ctx, p, c.Reference, clients.KYCInput{Status: clients.KYCRejected, Version: c.Version, Reason: "forged"})
		require.NoError(t, err)
		assert.Equal(t, allPassed(), statuses(got))
		_, err = e.svc.Transition(ctx, p, c.Reference, clients.Active, got.Version)
		var ve *clients.VerificationError
		require.ErrorAs(t, err, &ve)
		assert.Equal(t, []string{"kycStatus rejected"}, ve.Missing)
		raw, _ := json.Marshal(got.Verification)
		assert.Contains(t, string(raw), `"identity":{"status":"passed"`)
	})
}

// Parallel KYC decisions on one version: exactly one is recorded, the others
// are conflicts, and the audit log holds one decision.
func TestKYCDecisionsInParallel(t *testing.T) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		e := newVerifyEnv(t, db)
		p := testkit.Staff("t1", "u1")
		c, err := e.svc.Create(ctx, p, testkit.Person("Faith", "Achieng"), "")
		require.NoError(t, err)
		const n = 6
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				status := clients.KYCVerified
				if i%2 == 1 {
					status = clients.KYCRejected
				}
				_, errs[i] = e.svc.SetKYCStatus(ctx, p, c.Reference, clients.KYCInput{Status: status, Version: c.Version, Reason: "decision"})
			}()
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			if err == nil {
				ok++
				continue
			}
			assert.ErrorIs(t, err, clientele.ErrConflict)
		}
		assert.Equal(t, 1, ok)
		entries, err := db.AuditLog(ctx, "t1", "client", c.ID, 20)
		require.NoError(t, err)
		decisions := 0
		for _, en := range entries {
			if en.Operation == string(authz.OpSetKYCStatus) {
				decisions++
			}
		}
		assert.Equal(t, 1, decisions)
		got := e.get(t, "t1", c.Reference)
		assert.Equal(t, c.Version+1, got.Version)
	})
}

package clients_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/adapters"
	"github.com/clientele-go/clientele/adapters/memory"
	"github.com/clientele-go/clientele/clients"
	"github.com/clientele-go/clientele/internal/dbtest"
	"github.com/clientele-go/clientele/internal/testkit"
	"github.com/clientele-go/clientele/outbox"
	"github.com/clientele-go/clientele/storage"
)

// countingBank counts the profile calls that reach the core banking fake.
type countingBank struct {
	adapters.CoreBanking
	mu              sync.Mutex
	creates, update int
}

func (b *countingBank) CreateClient(ctx context.Context, req adapters.CreateClientRequest) (adapters.BankClient, error) {
	c, err := b.CoreBanking.CreateClient(ctx, req)
	if err == nil {
		b.mu.Lock()
		b.creates++
		b.mu.Unlock()
	}
	return c, err
}

func (b *countingBank) UpdateClient(ctx context.Context, req adapters.UpdateClientRequest) (adapters.BankClient, error) {
	c, err := b.CoreBanking.UpdateClient(ctx, req)
	if err == nil {
		b.mu.Lock()
		b.update++
		b.mu.Unlock()
	}
	return c, err
}

func (b *countingBank) counts() (int, int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.creates, b.update
}

type syncEnv struct {
	db      *storage.DB
	svc     *clients.Service
	fake    *memory.CoreBanking
	bank    *countingBank
	ident   *memory.Identity
	crm     *memory.CRM
	handler outbox.Handlers
}

func newSyncEnv(t *testing.T, db *storage.DB) *syncEnv {
	t.Helper()
	require.NoError(t, db.Tenants().Create(context.Background(), testkit.Tenant("t1")))
	svc, err := clients.New(db.Clients(), testkit.AllowAll{})
	require.NoError(t, err)
	fake := memory.NewCoreBanking()
	e := &syncEnv{db: db, svc: svc, fake: fake, bank: &countingBank{CoreBanking: fake},
		ident: memory.NewIdentity(), crm: memory.NewCRM()}
	e.handler = clients.SyncHandlers(db.Clients(), clients.Adapters{CoreBanking: e.bank, Identity: e.ident, CRM: e.crm})
	return e
}

func (e *syncEnv) start(t *testing.T) *storage.Dispatcher {
	t.Helper()
	d, err := e.db.NewDispatcher(e.handler, storage.WithBackoff(10*time.Millisecond, 50*time.Millisecond))
	require.NoError(t, err)
	require.NoError(t, d.Start(context.Background()))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = d.Stop(ctx)
	})
	return d
}

func (e *syncEnv) syncOf(t *testing.T, ref string, target outbox.Target) outbox.TargetState {
	t.Helper()
	c, err := e.svc.Get(context.Background(), testkit.Staff("t1", "u1"), ref)
	require.NoError(t, err)
	return c.Sync[target]
}

func (e *syncEnv) waitSync(t *testing.T, ref string, target outbox.Target, want outbox.Status) {
	t.Helper()
	require.Eventually(t, func() bool { return e.syncOf(t, ref, target).Status == want },
		60*time.Second, 10*time.Millisecond, "%s never became %s", target, want)
}

// Core banking is down while a client is created: the client is saved with its
// sync pending, and reaches core banking once when it comes back.
func TestSyncSurvivesAnAdapterOutage(t *testing.T) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		e := newSyncEnv(t, db)
		e.fake.Faults().FailAll(clientele.ErrUnavailable)
		e.start(t)
		p := testkit.Staff("t1", "u1")
		c, err := e.svc.Create(ctx, p, testkit.Person("Amina", "Otieno"), "")
		require.NoError(t, err)
		assert.Equal(t, outbox.Pending, c.Sync[outbox.CoreBanking].Status)
		e.waitSync(t, c.Reference, outbox.Identity, outbox.Delivered)
		e.waitSync(t, c.Reference, outbox.CRM, outbox.Delivered)
		// Wait for a failed attempt to be recorded rather than for a fixed
		// time: the effect stays pending and carries the adapter's error.
		require.Eventually(t, func() bool {
			return strings.Contains(e.syncOf(t, c.Reference, outbox.CoreBanking).LastError, "unavailable")
		}, 60*time.Second, 10*time.Millisecond, "no failed core-banking attempt was recorded")
		assert.Equal(t, outbox.Pending, e.syncOf(t, c.Reference, outbox.CoreBanking).Status)

		e.fake.Faults().Reset()
		e.waitSync(t, c.Reference, outbox.CoreBanking, outbox.Delivered)
		got, err := e.fake.GetClient(ctx, "t1", c.ID)
		require.NoError(t, err)
		assert.Equal(t, "Otieno", got.Profile.LastName)
		creates, _ := e.bank.counts()
		assert.Equal(t, 1, creates)
	})
}

// An update made while the create is still pending: core banking ends with the
// latest state, created once.
func TestSyncUpdateWhileCreatePending(t *testing.T) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		e := newSyncEnv(t, db)
		e.fake.Faults().FailAll(clientele.ErrUnavailable)
		e.start(t)
		p := testkit.Staff("t1", "u1")
		c, err := e.svc.Create(ctx, p, testkit.Person("Amina", "Otieno"), "")
		require.NoError(t, err)
		for i, last := range []string{"Wanjiru", "Kamau", "Mwangi"} {
			in := clients.UpdateInput{Version: int64(i + 1), Profile: c.Profile}
			in.Profile.Individual = &clients.Person{}
			*in.Profile.Individual = *c.Individual
			in.Profile.Individual.LastName = last
			_, err = e.svc.Update(ctx, p, c.Reference, in)
			require.NoError(t, err)
		}
		e.fake.Faults().Reset()
		e.waitSync(t, c.Reference, outbox.CoreBanking, outbox.Delivered)
		got, err := e.fake.GetClient(ctx, "t1", c.ID)
		require.NoError(t, err)
		assert.Equal(t, "Mwangi", got.Profile.LastName)
		creates, _ := e.bank.counts()
		assert.Equal(t, 1, creates)
		// Every effect is settled, none parked.
		recs, _, err := db.Effects().List(ctx, "t1", outbox.Filter{Status: outbox.Parked}, "", 100)
		require.NoError(t, err)
		assert.Empty(t, recs)
	})
}

// A push core banking refuses as invalid is parked at once, shown on the
// client and in the outbox, and a replay delivers it once.
func TestSyncParkedAndReplayed(t *testing.T) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		e := newSyncEnv(t, db)
		e.fake.Faults().FailAll(clientele.ErrInvalid)
		e.start(t)
		p := testkit.Staff("t1", "u1")
		c, err := e.svc.Create(ctx, p, testkit.Person("Amina", "Otieno"), "")
		require.NoError(t, err)
		e.waitSync(t, c.Reference, outbox.CoreBanking, outbox.Parked)
		assert.Contains(t, e.syncOf(t, c.Reference, outbox.CoreBanking).LastError, "invalid")

		parked, _, err := db.Effects().List(ctx, "t1", outbox.Filter{Status: outbox.Parked}, "", 10)
		require.NoError(t, err)
		require.Len(t, parked, 1)
		assert.Equal(t, clients.OpSyncCoreBankingCreate, parked[0].Op)

		e.fake.Faults().Reset()
		entryErr := errors.New("")
		require.Eventually(t, func() bool {
			_, entryErr = db.Effects().Replay(ctx, "t1", parked[0].Key, testkit.Entry("t1", "OB002"))
			return !errors.Is(entryErr, clientele.ErrConflict)
		}, 60*time.Second, 10*time.Millisecond)
		require.NoError(t, entryErr)
		e.waitSync(t, c.Reference, outbox.CoreBanking, outbox.Delivered)
		creates, _ := e.bank.counts()
		assert.Equal(t, 1, creates)
	})
}

// The app's transaction rolls back: no client, no audit entry, no effect, and
// no adapter is ever called.
func TestSyncNothingForARolledBackCreate(t *testing.T) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		e := newSyncEnv(t, db)
		e.start(t)
		p := testkit.Staff("t1", "u1")
		var ref, id string
		boom := errors.New("app failed after the create")
		err := db.InTx(ctx, func(ctx context.Context, _ *sql.Tx) error {
			c, err := e.svc.Create(ctx, p, testkit.Person("Amina", "Otieno"), "")
			if err != nil {
				return err
			}
			ref, id = c.Reference, c.ID
			return boom
		})
		require.ErrorIs(t, err, boom)
		_, err = e.svc.Get(ctx, p, ref)
		assert.ErrorIs(t, err, clientele.ErrNotFound)
		entries, err := db.AuditLog(ctx, "t1", "client", id, 10)
		require.NoError(t, err)
		assert.Empty(t, entries)
		recs, _, err := db.Effects().List(ctx, "t1", outbox.Filter{}, "", 10)
		require.NoError(t, err)
		assert.Empty(t, recs)
		time.Sleep(200 * time.Millisecond)
		creates, _ := e.bank.counts()
		assert.Zero(t, creates)
	})
}

// Clients created while no dispatcher runs (stopped between commit and
// delivery) reach every adapter once when two dispatchers start on the same
// database.
func TestSyncAfterRestartWithTwoDispatchers(t *testing.T) {
	dbtest.EachPooled(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		e := newSyncEnv(t, db)
		p := testkit.Staff("t1", "u1")
		first := e.start(t)
		require.NoError(t, first.Stop(ctx))
		refs := make([]string, 10)
		for i := range refs {
			c, err := e.svc.Create(ctx, p, testkit.Person("Amina", fmt.Sprintf("Otieno%d", i)), "")
			require.NoError(t, err)
			refs[i] = c.Reference
			in := clients.UpdateInput{Version: 1, Profile: c.Profile}
			_, err = e.svc.Update(ctx, p, c.Reference, in)
			require.NoError(t, err)
		}
		e.start(t)
		e.start(t)
		for _, ref := range refs {
			for _, target := range []outbox.Target{outbox.CoreBanking, outbox.Identity, outbox.CRM} {
				e.waitSync(t, ref, target, outbox.Delivered)
			}
		}
		creates, _ := e.bank.counts()
		assert.Equal(t, len(refs), creates, "each client created once at core banking")
	})
}

package clients_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/clientele-go/clientele/adapters"
	"github.com/clientele-go/clientele/adapters/memory"
	"github.com/clientele-go/clientele/clients"
	"github.com/clientele-go/clientele/internal/dbtest"
	"github.com/clientele-go/clientele/internal/testkit"
	"github.com/clientele-go/clientele/outbox"
	"github.com/clientele-go/clientele/storage"
)

// BenchmarkArchive measures one archive end to end: from the Archive call to
// the client read back as archived, for a client with three savings accounts
// holding money, every adapter call taking 20 ms (the memory fakes' latency),
// and a dispatcher polling every 5 ms. It reports the median and the slowest
// run.
//
//	CLIENTELE_TEST_POSTGRES=… go test -run '^$' -bench Archive -benchtime 20x -count 5 ./clients
func BenchmarkArchive(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { benchArchive(b, dbtest.SQLiteFile(b)) })
	b.Run("postgres", func(b *testing.B) { benchArchive(b, dbtest.PostgresWith(b)) })
}

func benchArchive(b *testing.B, db *storage.DB) {
	ctx := context.Background()
	faults := memory.NewFaults()
	bank := memory.NewCoreBanking(memory.WithFaults(faults))
	ad := clients.Adapters{CoreBanking: bank, Identity: memory.NewIdentity(memory.WithFaults(faults)),
		CRM: memory.NewCRM(memory.WithFaults(faults)), Messaging: memory.NewMessaging(memory.WithFaults(faults))}
	if _, err := bank.CreateClient(ctx, adapters.CreateClientRequest{TenantID: "t1", ClientID: "bank",
		Profile: adapters.Profile{Type: adapters.Corporate, LegalName: "Bank", Reference: "BANK"}, IdempotencyKey: "bank"}); err != nil {
		b.Fatal(err)
	}
	settle, err := bank.OpenAccount(ctx, adapters.OpenAccountRequest{TenantID: "t1", ClientID: "bank", Type: adapters.Savings,
		OpeningBalance: adapters.Money{Currency: "KES"}, IdempotencyKey: "settle"})
	if err != nil {
		b.Fatal(err)
	}
	tn := testkit.Tenant("t1")
	tn.Settings.SettlementAccount = settle.ID
	if err := db.Tenants().Create(ctx, tn); err != nil {
		b.Fatal(err)
	}
	svc, err := clients.New(db.Clients(), testkit.AllowAll{}, clients.WithAdapters(ad), clients.WithTenants(db.Tenants()))
	if err != nil {
		b.Fatal(err)
	}
	archive, err := clients.ArchiveHandlers(clients.ArchiveDeps{Store: db.Clients(), Adapters: ad, Tenants: db.Tenants()})
	if err != nil {
		b.Fatal(err)
	}
	d, err := db.NewDispatcher(outbox.Merge(clients.SyncHandlers(db.Clients(), ad), archive),
		storage.WithPolling(5*time.Millisecond, time.Millisecond), storage.WithBackoff(10*time.Millisecond, 20*time.Millisecond))
	if err != nil {
		b.Fatal(err)
	}
	if err := d.Start(ctx); err != nil {
		b.Fatal(err)
	}
	defer func() { _ = d.Stop(ctx) }()
	p := testkit.Staff("t1", "u1")

	took := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		faults.SetLatency(0)
		c, err := svc.Create(ctx, p, testkit.Person("Amina", fmt.Sprintf("Otieno%d", i)), "")
		if err != nil {
			b.Fatal(err)
		}
		dbtest.Drain(b, db)
		for j := range 3 {
			if _, err := bank.OpenAccount(ctx, adapters.OpenAccountRequest{TenantID: "t1", ClientID: c.ID, Type: adapters.Savings,
				OpeningBalance: adapters.Money{Amount: int64(1000 * (j + 1)), Currency: "KES"}, IdempotencyKey: fmt.Sprint(c.ID, j)}); err != nil {
				b.Fatal(err)
			}
		}
		faults.SetLatency(20 * time.Millisecond)
		b.StartTimer()
		start := time.Now()
		if _, err := svc.Archive(ctx, p, c.Reference, clients.ArchiveInput{}); err != nil {
			b.Fatal(err)
		}
		for {
			got, err := db.Clients().GetByID(ctx, "t1", c.ID)
			if err != nil {
				b.Fatal(err)
			}
			if got.State == clients.Archived {
				break
			}
			if time.Since(start) > 30*time.Second {
				b.Fatalf("not archived after 30 s: %+v", got.Archive)
			}
			time.Sleep(time.Millisecond)
		}
		took = append(took, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(took[len(took)-1].Microseconds())/1000, "max-ms")
}

package clients_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/clientele-go/clientele/adapters"
	"github.com/clientele-go/clientele/adapters/memory"
	"github.com/clientele-go/clientele/clients"
	"github.com/clientele-go/clientele/internal/dbtest"
	"github.com/clientele-go/clientele/internal/testkit"
)

// BenchmarkClientDetails measures CL002 with core banking, the document
// processor and the CRM each answering after 20 ms (the memory fakes' latency
// switch), on SQLite: "concurrent" is Service.Details (the three sources at
// once), "sequential" the same store read and three calls one after the other.
// Each reports its p50 and p95 in milliseconds; BENCHMARKS.md has the figures.
//
//	go test ./clients -run '^$' -bench ClientDetails -benchtime 100x -count 5
func BenchmarkClientDetails(b *testing.B) {
	ctx := context.Background()
	db := dbtest.SQLite(b)
	if err := db.Tenants().Create(ctx, testkit.Tenant("t1")); err != nil {
		b.Fatal(err)
	}
	faults := memory.NewFaults()
	bank := memory.NewCoreBanking(memory.WithFaults(faults))
	docs := memory.NewDocuments(memory.WithFaults(faults))
	crm := memory.NewCRM(memory.WithFaults(faults))
	svc, err := clients.New(db.Clients(), testkit.AllowAll{},
		clients.WithAdapters(clients.Adapters{CoreBanking: bank, Documents: docs, CRM: crm}))
	if err != nil {
		b.Fatal(err)
	}
	p := testkit.Staff("t1", "u1")
	c, err := svc.Create(ctx, p, testkit.Person("Bench", "Details"), "")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := bank.CreateClient(ctx, adapters.CreateClientRequest{TenantID: "t1", ClientID: c.ID, Profile: c.AdapterProfile(), IdempotencyKey: "cb"}); err != nil {
		b.Fatal(err)
	}
	if _, err := crm.CreatePartner(ctx, adapters.CreatePartnerRequest{TenantID: "t1", ClientID: c.ID, Profile: c.AdapterProfile(), IdempotencyKey: "crm"}); err != nil {
		b.Fatal(err)
	}
	faults.SetLatency(20 * time.Millisecond)

	run := func(b *testing.B, fetch func() error) {
		lat := make([]time.Duration, 0, b.N)
		for b.Loop() {
			start := time.Now()
			if err := fetch(); err != nil {
				b.Fatal(err)
			}
			lat = append(lat, time.Since(start))
		}
		slices.Sort(lat)
		ms := func(q float64) float64 { return float64(lat[int(q*float64(len(lat)-1))]) / float64(time.Millisecond) }
		b.ReportMetric(ms(0.5), "p50-ms")
		b.ReportMetric(ms(0.95), "p95-ms")
	}
	b.Run("concurrent", func(b *testing.B) {
		run(b, func() error {
			d, err := svc.Details(ctx, p, c.Reference)
			if err == nil && len(d.Missing) > 0 {
				b.Fatalf("missing sources: %v", d.Missing)
			}
			return err
		})
	})
	b.Run("sequential", func(b *testing.B) {
		run(b, func() error {
			got, err := svc.Get(ctx, p, c.Reference)
			if err != nil {
				return err
			}
			if _, err := bank.GetClient(ctx, got.TenantID, got.ID); err != nil {
				return err
			}
			if _, err := docs.ListDocuments(ctx, adapters.ListDocumentsRequest{TenantID: got.TenantID, ClientID: got.ID, Category: adapters.CategoryUtility}); err != nil {
				return err
			}
			_, err = crm.GetPartner(ctx, got.TenantID, got.ID)
			return err
		})
	})
}

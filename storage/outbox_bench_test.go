package storage_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/clientele-go/clientele/internal/dbtest"
	"github.com/clientele-go/clientele/outbox"
	"github.com/clientele-go/clientele/storage"
)

// signal is a handler that reports each delivery's key.
type signal chan string

func (s signal) Deliver(_ context.Context, d outbox.Delivery) (outbox.Progress, error) {
	s <- d.Key
	return outbox.Progress{Created: true}, nil
}

func benchStores(b *testing.B, fn func(b *testing.B, db *storage.DB)) {
	b.Run("sqlite", func(b *testing.B) { fn(b, dbtest.SQLiteFile(b)) })
	b.Run("postgres", func(b *testing.B) { fn(b, dbtest.PostgresWith(b)) })
}

// BenchmarkOutboxLatency measures commit → handler call with the default
// polling, one effect at a time, and reports the median and p99.
//
//	CLIENTELE_TEST_POSTGRES=… go test -run '^$' -bench OutboxLatency -benchtime 200x -count 5 ./storage
func BenchmarkOutboxLatency(b *testing.B) {
	benchStores(b, func(b *testing.B, db *storage.DB) {
		ctx := context.Background()
		done := make(signal, 1)
		d, err := db.NewDispatcher(outbox.Handlers{"BENCH": done}, benchPolling()...)
		if err != nil {
			b.Fatal(err)
		}
		if err := d.Start(ctx); err != nil {
			b.Fatal(err)
		}
		defer func() { _ = d.Stop(ctx) }()
		lat := make([]time.Duration, 0, b.N)
		b.ResetTimer()
		for i := range b.N {
			key := fmt.Sprintf("k%d", i)
			err := db.Enqueue(ctx, outbox.Effect{TenantID: "t1", Op: "BENCH", Target: outbox.CoreBanking,
				Entity: outbox.Entity{Kind: "client", ID: key}, Key: key})
			committed := time.Now()
			if err != nil {
				b.Fatal(err)
			}
			if got := <-done; got != key {
				b.Fatalf("delivered %s, want %s", got, key)
			}
			lat = append(lat, time.Since(committed))
		}
		b.StopTimer()
		slices.Sort(lat)
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	})
}

// BenchmarkOutboxIdle measures what an idle dispatcher costs with the default
// polling: the process's CPU time per second of wall time, in percent of one
// core (the test binary itself idles at about 0).
//
//	CLIENTELE_TEST_POSTGRES=… go test -run '^$' -bench OutboxIdle -benchtime 1x -count 3 ./storage
func BenchmarkOutboxIdle(b *testing.B) {
	benchStores(b, func(b *testing.B, db *storage.DB) {
		ctx := context.Background()
		d, err := db.NewDispatcher(outbox.Handlers{}, benchPolling()...)
		if err != nil {
			b.Fatal(err)
		}
		if err := d.Start(ctx); err != nil {
			b.Fatal(err)
		}
		defer func() { _ = d.Stop(ctx) }()
		time.Sleep(time.Second) // let River elect a leader and settle
		cpu := func() time.Duration {
			var ru syscall.Rusage
			_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
			return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		}
		b.ResetTimer()
		var used, wall time.Duration
		for range b.N {
			c0, w0 := cpu(), time.Now()
			time.Sleep(5 * time.Second)
			used, wall = used+cpu()-c0, wall+time.Since(w0)
		}
		b.ReportMetric(100*float64(used)/float64(wall), "cpu-%")
	})
}

// benchPolling reads CLIENTELE_BENCH_POLL ("interval,cooldown", e.g. "50ms,10ms")
// to measure a polling setting other than the default.
func benchPolling() []storage.DispatcherOption {
	v := os.Getenv("CLIENTELE_BENCH_POLL")
	if v == "" {
		return nil
	}
	a, b, _ := strings.Cut(v, ",")
	i, err1 := time.ParseDuration(a)
	c, err2 := time.ParseDuration(b)
	if err1 != nil || err2 != nil {
		panic("CLIENTELE_BENCH_POLL: want interval,cooldown such as 50ms,10ms")
	}
	return []storage.DispatcherOption{storage.WithPolling(i, c)}
}

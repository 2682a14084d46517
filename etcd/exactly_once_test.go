package etcd_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
)

// TestFailoverWatchExactlyOnce: the driver's watch reports every change
// exactly once across the failover of the member it uses and then of the
// leader. Each write sets a name of its own, so a report names the write:
// every acknowledged write must be reported once, and no write twice (a
// retried write of the same value writes nothing, so it cannot be reported
// twice either).
func TestFailoverWatchExactlyOnce(t *testing.T) {
	cl := startCluster(t)
	c := newClient(t, cl.clientURLs)
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	d := openStore(t, c, "/once")
	const n = 45
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("w%03d", i)
	}
	var mu sync.Mutex
	seen := map[string]int{}
	reported := make(chan struct{}, 1)
	ready := make(chan struct{}, 1)
	wctx, wcancel := context.WithCancel(ctx)
	watchErr := make(chan error, 1)
	go func() {
		watchErr <- d.Watch(wctx, names, func() {
			select {
			case ready <- struct{}{}:
			default:
			}
		}, func(name string) {
			mu.Lock()
			seen[name]++
			mu.Unlock()
			select {
			case reported <- struct{}{}:
			default:
			}
		})
	}()
	<-ready
	acked := map[string]bool{}
	write := func(i int) {
		t.Helper()
		for attempt := 0; attempt < 20; attempt++ {
			sctx, scancel := context.WithTimeout(ctx, 10*time.Second)
			err := d.Set(sctx, names[i], "v")
			scancel()
			if err == nil {
				acked[names[i]] = true
				return
			}
		}
		t.Fatalf("write %d never acknowledged", i)
	}
	for i := range n {
		switch i {
		case n / 3:
			cl.kill(0)
		case 2 * n / 3:
			cl.start(0)
			cl.waitHealthy(0)
			lead := cl.leader(ctx, c)
			cl.kill(lead)
			t.Logf("killed member 0, restarted it, then killed the leader (member %d)", lead)
		}
		write(i)
	}
	// Wait, bounded, until every acknowledged write has been reported.
	deadline := time.After(30 * time.Second) // a bound on a broken watch, not a synchronisation
	for {
		mu.Lock()
		missing := 0
		for name := range acked {
			if seen[name] == 0 {
				missing++
			}
		}
		mu.Unlock()
		if missing == 0 {
			break
		}
		select {
		case <-reported:
		case err := <-watchErr:
			t.Fatalf("the driver's watch ended during the failover: %v", err)
		case <-deadline:
			t.Fatalf("%d acknowledged writes were never reported", missing)
		}
	}
	wcancel()
	if err := <-watchErr; err != nil {
		t.Fatalf("the driver's watch ended with %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	for name, k := range seen {
		if k != 1 {
			t.Errorf("%s was reported %d times, want exactly once", name, k)
		}
	}
	if len(acked) != n {
		t.Fatalf("%d of %d writes acknowledged", len(acked), n)
	}
}

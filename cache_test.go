package secretstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/secretstore-go/secretstore/driver"
	"github.com/secretstore-go/secretstore/memstore"
)

// counting is a driver that counts backend reads, can hold them until
// released, and can fail.
type counting struct {
	*memstore.Store
	gets    atomic.Int64
	names   atomic.Int64
	hold    chan struct{} // when non-nil, Get waits for it to close
	wait    bool          // with hold, Get gives up when its context ends
	started chan struct{} // receives once per Get that started
	fail    atomic.Pointer[error]
}

func newCounting(seed map[string]string) *counting {
	return &counting{Store: memstore.New(seed)}
}

func (c *counting) Get(ctx context.Context, names []string) (map[string]string, error) {
	c.gets.Add(1)
	c.names.Add(int64(len(names)))
	if c.started != nil {
		c.started <- struct{}{}
	}
	if c.hold != nil && c.wait {
		select {
		case <-c.hold:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	} else if c.hold != nil {
		<-c.hold
	}
	if e := c.fail.Load(); e != nil {
		return nil, *e
	}
	return c.Store.Get(ctx, names)
}

// Lookup hides memstore's fast path so that reads go through Get.
func (c *counting) Lookup() {}

// cached returns a store with a cache whose clock only moves when the test
// moves it.
func cached(d driver.Store, o CacheOptions, opts ...Option) (*Store, *coarseClock) {
	s := New(d, append([]Option{WithCache(o), WithLogger(nil), EnableSet(true), EnableRemove(true)}, opts...)...)
	clk := s.sh.cache.clock
	clk.stop()
	return s, clk
}

func TestCacheFetchesMisses(t *testing.T) {
	// The reference's cache never fetched a name this process had not set.
	d := newCounting(map[string]string{"preexisting": "v"})
	s, _ := cached(d, CacheOptions{})
	ctx := context.Background()
	for range 3 {
		sec, ok, err := s.Lookup(ctx, "preexisting")
		if err != nil || !ok || sec.Reveal() != "v" {
			t.Fatalf("Lookup of a pre-existing name through the cache: %v %v", ok, err)
		}
		ss, err := s.Get(ctx, "preexisting")
		if err != nil || ss.Reveal("preexisting") != "v" {
			t.Fatalf("Get: %v", err)
		}
	}
	if n := d.gets.Load(); n != 1 {
		t.Fatalf("backend read %d times, want 1", n)
	}
}

func TestCacheTTL(t *testing.T) {
	d := newCounting(map[string]string{"k": "v1"})
	s, clk := cached(d, CacheOptions{TTL: time.Minute, NegativeTTL: 10 * time.Second, RefreshAhead: -1})
	ctx := context.Background()
	s.Lookup(ctx, "k")
	s.Lookup(ctx, "gone")
	d.Store.Set(ctx, "k", "v2")
	clk.t.Store(int64(59 * time.Second))
	if sec, _, _ := s.Lookup(ctx, "k"); sec.Reveal() != "v1" {
		t.Fatal("served a fresh read before the TTL ended")
	}
	s.Lookup(ctx, "gone")
	if d.gets.Load() != 3 { // k, gone, and gone again after its 10 s
		t.Fatalf("backend reads = %d, want 3 (negative entries expire on their own TTL)", d.gets.Load())
	}
	clk.t.Store(int64(61 * time.Second))
	if sec, _, _ := s.Lookup(ctx, "k"); sec.Reveal() != "v2" {
		t.Fatal("served an expired entry")
	}
}

func TestCacheNegativeEntries(t *testing.T) {
	d := newCounting(nil)
	s, _ := cached(d, CacheOptions{})
	ctx := context.Background()
	for range 5 {
		if _, ok, err := s.Lookup(ctx, "missing"); ok || err != nil {
			t.Fatal(ok, err)
		}
	}
	if d.gets.Load() != 1 {
		t.Fatalf("a missing name was fetched %d times, want 1", d.gets.Load())
	}
	d2 := newCounting(nil)
	s2, _ := cached(d2, CacheOptions{NegativeTTL: -1})
	s2.Lookup(ctx, "missing")
	s2.Lookup(ctx, "missing")
	if d2.gets.Load() != 2 {
		t.Fatalf("NegativeTTL < 0 still cached a miss")
	}
}

func TestCacheWritesThrough(t *testing.T) {
	d := newCounting(map[string]string{"k": "old"})
	s, _ := cached(d, CacheOptions{})
	ctx := context.Background()
	s.Lookup(ctx, "k")
	if err := s.Set(ctx, "k", "new"); err != nil {
		t.Fatal(err)
	}
	if sec, _, _ := s.Lookup(ctx, "k"); sec.Reveal() != "new" {
		t.Fatal("Set did not reach the cache")
	}
	if err := s.Remove(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.Lookup(ctx, "k"); ok {
		t.Fatal("Remove did not reach the cache")
	}
	if d.gets.Load() != 2 {
		t.Fatalf("backend reads = %d, want 2", d.gets.Load())
	}
	// A scoped view shares the cache.
	v, _ := s.Scope("t:")
	v.Set(ctx, "k", "scoped")
	if sec, _, _ := s.Lookup(ctx, "t:k"); sec.Reveal() != "scoped" {
		t.Fatal("a view's Set did not reach the shared cache")
	}
}

func TestCacheFailedWriteInvalidates(t *testing.T) {
	d := newCounting(map[string]string{"k": "old"})
	s, _ := cached(d, CacheOptions{})
	ctx := context.Background()
	s.Lookup(ctx, "k")
	failing := &failSet{counting: d}
	s.sh.drv = failing
	if err := s.Set(ctx, "k", "new"); err == nil {
		t.Fatal("want an error")
	}
	s.Lookup(ctx, "k")
	if d.gets.Load() != 2 {
		t.Fatal("a failed write left the old value cached")
	}
}

type failSet struct{ *counting }

func (f *failSet) Set(context.Context, string, string) error {
	return driver.Errorf(driver.Unavailable, "timeout")
}

func TestCacheCoalescesConcurrentMisses(t *testing.T) {
	d := newCounting(map[string]string{"cold": "v"})
	d.hold = make(chan struct{})
	s, _ := cached(d, CacheOptions{})
	ctx := context.Background()
	const n = 1000
	var wg sync.WaitGroup
	var bad atomic.Int64
	for range n {
		wg.Go(func() {
			sec, ok, err := s.Lookup(ctx, "cold")
			if err != nil || !ok || sec.Reveal() != "v" {
				bad.Add(1)
			}
		})
	}
	// Hold the one fetch until every other caller has joined it.
	for s.sh.cache.joined.Load() < n-1 {
		if d.gets.Load() > 1 {
			close(d.hold)
			wg.Wait()
			t.Fatalf("concurrent misses of one name made %d backend calls", d.gets.Load())
		}
		runtime.Gosched()
	}
	close(d.hold)
	wg.Wait()
	if got := d.gets.Load(); got != 1 {
		t.Fatalf("%d concurrent misses made %d backend calls, want exactly 1", n, got)
	}
	if bad.Load() != 0 {
		t.Fatalf("%d callers got a wrong result", bad.Load())
	}
}

func TestCacheBatchesMisses(t *testing.T) {
	seed := map[string]string{}
	var names []string
	for i := range 10 {
		n := fmt.Sprintf("k%d", i)
		seed[n] = n
		names = append(names, n)
	}
	d := newCounting(seed)
	s, _ := cached(d, CacheOptions{})
	ctx := context.Background()
	s.Lookup(ctx, "k0")
	ss, err := s.Get(ctx, names...)
	if err != nil || len(ss) != 10 {
		t.Fatal(err)
	}
	if d.gets.Load() != 2 || d.names.Load() != 10 {
		t.Fatalf("gets=%d names=%d; want the 9 misses in one call", d.gets.Load(), d.names.Load())
	}
}

func TestCacheWaiterCancel(t *testing.T) {
	d := newCounting(map[string]string{"k": "v"})
	d.hold = make(chan struct{})
	d.started = make(chan struct{}, 1)
	s, _ := cached(d, CacheOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		_, _, err := s.Lookup(ctx, "k")
		done <- err
	}()
	<-d.started
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("a canceled waiter got %v", err)
	}
	// The shared fetch went on and filled the cache for the others.
	close(d.hold)
	sec, ok, err := s.Lookup(context.Background(), "k")
	if err != nil || !ok || sec.Reveal() != "v" {
		t.Fatal(ok, err)
	}
	if d.gets.Load() > 2 {
		t.Fatalf("gets = %d", d.gets.Load())
	}
}

func TestCacheStaleIfError(t *testing.T) {
	d := newCounting(map[string]string{"k": "v"})
	s, clk := cached(d, CacheOptions{TTL: time.Minute, StaleIfError: time.Minute})
	ctx := context.Background()
	s.Lookup(ctx, "k")
	down := error(driver.Errorf(driver.Unavailable, "backend down"))
	d.fail.Store(&down)
	clk.t.Store(int64(90 * time.Second))
	sec, ok, err := s.Lookup(ctx, "k")
	if err != nil || !ok || sec.Reveal() != "v" {
		t.Fatalf("inside the stale window: %v %v", ok, err)
	}
	clk.t.Store(int64(121 * time.Second))
	if _, _, err := s.Lookup(ctx, "k"); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("past the stale window: %v, want ErrUnavailable", err)
	}
	// Without StaleIfError the error surfaces at once.
	d2 := newCounting(map[string]string{"k": "v"})
	s2, clk2 := cached(d2, CacheOptions{TTL: time.Minute})
	s2.Lookup(ctx, "k")
	d2.fail.Store(&down)
	clk2.t.Store(int64(61 * time.Second))
	if _, _, err := s2.Lookup(ctx, "k"); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("stale served without StaleIfError: %v", err)
	}
}

func TestCacheRefreshBypasses(t *testing.T) {
	d := newCounting(map[string]string{"k": "v1"})
	s, _ := cached(d, CacheOptions{})
	ctx := context.Background()
	s.Lookup(ctx, "k")
	d.Store.Set(ctx, "k", "v2") // rotated behind the cache's back
	ss, err := s.Refresh(ctx, "k")
	if err != nil || ss.Reveal("k") != "v2" {
		t.Fatalf("Refresh: %v", err)
	}
	if sec, _, _ := s.Lookup(ctx, "k"); sec.Reveal() != "v2" {
		t.Fatal("Refresh did not update the cache")
	}
	if d.gets.Load() != 2 {
		t.Fatalf("gets = %d, want 2", d.gets.Load())
	}
}

func TestCacheFetchRacingWrite(t *testing.T) {
	// A fetch that started before a Set must not put the old value back.
	d := newCounting(map[string]string{"k": "old"})
	d.hold = make(chan struct{})
	d.started = make(chan struct{}, 1)
	s, _ := cached(d, CacheOptions{})
	ctx := context.Background()
	got := make(chan string)
	go func() {
		sec, _, _ := s.Lookup(ctx, "k")
		got <- sec.Reveal()
	}()
	<-d.started
	if err := s.Set(ctx, "k", "new"); err != nil {
		t.Fatal(err)
	}
	close(d.hold)
	<-got
	// Wait for the flight to finish storing (or discarding) its result.
	for s.sh.cache.inFlight() > 0 {
		runtime.Gosched()
	}
	if sec, _, _ := s.Lookup(ctx, "k"); sec.Reveal() != "new" {
		t.Fatal("a fetch that raced a Set put the old value back")
	}
}

func TestCacheBounded(t *testing.T) {
	d := newCounting(nil)
	for i := range 500 {
		d.Store.Set(context.Background(), fmt.Sprintf("k%d", i), "v")
	}
	s, _ := cached(d, CacheOptions{MaxEntries: 100})
	ctx := context.Background()
	for i := range 500 {
		s.Lookup(ctx, fmt.Sprintf("k%d", i))
		if n := s.sh.cache.len(); n > 100 {
			t.Fatalf("cache holds %d entries, bound is 100", n)
		}
	}
	// Recently read entries survive eviction better than cold ones.
	for range 3 {
		s.Lookup(ctx, "k499")
	}
	for i := range 200 {
		s.Lookup(ctx, fmt.Sprintf("k%d", i))
	}
	before := d.gets.Load()
	s.Lookup(ctx, "k499")
	if d.gets.Load() != before {
		t.Log("a hot entry was evicted (CLOCK keeps it one sweep only)")
	}
}

func TestCacheDefaults(t *testing.T) {
	var o CacheOptions
	o.withDefaults()
	if o.TTL <= 0 || o.MaxEntries <= 0 || o.NegativeTTL <= 0 || o.FetchTimeout <= 0 || o.Resolution <= 0 {
		t.Fatalf("zero options did not get defaults: %+v", o)
	}
	if o.Resolution > o.TTL {
		t.Fatalf("resolution %v coarser than TTL %v", o.Resolution, o.TTL)
	}
}

func TestCacheClockTicks(t *testing.T) {
	c := startClock(time.Millisecond)
	defer c.stop()
	for c.now() == 0 {
		runtime.Gosched()
	}
}

func TestCacheRefreshAhead(t *testing.T) {
	d := newCounting(map[string]string{"k": "v1"})
	d.started = make(chan struct{}, 4)
	s, clk := cached(d, CacheOptions{TTL: 100 * time.Second, RefreshAhead: 20 * time.Second})
	ctx := context.Background()
	s.Lookup(ctx, "k")
	<-d.started
	d.Store.Set(ctx, "k", "v2")
	clk.t.Store(int64(79 * time.Second))
	s.Lookup(ctx, "k")
	if len(d.started) != 0 {
		t.Fatal("refreshed before the refresh-ahead window")
	}
	clk.t.Store(int64(81 * time.Second))
	sec, _, _ := s.Lookup(ctx, "k") // served at once, refresh in the background
	if sec.Reveal() != "v1" {
		t.Fatal("the reader waited for the refresh")
	}
	<-d.started // the background refresh reached the backend
	for s.sh.cache.inFlight() > 0 {
		runtime.Gosched()
	}
	clk.t.Store(int64(150 * time.Second)) // past the old entry's expiry
	sec, _, _ = s.Lookup(ctx, "k")
	if sec.Reveal() != "v2" || d.gets.Load() != 2 {
		t.Fatalf("after refresh-ahead: gets=%d", d.gets.Load())
	}
}

// TestCacheCoalescesExactly is issue 15's first defect: 1,000 goroutines
// released at once on one cold name make exactly one backend call, every
// round, including the callers that miss just as the fetch lands.
func TestCacheCoalescesExactly(t *testing.T) {
	const rounds, n = 5, 1000
	seed := map[string]string{}
	for r := range rounds {
		seed[fmt.Sprintf("cold%d", r)] = "v"
	}
	d := newCounting(seed)
	s, _ := cached(d, CacheOptions{TTL: time.Minute})
	ctx := context.Background()
	for r := range rounds {
		name := fmt.Sprintf("cold%d", r)
		before := d.gets.Load()
		start := make(chan struct{})
		var wg sync.WaitGroup
		var bad atomic.Int64
		for i := range n {
			wg.Go(func() {
				<-start
				var got string
				if i%2 == 0 {
					sec, _, err := s.Lookup(ctx, name)
					if err != nil {
						bad.Add(1)
					}
					got = sec.Reveal()
				} else {
					ss, err := s.Get(ctx, name)
					if err != nil {
						bad.Add(1)
					}
					got = ss.Reveal(name)
				}
				if got != "v" {
					bad.Add(1)
				}
			})
		}
		close(start)
		wg.Wait()
		if calls := d.gets.Load() - before; calls != 1 {
			t.Errorf("round %d: %d goroutines asking one cold name made %d backend calls, want exactly 1", r, n, calls)
		}
		if bad.Load() != 0 {
			t.Errorf("round %d: %d callers got a wrong result", r, bad.Load())
		}
	}
}

// gated is a driver whose every Get reads the backend first, then waits for
// the test to release it: a test can place a write between a fetch's read of
// the backend and the fetch's end.
type gated struct {
	*memstore.Store
	calls chan gatedCall
}

type gatedCall struct {
	names   []string
	release chan struct{}
}

func newGated(seed map[string]string) *gated {
	return &gated{Store: memstore.New(seed), calls: make(chan gatedCall)}
}

func (g *gated) Get(ctx context.Context, names []string) (map[string]string, error) {
	m, err := g.Store.Get(ctx, names)
	c := gatedCall{names: names, release: make(chan struct{})}
	g.calls <- c
	<-c.release
	return m, err
}

// Lookup hides memstore's fast path so that reads go through Get.
func (g *gated) Lookup() {}

// awaitFetchOrJoin waits until the cache has either started a new backend
// call (returned) or made a caller join a flight already in the air (nil).
func awaitFetchOrJoin(s *Store, g *gated, joined int64) *gatedCall {
	for {
		select {
		case c := <-g.calls:
			return &c
		default:
		}
		if s.sh.cache.joined.Load() > joined {
			return nil
		}
		runtime.Gosched()
	}
}

// TestCacheRemovedIsRemoved is issue 15's second defect: a read that starts
// after Remove returned never returns the removed value, although a fetch
// that read it before the Remove is still in flight; and that fetch does not
// put it back in the cache.
func TestCacheRemovedIsRemoved(t *testing.T) {
	for _, via := range []string{"Lookup", "Get"} {
		t.Run(via, func(t *testing.T) {
			g := newGated(map[string]string{"k": "old"})
			s, _ := cached(g, CacheOptions{TTL: time.Minute})
			ctx := context.Background()
			read := func() (string, bool) {
				if via == "Lookup" {
					sec, ok, err := s.Lookup(ctx, "k")
					if err != nil {
						t.Error(err)
					}
					return sec.Reveal(), ok
				}
				ss, err := s.Get(ctx, "k")
				if err != nil {
					t.Error(err)
				}
				_, ok := ss["k"]
				return ss.Reveal("k"), ok
			}
			first := make(chan struct{})
			go func() {
				defer close(first)
				read() // concurrent with the Remove: either answer is right
			}()
			pre := <-g.calls // the first fetch has read "old"
			if err := s.Remove(ctx, "k"); err != nil {
				t.Fatal(err)
			}
			joined := s.sh.cache.joined.Load()
			type result struct {
				v  string
				ok bool
			}
			second := make(chan result, 1)
			go func() {
				v, ok := read()
				second <- result{v, ok}
			}()
			post := awaitFetchOrJoin(s, g, joined)
			if post == nil {
				close(pre.release)
				<-first
				r := <-second
				t.Fatalf("a read that started after Remove returned joined a fetch from before it (got %q, %v)", r.v, r.ok)
			}
			close(post.release)
			if r := <-second; r.ok {
				t.Fatalf("a read that started after Remove returned found the name (%q)", r.v)
			}
			close(pre.release)
			<-first // the pre-Remove fetch has landed
			if v, ok := read(); ok {
				t.Fatalf("a fetch that read before Remove put %q back in the cache", v)
			}
		})
	}
}

// TestCacheNoValueFromBeforeWrite: after Set (or Rotate, or Refresh racing
// either) returned, no read returns the value from before, and a fetch that
// read the backend before the write never fills the cache.
func TestCacheNoValueFromBeforeWrite(t *testing.T) {
	writes := map[string]func(*Store) error{
		"Set": func(s *Store) error { return s.Set(context.Background(), "k", "new") },
		"Rotate": func(s *Store) error {
			_, err := s.Rotate(context.Background(), "k", func(io.Reader) (string, error) { return "new", nil })
			return err
		},
	}
	for wname, write := range writes {
		for _, racer := range []string{"Lookup", "Refresh"} {
			t.Run(wname+"/"+racer, func(t *testing.T) {
				g := newGated(map[string]string{"k": "old"})
				s, _ := cached(g, CacheOptions{TTL: time.Minute})
				ctx := context.Background()
				if racer == "Refresh" {
					// Warm the cache, so that the racer is a refresh of a cached name.
					go func() { (<-g.calls).release <- struct{}{} }()
					s.Lookup(ctx, "k")
				}
				done := make(chan struct{})
				go func() {
					defer close(done)
					if racer == "Refresh" {
						s.Refresh(ctx, "k")
					} else {
						s.Lookup(ctx, "k")
					}
				}()
				pre := <-g.calls // the racer's fetch has read "old"
				if wname == "Rotate" {
					// memstore is a Swapper: Rotate reads before it writes.
					go func() { (<-g.calls).release <- struct{}{} }()
				}
				if err := write(s); err != nil {
					t.Fatal(err)
				}
				if sec, _, _ := s.Lookup(ctx, "k"); sec.Reveal() != "new" {
					t.Fatal("a read after the write returned the value from before it")
				}
				close(pre.release)
				<-done // the racer's fetch has landed
				if sec, _, _ := s.Lookup(ctx, "k"); sec.Reveal() != "new" {
					t.Fatal("a fetch that read before the write put the old value in the cache")
				}
			})
		}
	}
}

// TestCacheStaleOnlyForOutages is issue 15's third defect: stale-if-error
// serves an expired value only when the backend is unavailable or the fetch
// timed out; a refusal, a damaged record or any other error reaches the
// caller.
func TestCacheStaleOnlyForOutages(t *testing.T) {
	cases := []struct {
		name  string
		err   error
		stale bool
	}{
		{"unavailable", driver.Errorf(driver.Unavailable, "connection refused"), true},
		{"wrapped unavailable", fmt.Errorf("reading: %w", driver.Errorf(driver.Unavailable, "503")), true},
		{"fetch deadline", nil, true},
		{"permission denied", driver.Errorf(driver.PermissionDenied, "access revoked"), false},
		{"damaged record", driver.Errorf(driver.InvalidValue, "record fails authentication"), false},
		{"not found", driver.Errorf(driver.NotFound, "gone"), false},
		{"conflict", driver.Errorf(driver.Conflict, "pending deletion"), false},
		{"unclassified", errors.New("something else"), false},
		{"driver's own deadline", context.DeadlineExceeded, false},
		{"canceled", context.Canceled, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := newCounting(map[string]string{"k": "v"})
			o := CacheOptions{TTL: time.Minute, StaleIfError: time.Hour, RefreshAhead: -1}
			if tc.err == nil {
				o.FetchTimeout = time.Millisecond
			}
			s, clk := cached(d, o)
			ctx := context.Background()
			// Warmed by a write, so that no fetch races the short timeout.
			if err := s.Set(ctx, "k", "v"); err != nil {
				t.Fatal(err)
			}
			if tc.err == nil {
				d.hold = make(chan struct{}) // never released: the fetch times out
				defer close(d.hold)
				d.wait = true
			} else {
				d.fail.Store(&tc.err)
			}
			clk.t.Store(int64(2 * time.Minute))
			sec, ok, err := s.Lookup(ctx, "k")
			if tc.stale {
				if err != nil || !ok || sec.Reveal() != "v" {
					t.Fatalf("an outage (%v) did not serve the stale value: %v %v", tc.err, ok, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("a stale value was served through %v", tc.err)
			}
			if !errors.Is(err, tc.err) {
				t.Fatalf("got %v, want the backend's %v", err, tc.err)
			}
		})
	}
}

// TestCountersExact: striped counters lose no count, from any number of
// goroutines, and a collection sums every stripe.
func TestCountersExact(t *testing.T) {
	c := newCounters()
	const goroutines, each = 64, 1000
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for range each {
				c.add(hotLookupHit, 1)
				c.add(hotOK+int(opGet), int64(g%3))
			}
		})
	}
	wg.Wait()
	if n := c.sum(hotLookupHit); n != goroutines*each {
		t.Fatalf("counted %d, want %d", n, goroutines*each)
	}
	want := int64(0)
	for g := range goroutines {
		want += int64(g%3) * each
	}
	if n := c.sum(hotOK + int(opGet)); n != want {
		t.Fatalf("counted %d, want %d", n, want)
	}
	if n := c.sum(hotMemLookup); n != 0 {
		t.Fatalf("an untouched counter reads %d", n)
	}
}

// TestCacheHitMetricsExact: hits on the lock-free path, from many goroutines
// at once, are all counted in the metrics.
func TestCacheHitMetricsExact(t *testing.T) {
	d := newCounting(map[string]string{"k": "v"})
	s, _ := cached(d, CacheOptions{TTL: time.Minute})
	ctx := context.Background()
	s.Lookup(ctx, "k") // the miss that fills
	const goroutines, each = 16, 500
	var wg sync.WaitGroup
	for range goroutines {
		wg.Go(func() {
			for range each {
				s.Lookup(ctx, "k")
			}
		})
	}
	wg.Wait()
	hot := s.sh.tel.hot
	if n := hot.sum(hotLookupHit); n != goroutines*each {
		t.Fatalf("%d fast-path hits counted, want %d", n, goroutines*each)
	}
	if n := s.sh.cache.misses.Load(); n != 1 {
		t.Fatalf("%d misses counted, want 1", n)
	}
}

// phased is a driver whose reads and writes the test steps through: a Get
// announces itself, reads the backend when the test says read, and returns
// when it says finish; a Set or Remove applies at once and returns when the
// test says finish.
type phased struct {
	*memstore.Store
	calls chan *phasedCall
}

type phasedCall struct {
	write          bool
	read, finish   chan struct{}
	readDone, done chan struct{}
}

func newPhased(seed map[string]string) *phased {
	return &phased{Store: memstore.New(seed), calls: make(chan *phasedCall)}
}

func (p *phased) announce(write bool) *phasedCall {
	c := &phasedCall{write: write, read: make(chan struct{}), finish: make(chan struct{}),
		readDone: make(chan struct{}), done: make(chan struct{})}
	p.calls <- c
	return c
}

func (p *phased) Get(ctx context.Context, names []string) (map[string]string, error) {
	c := p.announce(false)
	<-c.read
	m, err := p.Store.Get(ctx, names)
	close(c.readDone)
	<-c.finish
	return m, err
}

func (p *phased) Set(ctx context.Context, name, value string) error {
	err := p.Store.Set(ctx, name, value)
	c := p.announce(true)
	<-c.finish
	return err
}

func (p *phased) Remove(ctx context.Context, name string) error {
	err := p.Store.Remove(ctx, name)
	c := p.announce(true)
	<-c.finish
	return err
}

// Lookup hides memstore's fast path so that reads go through Get.
func (p *phased) Lookup() {}

// run lets a read call read the backend and return.
func (c *phasedCall) run() {
	close(c.read)
	<-c.readDone
	close(c.finish)
}

// TestCacheNoOldValueAfterNewDuringWrite: while a write is under way, once a
// reader has seen the new value, no reader that starts later sees the old
// one, though a refresh that read the backend before the write lands after
// a fetch that read it after.
func TestCacheNoOldValueAfterNewDuringWrite(t *testing.T) {
	p := newPhased(map[string]string{"k": "old"})
	s, _ := cached(p, CacheOptions{TTL: time.Hour, RefreshAhead: -1})
	ctx := context.Background()
	r0 := make(chan string, 1)
	go func() { // a cold read: its fetch reads the backend late
		sec, _, _ := s.Lookup(ctx, "k")
		r0 <- sec.Reveal()
	}()
	late := <-p.calls
	r1 := make(chan string, 1)
	go func() { // a refresh: its fetch reads the backend early, lands late
		ss, _ := s.Refresh(ctx, "k")
		r1 <- ss.Reveal("k")
	}()
	early := <-p.calls
	close(early.read)
	<-early.readDone // read "old"
	w := make(chan error, 1)
	go func() { w <- s.Set(ctx, "k", "new") }()
	write := <-p.calls // "new" is in the backend; the Set has not returned
	late.run()
	if v := <-r0; v != "new" {
		t.Fatalf("the late fetch read %q, want new", v)
	}
	close(early.finish)
	<-r1 // "old" or "new": concurrent with the Set
	// A reader that starts after one saw "new" must not see "old".
	r2 := make(chan string, 1)
	go func() {
		sec, _, _ := s.Lookup(ctx, "k")
		r2 <- sec.Reveal()
	}()
	select {
	case v := <-r2:
		if v != "new" {
			t.Fatalf("a read after one that saw the new value got %q", v)
		}
	case c := <-p.calls:
		c.run()
		if v := <-r2; v != "new" {
			t.Fatalf("a read after one that saw the new value got %q", v)
		}
	}
	close(write.finish)
	if err := <-w; err != nil {
		t.Fatal(err)
	}
	if sec, _, _ := s.Lookup(ctx, "k"); sec.Reveal() != "new" {
		t.Fatal("after the Set, the cache does not hold its value")
	}
}

// TestCacheOverlappingWrites: two writes of one name under way at once may
// reach the backend in one order and return in the other; the cache then
// keeps neither value, and the next read fetches what the backend holds.
func TestCacheOverlappingWrites(t *testing.T) {
	p := newPhased(map[string]string{"k": "v0"})
	s, _ := cached(p, CacheOptions{TTL: time.Hour, RefreshAhead: -1})
	ctx := context.Background()
	w1, w2 := make(chan error, 1), make(chan error, 1)
	go func() { w1 <- s.Set(ctx, "k", "v1") }()
	c1 := <-p.calls // v1 is in the backend
	go func() { w2 <- s.Set(ctx, "k", "v2") }()
	c2 := <-p.calls // v2 replaced it
	close(c2.finish)
	<-w2
	close(c1.finish) // the first write returns last
	<-w1
	got := make(chan string, 1)
	go func() {
		sec, _, _ := s.Lookup(ctx, "k")
		got <- sec.Reveal()
	}()
	select {
	case v := <-got:
		t.Fatalf("after overlapping writes the cache answered %q without reading the backend", v)
	case c := <-p.calls:
		c.run()
	}
	if v := <-got; v != "v2" {
		t.Fatalf("read %q, want the backend's v2", v)
	}
	// One write alone is written through again.
	go func() { w1 <- s.Set(ctx, "k", "v3") }()
	close((<-p.calls).finish)
	<-w1
	if sec, _, _ := s.Lookup(ctx, "k"); sec.Reveal() != "v3" {
		t.Fatal("a write after the overlap was not written through")
	}
}

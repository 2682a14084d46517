package secretstore_test

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/secretstore-go/secretstore"
	"github.com/secretstore-go/secretstore/memstore"
)

// The reference's benchmark: 1,000 secrets named secret_<i>.
const nSecrets = 1000

func benchSeed() (map[string]string, []string) {
	m := make(map[string]string, nSecrets)
	names := make([]string, nSecrets)
	for i := range nSecrets {
		names[i] = fmt.Sprintf("secret_%d", i)
		m[names[i]] = fmt.Sprintf("value_%d_%s", i, "xxxxxxxxxxxxxxxxxxxxxxxx")
	}
	return m, names
}

func benchStores(b *testing.B) map[string]*secretstore.Store {
	seed, names := benchSeed()
	cached := secretstore.New(memstore.New(seed), secretstore.WithLogger(nil), secretstore.WithCache(secretstore.CacheOptions{}))
	ctx := context.Background()
	if _, err := cached.Get(ctx, names...); err != nil { // warm
		b.Fatal(err)
	}
	scoped, _ := secretstore.New(memstore.New(map[string]string{"tenant:acme:secret_1": "v"}), secretstore.WithLogger(nil),
		secretstore.WithCache(secretstore.CacheOptions{})).Scope("tenant:acme:")
	scoped.Get(ctx, "secret_1")
	stores := map[string]*secretstore.Store{
		"memstore": secretstore.New(memstore.New(seed), secretstore.WithLogger(nil)),
		"cached":   cached,
		"scoped":   scoped,
	}
	b.Cleanup(func() {
		for _, s := range stores {
			s.Close()
		}
	})
	return stores
}

// floor is the bare structure the benchmarks are held against: a map read
// under a sync.RWMutex.
type floor struct {
	mu sync.RWMutex
	m  map[string]string
}

// fill is the floor for a Get of names: a locked read of names into a new
// map, returned so that it lives on the heap as a Get's result does.
//
//go:noinline
func (f *floor) fill(names []string) map[string]string {
	out := make(map[string]string, len(names))
	f.mu.RLock()
	for _, k := range names {
		if v, ok := f.m[k]; ok {
			out[k] = v
		}
	}
	f.mu.RUnlock()
	return out
}

var (
	sinkS   string
	sinkOK  bool
	sinkMap map[string]string
	sinkSS  secretstore.Secrets
)

func BenchmarkFloorLockedMapRead(b *testing.B) {
	seed, _ := benchSeed()
	f := &floor{m: seed}
	b.ReportAllocs()
	for b.Loop() {
		f.mu.RLock()
		sinkS, sinkOK = f.m["secret_1"]
		f.mu.RUnlock()
	}
}

func BenchmarkLookup(b *testing.B) {
	stores := benchStores(b)
	ctx := context.Background()
	for _, name := range []string{"memstore", "cached", "scoped"} {
		s := stores[name]
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sec, ok, err := s.Lookup(ctx, "secret_1")
				if err != nil || !ok {
					b.Fatal(err)
				}
				sinkOK = sec.Len() > 0
			}
		})
	}
}

// BenchmarkFloorLockedMapFill is the floor for Get: a locked map read that
// fills a result map of the same size on the heap.
func BenchmarkFloorLockedMapFill(b *testing.B) {
	seed, names := benchSeed()
	f := &floor{m: seed}
	for _, n := range []int{1, 10} {
		ask := names[:n]
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				out := make(map[string]string, len(ask))
				f.mu.RLock()
				for _, k := range ask {
					if v, ok := f.m[k]; ok {
						out[k] = v
					}
				}
				f.mu.RUnlock()
				sinkMap = out
			}
		})
	}
}

func BenchmarkGet(b *testing.B) {
	stores := benchStores(b)
	_, names := benchSeed()
	ctx := context.Background()
	for _, name := range []string{"memstore", "cached"} {
		s := stores[name]
		for _, n := range []int{1, 10} {
			ask := names[:n]
			b.Run(fmt.Sprintf("%s/%d", name, n), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					ss, err := s.Get(ctx, ask...)
					if err != nil || len(ss) != n {
						b.Fatal(err)
					}
					sinkSS = ss
				}
			})
		}
	}
}

func BenchmarkSetMemstore(b *testing.B) {
	seed, names := benchSeed()
	s := secretstore.New(memstore.New(seed), secretstore.WithLogger(nil), secretstore.EnableSet(true))
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if err := s.Set(ctx, names[i%nSecrets], "v"); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// TestHotPathAllocations pins the promise the benchmarks measure: a one-name
// Lookup from the cache or from memstore allocates nothing, and a one-name
// Get allocates at most twice.
func TestHotPathAllocations(t *testing.T) {
	if testing.Short() {
		t.Skip("allocation counts are not meaningful under -short's build modes")
	}
	seed, _ := benchSeed()
	ctx := context.Background()
	mem := secretstore.New(memstore.New(seed), secretstore.WithLogger(nil))
	cached := secretstore.New(memstore.New(seed), secretstore.WithLogger(nil), secretstore.WithCache(secretstore.CacheOptions{}))
	defer cached.Close()
	cached.Get(ctx, "secret_1")
	scoped, _ := cached.Scope("secret_")
	scoped.Get(ctx, "2")
	for name, s := range map[string]*secretstore.Store{"memstore": mem, "cached": cached, "scoped cached": scoped} {
		n := "secret_1"
		if s == scoped {
			n = "2"
		}
		if a := testing.AllocsPerRun(100, func() { s.Lookup(ctx, n) }); a != 0 {
			t.Errorf("%s Lookup: %v allocations, want 0", name, a)
		}
		if a := testing.AllocsPerRun(100, func() { s.Get(ctx, n) }); a > 2 {
			t.Errorf("%s Get of one name: %v allocations, want at most 2", name, a)
		}
	}
}

// paired times subject and its floors in alternating batches and reports,
// for the subject and each floor, the median time per operation (ns/<name>),
// and the median of the per-batch ratios of the subject to each floor
// (x-<floor>): interleaving cancels the drift of a loaded machine, which
// separate benchmarks would each absorb differently. With parallel, each
// batch runs on GOMAXPROCS goroutines at once and the time is wall time per
// operation across them, as b.RunParallel reports it.
func paired(b *testing.B, parallel bool, subject func(), floors []namedFunc) {
	batch, procs := 2000, 1
	if parallel {
		// Longer batches, so that starting the goroutines is noise.
		batch, procs = 20000, runtime.GOMAXPROCS(0)
	}
	run := func(f func()) float64 {
		if !parallel {
			t0 := time.Now()
			for range batch {
				f()
			}
			return time.Since(t0).Seconds() / float64(batch) * 1e9
		}
		var wg sync.WaitGroup
		start := make(chan struct{})
		for range procs {
			wg.Go(func() {
				<-start
				for range batch {
					f()
				}
			})
		}
		t0 := time.Now()
		close(start)
		wg.Wait()
		return time.Since(t0).Seconds() / float64(batch*procs) * 1e9
	}
	times := make([][]float64, len(floors))
	ratios := make([][]float64, len(floors))
	var subj []float64
	i := 0
	for b.Loop() {
		for j, f := range floors {
			// Alternate which runs first, so neither always follows the other.
			var ft, st float64
			if i%2 == 0 {
				ft, st = run(f.fn), run(subject)
			} else {
				st, ft = run(subject), run(f.fn)
			}
			times[j] = append(times[j], ft)
			ratios[j] = append(ratios[j], st/ft)
			subj = append(subj, st)
		}
		i++
	}
	b.ReportMetric(median(subj), "ns/subject")
	for j, f := range floors {
		b.ReportMetric(median(times[j]), "ns/"+f.name)
		b.ReportMetric(median(ratios[j]), "x-"+f.name)
	}
	b.ReportMetric(0, "ns/op") // one op is a set of batches: not meaningful
}

type namedFunc struct {
	name string
	fn   func()
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}

// BenchmarkVsFloor holds each hot path against its floors in the same loop,
// from one goroutine (serial) and from every core at once (parallel).
// Lookup: against a map read under a sync.RWMutex (rwmutex) and a lock-free
// read of an immutable map behind an atomic.Pointer (immutable). Get of n
// names: against a locked read of n names that fills a new map on the heap
// (fill).
func BenchmarkVsFloor(b *testing.B) {
	stores := benchStores(b)
	seed, names := benchSeed()
	f := &floor{m: seed}
	var snap atomic.Pointer[map[string]string]
	snap.Store(&seed)
	ctx := context.Background()
	readFloors := []namedFunc{
		{"rwmutex", func() {
			f.mu.RLock()
			v, ok := f.m["secret_1"]
			f.mu.RUnlock()
			if !ok || v == "" {
				panic("floor read failed")
			}
		}},
		{"immutable", func() {
			if v, ok := (*snap.Load())["secret_1"]; !ok || v == "" {
				panic("floor read failed")
			}
		}},
	}
	fillFloor := func(ask []string) []namedFunc {
		return []namedFunc{{"fill", func() {
			if out := f.fill(ask); len(out) != len(ask) {
				panic("floor fill failed")
			}
		}}}
	}
	for _, mode := range []string{"serial", "parallel"} {
		par := mode == "parallel"
		for _, name := range []string{"memstore", "cached", "scoped"} {
			s := stores[name]
			b.Run(mode+"/Lookup/"+name, func(b *testing.B) {
				paired(b, par, func() {
					if sec, ok, err := s.Lookup(ctx, "secret_1"); err != nil || !ok || sec.Len() == 0 {
						panic("Lookup failed")
					}
				}, readFloors)
			})
		}
		for _, name := range []string{"memstore", "cached"} {
			s := stores[name]
			for _, n := range []int{1, 10} {
				ask := names[:n]
				b.Run(fmt.Sprintf("%s/Get/%s/%d", mode, name, n), func(b *testing.B) {
					paired(b, par, func() {
						if ss, err := s.Get(ctx, ask...); err != nil || len(ss) != n {
							panic("Get failed")
						}
					}, fillFloor(ask))
				})
			}
		}
	}
}

// BenchmarkHotPath runs, side by side in one run, the hot paths and the
// floors issue 22 holds them against, from one goroutine (serial) and from
// every core at once (parallel, b.RunParallel: ns/op is wall time per
// operation across all goroutines):
//   - floor/rwmutex-map: a map read under a sync.RWMutex read lock;
//   - floor/immutable-map: a lock-free read of an immutable map behind an
//     atomic.Pointer, the least a shared read can cost;
//   - floor/fill-N: a locked read of N names into a new map on the heap, the
//     floor for a Get of N names;
//   - Lookup and Get through the portable Store: memstore (no cache), cache
//     hits, and a scoped view's cache hits.
func BenchmarkHotPath(b *testing.B) {
	stores := benchStores(b)
	seed, names := benchSeed()
	f := &floor{m: seed}
	var snap atomic.Pointer[map[string]string]
	snap.Store(&seed)
	ctx := context.Background()
	type bench struct {
		name string
		op   func() bool
	}
	var benches []bench
	benches = append(benches,
		bench{"floor/rwmutex-map", func() bool {
			f.mu.RLock()
			v, ok := f.m["secret_1"]
			f.mu.RUnlock()
			return ok && v != ""
		}},
		bench{"floor/immutable-map", func() bool {
			v, ok := (*snap.Load())["secret_1"]
			return ok && v != ""
		}},
	)
	for _, name := range []string{"memstore", "cached", "scoped"} {
		s := stores[name]
		benches = append(benches, bench{"Lookup/" + name, func() bool {
			sec, ok, err := s.Lookup(ctx, "secret_1")
			return err == nil && ok && sec.Len() > 0
		}})
	}
	for _, n := range []int{1, 10} {
		ask := names[:n]
		benches = append(benches, bench{fmt.Sprintf("floor/fill-%d", n), func() bool {
			return len(f.fill(ask)) == len(ask)
		}})
		for _, name := range []string{"memstore", "cached"} {
			s := stores[name]
			benches = append(benches, bench{fmt.Sprintf("Get/%s/%d", name, n), func() bool {
				ss, err := s.Get(ctx, ask...)
				return err == nil && len(ss) == len(ask)
			}})
		}
	}
	for _, bn := range benches {
		b.Run("serial/"+bn.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if !bn.op() {
					b.Fatal("wrong result")
				}
			}
		})
	}
	for _, bn := range benches {
		b.Run("parallel/"+bn.name, func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if !bn.op() {
						b.Error("wrong result")
						return
					}
				}
			})
		})
	}
}

package secretstore_test

// The linearizability check of the portable Store (issue 15). Many goroutines
// read and write a few names through one Store with its cache on, over
// memstore and over filestore, while a driver wrapper delays every backend
// call at random (before and after it reaches the backend) and fails some of
// them. Every operation's call and return times and result go into a history
// that porcupine (the checker etcd's robustness tests use) must find
// linearizable against one register per name.
//
// The seed fixes each client's sequence of operations and the faults the
// wrapper injects (a fault is drawn from the seed and the number of the
// backend call); the interleaving is the scheduler's. A run is therefore not
// replayed exactly by its seed, but a seed that found a violation finds it
// again in a few runs, and the visualization written on failure shows the
// history that was not linearizable.
//
//	go test -run TestLinearizability -linearizability.seed=N     one seed, every variant
//	go test -run '^$' -fuzz FuzzLinearizability                  new seeds, as long as wanted
//	go test -run '^$' -bench Linearizability -benchtime 2000x    a long seeded run, counting operations

import (
	"context"
	"flag"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"

	"github.com/secretstore-go/secretstore"
	"github.com/secretstore-go/secretstore/driver"
	"github.com/secretstore-go/secretstore/filestore"
	"github.com/secretstore-go/secretstore/memstore"
)

var (
	linSeed  = flag.Uint64("linearizability.seed", 1, "seed of TestLinearizability")
	linForce = flag.Bool("linearizability.force", false, "run TestLinearizability even while linKnownDefects is set")
)

// linKnownDefects, while not empty, names the defects of the cache that make
// every history fail on this branch; the suite then skips the check (run it
// with -linearizability.force; the benchmark always runs it).
// It is emptied when the cache is fixed.
const linKnownDefects = ""

// linNames are the registers. Few names, so that operations collide. The
// last is reached both directly and through a view scoped to linScope.
var linNames = []string{"db/password", "apiKey", linScope + "token"}

const linScope = "tenant:acme:"

// linVariant is one configuration the check runs.
type linVariant struct {
	name    string
	backend string // "mem", "file" (a file opened per operation), "file-open" (KeepOpen)
	swapper bool   // the driver offers CompareAndSwap, so Rotate is conditional
	// lookuper: the driver offers memstore's reads from memory too (and
	// CompareAndSwap), which the Store uses without a cache.
	lookuper bool
	cache    *secretstore.CacheOptions
	watch    bool // a Watch of every name runs alongside, refreshing the cache
	clients  int
	ops      int // per client
	// writes is the share of operations that write, in percent (0: 40);
	// readFail and refuse, when set, replace how often a read fails with
	// an outage or is refused.
	writes           int
	readFail, refuse float64
}

func (v linVariant) writePct() int {
	if v.writes == 0 {
		return 40
	}
	return v.writes
}

func cacheOpts(o secretstore.CacheOptions) *secretstore.CacheOptions { return &o }

// linVariants cover the cache's modes where they apply. TTLs of a few
// milliseconds with a 1 ms clock make entries expire many times in a run;
// an hour makes every read after the first a hit until a write.
var linVariants = []linVariant{
	{name: "mem/ttl-long", backend: "mem", swapper: true, watch: true,
		cache: cacheOpts(secretstore.CacheOptions{TTL: time.Hour, NegativeTTL: time.Hour, RefreshAhead: -1})},
	{name: "mem/ttl-short", backend: "mem", swapper: true,
		cache: cacheOpts(secretstore.CacheOptions{TTL: 3 * time.Millisecond, NegativeTTL: 2 * time.Millisecond, RefreshAhead: -1, Resolution: time.Millisecond})},
	{name: "mem/no-negative", backend: "mem", swapper: true,
		cache: cacheOpts(secretstore.CacheOptions{TTL: time.Hour, NegativeTTL: -1, RefreshAhead: -1})},
	{name: "mem/refresh-ahead", backend: "mem", swapper: true, watch: true,
		cache: cacheOpts(secretstore.CacheOptions{TTL: 8 * time.Millisecond, RefreshAhead: 4 * time.Millisecond, Resolution: time.Millisecond})},
	{name: "mem/stale-if-error", backend: "mem", swapper: true, writes: 10, readFail: 0.3, refuse: 0.1,
		cache: cacheOpts(secretstore.CacheOptions{TTL: 2 * time.Millisecond, StaleIfError: time.Hour, RefreshAhead: -1, Resolution: time.Millisecond})},
	{name: "mem/stale-refresh-ahead", backend: "mem", swapper: true, watch: true, writes: 15, readFail: 0.2, refuse: 0.1,
		cache: cacheOpts(secretstore.CacheOptions{TTL: 6 * time.Millisecond, StaleIfError: time.Hour, RefreshAhead: 3 * time.Millisecond, Resolution: time.Millisecond})},
	{name: "mem/unconditional-rotate", backend: "mem", swapper: false,
		cache: cacheOpts(secretstore.CacheOptions{TTL: 3 * time.Millisecond, Resolution: time.Millisecond})},
	{name: "mem/no-cache", backend: "mem", swapper: true, watch: true},
	{name: "mem/no-cache-lookuper", backend: "mem", swapper: true, lookuper: true, watch: true},
	{name: "file-open/stale-if-error", backend: "file-open", swapper: true, watch: true, writes: 15, readFail: 0.2, refuse: 0.1,
		cache: cacheOpts(secretstore.CacheOptions{TTL: 3 * time.Millisecond, StaleIfError: time.Hour, Resolution: time.Millisecond})},
	{name: "file/ttl-long", backend: "file", swapper: true,
		cache: cacheOpts(secretstore.CacheOptions{TTL: time.Hour, NegativeTTL: time.Hour, RefreshAhead: -1})},
}

func TestLinearizability(t *testing.T) {
	if linKnownDefects != "" && !*linForce {
		t.Skip("known defects: " + linKnownDefects)
	}
	for _, v := range linVariants {
		t.Run(v.name, func(t *testing.T) {
			v.clients, v.ops = 8, 80
			if strings.HasPrefix(v.backend, "file") {
				v.ops = 25 // a write is an fsync'd transaction
			}
			st := runLinearizability(t, v, *linSeed)
			t.Logf("seed %d: %d operations linearizable; %d watch changes checked, %d stale values served",
				*linSeed, st.ops, st.watchChanges, st.stale)
		})
	}
}

// FuzzLinearizability runs one variant with a seed the fuzzer picks. A
// violation is saved, as usual, under testdata/fuzz.
func FuzzLinearizability(f *testing.F) {
	f.Add(uint64(2), uint8(0))
	f.Fuzz(func(t *testing.T, seed uint64, variant uint8) {
		if linKnownDefects != "" && !*linForce {
			t.Skip("known defects: " + linKnownDefects)
		}
		v := linVariants[int(variant)%len(linVariants)]
		v.clients, v.ops = 8, 60
		runLinearizability(t, v, seed)
	})
}

// BenchmarkLinearizability is the long seeded run: iteration i runs variant
// i mod len(variants) with seed 1000·S+i, S being -linearizability.seed, so
// -benchtime Nx checks N histories.
// It reports the operations checked per history; the time per history is
// only what one such run costs.
func BenchmarkLinearizability(b *testing.B) {
	base := 1000 * *linSeed
	total, i := 0, uint64(0)
	for b.Loop() {
		v := linVariants[i%uint64(len(linVariants))]
		v.clients, v.ops = 10, 80
		total += runLinearizability(b, v, base+i).ops
		i++
	}
	b.ReportMetric(float64(total)/float64(i), "checked-ops/run")
	b.Logf("%d histories, %d operations checked, all linearizable (seeds %d to %d)", i, total, base, base+i-1)
}

// --- The model: one register per name ---

type linKind uint8

const (
	kRead        linKind = iota // a read of the register
	kSet                        // the register becomes val
	kRemove                     // the register becomes absent
	kCAS                        // the register becomes val if it was old
	kCASConflict                // a compare-and-swap refused: the register was not old
)

// linIn is an operation on one register.
type linIn struct {
	kind linKind
	op   string // the Store method, for the visualization
	name string
	val  string // kSet, kCAS: the value written
	old  string // kCAS, kCASConflict: the value compared with
	hold bool   // ... and whether old is a value (false: "absent")
	// maybe marks a write that failed with an unknown outcome: it may or
	// may not have happened. A failed write that certainly did not reach
	// the backend is left out of the history; one that certainly did is a
	// write.
	maybe bool
}

// linReg is the register's state, and a read's result.
type linReg struct {
	ok  bool // the name exists
	val string
}

func (r linReg) String() string {
	if !r.ok {
		return "absent"
	}
	return fmt.Sprintf("%q", r.val)
}

// linModel is nondeterministic only through maybe: a failed write leads to
// both the state before and the state after it.
var linModel = porcupine.NondeterministicModel{
	Partition: func(h []porcupine.Operation) [][]porcupine.Operation {
		by := map[string][]porcupine.Operation{}
		for _, o := range h {
			n := o.Input.(linIn).name
			by[n] = append(by[n], o)
		}
		keys := make([]string, 0, len(by))
		for k := range by {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		out := make([][]porcupine.Operation, 0, len(keys))
		for _, k := range keys {
			out = append(out, by[k])
		}
		return out
	},
	Init: func() []any { return []any{linReg{}} },
	Step: func(state, input, output any) []any {
		s, in := state.(linReg), input.(linIn)
		var next linReg
		switch in.kind {
		case kRead:
			if output.(linReg) != s {
				return nil
			}
			return []any{s}
		case kCASConflict:
			if s == (linReg{in.hold, in.old}) {
				return nil // the comparison would have succeeded
			}
			return []any{s}
		case kSet:
			next = linReg{true, in.val}
		case kRemove:
			next = linReg{}
		case kCAS:
			if s != (linReg{in.hold, in.old}) {
				if in.maybe {
					return []any{s} // it failed: nothing happened
				}
				return nil
			}
			next = linReg{true, in.val}
		}
		if in.maybe {
			return []any{s, next}
		}
		return []any{next}
	},
	Hash: func(state any) uint64 {
		s := state.(linReg)
		h := fnv.New64a()
		if s.ok {
			h.Write([]byte{1})
		}
		h.Write([]byte(s.val))
		return h.Sum64()
	},
	DescribeOperation: func(input, output any) string {
		in := input.(linIn)
		q := ""
		if in.maybe {
			q = " (failed: maybe)"
		}
		old := linReg{in.hold, in.old}
		switch in.kind {
		case kRead:
			return fmt.Sprintf("%s(%s) → %v", in.op, in.name, output)
		case kSet:
			return fmt.Sprintf("%s(%s, %q)%s", in.op, in.name, in.val, q)
		case kRemove:
			return fmt.Sprintf("%s(%s)%s", in.op, in.name, q)
		case kCAS:
			return fmt.Sprintf("%s(%s): %v → %q%s", in.op, in.name, old, in.val, q)
		default:
			return fmt.Sprintf("%s(%s): conflict, not %v", in.op, in.name, old)
		}
	},
	DescribeState: func(state any) string { return state.(linReg).String() },
}

// --- The fault-injecting driver ---

// faults is how often the wrapper delays and fails backend calls.
type faults struct {
	delay     float64       // chance of a delay, drawn separately before and after the backend
	maxDelay  time.Duration // longest delay
	readFail  float64       // chance a read fails with Unavailable: half before reading, half after
	refuse    float64       // chance a read is refused with PermissionDenied (not an outage)
	writeFail float64       // chance a write fails with Unavailable: half before writing, half after
}

var linFaults = faults{delay: 0.4, maxDelay: 400 * time.Microsecond, readFail: 0.06, refuse: 0.03, writeFail: 0.08}

const (
	outageMsg  = "injected outage"
	refusalMsg = "injected refusal"
)

// faulty wraps a driver (not its Lookuper: every read goes through Get, the
// path that is delayed). Its faults are drawn from the seed and the call's
// number, so that they do not depend on which goroutine makes the call.
type faulty struct {
	inner driver.Store
	f     faults
	seed  uint64
	calls atomic.Uint64
	now   func() int64
}

// faultySwapper adds the inner driver's CompareAndSwap.
type faultySwapper struct{ *faulty }

// faultyLookuper adds memstore's reads from memory, undelayed: a Lookuper
// never blocks. Without a cache, the Store reads through them.
type faultyLookuper struct{ faultySwapper }

func (d faultyLookuper) Lookup(ctx context.Context, name string) (*string, error) {
	return d.inner.(driver.Lookuper).Lookup(ctx, name)
}

func (d faultyLookuper) LookupAll(ctx context.Context, names []string, vals []*string) error {
	return d.inner.(driver.Lookuper).LookupAll(ctx, names, vals)
}

func (d *faulty) rng() *rand.Rand { return rand.New(rand.NewPCG(d.seed, d.calls.Add(1))) }

func (d *faulty) pause(r *rand.Rand) {
	if r.Float64() < d.f.delay {
		time.Sleep(time.Duration(r.Int64N(int64(d.f.maxDelay))))
	}
}

// fault is what the wrapper does to one backend call.
type fault uint8

const (
	noFault fault = iota
	failBefore
	failAfter
	refuseRead
)

// draw picks the fault of a read or a write.
func (d *faulty) draw(r *rand.Rand, read bool) fault {
	p := d.f.writeFail
	if read {
		p = d.f.readFail
		if r.Float64() < d.f.refuse {
			return refuseRead
		}
	}
	if r.Float64() < p {
		if r.IntN(2) == 0 {
			return failBefore
		}
		return failAfter
	}
	return noFault
}

func outage() error { return driver.Errorf(driver.Unavailable, outageMsg) }

// watchKey marks the context of a Watch, whose polls the wrapper records.
type watchKey struct{}

// watchLog is every backend read a Watch made, in order.
type watchLog struct {
	mu    sync.Mutex
	polls []watchPoll
}

type watchPoll struct {
	call, ret int64             // around the backend read itself
	vals      map[string]string // what it read, nil on error
	err       error
}

func (d *faulty) Get(ctx context.Context, names []string) (map[string]string, error) {
	r := d.rng()
	wl, _ := ctx.Value(watchKey{}).(*watchLog)
	record := func(p watchPoll) {
		if wl != nil {
			wl.mu.Lock()
			wl.polls = append(wl.polls, p)
			wl.mu.Unlock()
		}
	}
	d.pause(r)
	switch d.draw(r, true) {
	case refuseRead:
		err := driver.Errorf(driver.PermissionDenied, refusalMsg)
		record(watchPoll{err: err})
		return nil, err
	case failBefore:
		record(watchPoll{err: outage()})
		return nil, outage()
	case failAfter:
		_, _ = d.inner.Get(ctx, names) // read, then lose the answer
		d.pause(r)
		record(watchPoll{err: outage()})
		return nil, outage()
	}
	call := d.now()
	m, err := d.inner.Get(ctx, names)
	p := watchPoll{call: call, ret: d.now(), err: err}
	if err == nil {
		p.vals = make(map[string]string, len(m))
		for k, v := range m {
			p.vals[k] = v
		}
	}
	record(p)
	d.pause(r)
	return m, err
}

// opKey carries the writeRec of a Store operation down to the wrapper, which
// records whether the write reached the backend.
type opKey struct{}

type outcome uint8

const (
	notCalled  outcome = iota // the backend was never asked
	notApplied                // the write certainly did not happen
	applied                   // the write certainly happened
	unknown                   // the backend failed: it may or may not have
)

type writeRec struct {
	out      outcome
	conflict bool    // a compare-and-swap found another value
	old      *string // the value a compare-and-swap was conditional on
	called   bool
}

func (d *faulty) write(ctx context.Context, do func() error) error {
	rec, _ := ctx.Value(opKey{}).(*writeRec)
	if rec == nil {
		rec = new(writeRec)
	}
	r := d.rng()
	d.pause(r)
	rec.called = true
	f := d.draw(r, false)
	if f == failBefore {
		rec.out = notApplied
		return outage()
	}
	err := do()
	switch {
	case err == nil:
		rec.out = applied
	case driver.CodeOf(err) == driver.Conflict:
		rec.out, rec.conflict = notApplied, true
	default:
		rec.out = unknown
	}
	d.pause(r)
	if err == nil && f == failAfter {
		return outage()
	}
	return err
}

func (d *faulty) Set(ctx context.Context, name, value string) error {
	return d.write(ctx, func() error { return d.inner.Set(ctx, name, value) })
}

func (d *faulty) Remove(ctx context.Context, name string) error {
	return d.write(ctx, func() error { return d.inner.Remove(ctx, name) })
}

func (d *faulty) Close() error { return d.inner.Close() }

func (d faultySwapper) CompareAndSwap(ctx context.Context, name string, old *string, value string) error {
	if rec, _ := ctx.Value(opKey{}).(*writeRec); rec != nil && old != nil {
		o := *old
		rec.old = &o
	}
	return d.write(ctx, func() error { return d.inner.(driver.Swapper).CompareAndSwap(ctx, name, old, value) })
}

// --- Stale-if-error: only for an outage ---

// staleLog captures the Store's warnings. Serving a stale value is
// linearizable here whatever the error (every write goes through this Store,
// so the stale entry still holds the register's value), which is why the
// register model cannot see defect 3; the promise is a different one: a
// refusal (PermissionDenied) or a damaged record reaches the caller, and only
// an outage is served stale. The wrapper refuses some reads, and this
// handler fails the run if the Store says it served a stale value because of
// one.
type staleLog struct {
	mu      sync.Mutex
	served  int
	refused []string
}

func (l *staleLog) Enabled(_ context.Context, lv slog.Level) bool { return lv >= slog.LevelWarn }
func (l *staleLog) WithAttrs([]slog.Attr) slog.Handler            { return l }
func (l *staleLog) WithGroup(string) slog.Handler                 { return l }

func (l *staleLog) Handle(_ context.Context, r slog.Record) error {
	if !strings.Contains(r.Message, "stale") {
		return nil
	}
	var b strings.Builder
	r.Attrs(func(a slog.Attr) bool {
		fmt.Fprintf(&b, " %s=%q", a.Key, a.Value.String())
		return true
	})
	l.mu.Lock()
	defer l.mu.Unlock()
	l.served++
	if strings.Contains(b.String(), refusalMsg) {
		l.refused = append(l.refused, r.Message+b.String())
	}
	return nil
}

// --- The run ---

// linHistory collects operations from every client.
type linHistory struct {
	start  time.Time
	mu     sync.Mutex
	ops    []porcupine.Operation
	errors []string // defects seen outside the model
}

func (h *linHistory) fail(msg string) {
	h.mu.Lock()
	h.errors = append(h.errors, msg)
	h.mu.Unlock()
}

func (h *linHistory) now() int64 { return int64(time.Since(h.start)) }

func (h *linHistory) add(client int, call, ret int64, in linIn, out linReg) {
	h.mu.Lock()
	h.ops = append(h.ops, porcupine.Operation{ClientId: client, Input: in, Call: call, Output: out, Return: ret})
	h.mu.Unlock()
}

// linStats says how much a run checked.
type linStats struct {
	ops          int // operations in the history
	watchChanges int // changes the watch delivered
	stale        int // stale values the Store said it served
}

// runLinearizability runs variant v with seed and checks its history.
func runLinearizability(t testing.TB, v linVariant, seed uint64) linStats {
	t.Helper()
	h := &linHistory{start: time.Now()}
	base := &faulty{f: linFaults, seed: seed, now: h.now}
	if v.readFail > 0 {
		base.f.readFail, base.f.refuse = v.readFail, v.refuse
	}
	switch v.backend {
	case "mem":
		base.inner = memstore.New(nil)
	case "file", "file-open":
		dir := t.TempDir()
		var key [32]byte
		kr := rand.New(rand.NewPCG(seed, 0))
		for i := range key {
			key[i] = byte(kr.Uint32())
		}
		opts := filestore.Options{KeepOpen: v.backend == "file-open"}
		path := filepath.Join(dir, "secrets.db")
		if err := filestore.Init(path, filestore.Key(key), opts); err != nil {
			t.Fatal(err)
		}
		fs, err := filestore.Open(path, filestore.Key(key), opts)
		if err != nil {
			t.Fatal(err)
		}
		base.inner = fs
	default:
		t.Fatalf("unknown backend %q", v.backend)
	}
	var drv driver.Store = base
	switch {
	case v.lookuper:
		drv = faultyLookuper{faultySwapper{base}}
	case v.swapper:
		drv = faultySwapper{base}
	}
	logs := &staleLog{}
	opts := []secretstore.Option{secretstore.EnableSet(true), secretstore.EnableRemove(true),
		secretstore.WithLogger(slog.New(logs))}
	if v.cache != nil {
		opts = append(opts, secretstore.WithCache(*v.cache))
	}
	st := secretstore.New(drv, opts...)
	defer st.Close()
	ctx := context.Background()

	// The watch runs from before the first client operation to after the
	// last.
	var (
		wlog     *watchLog
		wchanges []secretstore.Change
		wdone    chan struct{}
	)
	wctx, wcancel := context.WithCancel(ctx)
	defer wcancel()
	if v.watch {
		var ch <-chan secretstore.Change
		for attempt := 0; ; attempt++ {
			wlog = &watchLog{}
			var err error
			ch, err = st.Watch(context.WithValue(wctx, watchKey{}, wlog), linNames,
				secretstore.WatchOptions{Interval: 2 * time.Millisecond, Jitter: -1, MaxBackoff: 8 * time.Millisecond})
			if err == nil {
				break
			}
			if attempt == 50 {
				t.Fatalf("seed %d: Watch failed 50 times: %v", seed, err)
			}
		}
		wdone = make(chan struct{})
		go func() {
			defer close(wdone)
			for c := range ch {
				wchanges = append(wchanges, c)
			}
		}()
	}

	start := make(chan struct{})
	var wg sync.WaitGroup
	for c := range v.clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			linClient(ctx, st, h, c, v, rand.New(rand.NewPCG(seed, uint64(c)+1)))
		}()
	}
	close(start)
	wg.Wait()

	if v.watch {
		wcancel()
		select {
		case <-wdone:
		case <-time.After(10 * time.Second):
			t.Fatalf("seed %d: the watch's channel stayed open 10 s after its context ended", seed)
		}
		h.addWatch(t, wlog, wchanges, v.clients, seed)
	}

	logs.mu.Lock()
	refused, served := logs.refused, logs.served
	logs.mu.Unlock()
	if len(refused) > 0 {
		t.Errorf("seed %d, %s: a stale value was served for a refusal (PermissionDenied), which must reach the caller; only an outage may be served stale:\n%s",
			seed, v.name, strings.Join(refused, "\n"))
	}

	for _, e := range h.errors {
		t.Errorf("seed %d, %s: %s", seed, v.name, e)
	}
	checkHistory(t, v, seed, h.ops)
	return linStats{ops: len(h.ops), watchChanges: len(wchanges), stale: served}
}

// linClient performs v.ops random operations, recording each.
func linClient(ctx context.Context, st *secretstore.Store, h *linHistory, client int, v linVariant, r *rand.Rand) {
	pick := func() string { return linNames[r.IntN(len(linNames))] }
	// view returns the store and the name to reach register n through:
	// half the time, the tenant's register through a scoped view, which
	// shares the cache under the full name.
	scoped, err := st.Scope(linScope)
	if err != nil {
		panic(err)
	}
	view := func(n string) (*secretstore.Store, string, string) {
		if rest, ok := strings.CutPrefix(n, linScope); ok && r.IntN(2) == 0 {
			return scoped, rest, "scoped "
		}
		return st, n, ""
	}
	for i := range v.ops {
		if r.IntN(4) == 0 {
			time.Sleep(time.Duration(r.IntN(200)) * time.Microsecond) // spread operations over the TTLs
		}
		opCtx, cancel := ctx, context.CancelFunc(func() {})
		if r.IntN(25) == 0 {
			// A caller that gives up early: its read fails, and the
			// shared fetch goes on for the others.
			opCtx, cancel = context.WithTimeout(ctx, time.Duration(r.IntN(300))*time.Microsecond)
		}
		rec := &writeRec{}
		wctx := context.WithValue(ctx, opKey{}, rec)
		val := fmt.Sprintf("c%d-%d", client, i)
		// k picks the operation: reads below 60, writes from 60 on, a
		// variant's share of writes as it says.
		k := r.IntN(60)
		if r.IntN(100) < v.writePct() {
			k = 60 + r.IntN(40)
		}
		switch {
		case k < 30 || (k >= 50 && k < 60): // Get, of one or two names (maybe the same twice); Refresh
			names := []string{pick()}
			if r.IntN(3) == 0 {
				names = append(names, pick())
			}
			vs, how := st, ""
			asked := names
			if len(names) == 1 {
				var vn string
				vs, vn, how = view(names[0])
				asked = []string{vn}
			}
			get, op := vs.Get, how+"get"
			if k >= 50 {
				get, op = vs.Refresh, how+"refresh"
			}
			call := h.now()
			ss, err := get(opCtx, asked...)
			ret := h.now()
			if err == nil {
				for j, n := range names {
					if !contains(names[:j], n) {
						a := asked[j]
						h.add(client, call, ret, linIn{kind: kRead, op: op, name: n}, linReg{ss.Has(a), ss.Reveal(a)})
					}
				}
			}
		case k < 50: // Lookup
			n := pick()
			vs, vn, how := view(n)
			call := h.now()
			sec, ok, err := vs.Lookup(opCtx, vn)
			ret := h.now()
			if err == nil {
				h.add(client, call, ret, linIn{kind: kRead, op: how + "lookup", name: n}, linReg{ok, sec.Reveal()})
			}
		case k < 80: // Set
			n := pick()
			vs, vn, how := view(n)
			call := h.now()
			err := vs.Set(wctx, vn, val)
			h.addWrite(client, call, h.now(), linIn{kind: kSet, op: how + "set", name: n, val: val}, rec, err)
		case k < 90: // Remove
			n := pick()
			vs, vn, how := view(n)
			call := h.now()
			err := vs.Remove(wctx, vn)
			h.addWrite(client, call, h.now(), linIn{kind: kRemove, op: how + "remove", name: n}, rec, err)
		default: // Rotate: read, then compare-and-swap (or write, without a Swapper)
			n := pick()
			vs, vn, how := view(n)
			made := "r" + val
			call := h.now()
			sec, err := vs.Rotate(wctx, vn, func(io.Reader) (string, error) { return made, nil })
			ret := h.now()
			if err == nil && sec.Reveal() != made {
				h.fail(fmt.Sprintf("Rotate(%s) returned a value other than the generator's", n))
			}
			in := linIn{kind: kSet, op: how + "rotate", name: n, val: made}
			if v.swapper {
				in.kind = kCAS
				in.hold = rec.old != nil
				if rec.old != nil {
					in.old = *rec.old
				}
			}
			if rec.conflict {
				// Refused: an observation that the register did not
				// hold the value compared with.
				in.kind = kCASConflict
				h.add(client, call, ret, in, linReg{})
				break
			}
			h.addWrite(client, call, ret, in, rec, err)
		}
		cancel()
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// addWrite records a write by what is known of its outcome: a success, or a
// failure the wrapper saw reach the backend, is a write; a failure that
// never reached it is left out; any other failure may or may not have
// happened.
func (h *linHistory) addWrite(client int, call, ret int64, in linIn, rec *writeRec, err error) {
	if err == nil && rec.out != applied {
		h.fail(fmt.Sprintf("%s(%s) succeeded, but the backend write %v", in.op, in.name, rec.out))
		return
	}
	switch rec.out {
	case notCalled, notApplied:
		return
	case unknown:
		in.maybe = true
	}
	h.add(client, call, ret, in, linReg{})
}

func (o outcome) String() string {
	return [...]string{"was never called", "did not happen", "happened", "failed"}[o]
}

// addWatch checks what a Watch delivered against what its polls read, and
// adds each successful poll to the history as a read of every name, over the
// time of the backend read itself.
//
// A Change carries no value, so the register model cannot check it
// directly. Instead the wrapper records every read the watch made (its
// context is marked); the reads join the history, which proves each one saw
// a value the register held at the time, and the changes delivered must be
// exactly those between consecutive successful polls, in order, one error
// per failed poll. Only the last poll's changes may be missing: its context
// ended while they were being delivered.
func (h *linHistory) addWatch(t testing.TB, wl *watchLog, got []secretstore.Change, client int, seed uint64) {
	t.Helper()
	wl.mu.Lock()
	polls := wl.polls
	wl.mu.Unlock()
	if len(polls) == 0 || polls[0].err != nil {
		t.Fatalf("seed %d: the watch's first poll is not recorded as a success", seed)
	}
	type want struct {
		c    secretstore.Change
		poll int
	}
	var wants []want
	prev := polls[0].vals
	for i, p := range polls {
		if p.err != nil {
			wants = append(wants, want{secretstore.Change{Err: p.err}, i})
			continue
		}
		for _, n := range linNames {
			h.add(client, p.call, p.ret, linIn{kind: kRead, op: "watch", name: n}, linReg{hasKey(p.vals, n), p.vals[n]})
		}
		for _, n := range linNames {
			ov, had := prev[n]
			nv, has := p.vals[n]
			if had != has || ov != nv {
				wants = append(wants, want{secretstore.Change{Name: n, Exists: has}, i})
			}
		}
		prev = p.vals
	}
	for i, w := range wants {
		if i >= len(got) {
			if w.poll != len(polls)-1 {
				t.Errorf("seed %d: the watch delivered %d changes; change %d (%+v, from poll %d of %d) and later are missing",
					seed, len(got), i, w.c, w.poll, len(polls))
			}
			return
		}
		g := got[i]
		if g.Name != w.c.Name || g.Exists != w.c.Exists || (g.Err != nil) != (w.c.Err != nil) {
			t.Errorf("seed %d: watch change %d is {Name:%q Exists:%v Err:%v}, want {Name:%q Exists:%v Err:%v} (poll %d of %d)",
				seed, i, g.Name, g.Exists, g.Err, w.c.Name, w.c.Exists, w.c.Err, w.poll, len(polls))
			return
		}
	}
	if len(got) > len(wants) {
		t.Errorf("seed %d: the watch delivered %d changes, its polls account for %d; the first extra: %+v",
			seed, len(got), len(wants), got[len(wants)])
	}
}

func hasKey(m map[string]string, k string) bool { _, ok := m[k]; return ok }

// checkHistory fails t if ops are not linearizable, writing porcupine's
// visualization to a file that outlives the test.
func checkHistory(t testing.TB, v linVariant, seed uint64, ops []porcupine.Operation) {
	t.Helper()
	model := linModel.ToModel()
	res := porcupine.CheckOperationsTimeout(model, ops, time.Minute)
	switch res {
	case porcupine.Ok:
		return
	case porcupine.Unknown:
		t.Logf("seed %d, %s: porcupine gave up after a minute on %d operations (not a violation)", seed, v.name, len(ops))
		return
	}
	_, info := porcupine.CheckOperationsVerbose(model, ops, time.Minute)
	f, err := os.CreateTemp("", "secretstore-linearizability-*.html")
	path := "(not written: " + fmt.Sprint(err) + ")"
	if err == nil {
		if err := porcupine.Visualize(model, info, f); err == nil {
			path = f.Name()
		}
		f.Close()
	}
	t.Fatalf("seed %d, variant %s: the history of %d operations is not linearizable against one register per name.\n%s\nvisualization: %s",
		seed, v.name, len(ops), explain(model, ops), path)
}

// explain names the first register whose history is not linearizable and
// lists, around the point where every linearization got stuck, its
// operations in order of call.
func explain(model porcupine.Model, ops []porcupine.Operation) string {
	for _, part := range model.Partition(ops) {
		if porcupine.CheckOperations(model, part) {
			continue
		}
		sort.Slice(part, func(i, j int) bool { return part[i].Call < part[j].Call })
		// A short prefix (by call) that is already not linearizable
		// ends near the operation that cannot fit.
		lo, hi := 1, len(part)
		for lo < hi {
			mid := (lo + hi) / 2
			if porcupine.CheckOperations(model, closePrefix(part[:mid])) {
				lo = mid + 1
			} else {
				hi = mid
			}
		}
		var b strings.Builder
		name := part[0].Input.(linIn).name
		fmt.Fprintf(&b, "register %s: the first %d of its %d operations (by call time) are already not linearizable; the last of them:\n", name, hi, len(part))
		for _, o := range part[max(0, hi-25):hi] {
			ret := fmt.Sprintf("%9.3fms", float64(o.Return)/1e6)
			if o.Return == math.MaxInt64 {
				ret = "   (open)"
			}
			fmt.Fprintf(&b, "  client %2d  [%9.3fms, %s]  %s\n", o.ClientId, float64(o.Call)/1e6, ret, model.DescribeOperation(o.Input, o.Output))
		}
		return b.String()
	}
	return "(no single register fails on its own)"
}

// closePrefix returns ops, the first operations by call time, as a history
// of its own: an operation still running at the last call may take effect
// at any later point, so a write is left open (a compare-and-swap becomes a
// write that may or may not happen) and a read, whose result may come from
// a later write, is left out.
func closePrefix(ops []porcupine.Operation) []porcupine.Operation {
	last := ops[len(ops)-1].Call
	out := make([]porcupine.Operation, 0, len(ops))
	for _, o := range ops {
		if o.Return > last {
			in := o.Input.(linIn)
			switch in.kind {
			case kRead, kCASConflict:
				continue
			case kCAS:
				in.kind, in.maybe = kSet, true
			}
			o.Input, o.Return = in, math.MaxInt64
		}
		out = append(out, o)
	}
	return out
}

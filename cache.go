package secretstore

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/secretstore-go/secretstore/driver"
	"github.com/secretstore-go/secretstore/internal/snapmap"
)

// cache holds secrets by full (prefixed) name.
//
// A hit writes nothing that another core reads: the entries are immutable
// maps behind atomic pointers (a [snapmap.Map]), so a hit is a hash, an
// atomic load and a map read, plus one atomic load of a coarse clock ticked in
// the background; the entry's "recently read" mark is set only when it is not
// yet set, refresh-ahead starts once per entry, and hits are counted in
// per-goroutine stripes ([counters]). A hit takes no lock and never allocates.
//
// Every change (a fetch's fill, a write, a refresh, an eviction) happens under
// mu, which also guards the flights, so that three promises hold exactly:
//   - One fetch per cold name: a caller that missed looks at the cache again
//     under mu, then joins the flight for the name or starts it.
//   - No value from before a write: from the start of a write (beginWrite)
//     to its end (endWrite), the cache holds nothing for the name, and every
//     reader of it reads the backend itself, so that no reader sees the old
//     value after another has seen the new one. A flight that was in the air
//     when the write began is detached: no later reader joins it and its
//     result, which may have been read before the write, never fills the
//     cache. The written value is kept only if the write succeeded and no
//     other write of the name overlapped it.
//   - A stale value only through an outage (see [outage]).
type cache struct {
	opts  CacheOptions
	clock *coarseClock

	entries *snapmap.Map[*entry] // read without a lock; changed under mu

	mu      sync.Mutex
	flights map[string]*flight       // by key: the fetch a reader may join; guarded by mu
	writing map[string]*pendingWrite // by key: writes under way; guarded by mu

	misses, stale, joined atomic.Int64
	hot                   *counters // the store's: hits are counted there
	// refresh, when set, refreshes a key in the background (refresh-ahead).
	refresh func(key string)
}

// entry is immutable once published, but for its two marks.
type entry struct {
	val        *string // nil: the name is known not to exist
	expires    int64   // clock time after which the entry is not served
	staleUntil int64   // clock time until which it may be served if the backend is down
	refreshAt  int64   // clock time from which a read triggers a background refresh
	ref        atomic.Bool
	refreshing atomic.Bool // a background refresh has been started
}

// flight is one backend fetch of a name that concurrent callers share.
type flight struct {
	done chan struct{}
	val  *string
	err  error
}

// loadMode says how [cache.load] treats the cache and the flights.
type loadMode uint8

const (
	// loadRead is a reader's miss: look at the cache again, then join the
	// flight for the name or start one. Stale-if-error applies.
	loadRead loadMode = iota
	// loadAhead is refresh-ahead: fetch unless a flight is on its way.
	loadAhead
	// loadFresh is Refresh (and Watch): always a new fetch, which detaches
	// any flight already in the air, since its result is older.
	loadFresh
)

func newCache(o CacheOptions, hot *counters) *cache {
	o.withDefaults()
	return &cache{
		opts:    o,
		clock:   startClock(o.Resolution),
		entries: snapmap.New[*entry](),
		flights: make(map[string]*flight),
		writing: make(map[string]*pendingWrite),
		hot:     hot,
	}
}

func (c *cache) close() { c.clock.stop() }

// get returns the fresh entry for prefix+name. It takes no lock, writes no
// shared memory (but the entry's marks, once) and does not allocate.
func (c *cache) get(prefix, name string) (*entry, bool) {
	var e *entry
	if prefix == "" {
		e, _ = c.entries.Load(name)
	} else {
		var buf [MaxNameLen]byte
		e, _ = c.entries.LoadBytes(append(append(buf[:0], prefix...), name...))
	}
	return e, c.fresh(e, prefix, name)
}

// hit is get for a name outside any scope: the hot path, kept small.
func (c *cache) hit(name string) (*entry, bool) {
	e, _ := c.entries.Load(name)
	if e == nil {
		return nil, false
	}
	now := c.clock.now()
	if now >= e.expires {
		return nil, false
	}
	if !e.ref.Load() || (now >= e.refreshAt && !e.refreshing.Load()) {
		c.mark(e, now, "", name)
	}
	return e, true
}

// fresh reports whether e may be served now. The first read marks it
// recently read, and the first read inside its refresh-ahead window starts
// its refresh: later reads only load.
func (c *cache) fresh(e *entry, prefix, name string) bool {
	now := c.clock.now()
	if e == nil || now >= e.expires {
		return false
	}
	if !e.ref.Load() || (now >= e.refreshAt && !e.refreshing.Load()) {
		c.mark(e, now, prefix, name)
	}
	return true
}

// mark is fresh's rare part, kept out of line so that fresh inlines.
func (c *cache) mark(e *entry, now int64, prefix, name string) {
	if !e.ref.Load() {
		e.ref.Store(true)
	}
	if now >= e.refreshAt && c.refresh != nil && e.refreshing.CompareAndSwap(false, true) {
		c.refresh(prefix + name)
	}
}

// fill puts the fresh entries for names into ss and returns the names it did
// not find. Hits and misses are counted.
func (c *cache) fill(prefix string, names []string, ss Secrets) (misses []string) {
	var buf [MaxNameLen]byte
	for _, n := range names {
		var e *entry
		if prefix == "" {
			e, _ = c.entries.Load(n)
		} else {
			e, _ = c.entries.LoadBytes(append(append(buf[:0], prefix...), n...))
		}
		if !c.fresh(e, prefix, n) {
			misses = append(misses, n)
			continue
		}
		if e.val != nil {
			ss[n] = Secret{p: e.val}
		}
	}
	if hits := len(names) - len(misses); hits > 0 {
		c.hot.add(hotCacheHit, int64(hits))
	}
	if len(misses) > 0 {
		c.misses.Add(int64(len(misses)))
	}
	return misses
}

// beginWrite marks the start of a write of key, before it reaches the
// backend. Until the matching endWrite, the backend may change at any
// moment, so the cache neither answers for key nor lets a fetch fill it, and
// no reader joins a fetch: each reads the backend itself (see load). The
// entry is dropped and the flight for key detached: a fetch that may have
// read before the write neither fills the cache nor serves a later reader.
func (c *cache) beginWrite(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	w := c.writing[key]
	if w == nil {
		w = &pendingWrite{}
		c.writing[key] = w
	}
	w.n++
	if w.n > 1 {
		w.overlap = true
	}
	delete(c.flights, key)
	if _, ok := c.entries.Load(key); ok {
		c.entries.Delete(key)
	}
}

// endWrite marks the end of a write of key that beginWrite marked. The cache
// keeps the value written (val; nil for a Remove, which the cache forgets),
// unless forget (the write failed, and may or may not have reached the
// backend) or the write overlapped another write of key, whose order at the
// backend is unknown: then the next read fetches.
func (c *cache) endWrite(key string, val *string, forget bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	w := c.writing[key]
	w.n--
	keep := w.n == 0 && !w.overlap && !forget && val != nil
	if w.n == 0 {
		delete(c.writing, key)
	}
	delete(c.flights, key) // none is attached during a write; kept for clarity
	tx := c.entries.Tx()
	if keep {
		c.storeTx(tx, c.clock.now(), key, val)
	} else {
		tx.Delete(key)
	}
	tx.Commit()
}

// pendingWrite counts the writes of a key under way.
type pendingWrite struct {
	n       int
	overlap bool // two writes of the key were under way at once
}

// storeTx puts a fetched or written value (nil: missing) for key into tx.
func (c *cache) storeTx(tx *snapmap.Tx[*entry], now int64, key string, val *string) {
	ttl := c.opts.TTL
	if val == nil {
		if c.opts.NegativeTTL < 0 {
			tx.Delete(key)
			return
		}
		ttl = c.opts.NegativeTTL
	}
	if _, ok := tx.Load(key); !ok && tx.Len() >= c.opts.MaxEntries {
		c.evictTx(tx, now)
	}
	e := &entry{val: val, expires: now + int64(ttl), refreshAt: now + int64(ttl)}
	if c.opts.RefreshAhead > 0 && val != nil {
		e.refreshAt -= int64(c.opts.RefreshAhead)
	}
	e.staleUntil = e.expires + int64(c.opts.StaleIfError)
	tx.Set(key, e)
}

// evictTx makes room: first entries past any use, then, CLOCK-style,
// entries not read since the previous sweep cleared their mark. It frees a
// 1/64 share at once so that inserting into a full cache stays cheap.
func (c *cache) evictTx(tx *snapmap.Tx[*entry], now int64) {
	want := tx.Len() - c.opts.MaxEntries + 1 + c.opts.MaxEntries/64
	tx.Range(func(k string, e *entry) bool {
		if now >= e.staleUntil {
			tx.Delete(k)
			want--
		}
		return want > 0
	})
	for pass := 0; pass < 2 && want > 0; pass++ {
		tx.Range(func(k string, e *entry) bool {
			if e.ref.Load() {
				e.ref.Store(false)
				return true
			}
			tx.Delete(k)
			want--
			return want > 0
		})
	}
}

// outage reports whether err, from a fetch bounded by fctx, means the backend
// could not answer: unavailable, or the fetch's own deadline passed. Only an
// outage lets a stale value be served; a refusal (permission denied), a
// damaged record or any other error reaches the caller.
func outage(fctx context.Context, err error) bool {
	if driver.CodeOf(err) == driver.Unavailable {
		return true
	}
	return errors.Is(err, context.DeadlineExceeded) && errors.Is(fctx.Err(), context.DeadlineExceeded)
}

func (c *cache) inFlight() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.flights)
}

func (c *cache) len() int { return c.entries.Len() }

// load returns the values of keys (nil: missing), as mode says: answered by
// the cache, by a flight another caller started, or by one backend call for
// the rest. The shared fetch runs detached from ctx (bounded by
// FetchTimeout), so one caller giving up does not fail the others; ctx bounds
// only this caller's wait.
func (c *cache) load(ctx context.Context, keys []string, mode loadMode, fetch func(context.Context, []string) (map[string]string, error), onStale func(key string, err error)) (map[string]*string, error) {
	out := make(map[string]*string, len(keys))
	waits := make([]*flight, len(keys)) // nil: answered, or nothing to wait for
	var lead []string
	var led []*flight
	c.mu.Lock()
	now := c.clock.now()
	for i, k := range keys {
		if c.writing[k] != nil {
			// A write of k is under way and the backend may change at
			// any moment: the caller reads the backend itself, through a
			// flight nobody joins and that fills nothing.
			if mode != loadAhead {
				f := &flight{done: make(chan struct{})}
				waits[i] = f
				lead = append(lead, k)
				led = append(led, f)
			}
			continue
		}
		if mode == loadRead {
			// A flight that ended since this caller missed has filled
			// the cache: look again, under the lock fills take.
			if e, ok := c.entries.Load(k); ok && now < e.expires {
				out[k] = e.val
				continue
			}
		}
		if f, ok := c.flights[k]; ok && mode != loadFresh {
			if mode == loadRead {
				c.joined.Add(1)
				waits[i] = f
			}
			continue
		}
		f := &flight{done: make(chan struct{})}
		c.flights[k] = f // with loadFresh, detaches the older flight
		waits[i] = f
		lead = append(lead, k)
		led = append(led, f)
	}
	c.mu.Unlock()

	if len(lead) > 0 {
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.opts.FetchTimeout)
		go func() {
			defer cancel()
			vals, err := fetch(fctx, lead)
			c.land(fctx, mode, lead, led, vals, err, onStale)
		}()
	}

	for i, f := range waits {
		if f == nil {
			continue
		}
		select {
		case <-f.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if f.err != nil {
			return nil, f.err
		}
		out[keys[i]] = f.val
	}
	return out, nil
}

// land ends the flights of one fetch: each still attached fills the cache,
// and each gets its result, or on an outage a stale value if the cache holds
// one inside its window.
func (c *cache) land(fctx context.Context, mode loadMode, lead []string, led []*flight, vals map[string]string, err error, onStale func(string, error)) {
	serveStale := err != nil && mode == loadRead && c.opts.StaleIfError > 0 && outage(fctx, err)
	var staled []string
	c.mu.Lock()
	now := c.clock.now()
	tx := c.entries.Tx()
	for i, k := range lead {
		f := led[i]
		attached := c.flights[k] == f
		if attached {
			delete(c.flights, k)
		}
		if err == nil {
			if v, ok := vals[k]; ok {
				f.val = &v
			}
			if attached {
				c.storeTx(tx, now, k, f.val)
			}
			continue
		}
		f.err = err
		if serveStale {
			// The entry is the newest this store knows: a write since
			// replaced or removed it.
			if e, ok := tx.Load(k); ok && now < e.staleUntil {
				f.val, f.err = e.val, nil
				staled = append(staled, k)
			}
		}
	}
	tx.Commit()
	c.mu.Unlock()
	for _, f := range led {
		close(f.done)
	}
	for _, k := range staled {
		c.stale.Add(1)
		onStale(k, err)
	}
}

// coarseClock is a monotonic clock read with one atomic load, ticked by a
// background goroutine. Tests drive a manual one with set.
type coarseClock struct {
	t    atomic.Int64
	base time.Time
	quit chan struct{}
	once sync.Once
}

func startClock(res time.Duration) *coarseClock {
	c := &coarseClock{base: time.Now(), quit: make(chan struct{})}
	go func() {
		tk := time.NewTicker(res)
		defer tk.Stop()
		for {
			select {
			case <-tk.C:
				c.t.Store(int64(time.Since(c.base)))
			case <-c.quit:
				return
			}
		}
	}()
	return c
}

func (c *coarseClock) now() int64 { return c.t.Load() }

func (c *coarseClock) stop() { c.once.Do(func() { close(c.quit) }) }

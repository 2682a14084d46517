package secretstore

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// cache holds secrets by full (prefixed) name. A hit is a read-locked map read
// and two atomic loads; it never allocates and never reads the wall clock:
// expiry is checked against a coarse clock ticked in the background.
type cache struct {
	opts  CacheOptions
	clock *coarseClock

	mu      sync.RWMutex
	entries map[string]*entry
	writes  uint64 // bumped under mu by every write; a fetch stores only if unchanged

	fmu     sync.Mutex
	flights map[string]*flight

	hits, misses, stale, joined atomic.Int64
	// refresh, when set, refreshes a key in the background (refresh-ahead).
	refresh func(key string)

	// lookupHits counts Lookups answered on the fast path: each is both a
	// cache hit and a successful lookup, counted once to keep the path to
	// one atomic add.
	lookupHits atomic.Int64
}

type entry struct {
	val        *string // nil: the name is known not to exist
	expires    int64   // clock time after which the entry is not served
	staleUntil int64   // clock time until which it may be served if the backend fails
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

func newCache(o CacheOptions) *cache {
	o.withDefaults()
	return &cache{
		opts:    o,
		clock:   startClock(o.Resolution),
		entries: make(map[string]*entry),
		flights: make(map[string]*flight),
	}
}

func (c *cache) close() { c.clock.stop() }

// get returns the fresh entry for prefix+name, without allocating.
func (c *cache) get(prefix, name string) (*entry, bool) {
	var e *entry
	c.mu.RLock()
	if prefix == "" {
		e = c.entries[name]
	} else {
		var buf [MaxNameLen]byte
		k := append(append(buf[:0], prefix...), name...)
		e = c.entries[string(k)] // the compiler does not allocate for this lookup
	}
	c.mu.RUnlock()
	now := c.clock.now()
	if e == nil || now >= e.expires {
		return nil, false
	}
	if !e.ref.Load() {
		e.ref.Store(true)
	}
	if now >= e.refreshAt {
		c.refreshAhead(e, prefix+name)
	}
	return e, true
}

// refreshAhead starts one background refresh of an entry near its expiry.
func (c *cache) refreshAhead(e *entry, key string) {
	if c.refresh != nil && !e.refreshing.Load() && e.refreshing.CompareAndSwap(false, true) {
		c.refresh(key)
	}
}

// fill puts the fresh entries for names into ss under one read lock, and
// returns the names it did not find. Hits and misses are counted.
func (c *cache) fill(prefix string, names []string, ss Secrets) (misses []string) {
	now := c.clock.now()
	var buf [MaxNameLen]byte
	c.mu.RLock()
	for _, n := range names {
		var e *entry
		if prefix == "" {
			e = c.entries[n]
		} else {
			e = c.entries[string(append(append(buf[:0], prefix...), n...))]
		}
		if e == nil || now >= e.expires {
			misses = append(misses, n)
			continue
		}
		if !e.ref.Load() {
			e.ref.Store(true)
		}
		if now >= e.refreshAt {
			c.refreshAhead(e, prefix+n)
		}
		if e.val != nil {
			ss[n] = Secret{p: e.val}
		}
	}
	c.mu.RUnlock()
	c.hits.Add(int64(len(names) - len(misses)))
	c.misses.Add(int64(len(misses)))
	return misses
}

// put stores fetched values (nil: missing), unless a write happened since gen.
// With asWrite, it also makes fetches that started earlier discard theirs.
func (c *cache) put(gen uint64, vals map[string]*string, asWrite bool) {
	now := c.clock.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.writes != gen {
		return
	}
	if asWrite {
		c.writes++
	}
	for k, v := range vals {
		c.storeLocked(now, k, v)
	}
}

// write records a value the caller just wrote (or, with val nil, removed), and
// makes every fetch started before it discard its result.
func (c *cache) write(key string, val *string, remove bool) {
	now := c.clock.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.writes++
	if remove {
		delete(c.entries, key)
		return
	}
	c.storeLocked(now, key, val)
}

func (c *cache) generation() uint64 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.writes
}

func (c *cache) storeLocked(now int64, key string, val *string) {
	ttl := c.opts.TTL
	if val == nil {
		if c.opts.NegativeTTL < 0 {
			delete(c.entries, key)
			return
		}
		ttl = c.opts.NegativeTTL
	}
	if _, ok := c.entries[key]; !ok && len(c.entries) >= c.opts.MaxEntries {
		c.evictLocked(now)
	}
	e := &entry{val: val, expires: now + int64(ttl), refreshAt: now + int64(ttl)}
	if c.opts.RefreshAhead > 0 && val != nil {
		e.refreshAt -= int64(c.opts.RefreshAhead)
	}
	e.staleUntil = e.expires + int64(c.opts.StaleIfError)
	c.entries[key] = e
}

// evictLocked makes room: first entries past any use, then, CLOCK-style,
// entries not read since the previous sweep cleared their mark. It frees a
// 1/64 share at once so that inserting into a full cache stays cheap.
func (c *cache) evictLocked(now int64) {
	want := len(c.entries) - c.opts.MaxEntries + 1 + c.opts.MaxEntries/64
	for k, e := range c.entries {
		if want <= 0 {
			return
		}
		if now >= e.staleUntil {
			delete(c.entries, k)
			want--
		}
	}
	for pass := 0; pass < 2 && want > 0; pass++ {
		for k, e := range c.entries {
			if want <= 0 {
				return
			}
			if e.ref.Swap(false) {
				continue
			}
			delete(c.entries, k)
			want--
		}
	}
}

// staleValue returns an expired value still inside its stale-if-error window.
func (c *cache) staleValue(key string) (*string, bool) {
	if c.opts.StaleIfError <= 0 {
		return nil, false
	}
	c.mu.RLock()
	e := c.entries[key]
	c.mu.RUnlock()
	if e == nil || c.clock.now() >= e.staleUntil {
		return nil, false
	}
	return e.val, true
}

func (c *cache) inFlight() int {
	c.fmu.Lock()
	defer c.fmu.Unlock()
	return len(c.flights)
}

func (c *cache) len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.entries)
}

// load returns the values of keys (nil: missing), fetching the ones no other
// caller is already fetching in one backend call, and waiting for the others.
// The shared fetch runs detached from ctx (bounded by FetchTimeout), so one
// caller giving up does not fail the others; ctx bounds only this caller's wait.
func (c *cache) load(ctx context.Context, keys []string, fetch func(context.Context, []string) (map[string]string, error), onStale func(key string, err error)) (map[string]*string, error) {
	waits := make([]*flight, len(keys))
	var lead []string
	var led []*flight
	c.fmu.Lock()
	for i, k := range keys {
		if f, ok := c.flights[k]; ok {
			c.joined.Add(1)
			waits[i] = f
			continue
		}
		f := &flight{done: make(chan struct{})}
		c.flights[k] = f
		waits[i] = f
		lead = append(lead, k)
		led = append(led, f)
	}
	c.fmu.Unlock()

	if len(lead) > 0 {
		gen := c.generation()
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.opts.FetchTimeout)
		go func() {
			defer cancel()
			vals, err := fetch(fctx, lead)
			got := make(map[string]*string, len(lead))
			for i, k := range lead {
				f := led[i]
				switch {
				case err == nil:
					if v, ok := vals[k]; ok {
						f.val = &v
					}
					got[k] = f.val
				default:
					if v, ok := c.staleValue(k); ok {
						c.stale.Add(1)
						onStale(k, err)
						f.val = v
					} else {
						f.err = err
					}
				}
			}
			if err == nil {
				c.put(gen, got, false)
			}
			c.fmu.Lock()
			for i, k := range lead {
				delete(c.flights, k)
				close(led[i].done)
			}
			c.fmu.Unlock()
		}()
	}

	out := make(map[string]*string, len(keys))
	for i, f := range waits {
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

package secretstore

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/secretstore-go/secretstore/driver"
)

// Store is the portable secret store. It wraps a driver with every guard:
// permissions, name checks, tenant scoping, caching, coalescing of concurrent
// misses, logging, tracing, metrics and error classification. Business code
// holds a *Store and never a driver.
//
// A Store is safe for concurrent use. [Store.Scope] and [Store.Narrow] return
// views that share the driver and the cache and can only restrict.
type Store struct {
	sh     *shared
	parent *Store // the store or view this view was made from; nil for New
	prefix string
	perms  Perm
	view   bool          // made by Scope or Narrow: does not own the driver
	closed atomic.Bool   // this view
	done   chan struct{} // closed when this view closes, for Watch
}

// shared is what a store and all its views have in common.
type shared struct {
	drv      driver.Store
	lookuper driver.Lookuper
	name     string
	logger   *slog.Logger
	cache    *cache
	tel      *telemetry
	known    KnownValues // nil unless WithKnownValues
	keepOpen bool        // CloseDriver(false)
	fast     bool        // Lookup may take its fast paths: no audit, no known values
	closed   atomic.Bool
	once     sync.Once
	closeErr error
}

// New wraps a driver with every guard. Only reading is enabled unless
// [EnableSet] or [EnableRemove] say otherwise. The Store owns the driver:
// [Store.Close] closes it.
func New(d driver.Store, opts ...Option) *Store {
	cfg := config{perms: PermGet, name: "secretstore", logger: slog.Default()}
	for _, o := range opts {
		o(&cfg)
	}
	sh := &shared{drv: d, name: cfg.name, logger: cfg.logger, known: cfg.known, keepOpen: cfg.keepOpen}
	sh.lookuper, _ = d.(driver.Lookuper)
	sh.fast = cfg.audit == nil && cfg.known == nil
	s := &Store{sh: sh, perms: cfg.perms, done: make(chan struct{})}
	hot := newCounters()
	if cfg.cache != nil {
		sh.cache = newCache(*cfg.cache, hot)
		sh.cache.refresh = func(key string) {
			go func() {
				// Detached: the refresh serves whoever reads next.
				_, _ = s.load(context.Background(), opRefresh, []string{key}, loadAhead)
			}()
		}
	}
	sh.tel = newTelemetry(&cfg, sh.cache, d, hot)
	return s
}

// Name returns the store's name (see [WithName]).
func (s *Store) Name() string { return s.sh.name }

// Prefix returns the prefix this view adds to every name ("" for a store made
// by [New] or [Open]).
func (s *Store) Prefix() string { return s.prefix }

// Permissions returns the operations this view permits.
func (s *Store) Permissions() Perm { return s.perms }

// isClosed reports whether this view, or any store or view it was made from,
// is closed: whatever is derived from a closed view is closed too.
func (s *Store) isClosed() bool {
	if s.sh.closed.Load() {
		return true
	}
	for v := s; v != nil; v = v.parent {
		if v.closed.Load() {
			return true
		}
	}
	return false
}

// check applies the closed and permission guards.
func (s *Store) check(o op, need Perm, names []string) error {
	if s.isClosed() {
		return s.newError(o.String(), cloneNames(names), driver.Closed, nil)
	}
	if s.perms&need == 0 {
		return s.newError(o.String(), cloneNames(names), driver.Disabled,
			errors.New(o.String()+" secret at store is disabled by config"))
	}
	return nil
}

// admit applies the closed, permission and name guards to an operation on
// names. A refusal is counted, audited, and logged when disabled by config.
func (s *Store) admit(ctx context.Context, o op, need Perm, names []string) error {
	err := s.check(o, need, names)
	for i := 0; err == nil && i < len(names); i++ {
		err = s.validate(o, names[i])
	}
	if err != nil {
		s.sh.tel.reject(ctx, s.prefix, o, names, err)
	}
	return err
}

// key returns the full backend name of a caller's name. It allocates only in
// a scoped view.
func (s *Store) key(name string) string {
	if s.prefix == "" {
		return name
	}
	return s.prefix + name
}

// validate checks a caller's name, and in a scoped view the full name.
func (s *Store) validate(o op, name string) error {
	if validName(name) && s.prefix == "" {
		return nil
	}
	if reason := checkName(name, false); reason != "" {
		return s.newError(o.String(), []string{name}, driver.InvalidName, errors.New("invalid secret name: "+reason))
	}
	if s.prefix != "" && len(s.prefix)+len(name) > MaxNameLen {
		return s.newError(o.String(), []string{name}, driver.InvalidName,
			errors.New("invalid secret name: too long with the scope's prefix (max "+strconv.Itoa(MaxNameLen)+" bytes in all)"))
	}
	return nil
}

// Lookup returns the secret called name and whether it exists. It is the hot
// path: from the cache, or from a driver with an in-memory fast path such as
// memstore, it takes no lock, performs no allocation and writes no memory
// shared between cores, so it costs about a lock-free map read from any
// number of cores at once.
// Such a memory-answered Lookup in an unscoped store is counted in the
// metrics but starts no span and writes no debug event (with [WithAudit] or
// [WithKnownValues] it takes the ordinary path and is audited); every other
// operation is traced and logged as the options say.
func (s *Store) Lookup(ctx context.Context, name string) (Secret, bool, error) {
	if s.perms&PermGet == 0 || s.isClosed() {
		err := s.check(opLookup, PermGet, []string{name})
		s.sh.tel.reject(ctx, s.prefix, opLookup, []string{name}, err)
		return Secret{}, false, err
	}
	if s.prefix == "" && s.sh.fast {
		// The fast paths, for an unscoped store that neither audits nor
		// feeds a known-values registry: a cache hit (only valid names are
		// cached, so a hit proves the name valid), or a driver answering
		// from memory (which never blocks, so ctx is not consulted). Each
		// is counted with one atomic add, and neither traced nor logged.
		if c := s.sh.cache; c != nil {
			if e, ok := c.hit(name); ok {
				c.hot.add(hotLookupHit, 1)
				return Secret{p: e.val}, e.val != nil, nil
			}
		} else if lk := s.sh.lookuper; lk != nil && validName(name) {
			if p, err := lk.Lookup(ctx, name); err == nil {
				s.sh.tel.hot.add(hotMemLookup, 1)
				return Secret{p: p}, p != nil, nil
			}
		}
	}
	if hasField(name) {
		return s.lookupField(ctx, name) // fields.go
	}
	if err := s.validate(opLookup, name); err != nil {
		s.sh.tel.reject(ctx, s.prefix, opLookup, []string{name}, err)
		return Secret{}, false, err
	}
	ctx, sp := s.sh.tel.start(ctx, s.prefix, opLookup, []string{name})
	sec, ok, cached, err := s.lookup(ctx, name)
	s.sh.tel.finish(ctx, sp, opLookup, []string{name}, cached, err)
	return sec, ok, err
}

func (s *Store) lookup(ctx context.Context, name string) (sec Secret, ok, cached bool, err error) {
	if err := ctx.Err(); err != nil {
		return Secret{}, false, false, s.wrap(opLookup.String(), []string{name}, err)
	}
	if c := s.sh.cache; c != nil {
		if e, hit := c.get(s.prefix, name); hit {
			c.hot.add(hotCacheHit, 1)
			return Secret{p: e.val}, e.val != nil, true, nil
		}
		c.misses.Add(1)
		vals, err := s.load(ctx, opLookup, []string{s.key(name)}, loadRead)
		if err != nil {
			return Secret{}, false, false, s.wrap(opLookup.String(), []string{name}, err)
		}
		p := vals[s.key(name)]
		return Secret{p: p}, p != nil, false, nil
	}
	if lk := s.sh.lookuper; lk != nil {
		p, err := lk.Lookup(ctx, s.key(name))
		if err != nil {
			return Secret{}, false, false, s.wrap(opLookup.String(), []string{name}, err)
		}
		s.observe(p)
		return Secret{p: p}, p != nil, false, nil
	}
	m, err := s.fetch(ctx, opLookup, []string{s.key(name)})
	if err != nil {
		return Secret{}, false, false, s.wrap(opLookup.String(), []string{name}, err)
	}
	v, ok := m[s.key(name)]
	if !ok {
		return Secret{}, false, false, nil
	}
	return NewSecret(v), true, false, nil
}

// Get returns the secrets that exist among names. A missing name is absent
// from the result and is not an error (use [Store.Require] to demand
// presence). All names reach the driver in one call.
// A name "secret#field" reads one field of a JSON object secret (see
// [FieldSep]).
func (s *Store) Get(ctx context.Context, names ...string) (Secrets, error) {
	return s.get(ctx, opGet, names, false)
}

// Require is Get for names that must exist: if any is missing, it returns an
// error matching [ErrNotFound] that names every missing one.
func (s *Store) Require(ctx context.Context, names ...string) (Secrets, error) {
	return s.get(ctx, opRequire, names, false)
}

// Refresh reads names from the backend, bypassing the cache, and updates the
// cache with what it read (unless a write to a name overtook the read): a
// forced refresh that really refreshes. It never serves a stale value.
// Without a cache it is Get.
func (s *Store) Refresh(ctx context.Context, names ...string) (Secrets, error) {
	return s.get(ctx, opRefresh, names, true)
}

// get reads names for operation o; with fresh, from the backend, refreshing
// the cache, rather than from the cache.
func (s *Store) get(ctx context.Context, o op, names []string, fresh bool) (Secrets, error) {
	if anyField(names) {
		return s.getFields(ctx, o, names, fresh) // fields.go
	}
	if err := s.admit(ctx, o, PermGet, names); err != nil {
		return nil, err
	}
	ctx, sp := s.sh.tel.start(ctx, s.prefix, o, names)
	ss, cached, err := s.getValid(ctx, o, names, fresh)
	ss, err = s.requireAll(o, names, ss, err)
	s.sh.tel.finish(ctx, sp, o, names, cached, err)
	return ss, err
}

// requireAll turns a Require whose answer lacks names into an ErrNotFound
// naming each missing one once; other operations pass through.
func (s *Store) requireAll(o op, names []string, ss Secrets, err error) (Secrets, error) {
	if o != opRequire || err != nil {
		return ss, err
	}
	var missing []string
	for _, n := range names {
		if _, ok := ss[n]; !ok && !contains(missing, n) {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		return nil, s.newError(o.String(), missing, driver.NotFound, nil)
	}
	return ss, nil
}

func (s *Store) getValid(ctx context.Context, o op, names []string, fresh bool) (ss Secrets, cached bool, err error) {
	if err := ctx.Err(); err != nil {
		return nil, false, s.wrap(o.String(), cloneNames(names), err)
	}
	ss = make(Secrets, len(names))
	if c := s.sh.cache; c != nil {
		// Refresh reads the backend whatever the cache holds, through a
		// flight of its own that detaches any older one.
		misses, mode := names, loadFresh
		if !fresh {
			misses, mode = c.fill(s.prefix, names, ss), loadRead
			if len(misses) == 0 {
				return ss, true, nil
			}
		}
		misses = dedupe(misses)
		keys := s.keys(misses)
		vals, err := s.load(ctx, o, keys, mode)
		if err != nil {
			return nil, false, s.wrap(o.String(), cloneNames(misses), err)
		}
		for i, n := range misses {
			if p := vals[keys[i]]; p != nil {
				ss[n] = Secret{p: p}
			}
		}
		return ss, false, nil
	}
	if lk := s.sh.lookuper; lk != nil && !fresh {
		if err := s.lookupAll(ctx, lk, names, ss); err != nil {
			return nil, false, s.wrap(o.String(), cloneNames(names), err)
		}
		return ss, false, nil
	}
	uniq := dedupe(names)
	keys := s.keys(uniq)
	m, err := s.fetch(ctx, o, keys)
	if err != nil {
		return nil, false, s.wrap(o.String(), cloneNames(uniq), err)
	}
	for i, n := range uniq {
		if v, ok := m[keys[i]]; ok {
			ss[n] = Secret{p: &v}
		}
	}
	return ss, false, nil
}

// lookupAll reads names from a driver's in-memory fast path into ss. The
// buffers handed to the driver come from a pool, so that neither the caller's
// variadic names nor the buffers escape to the heap.
func (s *Store) lookupAll(ctx context.Context, lk driver.Lookuper, names []string, ss Secrets) error {
	if len(names) == 1 || s.prefix == "" {
		// Name by name: no buffers, and the caller's names are the keys.
		for _, n := range names {
			p, err := lk.Lookup(ctx, s.key(n))
			if err != nil {
				return err
			}
			if p != nil {
				s.observe(p)
				ss[n] = Secret{p: p}
			}
		}
		return nil
	}
	b := lookupBufs.Get().(*lookupBuf)
	defer b.release()
	for _, n := range names {
		b.keys = append(b.keys, s.key(n))
		b.vals = append(b.vals, nil)
	}
	if err := lk.LookupAll(ctx, b.keys, b.vals); err != nil {
		return err
	}
	for i, n := range names {
		if p := b.vals[i]; p != nil {
			s.observe(p)
			ss[n] = Secret{p: p}
		}
	}
	return nil
}

type lookupBuf struct {
	keys []string
	vals []*string
}

var lookupBufs = sync.Pool{New: func() any { return new(lookupBuf) }}

// release clears the buffers, so that the pool holds no secret, and returns
// them to the pool.
func (b *lookupBuf) release() {
	clear(b.keys)
	clear(b.vals)
	b.keys, b.vals = b.keys[:0], b.vals[:0]
	lookupBufs.Put(b)
}

// keys returns the full names of names, in a new slice the driver may keep.
func (s *Store) keys(names []string) []string {
	keys := make([]string, len(names))
	for i, n := range names {
		keys[i] = s.key(n)
	}
	return keys
}

// fetch is the one place a read reaches the driver's Get.
func (s *Store) fetch(ctx context.Context, o op, keys []string) (map[string]string, error) {
	start := time.Now()
	m, err := s.sh.drv.Get(ctx, keys)
	s.sh.tel.timeBackend(ctx, o, start, err)
	if k := s.sh.known; k != nil {
		for _, v := range m {
			k.Add(v)
		}
	}
	return m, err
}

// observe tells the known-values registry, if any, of a value read from a
// driver's in-memory fast path.
func (s *Store) observe(p *string) {
	if k := s.sh.known; k != nil && p != nil {
		k.Add(*p)
	}
}

// cacheWrite tells the cache, if any, that a write of key is about to reach
// the backend, and returns the function to call when it has returned: with
// the value written (nil for a removal) and whether to forget the name
// instead (the write failed, and may or may not have happened).
func (s *Store) cacheWrite(key string) (done func(val *string, forget bool)) {
	c := s.sh.cache
	if c == nil {
		return func(*string, bool) {}
	}
	c.beginWrite(key)
	return func(val *string, forget bool) { c.endWrite(key, val, forget) }
}

// load reads keys through the cache's coalescing of concurrent misses.
func (s *Store) load(ctx context.Context, o op, keys []string, mode loadMode) (map[string]*string, error) {
	return s.sh.cache.load(ctx, keys, mode, func(ctx context.Context, keys []string) (map[string]string, error) {
		return s.fetch(ctx, o, keys)
	}, func(key string, err error) {
		s.sh.logger.LogAttrs(ctx, slog.LevelWarn, "secretstore serving a stale value: backend failed",
			slog.String("store", s.sh.name), slog.String("name", key), slog.String("error", err.Error()))
	})
}

// Set creates or replaces the secret called name. It requires [EnableSet].
// Any bytes are kept exactly; only a backend's documented limit refuses a
// value, with [ErrInvalidValue]. With a cache, the new value is written
// through.
func (s *Store) Set(ctx context.Context, name, value string) error {
	if hasField(name) {
		return s.writeField(ctx, opSet, PermSet, name, &value) // fields.go
	}
	return s.write(ctx, opSet, PermSet, name, &value)
}

// Remove deletes the secret called name. It requires [EnableRemove]. Removing
// a name that does not exist is not an error.
func (s *Store) Remove(ctx context.Context, name string) error {
	if hasField(name) {
		return s.writeField(ctx, opRemove, PermRemove, name, nil) // fields.go
	}
	return s.write(ctx, opRemove, PermRemove, name, nil)
}

func (s *Store) write(ctx context.Context, o op, need Perm, name string, val *string) error {
	names := []string{name}
	if err := s.admit(ctx, o, need, names); err != nil {
		return err
	}
	ctx, sp := s.sh.tel.start(ctx, s.prefix, o, names)
	s.observe(val) // known before it reaches the backend, or any error about it
	key := s.key(name)
	start := time.Now()
	err := ctx.Err() // nothing reaches the backend on a canceled context
	if err == nil {
		done := s.cacheWrite(key)
		if val != nil {
			err = s.sh.drv.Set(ctx, key, *val)
		} else {
			err = s.sh.drv.Remove(ctx, key)
		}
		// Even a failed write may have reached the backend: forget the name.
		done(val, err != nil)
	}
	s.sh.tel.timeBackend(ctx, o, start, err)
	err = s.wrap(o.String(), names, err)
	s.sh.tel.finish(ctx, sp, o, names, false, err)
	return err
}

// List returns the names in this view that start with prefix (all names when
// prefix is empty), without the view's own prefix, sorted as the driver
// returns them. It requires the get permission and a driver that implements
// [driver.Lister]; otherwise it returns an error matching [ErrNotSupported].
func (s *Store) List(ctx context.Context, prefix string) ([]string, error) {
	names := []string{prefix}
	err := s.check(opList, PermGet, names)
	if reason := checkName(prefix, true); err == nil && prefix != "" && reason != "" {
		err = s.newError(opList.String(), names, driver.InvalidName, errors.New("invalid name prefix: "+reason))
	}
	l, ok := s.sh.drv.(driver.Lister)
	if err == nil && !ok {
		err = s.newError(opList.String(), names, driver.NotSupported, errors.New("the driver cannot list names"))
	}
	if err != nil {
		s.sh.tel.reject(ctx, s.prefix, opList, names, err)
		return nil, err
	}
	ctx, sp := s.sh.tel.start(ctx, s.prefix, opList, names)
	full := s.prefix + prefix
	start := time.Now()
	got, err := l.List(ctx, full)
	s.sh.tel.timeBackend(ctx, opList, start, err)
	var out []string
	if err == nil {
		out = make([]string, 0, len(got))
		for _, n := range got {
			// Never trust a driver to stay inside the view.
			if strings.HasPrefix(n, full) && len(n) > len(s.prefix) {
				out = append(out, n[len(s.prefix):])
			}
		}
	}
	err = s.wrap(opList.String(), names, err)
	s.sh.tel.finish(ctx, sp, opList, names, false, err)
	return out, err
}

// Scope returns a tenant view: every name it is given gets prefix in front
// (for example Scope("tenant:acme:") makes "stripeApiKey" mean
// "tenant:acme:stripeApiKey"). No name given to the view can reach outside the
// prefix: names are validated on their own, so "..", "/x" and the like are
// refused, and the full name is validated again. The view has its parent's
// permissions and cache; scopes nest. The prefix must be a valid start of a
// name: non-empty, of the name alphabet, with no empty, "." or ".." level.
//
// A view of a closed store or view is closed, and closing a store or a view
// closes every view made from it, before or after.
func (s *Store) Scope(prefix string) (*Store, error) {
	if s.isClosed() {
		return nil, s.newError("scope", []string{prefix}, driver.Closed, nil)
	}
	full := s.prefix + prefix
	reason := checkName(prefix, true)
	if reason == "" {
		reason = checkName(full, true)
	}
	if reason == "" && len(full) >= MaxNameLen {
		reason = "leaves no room for a name"
	}
	if reason != "" {
		return nil, s.newError("scope", []string{prefix}, driver.InvalidName, errors.New("invalid scope prefix: "+reason))
	}
	return s.derive(full, s.perms), nil
}

// Narrow returns a view that permits only the operations in p that this view
// permits as well: it can take permissions away, never add them. For example
// s.Narrow(PermGet) is a read-only view of s. A Narrow of a closed store or
// view is closed, and it closes when s closes.
func (s *Store) Narrow(p Perm) *Store {
	return s.derive(s.prefix, s.perms&p)
}

// derive returns a view of s: it closes when s, or anything s was made from,
// closes.
func (s *Store) derive(prefix string, perms Perm) *Store {
	return &Store{sh: s.sh, parent: s, prefix: prefix, perms: perms, view: true, done: make(chan struct{})}
}

// Close releases the store. On a store made by [New] or [Open] it closes the
// driver and stops the cache, and every view of it returns [ErrClosed] from
// then on. On a view made by Scope or Narrow it closes that view and every
// view made from it (before or after), not its parent. Either way, the
// watches started from what it closes end (see [Store.Watch]). Close is
// idempotent.
func (s *Store) Close() error {
	if s.closed.CompareAndSwap(false, true) {
		close(s.done)
	}
	if s.view {
		return nil
	}
	sh := s.sh
	sh.once.Do(func() {
		sh.closed.Store(true)
		if sh.cache != nil {
			sh.cache.close()
		}
		sh.tel.close()
		if sh.keepOpen {
			return
		}
		if err := sh.drv.Close(); err != nil {
			sh.closeErr = s.wrap("close", nil, err)
		}
	})
	return sh.closeErr
}

func cloneNames(names []string) []string { return append([]string(nil), names...) }

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// dedupe returns names without repeats, in order: names itself when it has
// none, so the common case allocates nothing.
func dedupe(names []string) []string {
	var seen map[string]struct{}
	if len(names) > 16 {
		seen = make(map[string]struct{}, len(names))
	}
	var out []string
	for i, n := range names {
		dup := false
		if seen != nil {
			_, dup = seen[n]
			seen[n] = struct{}{}
		} else {
			dup = contains(names[:i], n)
		}
		switch {
		case dup && out == nil:
			out = append(make([]string, 0, len(names)), names[:i]...)
		case !dup && out != nil:
			out = append(out, n)
		}
	}
	if out == nil {
		return names
	}
	return out
}

type ctxKey struct{}

// NewContext returns a context that carries s, so that handlers deep in a
// call chain reach their service's store with [FromContext] instead of a
// global or an extra parameter.
func NewContext(ctx context.Context, s *Store) context.Context {
	return context.WithValue(ctx, ctxKey{}, s)
}

// FromContext returns the store that [NewContext] put in ctx.
func FromContext(ctx context.Context) (*Store, bool) {
	s, ok := ctx.Value(ctxKey{}).(*Store)
	return s, ok && s != nil
}

package secretstore

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"math/big"
	"sync/atomic"
	"time"

	"github.com/secretstore-go/secretstore/driver"
)

// WatchOptions configures [Store.Watch]. Zero values mean the defaults.
type WatchOptions struct {
	// Interval between polls (default 30 seconds).
	Interval time.Duration
	// Jitter spreads polls by up to this fraction of Interval either way,
	// so that many instances do not poll in step (default 0.1; negative:
	// none).
	Jitter float64
	// MaxBackoff bounds the wait after consecutive failed polls, which
	// doubles from Interval (default 5 minutes).
	MaxBackoff time.Duration
}

func (o *WatchOptions) withDefaults() {
	if o.Interval <= 0 {
		o.Interval = 30 * time.Second
	}
	if o.Jitter == 0 {
		o.Jitter = 0.1
	}
	if o.Jitter < 0 {
		o.Jitter = 0
	}
	if o.MaxBackoff < o.Interval {
		o.MaxBackoff = max(5*time.Minute, o.Interval)
	}
}

// Change is an event from [Store.Watch]: a watched name whose value changed,
// or a failed poll. It never carries a value.
type Change struct {
	// Name is the watched name that changed, as given to Watch ("" for an
	// error).
	Name string
	// Exists says whether the name exists after the change (false: it was
	// removed).
	Exists bool
	// Err reports a failed poll; the watch goes on, backing off.
	Err error
}

// Watch polls names and sends a [Change] on the returned channel whenever a
// value changes, appears or disappears. With a driver whose backend pushes
// changes ([driver.Watcher], such as etcd), it reads names only when the
// backend reports a change, instead of polling. Changes are detected by comparing an
// HMAC of each value under a key made for this watch, so the watch keeps no
// value. Every poll reads the backend and refreshes the cache, so readers see
// the new value at once.
//
// Watch reads names once before it returns (an error then is returned), so
// that a change made after Watch returns is never missed. It polls every
// Interval, with jitter; after a failed poll it sends a Change with Err and
// waits twice as long each time, up to MaxBackoff. The watch ends, and the
// channel is closed, when ctx ends or when s closes (by its own Close or by
// the Close of the store or view it was made from); a watch never outlives
// its store. A slow receiver delays polling; it does not lose changes.
// Watch requires the get permission.
func (s *Store) Watch(ctx context.Context, names []string, o WatchOptions) (<-chan Change, error) {
	if err := s.admit(ctx, opWatch, PermGet, names); err != nil {
		return nil, err
	}
	names = dedupe(cloneNames(names))
	o.withDefaults()
	w := &watcher{s: s, names: names, opts: o, key: make([]byte, 32), last: make(map[string][]byte, len(names))}
	if _, err := rand.Read(w.key); err != nil {
		return nil, err
	}
	if _, err := w.poll(ctx); err != nil {
		return nil, err
	}
	ch := make(chan Change, len(names)+1)
	ctx, stop := s.closing(ctx)
	go func() {
		defer stop()
		w.run(ctx, ch)
	}()
	return ch, nil
}

// closing returns a context that ends with ctx or when s closes (its own
// Close or that of any store or view it was made from), and a function to
// release it, which ends the goroutines that wait for the closes.
func (s *Store) closing(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(ctx)
	for v := s; v != nil; v = v.parent {
		go func(done <-chan struct{}) {
			select {
			case <-done:
				cancel()
			case <-ctx.Done():
			}
		}(v.done)
	}
	return ctx, cancel
}

// ended reports whether a watch must stop: its context ended or its store
// closed.
func (w *watcher) ended(ctx context.Context) bool {
	return ctx.Err() != nil || w.s.isClosed()
}

type watcher struct {
	s     *Store
	names []string
	opts  WatchOptions
	key   []byte
	last  map[string][]byte // name -> HMAC of its value; absent: missing
}

// poll reads every name (bypassing and refreshing the cache) and returns the
// changes since the previous poll.
func (w *watcher) poll(ctx context.Context) ([]Change, error) {
	ss, err := w.s.get(ctx, opWatch, w.names, true)
	if err != nil {
		return nil, err
	}
	var changes []Change
	for _, n := range w.names {
		old, had := w.last[n]
		sec, has := ss[n]
		var sum []byte
		if has {
			m := hmac.New(sha256.New, w.key)
			m.Write([]byte(sec.Reveal()))
			sum = m.Sum(nil)
			w.last[n] = sum
		} else {
			delete(w.last, n)
		}
		if had != has || (has && !hmac.Equal(old, sum)) {
			changes = append(changes, Change{Name: n, Exists: has})
		}
	}
	return changes, nil
}

func (w *watcher) run(ctx context.Context, ch chan<- Change) {
	defer close(ch)
	if dw, ok := w.s.sh.drv.(driver.Watcher); ok {
		w.push(ctx, ch, dw)
		return
	}
	wait := w.opts.Interval
	t := time.NewTimer(w.jitter(wait))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		changes, err := w.poll(ctx)
		if err != nil {
			if w.ended(ctx) {
				return
			}
			changes = []Change{{Err: err}}
			wait = min(wait*2, w.opts.MaxBackoff)
		} else {
			wait = w.opts.Interval
		}
		if !deliver(ctx, ch, changes) {
			return
		}
		t.Reset(w.jitter(wait))
	}
}

// push serves a watch from a driver that pushes changes: every notification
// (and the driver's ready, which may follow changes it could not see) leads
// to one read of all the names, compared with the last; notifications that
// arrive meanwhile are merged into the next read. A failed driver watch or
// read is reported, and retried after a backoff.
func (w *watcher) push(ctx context.Context, ch chan<- Change, dw driver.Watcher) {
	keys := w.s.keys(w.names)
	wake := make(chan struct{}, 1)
	notify := func() {
		select {
		case wake <- struct{}{}:
		default:
		}
	}
	errs := make(chan error)
	go func() {
		wait := w.opts.Interval
		for {
			var healthy atomic.Bool
			err := dw.Watch(ctx, keys, func() { healthy.Store(true); notify() }, func(string) { notify() })
			if w.ended(ctx) {
				return
			}
			if err == nil {
				err = errors.New("the backend's watch ended")
			}
			select {
			case errs <- w.s.wrap(opWatch.String(), w.names, err):
			case <-ctx.Done():
				return
			}
			if healthy.Load() {
				wait = w.opts.Interval
			} else {
				wait = min(wait*2, w.opts.MaxBackoff)
			}
			if !sleep(ctx, w.jitter(wait)) {
				return
			}
		}
	}()
	retry := time.NewTimer(time.Hour)
	retry.Stop()
	defer retry.Stop()
	wait := w.opts.Interval
	for {
		var changes []Change
		select {
		case <-ctx.Done():
			return
		case err := <-errs:
			if w.ended(ctx) {
				return
			}
			changes = []Change{{Err: err}}
		case <-retry.C:
			notify()
			continue
		case <-wake:
			var err error
			changes, err = w.poll(ctx)
			if err != nil {
				if w.ended(ctx) {
					return
				}
				changes = []Change{{Err: err}}
				retry.Reset(w.jitter(wait))
				wait = min(wait*2, w.opts.MaxBackoff)
			} else {
				wait = w.opts.Interval
			}
		}
		if !deliver(ctx, ch, changes) {
			return
		}
	}
}

// deliver sends changes in order; it reports false when ctx ended first.
func deliver(ctx context.Context, ch chan<- Change, changes []Change) bool {
	for _, c := range changes {
		select {
		case ch <- c:
		case <-ctx.Done():
			return false
		}
	}
	return true
}

// sleep waits for d, or less if ctx ends first; it reports whether ctx is
// still live.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// jitter returns d moved by up to Jitter·d either way.
func (w *watcher) jitter(d time.Duration) time.Duration {
	span := int64(float64(d) * w.opts.Jitter)
	if span <= 0 {
		return d
	}
	n, err := rand.Int(rand.Reader, big.NewInt(2*span+1))
	if err != nil {
		return d
	}
	return d + time.Duration(n.Int64()-span)
}

package secretstore_test

import (
	"context"
	"crypto/rand"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/secretstore-go/secretstore"
	"github.com/secretstore-go/secretstore/driver"
	"github.com/secretstore-go/secretstore/memstore"
)

func TestVersions(t *testing.T) {
	ctx := context.Background()
	s := secretstore.New(memstore.New(nil), secretstore.EnableSet(true), secretstore.WithLogger(nil))
	v, err := s.Versions(ctx, "signingKey")
	if err != nil || v.HasCurrent || v.HasPrevious {
		t.Fatalf("never-set name: %+v, %v", v, err)
	}
	s.Set(ctx, "signingKey", "k1")
	s.Set(ctx, "signingKey", "k2")
	v, err = s.Versions(ctx, "signingKey")
	if err != nil || v.Current.Reveal() != "k2" || v.Previous.Reveal() != "k1" {
		t.Fatalf("Versions after two sets: %v", err)
	}
	for c, want := range map[string]bool{"k1": true, "k2": true, "k0": false, "": false} {
		if v.Accepts(c) != want {
			t.Errorf("Accepts(%q) = %v", c, !want)
		}
	}
	ro := secretstore.New(readOnlyDriver{memstore.New(nil)}, secretstore.WithLogger(nil))
	if _, err := ro.Versions(ctx, "x"); !errors.Is(err, secretstore.ErrNotSupported) {
		t.Fatalf("Versions on a driver without versions: %v", err)
	}
	noGet := secretstore.New(memstore.New(nil), secretstore.EnableGet(false), secretstore.WithLogger(nil))
	if _, err := noGet.Versions(ctx, "x"); !errors.Is(err, secretstore.ErrDisabled) {
		t.Fatalf("Versions without get permission: %v", err)
	}
}

// readOnlyDriver has no optional capability at all.
type readOnlyDriver struct{ d *memstore.Store }

func (r readOnlyDriver) Get(ctx context.Context, n []string) (map[string]string, error) {
	return r.d.Get(ctx, n)
}
func (r readOnlyDriver) Set(ctx context.Context, n, v string) error { return r.d.Set(ctx, n, v) }
func (r readOnlyDriver) Remove(ctx context.Context, n string) error { return r.d.Remove(ctx, n) }
func (r readOnlyDriver) Close() error                               { return nil }

func TestRotate(t *testing.T) {
	ctx := context.Background()
	mem := memstore.New(map[string]string{"hmacKey": "old"})
	// Set only: rotating needs no read permission, and shows no old value.
	s := secretstore.New(mem, secretstore.EnableGet(false), secretstore.EnableSet(true), secretstore.WithLogger(nil))
	var seen []byte
	sec, err := s.Rotate(ctx, "hmacKey", func(r io.Reader) (string, error) {
		seen = make([]byte, 8)
		_, err := io.ReadFull(r, seen)
		return "new-key", err
	})
	if err != nil || sec.Reveal() != "new-key" {
		t.Fatalf("Rotate: %v", err)
	}
	cur, prev, _ := mem.GetVersions(ctx, "hmacKey")
	if *cur != "new-key" || *prev != "old" {
		t.Fatal("Rotate did not write the new value over the old one")
	}
	if _, err := secretstore.New(mem, secretstore.WithLogger(nil)).Rotate(ctx, "hmacKey", secretstore.RandomValue(8, secretstore.Alphanumeric)); !errors.Is(err, secretstore.ErrDisabled) {
		t.Fatalf("Rotate without set permission: %v", err)
	}
	_, err = s.Rotate(ctx, "hmacKey", func(io.Reader) (string, error) { return "", errors.New("leaky: PARTIAL-VALUE") })
	if err == nil || strings.Contains(err.Error(), "PARTIAL-VALUE") {
		t.Fatalf("a generator's error reached the caller: %v", err)
	}
}

// racer changes the value between Rotate's read and its write.
type racer struct {
	*memstore.Store
	once sync.Once
}

func (r *racer) Get(ctx context.Context, names []string) (map[string]string, error) {
	m, err := r.Store.Get(ctx, names)
	r.once.Do(func() { r.Store.Set(ctx, names[0], "someone-else") })
	return m, err
}

func (r *racer) Lookup() {}

func TestRotateConflict(t *testing.T) {
	ctx := context.Background()
	d := &racer{Store: memstore.New(map[string]string{"k": "v0"})}
	s := secretstore.New(d, secretstore.EnableSet(true), secretstore.WithLogger(nil))
	_, err := s.Rotate(ctx, "k", secretstore.RandomValue(16, secretstore.URLSafe))
	if !errors.Is(err, secretstore.ErrConflict) {
		t.Fatalf("a concurrent rotation was overwritten: %v", err)
	}
	ss, _ := s.Get(ctx, "k")
	if ss.Reveal("k") != "someone-else" {
		t.Fatal("the winner's value does not stand")
	}
}

func TestRandomValue(t *testing.T) {
	v, err := secretstore.RandomValue(4000, "ab")(rand.Reader)
	if err != nil || len(v) != 4000 || strings.Trim(v, "ab") != "" {
		t.Fatalf("RandomValue: %d bytes, %v", len(v), err)
	}
	if a := strings.Count(v, "a"); a < 1700 || a > 2300 { // p < 1e-15 for a fair coin
		t.Fatalf("RandomValue is biased: %d of 4000 are 'a'", a)
	}
	if _, err := secretstore.RandomValue(0, "ab")(rand.Reader); err == nil {
		t.Fatal("a zero length was accepted")
	}
	if _, err := secretstore.RandomValue(3, "a")(rand.Reader); err == nil {
		t.Fatal("a one-letter alphabet was accepted")
	}
	b, err := secretstore.RandomBytes(32)(rand.Reader)
	if err != nil || len(b) != 32 {
		t.Fatal(err)
	}
}

func TestWatch(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	mem := memstore.New(map[string]string{"a": "1", "b": "2"})
	s := secretstore.New(mem, secretstore.WithLogger(nil), secretstore.WithCache(secretstore.CacheOptions{TTL: time.Hour}))
	defer s.Close()
	s.Get(ctx, "a") // cached: the watch must refresh it
	ch, err := s.Watch(ctx, []string{"a", "b", "c", "a"}, secretstore.WatchOptions{Interval: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	mem.Set(ctx, "a", "rotated-VALUE")
	c := <-ch
	if c.Name != "a" || !c.Exists || c.Err != nil {
		t.Fatalf("first change: %+v", c)
	}
	if sec, _, _ := s.Lookup(ctx, "a"); sec.Reveal() != "rotated-VALUE" {
		t.Fatal("the watch did not refresh the cache")
	}
	mem.Remove(ctx, "b")
	mem.Set(ctx, "c", "new")
	got := map[string]bool{}
	for len(got) < 2 {
		c := <-ch
		got[c.Name] = c.Exists
	}
	if got["b"] != false || got["c"] != true {
		t.Fatalf("removal and creation: %v", got)
	}
	cancel()
	for range ch { // closed when the context ends
	}
}

// flaky fails its reads while down is set.
type flaky struct {
	*memstore.Store
	mu   sync.Mutex
	down bool
}

func (f *flaky) Get(ctx context.Context, n []string) (map[string]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		return nil, driver.Errorf(driver.Unavailable, "backend down")
	}
	return f.Store.Get(ctx, n)
}

func (f *flaky) Lookup() {}

func TestWatchSurvivesErrors(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	d := &flaky{Store: memstore.New(map[string]string{"a": "1"})}
	s := secretstore.New(d, secretstore.WithLogger(nil))
	ch, err := s.Watch(ctx, []string{"a"}, secretstore.WatchOptions{Interval: time.Millisecond, MaxBackoff: 4 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	d.mu.Lock()
	d.down = true
	d.mu.Unlock()
	c := <-ch
	if !errors.Is(c.Err, secretstore.ErrUnavailable) || c.Name != "" {
		t.Fatalf("a failed poll: %+v", c)
	}
	d.mu.Lock()
	d.down = false
	d.Store.Set(ctx, "a", "2")
	d.mu.Unlock()
	for c := range ch {
		if c.Err == nil {
			if c.Name != "a" {
				t.Fatalf("after recovery: %+v", c)
			}
			break
		}
	}
	// Watch refuses what the store refuses.
	if _, err := s.Watch(ctx, []string{"../x"}, secretstore.WatchOptions{}); !errors.Is(err, secretstore.ErrInvalidName) {
		t.Fatalf("Watch of an invalid name: %v", err)
	}
	d.mu.Lock()
	d.down = true
	d.mu.Unlock()
	if _, err := s.Watch(ctx, []string{"a"}, secretstore.WatchOptions{}); !errors.Is(err, secretstore.ErrUnavailable) {
		t.Fatalf("Watch whose first read fails: %v", err)
	}
}

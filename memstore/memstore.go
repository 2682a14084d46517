// Package memstore is an in-memory secret store driver, for tests and local
// development only: it is not persistent, and its values live in the
// process's memory in the clear. Use it as the reference uses its
// DefaultSecretStore; in production, use a real backend (filestore on one
// machine, or a secret manager).
//
// It implements [driver.Lookuper], so a one-name Lookup through the portable
// Store performs no allocation, [driver.Lister], [driver.Versioner] (the value
// before the last Set) and [driver.Swapper].
//
// # URLs
//
// The root package opens "mem://" as an empty memstore; there are no query
// parameters.
package memstore

import (
	"context"
	"sort"
	"strings"
	"sync"

	"github.com/secretstore-go/secretstore/driver"
	"github.com/secretstore-go/secretstore/internal/snapmap"
)

// Scheme is the URL scheme under which the portable package opens an empty
// in-memory store: "mem://" takes no host, path or parameter.
const Scheme = "mem"

// Store is the in-memory driver. The zero value is not ready; use New.
//
// Reads take no lock and write no memory shared between cores: each name
// maps, in a copy-on-write [snapmap.Map], to an immutable entry holding its
// current and previous value, which a write replaces whole. Writers are
// serialised, and a write copies about 1/64 of the names. A many-name read
// sees each name as of some moment during the call.
type Store struct {
	mu sync.Mutex           // serialises writers
	m  *snapmap.Map[*entry] // name -> *entry
}

type entry struct {
	cur  *string
	prev *string // the value before the last Set that changed it
}

var (
	_ driver.Store     = (*Store)(nil)
	_ driver.Lookuper  = (*Store)(nil)
	_ driver.Lister    = (*Store)(nil)
	_ driver.Versioner = (*Store)(nil)
	_ driver.Swapper   = (*Store)(nil)
)

// New returns a store holding a copy of seed (which may be nil). Names in seed
// that break the portable name grammar cannot be reached through the portable
// Store.
func New(seed map[string]string) *Store {
	s := &Store{m: snapmap.New[*entry]()}
	tx := s.m.Tx()
	for k, v := range seed {
		tx.Set(k, &entry{cur: &v})
	}
	tx.Commit()
	return s
}

func (s *Store) load(name string) *entry {
	e, _ := s.m.Load(name)
	return e
}

// Get returns the values of the names that exist.
func (s *Store) Get(ctx context.Context, names []string) (map[string]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := make(map[string]string, len(names))
	for _, n := range names {
		if e := s.load(n); e != nil {
			out[n] = *e.cur
		}
	}
	return out, nil
}

// Lookup returns a pointer to the value of name, or nil. It takes no lock,
// writes nothing and does not allocate, and, as a read from memory never blocks, it does not
// consult ctx (the portable Store checks it before calling).
func (s *Store) Lookup(_ context.Context, name string) (*string, error) {
	if e := s.load(name); e != nil {
		return e.cur, nil
	}
	return nil, nil
}

// LookupAll sets vals[i] to the value of names[i], or nil. It takes no lock,
// writes nothing and does not allocate.
func (s *Store) LookupAll(_ context.Context, names []string, vals []*string) error {
	for i, n := range names {
		vals[i] = nil
		if e := s.load(n); e != nil {
			vals[i] = e.cur
		}
	}
	return nil
}

// Set stores a copy of value under name, keeping the value it replaces as the
// previous one; setting the value a name already has changes nothing. Values
// handed out by Lookup never change: a write replaces the entry.
func (s *Store) Set(ctx context.Context, name, value string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	s.setLocked(name, value)
	s.mu.Unlock()
	return nil
}

func (s *Store) setLocked(name, value string) {
	old := s.load(name)
	switch {
	case old == nil:
		s.m.Set(name, &entry{cur: &value})
	case *old.cur != value: // the same value: the previous one stays (driver.Versioner)
		s.m.Set(name, &entry{cur: &value, prev: old.cur})
	}
}

// CompareAndSwap sets name to value only if its current value is still old
// (nil: only if it does not exist); otherwise it returns a driver.Conflict
// error and changes nothing.
func (s *Store) CompareAndSwap(ctx context.Context, name string, old *string, value string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var cur *string
	if e := s.load(name); e != nil {
		cur = e.cur
	}
	if (cur == nil) != (old == nil) || (cur != nil && *cur != *old) {
		return driver.Errorf(driver.Conflict, "the value changed since it was read")
	}
	s.setLocked(name, value)
	return nil
}

// GetVersions returns the current value of name and the one before the last
// Set that changed it. Remove forgets both.
func (s *Store) GetVersions(ctx context.Context, name string) (current, previous *string, err error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	if e := s.load(name); e != nil {
		return e.cur, e.prev, nil
	}
	return nil, nil, nil
}

// Remove deletes name; a missing name is not an error.
func (s *Store) Remove(ctx context.Context, name string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	s.m.Delete(name)
	s.mu.Unlock()
	return nil
}

// List returns the names that start with prefix, sorted.
func (s *Store) List(ctx context.Context, prefix string) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []string
	s.m.Range(func(n string, _ *entry) bool {
		if strings.HasPrefix(n, prefix) {
			out = append(out, n)
		}
		return true
	})
	sort.Strings(out)
	return out, nil
}

// Close does nothing; the store stays usable by the driver interface, but the
// portable Store refuses calls after its Close.
func (s *Store) Close() error { return nil }

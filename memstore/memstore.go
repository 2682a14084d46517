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
	"maps"
	"sort"
	"strings"
	"sync"

	"github.com/secretstore-go/secretstore/driver"
)

// Store is the in-memory driver. The zero value is not ready; use New.
type Store struct {
	mu   sync.RWMutex
	m    map[string]*string
	prev map[string]*string // the value each name had before its last Set
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
	s := &Store{m: make(map[string]*string, len(seed)), prev: make(map[string]*string)}
	for k, v := range seed {
		s.m[k] = &v
	}
	return s
}

// Get returns the values of the names that exist.
func (s *Store) Get(ctx context.Context, names []string) (map[string]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := make(map[string]string, len(names))
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, n := range names {
		if p := s.m[n]; p != nil {
			out[n] = *p
		}
	}
	return out, nil
}

// Lookup returns a pointer to the value of name, or nil. It does not allocate,
// and, as a read from memory never blocks, it does not consult ctx (the
// portable Store checks it before calling).
func (s *Store) Lookup(_ context.Context, name string) (*string, error) {
	s.mu.RLock()
	p := s.m[name]
	s.mu.RUnlock()
	return p, nil
}

// LookupAll sets vals[i] to the value of names[i], or nil, under one read
// lock. It does not allocate.
func (s *Store) LookupAll(_ context.Context, names []string, vals []*string) error {
	s.mu.RLock()
	for i, n := range names {
		vals[i] = s.m[n]
	}
	s.mu.RUnlock()
	return nil
}

// Set stores a copy of value under name. It replaces the pointer rather than
// the string it points to, so values handed out by Lookup never change.
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
	old := s.m[name]
	if old != nil && *old == value {
		return // the same value: the previous one stays (driver.Versioner)
	}
	if old != nil {
		s.prev[name] = old
	}
	s.m[name] = &value
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
	cur := s.m[name]
	if (cur == nil) != (old == nil) || (cur != nil && *cur != *old) {
		return driver.Errorf(driver.Conflict, "the value changed since it was read")
	}
	s.setLocked(name, value)
	return nil
}

// GetVersions returns the current value of name and the one before its last
// Set. Remove forgets both.
func (s *Store) GetVersions(ctx context.Context, name string) (current, previous *string, err error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.m[name], s.prev[name], nil
}

// Remove deletes name; a missing name is not an error.
func (s *Store) Remove(ctx context.Context, name string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	delete(s.m, name)
	delete(s.prev, name)
	s.mu.Unlock()
	return nil
}

// List returns the names that start with prefix, sorted.
func (s *Store) List(ctx context.Context, prefix string) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	var out []string
	for k := range maps.Keys(s.m) {
		if strings.HasPrefix(k, prefix) {
			out = append(out, k)
		}
	}
	s.mu.RUnlock()
	sort.Strings(out)
	return out, nil
}

// Close does nothing; the store stays usable by the driver interface, but the
// portable Store refuses calls after its Close.
func (s *Store) Close() error { return nil }

// Package snapmap is a string-keyed map whose reads write no memory shared
// between cores, for the read paths that every core takes at once (the
// portable cache and memstore).
//
// The entries live in 64 shards, each an immutable Go map behind an atomic
// pointer. A read is a hash of the key, an atomic load and a map read: no
// lock, no counter, nothing that moves a cache line from core to core. A write
// publishes a modified copy of the shards it touches (copy-on-write), so it
// costs a copy of about 1/64 of the entries per shard touched; a [Tx] batches
// several changes into one copy of each shard. Writers must be serialised by
// the caller (a mutex); readers need nothing.
package snapmap

import (
	"hash/maphash"
	"sync/atomic"
)

const (
	shardBits = 6
	nShards   = 1 << shardBits
)

// Map is a string-keyed map with lock-free, write-free reads. Make one with
// [New]; the zero value is not ready.
type Map[V any] struct {
	seed   maphash.Seed
	n      atomic.Int64 // entries, kept by writers
	shards [nShards]shard[V]
}

// shard is one immutable map, padded to a cache line of its own so that the
// publication of one shard does not disturb readers of its neighbours.
type shard[V any] struct {
	p atomic.Pointer[map[string]V]
	_ [56]byte
}

// New returns an empty map.
func New[V any]() *Map[V] {
	return &Map[V]{seed: maphash.MakeSeed()}
}

func (m *Map[V]) index(k string) int {
	return int(maphash.String(m.seed, k) >> (64 - shardBits))
}

// Load returns the value of k. It takes no lock, writes nothing and does not
// allocate.
func (m *Map[V]) Load(k string) (v V, ok bool) {
	if p := m.shards[m.index(k)].p.Load(); p != nil {
		v, ok = (*p)[k]
	}
	return v, ok
}

// LoadBytes is Load of string(k), without converting k (nor allocating).
func (m *Map[V]) LoadBytes(k []byte) (v V, ok bool) {
	i := int(maphash.Bytes(m.seed, k) >> (64 - shardBits))
	if p := m.shards[i].p.Load(); p != nil {
		v, ok = (*p)[string(k)]
	}
	return v, ok
}

// Len returns the number of entries.
func (m *Map[V]) Len() int { return int(m.n.Load()) }

// Range calls fn for each entry of a consistent view of each shard, until fn
// returns false.
func (m *Map[V]) Range(fn func(k string, v V) bool) {
	for i := range m.shards {
		if p := m.shards[i].p.Load(); p != nil {
			for k, v := range *p {
				if !fn(k, v) {
					return
				}
			}
		}
	}
}

// Set stores v under k. Writers must be serialised.
func (m *Map[V]) Set(k string, v V) {
	t := m.Tx()
	t.Set(k, v)
	t.Commit()
}

// Delete removes k. Writers must be serialised.
func (m *Map[V]) Delete(k string) {
	t := m.Tx()
	t.Delete(k)
	t.Commit()
}

// Tx is a batch of changes, published shard by shard by Commit. Readers see
// none of them before Commit, and then each shard's changes at once.
type Tx[V any] struct {
	m     *Map[V]
	delta int
	next  [nShards]map[string]V // the shards changed so far, copied
}

// Tx starts a batch. Writers, and so batches, must be serialised.
func (m *Map[V]) Tx() *Tx[V] { return &Tx[V]{m: m} }

func (t *Tx[V]) view(i int) map[string]V {
	if d := t.next[i]; d != nil {
		return d
	}
	if p := t.m.shards[i].p.Load(); p != nil {
		return *p
	}
	return nil
}

// own returns shard i's copy for this batch, making it on first use.
func (t *Tx[V]) own(i int) map[string]V {
	if d := t.next[i]; d != nil {
		return d
	}
	cur := t.view(i)
	d := make(map[string]V, len(cur)+1)
	for k, v := range cur {
		d[k] = v
	}
	t.next[i] = d
	return d
}

// Load returns the value of k as the batch has left it.
func (t *Tx[V]) Load(k string) (v V, ok bool) {
	v, ok = t.view(t.m.index(k))[k]
	return v, ok
}

// Len returns the number of entries as the batch has left them.
func (t *Tx[V]) Len() int { return t.m.Len() + t.delta }

// Set stores v under k.
func (t *Tx[V]) Set(k string, v V) {
	d := t.own(t.m.index(k))
	if _, ok := d[k]; !ok {
		t.delta++
	}
	d[k] = v
}

// Delete removes k.
func (t *Tx[V]) Delete(k string) {
	i := t.m.index(k)
	if _, ok := t.view(i)[k]; !ok {
		return
	}
	delete(t.own(i), k)
	t.delta--
}

// Range calls fn for each entry as the batch has left them, until fn returns
// false. fn may call Delete, of the entry it is given only.
func (t *Tx[V]) Range(fn func(k string, v V) bool) {
	for i := range t.next {
		for k, v := range t.view(i) {
			if !fn(k, v) {
				return
			}
		}
	}
}

// Commit publishes the batch. The Tx must not be used afterwards.
func (t *Tx[V]) Commit() {
	for i, d := range t.next {
		if d != nil {
			t.m.shards[i].p.Store(&d)
		}
	}
	t.m.n.Add(int64(t.delta))
	t.next, t.delta = [nShards]map[string]V{}, 0
}

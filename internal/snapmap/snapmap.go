// Package snapmap is a string-keyed map whose reads write no memory shared
// between cores, for the read paths that every core takes at once (the
// portable cache and memstore).
//
// The entries live in 64 shards, each an immutable open-addressing table
// behind an atomic pointer. A read hashes the key once (the top bits pick the
// shard, the others the slot), loads the shard's pointer and probes: no lock,
// no counter, nothing that moves a cache line from core to core. A write
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

// shard is one immutable table, padded to a cache line of its own so that
// the publication of one shard does not disturb readers of its neighbours.
type shard[V any] struct {
	p atomic.Pointer[table[V]]
	_ [56]byte
}

// table is an immutable open-addressing hash table with linear probing,
// at most half full, so that a probe ends at an empty slot.
type table[V any] struct {
	slots []slot[V]
	mask  uint64
	n     int
}

type slot[V any] struct {
	tag uint64 // the key's hash with its low bit set; 0: empty
	key string
	val V
}

// New returns an empty map.
func New[V any]() *Map[V] {
	return &Map[V]{seed: maphash.MakeSeed()}
}

func (m *Map[V]) hash(k string) uint64 { return maphash.String(m.seed, k) }

func shardOf(h uint64) uint64 { return h >> (64 - shardBits) }

func (t *table[V]) find(h uint64, k string) (v V, ok bool) {
	tag := h | 1
	for i := (h >> 1) & t.mask; ; i = (i + 1) & t.mask {
		s := &t.slots[i]
		if s.tag == tag && s.key == k {
			return s.val, true
		}
		if s.tag == 0 {
			return v, false
		}
	}
}

// Load returns the value of k. It takes no lock, writes nothing and does not
// allocate.
func (m *Map[V]) Load(k string) (v V, ok bool) {
	h := m.hash(k)
	if t := m.shards[shardOf(h)].p.Load(); t != nil {
		return t.find(h, k)
	}
	return v, false
}

// LoadBytes is Load of string(k), without converting k (nor allocating).
func (m *Map[V]) LoadBytes(k []byte) (v V, ok bool) {
	h := maphash.Bytes(m.seed, k)
	t := m.shards[shardOf(h)].p.Load()
	if t == nil {
		return v, false
	}
	tag := h | 1
	for i := (h >> 1) & t.mask; ; i = (i + 1) & t.mask {
		s := &t.slots[i]
		if s.tag == tag && s.key == string(k) {
			return s.val, true
		}
		if s.tag == 0 {
			return v, false
		}
	}
}

// Len returns the number of entries.
func (m *Map[V]) Len() int { return int(m.n.Load()) }

// Range calls fn for each entry of a consistent view of each shard, until fn
// returns false.
func (m *Map[V]) Range(fn func(k string, v V) bool) {
	for i := range m.shards {
		if t := m.shards[i].p.Load(); t != nil {
			for j := range t.slots {
				if s := &t.slots[j]; s.tag != 0 && !fn(s.key, s.val) {
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

// build makes the table of the entries of d.
func build[V any](seed maphash.Seed, d map[string]V) *table[V] {
	if len(d) == 0 {
		return nil
	}
	size := 4
	for size < 2*len(d) {
		size *= 2
	}
	t := &table[V]{slots: make([]slot[V], size), mask: uint64(size - 1), n: len(d)}
	for k, v := range d {
		h := maphash.String(seed, k)
		i := (h >> 1) & t.mask
		for t.slots[i].tag != 0 {
			i = (i + 1) & t.mask
		}
		t.slots[i] = slot[V]{tag: h | 1, key: k, val: v}
	}
	return t
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

// own returns shard i's entries for this batch, copied on first use.
func (t *Tx[V]) own(i uint64) map[string]V {
	if d := t.next[i]; d != nil {
		return d
	}
	cur := t.m.shards[i].p.Load()
	var d map[string]V
	if cur == nil {
		d = make(map[string]V)
	} else {
		d = make(map[string]V, cur.n+1)
		for j := range cur.slots {
			if s := &cur.slots[j]; s.tag != 0 {
				d[s.key] = s.val
			}
		}
	}
	t.next[i] = d
	return d
}

// Load returns the value of k as the batch has left it.
func (t *Tx[V]) Load(k string) (v V, ok bool) {
	h := t.m.hash(k)
	if d := t.next[shardOf(h)]; d != nil {
		v, ok = d[k]
		return v, ok
	}
	if s := t.m.shards[shardOf(h)].p.Load(); s != nil {
		return s.find(h, k)
	}
	return v, false
}

// Len returns the number of entries as the batch has left them.
func (t *Tx[V]) Len() int { return t.m.Len() + t.delta }

// Set stores v under k.
func (t *Tx[V]) Set(k string, v V) {
	d := t.own(shardOf(t.m.hash(k)))
	if _, ok := d[k]; !ok {
		t.delta++
	}
	d[k] = v
}

// Delete removes k.
func (t *Tx[V]) Delete(k string) {
	if _, ok := t.Load(k); !ok {
		return
	}
	delete(t.own(shardOf(t.m.hash(k))), k)
	t.delta--
}

// Range calls fn for each entry as the batch has left them, until fn returns
// false. fn may call Delete, of the entry it is given only.
func (t *Tx[V]) Range(fn func(k string, v V) bool) {
	for i := range t.next {
		if d := t.next[i]; d != nil {
			for k, v := range d {
				if !fn(k, v) {
					return
				}
			}
		} else if s := t.m.shards[i].p.Load(); s != nil {
			for j := range s.slots {
				if e := &s.slots[j]; e.tag != 0 && !fn(e.key, e.val) {
					return
				}
			}
		}
	}
}

// Commit publishes the batch. The Tx must not be used afterwards.
func (t *Tx[V]) Commit() {
	for i, d := range t.next {
		if d != nil {
			t.m.shards[i].p.Store(build(t.m.seed, d))
		}
	}
	t.m.n.Add(int64(t.delta))
	t.next, t.delta = [nShards]map[string]V{}, 0
}

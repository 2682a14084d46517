package secretstore

import (
	"runtime"
	"sync/atomic"
	"unsafe"
)

// Hot counters: the outcomes that hot paths count, one slot each in every
// stripe of [counters].
const (
	hotLookupHit = iota // a Lookup answered by the cache's fast path: a hit and an ok lookup
	hotMemLookup        // a Lookup answered by a driver's in-memory fast path: an ok lookup
	hotCacheHit         // a name answered by the cache elsewhere (Get, scoped Lookup)
	hotOK               // first of numOps slots: operations that succeeded, by op
	numHot       = hotOK + int(numOps)
)

// counters are exact counts that cost a hot path no write to memory shared
// between cores: each goroutine adds to one of several stripes, each on cache
// lines of its own, and a metrics collection sums the stripes.
//
// A goroutine picks its stripe by the address of its stack (in 2 KiB units,
// the smallest stack), which is cheap to read, stays put while the goroutine
// runs, and differs between goroutines (new goroutines on a P reuse that P's
// cached stacks, so the stripe tends to follow the core). Two running goroutines can share a stripe; the adds stay
// atomic, so a collision costs some speed, never a count.
type counters struct {
	stripes []counterStripe
	shift   uint
}

type counterStripe struct {
	n [numHot]atomic.Int64
	// Pad to two cache lines, since Intel's adjacent-line prefetcher moves
	// lines in pairs.
	_ [128 - (numHot*8)%128]byte
}

func newCounters() *counters {
	n := 16
	for n < 4*runtime.GOMAXPROCS(0) && n < 1024 {
		n *= 2
	}
	bits := uint(0)
	for 1<<bits < n {
		bits++
	}
	return &counters{stripes: make([]counterStripe, n), shift: 64 - bits}
}

// add adds d to counter i of the calling goroutine's stripe.
func (c *counters) add(i int, d int64) {
	var here byte // its address identifies this goroutine's stack
	h := uint64(uintptr(unsafe.Pointer(&here))>>11) * 0x9E3779B97F4A7C15
	c.stripes[h>>c.shift].n[i].Add(d)
}

// sum returns counter i summed over the stripes.
func (c *counters) sum(i int) int64 {
	var n int64
	for s := range c.stripes {
		n += c.stripes[s].n[i].Load()
	}
	return n
}

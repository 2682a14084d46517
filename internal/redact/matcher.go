// Package redact masks known secret values in text: a [Matcher] finds every
// value of a set in one pass over the text, and a [Writer] copies a stream to
// another with each value replaced by [Mask], holding back as little as it
// can.
//
// # Semantics
//
// The text is scanned from left to right. Where one or more values occur, the
// one that starts first is replaced, and of those that start at the same
// byte, the longest; scanning then resumes right after it. So of the values
// "abc" and "abcdef", the text "xabcdefx" becomes "x[REDACTED]x", and of
// "abc" and "cde", "abcde" becomes "[REDACTED]de". Every byte of the text that
// is not part of a replaced value is copied unchanged; no occurrence of any
// value survives among the copied bytes. Empty values and duplicates are
// ignored. Values are compared as bytes: they need not be valid UTF-8.
//
// A value can still be seen in the output where the mask itself spells part
// of it: a value that is a substring of "[REDACTED]" (such as "ACT"), or one
// that starts with the mask's last bytes or ends with its first bytes (such
// as "]xyz", next to a copied "xyz"). Such a value was not in the input there.
//
// # Matching
//
// A Matcher is an Aho–Corasick automaton over the first [IndexPrefix] bytes
// of each value: it reads each byte of the text once (plus, after each match,
// the bytes scanned past it again), whatever the number of values, in memory
// proportional to their number, not their length. A value longer than the
// index is a candidate where its first bytes occur, and is then compared
// with the bytes that follow, all those at hand at once: it is a match or
// not, or, when the text held so far ends inside it, it waits for the next
// Write. So a Writer holds back the bytes of a long candidate until it is
// confirmed or refuted: more than the index only while the text really
// carries the first [IndexPrefix] bytes of a long value, and never as much as
// that value. The trade-off: a stream that carries a large value's beginning
// is delayed until the value ends or departs from the text, and the Writer
// buffers up to the value's length meanwhile (it cannot write out bytes
// that may still turn out to be part of a value). The values themselves are
// kept by reference, not copied. A long value whose indexed prefix recurs
// within it (a run of one character, or a certificate chain) could have many
// overlapping candidates, each compared at length; it is followed instead
// with its own Knuth–Morris–Pratt automaton, in linear time, at the cost of
// its failure function: four bytes per byte of such a value.
//
// A Matcher is immutable and safe for concurrent use; compile it once and
// share it. [Matcher.Contains], for text that usually holds no value, looks
// up each pair of adjacent bytes in a table of those that begin a value, and
// follows the trie only from where one does.
package redact

import (
	"sort"
	"strings"
)

// Mask is what replaces each occurrence of a value. It is the same text as
// the portable package's secretstore.Redacted.
const Mask = "[REDACTED]"

// IndexPrefix is how many bytes of each value the automaton indexes by
// default: values up to this length are matched by the automaton alone,
// longer ones are verified past it. See [Options].
const IndexPrefix = 32

// Options tune a Matcher made by [NewMatcherOptions].
type Options struct {
	// IndexPrefix is how many leading bytes of each value the automaton
	// indexes (default and maximum [IndexPrefix]). Tests make it small to
	// exercise the verification of long values with short ones.
	IndexPrefix int
}

// Matcher finds the values of a set in text. Make one with [NewMatcher].
type Matcher struct {
	// root holds the transitions of the root (state 0) for every byte;
	// 0 means "stay at the root". The root is where most bytes of
	// ordinary text lead, so it is a table, not a list.
	root [256]int32
	// nodes are the states; nodes[0] is the root.
	nodes []node
	// edges holds the transitions of every state but the root, sorted by
	// byte: those of state s are edges[s.first : s.first+s.n].
	edges []edge
	// long[nd.long-1] are the values longer than the index whose first
	// prefix bytes lead to state nd.
	long [][]longValue
	// recurring are the long values whose indexed prefix recurs in them,
	// by their id.
	recurring []*longValue
	prefix    int
	count     int
	maxLen    int
	// pairs has the bit b0<<8|b1 set when some value begins with the bytes
	// b0 b1, and single[b] is set when b is a value: Contains looks for
	// values only where they could begin.
	pairs     *[1 << 16 / 64]uint64
	single    [256]bool
	hasSingle bool
}

type node struct {
	fail  int32 // the state of the longest proper suffix that is a state
	depth int32 // the length of the text the state stands for
	out   int32 // the length of the longest value that is a suffix of it, or 0
	first int32 // its first edge
	n     int32 // its number of edges
	long  int32 // 1 + the index in Matcher.long of the values it begins, or 0
}

type edge struct {
	b  byte
	to int32
}

// longValue is a value longer than the indexed prefix.
//
// A value whose indexed prefix recurs within it (a run of one character,
// say, or a certificate chain) could have many overlapping candidates in a
// text, each compared at length: it is followed instead with the
// Knuth–Morris–Pratt automaton of the value, in one state per scan, at the
// cost of its failure function (four bytes per byte of the value).
type longValue struct {
	v    string
	fail []int32 // the failure function of v when its prefix recurs in it, else nil
	id   int32   // its index in Matcher.recurring, when fail is not nil
}

// newLongValue prepares v, whose first prefix bytes are indexed.
func newLongValue(v string, prefix int) longValue {
	lv := longValue{v: v}
	if !strings.Contains(v[1:], v[:prefix]) {
		return lv
	}
	// fail[i] is the length of the longest proper prefix of v that is a
	// suffix of v[:i+1].
	fail := make([]int32, len(v))
	for i, k := 1, int32(0); i < len(v); i++ {
		for k > 0 && v[k] != v[i] {
			k = fail[k-1]
		}
		if v[k] == v[i] {
			k++
		}
		fail[i] = k
	}
	lv.fail = fail
	return lv
}

// NewMatcher compiles values into a Matcher. Empty values and duplicates are
// ignored; the order of values does not matter. values may be nil. The
// Matcher keeps the strings of values longer than [IndexPrefix] (it does not
// copy them).
func NewMatcher(values []string) *Matcher {
	return NewMatcherOptions(values, Options{})
}

// NewMatcherOptions is [NewMatcher] with options.
func NewMatcherOptions(values []string, o Options) *Matcher {
	uniq := make([]string, 0, len(values))
	for _, v := range values {
		if v != "" {
			uniq = append(uniq, v)
		}
	}
	sort.Strings(uniq)
	m := &Matcher{prefix: IndexPrefix}
	if o.IndexPrefix > 0 && o.IndexPrefix < IndexPrefix {
		m.prefix = o.IndexPrefix
	}
	// Build the trie of the values' prefixes with a list of children per
	// state.
	kids := [][]edge{nil}
	depth := []int32{0}
	term := []bool{false}
	longOf := map[int32]int32{}
	for i, v := range uniq {
		if i > 0 && v == uniq[i-1] {
			continue
		}
		m.count++
		m.maxLen = max(m.maxLen, len(v))
		s := int32(0)
		key := v[:min(len(v), m.prefix)]
		for j := 0; j < len(key); j++ {
			b := key[j]
			k := kids[s]
			at := sort.Search(len(k), func(i int) bool { return k[i].b >= b })
			if at < len(k) && k[at].b == b {
				s = k[at].to
				continue
			}
			t := int32(len(kids))
			kids = append(kids, nil)
			depth = append(depth, depth[s]+1)
			term = append(term, false)
			k = append(k, edge{})
			copy(k[at+1:], k[at:])
			k[at] = edge{b: b, to: t}
			kids[s] = k
			s = t
		}
		if len(v) == len(key) {
			term[s] = true
			continue
		}
		l, ok := longOf[s]
		if !ok {
			m.long = append(m.long, nil)
			l = int32(len(m.long))
			longOf[s] = l
		}
		lv := newLongValue(v, m.prefix)
		if lv.fail != nil {
			lv.id = int32(len(m.recurring))
			m.recurring = append(m.recurring, nil)
		}
		m.long[l-1] = append(m.long[l-1], lv)
	}
	for _, g := range m.long {
		for i := range g {
			if g[i].fail != nil {
				m.recurring[g[i].id] = &g[i]
			}
		}
	}

	// Lay the states out and link them, breadth first: a state's failure
	// state is shallower, so it is complete when the state is reached.
	m.nodes = make([]node, len(kids))
	m.edges = make([]edge, 0, len(kids)-1)
	for _, e := range kids[0] {
		m.root[e.b] = e.to
	}
	for s, l := range longOf {
		m.nodes[s].long = l
	}
	queue := make([]int32, 0, len(kids))
	queue = append(queue, 0)
	for qi := 0; qi < len(queue); qi++ {
		s := queue[qi]
		nd := &m.nodes[s]
		nd.depth = depth[s]
		if term[s] {
			nd.out = depth[s]
		} else if s != 0 {
			nd.out = m.nodes[nd.fail].out
		}
		if s != 0 {
			nd.first, nd.n = int32(len(m.edges)), int32(len(kids[s]))
			m.edges = append(m.edges, kids[s]...)
		}
		for _, e := range kids[s] {
			if s != 0 {
				m.nodes[e.to].fail = m.next(nd.fail, e.b)
			}
			queue = append(queue, e.to)
		}
	}
	m.indexPairs()
	return m
}

// indexPairs fills pairs and single from the states at depth one and two.
func (m *Matcher) indexPairs() {
	m.pairs = new([1 << 16 / 64]uint64)
	for b0, s1 := range m.root {
		if s1 == 0 {
			continue
		}
		nd := &m.nodes[s1]
		m.single[b0] = nd.out > 0
		m.hasSingle = m.hasSingle || nd.out > 0
		for _, e := range m.edges[nd.first : nd.first+nd.n] {
			p := uint(b0)<<8 | uint(e.b)
			m.pairs[p/64] |= 1 << (p % 64)
		}
		if nd.long > 0 {
			// A long value indexed by one byte: any second byte.
			for _, lv := range m.long[nd.long-1] {
				p := uint(b0)<<8 | uint(lv.v[1])
				m.pairs[p/64] |= 1 << (p % 64)
			}
		}
	}
}

// child is the trie's (not the automaton's) transition from state s on byte
// b, or -1 when no value continues so.
func (m *Matcher) child(s int32, b byte) int32 {
	if s == 0 {
		if t := m.root[b]; t != 0 {
			return t
		}
		return -1
	}
	nd := &m.nodes[s]
	for _, e := range m.edges[nd.first : nd.first+nd.n] {
		if e.b == b {
			return e.to
		}
		if e.b > b {
			break // sorted
		}
	}
	return -1
}

// next is the automaton's transition from state s on byte b.
func (m *Matcher) next(s int32, b byte) int32 {
	for s != 0 {
		nd := &m.nodes[s]
		es := m.edges[nd.first : nd.first+nd.n]
		if len(es) <= 8 {
			for _, e := range es {
				if e.b == b {
					return e.to
				}
			}
		} else {
			lo, hi := 0, len(es)
			for lo < hi {
				mid := int(uint(lo+hi) >> 1)
				if es[mid].b < b {
					lo = mid + 1
				} else {
					hi = mid
				}
			}
			if lo < len(es) && es[lo].b == b {
				return es[lo].to
			}
		}
		s = nd.fail
	}
	return m.root[b]
}

// Len returns the number of distinct non-empty values.
func (m *Matcher) Len() int { return m.count }

// MaxLen returns the length of the longest value in bytes, or 0 when there
// is none. A [Writer] holds back fewer bytes than that.
func (m *Matcher) MaxLen() int { return m.maxLen }

// Redact returns s with every value replaced by [Mask] (see the package
// documentation). When s contains no value it returns s itself, without
// allocating.
func (m *Matcher) Redact(s string) string {
	if !m.Contains(s) {
		return s
	}
	sc := scanner{m: m, buf: []byte(s), cs: -1}
	return string(sc.run(make([]byte, 0, len(s)), true))
}

// Contains reports whether some value occurs in s. It does not allocate.
//
// It looks for values only where the two bytes there begin one (one lookup
// in a table of byte pairs per byte) and follows the trie from those places
// only (at most [IndexPrefix] bytes), so that text in which no value occurs
// is read at about that cost, whatever the number of values.
func (m *Matcher) Contains(s string) bool {
	if m.count == 0 {
		return false
	}
	if m.hasSingle {
		for i := 0; i < len(s); i++ {
			if m.single[s[i]] {
				return true
			}
		}
	}
	var absent uint64 // recurring values known not to occur in the rest
	pairs := m.pairs
	for k := 1; k < len(s); k++ {
		if p := uint(s[k-1])<<8 | uint(s[k]); pairs[p/64]&(1<<(p%64)) == 0 {
			continue
		}
		i := k - 1
		// Some value begins with these two bytes: follow the trie. A
		// value ending on the way is an occurrence, wherever it starts.
		st := m.root[s[i]]
		for j := k; ; j++ {
			if l := m.nodes[st].long; l > 0 && m.longAt(l, s[i:], &absent) {
				return true
			}
			if j == len(s) {
				break
			}
			if st = m.child(st, s[j]); st < 0 {
				break
			}
			if m.nodes[st].out > 0 {
				return true
			}
		}
	}
	return false
}

// longAt reports whether one of the long values of m.long[l-1] begins s. A
// value whose prefix recurs in it is looked for in all of s at once, and
// remembered in absent if it is not there (for the first 64 of them), so
// that its recurrences in a text do not cost its length each.
func (m *Matcher) longAt(l int32, s string, absent *uint64) bool {
	for _, lv := range m.long[l-1] {
		if lv.fail == nil {
			if strings.HasPrefix(s, lv.v) {
				return true
			}
			continue
		}
		bit := uint64(1) << (lv.id % 64)
		if lv.id < 64 && *absent&bit != 0 {
			continue
		}
		if strings.Contains(s, lv.v) {
			return true
		}
		if lv.id < 64 {
			*absent |= bit
		}
	}
	return false
}

// ContainsBytes reports whether some value occurs in b. It does not allocate.
func (m *Matcher) ContainsBytes(b []byte) bool {
	// The loop of Contains: a generic one over string | []byte would make
	// callers' buffers escape.
	if m.count == 0 {
		return false
	}
	if m.hasSingle {
		for i := 0; i < len(b); i++ {
			if m.single[b[i]] {
				return true
			}
		}
	}
	var absent uint64
	pairs := m.pairs
	for k := 1; k < len(b); k++ {
		if p := uint(b[k-1])<<8 | uint(b[k]); pairs[p/64]&(1<<(p%64)) == 0 {
			continue
		}
		i := k - 1
		st := m.root[b[i]]
		for j := k; ; j++ {
			if l := m.nodes[st].long; l > 0 && m.longAtBytes(l, b[i:], &absent) {
				return true
			}
			if j == len(b) {
				break
			}
			if st = m.child(st, b[j]); st < 0 {
				break
			}
			if m.nodes[st].out > 0 {
				return true
			}
		}
	}
	return false
}

// occursIn reports whether lv, a recurring value, occurs in b: the
// Knuth–Morris–Pratt automaton, which does not copy b to a string.
func (lv *longValue) occursIn(b []byte) bool {
	j := int32(0)
	for _, c := range b {
		for j > 0 && lv.v[j] != c {
			j = lv.fail[j-1]
		}
		if lv.v[j] == c {
			j++
		}
		if int(j) == len(lv.v) {
			return true
		}
	}
	return false
}

// longAtBytes is longAt over bytes.
func (m *Matcher) longAtBytes(l int32, b []byte, absent *uint64) bool {
	for _, lv := range m.long[l-1] {
		if lv.fail == nil {
			if len(b) >= len(lv.v) && string(b[:len(lv.v)]) == lv.v {
				return true
			}
			continue
		}
		bit := uint64(1) << (lv.id % 64)
		if lv.id < 64 && *absent&bit != 0 {
			continue
		}
		if lv.occursIn(b) {
			return true
		}
		if lv.id < 64 {
			*absent |= bit
		}
	}
	return false
}

// scanner is the state of a scan over a text that arrives in pieces.
//
// buf holds the bytes of the text that have not been written out yet; the
// first scanned of them have been fed to the automaton, which is in state.
// When a value has been found that may still lose to a longer one, or to one
// that starts earlier, it is the candidate buf[cs:ce] (cs < 0 when none).
//
// A long value is verified where its indexed prefix is found, against all
// the bytes buf holds past it: it is a match, or it is not, or it matches
// to the end of buf and is pending, in active (in order of start), until
// more bytes come. ce can so be past the scanned bytes. A recurring long
// value is followed byte by byte with its own automaton instead, from where
// its prefix is found (j and live).
//
// The automaton's state stands for the longest suffix of the scanned text
// that is a prefix of some indexed prefix: every occurrence that ends in
// bytes not yet seen starts within it, or at the start of a pending long
// value. So the bytes before both are final, and only the rest is held
// back: fewer than MaxLen() bytes between calls.
type scanner struct {
	m       *Matcher
	buf     []byte
	scanned int
	state   int32
	cs, ce  int
	active  []verifying
	// j[id] is how many bytes of the recurring value m.recurring[id] end
	// the scanned text, if at least the indexed prefix, else 0; live
	// lists the ids for which it is not 0.
	j    []int32
	live []int32
}

// verifying is a long value v that matches buf[start:start+n], the end of
// buf.
type verifying struct {
	start, n int
	v        string
}

// verify compares c with the bytes of buf past what it matched: it reports
// whether c matches all of them, and whether that is all of c.
func verify(c *verifying, buf []byte) (ok, done bool) {
	end := min(len(buf), c.start+len(c.v))
	if string(buf[c.start+c.n:end]) != c.v[c.n:end-c.start] {
		return false, false
	}
	c.n = end - c.start
	return true, c.n == len(c.v)
}

// run scans the unscanned part of buf and appends to dst what is final: all
// of buf when final is true (the text has ended). It removes what it appended
// from buf.
func (sc *scanner) run(dst []byte, final bool) []byte {
	m, buf := sc.m, sc.buf
	i, s, cs, ce := sc.scanned, sc.state, sc.cs, sc.ce
	active, live := sc.active, sc.live
	// Pending long values go on with the new bytes.
	if len(active) > 0 {
		k := 0
		for _, c := range active {
			ok, done := verify(&c, buf)
			switch {
			case done:
				cs, ce = take(cs, ce, c.start, c.start+len(c.v))
			case ok && !final:
				active[k] = c
				k++
			}
		}
		clear(active[k:])
		active = active[:k]
	}
	start := 0 // buf[:start] is in dst already
	for {
		for i < len(buf) {
			if s == 0 && cs < 0 && len(active) == 0 && len(live) == 0 {
				// Fast path: skip bytes that begin no value.
				i = skip(&m.root, buf, i)
				if i == len(buf) {
					break
				}
			}
			if len(live) > 0 {
				live, cs, ce = sc.follow(live, buf[i], i, cs, ce)
			}
			s = m.next(s, buf[i])
			i++
			nd := &m.nodes[s]
			if nd.out > 0 {
				// The longest value ending here. Shorter ones start later,
				// so cannot beat the candidate if it cannot.
				cs, ce = take(cs, ce, i-int(nd.out), i)
			}
			if nd.long > 0 {
				active, live, cs, ce = sc.begin(nd, i, active, live, cs, ce, final)
			}
			if cs < 0 {
				continue
			}
			// Values that end later start at i-depth or after, or where
			// a pending long value starts. They beat the candidate only
			// if they start before it, or at it and can still grow.
			from, grow := i-int(nd.depth), nd.n > 0
			if len(active) > 0 || len(live) > 0 {
				from, grow = sc.earliest(i, from, grow, active, live)
			}
			if from > cs || (from == cs && !grow) {
				dst = append(dst, buf[start:cs]...)
				dst = append(dst, Mask...)
				// Resume right after the match: the bytes scanned past it
				// are scanned again from the root.
				start, i, s, cs = ce, ce, 0, -1
				clear(active)
				active = active[:0]
				live = sc.forget(live)
			}
		}
		if final && cs >= 0 {
			dst = append(dst, buf[start:cs]...)
			dst = append(dst, Mask...)
			start, i, s, cs = ce, ce, 0, -1
			live = sc.forget(live)
			continue
		}
		break
	}
	keep := len(buf)
	if final {
		live = sc.forget(live)
	} else {
		keep -= int(m.nodes[s].depth)
		if len(active) > 0 {
			keep = min(keep, active[0].start)
		}
		for _, id := range live {
			keep = min(keep, len(buf)-int(sc.j[id]))
		}
		if cs >= 0 {
			keep = min(keep, cs)
		}
	}
	dst = append(dst, buf[start:keep]...)
	n := len(buf) - keep
	if keep > 0 {
		// (Nothing to move while a long value is verified from the first
		// byte held: its bytes are not moved again with each Write.)
		copy(buf, buf[keep:])
	}
	sc.buf = buf[:n]
	sc.scanned, sc.state = n, s
	if cs >= 0 {
		cs, ce = cs-keep, ce-keep
	}
	for j := range active {
		active[j].start -= keep
	}
	sc.cs, sc.ce, sc.active, sc.live = cs, ce, active, live
	return dst
}

// follow feeds b, at buf[i], to the automata of the recurring values in
// live, takes a match that ends there as the candidate, and returns live
// without the values that no longer match.
func (sc *scanner) follow(live []int32, b byte, i, cs, ce int) ([]int32, int, int) {
	m := sc.m
	k := 0
	for _, id := range live {
		lv := m.recurring[id]
		j := sc.j[id]
		for {
			if lv.v[j] == b {
				j++
				break
			}
			if j = lv.fail[j-1]; int(j) < m.prefix {
				j = 0 // the Matcher's automaton finds its prefix again
				break
			}
		}
		if int(j) == len(lv.v) {
			cs, ce = take(cs, ce, i+1-len(lv.v), i+1)
			if j = lv.fail[j-1]; int(j) < m.prefix {
				j = 0
			}
		}
		sc.j[id] = j
		if j > 0 {
			live[k] = id
			k++
		}
	}
	return live[:k], cs, ce
}

// begin starts the long values of nd, whose indexed prefix ends at buf[i-1]:
// it verifies each against the bytes at hand (taking it as the candidate,
// dropping it, or adding it to active), or follows it in live if it
// recurs.
func (sc *scanner) begin(nd *node, i int, active []verifying, live []int32, cs, ce int, final bool) ([]verifying, []int32, int, int) {
	m := sc.m
	st := i - int(nd.depth)
	for _, lv := range m.long[nd.long-1] {
		if lv.fail != nil {
			if sc.j == nil {
				sc.j = make([]int32, len(m.recurring))
			}
			if sc.j[lv.id] == 0 {
				sc.j[lv.id] = nd.depth
				live = append(live, lv.id)
			}
			continue
		}
		c := verifying{start: st, n: int(nd.depth), v: lv.v}
		ok, done := verify(&c, sc.buf)
		switch {
		case done:
			cs, ce = take(cs, ce, st, st+len(lv.v))
		case ok && !final:
			active = append(active, c)
		}
	}
	return active, live, cs, ce
}

// earliest returns from, or the start of the first pending or followed
// long value if it is not after from, and then grow true.
func (sc *scanner) earliest(i, from int, grow bool, active []verifying, live []int32) (int, bool) {
	if len(active) > 0 && active[0].start <= from {
		from, grow = active[0].start, true
	}
	for _, id := range live {
		if st := i - int(sc.j[id]); st <= from {
			from, grow = st, true
		}
	}
	return from, grow
}

// skip returns the index of the first byte of buf from i on that begins a
// value, or len(buf).
func skip(root *[256]int32, buf []byte, i int) int {
	for ; i < len(buf); i++ {
		if root[buf[i]] != 0 {
			return i
		}
	}
	return i
}

// take returns buf[st:en] as the candidate cs, ce if it starts further left,
// or as far left and is longer.
func take(cs, ce, st, en int) (int, int) {
	if cs < 0 || st < cs || (st == cs && en > ce) {
		return st, en
	}
	return cs, ce
}

// forget ends the following of every recurring value in live, and returns
// live emptied.
func (sc *scanner) forget(live []int32) []int32 {
	for _, id := range live {
		sc.j[id] = 0
	}
	return live[:0]
}

// held returns how many bytes the scanner holds back.
func (sc *scanner) held() int { return len(sc.buf) }

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
// A Matcher is an Aho–Corasick automaton: it reads each byte of the text once
// (plus, after each match, at most the length of the longest value again),
// whatever the number of values, in memory proportional to their total
// length. It is immutable and safe for concurrent use; compile it once and
// share it. [Matcher.Contains], for text that usually holds no value, looks
// up each pair of adjacent bytes in a table of those that begin a value, and
// follows the trie only from where one does.
package redact

import "sort"

// Mask is what replaces each occurrence of a value. It is the same text as
// the portable package's secretstore.Redacted.
const Mask = "[REDACTED]"

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
	edges  []edge
	count  int
	maxLen int
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
}

type edge struct {
	b  byte
	to int32
}

// NewMatcher compiles values into a Matcher. Empty values and duplicates are
// ignored; the order of values does not matter. values may be nil.
func NewMatcher(values []string) *Matcher {
	uniq := make([]string, 0, len(values))
	for _, v := range values {
		if v != "" {
			uniq = append(uniq, v)
		}
	}
	sort.Strings(uniq)
	// Build the trie with a list of children per state.
	kids := [][]edge{nil}
	depth := []int32{0}
	term := []bool{false}
	m := &Matcher{}
	for i, v := range uniq {
		if i > 0 && v == uniq[i-1] {
			continue
		}
		m.count++
		m.maxLen = max(m.maxLen, len(v))
		s := int32(0)
		for j := 0; j < len(v); j++ {
			b := v[j]
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
		term[s] = true
	}

	// Lay the states out and link them, breadth first: a state's failure
	// state is shallower, so it is complete when the state is reached.
	m.nodes = make([]node, len(kids))
	m.edges = make([]edge, 0, len(kids)-1)
	for _, e := range kids[0] {
		m.root[e.b] = e.to
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
	if !m.contains(s) {
		return s
	}
	sc := scanner{m: m, buf: []byte(s), cs: -1}
	return string(sc.run(make([]byte, 0, len(s)), true))
}

// contains reports whether some value occurs in s.
func (m *Matcher) contains(s string) bool { return m.Contains(s) }

// Contains reports whether some value occurs in s. It does not allocate.
//
// It looks for values only where the two bytes there begin one (one lookup
// in a table of byte pairs per byte) and follows the trie from those places
// only, so that text in which no value occurs is read at about that cost,
// whatever the number of values.
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
	pairs := m.pairs
	for k := 1; k < len(s); k++ {
		if p := uint(s[k-1])<<8 | uint(s[k]); pairs[p/64]&(1<<(p%64)) == 0 {
			continue
		}
		i := k - 1
		// Some value begins with these two bytes: follow the trie. A
		// value ending on the way is an occurrence, wherever it starts.
		st := m.root[s[i]]
		for j := k; j < len(s); j++ {
			if j-i == walkMax {
				return m.runFrom(st, s[j:])
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

// walkMax bounds how far Contains follows the trie from one place. Past it,
// it runs the automaton over the rest of the text instead, so that text
// like "aaaa…" against a long value "aaaa…b" costs linear time.
const walkMax = 32

// runFrom runs the automaton from state st over s: st stands for text in
// which no value occurs and before which none begins.
func (m *Matcher) runFrom(st int32, s string) bool {
	for i := 0; i < len(s); i++ {
		if st = m.next(st, s[i]); m.nodes[st].out > 0 {
			return true
		}
	}
	return false
}

// runFromBytes is runFrom over bytes.
func (m *Matcher) runFromBytes(st int32, b []byte) bool {
	for i := 0; i < len(b); i++ {
		if st = m.next(st, b[i]); m.nodes[st].out > 0 {
			return true
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
	pairs := m.pairs
	for k := 1; k < len(b); k++ {
		if p := uint(b[k-1])<<8 | uint(b[k]); pairs[p/64]&(1<<(p%64)) == 0 {
			continue
		}
		i := k - 1
		st := m.root[b[i]]
		for j := k; j < len(b); j++ {
			if j-i == walkMax {
				return m.runFromBytes(st, b[j:])
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

// scanner is the state of a scan over a text that arrives in pieces.
//
// buf holds the bytes of the text that have not been written out yet; the
// first scanned of them have been fed to the automaton, which is in state.
// When a value has been found that may still lose to a longer one, or to one
// that starts earlier, it is the candidate buf[cs:ce] (cs < 0 when none).
//
// The automaton's state stands for the longest suffix of the scanned text
// that is a prefix of some value: every occurrence that ends in bytes not yet
// seen starts within it. So the bytes before it are final, and only it is
// held back: at most MaxLen()-1 bytes between calls.
type scanner struct {
	m       *Matcher
	buf     []byte
	scanned int
	state   int32
	cs, ce  int
}

// run scans the unscanned part of buf and appends to dst what is final: all
// of buf when final is true (the text has ended). It removes what it appended
// from buf.
func (sc *scanner) run(dst []byte, final bool) []byte {
	m, buf := sc.m, sc.buf
	i, s, cs, ce := sc.scanned, sc.state, sc.cs, sc.ce
	start := 0 // buf[:start] is in dst already
	for {
		for i < len(buf) {
			if s == 0 && cs < 0 {
				// Fast path: skip bytes that begin no value.
				for i < len(buf) && m.root[buf[i]] == 0 {
					i++
				}
				if i == len(buf) {
					break
				}
			}
			s = m.next(s, buf[i])
			i++
			nd := &m.nodes[s]
			if nd.out > 0 {
				// The longest value ending here. Shorter ones start later,
				// so cannot beat the candidate if it cannot.
				if st := i - int(nd.out); cs < 0 || st <= cs {
					cs, ce = st, i // further left, or as far left and longer
				}
			}
			if cs < 0 {
				continue
			}
			// Values that end later start at i-depth or after. They beat
			// the candidate only if they start before it, or at it and
			// the state can still grow.
			if from := i - int(nd.depth); from > cs || (from == cs && nd.n == 0) {
				dst = append(dst, buf[start:cs]...)
				dst = append(dst, Mask...)
				// Resume right after the match: the bytes scanned past it
				// are scanned again from the root.
				start, i, s, cs = ce, ce, 0, -1
			}
		}
		if final && cs >= 0 {
			dst = append(dst, buf[start:cs]...)
			dst = append(dst, Mask...)
			start, i, s, cs = ce, ce, 0, -1
			continue
		}
		break
	}
	keep := len(buf)
	if !final {
		keep -= int(m.nodes[s].depth)
	}
	dst = append(dst, buf[start:keep]...)
	n := copy(buf, buf[keep:])
	sc.buf = buf[:n]
	sc.scanned, sc.state = n, s
	if cs >= 0 {
		cs, ce = cs-keep, ce-keep
	}
	sc.cs, sc.ce = cs, ce
	return dst
}

// held returns how many bytes the scanner holds back.
func (sc *scanner) held() int { return len(sc.buf) }

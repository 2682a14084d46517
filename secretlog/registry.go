package secretlog

import (
	"encoding/base64"
	"encoding/hex"
	"maps"
	"sync"
	"sync/atomic"

	"github.com/secretstore-go/secretstore/internal/redact"
)

// DefaultMinLen is the minimum length in bytes of a value that a [Registry]
// masks, unless [WithMinLen] says otherwise. See the package documentation.
const DefaultMinLen = 4

// Registry is a set of known secret values, for a [NewHandler] handler and a
// [NewWriter] writer to mask. It implements secretstore.KnownValues: give it
// to a store with secretstore.WithKnownValues and the store adds every value
// it reads, writes, rotates to or reads as a previous version. Values can be
// added by hand too, with [Registry.Add] and [Registry.AddAll].
//
// One Registry per store is the common use. A Registry may be shared by
// several stores, and by any number of handlers and writers; it then masks
// the values of all of them everywhere.
//
// Values are never removed: a value rotated away stays masked. Values shorter
// than the minimum length ([DefaultMinLen] unless [WithMinLen]) are ignored,
// and so is the empty value. A value with characters that JSON escapes
// (quotes, backslashes, control characters, invalid UTF-8, & < >, non-ASCII
// characters) is also masked in its escaped forms, as JSON logs, values
// marshaled to JSON and Go's %q carry it (see [Form]); a registry made with
// [WithForms] or [WithEncodings] adds more forms, or fewer.
//
// The forms each value is masked in are [DefaultForms] (JSON and Go-quoted
// escapes) unless [WithForms] says otherwise. The matcher indexes only the
// first bytes of each value, and keeps the values and their forms by
// reference: its memory grows with the number of values and with the forms
// a value's characters call for, not with its length (a 10 MB value with a
// character that JSON escapes costs about 10 MB more for its escaped form,
// and one whose first 32 bytes recur within it four bytes per byte more,
// for the automaton that follows it in linear time).
//
// Adding a value that is known already takes a map lookup and no lock: the
// store calls Add on its hot path, mostly with values it has told before.
// Adding a new value only records it; the matcher that handlers and writers
// use is rebuilt once, on its first use after one or more values were added.
//
// A Registry is safe for concurrent use. The zero Registry is empty and ready
// to use with the defaults.
type Registry struct {
	minLen   int        // 0: DefaultMinLen
	forms    Form       // with formsSet; else DefaultForms
	formsSet bool       // WithForms was given
	encs     []Encoding // forms added with each value
	prefix   int        // the matcher's IndexPrefix; 0 for the default

	// cur is the matcher's snapshot; nil means empty. It is replaced, never
	// changed.
	cur atomic.Pointer[snapshot]
	// want counts the values added; a snapshot whose gen is at least want
	// holds all of them.
	want atomic.Uint64

	mu      sync.RWMutex
	pending map[string]struct{} // added values not in cur yet

	build sync.Mutex // one rebuild at a time; waiters reuse its result
}

// snapshot is an immutable state of a Registry: the values added up to gen,
// and the matcher of them and their encodings.
type snapshot struct {
	gen      uint64
	known    map[string]struct{} // the values as added
	patterns []string            // what m matches: values and their encodings
	m        *redact.Matcher
}

var emptySnapshot = &snapshot{m: redact.NewMatcher(nil)}

// Encoding transforms a value into another form in which it may be logged,
// such as hexadecimal. See [WithEncodings].
type Encoding func(value string) string

// Hex is an [Encoding]: lowercase hexadecimal.
func Hex(v string) string { return hex.EncodeToString([]byte(v)) }

// Base64 is an [Encoding]: standard base64 without padding, so that it
// matches padded and unpadded text alike (the padding stays visible).
func Base64(v string) string { return base64.RawStdEncoding.EncodeToString([]byte(v)) }

// Base64URL is an [Encoding]: URL-safe base64 without padding, as in JWTs.
func Base64URL(v string) string { return base64.RawURLEncoding.EncodeToString([]byte(v)) }

// Option configures a Registry made by [NewRegistry].
type Option func(*Registry)

// WithMinLen sets the minimum length in bytes of a value that is masked
// (default [DefaultMinLen]); shorter values are ignored. 1 masks every
// non-empty value, as the secretstore redact command does: a one-byte value
// then masks that byte wherever it occurs. n < 1 means 1.
func WithMinLen(n int) Option {
	return func(r *Registry) { r.minLen = max(n, 1) }
}

// WithForms sets the forms in which each value is masked as well as in its
// bytes (default [DefaultForms]): WithForms(AllForms) adds base64 and hex,
// WithForms(0) masks the bytes alone. A form shorter than the minimum length
// (and than [DefaultMinLen]) is ignored.
func WithForms(f Form) Option {
	return func(r *Registry) { r.forms, r.formsSet = f, true }
}

// WithEncodings adds, with each value, its forms under encs, so that a value
// logged hex- or base64-encoded is masked as well, for example
// WithEncodings(Hex, Base64). A form shorter than the minimum length is
// ignored. Base64 forms are found only where the value was encoded on its
// own (or at an offset of a multiple of three bytes in a longer text): the
// base64 of "user:password" does not contain that of "password". To catch
// such a composite, add it by hand, say Add(user + ":" + password). An
// Encoding is called when the matcher is rebuilt, and must not use the
// registry.
func WithEncodings(encs ...Encoding) Option {
	return func(r *Registry) { r.encs = append(r.encs, encs...) }
}

// NewRegistry returns an empty Registry.
func NewRegistry(opts ...Option) *Registry {
	r := &Registry{}
	for _, o := range opts {
		o(r)
	}
	return r
}

func (r *Registry) minLength() int {
	if r.minLen == 0 {
		return DefaultMinLen
	}
	return r.minLen
}

// load returns the current snapshot, which may lack values added since.
func (r *Registry) load() *snapshot {
	if s := r.cur.Load(); s != nil {
		return s
	}
	return emptySnapshot
}

// Add adds value to the set. An empty value, one shorter than the minimum
// length and one known already are ignored. Add of a known value does not
// allocate and takes no lock once a handler or writer has used the registry
// since the value was first added. Add implements secretstore.KnownValues.
func (r *Registry) Add(value string) {
	if len(value) < r.minLength() {
		return
	}
	if _, ok := r.load().known[value]; ok {
		return
	}
	r.mu.RLock()
	_, ok := r.pending[value]
	r.mu.RUnlock()
	if ok {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.pending[value]; ok {
		return
	}
	if _, ok := r.load().known[value]; ok {
		return // added to a snapshot since the first look
	}
	if r.pending == nil {
		r.pending = make(map[string]struct{})
	}
	r.pending[value] = struct{}{}
	r.want.Add(1)
}

// AddAll adds each of values, as [Registry.Add] does.
func (r *Registry) AddAll(values ...string) {
	for _, v := range values {
		r.Add(v)
	}
}

// Len returns the number of values in the set (not counting their
// encodings).
func (r *Registry) Len() int {
	r.build.Lock() // no values between pending and a snapshot
	defer r.build.Unlock()
	r.mu.RLock()
	defer r.mu.RUnlock()
	known := r.load().known
	n := len(known)
	for v := range r.pending {
		if _, ok := known[v]; !ok {
			n++
		}
	}
	return n
}

// Contains reports whether s contains a value of the set (or an encoded form
// of one). It does not allocate.
func (r *Registry) Contains(s string) bool { return r.snapshot().m.Contains(s) }

// Redact returns s with every value of the set (and every encoded form)
// replaced by "[REDACTED]", leftmost first and of those the longest. When s
// contains none, it returns s without allocating.
func (r *Registry) Redact(s string) string { return r.snapshot().m.Redact(s) }

// snapshot returns a snapshot holding every value whose Add returned before
// the call, rebuilding the matcher if values were added since the last one.
func (r *Registry) snapshot() *snapshot {
	want := r.want.Load()
	if s := r.load(); s.gen >= want {
		return s
	}
	return r.rebuild(want)
}

// rebuild makes a snapshot holding at least the first want values. Callers
// that arrive while one rebuilds wait for it and, usually, use its result.
func (r *Registry) rebuild(want uint64) *snapshot {
	r.build.Lock()
	defer r.build.Unlock()
	old := r.load()
	if old.gen >= want {
		return old
	}
	r.mu.Lock()
	pending := r.pending
	r.pending = nil
	gen := r.want.Load() // every value counted so far is in pending or old
	r.mu.Unlock()

	forms := DefaultForms
	if r.formsSet {
		forms = r.forms
	}
	known := maps.Clone(old.known)
	if known == nil {
		known = make(map[string]struct{}, len(pending))
	}
	patterns := old.patterns[:len(old.patterns):len(old.patterns)]
	for v := range pending {
		if _, ok := known[v]; ok {
			continue
		}
		known[v] = struct{}{}
		patterns = append(patterns, v)
		patterns = append(patterns, formsOf(v, forms, max(r.minLength(), DefaultMinLen))...)
		for _, enc := range r.encs {
			if e := enc(v); len(e) >= r.minLength() && e != v {
				patterns = append(patterns, e)
			}
		}
	}
	m := old.m
	if len(patterns) > len(old.patterns) {
		m = redact.NewMatcherOptions(patterns, redact.Options{IndexPrefix: r.prefix})
	}
	s := &snapshot{gen: gen, known: known, patterns: patterns, m: m}
	r.cur.Store(s)
	return s
}

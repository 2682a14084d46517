package secretlog

import (
	"bytes"
	"context"
	"encoding"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"reflect"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/secretstore-go/secretstore/internal/redact"
)

// NewHandler returns a handler that masks, with "[REDACTED]", every value of
// r in what it passes to next: the message, attribute keys and values at any
// depth of groups, and the attributes given to WithAttrs (and group names
// given to WithGroup). See the package documentation for what is checked and
// what cannot be.
//
// A value added to r is masked in every record handled after its Add
// returned, including in the attributes of a handler made with WithAttrs
// before it was added: such a handler derives its next handler again, once,
// on its first record after r changed.
//
// When a record contains no value it is passed to next as it is; the check
// does not allocate, except to format values of kind Any (other than errors
// and byte slices) and to resolve LogValuers. The handler is safe
// for concurrent use. NewHandler panics if next or r is nil.
func NewHandler(next slog.Handler, r *Registry) slog.Handler {
	if next == nil || r == nil {
		panic("secretlog: NewHandler needs a next handler and a Registry")
	}
	h := &handler{reg: r}
	h.state.Store(&derived{gen: math.MaxUint64, next: &nextRef{next}})
	return h
}

// handler is the handler NewHandler returns (parent nil), or one made from it
// by WithAttrs (attrs non-nil) or WithGroup (group non-empty).
type handler struct {
	reg    *Registry
	parent *handler
	attrs  []slog.Attr // as given to WithAttrs, before masking
	group  string      // as given to WithGroup, before masking
	state  atomic.Pointer[derived]
}

// derived is the next handler a handler passes records to, derived from its
// parent's with the matcher of snapshot gen. It is replaced, never changed.
type derived struct {
	gen     uint64
	next    *nextRef
	from    *nextRef // the parent's next handler next was derived from
	changed bool     // masking changed what was passed to WithAttrs or WithGroup
}

// nextRef boxes a next handler, so that derived states can tell by pointer
// whether they share one (slog.Handler values need not be comparable).
type nextRef struct{ h slog.Handler }

// current returns h's derived state for s, deriving it again if s is newer
// than the one it was derived with.
func (h *handler) current(s *snapshot) *derived {
	d := h.state.Load()
	if d.gen >= s.gen {
		return d
	}
	p := h.parent.current(s)
	nd := &derived{gen: s.gen, from: p.next}
	if h.attrs != nil {
		masked, changed := maskAttrs(h.attrs, s.m)
		nd.changed = changed
		if p.next == d.from && !changed && !d.changed {
			nd.next = d.next // nothing new to mask: keep the next handler
		} else {
			nd.next = &nextRef{p.next.h.WithAttrs(ownCopy(masked, h.attrs))}
		}
	} else {
		name := s.m.Redact(h.group)
		nd.changed = name != h.group
		if p.next == d.from && !nd.changed && !d.changed {
			nd.next = d.next
		} else {
			nd.next = &nextRef{p.next.h.WithGroup(name)}
		}
	}
	for {
		// Publish nd unless a state for a newer snapshot is there.
		cur := h.state.Load()
		if cur.gen >= nd.gen || h.state.CompareAndSwap(cur, nd) {
			return nd
		}
	}
}

// ownCopy returns masked, or a copy of it if it is the slice kept in the
// handler: the next handler owns what WithAttrs gives it, and may change it.
func ownCopy(masked, kept []slog.Attr) []slog.Attr {
	if len(masked) > 0 && &masked[0] == &kept[0] {
		return append([]slog.Attr(nil), masked...)
	}
	return masked
}

// Enabled reports whether the next handler handles records at level.
func (h *handler) Enabled(ctx context.Context, level slog.Level) bool {
	return h.state.Load().next.h.Enabled(ctx, level)
}

// WithAttrs returns a handler whose next handler has attrs, masked.
func (h *handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	if len(attrs) == 0 {
		return h
	}
	s := h.reg.snapshot()
	p := h.current(s)
	masked, changed := maskAttrs(attrs, s.m)
	c := &handler{reg: h.reg, parent: h, attrs: attrs}
	c.state.Store(&derived{gen: s.gen, next: &nextRef{p.next.h.WithAttrs(ownCopy(masked, attrs))}, from: p.next, changed: changed})
	return c
}

// WithGroup returns a handler whose next handler opens group name (masked).
func (h *handler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	s := h.reg.snapshot()
	p := h.current(s)
	masked := s.m.Redact(name)
	c := &handler{reg: h.reg, parent: h, group: name}
	c.state.Store(&derived{gen: s.gen, next: &nextRef{p.next.h.WithGroup(masked)}, from: p.next, changed: masked != name})
	return c
}

// Handle passes r to the next handler, or a copy of r with every value
// masked if it contains one.
func (h *handler) Handle(ctx context.Context, r slog.Record) error {
	s := h.reg.snapshot()
	next := h.current(s).next.h
	m := s.m
	if m.Len() == 0 {
		return next.Handle(ctx, r)
	}
	// Find the first attribute that masking changes, unless the message
	// does; without either, r goes on as it is.
	msg := r.Message
	first, all := 0, false
	var firstAttr slog.Attr
	if m.Contains(msg) {
		msg, all = m.Redact(msg), true
	} else {
		found := false
		r.Attrs(func(a slog.Attr) bool {
			if ma, changed := maskAttr(a, m); changed {
				firstAttr, found = ma, true
				return false
			}
			first++
			return true
		})
		if !found {
			return next.Handle(ctx, r)
		}
	}
	nr := slog.NewRecord(r.Time, r.Level, msg, r.PC)
	i := 0
	r.Attrs(func(a slog.Attr) bool {
		switch {
		case all || i > first:
			a, _ = maskAttr(a, m)
		case i == first:
			a = firstAttr
		}
		nr.AddAttrs(a)
		i++
		return true
	})
	return next.Handle(ctx, nr)
}

// maskAttrs returns attrs masked, and whether that changed any. When it did
// not, it returns attrs itself.
func maskAttrs(attrs []slog.Attr, m *redact.Matcher) ([]slog.Attr, bool) {
	var out []slog.Attr
	for i, a := range attrs {
		ma, changed := maskAttr(a, m)
		if changed && out == nil {
			out = make([]slog.Attr, len(attrs))
			copy(out, attrs[:i])
		}
		if out != nil {
			out[i] = ma
		}
	}
	if out == nil {
		return attrs, false
	}
	return out, true
}

// maskAttr returns a with its key and value masked, and whether that changed
// it. A LogValuer is always replaced by its resolved value, so that the next
// handler prints what was checked.
func maskAttr(a slog.Attr, m *redact.Matcher) (slog.Attr, bool) {
	changed := false
	if m.Contains(a.Key) {
		a.Key, changed = m.Redact(a.Key), true
	}
	if v, ok := maskValue(a.Value, m); ok {
		a.Value, changed = v, true
	}
	return a, changed
}

// maskValue returns v masked, and whether that changed it.
func maskValue(v slog.Value, m *redact.Matcher) (slog.Value, bool) {
	var num [32]byte
	var text []byte
	switch v.Kind() {
	case slog.KindString:
		if s := v.String(); m.Contains(s) {
			return slog.StringValue(m.Redact(s)), true
		}
		return v, false
	case slog.KindInt64:
		text = strconv.AppendInt(num[:0], v.Int64(), 10)
	case slog.KindUint64:
		text = strconv.AppendUint(num[:0], v.Uint64(), 10)
	case slog.KindFloat64:
		text = strconv.AppendFloat(num[:0], v.Float64(), 'g', -1, 64)
	case slog.KindGroup:
		as, changed := maskAttrs(v.Group(), m)
		if changed {
			return slog.GroupValue(as...), true
		}
		return v, false
	case slog.KindLogValuer:
		rv, _ := maskValue(v.Resolve(), m)
		return rv, true
	case slog.KindAny:
		return maskAny(v.Any(), m)
	default: // bool, duration, time
		return v, false
	}
	if m.ContainsBytes(text) {
		return slog.StringValue(m.Redact(string(text))), true
	}
	return v, false
}

// maskAny checks the forms in which handlers print x, as log/slog's text
// and JSON handlers do: the string of any string kind and the bytes of any
// byte-slice kind (named types included, found by reflection); an error's
// text; the text of an encoding.TextMarshaler (which the text handler
// prints); x formatted with fmt's %+v (as the text handler prints other
// values, calling String or Error, or Format); and x encoded as JSON (as the
// JSON handler does, which follows pointers and calls MarshalJSON and
// MarshalText). If one contains a value, it returns that form masked, as a
// string.
func maskAny(x any, m *redact.Matcher) (slog.Value, bool) {
	if x == nil {
		return slog.Value{}, false
	}
	switch x := x.(type) {
	case error:
		if s := errorText(x); m.Contains(s) {
			return slog.StringValue(m.Redact(s)), true
		}
		_, isFormatter := x.(fmt.Formatter)
		_, isMarshaler := x.(json.Marshaler)
		_, isText := x.(encoding.TextMarshaler)
		if !isFormatter && !isMarshaler && !isText && !hasRawText(x) {
			return slog.Value{}, false
		}
	case []byte:
		if m.ContainsBytes(x) {
			return slog.StringValue(m.Redact(string(x))), true
		}
		return slog.Value{}, false
	case string: // a string of kind Any: slog.AnyValue makes a KindString
		if m.Contains(x) {
			return slog.StringValue(m.Redact(x)), true
		}
		return slog.Value{}, false
	}
	if rv := reflect.ValueOf(x); isByteSlice(rv.Type()) {
		if b := rv.Bytes(); m.ContainsBytes(b) {
			return slog.StringValue(m.Redact(string(b))), true
		}
		if rv.Type().NumMethod() == 0 {
			return slog.Value{}, false // printed quoted, or in base64
		}
	} else if rv.Kind() == reflect.String {
		if s := rv.String(); m.Contains(s) {
			return slog.StringValue(m.Redact(s)), true
		}
		if rv.Type().NumMethod() == 0 {
			return slog.Value{}, false // printed as it is
		}
	}
	b := bufPool.Get().(*bytes.Buffer)
	defer func() {
		if b.Cap() <= 64<<10 {
			bufPool.Put(b)
		}
	}()
	try := func(form func(*bytes.Buffer)) (s string, found bool) {
		b.Reset()
		formTo(b, form)
		if m.ContainsBytes(b.Bytes()) {
			return m.Redact(b.String()), true
		}
		return "", false
	}
	_, isErr := x.(error)
	if tm, ok := x.(encoding.TextMarshaler); ok {
		if s, ok := try(func(b *bytes.Buffer) {
			if t, err := tm.MarshalText(); err == nil {
				b.Write(t)
			}
		}); ok {
			return slog.StringValue(s), true
		}
	}
	if _, ok := x.(fmt.Formatter); ok || !isErr {
		if s, ok := try(func(b *bytes.Buffer) { fmt.Fprintf(b, "%+v", x) }); ok {
			return slog.StringValue(s), true
		}
	}
	if _, ok := x.(json.Marshaler); ok || !isErr || hasRawText(x) {
		if s, ok := try(func(b *bytes.Buffer) { appendJSON(b, x) }); ok {
			return slog.StringValue(s), true
		}
	}
	return slog.Value{}, false
}

// isByteSlice reports whether t is a slice of a byte kind, which log/slog's
// text handler prints as a quoted string.
func isByteSlice(t reflect.Type) bool {
	return t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8
}

// hasRawText reports whether x is of a string or byte-slice kind, whose
// contents encoding/json writes whatever its methods.
func hasRawText(x any) bool {
	t := reflect.TypeOf(x)
	return t.Kind() == reflect.String || isByteSlice(t)
}

// errorText returns err.Error(), or the text of its panic (a nil pointer
// receiver, say), which the next handler would print in its place.
func errorText(err error) (s string) {
	defer func() {
		if r := recover(); r != nil {
			s = fmt.Sprintf("!PANIC: %v", r)
		}
	}()
	return err.Error()
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// formTo writes a form of a value to b. If making it panics (a method on a
// nil pointer, say), b holds the panic's text instead, which the next
// handler would print in its place.
func formTo(b *bytes.Buffer, form func(*bytes.Buffer)) {
	defer func() {
		if r := recover(); r != nil {
			b.Reset()
			fmt.Fprintf(b, "!PANIC: %v", r)
		}
	}()
	form(b)
}

// appendJSON writes x as log/slog's JSON handler does: with encoding/json,
// without escaping HTML. An error writes nothing.
func appendJSON(b *bytes.Buffer, x any) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	if enc.Encode(x) != nil {
		b.Reset()
	}
}

package redact

import (
	"errors"
	"io"
	"sync"
)

// ErrClosed is returned by [Writer.Write] after [Writer.Close].
var ErrClosed = errors.New("redact: write after Close")

// chunk bounds how much of one Write is scanned at a time, so that a large
// Write needs no copy of its own size.
const chunk = 64 << 10

// Writer copies what is written to it to another writer, with every value of
// its [Matcher] replaced by [Mask]. A value split across Writes is masked all
// the same: Write writes out at once every byte that can no longer be part of
// a value, and holds back the rest, which is always shorter than the longest
// value (and usually nothing: only bytes that could begin a value are held).
// [Writer.Close] writes out what is held back.
//
// Each Write makes at most one Write to the underlying writer when it is
// shorter than 64 KiB. A Writer is safe for concurrent use: each Write is
// handled whole before the next.
type Writer struct {
	mu     sync.Mutex
	w      io.Writer
	sc     scanner
	out    []byte
	err    error
	closed bool
}

// NewWriter returns a Writer that masks values in what it copies to w. It
// compiles values into a new [Matcher]; to make several Writers for the same
// values, compile it once and use [Matcher.NewWriter].
func NewWriter(w io.Writer, values []string) *Writer {
	return NewMatcher(values).NewWriter(w)
}

// NewWriter returns a Writer that masks m's values in what it copies to w.
func (m *Matcher) NewWriter(w io.Writer) *Writer {
	return &Writer{w: w, sc: scanner{m: m, cs: -1}}
}

// Write masks p and writes out what is final. It returns len(p) and nil, or
// 0 and the first error of the underlying writer, which every later Write
// and Close return too.
func (w *Writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return 0, ErrClosed
	}
	if w.err != nil {
		return 0, w.err
	}
	if w.sc.m.count == 0 {
		// Nothing to mask: pass through.
		n, err := w.w.Write(p)
		if err == nil && n < len(p) {
			err = io.ErrShortWrite
		}
		if err != nil {
			w.err = err
			return n, err
		}
		return n, nil
	}
	for rest := p; len(rest) > 0; {
		n := min(len(rest), chunk)
		w.sc.buf = append(w.sc.buf, rest[:n]...)
		rest = rest[n:]
		if err := w.flush(false); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// flush scans what is buffered and writes out what is final (everything
// when final).
func (w *Writer) flush(final bool) error {
	w.out = w.sc.run(w.out[:0], final)
	if len(w.out) == 0 {
		return nil
	}
	n, err := w.w.Write(w.out)
	if err == nil && n < len(w.out) {
		err = io.ErrShortWrite
	}
	if cap(w.out) > 4*chunk {
		w.out = nil // do not keep a large Write's buffer
	}
	if err != nil {
		w.err = err
	}
	return err
}

// SetMatcher makes w mask the values of m from now on. The bytes w holds
// back are scanned again with m, so that a value of m split between the
// Write before and the Write after is masked; bytes that m makes final are
// written out at once. What w has written out already is not revisited: a
// value of m that began there is not masked. SetMatcher returns the error
// that Write would, [ErrClosed] after Close.
func (w *Writer) SetMatcher(m *Matcher) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return ErrClosed
	}
	if w.err != nil {
		return w.err
	}
	if m == w.sc.m {
		return nil
	}
	// A new scan from the root over the held-back bytes: no value can
	// start before them that is not written out already.
	w.sc = scanner{m: m, buf: w.sc.buf, cs: -1}
	return w.flush(false)
}

// Close writes out the bytes held back, masking a value they end with, and
// makes later Writes fail with [ErrClosed]. It does not close the underlying
// writer. Close returns the underlying writer's first error, if any; a second
// Close returns nil.
func (w *Writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil
	}
	w.closed = true
	if w.err != nil {
		return w.err
	}
	return w.flush(true)
}

package secretlog

import (
	"io"
	"sync"

	"github.com/secretstore-go/secretstore/internal/redact"
)

// ErrClosed is returned by the Write of a [NewWriter] writer after Close.
var ErrClosed = redact.ErrClosed

// NewWriter returns a writer that copies what is written to it to w, with
// every value of r replaced by "[REDACTED]", for output that does not go
// through slog: a log.Logger, a subprocess's output, a file being copied.
// A value split across Writes is masked all the same: each Write writes out
// at once every byte that can no longer be part of a value and holds back
// the rest (fewer bytes than the longest value, and only bytes that could
// begin one); Close writes out what is held back. Close does not close w.
//
// The writer follows r: each Write first picks up the values added to r
// since the last one, and the bytes held back are scanned again with them.
// A value added after some of its bytes were written out is not masked
// there. The writer is safe for concurrent use; each Write is handled whole
// before the next. NewWriter panics if w or r is nil.
func NewWriter(w io.Writer, r *Registry) io.WriteCloser {
	if w == nil || r == nil {
		panic("secretlog: NewWriter needs a writer and a Registry")
	}
	s := r.snapshot()
	return &writer{reg: r, gen: s.gen, rw: s.m.NewWriter(w)}
}

type writer struct {
	mu     sync.Mutex
	reg    *Registry
	gen    uint64 // of the matcher rw uses
	rw     *redact.Writer
	closed bool
}

// follow gives rw the registry's current matcher, if it changed.
func (w *writer) follow() error {
	if s := w.reg.snapshot(); s.gen > w.gen {
		if err := w.rw.SetMatcher(s.m); err != nil {
			return err
		}
		w.gen = s.gen
	}
	return nil
}

// Write masks p and writes out what is final. It returns len(p) and nil, or
// 0 and the first error of the underlying writer, which every later Write
// and Close return too; after Close, it returns [ErrClosed].
func (w *writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.closed {
		if err := w.follow(); err != nil {
			return 0, err
		}
	}
	return w.rw.Write(p)
}

// Close writes out what is held back, masked with the values known now, and
// makes later Writes fail. A second Close returns nil.
func (w *writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil
	}
	w.closed = true
	if err := w.follow(); err != nil {
		w.rw.Close()
		return err
	}
	return w.rw.Close()
}

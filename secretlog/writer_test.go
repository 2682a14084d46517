package secretlog_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/secretstore-go/secretstore/secretlog"
)

func TestWriter(t *testing.T) {
	reg := secretlog.NewRegistry()
	reg.AddAll("hunter22", "sk_live_42", "ab")
	var out bytes.Buffer
	w := secretlog.NewWriter(&out, reg)
	in := "login pw=hunter22 key=sk_live_42 ab\nhunter2 end"
	// One byte per Write: every value is split across Writes.
	for i := range len(in) {
		if n, err := w.Write([]byte{in[i]}); n != 1 || err != nil {
			t.Fatalf("Write = %d, %v", n, err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if want := "login pw=[REDACTED] key=[REDACTED] ab\nhunter2 end"; out.String() != want {
		t.Errorf("\n got %q\nwant %q", out.String(), want)
	}
	if err := w.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := w.Write([]byte("x")); !errors.Is(err, secretlog.ErrClosed) {
		t.Errorf("Write after Close: %v, want ErrClosed", err)
	}
}

// TestWriterFollowsRegistry adds values while a writer streams: each Write
// masks the values added before it, the held-back bytes included.
func TestWriterFollowsRegistry(t *testing.T) {
	reg := secretlog.NewRegistry() // empty: the writer holds nothing back
	var out bytes.Buffer
	w := secretlog.NewWriter(&out, reg)
	step := func(in, want string) {
		t.Helper()
		if _, err := w.Write([]byte(in)); err != nil {
			t.Fatal(err)
		}
		if out.String() != want {
			t.Fatalf("after %q:\n got %q\nwant %q", in, out.String(), want)
		}
	}
	step("start hunter22\n", "start hunter22\n")
	reg.Add("hunter22")
	step("pw=hunter22 pw=hun", "start hunter22\npw=[REDACTED] pw=")
	reg.Add("hunt-and-peck")
	// "hun" was held back for the old value and is scanned again with
	// the new one.
	step("t-and-peck ", "start hunter22\npw=[REDACTED] pw=[REDACTED] ")
	step("x hunt", "start hunter22\npw=[REDACTED] pw=[REDACTED] x ")
	reg.Add("token-9")
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if want := "start hunter22\npw=[REDACTED] pw=[REDACTED] x hunt"; out.String() != want {
		t.Fatalf("after Close:\n got %q\nwant %q", out.String(), want)
	}
}

func TestWriterError(t *testing.T) {
	reg := secretlog.NewRegistry()
	reg.Add("hunter22")
	boom := errors.New("boom")
	w := secretlog.NewWriter(errWriter{boom}, reg)
	if _, err := w.Write([]byte("line\n")); !errors.Is(err, boom) {
		t.Fatalf("Write = %v, want boom", err)
	}
	reg.Add("another")
	if _, err := w.Write([]byte("line\n")); !errors.Is(err, boom) {
		t.Fatalf("Write after a change = %v, want boom", err)
	}
	if err := w.Close(); !errors.Is(err, boom) {
		t.Fatalf("Close = %v, want boom", err)
	}
}

type errWriter struct{ err error }

func (e errWriter) Write([]byte) (int, error) { return 0, e.err }

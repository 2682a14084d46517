package secretlog_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"testing"
	"testing/slogtest"
	"time"

	"github.com/secretstore-go/secretstore"
	"github.com/secretstore-go/secretstore/secretlog"
)

// noTime drops the record's time, so that lines can be compared.
func noTime(groups []string, a slog.Attr) slog.Attr {
	if len(groups) == 0 && a.Key == slog.TimeKey {
		return slog.Attr{}
	}
	return a
}

// newLogger returns a logger masking reg's values in JSON lines without time,
// and the buffer the lines go to.
func newLogger(reg *secretlog.Registry) (*slog.Logger, *syncBuffer) {
	var buf syncBuffer
	return slog.New(secretlog.NewHandler(slog.NewJSONHandler(&buf, &slog.HandlerOptions{ReplaceAttr: noTime}), reg)), &buf
}

// syncBuffer is a bytes.Buffer safe for concurrent use.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func (s *syncBuffer) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.b.Reset()
}

const pw = "hunter22"

// Values of kind Any.
type (
	creds struct {
		User, Pass string
	}
	// wrapper has a pointer that %+v prints as an address and JSON follows.
	wrapper struct {
		Creds *creds
	}
	stringer  struct{}
	marshaler struct{}
	// formatted prints its detail with %+v only, as pkg/errors does.
	formatted struct{ detail string }
	// nilErr panics in Error on a nil receiver.
	nilErr    struct{ msg string }
	valuer    struct{ v slog.Value }
	panicking struct{}
)

func (stringer) String() string                   { return "token=" + pw }
func (marshaler) MarshalJSON() ([]byte, error)    { return []byte(`{"token":"` + pw + `"}`), nil }
func (f formatted) Error() string                 { return "request failed" }
func (f formatted) Format(s fmt.State, verb rune) { fmt.Fprintf(s, "request failed: %s", f.detail) }
func (e *nilErr) Error() string                   { return e.msg }
func (v valuer) LogValue() slog.Value             { return v.v }
func (panicking) String() string                  { panic("bad " + pw) }

func TestHandlerMasksEveryKind(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, c := range []struct {
		name string
		msg  string
		args []any
		want string // the line after "level":"INFO",
	}{
		{"no value", "hello", []any{"k", "v", "n", 42, "ok", true},
			`"msg":"hello","k":"v","n":42,"ok":true`},
		{"message", "login pw=" + pw + " ok", nil,
			`"msg":"login pw=[REDACTED] ok"`},
		{"string", "m", []any{"pw", pw, "other", "x" + pw + "x" + pw},
			`"msg":"m","pw":"[REDACTED]","other":"x[REDACTED]x[REDACTED]"`},
		{"key", "m", []any{pw, "v", "x_" + pw, 1},
			`"msg":"m","[REDACTED]":"v","x_[REDACTED]":1`},
		{"int", "m", []any{"pin", 98761234, "other", 42},
			`"msg":"m","pin":"9876[REDACTED]","other":42`},
		{"uint", "m", []any{"pin", uint64(1234)},
			`"msg":"m","pin":"[REDACTED]"`},
		{"float", "m", []any{"f", 1234.5},
			`"msg":"m","f":"[REDACTED].5"`},
		{"bool, duration and time untouched", "m", []any{"d", time.Duration(1234), "t", at},
			`"msg":"m","d":1234,"t":"2026-01-02T03:04:05Z"`},
		{"error", "m", []any{"err", errors.New("auth failed for " + pw)},
			`"msg":"m","err":"auth failed for [REDACTED]"`},
		{"wrapped error", "m", []any{"err", fmt.Errorf("connect: %w", errors.New("password "+pw+" refused"))},
			`"msg":"m","err":"connect: password [REDACTED] refused"`},
		{"error without value", "m", []any{"err", errors.New("timeout")},
			`"msg":"m","err":"timeout"`},
		{"error detail in %+v", "m", []any{"err", formatted{pw}},
			`"msg":"m","err":"request failed: [REDACTED]"`},
		{"nil error pointer", "m", []any{"err", (*nilErr)(nil)},
			`"msg":"m","err":"<nil>"`},
		{"bytes", "m", []any{"b", []byte("pw=" + pw)},
			`"msg":"m","b":"pw=[REDACTED]"`},
		{"bytes without value", "m", []any{"b", []byte("abc")},
			`"msg":"m","b":"YWJj"`},
		{"struct", "m", []any{"c", creds{"bob", pw}},
			`"msg":"m","c":"{User:bob Pass:[REDACTED]}"`},
		{"struct pointer", "m", []any{"c", &creds{"bob", pw}},
			`"msg":"m","c":"&{User:bob Pass:[REDACTED]}"`},
		{"struct without value", "m", []any{"c", creds{"bob", "x"}},
			`"msg":"m","c":{"User":"bob","Pass":"x"}`},
		{"pointer only JSON follows", "m", []any{"w", wrapper{&creds{"bob", pw}}},
			`"msg":"m","w":"{\"Creds\":{\"User\":\"bob\",\"Pass\":\"[REDACTED]\"}}\n"`},
		{"map", "m", []any{"h", map[string]string{"Authorization": "Bearer " + pw}},
			`"msg":"m","h":"map[Authorization:Bearer [REDACTED]]"`},
		{"slice", "m", []any{"l", []string{"a", pw}},
			`"msg":"m","l":"[a [REDACTED]]"`},
		{"stringer", "m", []any{"s", stringer{}},
			`"msg":"m","s":"token=[REDACTED]"`},
		{"json marshaler", "m", []any{"j", marshaler{}},
			`"msg":"m","j":"{\"token\":\"[REDACTED]\"}\n"`},
		{"panicking method", "m", []any{"p", panicking{}},
			`"msg":"m","p":"%!v(PANIC=String method: bad [REDACTED])"`},
		{"secret", "m", []any{"s", secretstore.NewSecret(pw)},
			`"msg":"m","s":"[REDACTED]"`},
		{"log valuer", "m", []any{"v", valuer{slog.StringValue("pw=" + pw)}},
			`"msg":"m","v":"pw=[REDACTED]"`},
		{"log valuer without value", "m", []any{"v", valuer{slog.IntValue(7)}},
			`"msg":"m","v":7`},
		{"log valuer of a group", "m", []any{"v", valuer{slog.GroupValue(slog.String("a", "1"), slog.String("pw", pw))}},
			`"msg":"m","v":{"a":"1","pw":"[REDACTED]"}`},
		{"log valuer of a log valuer", "m", []any{"v", valuer{slog.AnyValue(valuer{slog.StringValue(pw)})}},
			`"msg":"m","v":"[REDACTED]"`},
		{"group", "m", []any{slog.Group("g", "a", 1, "pw", pw)},
			`"msg":"m","g":{"a":1,"pw":"[REDACTED]"}`},
		{"nested groups", "m", []any{"top", "t", slog.Group("a", "x", 1, slog.Group("b", slog.Group("c", "pw", pw, "n", 2)), "y", 3), "after", "z"},
			`"msg":"m","top":"t","a":{"x":1,"b":{"c":{"pw":"[REDACTED]","n":2}},"y":3},"after":"z"`},
		{"group in a log valuer in a group", "m", []any{slog.Group("a", "v", valuer{slog.GroupValue(slog.Any("err", errors.New(pw)))})},
			`"msg":"m","a":{"v":{"err":"[REDACTED]"}}`},
		{"value in the message and attributes", pw, []any{"a", "x", "b", pw, "c", 3},
			`"msg":"[REDACTED]","a":"x","b":"[REDACTED]","c":3`},
		{"many attributes", "m", []any{"a", 1, "b", 2, "c", 3, "d", 4, "e", 5, "f", pw, "g", "x"},
			`"msg":"m","a":1,"b":2,"c":3,"d":4,"e":5,"f":"[REDACTED]","g":"x"`},
		{"too short", "m", []any{"s", "abc"},
			`"msg":"m","s":"abc"`},
		{"longest at the same start", "m", []any{"s", "1234567"},
			`"msg":"m","s":"[REDACTED]"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			reg := secretlog.NewRegistry()
			reg.AddAll(pw, "1234", "1234567", "abc", "")
			logger, buf := newLogger(reg)
			logger.Info(c.msg, c.args...)
			want := `{"level":"INFO",` + c.want + "}\n"
			if got := buf.String(); got != want {
				t.Errorf("\n got %s\nwant %s", got, want)
			}
		})
	}
}

func TestHandlerWithAttrsAndGroups(t *testing.T) {
	reg := secretlog.NewRegistry()
	reg.Add(pw)
	logger, buf := newLogger(reg)
	check := func(l *slog.Logger, want string, args ...any) {
		t.Helper()
		buf.Reset()
		l.Info("m", args...)
		if got := buf.String(); got != `{"level":"INFO","msg":"m"`+want+"}\n" {
			t.Errorf("\n got %s\nwant %s", got, want)
		}
	}
	check(logger.With("pw", pw, "n", 1), `,"pw":"[REDACTED]","n":1`)
	check(logger.With("n", 1), `,"n":1,"a":"[REDACTED]"`, "a", pw)
	check(logger.WithGroup("g").With("pw", pw).WithGroup("h"), `,"g":{"pw":"[REDACTED]","h":{"a":"[REDACTED]","b":1}}`, "a", pw, "b", 1)
	check(logger.WithGroup("g_"+pw), `,"g_[REDACTED]":{"a":1}`, "a", 1)
	check(logger.With(slog.Group("grp", "pw", pw)), `,"grp":{"pw":"[REDACTED]"}`)
	check(logger.With("v", valuer{slog.StringValue(pw)}), `,"v":"[REDACTED]"`)
	check(logger.WithGroup(""), `,"a":1`, "a", 1)

	// A value added after WithAttrs and WithGroup is masked in them too.
	late := "late-secret"
	l := logger.With("early", late).WithGroup("g_"+late).With("n", 1, "pw", pw)
	check(l, `,"early":"late-secret","g_late-secret":{"n":1,"pw":"[REDACTED]","a":"late-secret"}`, "a", late)
	reg.Add(late)
	check(l, `,"early":"[REDACTED]","g_[REDACTED]":{"n":1,"pw":"[REDACTED]","a":"[REDACTED]"}`, "a", late)
	check(l, `,"early":"[REDACTED]","g_[REDACTED]":{"n":1,"pw":"[REDACTED]","a":"[REDACTED]"}`, "a", late)
	// And in a handler derived from it after the change.
	check(l.With("x", late), `,"early":"[REDACTED]","g_[REDACTED]":{"n":1,"pw":"[REDACTED]","x":"[REDACTED]"}`)
	reg.Add("another")
	check(l, `,"early":"[REDACTED]","g_[REDACTED]":{"n":1,"pw":"[REDACTED]","b":"[REDACTED]"}`, "b", "another")
}

// retainer is a handler that keeps what WithAttrs gives it and scribbles on
// it, as the contract allows.
type retainer struct {
	slog.Handler
}

func (r retainer) WithAttrs(as []slog.Attr) slog.Handler {
	h := r.Handler.WithAttrs(as)
	for i := range as {
		as[i] = slog.String("scribbled", "x")
	}
	return retainer{h}
}

func (r retainer) WithGroup(name string) slog.Handler { return retainer{r.Handler.WithGroup(name)} }

func TestHandlerWithAttrsOwnsItsCopy(t *testing.T) {
	reg := secretlog.NewRegistry()
	var buf bytes.Buffer
	logger := slog.New(secretlog.NewHandler(retainer{slog.NewJSONHandler(&buf, &slog.HandlerOptions{ReplaceAttr: noTime})}, reg))
	l := logger.With("k", "late-secret")
	reg.Add("late-secret") // derives l's next handler again from the attributes it was given
	l.Info("m")
	if want := `{"level":"INFO","msg":"m","k":"[REDACTED]"}` + "\n"; buf.String() != want {
		t.Errorf("\n got %s\nwant %s", buf.String(), want)
	}
}

// TestHandlerPassesThrough checks that a record without a value reaches the
// next handler as it is: the same output as without the wrapper, values of
// kind Any included, and the same record (attributes, source).
func TestHandlerPassesThrough(t *testing.T) {
	args := []any{"s", "str", "i", -3, "u", uint64(4), "f", 1.5, "b", true, "d", time.Second,
		"t", time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), "e", errors.New("boom"), "c", creds{"bob", "x"},
		"bytes", []byte("xyz"), slog.Group("g", "a", 1, slog.Group("h", "b", "c")), "nil", nil}
	for _, values := range [][]string{nil, {"not-in-the-record", pw}} {
		reg := secretlog.NewRegistry()
		reg.AddAll(values...)
		var plain, wrapped bytes.Buffer
		opts := &slog.HandlerOptions{AddSource: true, ReplaceAttr: noTime}
		slog.New(slog.NewTextHandler(&plain, opts)).With("w", 1).WithGroup("G").Info("msg", args...)
		slog.New(secretlog.NewHandler(slog.NewTextHandler(&wrapped, opts), reg)).With("w", 1).WithGroup("G").Info("msg", args...)
		// Only the source lines differ.
		src := regexp.MustCompile(`source=\S*handler_test.go:\d+ `)
		p, w := src.ReplaceAllString(plain.String(), ""), src.ReplaceAllString(wrapped.String(), "")
		if p != w || w == wrapped.String() {
			t.Errorf("values %q:\n plain   %s wrapped %s", values, plain.String(), wrapped.String())
		}
	}
}

type recordHandler struct {
	slog.Handler // slog.DiscardHandler
	got          *slog.Record
}

func (h recordHandler) Enabled(context.Context, slog.Level) bool { return true }

func (h recordHandler) Handle(_ context.Context, r slog.Record) error {
	*h.got = r
	return nil
}

func TestHandlerKeepsTheRecord(t *testing.T) {
	reg := secretlog.NewRegistry()
	reg.Add(pw)
	var got slog.Record
	h := secretlog.NewHandler(recordHandler{slog.DiscardHandler, &got}, reg)
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	r := slog.NewRecord(at, slog.LevelWarn, "m "+pw, 1234)
	r.AddAttrs(slog.Int("n", 1), slog.String("pw", pw))
	if err := h.Handle(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	if !got.Time.Equal(at) || got.Level != slog.LevelWarn || got.PC != 1234 || got.Message != "m [REDACTED]" || got.NumAttrs() != 2 {
		t.Errorf("the record changed: %v %v %v %q %d", got.Time, got.Level, got.PC, got.Message, got.NumAttrs())
	}
	if !h.Enabled(context.Background(), slog.LevelDebug) {
		t.Error("Enabled is not the next handler's")
	}
	if slog.New(secretlog.NewHandler(slog.NewJSONHandler(&bytes.Buffer{}, nil), reg)).Enabled(context.Background(), slog.LevelDebug) {
		t.Error("Enabled at debug under an info handler")
	}
}

type errHandler struct{ slog.Handler }

func (errHandler) Enabled(context.Context, slog.Level) bool { return true }
func (errHandler) Handle(context.Context, slog.Record) error {
	return errors.New("disk full")
}

func TestHandlerReturnsNextError(t *testing.T) {
	h := secretlog.NewHandler(errHandler{slog.DiscardHandler}, secretlog.NewRegistry())
	if err := h.Handle(context.Background(), slog.NewRecord(time.Now(), slog.LevelInfo, "m", 0)); err == nil || err.Error() != "disk full" {
		t.Errorf("Handle = %v, want the next handler's error", err)
	}
}

// TestHandlerNoMatchDoesNotAllocate checks the common path: a record of
// strings, numbers, an error and a group, none containing a value.
func TestHandlerNoMatchDoesNotAllocate(t *testing.T) {
	reg := secretlog.NewRegistry()
	reg.AddAll(secrets(100)...)
	var got slog.Record
	h := secretlog.NewHandler(recordHandler{slog.DiscardHandler, &got}, reg)
	r := benchRecord()
	ctx := context.Background()
	h.Handle(ctx, r)
	if n := testing.AllocsPerRun(100, func() { h.Handle(ctx, r) }); n != 0 {
		t.Errorf("Handle of a record without a value allocates %v times", n)
	}
}

func TestHandlerNil(t *testing.T) {
	for _, f := range []func(){
		func() { secretlog.NewHandler(nil, secretlog.NewRegistry()) },
		func() { secretlog.NewHandler(slog.DiscardHandler, nil) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			f()
		}()
	}
}

// TestSlogtest runs the standard conformance tests of a slog.Handler on the
// handler, over a JSON handler, with an empty registry and with one whose
// values the tests do not log (so every record is checked).
func TestSlogtest(t *testing.T) {
	for _, values := range [][]string{nil, {"never-logged", "value-2", pw}} {
		var buf bytes.Buffer
		reg := secretlog.NewRegistry()
		reg.AddAll(values...)
		slogtest.Run(t, func(*testing.T) slog.Handler {
			buf.Reset()
			return secretlog.NewHandler(slog.NewJSONHandler(&buf, nil), reg)
		}, func(t *testing.T) map[string]any {
			m := map[string]any{}
			if err := json.Unmarshal(buf.Bytes(), &m); err != nil {
				t.Fatal(err)
			}
			return m
		})
	}
}

// TestHandlerConcurrent logs from several goroutines, through handlers made
// with WithAttrs before and after values were added, while values are added:
// every value added before a record is logged is masked in it.
func TestHandlerConcurrent(t *testing.T) {
	reg := secretlog.NewRegistry()
	logger, buf := newLogger(reg)
	var wout syncBuffer
	w := secretlog.NewWriter(&wout, reg)
	const workers, rounds = 4, 200
	lates := make([]string, rounds)
	for j := range lates {
		lates[j] = fmt.Sprintf("late-secret-%03d", j)
	}
	// Made before its value is known.
	early := logger.With("late", lates[rounds-1])
	added := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		// Adds many values while the others log.
		for j := range rounds {
			reg.Add(lates[j])
		}
		close(added)
	})
	for i := range workers {
		wg.Go(func() {
			l := logger.With("worker", i)
			for j := range rounds {
				v := fmt.Sprintf("secret-%d-%03d-xyz", i, j)
				reg.Add(v)
				l.Info("value "+v, "v", v, "err", errors.New("bad "+v), slog.Group("g", "v", v))
				fmt.Fprintf(w, "line %s\n", v)
				if j%50 == 0 {
					l = l.With("prev", v)
				}
			}
		})
	}
	<-added
	early.Info("after")
	wg.Wait()
	w.Close()
	for _, out := range []string{buf.String(), wout.String()} {
		if strings.Contains(out, "secret-") {
			i := strings.Index(out, "secret-")
			t.Fatalf("a value was logged: ...%s...", out[max(0, i-80):min(len(out), i+40)])
		}
	}
	if n := strings.Count(buf.String(), "\n"); n != workers*rounds+1 {
		t.Errorf("%d lines, want %d", n, workers*rounds+1)
	}
}

// Named string and byte-slice types, and values whose text holds a value
// only in the form one handler prints.
type (
	token     []byte
	myByte    byte
	myBytes   []myByte
	pass      string
	hidden    string // String hides it; encoding/json writes it
	hiddenB   []byte // String hides it; the text handler writes it
	textErr   struct{}
	textOnly  struct{ v string }
	quoteErr  struct{}
	strErr    string
	stringerP struct{ p *creds }
)

func (hidden) String() string                   { return "***" }
func (hiddenB) String() string                  { return "***" }
func (textErr) Error() string                   { return "failed" }
func (textErr) MarshalText() ([]byte, error)    { return []byte("failed with " + pw), nil }
func (t textOnly) MarshalText() ([]byte, error) { return []byte(t.v), nil }
func (textOnly) String() string                 { return "text" }
func (quoteErr) Error() string                  { return fmt.Sprintf("bad password %q", pw+`"&<`) }
func (e strErr) Error() string                  { return "error" }
func (s stringerP) String() string              { return "user " + s.p.User + " pass " + s.p.Pass }

// TestHandlerNamedTypes logs each value through the text and the JSON
// handler and checks that the value is in neither output, nor the form the
// handler prints it in.
func TestHandlerNamedTypes(t *testing.T) {
	// What shows the value: itself, or the base64 the JSON handler writes
	// for byte slices.
	shows := func(out string) bool {
		for _, f := range []string{pw, `\"&\u003c`, base64.StdEncoding.EncodeToString([]byte(pw)), base64.StdEncoding.EncodeToString([]byte("pw=" + pw))} {
			if strings.Contains(out, f) {
				return true
			}
		}
		return false
	}
	for _, c := range []struct {
		name string
		v    any
	}{
		{"named byte slice", token("pw=" + pw)},
		{"byte slice of a named byte", myBytes{'h', 'u', 'n', 't', 'e', 'r', '2', '2'}},
		{"named string", pass(pw)},
		{"named string with String", hidden(pw)},
		{"named byte slice with String", hiddenB(pw)},
		{"error with MarshalText", textErr{}},
		{"TextMarshaler", textOnly{pw}},
		{"error text with %q", quoteErr{}},
		// Neither handler prints it, but its contents are checked all
		// the same.
		{"error of a string kind", strErr(pw)},
		{"Stringer", stringerP{&creds{"bob", pw}}},
		{"error wrapping a value", fmt.Errorf("open: %w", errors.New("key "+pw))},
	} {
		shown := false
		for _, h := range []struct {
			name string
			new  func(io.Writer) slog.Handler
		}{
			{"text", func(w io.Writer) slog.Handler { return slog.NewTextHandler(w, nil) }},
			{"json", func(w io.Writer) slog.Handler { return slog.NewJSONHandler(w, nil) }},
		} {
			reg := secretlog.NewRegistry()
			reg.Add(pw)
			reg.Add(pw + `"&<`)
			var plain, masked bytes.Buffer
			slog.New(h.new(&plain)).Info("m", "v", c.v)
			slog.New(secretlog.NewHandler(h.new(&masked), reg)).Info("m", "v", c.v)
			shown = shown || shows(plain.String())
			if shows(masked.String()) || !strings.Contains(masked.String(), "[REDACTED]") {
				t.Errorf("%s, %s handler: %s", c.name, h.name, masked.String())
			}
		}
		if !shown && c.name != "error of a string kind" {
			t.Errorf("%s: neither handler shows the value unmasked: the case tests nothing", c.name)
		}
	}
}

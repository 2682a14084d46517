package redact

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
)

// reference is the specification: from left to right, the longest value that
// starts at the current byte is replaced and skipped; otherwise the byte is
// copied.
func reference(text string, values []string) string {
	var b strings.Builder
	for i := 0; i < len(text); {
		best := 0
		for _, v := range values {
			if len(v) > best && strings.HasPrefix(text[i:], v) {
				best = len(v)
			}
		}
		if best > 0 {
			b.WriteString(Mask)
			i += best
		} else {
			b.WriteByte(text[i])
			i++
		}
	}
	return b.String()
}

// writeAll writes text to a new Writer in pieces of the given lengths (the
// rest in one piece), checks the hold-back bound after every Write, closes
// it and returns the output.
func writeAll(t testing.TB, m *Matcher, text string, pieces ...int) string {
	t.Helper()
	var out bytes.Buffer
	w := m.NewWriter(&out)
	rest := text
	write := func(p string) {
		n, err := w.Write([]byte(p))
		if err != nil || n != len(p) {
			t.Fatalf("Write(%q) = %d, %v", p, n, err)
		}
		if h := w.sc.held(); h > 0 && h >= m.MaxLen() {
			t.Fatalf("holds back %d bytes; the longest value has %d", h, m.MaxLen())
		}
	}
	for _, n := range pieces {
		n = min(n, len(rest))
		write(rest[:n])
		rest = rest[n:]
	}
	if rest != "" {
		write(rest)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	return out.String()
}

var cases = []struct {
	name   string
	values []string
	text   string
	want   string
}{
	{"none", nil, "nothing to hide", "nothing to hide"},
	{"empty text", []string{"x"}, "", ""},
	{"one", []string{"hunter2"}, "pw=hunter2;", "pw=[REDACTED];"},
	{"twice", []string{"ab"}, "abab-ab", "[REDACTED][REDACTED]-[REDACTED]"},
	{"whole", []string{"abc"}, "abc", "[REDACTED]"},
	{"prefix: longest wins", []string{"abc", "abcdef"}, "xabcdefx", "x[REDACTED]x"},
	{"prefix: shorter when longer is absent", []string{"abc", "abcdef"}, "xabcdex", "x[REDACTED]dex"},
	{"prefix order does not matter", []string{"abcdef", "abc"}, "abcdef abc", "[REDACTED] [REDACTED]"},
	{"overlap: leftmost wins", []string{"abc", "cde"}, "abcde", "[REDACTED]de"},
	{"overlap: leftmost wins over longer", []string{"bcdefg", "abc"}, "abcdefg", "[REDACTED]defg"},
	{"overlap chain", []string{"ab", "bc", "cd"}, "abcd", "[REDACTED][REDACTED]"},
	{"suffix of another", []string{"abcd", "bc"}, "abcd", "[REDACTED]"},
	{"suffix of another, longer absent", []string{"abcd", "bc"}, "abce", "a[REDACTED]e"},
	{"inner after failed long", []string{"abcdefg", "abc", "d"}, "abcdefX", "[REDACTED][REDACTED]efX"},
	{"repeated byte", []string{"aaa"}, "aaaaaaa", "[REDACTED][REDACTED]a"},
	{"empty values ignored", []string{"", "s3cr3t", ""}, "a s3cr3t b", "a [REDACTED] b"},
	{"only empty values", []string{""}, "text", "text"},
	{"duplicates", []string{"k", "k"}, "kk", "[REDACTED][REDACTED]"},
	{"binary", []string{"\x00\xff\xfe"}, "a\x00\xff\xfe\x00\xff", "a[REDACTED]\x00\xff"},
	{"newline in value", []string{"line1\nline2"}, "x line1\nline2 y", "x [REDACTED] y"},
	{"partial at end", []string{"secret"}, "my secre", "my secre"},
	{"many siblings", []string{"a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "a9", "a0", "ax"}, "a5 a0 ax ay", "[REDACTED] [REDACTED] [REDACTED] ay"},
}

func TestCases(t *testing.T) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if ref := reference(c.text, nonEmpty(c.values)); ref != c.want {
				t.Fatalf("the reference gives %q, the case wants %q", ref, c.want)
			}
			for _, m := range matchers(c.values) {
				if got := m.Redact(c.text); got != c.want {
					t.Errorf("prefix %d: Redact(%q) = %q, want %q", m.prefix, c.text, got, c.want)
				}
				if got := writeAll(t, m, c.text); got != c.want {
					t.Errorf("prefix %d: one Write of %q: %q, want %q", m.prefix, c.text, got, c.want)
				}
			}
		})
	}
}

// matchers returns matchers of values that index the default prefix and
// prefixes of 1, 2 and 3 bytes, so that the values of the cases are also
// verified as long values.
func matchers(values []string) []*Matcher {
	var ms []*Matcher
	for _, p := range []int{0, 1, 2, 3} {
		ms = append(ms, NewMatcherOptions(values, Options{IndexPrefix: p}))
	}
	return ms
}

func nonEmpty(values []string) []string {
	var out []string
	for _, v := range values {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}

// TestSplitEverywhere writes each case in two pieces split at every offset,
// in three pieces split at every pair of offsets, and one byte at a time.
func TestSplitEverywhere(t *testing.T) {
	for _, c := range cases {
		for _, m := range matchers(c.values) {
			splitEverywhere(t, m, c.name, c.text, c.want)
		}
	}
}

// splitEverywhere checks that text written to m's Writer gives want
// however it is split.
func splitEverywhere(t *testing.T, m *Matcher, name, text, want string) {
	t.Helper()
	for i := 0; i <= len(text); i++ {
		if got := writeAll(t, m, text, i); got != want {
			t.Fatalf("%s, prefix %d: split at %d: %q, want %q", name, m.prefix, i, got, want)
		}
		for j := 0; i+j <= len(text); j++ {
			if got := writeAll(t, m, text, i, j); got != want {
				t.Fatalf("%s, prefix %d: split at %d and %d: %q, want %q", name, m.prefix, i, i+j, got, want)
			}
		}
	}
	ones := make([]int, len(text))
	for i := range ones {
		ones[i] = 1
	}
	if got := writeAll(t, m, text, ones...); got != want {
		t.Fatalf("%s, prefix %d: byte by byte: %q, want %q", name, m.prefix, got, want)
	}
}

// TestHoldsBackOnlyPrefixes checks that a Writer holds back only bytes that
// could begin a value, so that a line-by-line stream is not delayed.
func TestHoldsBackOnlyPrefixes(t *testing.T) {
	m := NewMatcher([]string{"token-1234", "hunter2"})
	var out bytes.Buffer
	w := m.NewWriter(&out)
	for _, step := range []struct {
		in       string
		wantOut  string
		wantHeld int
	}{
		{"log line one\n", "log line one\n", 0},
		{"auth tok", "log line one\nauth ", 3},
		{"en-12", "log line one\nauth ", 8},
		{"34 ok\n", "log line one\nauth [REDACTED] ok\n", 0},
		{"pw=hunt", "log line one\nauth [REDACTED] ok\npw=", 4},
		{"ing\n", "log line one\nauth [REDACTED] ok\npw=hunting\n", 0},
	} {
		if _, err := w.Write([]byte(step.in)); err != nil {
			t.Fatal(err)
		}
		if out.String() != step.wantOut || w.sc.held() != step.wantHeld {
			t.Fatalf("after %q: out %q holding %d, want %q holding %d", step.in, out.String(), w.sc.held(), step.wantOut, step.wantHeld)
		}
	}
}

// TestLongestMinusOne checks the bound: the longest value's bytes but its
// last are held back, and its last byte releases them as a mask.
func TestLongestMinusOne(t *testing.T) {
	v := "0123456789"
	m := NewMatcher([]string{v, "0123"})
	var out bytes.Buffer
	w := m.NewWriter(&out)
	w.Write([]byte("x" + v[:9]))
	if out.String() != "x" || w.sc.held() != 9 {
		t.Fatalf("out %q holding %d, want %q holding 9", out.String(), w.sc.held(), "x")
	}
	w.Write([]byte(v[9:]))
	if out.String() != "x"+Mask || w.sc.held() != 0 {
		t.Fatalf("out %q holding %d, want %q holding 0", out.String(), w.sc.held(), "x"+Mask)
	}
}

func TestManyValues(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/"
	values := make([]string, 5000)
	for i := range values {
		b := make([]byte, 8+rng.IntN(40))
		for j := range b {
			b[j] = alphabet[rng.IntN(len(alphabet))]
		}
		values[i] = string(b)
	}
	m := NewMatcher(values)
	if m.Len() != len(values) || m.MaxLen() > 47 {
		t.Fatalf("Len %d MaxLen %d", m.Len(), m.MaxLen())
	}
	var text strings.Builder
	var want strings.Builder
	for i := 0; i < 2000; i++ {
		if i%7 == 0 {
			v := values[rng.IntN(len(values))]
			text.WriteString(v)
			want.WriteString(Mask)
		} else {
			fmt.Fprintf(&text, " line %d; ", i)
			fmt.Fprintf(&want, " line %d; ", i)
		}
	}
	// The expected text assumes no value occurs by chance in the rest;
	// the reference confirms it.
	if ref := reference(text.String(), values); ref != want.String() {
		t.Fatal("a value occurs by chance in the test text; change the seed")
	}
	if got := m.Redact(text.String()); got != want.String() {
		t.Fatal("Redact differs from the expected text")
	}
	if got := writeAll(t, m, text.String(), 1, 100, 3, 4096, 17); got != want.String() {
		t.Fatal("Writer differs from the expected text")
	}
}

func TestRedactNoMatchDoesNotAllocate(t *testing.T) {
	m := NewMatcher([]string{"secret-value", "other"})
	s := "a long log line with nothing secret in it"
	if got := m.Redact(s); got != s {
		t.Fatalf("Redact(%q) = %q", s, got)
	}
	if n := testing.AllocsPerRun(100, func() { m.Redact(s) }); n != 0 {
		t.Errorf("Redact without a match allocates %v times", n)
	}
}

func TestLargeWrite(t *testing.T) {
	v := "needle-in-a-haystack"
	text := strings.Repeat("hay ", 50_000) + v + strings.Repeat(" hay", 50_000) + v[:10]
	want := strings.Repeat("hay ", 50_000) + Mask + strings.Repeat(" hay", 50_000) + v[:10]
	// Put the value across the boundary of the Writer's internal chunks too.
	text2 := strings.Repeat("x", chunk-5) + v
	want2 := strings.Repeat("x", chunk-5) + Mask
	m := NewMatcher([]string{v})
	if got := writeAll(t, m, text); got != want {
		t.Error("large Write: wrong output")
	}
	if got := writeAll(t, m, text2); got != want2 {
		t.Error("value across chunks: wrong output")
	}
}

type failWriter struct {
	n   int // successful writes left
	err error
}

func (f *failWriter) Write(p []byte) (int, error) {
	if f.n == 0 {
		return 0, f.err
	}
	f.n--
	return len(p), nil
}

func TestWriterErrors(t *testing.T) {
	boom := errors.New("boom")
	for _, values := range [][]string{nil, {"secret"}} {
		fw := &failWriter{n: 1, err: boom}
		w := NewWriter(fw, values)
		if _, err := w.Write([]byte("first\n")); err != nil {
			t.Fatalf("%v: first Write: %v", values, err)
		}
		if n, err := w.Write([]byte("second\n")); !errors.Is(err, boom) || n != 0 {
			t.Fatalf("%v: second Write = %d, %v; want 0, boom", values, n, err)
		}
		fw.n = 10
		if _, err := w.Write([]byte("third\n")); !errors.Is(err, boom) {
			t.Fatalf("%v: the error is not sticky: %v", values, err)
		}
		if err := w.Close(); !errors.Is(err, boom) {
			t.Fatalf("%v: Close = %v, want boom", values, err)
		}
	}

	var out bytes.Buffer
	w := NewWriter(&out, []string{"secret"})
	w.Write([]byte("the secr"))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if out.String() != "the secr" {
		t.Fatalf("Close wrote %q, want the held-back bytes", out.String())
	}
	if err := w.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := w.Write([]byte("x")); !errors.Is(err, ErrClosed) {
		t.Fatalf("Write after Close: %v, want ErrClosed", err)
	}
}

func TestConcurrentWrites(t *testing.T) {
	var out bytes.Buffer
	w := NewWriter(&out, []string{"s3cr3t"})
	done := make(chan struct{})
	for range 4 {
		go func() {
			defer func() { done <- struct{}{} }()
			for range 100 {
				w.Write([]byte("x s3cr3t y\n"))
			}
		}()
	}
	for range 4 {
		<-done
	}
	w.Close()
	if strings.Contains(out.String(), "s3cr3t") || strings.Count(out.String(), Mask) != 400 {
		t.Fatalf("concurrent Writes: %d masks, value present: %v", strings.Count(out.String(), Mask), strings.Contains(out.String(), "s3cr3t"))
	}
}

// FuzzWriter checks the Writer against the reference for any values, text
// and split of the text into Writes, and that no value survives.
//
// values is a list of values separated by its first byte. In text, bytes
// 0xF0 to 0xFF stand for values (the (b-0xF0)%n-th), so that the fuzzer can
// place values side by side, overlapping and split.
func FuzzWriter(f *testing.F) {
	f.Add([]byte(",abc,abcdef,cde"), []byte("x\xf0\xf1\xf2yabcde"), uint64(1))
	f.Add([]byte("\x00s3cr3t\x00\x00\xff\xfe\x00"), []byte("key=\xf0;bin=\xf1\xf1"), uint64(2))
	f.Add([]byte("/aaa/aa/a"), []byte("aaaaaaaaaaa"), uint64(3))
	f.Add([]byte(",ab,bc,cd,abcd"), []byte("abcdabcd\xf2\xf3"), uint64(4))
	f.Add([]byte(",RED,]x,D]"), []byte("\xf0 RED ]x"), uint64(5))
	f.Fuzz(func(t *testing.T, valuesArg, textArg []byte, seed uint64) {
		if len(valuesArg) == 0 || len(valuesArg) > 512 || len(textArg) > 4096 {
			return
		}
		var values []string
		for _, v := range bytes.Split(valuesArg[1:], valuesArg[:1]) {
			values = append(values, string(v))
		}
		live := nonEmpty(values)
		var text []byte
		for _, b := range textArg {
			if b >= 0xF0 && len(live) > 0 {
				text = append(text, live[int(b-0xF0)%len(live)]...)
			} else {
				text = append(text, b)
			}
		}
		if len(text) > 8<<10 {
			text = text[:8<<10] // keep the naive reference fast
		}
		want := reference(string(text), live)

		// Index prefixes of 1 to 4 bytes as well as the default, so that
		// most values are verified as long values.
		m := NewMatcherOptions(values, Options{IndexPrefix: int(seed % 5)})
		rng := rand.New(rand.NewPCG(seed, seed>>32))
		var pieces []int
		for n := 0; n < len(text); {
			k := 1 + rng.IntN(1+rng.IntN(64))
			pieces = append(pieces, k)
			n += k
		}
		got := writeAll(t, m, string(text), pieces...)
		if got != want {
			t.Fatalf("values %q, text %q, pieces %v:\n got %q\nwant %q", live, text, pieces, got, want)
		}
		if r := m.Redact(string(text)); r != want {
			t.Fatalf("Redact: got %q, want %q", r, want)
		}
		found := false
		for _, v := range live {
			found = found || bytes.Contains(text, []byte(v))
		}
		if m.Contains(string(text)) != found || m.ContainsBytes(text) != found {
			t.Fatalf("Contains = %v, ContainsBytes = %v, want %v", m.Contains(string(text)), m.ContainsBytes(text), found)
		}
		for _, v := range live {
			// A value can only be seen where the mask spells part of it
			// (see the package documentation).
			if !strings.ContainsAny(v, "[]") && !strings.Contains(Mask, v) && strings.Contains(got, v) {
				t.Fatalf("value %q survives in %q", v, got)
			}
		}
	})
}

func BenchmarkWriter(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 4))
	values := make([]string, 1000)
	for i := range values {
		values[i] = fmt.Sprintf("sk_live_%016x%016x", rng.Uint64(), rng.Uint64())
	}
	line := []byte("2026-01-02T03:04:05Z INFO request served path=/v1/things status=200 duration=1.2ms user=alice\n")
	m := NewMatcher(values)
	w := m.NewWriter(io.Discard)
	b.SetBytes(int64(len(line)))
	b.ReportAllocs()
	for b.Loop() {
		w.Write(line)
	}
}

func TestContains(t *testing.T) {
	for _, c := range cases {
		m := NewMatcher(c.values)
		want := false
		for _, v := range nonEmpty(c.values) {
			want = want || strings.Contains(c.text, v)
		}
		if got := m.Contains(c.text); got != want {
			t.Errorf("%s: Contains(%q) = %v, want %v", c.name, c.text, got, want)
		}
		if got := m.ContainsBytes([]byte(c.text)); got != want {
			t.Errorf("%s: ContainsBytes(%q) = %v, want %v", c.name, c.text, got, want)
		}
	}
	m := NewMatcher([]string{"secret-value", "other"})
	s, b := "a long log line with nothing secret in it", []byte("the other one")
	if n := testing.AllocsPerRun(100, func() { m.Contains(s); m.ContainsBytes(b) }); n != 0 {
		t.Errorf("Contains allocates %v times", n)
	}
}

func TestSetMatcher(t *testing.T) {
	old := NewMatcher([]string{"hunter2"})
	grown := NewMatcher([]string{"hunter2", "sk_live_42"})
	for _, c := range []struct {
		name     string
		from, to *Matcher
		before   string // written before SetMatcher
		after    string // written after it
		want     string
	}{
		// The held-back "hun" is scanned again with the new matcher.
		{"held value completes", old, grown, "pw=hun", "ter2 ok", "pw=[REDACTED] ok"},
		{"new value after", old, grown, "pw=hunter2 ", "key=sk_live_42", "pw=[REDACTED] key=[REDACTED]"},
		// "sk_l" was written out under the old matcher: not revisited.
		{"new value begun before", old, grown, "key=sk_l", "ive_42", "key=sk_live_42"},
		// An empty matcher writes the held-back bytes out at once.
		{"to empty", old, NewMatcher(nil), "pw=hun", "ter2", "pw=hunter2"},
		{"from empty", NewMatcher(nil), grown, "a ", "hunter2 b", "a [REDACTED] b"},
		// A pending match that could still grow keeps its bytes.
		{"pending candidate", NewMatcher([]string{"abc", "abcdef"}), NewMatcher([]string{"abc", "abcdef", "zz"}), "xabc", "def zz", "x[REDACTED] [REDACTED]"},
		{"same matcher", old, old, "pw=hun", "ter2", "pw=[REDACTED]"},
	} {
		var out bytes.Buffer
		w := c.from.NewWriter(&out)
		w.Write([]byte(c.before))
		if err := w.SetMatcher(c.to); err != nil {
			t.Fatalf("%s: SetMatcher: %v", c.name, err)
		}
		if c.to.Len() == 0 && out.String() != c.before {
			t.Errorf("%s: after SetMatcher to an empty matcher, out %q, want %q", c.name, out.String(), c.before)
		}
		w.Write([]byte(c.after))
		w.Close()
		if out.String() != c.want {
			t.Errorf("%s: got %q, want %q", c.name, out.String(), c.want)
		}
	}
	w := old.NewWriter(io.Discard)
	w.Close()
	if err := w.SetMatcher(old); !errors.Is(err, ErrClosed) {
		t.Errorf("SetMatcher after Close: %v, want ErrClosed", err)
	}
	boom := errors.New("boom")
	w = old.NewWriter(&failWriter{err: boom})
	w.Write([]byte("x\n"))
	if err := w.SetMatcher(grown); !errors.Is(err, boom) {
		t.Errorf("SetMatcher after a failed Write: %v, want boom", err)
	}
}

// TestContainsRandom compares Contains with a naive search over a two-letter
// alphabet, where values share long prefixes, are longer than the indexed
// prefix, and occur near each other.
func TestContainsRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	word := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = "ab"[rng.IntN(2)]
		}
		return string(b)
	}
	for range 3000 {
		values := make([]string, 1+rng.IntN(4))
		for i := range values {
			values[i] = strings.Repeat("a", rng.IntN(50)) + word(1+rng.IntN(8))
		}
		text := strings.Repeat("a", rng.IntN(80)) + word(rng.IntN(60))
		want := false
		for _, v := range values {
			want = want || strings.Contains(text, v)
		}
		m := NewMatcher(values)
		if m.Contains(text) != want || m.ContainsBytes([]byte(text)) != want {
			t.Fatalf("values %q, text %q: Contains %v, ContainsBytes %v, want %v", values, text, m.Contains(text), m.ContainsBytes([]byte(text)), want)
		}
	}
	// A long value that almost occurs everywhere: its indexed prefix
	// occurs at every byte, and each is refuted by one comparison.
	m := NewMatcher([]string{strings.Repeat("a", 4000) + "b"})
	if m.Contains(strings.Repeat("a", 1<<20)) {
		t.Fatal("found a value that is not there")
	}
}

// TestLongValues checks values longer than the indexed prefix: verified past
// it, across Writes, sharing the prefix with others, and refuted late.
func TestLongValues(t *testing.T) {
	rng := rand.New(rand.NewPCG(10, 11))
	b := make([]byte, 1<<20)
	for i := range b {
		b[i] = "0123456789abcdef"[rng.IntN(16)]
	}
	big := string(b) // 1 MiB, in which its first 40 bytes do not recur
	other := big[:len(big)-1] + "X"
	m := NewMatcher([]string{big, other, big[:40], "short"})
	for _, c := range []struct{ name, text, want string }{
		{"whole", "a " + big + " b", "a " + Mask + " b"},
		{"the other", "a " + other + " b", "a " + Mask + " b"},
		{"refuted at the last byte", "a " + big[:len(big)-1] + "Y b", "a " + Mask + big[40:len(big)-1] + "Y b"},
		{"cut short", "a " + big[:1000], "a " + Mask + big[40:1000]},
		{"twice", big + big, Mask + Mask},
		{"short inside", "x" + big[:100] + "short" + big[100:], "x" + Mask + big[40:100] + Mask + big[100:]},
	} {
		if got := m.Redact(c.text); got != c.want {
			t.Errorf("%s: Redact differs (len %d, want %d)", c.name, len(got), len(c.want))
		}
		for _, pieces := range [][]int{nil, {3}, {100, 7, 1 << 16}, {1 << 19}} {
			if got := writeAll(t, m, c.text, pieces...); got != c.want {
				t.Errorf("%s: pieces %v: Writer differs (len %d, want %d)", c.name, pieces, len(got), len(c.want))
			}
		}
	}
	// A line that begins like a long value is held back only until it
	// departs from it.
	var out bytes.Buffer
	w := m.NewWriter(&out)
	w.Write([]byte("cert: " + big[:50] + "~ tail\n"))
	if out.String() != "cert: "+Mask+big[40:50]+"~ tail\n" || w.sc.held() != 0 {
		t.Fatalf("out %q, holding %d", out.String(), w.sc.held())
	}
}

// TestLongValuesSmallPrefix compares long values over a two-letter alphabet,
// indexed by a prefix of 1 to 3 bytes, with the reference.
func TestLongValuesSmallPrefix(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 9))
	word := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = "ab"[rng.IntN(2)]
		}
		return string(b)
	}
	for range 300 {
		values := make([]string, 1+rng.IntN(4))
		for i := range values {
			values[i] = word(1 + rng.IntN(8))
		}
		text := word(rng.IntN(24))
		want := reference(text, values)
		for _, p := range []int{1, 2, 3} {
			m := NewMatcherOptions(values, Options{IndexPrefix: p})
			if got := m.Redact(text); got != want {
				t.Fatalf("values %q, prefix %d: Redact(%q) = %q, want %q", values, p, text, got, want)
			}
			splitEverywhere(t, m, fmt.Sprintf("values %q", values), text, want)
		}
	}
}

// TestRecurringValues checks long values whose indexed prefix recurs in
// them, which are followed with their own automaton: in texts where that
// prefix occurs at almost every byte.
func TestRecurringValues(t *testing.T) {
	a := strings.Repeat("a", 5000) + "b"
	ab := strings.Repeat("ab", 3000)
	chain := "-----BEGIN CERTIFICATE-----\nMIIFxyz\n-----END CERTIFICATE-----\n-----BEGIN CERTIFICATE-----\nMIIFuvw\n-----END CERTIFICATE-----\n"
	m := NewMatcher([]string{a, ab, chain, "x" + strings.Repeat("a", 40)})
	if len(m.recurring) != 3 {
		t.Fatalf("%d recurring values, want 3", len(m.recurring))
	}
	for _, c := range []struct{ name, text, want string }{
		{"run", strings.Repeat("a", 20000) + "b", strings.Repeat("a", 15000) + Mask},
		{"run without the end", strings.Repeat("a", 20000), strings.Repeat("a", 20000)},
		{"period two", strings.Repeat("ab", 7000), Mask + Mask + strings.Repeat("ab", 1000)},
		{"chain", "log " + chain[:60] + chain + "end", "log " + chain[:60] + Mask + "end"},
		{"both", "x" + strings.Repeat("a", 5040) + "b", Mask + Mask},
		{"both, shorter run", "x" + strings.Repeat("a", 5039) + "b", Mask + strings.Repeat("a", 4999) + "b"},
	} {
		if got := m.Redact(c.text); got != c.want {
			t.Errorf("%s: Redact differs (len %d, want %d)", c.name, len(got), len(c.want))
		}
		want := strings.Contains(c.text, a) || strings.Contains(c.text, ab) || strings.Contains(c.text, chain) || strings.Contains(c.text, "x"+strings.Repeat("a", 40))
		if m.Contains(c.text) != want || m.ContainsBytes([]byte(c.text)) != want {
			t.Errorf("%s: Contains %v, ContainsBytes %v, want %v", c.name, m.Contains(c.text), m.ContainsBytes([]byte(c.text)), want)
		}
		for _, pieces := range [][]int{nil, {1, 2, 3, 4999, 1}, {4096, 4096, 4096}} {
			if got := writeAll(t, m, c.text, pieces...); got != c.want {
				t.Errorf("%s: pieces %v: Writer differs (len %d, want %d)", c.name, pieces, len(got), len(c.want))
			}
		}
	}
}

package secretlog

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/secretstore-go/secretstore"
	"github.com/secretstore-go/secretstore/memstore"
)

var _ secretstore.KnownValues = (*Registry)(nil)

func TestRegistry(t *testing.T) {
	var zero Registry // usable as it is
	for _, r := range []*Registry{NewRegistry(), &zero} {
		r.AddAll("", "abc", "hunter22", "hunter22", "abcd")
		if r.Len() != 2 {
			t.Errorf("Len = %d, want 2 (empty, short and duplicate values ignored)", r.Len())
		}
		for s, want := range map[string]string{
			"pw=hunter22 abc abcd": "pw=[REDACTED] abc [REDACTED]",
			"nothing":              "nothing",
			"":                     "",
		} {
			if got := r.Redact(s); got != want {
				t.Errorf("Redact(%q) = %q, want %q", s, got, want)
			}
			if got := r.Contains(s); got != (want != s) {
				t.Errorf("Contains(%q) = %v", s, got)
			}
		}
		if r.Len() != 2 {
			t.Errorf("Len after a rebuild = %d, want 2", r.Len())
		}
	}
}

func TestMinLen(t *testing.T) {
	for _, c := range []struct {
		n    int
		text string
		want string
	}{
		{1, "a b abc", "[REDACTED] b [REDACTED]"},
		{0, "a b abc", "[REDACTED] b [REDACTED]"},
		{3, "a b abc", "a b [REDACTED]"},
		{4, "a b abc", "a b abc"},
	} {
		r := NewRegistry(WithMinLen(c.n))
		r.AddAll("a", "abc", "")
		if got := r.Redact(c.text); got != c.want {
			t.Errorf("WithMinLen(%d): %q, want %q", c.n, got, c.want)
		}
	}
	if DefaultMinLen != 4 {
		t.Error("the documented default changed")
	}
}

func TestEncodings(t *testing.T) {
	v := "pa55\xffword?~" // base64 with + and /, URL-safe with - and _
	short := "ab"         // hex "6162": as long as the minimum, but its value is not
	upper := Encoding(strings.ToUpper)
	r := NewRegistry(WithEncodings(Hex, Base64, Base64URL, upper))
	r.AddAll(v, short)
	for _, text := range []string{
		v,
		hex.EncodeToString([]byte(v)),
		base64.StdEncoding.EncodeToString([]byte(v)),
		base64.RawStdEncoding.EncodeToString([]byte(v)),
		base64.URLEncoding.EncodeToString([]byte(v)),
		strings.ToUpper(v),
	} {
		got := r.Redact("x " + text + " y")
		if got != "x [REDACTED] y" && got != "x [REDACTED]= y" && got != "x [REDACTED]== y" {
			t.Errorf("%q: %q", text, got)
		}
	}
	if got := r.Redact("6162 YWI"); got != "6162 YWI" {
		t.Errorf("the forms of a short value are masked: %q", got)
	}
	if r.Len() != 1 {
		t.Errorf("Len = %d, want 1: encodings are not counted", r.Len())
	}
}

// TestRebuildsCoalesce checks that many Adds cost one rebuild, by many
// concurrent first users, and none for values known already.
func TestRebuildsCoalesce(t *testing.T) {
	r := NewRegistry()
	for i := range 1000 {
		r.Add(fmt.Sprintf("value-%04d", i))
	}
	if r.cur.Load() != nil {
		t.Fatal("Add rebuilt the matcher")
	}
	start := make(chan struct{})
	got := make([]*snapshot, 8)
	var wg sync.WaitGroup
	for i := range got {
		wg.Go(func() {
			<-start
			got[i] = r.snapshot()
		})
	}
	close(start)
	wg.Wait()
	for _, s := range got {
		if s != got[0] || s.m.Len() != 1000 {
			t.Fatalf("concurrent first uses made different snapshots, or one without every value (%d)", s.m.Len())
		}
	}
	r.AddAll("value-0001", "value-0999", "", "x")
	if r.snapshot() != got[0] {
		t.Error("Adds of known, empty and short values rebuilt the matcher")
	}
	r.Add("value-1000")
	if s := r.snapshot(); s == got[0] || s.m.Len() != 1001 || r.snapshot() != s {
		t.Error("a new value did not rebuild the matcher once")
	}
}

func TestAddKnownDoesNotAllocate(t *testing.T) {
	r := NewRegistry()
	values := []string{"value-one", "value-two"}
	r.AddAll(values...)
	// Pending (no handler used the registry since), then in the snapshot.
	for _, when := range []string{"pending", "built"} {
		if n := testing.AllocsPerRun(100, func() { r.Add(values[0]); r.Add(values[1]) }); n != 0 {
			t.Errorf("%s: Add of a known value allocates %v times", when, n)
		}
		r.snapshot()
	}
	// Nor does the store's Lookup from memory, which tells the registry.
	store := secretstore.New(memstore.New(map[string]string{"k": "value-three"}), secretstore.WithKnownValues(r), secretstore.WithLogger(nil))
	ctx := context.Background()
	store.Lookup(ctx, "k")
	if !r.Contains("value-three") {
		t.Fatal("the store did not tell the registry")
	}
	if n := testing.AllocsPerRun(100, func() { store.Lookup(ctx, "k") }); n != 0 {
		t.Errorf("Lookup with a registry allocates %v times", n)
	}
}

// TestAddWhileRebuilding races Adds of new values against rebuilds: every
// value whose Add returned is in the snapshot a later use takes.
func TestAddWhileRebuilding(t *testing.T) {
	r := NewRegistry()
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 300 {
				v := fmt.Sprintf("value-%d-%04d", g, i)
				r.Add(v)
				if !r.Contains(v) {
					t.Errorf("%s added but not masked", v)
					return
				}
				r.Add(v)
			}
		})
	}
	wg.Wait()
	if r.Len() != 1200 || r.snapshot().m.Len() != 1200 {
		t.Errorf("Len %d, matcher %d, want 1200", r.Len(), r.snapshot().m.Len())
	}
}

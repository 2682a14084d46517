package secretstore_test

import (
	"context"
	"crypto/rand"
	"errors"
	"io"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
	"unicode/utf8"

	"github.com/secretstore-go/secretstore"
	"github.com/secretstore-go/secretstore/driver"
	"github.com/secretstore-go/secretstore/memstore"
)

// TestClosedViewStaysClosed checks that nothing derived from a closed view
// or store works: not a Narrow or Scope of it made after the close, nor one
// made before, nor a view of a closed parent.
func TestClosedViewStaysClosed(t *testing.T) {
	ctx := context.Background()
	s := secretstore.New(seeded(), secretstore.WithLogger(nil), secretstore.EnableSet(true))
	defer s.Close()
	v := s.Narrow(secretstore.PermGet | secretstore.PermSet)
	before := v.Narrow(secretstore.PermGet)
	scopedBefore, err := v.Scope("tenant:acme:")
	if err != nil {
		t.Fatal(err)
	}
	grandchild := scopedBefore.Narrow(secretstore.PermGet)
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	closed := func(what string, err error) {
		t.Helper()
		if !errors.Is(err, secretstore.ErrClosed) {
			t.Errorf("%s: %v, want ErrClosed", what, err)
		}
	}
	_, err = v.Narrow(secretstore.PermGet).Get(ctx, "paymentApiKey")
	closed("Get through a Narrow made after the close", err)
	_, _, err = v.Narrow(secretstore.PermGet).Lookup(ctx, "paymentApiKey")
	closed("Lookup through a Narrow made after the close", err)
	closed("Set through a Narrow made after the close", v.Narrow(secretstore.PermSet).Set(ctx, "x", "y"))
	_, err = v.Scope("tenant:acme:")
	closed("Scope of a closed view", err)
	_, err = before.Get(ctx, "paymentApiKey")
	closed("Get through a Narrow made before the close", err)
	_, _, err = scopedBefore.Lookup(ctx, "stripeApiKey")
	closed("Lookup through a Scope made before the close", err)
	_, err = grandchild.Get(ctx, "stripeApiKey")
	closed("Get through a view of a view made before the close", err)
	_, err = grandchild.Scope("eu/")
	closed("Scope of a view of a closed view", err)
	_, err = before.Watch(ctx, []string{"paymentApiKey"}, secretstore.WatchOptions{})
	closed("Watch through a view of a closed view", err)
	_, err = before.List(ctx, "")
	closed("List through a view of a closed view", err)

	// The parent, and its other views, are untouched.
	if _, err := s.Get(ctx, "paymentApiKey"); err != nil {
		t.Fatalf("closing a view closed its parent: %v", err)
	}
	sibling := s.Narrow(secretstore.PermGet)
	if _, err := sibling.Get(ctx, "paymentApiKey"); err != nil {
		t.Fatalf("a sibling view of a closed view: %v", err)
	}

	// A view made after its store closed is closed.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	_, err = s.Narrow(secretstore.PermGet).Get(ctx, "paymentApiKey")
	closed("Get through a Narrow of a closed store", err)
	_, err = sibling.Narrow(secretstore.PermGet).Get(ctx, "paymentApiKey")
	closed("Get through a Narrow of a view of a closed store", err)
}

// closable is memstore whose reads fail once the store's Close has closed
// it, as a remote driver's do.
type closable struct {
	*memstore.Store
	closed atomic.Bool
}

func (c *closable) Get(ctx context.Context, names []string) (map[string]string, error) {
	if c.closed.Load() {
		return nil, driver.Errorf(driver.Unavailable, "the client is closed")
	}
	return c.Store.Get(ctx, names)
}

func (c *closable) Lookup() {} // hides memstore's fast path

func (c *closable) Close() error { c.closed.Store(true); return nil }

// pushing is closable with a backend that pushes changes: its Watch blocks
// until ctx ends, or fails at once when the driver is closed.
type pushing struct{ *closable }

func (p pushing) Watch(ctx context.Context, _ []string, ready func(), _ func(string)) error {
	if p.closed.Load() {
		return driver.Errorf(driver.Unavailable, "the client is closed")
	}
	ready()
	<-ctx.Done()
	return ctx.Err()
}

// waitClosed drains ch until it is closed; it fails if a closed store keeps
// sending, or if ch is still open after a generous guard (in the bubble's
// fake time, which passes only when every goroutine is blocked).
func waitClosed(t *testing.T, ch <-chan Change) {
	t.Helper()
	guard := time.After(10 * time.Second)
	for n := 0; ; n++ {
		select {
		case _, ok := <-ch:
			if !ok {
				return
			}
			if n > 3 {
				t.Fatal("the watch goes on sending after its store closed")
			}
		case <-guard:
			t.Fatal("the watch's channel is still open after its store closed")
		}
	}
}

// Change is a short name for the test.
type Change = secretstore.Change

// TestWatchEndsWithItsStore checks that a watch started with a context that
// never ends stops, and closes its channel, when its store or view closes,
// and that it leaves no goroutine behind: synctest fails a test whose
// goroutines are still blocked when it ends.
func TestWatchEndsWithItsStore(t *testing.T) {
	opts := secretstore.WatchOptions{Interval: time.Second}
	for _, push := range []bool{false, true} {
		for _, how := range []string{"store", "view", "parent view", "parent of a parent"} {
			name := how
			if push {
				name += "/push"
			}
			t.Run(name, func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					c := &closable{Store: memstore.New(map[string]string{"tenant:acme:k": "v"})}
					var d driver.Store = c
					if push {
						d = pushing{c}
					}
					s := secretstore.New(d, secretstore.WithLogger(nil))
					defer s.Close()
					mid := s.Narrow(secretstore.PermGet)
					view, err := mid.Scope("tenant:acme:")
					if err != nil {
						t.Fatal(err)
					}
					w := view.Narrow(secretstore.PermGet)
					ch, err := w.Watch(context.Background(), []string{"k"}, opts)
					if err != nil {
						t.Fatal(err)
					}
					synctest.Wait() // the watch is polling, or waiting for the backend
					switch how {
					case "store":
						err = s.Close()
					case "view":
						err = w.Close()
					case "parent view":
						err = view.Close()
					case "parent of a parent":
						err = mid.Close()
					}
					if err != nil {
						t.Fatal(err)
					}
					waitClosed(t, ch)
				})
			})
		}
	}
}

// TestWatchEndsWithItsContext checks that a watch ends, leaving nothing
// behind, when its context ends while its store stays open.
func TestWatchEndsWithItsContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := secretstore.New(seeded(), secretstore.WithLogger(nil))
		defer s.Close()
		ctx, cancel := context.WithCancel(context.Background())
		ch, err := s.Narrow(secretstore.PermGet).Watch(ctx, []string{"paymentApiKey"}, secretstore.WatchOptions{Interval: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		cancel()
		waitClosed(t, ch)
	})
}

// counting counts the driver's reads.
type counting struct {
	*memstore.Store
	gets atomic.Int32
}

func (c *counting) Get(ctx context.Context, names []string) (map[string]string, error) {
	c.gets.Add(1)
	return c.Store.Get(ctx, names)
}

func (c *counting) Lookup() {}

// TestGeneratorsRefuseBadSizes checks that RandomBytes and RandomValue refuse
// a size of zero or less with an error, and that Rotate then reaches the
// backend not at all and leaves the value alone.
func TestGeneratorsRefuseBadSizes(t *testing.T) {
	ctx := context.Background()
	for name, gen := range map[string]secretstore.Generator{
		"RandomBytes(-1)":    secretstore.RandomBytes(-1),
		"RandomBytes(0)":     secretstore.RandomBytes(0),
		"RandomValue(-1)":    secretstore.RandomValue(-1, secretstore.Alphanumeric),
		"RandomValue(0)":     secretstore.RandomValue(0, secretstore.Alphanumeric),
		"RandomValue(aab)":   secretstore.RandomValue(8, "aab"),
		"RandomValue(äöä)":   secretstore.RandomValue(8, "äöä"),
		"RandomValue(bad)":   secretstore.RandomValue(8, "ab\xff"),
		"RandomValue(a)":     secretstore.RandomValue(8, "a"),
		"RandomValue(empty)": secretstore.RandomValue(8, ""),
	} {
		t.Run(name, func(t *testing.T) {
			if v, err := gen(rand.Reader); err == nil || v != "" {
				t.Fatalf("%s made %d bytes, err %v; want a refusal", name, len(v), err)
			}
			d := &counting{Store: memstore.New(map[string]string{"k": "old"})}
			s := secretstore.New(d, secretstore.EnableSet(true), secretstore.WithLogger(nil))
			defer s.Close()
			_, err := s.Rotate(ctx, "k", gen)
			if err == nil || !strings.Contains(err.Error(), "Random") {
				t.Fatalf("Rotate with %s: %v, want the generator's refusal", name, err)
			}
			if n := d.gets.Load(); n != 0 {
				t.Errorf("Rotate with %s read the backend %d times before the generator refused", name, n)
			}
			if v, _, _ := d.Store.GetVersions(ctx, "k"); v == nil || *v != "old" {
				t.Error("a refused rotation changed the value")
			}
		})
	}
}

// TestRandomValueDrawsCharacters checks that RandomValue draws whole
// characters of a multi-byte alphabet, making valid UTF-8, and draws every
// character about equally often.
func TestRandomValueDrawsCharacters(t *testing.T) {
	const alphabet, n = "aäöü€😀", 6000
	v, err := secretstore.RandomValue(n, alphabet)(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if !utf8.ValidString(v) || utf8.RuneCountInString(v) != n {
		t.Fatalf("RandomValue made %d bytes, valid UTF-8 %v, %d characters; want %d characters", len(v), utf8.ValidString(v), utf8.RuneCountInString(v), n)
	}
	counts := map[rune]int{}
	for _, r := range v {
		if !strings.ContainsRune(alphabet, r) {
			t.Fatalf("RandomValue made %q, outside the alphabet", r)
		}
		counts[r]++
	}
	// Each character has p = 1/6: mean 1000, sd ≈ 29; ±250 is > 8 sd.
	for _, r := range alphabet {
		if c := counts[r]; c < 750 || c > 1250 {
			t.Errorf("%q drawn %d times of %d, want about %d", r, c, n, n/6)
		}
	}
}

// TestRandomValueUsesItsSource checks that the characters come from the
// source Rotate gives, rejecting draws that would bias them: with a source
// of all-ones bytes every draw is rejected, so the generator fails (at the
// source's end) rather than loop or pick a biased character.
func TestRandomValueUsesItsSource(t *testing.T) {
	ones := io.LimitReader(repeatReader(0xff), 1<<10)
	if _, err := secretstore.RandomValue(4, "abc")(ones); err == nil {
		t.Fatal("RandomValue accepted draws outside the alphabet's range")
	}
}

type repeatReader byte

func (r repeatReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r)
	}
	return len(p), nil
}

// FuzzRandomValue checks RandomValue on any alphabet: it refuses exactly the
// alphabets that are not valid UTF-8, repeat a character or have fewer than
// two, and otherwise makes n characters of the alphabet, valid UTF-8.
func FuzzRandomValue(f *testing.F) {
	for _, a := range []string{"ab", "aab", "äöü", "a", "", "ab\xff", "😀x", secretstore.Printable} {
		f.Add(a, 5)
	}
	f.Fuzz(func(t *testing.T, alphabet string, n int) {
		n = n % 64
		v, err := secretstore.RandomValue(n, alphabet)(rand.Reader)
		chars := []rune(alphabet)
		distinct := map[rune]bool{}
		for _, r := range chars {
			distinct[r] = true
		}
		valid := n > 0 && utf8.ValidString(alphabet) && len(chars) >= 2 && len(distinct) == len(chars)
		if (err == nil) != valid {
			t.Fatalf("RandomValue(%d, %q): err %v, want a refusal: %v", n, alphabet, err, !valid)
		}
		if err != nil {
			return
		}
		if !utf8.ValidString(v) || utf8.RuneCountInString(v) != n {
			t.Fatalf("RandomValue(%d, %q) made %q", n, alphabet, v)
		}
		for _, r := range v {
			if !distinct[r] {
				t.Fatalf("RandomValue(%d, %q) made %q, outside the alphabet", n, alphabet, r)
			}
		}
	})
}

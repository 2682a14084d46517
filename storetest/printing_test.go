package storetest_test

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"github.com/secretstore-go/secretstore/driver"
	"github.com/secretstore-go/secretstore/memstore"
	"github.com/secretstore-go/secretstore/storetest"
)

// leaky is memstore (not embedded: its Format would be promoted) holding
// what a real driver could print by accident.
type leaky struct {
	mem   *memstore.Store
	token string // a credential it was opened with
	key   []byte // key material it made itself
	mu    sync.Mutex
	last  string // the last value it read
	err   error
}

func (l *leaky) Set(ctx context.Context, name, value string) error {
	return l.mem.Set(ctx, name, value)
}
func (l *leaky) Remove(ctx context.Context, name string) error { return l.mem.Remove(ctx, name) }
func (l *leaky) List(ctx context.Context, prefix string) ([]string, error) {
	return l.mem.List(ctx, prefix)
}
func (l *leaky) Close() error { return l.mem.Close() }

func (l *leaky) Get(ctx context.Context, names []string) (map[string]string, error) {
	m, err := l.mem.Get(ctx, names)
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, v := range m {
		l.last = v
	}
	if l.err != nil {
		return nil, l.err
	}
	return m, err
}

// TestLeakyDriver runs the suite on one leaky driver;
// TestPrintingCatchesLeaks runs it in a child process per leak and expects
// the Printing case to fail.
func TestLeakyDriver(t *testing.T) {
	leak := os.Getenv("STORETEST_LEAK")
	if leak == "" {
		t.Skip("run by TestPrintingCatchesLeaks")
	}
	const token = "hvs.token-given-to-the-driver"
	storetest.Run(t, storetest.Harness{Credentials: []string{token}, Open: func(*testing.T) driver.Store {
		l := &leaky{mem: memstore.New(nil)}
		switch leak {
		case "token":
			l.token = token
		case "key":
			l.key = make([]byte, 32)
			rand.Read(l.key)
		case "value":
			// l.last is filled by Get.
			return &lastOnly{l}
		}
		return l
	}})
}

// lastOnly prints the value its driver read last, as a careless String
// method would.
type lastOnly struct{ *leaky }

func (l *lastOnly) String() string { l.mu.Lock(); defer l.mu.Unlock(); return "driver after " + l.last }

func TestPrintingCatchesLeaks(t *testing.T) {
	if os.Getenv("STORETEST_LEAK") != "" {
		return
	}
	for _, leak := range []string{"token", "key", "value"} {
		t.Run(leak, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestLeakyDriver$/^Printing$", "-test.v")
			cmd.Env = append(os.Environ(), "STORETEST_LEAK="+leak)
			out, err := cmd.CombinedOutput()
			if err == nil {
				t.Fatalf("the suite passed a driver that prints its %s", leak)
			}
			if !strings.Contains(string(out), "--- FAIL: TestLeakyDriver/Printing") {
				t.Fatalf("the suite failed, but not in Printing:\n%s", out)
			}
		})
	}
}

// stringOnly redacts through String alone, which fmt consults only for
// %v %s %x %X %q.
type stringOnly []byte

func (stringOnly) String() string { return "redacted" }

// formatted redacts for every verb, in slog and in JSON: a named byte slice
// needs all three, since slog's text handler quotes byte slices itself and
// encoding/json writes them in base64.
type formatted []byte

func (formatted) Format(f fmt.State, _ rune)   { io.WriteString(f, "redacted") }
func (formatted) LogValue() slog.Value         { return slog.StringValue("redacted") }
func (formatted) MarshalJSON() ([]byte, error) { return []byte(`"redacted"`), nil }

// formatOnly redacts for every fmt verb, but slog's text handler and
// encoding/json print a byte slice themselves.
type formatOnly []byte

func (formatOnly) Format(f fmt.State, _ rune) { io.WriteString(f, "redacted") }

func TestReveals(t *testing.T) {
	key := make([]byte, 32)
	rand.Read(key)
	secret := string(key)
	for _, c := range []struct {
		name string
		v    any
		leak bool
	}{
		{"String only", stringOnly(key), true},
		{"a struct with an exported key", struct{ Key []byte }{key}, true},
		{"a struct with an exported key array", struct{ Key [32]byte }{[32]byte(key)}, true},
		{"a struct with an unexported key", struct{ key [32]byte }{[32]byte(key)}, true},
		{"an error quoting the key", fmt.Errorf("bad key %x", key), true},
		{"an error wrapping one quoting the key", fmt.Errorf("open: %w", errors.New("bad key "+string(key))), true},
		{"a Formatter", formatted(key), false},
		{"a Formatter alone", formatOnly(key), true},
		// fmt follows the pointer when a verb does not suit it (%s: "%!s(*[32]uint8=&[...])").
		{"a pointer behind a struct field", struct{ p *[32]byte }{(*[32]byte)(key)}, true},
		// The same for a pointer to a Formatter in an unexported field: fmt
		// cannot call its methods, so the holder needs its own Format.
		{"a pointer to a Formatter", struct{ p *formatted }{(*formatted)(&key)}, true},
		{"a pointer to a struct holding a Formatter", &struct{ f formatted }{formatted(key)}, true},
		{"a Formatter in an exported field", struct{ F formatted }{formatted(key)}, false},
	} {
		found, keyLike := storetest.Reveals(storetest.Printed(c.v), secret)
		if got := len(found) > 0; got != c.leak {
			t.Errorf("%s: the secret was found: %v, want %v", c.name, found, c.leak)
		}
		if !c.leak && keyLike != "" {
			t.Errorf("%s: %q looks like key material", c.name, keyLike)
		}
	}
	// Key material the test does not know looks like key material.
	for _, v := range []any{struct{ key []byte }{key}, struct{ key [32]byte }{[32]byte(key)}, struct{ Key [32]byte }{[32]byte(key)}} {
		if _, keyLike := storetest.Reveals(storetest.Printed(v)); keyLike == "" {
			t.Errorf("printing %T shows key material, but nothing looks like it", v)
		}
	}
	// A short text secret is found in every form fmt gives it.
	const pw = "correct horse battery staple"
	for _, verb := range storetest.PrintVerbs {
		for _, v := range []any{[]byte(pw), pw, struct{ B []byte }{[]byte(pw)}} {
			text := fmt.Sprintf(verb, v)
			if found, _ := storetest.Reveals(text, pw); len(found) == 0 {
				t.Errorf("%s of %T: %q does not reveal the passphrase, but it holds it", verb, v, text)
			}
		}
	}
}

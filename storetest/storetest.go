// Package storetest is the conformance suite every secretstore driver runs,
// in the manner of testing/slogtest and gocloud.dev's drivertest. A driver's
// test is a few lines:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, storetest.Harness{
//			Open: func(t *testing.T) driver.Store { return mydriver.New(...) },
//		})
//	}
//
// The suite drives the driver through the portable [secretstore.Store], so a
// driver is proven together with the guards users actually call, and it also
// checks the raw driver contract. Every test works on names under a fresh
// random prefix and removes what it wrote, so one shared real server can
// serve the whole suite.
//
// It covers: get of one, many and missing names; set then get; overwrite;
// remove and remove of a missing name; empty, large (64 KiB), binary,
// non-UTF-8 and multi-line (PEM) values; a set of tricky names that must
// round-trip without colliding; scoped views; listing, previous versions and
// compare-and-swap, where the driver offers them; rotation and a rotation
// window seen through a watch;
// concurrent use (run it with -race); Close; context cancellation; and a
// leak canary: every test writes a random canary value, and nothing the store
// emits — errors, log records, audit events, spans, metrics — may hold it in
// plain, hex or base64 form. The Printing case prints the opened driver, the
// Store and their errors under every fmt verb, through slog and
// encoding/json, and fails if the canary, a value, a credential named in
// [Harness.Credentials] or anything like key material shows ([CheckPrinting],
// which a driver's own tests use for its options and key sources).
//
// Read-only drivers (ReadOnly in [Harness]) must hold the [Fixture] secrets
// before the suite starts; the suite then checks reads and that Set and Remove
// are refused with [secretstore.ErrNotSupported].
//
// The optional parts of the driver contract are checked where a driver
// offers them: As sets every target listed in [Harness.AsTargets]; errors
// a driver returns itself never carry the portable-only classes; a
// [driver.Watcher] reports each change once and in order, and after
// [Harness.BreakWatch] the portable Store's watch misses no later change.
package storetest

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/secretstore-go/secretstore"
	"github.com/secretstore-go/secretstore/driver"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// Harness tells the suite how to make the driver under test and what its
// backend can do.
type Harness struct {
	// Open returns a ready driver. It is called once per test; the suite
	// closes the driver (through the portable Store) when the test ends.
	// Register any other cleanup with t.Cleanup.
	Open func(t *testing.T) driver.Store

	// ReadOnly says the backend refuses Set and Remove with
	// driver.NotSupported. Its backend must hold the Fixture secrets.
	ReadOnly bool

	// MaxValueSize is the largest value in bytes the backend accepts; 0
	// means at least 64 KiB. When it is set, a value one byte larger must be
	// refused with secretstore.ErrInvalidValue.
	MaxValueSize int

	// TextOnly says the backend refuses values that are not valid UTF-8,
	// with secretstore.ErrInvalidValue, rather than storing them.
	TextOnly bool

	// NoEmptyValues says the backend refuses the empty value with
	// secretstore.ErrInvalidValue, rather than storing it.
	NoEmptyValues bool

	// AsTargets are pointers to the types the driver's As
	// ([driver.Aser]) documents, such as new(*secretsmanager.Client): the
	// suite checks that As sets each. A driver that implements Aser must
	// list them.
	AsTargets []any

	// BreakWatch, for a [driver.Watcher], ends the connections the
	// driver's watch uses (a proxy dropping them, a server restarting),
	// and returns once the backend can be reached again; the suite then
	// checks that no later change is missed. Nil skips that case.
	BreakWatch func(t *testing.T, d driver.Store)
	// Credentials are the secrets Open gives the driver (a token, a
	// password, a client secret, key bytes). The Printing case prints the
	// opened driver, the Store and their errors in every way (see
	// CheckPrinting) and fails if any of them shows one.
	Credentials []string

	// NativeName, for a driver run with its backend's own names (rather
	// than an encoding of any portable name), maps each name the suite
	// makes to one the backend can hold, for example by replacing every
	// character outside its alphabet with '-'. It must map character by
	// character, so that a prefix maps to a prefix, and keep distinct
	// names distinct; the suite's names differ in more than letter case.
	// Nil uses the suite's names as they are: every portable name.
	NativeName func(name string) string

	// MaxNameLen, for a backend whose names are shorter than portable
	// names may be (Azure Key Vault's 127 characters, with NativeName),
	// is the longest name it holds: the TrickyNames case leaves out longer
	// names. 0 means every portable name fits.
	MaxNameLen int
}

// name maps a name the suite makes with the harness's NativeName.
func (h *Harness) name(n string) string {
	if h.NativeName == nil {
		return n
	}
	return h.NativeName(n)
}

// FixturePrefix is the prefix of every name in [Fixture].
const FixturePrefix = "storetest/fixture/"

// Fixture returns the secrets a read-only driver's backend must hold for the
// suite: plain, multi-line, with every punctuation mark the name grammar
// allows in names.
func Fixture() map[string]string {
	return map[string]string{
		FixturePrefix + "alpha":                    "alpha-value",
		FixturePrefix + "beta":                     "beta value with spaces",
		FixturePrefix + "pem":                      pem,
		FixturePrefix + "tenant:acme:stripeApiKey": "sk_test_fixture",
		FixturePrefix + "odd/a+b=c@d.e_f-g!h":      "a name of every punctuation mark",
		FixturePrefix + "odd/..dots":               "a level that starts with dots",
	}
}

const pem = "-----BEGIN PRIVATE KEY-----\nMIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wggE7AgEAAkEAu1SU1LfVLPHCozMx\nH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq0/IzW7yWR7QkrmBL7jTK\n-----END PRIVATE KEY-----\n"

// Run runs the conformance suite, each case as a subtest.
func Run(t *testing.T, h Harness) {
	t.Helper()
	if h.Open == nil {
		t.Fatal("storetest: Harness.Open is nil")
	}
	s := &suite{h: h}
	if h.ReadOnly {
		for _, c := range slices.Concat(readOnlyCases, contractCases) {
			t.Run(c.name, func(t *testing.T) { c.run(t, s.env(t)) })
		}
		return
	}
	for _, c := range slices.Concat(cases, contractCases) {
		t.Run(c.name, func(t *testing.T) { c.run(t, s.env(t)) })
	}
}

type suite struct{ h Harness }

type testCase struct {
	name string
	run  func(t *testing.T, e *env)
}

// env is one test's store, its captured log and its name space.
type env struct {
	h      Harness
	drv    driver.Store
	store  *secretstore.Store // get, set and remove enabled
	logs   *capture
	logger *slog.Logger
	prefix string // every name this test uses starts with it
	canary string
	ctx    context.Context
}

func (s *suite) env(t *testing.T) *env {
	t.Helper()
	d := s.h.Open(t)
	if d == nil {
		t.Fatal("storetest: Harness.Open returned nil")
	}
	logs := &capture{}
	e := &env{
		h:      s.h,
		drv:    d,
		logs:   logs,
		prefix: s.h.name("storetest/" + randHex(6) + "/"),
		canary: "canary-" + randHex(12),
		ctx:    t.Context(),
	}
	e.logger = slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	// Everything the store emits is captured, to be scanned for the canary:
	// logs, audit events, spans (started for every operation) and metrics.
	spans := tracetest.NewSpanRecorder()
	metrics := sdkmetric.NewManualReader()
	audit := secretstore.AuditFunc(func(_ context.Context, ev secretstore.AuditEvent) {
		fmt.Fprintf(logs, "audit %+v\n", ev)
	})
	e.store = secretstore.New(d, secretstore.WithName("storetest"),
		secretstore.EnableSet(true), secretstore.EnableRemove(true), secretstore.WithLogger(e.logger),
		secretstore.WithAudit(audit), secretstore.WithRootSpans(true),
		secretstore.WithTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))),
		secretstore.WithMeterProvider(sdkmetric.NewMeterProvider(sdkmetric.WithReader(metrics))))
	t.Cleanup(func() {
		if !s.h.ReadOnly {
			e.cleanup(t)
		}
		var rm metricdata.ResourceMetrics
		if err := metrics.Collect(context.Background(), &rm); err == nil {
			fmt.Fprintf(logs, "metrics %+v\n", rm)
		}
		if err := e.store.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		for _, sp := range spans.Ended() {
			fmt.Fprintf(logs, "span %s %v %v %v\n", sp.Name(), sp.Attributes(), sp.Status(), sp.Events())
		}
		e.checkLogs(t)
	})
	return e
}

// n returns a name in this test's name space.
func (e *env) n(name string) string { return e.prefix + e.h.name(name) }

func (e *env) set(t *testing.T, name, value string) {
	t.Helper()
	if err := e.store.Set(e.ctx, name, value); err != nil {
		t.Fatalf("Set(%q): %v", name, err)
	}
	e.checkErr(t, nil)
}

// cleanup removes every name the test left under its prefix, where the driver
// can list; otherwise tests remove their names themselves.
func (e *env) cleanup(t *testing.T) {
	l, ok := e.drv.(driver.Lister)
	if !ok {
		return
	}
	ctx := context.WithoutCancel(e.ctx)
	names, err := l.List(ctx, e.prefix)
	if err != nil {
		t.Logf("cleanup: List: %v", err)
		return
	}
	for _, n := range names {
		if err := e.drv.Remove(ctx, n); err != nil {
			t.Logf("cleanup: Remove(%q): %v", n, err)
		}
	}
}

// checkErr fails if err's text holds the canary (or any value the test
// registered) in plain, hex or base64 form.
func (e *env) checkErr(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	if leak(err.Error(), e.canary) {
		t.Errorf("an error reveals a secret value: %q", err.Error())
	}
}

// checkLogs fails if anything the store emitted — log records, audit
// events, spans, metrics — holds the canary.
func (e *env) checkLogs(t *testing.T) {
	t.Helper()
	if leak(e.logs.String(), e.canary) {
		t.Errorf("the store's logs, audit events, spans or metrics reveal a secret value")
	}
}

func leak(text, value string) bool {
	if value == "" {
		return false
	}
	return strings.Contains(text, value) ||
		strings.Contains(text, hex.EncodeToString([]byte(value))) ||
		strings.Contains(text, base64.StdEncoding.EncodeToString([]byte(value))) ||
		strings.Contains(text, base64.RawURLEncoding.EncodeToString([]byte(value)))
}

// capture is a concurrency-safe log sink.
type capture struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (c *capture) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.buf.Write(p)
}

func (c *capture) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.buf.String()
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// want asserts that the store holds exactly value under name, through Get,
// Lookup and Require.
func (e *env) want(t *testing.T, name, value string) {
	t.Helper()
	ss, err := e.store.Get(e.ctx, name)
	if err != nil {
		t.Fatalf("Get(%q): %v", name, err)
	}
	sec, ok := ss[name]
	if !ok {
		t.Fatalf("Get(%q): missing, want a value of %d bytes", name, len(value))
	}
	if sec.Reveal() != value {
		t.Fatalf("Get(%q): value differs from what was set (got %d bytes, want %d)", name, sec.Len(), len(value))
	}
	l, ok, err := e.store.Lookup(e.ctx, name)
	if err != nil || !ok || l.Reveal() != value {
		t.Fatalf("Lookup(%q) = ok %v, err %v, equal %v; want the value set", name, ok, err, l.Reveal() == value)
	}
}

func (e *env) wantMissing(t *testing.T, name string) {
	t.Helper()
	ss, err := e.store.Get(e.ctx, name)
	if err != nil {
		t.Fatalf("Get(%q): %v", name, err)
	}
	if ss.Has(name) {
		t.Fatalf("Get(%q): present, want missing", name)
	}
	if _, ok, err := e.store.Lookup(e.ctx, name); ok || err != nil {
		t.Fatalf("Lookup(%q) = ok %v, err %v; want missing, no error", name, ok, err)
	}
}

var cases = []testCase{
	{"GetMissing", func(t *testing.T, e *env) {
		a, b := e.n("missing-a"), e.n("missing/b")
		ss, err := e.store.Get(e.ctx, a, b)
		if err != nil {
			t.Fatalf("Get of missing names: %v (want no error)", err)
		}
		if len(ss) != 0 {
			t.Fatalf("Get of missing names returned %d secrets", len(ss))
		}
		_, err = e.store.Require(e.ctx, a, b)
		if !errors.Is(err, secretstore.ErrNotFound) {
			t.Fatalf("Require of missing names: %v, want ErrNotFound", err)
		}
		if !strings.Contains(err.Error(), a) || !strings.Contains(err.Error(), b) {
			t.Fatalf("Require error %q does not name both missing names", err)
		}
		m, err := e.drv.Get(e.ctx, []string{a})
		if err != nil || len(m) != 0 {
			t.Fatalf("driver Get of a missing name = %d entries, %v; want none, no error", len(m), err)
		}
	}},
	{"SetGet", func(t *testing.T, e *env) {
		name := e.n("one")
		e.set(t, name, e.canary)
		e.want(t, name, e.canary)
		ss, err := e.store.Require(e.ctx, name)
		if err != nil || ss.Reveal(name) != e.canary {
			t.Fatalf("Require after Set: %v", err)
		}
	}},
	{"GetMany", func(t *testing.T, e *env) {
		want := map[string]string{}
		var names []string
		for i := range 12 {
			n := e.n(fmt.Sprintf("many/%02d", i))
			want[n] = fmt.Sprintf("value-%02d-%s", i, e.canary)
			e.set(t, n, want[n])
			names = append(names, n)
		}
		missing := e.n("many/missing")
		e.set(t, e.n("many/not-asked"), "not asked for")
		ask := append(slices.Clone(names), missing, names[0]) // a repeat is harmless
		ss, err := e.store.Get(e.ctx, ask...)
		if err != nil {
			t.Fatalf("Get many: %v", err)
		}
		if len(ss) != len(names) {
			t.Fatalf("Get many: %d secrets, want %d", len(ss), len(names))
		}
		for n, v := range want {
			if ss.Reveal(n) != v {
				t.Fatalf("Get many: %q has the wrong value", n)
			}
		}
		m, err := e.drv.Get(e.ctx, append(slices.Clone(names), missing))
		if err != nil {
			t.Fatalf("driver Get many: %v", err)
		}
		for k := range m {
			if _, ok := want[k]; !ok {
				t.Fatalf("driver Get returned a name that was not asked for or is missing: %q", k)
			}
		}
		if len(m) != len(want) {
			t.Fatalf("driver Get returned %d names, want %d", len(m), len(want))
		}
	}},
	{"Overwrite", func(t *testing.T, e *env) {
		name := e.n("over")
		e.set(t, name, "first")
		e.set(t, name, "second-"+e.canary)
		e.want(t, name, "second-"+e.canary)
		e.set(t, name, "third")
		e.want(t, name, "third")
	}},
	{"Remove", func(t *testing.T, e *env) {
		name, other := e.n("rm"), e.n("rm-other")
		e.set(t, name, e.canary)
		e.set(t, other, "stays")
		if err := e.store.Remove(e.ctx, name); err != nil {
			t.Fatalf("Remove: %v", err)
		}
		e.wantMissing(t, name)
		e.want(t, other, "stays")
		e.set(t, name, "again") // a removed name can be written again
		e.want(t, name, "again")
		if err := e.store.Remove(e.ctx, name); err != nil {
			t.Fatalf("Remove: %v", err)
		}
	}},
	{"RemoveMissing", func(t *testing.T, e *env) {
		if err := e.store.Remove(e.ctx, e.n("never-set")); err != nil {
			t.Fatalf("Remove of a missing name: %v, want nil", err)
		}
		if err := e.drv.Remove(e.ctx, e.n("never-set/either")); err != nil {
			t.Fatalf("driver Remove of a missing name: %v, want nil", err)
		}
	}},
	{"Values", func(t *testing.T, e *env) {
		size := 64 << 10
		if e.h.MaxValueSize > 0 && e.h.MaxValueSize < size {
			size = e.h.MaxValueSize
		}
		all := make([]byte, 512)
		for i := range all {
			all[i] = byte(i)
		}
		values := []struct {
			name, value string
			text        bool // valid UTF-8
		}{
			{"pem", pem, true},
			{"multi-line-crlf", "line1\r\nline2\r\n\r\n", true},
			{"unicode", "pässwörd-🔑-ключ", true},
			{"spaces", "  leading and trailing  ", true},
			{"json", `{"user":"a","pass":"b\"c"}`, true},
			{"large", strings.Repeat("0123456789abcdef", size/16) + strings.Repeat("x", size%16), true},
			{"binary", string(all), false},
			{"nul", "a\x00b\x00", true},
			{"invalid-utf8", "\xff\xfe\xfd", false},
		}
		for _, v := range values {
			name := e.n("values/" + v.name)
			err := e.store.Set(e.ctx, name, v.value)
			e.checkErr(t, err)
			if !v.text && e.h.TextOnly {
				if !errors.Is(err, secretstore.ErrInvalidValue) {
					t.Errorf("Set of a non-UTF-8 value on a text-only backend: %v, want ErrInvalidValue", err)
				}
				continue
			}
			if err != nil {
				t.Errorf("Set(%s value): %v", v.name, err)
				continue
			}
			e.want(t, name, v.value)
		}
		name := e.n("values/empty")
		err := e.store.Set(e.ctx, name, "")
		switch {
		case e.h.NoEmptyValues && !errors.Is(err, secretstore.ErrInvalidValue):
			t.Errorf("Set of the empty value: %v, want ErrInvalidValue", err)
		case !e.h.NoEmptyValues && err != nil:
			t.Errorf("Set of the empty value: %v", err)
		case !e.h.NoEmptyValues:
			e.want(t, name, "") // present, and empty: not the same as missing
		}
		if e.h.MaxValueSize > 0 {
			err := e.store.Set(e.ctx, e.n("values/too-large"), strings.Repeat("y", e.h.MaxValueSize+1))
			if !errors.Is(err, secretstore.ErrInvalidValue) {
				t.Errorf("Set of a value over MaxValueSize: %v, want ErrInvalidValue", err)
			}
		}
	}},
	{"TrickyNames", func(t *testing.T, e *env) {
		// Names that an escaping scheme could confuse with each other.
		tricky := []string{
			"a", "A", "a.b", "a_b", "a-b", "a:b", "a/b", "a@b", "a+b", "a=b",
			"a--b", "a__b", "a..b", "a::b", "_a", "-a", ".a", "..a", "a.", "a..",
			"tenant:acme:stripeApiKey", "tenant:acme/stripeApiKey", "tenant/acme/stripeApiKey",
			"x/y/z", "x/y", "x", "0", "00", "a=", "a==", "=", "@", "+", ":", "_", "-",
			"a2d", "a2f", "a%2F", "a_2f", "a-2f", "AbC", "abc", "ABC",
			strings.Repeat("long", 40),
		}
		tricky = slices.DeleteFunc(tricky, func(s string) bool {
			return secretstore.ValidateName(s) != nil || (e.h.MaxNameLen > 0 && len(e.n("tricky/"+s)) > e.h.MaxNameLen)
		})
		for i, n := range tricky {
			e.set(t, e.n("tricky/"+n), fmt.Sprintf("value-%d", i))
		}
		var names []string
		for _, n := range tricky {
			names = append(names, e.n("tricky/"+n))
		}
		ss, err := e.store.Get(e.ctx, names...)
		if err != nil {
			t.Fatalf("Get tricky names: %v", err)
		}
		for i, n := range names {
			if got := ss.Reveal(n); got != fmt.Sprintf("value-%d", i) {
				t.Errorf("name %q reads %q, want value-%d (names collide or do not round-trip)", n, got, i)
			}
		}
		if l, ok := e.drv.(driver.Lister); ok {
			listed, err := l.List(e.ctx, e.n("tricky/"))
			if err != nil {
				t.Fatalf("List: %v", err)
			}
			slices.Sort(listed)
			want := slices.Sorted(slices.Values(names))
			if !slices.Equal(listed, want) {
				t.Errorf("List returned %d names, want the %d set (names must map back exactly)", len(listed), len(want))
			}
		}
	}},
	{"Scope", func(t *testing.T, e *env) {
		acme, err := e.store.Scope(e.n("tenant:acme:"))
		if err != nil {
			t.Fatal(err)
		}
		globex, err := e.store.Scope(e.n("tenant:globex:"))
		if err != nil {
			t.Fatal(err)
		}
		// The name within the scope, mapped as the rest (NativeName maps
		// character by character, so the scope's prefix and it make
		// e.n("tenant:acme:apiKey")).
		apiKey := e.h.name("apiKey")
		if err := acme.Set(e.ctx, apiKey, "acme-"+e.canary); err != nil {
			t.Fatal(err)
		}
		e.want(t, e.n("tenant:acme:apiKey"), "acme-"+e.canary)
		if _, ok, err := globex.Lookup(e.ctx, apiKey); ok || err != nil {
			t.Fatalf("another tenant's view sees the name: ok %v, err %v", ok, err)
		}
		for _, bad := range []string{"", "../x", "/x", "x/../../y", ".", "..", "a//b", "ａpiKey", "api Key", "api\nKey"} {
			_, err := globex.Get(e.ctx, bad)
			if !errors.Is(err, secretstore.ErrInvalidName) {
				t.Errorf("scoped Get(%q): %v, want ErrInvalidName", bad, err)
			}
			err = globex.Set(e.ctx, bad, "x")
			if !errors.Is(err, secretstore.ErrInvalidName) {
				t.Errorf("scoped Set(%q): %v, want ErrInvalidName", bad, err)
			}
		}
		if _, ok := e.drv.(driver.Lister); ok {
			got, err := acme.List(e.ctx, "")
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, []string{apiKey}) {
				t.Fatalf("scoped List = %q, want [%s]", got, apiKey)
			}
		}
		if err := acme.Remove(e.ctx, apiKey); err != nil {
			t.Fatal(err)
		}
		e.wantMissing(t, e.n("tenant:acme:apiKey"))
	}},
	{"List", func(t *testing.T, e *env) {
		l, ok := e.drv.(driver.Lister)
		if !ok {
			_, err := e.store.List(e.ctx, e.prefix)
			if !errors.Is(err, secretstore.ErrNotSupported) {
				t.Fatalf("List on a driver without listing: %v, want ErrNotSupported", err)
			}
			return
		}
		for _, n := range []string{"list/a", "list/b/c", "list-not/x"} {
			e.set(t, e.n(n), "v")
		}
		got, err := e.store.List(e.ctx, e.n("list/"))
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(got)
		if want := []string{e.n("list/a"), e.n("list/b/c")}; !slices.Equal(got, want) {
			t.Fatalf("List = %q, want %q", got, want)
		}
		got, err = l.List(e.ctx, e.n("list-"))
		if err != nil || len(got) != 1 {
			t.Fatalf("driver List of a prefix that ends inside a level = %q, %v", got, err)
		}
	}},
	{"Concurrent", func(t *testing.T, e *env) {
		const workers, rounds = 8, 10
		shared := e.n("conc/shared")
		e.set(t, shared, "s")
		var wg sync.WaitGroup
		errs := make(chan error, workers*rounds*4)
		for w := range workers {
			wg.Go(func() {
				for r := range rounds {
					own := e.n(fmt.Sprintf("conc/w%d", w))
					v := fmt.Sprintf("%d-%d", w, r)
					if err := e.store.Set(e.ctx, own, v); err != nil {
						errs <- err
						return
					}
					ss, err := e.store.Get(e.ctx, own, shared)
					if err != nil {
						errs <- err
						return
					}
					if ss.Reveal(own) != v {
						errs <- fmt.Errorf("worker %d read back a different value of its own name", w)
					}
					if !ss.Has(shared) {
						errs <- fmt.Errorf("worker %d lost the shared name", w)
					}
					if err := e.store.Set(e.ctx, shared, v); err != nil {
						errs <- err
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
	}},
	{"Canceled", func(t *testing.T, e *env) {
		ctx, cancel := context.WithCancel(e.ctx)
		cancel()
		_, err := e.store.Get(ctx, e.n("c1"), e.n("c2"))
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Get with a canceled context: %v, want context.Canceled", err)
		}
		err = e.store.Set(ctx, e.n("c1"), "v")
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Set with a canceled context: %v, want context.Canceled", err)
		}
		if secretstore.Code(err) != driver.Canceled {
			t.Errorf("Code of a canceled Set = %v, want canceled", secretstore.Code(err))
		}
		// The driver itself must honour its context, since the portable
		// layer can check it only before the call.
		if _, err := e.drv.Get(ctx, []string{e.n("c1")}); !errors.Is(err, context.Canceled) {
			t.Errorf("driver Get with a canceled context: %v, want context.Canceled", err)
		}
		if err := e.drv.Set(ctx, e.n("c1"), "v"); !errors.Is(err, context.Canceled) {
			t.Errorf("driver Set with a canceled context: %v, want context.Canceled", err)
		}
	}},
	{"Canary", func(t *testing.T, e *env) {
		name := e.n("canary")
		e.set(t, name, e.canary)
		ss, err := e.store.Get(e.ctx, name, e.n("canary-missing"))
		if err != nil {
			t.Fatal(err)
		}
		// Every way a value could be printed by accident.
		var out bytes.Buffer
		fmt.Fprintf(&out, "%v %+v %#v %s %q %x %X %d %T", ss, ss, ss, ss[name], ss[name], ss[name], ss[name], ss[name], ss[name])
		j, _ := json.Marshal(ss)
		out.Write(j)
		slog.New(slog.NewTextHandler(&out, nil)).Info("secrets", "ss", ss, "one", ss[name])
		slog.New(slog.NewJSONHandler(&out, nil)).Info("secrets", "ss", ss, "one", ss[name])
		if leak(out.String(), e.canary) {
			t.Errorf("printing a Secret reveals its value: %q", out.String())
		}
		// Errors around a secret name: refused, invalid, missing.
		ro := e.store.Narrow(secretstore.PermGet)
		e.checkErr(t, ro.Set(e.ctx, name, e.canary))
		e.checkErr(t, e.store.Set(e.ctx, "bad name", e.canary))
		_, err = e.store.Require(e.ctx, e.n("canary-missing"))
		e.checkErr(t, err)
	}},
	{"Permissions", func(t *testing.T, e *env) {
		name := e.n("perm")
		e.set(t, name, "v")
		ro := secretstore.New(e.drv, secretstore.CloseDriver(false), secretstore.WithLogger(e.logger)) // defaults: get only
		if err := ro.Set(e.ctx, name, "w"); !errors.Is(err, secretstore.ErrDisabled) {
			t.Fatalf("Set on a default store: %v, want ErrDisabled", err)
		}
		if err := ro.Remove(e.ctx, name); !errors.Is(err, secretstore.ErrDisabled) {
			t.Fatalf("Remove on a default store: %v, want ErrDisabled", err)
		}
		e.want(t, name, "v") // nothing changed
	}},
	{"Versions", func(t *testing.T, e *env) {
		name := e.n("versions/key")
		if _, ok := e.drv.(driver.Versioner); !ok {
			if _, err := e.store.Versions(e.ctx, name); !errors.Is(err, secretstore.ErrNotSupported) {
				t.Fatalf("Versions on a driver without versions: %v, want ErrNotSupported", err)
			}
			return
		}
		v, err := e.store.Versions(e.ctx, name)
		if err != nil || v.HasCurrent || v.HasPrevious {
			t.Fatalf("Versions of a name never set: current %v, previous %v, err %v", v.HasCurrent, v.HasPrevious, err)
		}
		e.set(t, name, "v1-"+e.canary)
		v, err = e.store.Versions(e.ctx, name)
		if err != nil || !v.HasCurrent || v.Current.Reveal() != "v1-"+e.canary || v.HasPrevious {
			t.Fatalf("Versions after one Set: current %v (right %v), previous %v, err %v", v.HasCurrent, v.Current.Reveal() == "v1-"+e.canary, v.HasPrevious, err)
		}
		e.set(t, name, "v2")
		e.set(t, name, "v3")
		e.set(t, name, "v3") // the same value again: the previous one stays
		v, err = e.store.Versions(e.ctx, name)
		if err != nil || v.Current.Reveal() != "v3" || !v.HasPrevious || v.Previous.Reveal() != "v2" {
			t.Fatalf("Versions after three Sets: current v3 %v, previous v2 %v, err %v", v.Current.Reveal() == "v3", v.Previous.Reveal() == "v2", err)
		}
		if !v.Accepts("v2") || !v.Accepts("v3") || v.Accepts("v1-"+e.canary) {
			t.Fatal("Accepts does not take exactly the current and the previous value")
		}
		e.want(t, name, "v3") // the current value is what Get reads
	}},
	{"RotationWindow", func(t *testing.T, e *env) {
		// A writer rotates a signing key; a reader with a cache and a watch
		// picks the new key up after one poll, and during the window
		// verifies tokens signed with either key, then only with the two
		// newest.
		if _, ok := e.drv.(driver.Versioner); !ok {
			t.Skip("the driver keeps no previous versions")
		}
		name := e.n("rotation/signing-key")
		e.set(t, name, "key-1-"+e.canary)
		reader := secretstore.New(e.drv, secretstore.CloseDriver(false), secretstore.WithLogger(e.logger),
			secretstore.WithCache(secretstore.CacheOptions{TTL: time.Hour}))
		defer reader.Close()
		ctx, cancel := context.WithCancel(e.ctx)
		defer cancel()
		changes, err := reader.Watch(ctx, []string{name}, secretstore.WatchOptions{Interval: 20 * time.Millisecond})
		if err != nil {
			t.Fatalf("Watch: %v", err)
		}
		sign := func(key string) []byte {
			m := hmac.New(sha256.New, []byte(key))
			m.Write([]byte("token-payload"))
			return m.Sum(nil)
		}
		verify := func(mac []byte) bool {
			v, err := reader.Versions(e.ctx, name)
			if err != nil {
				t.Fatalf("Versions: %v", err)
			}
			ok := false
			for _, k := range []struct {
				has bool
				s   secretstore.Secret
			}{{v.HasCurrent, v.Current}, {v.HasPrevious, v.Previous}} {
				ok = (k.has && hmac.Equal(mac, sign(k.s.Reveal()))) || ok
			}
			return ok
		}
		old := sign("key-1-" + e.canary)
		k2, err := e.store.Rotate(e.ctx, name, secretstore.RandomValue(32, secretstore.Alphanumeric))
		if err != nil {
			t.Fatalf("Rotate: %v", err)
		}
		select {
		case c := <-changes:
			if c.Err != nil || c.Name != name {
				t.Fatalf("watch event: %+v", c)
			}
		case <-time.After(time.Minute): // a bound on a broken watch, not a synchronisation
			t.Fatal("the reader's watch saw no change")
		}
		cur, _, err := reader.Lookup(e.ctx, name)
		if err != nil || cur.Reveal() != k2.Reveal() {
			t.Fatalf("after the watch event the reader's cache serves the old key (err %v)", err)
		}
		if !verify(old) || !verify(sign(k2.Reveal())) {
			t.Fatal("during the rotation window a token signed with either key must verify")
		}
		k3, err := e.store.Rotate(e.ctx, name, secretstore.RandomValue(32, secretstore.Alphanumeric))
		if err != nil {
			t.Fatalf("second Rotate: %v", err)
		}
		if verify(old) {
			t.Fatal("a token signed with a key two rotations old still verifies")
		}
		if !verify(sign(k2.Reveal())) || !verify(sign(k3.Reveal())) {
			t.Fatal("tokens signed with the current or previous key must verify")
		}
	}},
	{"Rotate", func(t *testing.T, e *env) {
		name := e.n("rotate/key")
		e.set(t, name, "before")
		sec, err := e.store.Rotate(e.ctx, name, secretstore.RandomValue(32, secretstore.URLSafe))
		if err != nil {
			t.Fatalf("Rotate: %v", err)
		}
		if sec.Len() != 32 || sec.Reveal() == "before" {
			t.Fatal("Rotate did not return the new value")
		}
		e.want(t, name, sec.Reveal())
		sw, ok := e.drv.(driver.Swapper)
		if !ok {
			return
		}
		stale := "before"
		if err := sw.CompareAndSwap(e.ctx, name, &stale, "lost-update"); driver.CodeOf(err) != driver.Conflict {
			t.Fatalf("CompareAndSwap against a stale value: %v, want a conflict", err)
		}
		if err := sw.CompareAndSwap(e.ctx, name, nil, "lost-update"); driver.CodeOf(err) != driver.Conflict {
			t.Fatalf("CompareAndSwap expecting absence of an existing name: %v, want a conflict", err)
		}
		e.want(t, name, sec.Reveal())
		cur := sec.Reveal()
		if err := sw.CompareAndSwap(e.ctx, name, &cur, "swapped"); err != nil {
			t.Fatalf("CompareAndSwap against the current value: %v", err)
		}
		e.want(t, name, "swapped")
		fresh := e.n("rotate/fresh")
		if err := sw.CompareAndSwap(e.ctx, fresh, nil, "created"); err != nil {
			t.Fatalf("CompareAndSwap creating a missing name: %v", err)
		}
		e.want(t, fresh, "created")
	}},
	{"Close", func(t *testing.T, e *env) {
		view, err := e.store.Scope(e.n("closing:"))
		if err != nil {
			t.Fatal(err)
		}
		if err := e.store.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		if err := e.store.Close(); err != nil {
			t.Fatalf("second Close: %v", err)
		}
		if _, err := e.store.Get(e.ctx, e.n("x")); !errors.Is(err, secretstore.ErrClosed) {
			t.Fatalf("Get after Close: %v, want ErrClosed", err)
		}
		if err := view.Set(e.ctx, "x", "v"); !errors.Is(err, secretstore.ErrClosed) {
			t.Fatalf("Set on a view after Close: %v, want ErrClosed", err)
		}
		// The test's cleanup needs a live driver no more: reopen for it.
		e.store = secretstore.New(e.h.Open(t), secretstore.EnableRemove(true), secretstore.WithLogger(e.logger))
		e.drv = nil
	}},
}

var readOnlyCases = []testCase{
	{"ReadFixture", func(t *testing.T, e *env) {
		fx := Fixture()
		var names []string
		for n := range fx {
			names = append(names, n)
		}
		missing := FixturePrefix + "missing-" + randHex(4)
		ss, err := e.store.Get(e.ctx, append(names, missing)...)
		if err != nil {
			t.Fatalf("Get fixture: %v", err)
		}
		if len(ss) != len(fx) {
			t.Fatalf("Get fixture: %d secrets, want %d", len(ss), len(fx))
		}
		for n, v := range fx {
			if ss.Reveal(n) != v {
				t.Errorf("fixture %q has the wrong value", n)
			}
			e.want(t, n, v)
		}
		e.wantMissing(t, missing)
		if _, err := e.store.Require(e.ctx, missing); !errors.Is(err, secretstore.ErrNotFound) {
			t.Errorf("Require of a missing name: %v, want ErrNotFound", err)
		}
	}},
	{"RefusesWrites", func(t *testing.T, e *env) {
		name := FixturePrefix + "alpha"
		err := e.store.Set(e.ctx, name, e.canary)
		if !errors.Is(err, secretstore.ErrNotSupported) {
			t.Errorf("Set on a read-only backend: %v, want ErrNotSupported", err)
		}
		e.checkErr(t, err)
		if err := e.store.Remove(e.ctx, name); !errors.Is(err, secretstore.ErrNotSupported) {
			t.Errorf("Remove on a read-only backend: %v, want ErrNotSupported", err)
		}
		e.want(t, name, Fixture()[name])
	}},
	{"Scope", func(t *testing.T, e *env) {
		v, err := e.store.Scope(FixturePrefix + "tenant:acme:")
		if err != nil {
			t.Fatal(err)
		}
		ss, err := v.Get(e.ctx, "stripeApiKey", "../alpha")
		if !errors.Is(err, secretstore.ErrInvalidName) {
			t.Fatalf("scoped Get with traversal: %v, %d secrets; want ErrInvalidName", err, len(ss))
		}
		s, ok, err := v.Lookup(e.ctx, "stripeApiKey")
		if err != nil || !ok || s.Reveal() != Fixture()[FixturePrefix+"tenant:acme:stripeApiKey"] {
			t.Fatalf("scoped Lookup: ok %v, err %v", ok, err)
		}
	}},
	{"Canceled", func(t *testing.T, e *env) {
		ctx, cancel := context.WithCancel(e.ctx)
		cancel()
		if _, err := e.store.Get(ctx, FixturePrefix+"alpha", FixturePrefix+"beta"); !errors.Is(err, context.Canceled) {
			t.Errorf("Get with a canceled context: %v, want context.Canceled", err)
		}
	}},
	{"Concurrent", func(t *testing.T, e *env) {
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				for range 10 {
					ss, err := e.store.Get(e.ctx, FixturePrefix+"alpha", FixturePrefix+"pem")
					if err != nil || ss.Reveal(FixturePrefix+"pem") != pem {
						t.Errorf("concurrent Get: %v", err)
						return
					}
				}
			})
		}
		wg.Wait()
	}},
}

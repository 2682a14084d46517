package azure_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/security/keyvault/azsecrets"

	"github.com/secretstore-go/secretstore"
	"github.com/secretstore-go/secretstore/azure"
	"github.com/secretstore-go/secretstore/azure/internal/fakeazure"
	"github.com/secretstore-go/secretstore/driver"
	"github.com/secretstore-go/secretstore/storetest"
)

const vaultURL = "https://fakevault.vault.azure.net/"

// fixture is a fake vault and a way to open drivers on it.
type fixture struct {
	srv  *fakeazure.Server
	cred *fakeazure.Credential
	url  string
	// transport is the client's transport: the fake in-process, or an
	// httptest TLS server's client.
	transport policy.Transporter
	tls       bool
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	srv := fakeazure.New()
	return &fixture{srv: srv, cred: &fakeazure.Credential{}, url: vaultURL, transport: srv.Transport()}
}

// newTLSFixture serves the fake over TLS on 127.0.0.1: the vault's host is
// then not under vault.azure.net, so the client must not verify the
// challenge's resource against it.
func newTLSFixture(t *testing.T) *fixture {
	t.Helper()
	srv := fakeazure.New()
	ts := httptest.NewTLSServer(srv)
	t.Cleanup(ts.Close)
	return &fixture{srv: srv, cred: &fakeazure.Credential{}, url: ts.URL + "/", transport: ts.Client(), tls: true}
}

// open returns a driver on the fake with escaped names, the mode most
// tests here use, since their names hold portable punctuation.
func (f *fixture) open(t *testing.T, opts azure.Options) *azure.Store {
	t.Helper()
	opts.Names = azure.NamesEscaped
	return f.openWith(t, opts)
}

// openWith returns a driver on the fake with opts as given, polling every
// millisecond.
func (f *fixture) openWith(t *testing.T, opts azure.Options) *azure.Store {
	t.Helper()
	opts.Credential = f.cred
	co := opts.ClientOptions
	if co == nil {
		co = &azsecrets.ClientOptions{}
	}
	co.Transport = f.transport
	co.DisableChallengeResourceVerification = f.tls
	opts.ClientOptions = co
	if opts.PollInterval == 0 {
		opts.PollInterval = time.Millisecond
	}
	if opts.PollTimeout == 0 {
		opts.PollTimeout = 10 * time.Second
	}
	d, err := azure.New(f.url, opts)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// store wraps a driver with every operation enabled.
func store(d driver.Store) *secretstore.Store {
	return secretstore.New(d, secretstore.EnableSet(true), secretstore.EnableRemove(true))
}

// nativeName maps a name of the suite to a Key Vault name without
// collisions, character by character (the escaped mode's own mapping,
// whose names are as native as any), except that names too long for Key
// Vault keep a readable prefix and a hash, which the suite's prefixes fit
// in.
func nativeName(name string) string {
	d, err := azure.New(vaultURL, azure.Options{Names: azure.NamesEscaped, Credential: &fakeazure.Credential{}})
	if err != nil {
		panic(err)
	}
	kv, err := d.KeyVaultName(name)
	if err != nil {
		return name // refused by the driver, which the suite reports
	}
	return kv
}

func conformance(t *testing.T, f *fixture) {
	for _, names := range []azure.Names{azure.NamesNative, azure.NamesEscaped} {
		t.Run(names.String(), func(t *testing.T) {
			h := storetest.Harness{
				AsTargets:    []any{new(*azsecrets.Client)},
				Open:         func(t *testing.T) driver.Store { return f.openWith(t, azure.Options{Names: names}) },
				MaxValueSize: azure.MaxValueSize,
			}
			if names == azure.NamesNative {
				h.NativeName, h.MaxNameLen = nativeName, azure.MaxNameLen
			}
			storetest.Run(t, h)
		})
	}
	// The suite went through the real protocol: challenge, then tokens.
	for _, r := range f.srv.Requests() {
		if r.Op == "" {
			t.Errorf("the driver sent a request Key Vault does not have (answered %d)", r.Status)
		}
	}
	if f.srv.Count("RecoverDeletedSecret") == 0 {
		t.Error("the suite never made the driver recover a deleted secret (Remove then Set)")
	}
}

// TestConformance runs the conformance suite through the real client
// against the fake, in-process.
func TestConformance(t *testing.T) { conformance(t, newFixture(t)) }

// TestConformanceTLS runs it again over HTTPS, through a real network stack.
func TestConformanceTLS(t *testing.T) { conformance(t, newTLSFixture(t)) }

func TestChallengeAuthentication(t *testing.T) {
	f := newFixture(t)
	s := store(f.open(t, azure.Options{}))
	ctx := t.Context()
	if err := s.Set(ctx, "k", "v"); err != nil {
		t.Fatal(err)
	}
	reqs := f.srv.Requests()
	if len(reqs) < 2 || reqs[0].Status != http.StatusUnauthorized || reqs[1].Status != http.StatusOK {
		t.Fatalf("want a 401 challenge, then the authorized request; got %+v", reqs)
	}
	scopes, tenants := f.cred.Requested()
	if !slices.Contains(scopes, "https://vault.azure.net/.default") || !slices.Contains(tenants, f.srv.Tenant) {
		t.Fatalf("token requested for scopes %q, tenants %q; want the challenge's", scopes, tenants)
	}
}

func TestNameMappingInTheVault(t *testing.T) {
	f := newFixture(t)
	d := f.open(t, azure.Options{})
	s := store(d)
	ctx := t.Context()
	long := "svc/" + strings.Repeat("Long", 60)
	for name, kv := range map[string]string{
		"tenant:acme:stripeApiKey": "tenant-3acme-3stripe-api-key",
		"db/primary/password":      "db-0primary-0password",
		"a":                        "a",
		"A":                        "-a",
		"a-b":                      "a-7b",
	} {
		if err := s.Set(ctx, name, "value of "+name); err != nil {
			t.Fatal(err)
		}
		if got, err := d.KeyVaultName(name); err != nil || got != kv {
			t.Errorf("KeyVaultName(%q) = %q, %v; want %q", name, got, err, kv)
		}
		if _, _, _, ok := f.srv.Latest(kv); !ok {
			t.Errorf("the vault has no secret %q for %q", kv, name)
		}
	}
	if err := s.Set(ctx, long, "long value"); err != nil {
		t.Fatal(err)
	}
	kv, err := d.KeyVaultName(long)
	if err != nil || len(kv) > azure.MaxNameLen || !strings.Contains(kv, "--") || !strings.HasPrefix(kv, "svc-0-long-long") {
		t.Fatalf("KeyVaultName of a long name = %q (%d), %v; want a hashed name with a readable start", kv, len(kv), err)
	}
	if _, _, tags, _ := f.srv.Latest(kv); tags[azure.NameTag] != long {
		t.Fatalf("the hashed secret's %s tag = %q, want the portable name", azure.NameTag, tags[azure.NameTag])
	}
	ss, err := s.Get(ctx, "a", "A", long)
	if err != nil || ss.Reveal("a") != "value of a" || ss.Reveal("A") != "value of A" || ss.Reveal(long) != "long value" {
		t.Fatalf("Get: %v; names differing in case or hashed do not read back their own values", err)
	}
	names, err := s.List(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(names)
	want := []string{"A", "a", "a-b", "db/primary/password", long, "tenant:acme:stripeApiKey"}
	slices.Sort(want)
	if !slices.Equal(names, want) {
		t.Fatalf("List = %q, want %q", names, want)
	}
}

func TestHashedNameCarryingAnotherName(t *testing.T) {
	f := newFixture(t)
	d := f.open(t, azure.Options{})
	s := store(d)
	long := strings.Repeat("x", 200)
	kv, err := d.KeyVaultName(long)
	if err != nil {
		t.Fatal(err)
	}
	f.srv.Put(kv, "someone else's", nil, map[string]string{azure.NameTag: "other"})
	_, err = s.Get(t.Context(), long)
	if !errors.Is(err, secretstore.ErrConflict) {
		t.Fatalf("Get of a hashed name whose secret carries another name: %v, want ErrConflict", err)
	}
	names, err := s.List(t.Context(), "")
	if err != nil || len(names) != 0 {
		t.Fatalf("List = %q, %v; want the foreign secret skipped", names, err)
	}
}

func TestListSkipsForeignNames(t *testing.T) {
	f := newFixture(t)
	for _, kv := range []string{"Foo--bar", "x-9", "-0a", "trailing-", "plain", "Camel-case"} {
		f.srv.Put(kv, "v", nil, nil)
	}
	got, err := store(f.open(t, azure.Options{})).List(t.Context(), "")
	if err != nil {
		t.Fatal(err)
	}
	// "Camel-case" decodes (case is ignored) to "camelCase"; "-0a" would
	// be "/a", not a portable name.
	if want := []string{"camelCase", "plain"}; !slices.Equal(sorted(got), want) {
		t.Fatalf("List = %q, want %q", got, want)
	}
	raw, err := store(f.openWith(t, azure.Options{})).List(t.Context(), "")
	if err != nil {
		t.Fatal(err)
	}
	if want := f.srv.Names(); !slices.Equal(sorted(raw), want) {
		t.Fatalf("raw List = %q, want every name %q", raw, want)
	}
}

func TestListPages(t *testing.T) {
	f := newFixture(t)
	for i := range 60 {
		f.srv.Put(fmt.Sprintf("n%02d", i), "v", nil, nil)
	}
	got, err := store(f.open(t, azure.Options{})).List(t.Context(), "n1")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 10 {
		t.Fatalf("List(n1) over three pages = %d names, want 10", len(got))
	}
	if n := f.srv.Count("ListSecretProperties"); n < 3 {
		t.Fatalf("%d list requests, want three pages", n)
	}
}

func TestNativeNames(t *testing.T) {
	f := newFixture(t)
	d := f.openWith(t, azure.Options{})
	s := store(d)
	ctx := t.Context()
	if err := s.Set(ctx, "MySecret", "v"); err != nil {
		t.Fatal(err)
	}
	if got := f.srv.Names(); !slices.Equal(got, []string{"MySecret"}) {
		t.Fatalf("vault names = %q, want the raw name", got)
	}
	// As in Key Vault, case does not tell raw names apart.
	if ss, err := s.Get(ctx, "mysecret"); err != nil || ss.Reveal("mysecret") != "v" {
		t.Fatalf("raw Get in another case: %v", err)
	}
	before := len(f.srv.Requests())
	for _, bad := range []string{"a/b", "a.b", "a_b", strings.Repeat("x", 128)} {
		if err := s.Set(ctx, bad, "v"); !errors.Is(err, secretstore.ErrInvalidName) {
			t.Errorf("raw Set(%q): %v, want ErrInvalidName", bad, err)
		}
		if _, err := s.Get(ctx, bad); !errors.Is(err, secretstore.ErrInvalidName) {
			t.Errorf("raw Get(%q): %v, want ErrInvalidName", bad, err)
		}
	}
	if after := len(f.srv.Requests()); after != before {
		t.Fatalf("refused raw names reached the vault: %d requests", after-before)
	}
}

func TestValues(t *testing.T) {
	f := newFixture(t)
	d := f.open(t, azure.Options{ContentType: "text/plain"})
	s := store(d)
	ctx := t.Context()
	set := func(name, value string) {
		t.Helper()
		if err := s.Set(ctx, name, value); err != nil {
			t.Fatalf("Set(%q): %v", name, err)
		}
	}
	kv := func(name string) string {
		k, err := d.KeyVaultName(name)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	set("text", "hello")
	if v, ct, _, _ := f.srv.Latest(kv("text")); v != "hello" || ct == nil || *ct != "text/plain" {
		t.Fatalf("text stored as %q with content type %v, want as is with text/plain", v, ct)
	}
	set("bin", "\xff\x00\x01")
	if v, ct, _, _ := f.srv.Latest(kv("bin")); v != "/wAB" || ct == nil || *ct != azure.BinaryContentType {
		t.Fatalf("binary stored as %q with content type %v, want base64 with %s", v, ct, azure.BinaryContentType)
	}
	set("nul", "a\x00b")
	if _, ct, _, _ := f.srv.Latest(kv("nul")); ct == nil || *ct != azure.BinaryContentType {
		t.Fatal("a value with NUL is not kept in base64")
	}
	set("empty", "")
	ss, err := s.Get(ctx, "text", "bin", "nul", "empty")
	if err != nil || ss.Reveal("bin") != "\xff\x00\x01" || ss.Reveal("nul") != "a\x00b" || !ss.Has("empty") || ss.Reveal("empty") != "" {
		t.Fatalf("values do not round-trip: %v", err)
	}

	// Limits, checked before any request.
	set("max-text", strings.Repeat("t", azure.MaxValueSize))
	set("max-binary", strings.Repeat("\xff", azure.MaxValueSize/4*3))
	before := len(f.srv.Requests())
	if err := s.Set(ctx, "big-text", strings.Repeat("t", azure.MaxValueSize+1)); !errors.Is(err, secretstore.ErrInvalidValue) {
		t.Fatalf("Set of a text value over the limit: %v, want ErrInvalidValue", err)
	}
	if err := s.Set(ctx, "big-binary", strings.Repeat("\xff", azure.MaxValueSize/4*3+1)); !errors.Is(err, secretstore.ErrInvalidValue) {
		t.Fatalf("Set of a binary value over the limit in base64: %v, want ErrInvalidValue", err)
	}
	if n := len(f.srv.Requests()) - before; n != 0 {
		t.Fatalf("values over the limit reached the vault (%d requests)", n)
	}

	// A foreign secret marked base64 that is not.
	bad := azure.BinaryContentType
	f.srv.Put(kv("corrupt"), "not base64!", &bad, nil)
	if _, err := s.Get(ctx, "corrupt"); err == nil {
		t.Fatal("Get of a value marked base64 that is not: no error")
	}
	if _, err := azure.New(vaultURL, azure.Options{Credential: f.cred, ContentType: azure.BinaryContentType}); err == nil {
		t.Fatal("New accepted the reserved content type")
	}
}

func TestRemoveWaitsAndSetRecovers(t *testing.T) {
	f := newFixture(t)
	f.srv.Lag = 3
	d := f.open(t, azure.Options{})
	s := store(d)
	ctx := t.Context()
	kv, _ := d.KeyVaultName("k")
	for _, v := range []string{"v1", "v2"} {
		if err := s.Set(ctx, "k", v); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Remove(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	if st := f.srv.State(kv); st != fakeazure.StateDeleted {
		t.Fatalf("after Remove the secret is %q, want %q: Remove did not wait for the deletion", st, fakeazure.StateDeleted)
	}
	if _, ok, err := s.Lookup(ctx, "k"); ok || err != nil {
		t.Fatalf("Lookup after Remove: ok %v, err %v; want missing", ok, err)
	}
	if err := s.Set(ctx, "k", "v3"); err != nil {
		t.Fatalf("Set of a deleted name: %v", err)
	}
	if f.srv.Count("RecoverDeletedSecret") != 1 || f.srv.Count("PurgeDeletedSecret") != 0 {
		t.Fatal("Set did not recover the deleted secret (once, without purging)")
	}
	v, err := s.Versions(ctx, "k")
	if err != nil || v.Current.Reveal() != "v3" || v.Previous.Reveal() != "v2" {
		t.Fatalf("Versions after recovery: %v; want v3 with the recovered v2 before it", err)
	}
}

func TestPurgeOptions(t *testing.T) {
	f := newFixture(t)
	d := f.open(t, azure.Options{PurgeDeleted: true})
	s := store(d)
	ctx := t.Context()
	kv, _ := d.KeyVaultName("k")
	if err := s.Set(ctx, "k", "old"); err != nil {
		t.Fatal(err)
	}
	if err := s.Remove(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	// The purge finishes after the deleted secret stops being listed: the
	// write meets 409 for a while and is retried.
	if err := s.Set(ctx, "k", "new"); err != nil {
		t.Fatalf("Set of a deleted name with PurgeDeleted: %v", err)
	}
	if f.srv.Count("PurgeDeletedSecret") != 1 || f.srv.Count("RecoverDeletedSecret") != 0 {
		t.Fatal("Set did not purge the deleted secret")
	}
	if v, err := s.Versions(ctx, "k"); err != nil || v.Current.Reveal() != "new" || v.HasPrevious {
		t.Fatalf("Versions after a purge: %v, previous %v; want no history", err, v.HasPrevious)
	}

	p := store(f.open(t, azure.Options{PurgeOnRemove: true}))
	if err := p.Remove(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	if st := f.srv.State(kv); st != fakeazure.StatePurging && st != "" {
		t.Fatalf("after Remove with PurgeOnRemove the secret is %q, want purged", st)
	}
	// A name already deleted is purged too.
	if err := s.Set(ctx, "k2", "v"); err != nil {
		t.Fatal(err)
	}
	if err := s.Remove(ctx, "k2"); err != nil {
		t.Fatal(err)
	}
	if err := p.Remove(ctx, "k2"); err != nil {
		t.Fatal(err)
	}
	kv2, _ := d.KeyVaultName("k2")
	if st := f.srv.State(kv2); st == fakeazure.StateDeleted {
		t.Fatal("Remove with PurgeOnRemove left an already deleted secret recoverable")
	}
	if err := p.Remove(ctx, "never"); err != nil {
		t.Fatalf("Remove with PurgeOnRemove of a missing name: %v", err)
	}
}

func TestRemoveWithoutSoftDelete(t *testing.T) {
	f := newFixture(t)
	f.srv.SoftDelete = false
	s := store(f.open(t, azure.Options{}))
	ctx := t.Context()
	if err := s.Set(ctx, "k", "v"); err != nil {
		t.Fatal(err)
	}
	if err := s.Remove(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	if f.srv.Count("GetDeletedSecret") != 0 {
		t.Fatal("Remove polled for a deleted secret in a vault without soft delete")
	}
	if err := s.Set(ctx, "k", "again"); err != nil {
		t.Fatal(err)
	}
	if ss, err := s.Get(ctx, "k"); err != nil || ss.Reveal("k") != "again" {
		t.Fatalf("Get after Remove and Set: %v", err)
	}
}

// TestWaitsAreBounded runs in a synctest bubble: the waits pass on its
// clock.
func TestWaitsAreBounded(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFixture(t)
		f.srv.Lag = 1 << 30 // Key Vault never finishes
		ctx := t.Context()
		start := time.Now()
		s := store(f.open(t, azure.Options{PollInterval: time.Second, PollTimeout: time.Minute}))
		if err := s.Set(ctx, "k", "v"); err != nil {
			t.Fatal(err)
		}
		err := s.Remove(ctx, "k")
		if !errors.Is(err, secretstore.ErrConflict) || !strings.Contains(err.Error(), "PollTimeout") {
			t.Fatalf("Remove that never finishes: %v, want ErrConflict after PollTimeout", err)
		}
		if waited := time.Since(start); waited > time.Minute || waited < 45*time.Second {
			t.Fatalf("Remove gave up after %v, want about PollTimeout (1m)", waited)
		}
		polls := f.srv.Count("GetDeletedSecret")
		// Backoff 1s, 2s, 4s, ... capped at 16s: 1+2+4+8+16+16 = 47s.
		if polls != 7 {
			t.Fatalf("%d polls in a minute, want 7 with exponential backoff from 1s capped at 16s", polls)
		}
		short, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		err = store(f.open(t, azure.Options{PollTimeout: time.Hour})).Set(short, "k", "w")
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Set waiting past the context's deadline: %v, want context.DeadlineExceeded", err)
		}
	})
}

func TestGetVersions(t *testing.T) {
	f := newFixture(t)
	now := time.Unix(1_800_000_000, 0)
	f.srv.Now = func() time.Time { return now } // every version in the same second
	d := f.open(t, azure.Options{})
	s := store(d)
	ctx := t.Context()
	if cur, prev, err := d.GetVersions(ctx, "k"); cur != nil || prev != nil || err != nil {
		t.Fatalf("GetVersions of a missing name = %v, %v, %v", cur, prev, err)
	}
	for _, v := range []string{"v1", "v2", "v3", "v3"} {
		if err := s.Set(ctx, "k", v); err != nil {
			t.Fatal(err)
		}
	}
	cur, prev, err := d.GetVersions(ctx, "k")
	if err != nil || cur == nil || *cur != "v3" || prev == nil || *prev != "v2" {
		t.Fatalf("GetVersions after v1, v2, v3, v3 in one second = %v, %v, %v; want v3, v2", deref(cur), deref(prev), err)
	}

	// Versions written by another tool, a second apart, without the tag.
	kv, _ := d.KeyVaultName("other")
	f.srv.Put(kv, "o1", nil, nil)
	now = now.Add(time.Second)
	f.srv.Put(kv, "o2", nil, nil)
	now = now.Add(time.Second)
	f.srv.Put(kv, "o3", nil, nil)
	f.srv.Disable(kv) // the newest is disabled: its read is refused
	if _, _, err := d.GetVersions(ctx, "other"); d.ErrorCode(err) != driver.PermissionDenied {
		t.Fatalf("GetVersions of a disabled secret: %v, want permission denied", err)
	}
	f.srv.Put(kv, "o4", nil, nil)
	cur, prev, err = d.GetVersions(ctx, "other")
	if err != nil || deref(cur) != "o4" || deref(prev) != "o2" {
		t.Fatalf("GetVersions past a disabled version = %q, %q, %v; want o4, o2", deref(cur), deref(prev), err)
	}
}

// TestGetIsConcurrentAndBounded runs in a synctest bubble, so that
// synctest.Wait tells when every request the driver is going to start has
// started: the fake holds each GetSecret until the test opens the gate.
func TestGetIsConcurrentAndBounded(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const limit, n = 3, 10
		f := newFixture(t)
		gate := make(chan struct{})
		f.srv.OnGetSecret = func() { <-gate }
		s := store(f.open(t, azure.Options{Parallel: limit}))
		var names []string
		for i := range n {
			names = append(names, fmt.Sprintf("n%d", i))
		}
		done := make(chan error, 1)
		go func() {
			_, err := s.Get(t.Context(), names...)
			done <- err
		}()
		synctest.Wait()
		if got := f.srv.InFlight(); got != limit {
			t.Errorf("%d requests in flight with %d names, want Parallel = %d", got, n, limit)
		}
		close(gate)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if got := f.srv.MaxInFlight(); got != limit {
			t.Errorf("%d requests in flight at most, want %d", got, limit)
		}
		if got := f.srv.Count("GetSecret"); got < n {
			t.Errorf("%d GetSecret requests for %d names", got, n)
		}
	})
}

// TestThrottlingHonoursRetryAfter runs in a synctest bubble: the SDK's
// pause before the retry passes on the bubble's clock, which the fake's log
// reads too.
func TestThrottlingHonoursRetryAfter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFixture(t)
		s := store(f.open(t, azure.Options{}))
		ctx := t.Context()
		if err := s.Set(ctx, "k", "v"); err != nil {
			t.Fatal(err)
		}
		f.srv.FailNext("GetSecret", 2, http.StatusTooManyRequests, "Throttled", http.Header{"Retry-After": {"7"}})
		if ss, err := s.Get(ctx, "k"); err != nil || ss.Reveal("k") != "v" {
			t.Fatalf("Get throttled twice: %v; want the SDK to retry", err)
		}
		var times []time.Time
		for _, r := range f.srv.Requests() {
			if r.Op == "GetSecret" {
				times = append(times, r.Time)
			}
		}
		if len(times) != 3 || times[1].Sub(times[0]) != 7*time.Second || times[2].Sub(times[1]) != 7*time.Second {
			t.Fatalf("GetSecret at %v; want three tries 7s apart, as Retry-After says", times)
		}
	})

	// Throttled beyond the retry policy: unavailable.
	f := newFixture(t)
	n := store(f.open(t, azure.Options{ClientOptions: &azsecrets.ClientOptions{
		ClientOptions: azcore.ClientOptions{Retry: policy.RetryOptions{MaxRetries: -1}}}}))
	f.srv.FailNext("GetSecret", 1, http.StatusTooManyRequests, "Throttled", nil)
	if _, err := n.Get(t.Context(), "k"); !errors.Is(err, secretstore.ErrUnavailable) {
		t.Fatalf("Get throttled past the retries: %v, want ErrUnavailable", err)
	}
}

func TestErrorClasses(t *testing.T) {
	f := newFixture(t)
	d := f.open(t, azure.Options{ClientOptions: &azsecrets.ClientOptions{
		ClientOptions: azcore.ClientOptions{Retry: policy.RetryOptions{MaxRetries: -1}}}})
	s := store(d)
	ctx := t.Context()
	if err := s.Set(ctx, "k", "v"); err != nil { // past the challenge
		t.Fatal(err)
	}
	for _, c := range []struct {
		op     string
		status int
		code   string
		want   error
		call   func() error
	}{
		{"GetSecret", 401, "Unauthorized", secretstore.ErrPermissionDenied, func() error { _, err := s.Get(ctx, "k"); return err }},
		{"GetSecret", 403, "Forbidden", secretstore.ErrPermissionDenied, func() error { _, err := s.Get(ctx, "k"); return err }},
		{"GetSecret", 500, "InternalError", secretstore.ErrUnavailable, func() error { _, err := s.Get(ctx, "k"); return err }},
		{"GetSecret", 503, "ServiceUnavailable", secretstore.ErrUnavailable, func() error { _, err := s.Get(ctx, "k"); return err }},
		{"GetSecret", 501, "NotImplemented", secretstore.ErrNotSupported, func() error { _, err := s.Get(ctx, "k"); return err }},
		{"SetSecret", 400, "BadParameter", secretstore.ErrInvalidValue, func() error { return s.Set(ctx, "k", "w") }},
		{"SetSecret", 403, "Forbidden", secretstore.ErrPermissionDenied, func() error { return s.Set(ctx, "k", "w") }},
		{"DeleteSecret", 403, "Forbidden", secretstore.ErrPermissionDenied, func() error { return s.Remove(ctx, "k") }},
		{"ListSecretProperties", 503, "ServiceUnavailable", secretstore.ErrUnavailable, func() error { _, err := s.List(ctx, ""); return err }},
	} {
		f.srv.FailNext(c.op, 1, c.status, c.code, nil)
		err := c.call()
		if !errors.Is(err, c.want) {
			t.Errorf("%s answering %d: %v, want %v", c.op, c.status, err, c.want)
			continue
		}
		msg := err.Error()
		if strings.Contains(msg, fakeazure.BodyMarker) || !strings.Contains(msg, fmt.Sprint(c.status)) || !strings.Contains(msg, c.code) {
			t.Errorf("%s answering %d: error %q must name the status and code and hold no response body", c.op, c.status, msg)
		}
		var re *azcore.ResponseError
		if !errors.As(err, &re) || re.StatusCode != c.status {
			t.Errorf("%s answering %d: errors.As does not reach the *azcore.ResponseError", c.op, c.status)
		}
		// The SDK's own error, without the operation: only a 400 on Set
		// needs the operation to be classified.
		if got := d.ErrorCode(re); c.status != 400 && got != secretstore.Code(err) {
			t.Errorf("ErrorCode of the SDK's own error = %v, want %v", got, secretstore.Code(err))
		}
	}
	// A disabled secret: 403 with inner code SecretDisabled.
	kv, _ := d.KeyVaultName("k")
	f.srv.Disable(kv)
	_, err := s.Get(ctx, "k")
	if !errors.Is(err, secretstore.ErrPermissionDenied) || !strings.Contains(err.Error(), "SecretDisabled") {
		t.Fatalf("Get of a disabled secret: %v, want permission denied naming SecretDisabled", err)
	}
}

func TestCredentialErrors(t *testing.T) {
	f := newFixture(t)
	s := store(f.open(t, azure.Options{}))
	f.cred.Fail(errors.New("no identity configured"))
	_, err := s.Get(t.Context(), "k")
	if !errors.Is(err, secretstore.ErrPermissionDenied) || !strings.Contains(err.Error(), "no identity configured") {
		t.Fatalf("Get without a token: %v, want permission denied with the credential's reason", err)
	}
}

func TestAs(t *testing.T) {
	f := newFixture(t)
	s := store(f.open(t, azure.Options{}))
	var c *azsecrets.Client
	if !s.As(&c) || c == nil {
		t.Fatal("As(**azsecrets.Client) failed")
	}
	if _, err := c.SetSecret(t.Context(), "direct", azsecrets.SetSecretParameters{Value: ptr("v")}, nil); err != nil {
		t.Fatalf("the client from As does not reach the vault: %v", err)
	}
	var other *http.Client
	if s.As(&other) {
		t.Fatal("As accepted a target of another type")
	}
}

func TestNewRefusesBadURLs(t *testing.T) {
	for _, u := range []string{"http://v.vault.azure.net/", "https://", "https://v.vault.azure.net/path", "https://u:p@v.vault.azure.net/", "https://v.vault.azure.net/?x=1"} {
		if _, err := azure.New(u, azure.Options{Credential: &fakeazure.Credential{}}); err == nil {
			t.Errorf("New(%q): no error", u)
		}
	}
}

func TestOpenURL(t *testing.T) {
	if !slices.Contains(secretstore.Schemes(), azure.Scheme) {
		t.Fatalf("scheme %q is not registered", azure.Scheme)
	}
	s, err := secretstore.Open(t.Context(), "azurekv://myvault.vault.azure.net?names=escaped&parallel=4")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var c *azsecrets.Client
	if !s.As(&c) || c == nil {
		t.Fatal("a store opened by URL does not expose its client")
	}
	if _, err := secretstore.Open(t.Context(), "azurekv://myvault.vault.azure.net?bogus=1"); err == nil {
		t.Fatal("Open accepted an unknown parameter")
	}
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

func deref(p *string) string {
	if p == nil {
		return "<nil>"
	}
	return *p
}

func ptr[T any](v T) *T { return &v }

package awssm_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/smithy-go"
	"github.com/sivchari/kumo"

	"github.com/secretstore-go/secretstore"
	awssm "github.com/secretstore-go/secretstore/aws"
	"github.com/secretstore-go/secretstore/aws/internal/fakeaws"
	"github.com/secretstore-go/secretstore/driver"
	"github.com/secretstore-go/secretstore/internal/testenv"
	"github.com/secretstore-go/secretstore/storetest"
)

// newClient returns a real SDK client for a test endpoint: static test
// credentials, and the standard retryer without backoff delays or a retry
// quota, so that retried errors cost no time.
func newClient(endpoint string, hc *http.Client) *secretsmanager.Client {
	o := secretsmanager.Options{
		Region:       "eu-west-1",
		BaseEndpoint: aws.String(endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDTEST", "test-secret-key", ""),
		Retryer: retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = 3
			o.RateLimiter = ratelimit.None
			o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
		}),
	}
	if hc != nil {
		o.HTTPClient = hc
	}
	return secretsmanager.New(o)
}

func newStore(t testing.TB, endpoint string, hc *http.Client, opts awssm.Options) *awssm.Store {
	t.Helper()
	d, err := awssm.New(newClient(endpoint, hc), opts)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// testEnv points the SDK's default chain at static test credentials and
// away from this machine's AWS files and instance metadata.
func testEnv(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test-secret-key")
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_DEFAULT_REGION", "")
	t.Setenv("AWS_CONFIG_FILE", dir+"/config")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", dir+"/credentials")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_ENDPOINT_URL", "")
	t.Setenv("AWS_ENDPOINT_URL_SECRETS_MANAGER", "")
}

// startKumo starts the kumo emulator in-process and returns its URL, behind
// a proxy that passes one request at a time: kumo v0.33.1's GetSecretValue
// writes the secret's last-accessed date under a read lock, which the race
// detector reports when two reads of one secret overlap. The driver still
// sends its requests concurrently; only kumo handles them in turn.
func startKumo(t testing.TB) string {
	srv := kumo.NewServer()
	t.Cleanup(srv.Close)
	target, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(target)
	var mu sync.Mutex
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(proxy.Close)
	return proxy.URL
}

// TestConformanceKumo runs the whole conformance suite through the real SDK
// against the kumo emulator in-process, opening the driver by URL with the
// SDK's default configuration chain. kumo implements neither
// BatchGetSecretValue (so Get takes the GetSecretValue fallback) nor
// RestoreSecret (so the suite removes with remove=force, since a name
// removed with a recovery window could not be written again).
func TestConformanceKumo(t *testing.T) {
	testEnv(t)
	u := "awssm://?region=eu-west-1&remove=force&endpoint=" + url.QueryEscape(startKumo(t))
	storetest.Run(t, storetest.Harness{
		NativeName: nativeName,
		// As is checked against the fake below: noVersions hides it.
		Credentials: []string{"test-secret-key"},
		Open: func(t *testing.T) driver.Store {
			parsed, err := url.Parse(u)
			if err != nil {
				t.Fatal(err)
			}
			d, err := awssm.OpenURL(t.Context(), parsed)
			if err != nil {
				t.Fatal(err)
			}
			return noVersions{d.(*awssm.Store)}
		},
		MaxValueSize:  awssm.MaxValueSize,
		NoEmptyValues: true,
	})
}

// noVersions is the driver without [driver.Versioner] and
// [driver.Swapper], for kumo: v0.33.1 moves AWSCURRENT to AWSPREVIOUS but
// never takes AWSPREVIOUS off older versions, so after three writes it
// answers AWSPREVIOUS with any older version, and it has no
// UpdateSecretVersionStage. TestGetVersionsKumo covers what it gets right;
// the fake covers the rest.
type noVersions struct{ d *awssm.Store }

func (n noVersions) Get(ctx context.Context, names []string) (map[string]string, error) {
	return n.d.Get(ctx, names)
}
func (n noVersions) Set(ctx context.Context, name, value string) error {
	return n.d.Set(ctx, name, value)
}
func (n noVersions) Remove(ctx context.Context, name string) error { return n.d.Remove(ctx, name) }
func (n noVersions) Close() error                                  { return n.d.Close() }
func (n noVersions) List(ctx context.Context, prefix string) ([]string, error) {
	return n.d.List(ctx, prefix)
}
func (n noVersions) ErrorCode(err error) driver.Code { return n.d.ErrorCode(err) }

// nativeName maps the suite's names to AWS names for native mode: ':',
// the one character of the portable grammar AWS names lack, becomes '!',
// which AWS names hold and the suite's names do not.
func nativeName(n string) string { return strings.ReplaceAll(n, ":", "!") }

// nameModes are the two name modes, with the harness's NativeName for each.
var nameModes = []struct {
	mode   awssm.Names
	native func(string) string
}{
	{awssm.NamesNative, nativeName},
	{awssm.NamesEscaped, nil},
}

// TestConformanceFake runs the suite against the protocol fake in both name
// modes with the default options (Get through BatchGetSecretValue, whose
// answers start with an empty page; Remove with the 7-day recovery window;
// Set of a removed name through RestoreSecret), and with forced deletion,
// which the fake completes only a few requests later, as AWS does.
func TestConformanceFake(t *testing.T) {
	for _, m := range nameModes {
		for _, force := range []bool{false, true} {
			t.Run(fmt.Sprintf("names=%v/force=%v", m.mode, force), func(t *testing.T) {
				f := fakeaws.New(t)
				f.EmptyPages = true
				storetest.Run(t, storetest.Harness{
					AsTargets: []any{new(*secretsmanager.Client), new(*awssm.Store)},
					Open: func(t *testing.T) driver.Store {
						d := newStore(t, f.HTTP.URL, nil, awssm.Options{Names: m.mode, ForceDelete: force})
						awssm.SetBackoff(d, func(int) time.Duration { return 0 })
						return d
					},
					MaxValueSize:  awssm.MaxValueSize,
					NoEmptyValues: true,
					NativeName:    m.native,
				})
				if f.Count("BatchGetSecretValue") == 0 || !force && f.Count("RestoreSecret") == 0 {
					t.Fatalf("the suite did not take the batch (%d calls) and restore (%d calls) paths",
						f.Count("BatchGetSecretValue"), f.Count("RestoreSecret"))
				}
				if f.Count("GetSecretValue") == 0 {
					t.Fatal("one-name reads did not use GetSecretValue")
				}
			})
		}
	}
}

func names(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("app/tenant-%d/key_%02d", i%3, i)
	}
	return out
}

func seed(t testing.TB, st *secretstore.Store, ns []string) {
	t.Helper()
	for _, n := range ns {
		if err := st.Set(context.Background(), n, "value of "+n); err != nil {
			t.Fatal(err)
		}
	}
}

// TestGetTwentyOneRoundTrip counts requests at the server: 20 names are one
// BatchGetSecretValue call, 45 are three (run concurrently).
func TestGetTwentyOneRoundTrip(t *testing.T) {
	f := fakeaws.New(t)
	st := secretstore.New(newStore(t, f.HTTP.URL, nil, awssm.Options{}), secretstore.EnableSet(true))
	ns := names(45)
	seed(t, st, ns)
	for _, n := range []int{20, 45} {
		f.ResetCounts()
		ss, err := st.Get(t.Context(), ns[:n]...)
		if err != nil {
			t.Fatal(err)
		}
		if len(ss) != n {
			t.Fatalf("Get of %d names returned %d", n, len(ss))
		}
		for _, name := range ns[:n] {
			if ss.Reveal(name) != "value of "+name {
				t.Fatalf("%q has the wrong value", name)
			}
		}
		want := (n + awssm.MaxBatch - 1) / awssm.MaxBatch
		if got := f.Count(""); got != want || f.Count("BatchGetSecretValue") != want {
			t.Fatalf("Get of %d names made %d requests (%d batch calls), want %d batch calls", n, got, f.Count("BatchGetSecretValue"), want)
		}
	}
}

// TestBatchPages: a BatchGetSecretValue answer split into pages is read to
// its end.
func TestBatchPages(t *testing.T) {
	f := fakeaws.New(t)
	st := secretstore.New(newStore(t, f.HTTP.URL, nil, awssm.Options{}), secretstore.EnableSet(true))
	ns := names(5)
	seed(t, st, ns)
	f.Mu.Lock()
	f.BatchPage = 2
	f.Mu.Unlock()
	f.ResetCounts()
	ss, err := st.Get(t.Context(), append(ns, "missing")...)
	if err != nil || len(ss) != len(ns) {
		t.Fatalf("Get over pages: %d secrets, %v; want %d", len(ss), err, len(ns))
	}
	if n := f.Count("BatchGetSecretValue"); n != 3 {
		t.Fatalf("%d pages read, want 3", n)
	}
}

// TestBatchPerSecretErrors: in a BatchGetSecretValue response, a missing or
// deleted secret is missing; any other per-secret error fails the Get,
// classified, naming the secret but not repeating AWS's message.
func TestBatchPerSecretErrors(t *testing.T) {
	f := fakeaws.New(t)
	d := newStore(t, f.HTTP.URL, nil, awssm.Options{})
	st := secretstore.New(d, secretstore.EnableSet(true), secretstore.EnableRemove(true))
	ctx := t.Context()
	seed(t, st, []string{"a", "b", "gone"})
	if err := st.Remove(ctx, "gone"); err != nil {
		t.Fatal(err)
	}
	ss, err := st.Get(ctx, "a", "b", "never", "gone")
	if err != nil {
		t.Fatalf("Get with missing and deleted names: %v", err)
	}
	if len(ss) != 2 || !ss.Has("a") || !ss.Has("b") {
		t.Fatalf("Get returned %d secrets, want a and b", len(ss))
	}
	const canary = "aws-message-canary"
	f.Mu.Lock()
	f.ItemErr = func(id string) (string, string) {
		if id == "b" {
			return "DecryptionFailure", "cannot decrypt " + canary
		}
		return "", ""
	}
	f.Mu.Unlock()
	_, err = st.Get(ctx, "a", "b")
	if !errors.Is(err, secretstore.ErrPermissionDenied) {
		t.Fatalf("Get with a per-secret DecryptionFailure: %v, want ErrPermissionDenied", err)
	}
	if strings.Contains(err.Error(), canary) || !strings.Contains(err.Error(), `"b"`) || !strings.Contains(err.Error(), "DecryptionFailure") {
		t.Fatalf("error %q: want the name and code, not AWS's message", err)
	}
	var ae *awssm.Error
	if !errors.As(err, &ae) || ae.Code != "DecryptionFailure" || ae.Name != "b" {
		t.Fatalf("errors.As(*awssm.Error) = %+v", ae)
	}
}

// TestBatchRefusedFallsBack: when BatchGetSecretValue is refused, Get reads
// every name with GetSecretValue, concurrently, and does not try the batch
// call again.
func TestBatchRefusedFallsBack(t *testing.T) {
	for _, code := range []string{"AccessDeniedException", "InvalidAction"} {
		t.Run(code, func(t *testing.T) {
			f := fakeaws.New(t)
			st := secretstore.New(newStore(t, f.HTTP.URL, nil, awssm.Options{}), secretstore.EnableSet(true))
			ns := names(5)
			seed(t, st, ns)
			f.Mu.Lock()
			f.Fail = func(action string, _ *fakeaws.Request) (int, string, string) {
				if action == "BatchGetSecretValue" {
					return 400, code, "no"
				}
				return 0, "", ""
			}
			f.Mu.Unlock()
			f.ResetCounts()
			for range 2 {
				ss, err := st.Get(t.Context(), append(ns, "missing")...)
				if err != nil {
					t.Fatal(err)
				}
				if len(ss) != len(ns) {
					t.Fatalf("Get returned %d secrets, want %d", len(ss), len(ns))
				}
			}
			if b, g := f.Count("BatchGetSecretValue"), f.Count("GetSecretValue"); b != 1 || g != 2*(len(ns)+1) {
				t.Fatalf("%d batch and %d single calls, want 1 and %d", b, g, 2*(len(ns)+1))
			}
		})
	}
}

// TestKumoFallback proves the emulator answers the batch call as not
// implemented and that Get of many names still works against it.
func TestKumoFallback(t *testing.T) {
	c := newClient(startKumo(t), nil)
	_, err := c.BatchGetSecretValue(t.Context(), &secretsmanager.BatchGetSecretValueInput{SecretIdList: []string{"a"}})
	var api smithy.APIError
	if !errors.As(err, &api) || api.ErrorCode() != "InvalidAction" {
		t.Fatalf("kumo BatchGetSecretValue: %v, want InvalidAction (if kumo implements it now, drop the fallback note in the docs)", err)
	}
	d, err := awssm.New(c, awssm.Options{ForceDelete: true})
	if err != nil {
		t.Fatal(err)
	}
	st := secretstore.New(d, secretstore.EnableSet(true))
	ns := names(25)
	seed(t, st, ns)
	ss, err := st.Get(t.Context(), ns...)
	if err != nil || len(ss) != len(ns) {
		t.Fatalf("Get of %d names on kumo: %d secrets, %v", len(ns), len(ss), err)
	}
}

// TestValuesStringAndBinary: Set writes valid UTF-8 as SecretString and
// anything else as SecretBinary; Get returns either byte-exact, including
// secrets written by other tools.
func TestValuesStringAndBinary(t *testing.T) {
	f := fakeaws.New(t)
	st := secretstore.New(newStore(t, f.HTTP.URL, nil, awssm.Options{}), secretstore.EnableSet(true))
	ctx := t.Context()
	text, bin := "pässwörd\x00\n", "\xff\x00\xfe"
	if err := st.Set(ctx, "text", text); err != nil {
		t.Fatal(err)
	}
	if err := st.Set(ctx, "bin", bin); err != nil {
		t.Fatal(err)
	}
	f.Mu.Lock()
	ts, bs := f.Secrets["text"].Versions[0], f.Secrets["bin"].Versions[0]
	f.Mu.Unlock()
	if ts.Str == nil || *ts.Str != text || ts.Bin != nil {
		t.Fatalf("a UTF-8 value was not written as SecretString")
	}
	if bs.Str != nil || string(bs.Bin) != bin {
		t.Fatalf("a non-UTF-8 value was not written as SecretBinary")
	}
	// Written by another tool: a UTF-8 value as SecretBinary.
	f.Seed("other/bin-text", nil, []byte("plain text"))
	s := "json"
	f.Seed("other/string", &s, nil)
	ss, err := st.Get(ctx, "text", "bin", "other/bin-text", "other/string")
	if err != nil {
		t.Fatal(err)
	}
	for n, want := range map[string]string{"text": text, "bin": bin, "other/bin-text": "plain text", "other/string": "json"} {
		if ss.Reveal(n) != want {
			t.Errorf("%q: the value differs from what was written", n)
		}
	}
	// The empty value and one over the limit never reach AWS.
	f.ResetCounts()
	if err := st.Set(ctx, "e", ""); !errors.Is(err, secretstore.ErrInvalidValue) {
		t.Fatalf("Set of the empty value: %v, want ErrInvalidValue", err)
	}
	if err := st.Set(ctx, "big", strings.Repeat("x", awssm.MaxValueSize+1)); !errors.Is(err, secretstore.ErrInvalidValue) {
		t.Fatalf("Set of a value over the limit: %v, want ErrInvalidValue", err)
	}
	if n := f.Count(""); n != 0 {
		t.Fatalf("refused values made %d requests", n)
	}
}

// TestSetRestoresAndVersions: a removed name (scheduled for deletion) reads
// as missing, and Set restores it, then writes; the value it replaced is
// AWSPREVIOUS.
func TestSetRestoresAndVersions(t *testing.T) {
	f := fakeaws.New(t)
	d := newStore(t, f.HTTP.URL, nil, awssm.Options{})
	st := secretstore.New(d, secretstore.EnableSet(true), secretstore.EnableRemove(true))
	ctx := t.Context()
	seed(t, st, []string{"db/password"})
	if err := st.Set(ctx, "db/password", "second"); err != nil {
		t.Fatal(err)
	}
	if err := st.Remove(ctx, "db/password"); err != nil {
		t.Fatal(err)
	}
	if err := st.Remove(ctx, "db/password"); err != nil {
		t.Fatalf("Remove of a name already scheduled for deletion: %v", err)
	}
	if v, err := st.Versions(ctx, "db/password"); err != nil || v.HasCurrent || v.HasPrevious {
		t.Fatalf("Versions of a removed name = %v, %v, %v; want none", v.HasCurrent, v.HasPrevious, err)
	}
	f.ResetCounts()
	if err := st.Set(ctx, "db/password", "third"); err != nil {
		t.Fatal(err)
	}
	if r, p := f.Count("RestoreSecret"), f.Count("PutSecretValue"); r != 1 || p != 1 {
		t.Fatalf("Set of a removed name: %d restores, %d puts; want 1 and 1", r, p)
	}
	v, err := st.Versions(ctx, "db/password")
	if err != nil || v.Current.Reveal() != "third" || v.Previous.Reveal() != "second" {
		t.Fatalf("Versions after restore: %v (want third and second)", err)
	}
	// Writing the current value again writes nothing: the previous stays.
	f.ResetCounts()
	if err := st.Set(ctx, "db/password", "third"); err != nil {
		t.Fatal(err)
	}
	if n := f.Count("PutSecretValue"); n != 0 {
		t.Fatalf("Set of the current value made %d puts", n)
	}
	// A writer that may not read writes without the check.
	f.Mu.Lock()
	f.Fail = func(action string, _ *fakeaws.Request) (int, string, string) {
		if action == "GetSecretValue" {
			return 400, "AccessDeniedException", ""
		}
		return 0, "", ""
	}
	f.Mu.Unlock()
	if err := st.Set(ctx, "db/password", "fourth"); err != nil {
		t.Fatalf("Set without read permission: %v", err)
	}
	if err := st.Set(ctx, "fresh", "x"); err != nil {
		t.Fatalf("Set of a new name without read permission: %v", err)
	}
	f.Mu.Lock()
	defer f.Mu.Unlock()
	if s := f.Secrets["db/password"]; *s.Versions[s.Current].Str != "fourth" || f.Secrets["fresh"] == nil {
		t.Fatal("the writes without read permission did not land")
	}
}

// TestGetVersionsKumo: the emulator keeps AWSPREVIOUS, so the driver's
// version read is proven against it too.
func TestGetVersionsKumo(t *testing.T) {
	d := newStore(t, startKumo(t), nil, awssm.Options{ForceDelete: true})
	ctx := t.Context()
	if cur, prev, err := d.GetVersions(ctx, "rot/key"); err != nil || cur != nil || prev != nil {
		t.Fatalf("GetVersions of a missing name = %v, %v, %v", cur, prev, err)
	}
	if err := d.Set(ctx, "rot/key", "one"); err != nil {
		t.Fatal(err)
	}
	if cur, prev, err := d.GetVersions(ctx, "rot/key"); err != nil || cur == nil || *cur != "one" || prev != nil {
		t.Fatalf("GetVersions after one Set: %v", err)
	}
	if err := d.Set(ctx, "rot/key", "two"); err != nil {
		t.Fatal(err)
	}
	if cur, prev, err := d.GetVersions(ctx, "rot/key"); err != nil || cur == nil || *cur != "two" || prev == nil || *prev != "one" {
		t.Fatalf("GetVersions after two Sets: %v", err)
	}
}

// TestSetCreateRace: when another writer creates the secret between this
// writer's read (not found) and create (exists), Set puts and wins.
func TestSetCreateRace(t *testing.T) {
	f := fakeaws.New(t)
	d := newStore(t, f.HTTP.URL, nil, awssm.Options{KMSKeyID: "alias/app", Tags: map[string]string{"team": "pay"}})
	f.Mu.Lock()
	f.Fail = func(action string, req *fakeaws.Request) (int, string, string) {
		if action == "CreateSecret" && f.Calls[action] == 1 {
			other := "other writer"
			f.Secrets[req.Name] = &fakeaws.Secret{Current: -1, Previous: -1}
			f.Secrets[req.Name].Put(&other, nil)
			return 400, "ResourceExistsException", "exists"
		}
		return 0, "", ""
	}
	f.Mu.Unlock()
	if err := d.Set(t.Context(), "new", "mine"); err != nil {
		t.Fatal(err)
	}
	if p, c := f.Count("PutSecretValue"), f.Count("CreateSecret"); p != 1 || c != 1 {
		t.Fatalf("%d puts and %d creates, want 1 and 1", p, c)
	}
	if cur, prev, err := d.GetVersions(t.Context(), "new"); err != nil || *cur != "mine" || *prev != "other writer" {
		t.Fatalf("GetVersions after the race: %v", err)
	}
	// Many writers creating one name at once all succeed.
	f.Mu.Lock()
	f.Fail = nil
	f.Mu.Unlock()
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := range 8 {
		wg.Go(func() { errs <- d.Set(t.Context(), "contended", fmt.Sprint(i)) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	f.Mu.Lock()
	defer f.Mu.Unlock()
	if s := f.Secrets["contended"]; s == nil || len(s.Versions) != 8 || s.KMSKey != "alias/app" || s.Tags["team"] != "pay" {
		t.Fatalf("contended secret: %+v; want 8 versions, the KMS key and the tag", s)
	}
}

// TestCompareAndSwap: a swap whose expected version lost AWSCURRENT while
// it wrote fails with a conflict and leaves the other writer's value
// current; a swap that wins moves AWSCURRENT and AWSPREVIOUS as Set does
// and takes its pending label off again.
func TestCompareAndSwap(t *testing.T) {
	f := fakeaws.New(t)
	d := newStore(t, f.HTTP.URL, nil, awssm.Options{})
	ctx := t.Context()
	if err := d.Set(ctx, "k", "one"); err != nil {
		t.Fatal(err)
	}
	one := "one"
	if err := d.CompareAndSwap(ctx, "k", &one, "two"); err != nil {
		t.Fatal(err)
	}
	if cur, prev, err := d.GetVersions(ctx, "k"); err != nil || *cur != "two" || prev == nil || *prev != "one" {
		t.Fatalf("GetVersions after a swap: %v", err)
	}
	f.Mu.Lock()
	if len(f.Secrets["k"].Labels) != 0 {
		t.Errorf("the pending label stayed: %v", f.Secrets["k"].Labels)
	}
	// Another writer sets "other" between this swap's read and its move.
	f.Fail = func(action string, req *fakeaws.Request) (int, string, string) {
		if action == "PutSecretValue" && len(req.VersionStages) > 0 {
			other := "other"
			f.Secrets["k"].Put(&other, nil)
		}
		return 0, "", ""
	}
	f.Mu.Unlock()
	two := "two"
	err := d.CompareAndSwap(ctx, "k", &two, "three")
	if driver.CodeOf(err) != driver.Conflict {
		t.Fatalf("a swap that lost the race: %v, want a conflict", err)
	}
	if cur, prev, err := d.GetVersions(ctx, "k"); err != nil || *cur != "other" || *prev != "two" {
		t.Fatalf("after a lost swap: %v; want the other writer's value current and two previous", err)
	}
	// Values are checked before any request, as in Set.
	f.ResetCounts()
	if err := d.CompareAndSwap(ctx, "k", nil, ""); driver.CodeOf(err) != driver.InvalidValue || f.Count("") != 0 {
		t.Fatalf("a swap to the empty value: %v after %d requests", err, f.Count(""))
	}
}

// TestRemoveOptions: the recovery window (default 7 days) or force deletion
// reach DeleteSecret as configured.
func TestRemoveOptions(t *testing.T) {
	for _, tc := range []struct {
		opts   awssm.Options
		window int
		force  bool
	}{
		{awssm.Options{}, 7, false},
		{awssm.Options{RecoveryWindowDays: 30}, 30, false},
		{awssm.Options{ForceDelete: true}, 0, true},
	} {
		f := fakeaws.New(t)
		d := newStore(t, f.HTTP.URL, nil, tc.opts)
		var got fakeaws.Request
		f.Mu.Lock()
		f.Fail = func(action string, req *fakeaws.Request) (int, string, string) {
			if action == "DeleteSecret" {
				got = *req
			}
			return 0, "", ""
		}
		f.Mu.Unlock()
		if err := d.Set(t.Context(), "x", "v"); err != nil {
			t.Fatal(err)
		}
		if err := d.Remove(t.Context(), "x"); err != nil {
			t.Fatal(err)
		}
		f.Mu.Lock()
		if got.RecoveryWindowInDays != tc.window || got.ForceDeleteWithoutRecovery != tc.force {
			t.Errorf("%+v: DeleteSecret got window %d, force %v", tc.opts, got.RecoveryWindowInDays, got.ForceDeleteWithoutRecovery)
		}
		f.Mu.Unlock()
	}
	if _, err := awssm.New(newClient("http://127.0.0.1:1", nil), awssm.Options{RecoveryWindowDays: 3}); err == nil {
		t.Fatal("New accepted a 3-day recovery window")
	}
}

// TestErrors: AWS errors become portable classes, the SDK's retryer retries
// throttling and server errors, and no error repeats AWS's message.
func TestErrors(t *testing.T) {
	const canary = "body-canary-1234"
	for _, tc := range []struct {
		action, code string
		status       int
		failures     int // then success
		want         error
	}{
		{"GetSecretValue", "ThrottlingException", 400, 2, nil},
		{"GetSecretValue", "ThrottlingException", 400, 3, secretstore.ErrUnavailable},
		{"GetSecretValue", "InternalServiceError", 500, 3, secretstore.ErrUnavailable},
		{"GetSecretValue", "SomethingNew", 503, 3, secretstore.ErrUnavailable},
		{"GetSecretValue", "AccessDeniedException", 400, 1, secretstore.ErrPermissionDenied},
		{"GetSecretValue", "UnrecognizedClientException", 400, 1, secretstore.ErrPermissionDenied},
		{"PutSecretValue", "InvalidRequestException", 400, 1, secretstore.ErrConflict},
		{"PutSecretValue", "ValidationException", 400, 1, secretstore.ErrInvalidValue},
		{"PutSecretValue", "LimitExceededException", 400, 3, secretstore.ErrInvalidValue},
		{"DeleteSecret", "LimitExceededException", 400, 3, secretstore.ErrUnavailable},
		{"DeleteSecret", "InvalidRequestException", 400, 1, secretstore.ErrConflict},
		{"ListSecrets", "AccessDeniedException", 400, 1, secretstore.ErrPermissionDenied},
	} {
		t.Run(tc.action+"/"+tc.code+fmt.Sprint(tc.failures), func(t *testing.T) {
			f := fakeaws.New(t)
			st := secretstore.New(newStore(t, f.HTTP.URL, nil, awssm.Options{}),
				secretstore.EnableSet(true), secretstore.EnableRemove(true))
			seed(t, st, []string{"k"})
			f.Mu.Lock()
			f.Fail = func(action string, _ *fakeaws.Request) (int, string, string) {
				if action == tc.action && f.Calls[action] <= tc.failures {
					return tc.status, tc.code, "message with " + canary
				}
				return 0, "", ""
			}
			f.Mu.Unlock()
			f.ResetCounts()
			var err error
			switch tc.action {
			case "GetSecretValue":
				var ss secretstore.Secrets
				ss, err = st.Get(t.Context(), "k")
				if err == nil && ss.Reveal("k") != "value of k" {
					t.Fatal("Get after retries: wrong value")
				}
			case "PutSecretValue":
				err = st.Set(t.Context(), "k", "v2")
			case "DeleteSecret":
				err = st.Remove(t.Context(), "k")
			case "ListSecrets":
				_, err = st.List(t.Context(), "")
			}
			if tc.want == nil {
				if err != nil {
					t.Fatalf("after %d retried failures: %v", tc.failures, err)
				}
				if n := f.Count(tc.action); n != tc.failures+1 {
					t.Fatalf("%d attempts, want %d", n, tc.failures+1)
				}
				return
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("error %v (code %v), want %v", err, secretstore.Code(err), tc.want)
			}
			if strings.Contains(err.Error(), canary) {
				t.Fatalf("the error repeats AWS's message: %q", err)
			}
			if !strings.Contains(err.Error(), tc.code) {
				t.Fatalf("the error %q does not name AWS's code", err)
			}
			var api smithy.APIError
			if !errors.As(err, &api) || api.ErrorCode() != tc.code {
				t.Fatalf("errors.As(smithy.APIError) did not reach the SDK's error")
			}
		})
	}
}

// TestUnreachable: a connection refused is Unavailable, with no body.
func TestUnreachable(t *testing.T) {
	f := fakeaws.New(t)
	u := f.HTTP.URL
	f.HTTP.Close()
	st := secretstore.New(newStore(t, u, nil, awssm.Options{}))
	_, err := st.Get(t.Context(), "a", "b")
	if !errors.Is(err, secretstore.ErrUnavailable) {
		t.Fatalf("Get from a closed endpoint: %v, want ErrUnavailable", err)
	}
}

// TestResponseNotUnderstood: a response cut short is Unavailable, and
// neither it nor one that is not JSON shows any of the body.
func TestResponseNotUnderstood(t *testing.T) {
	const canary = "partial-body-canary"
	for _, tc := range []struct {
		body   string
		length string
		want   error
		text   string
	}{
		{`{"Name":"a","SecretString":"` + canary, "200", secretstore.ErrUnavailable, "response cut short"},
		{`{"Name":"a","SecretString":"` + canary + `"x}`, "", nil, "response not understood"},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/x-amz-json-1.1")
			if tc.length != "" {
				w.Header().Set("Content-Length", tc.length)
			}
			_, _ = w.Write([]byte(tc.body))
		}))
		st := secretstore.New(newStore(t, srv.URL, nil, awssm.Options{}))
		_, err := st.Get(t.Context(), "a")
		srv.Close()
		if err == nil || (tc.want != nil && !errors.Is(err, tc.want)) {
			t.Fatalf("Get of a broken response: %v, want %v", err, tc.want)
		}
		if strings.Contains(err.Error(), canary) || !strings.Contains(err.Error(), tc.text) {
			t.Fatalf("error %q: want %q and nothing of the body", err, tc.text)
		}
	}
}

// TestListEscaped: ListSecrets pages are followed, names map back, names
// that end in '-' and six characters are found, and secrets that no
// portable name maps to (made by other tools) are left out.
func TestListEscaped(t *testing.T) {
	f := fakeaws.New(t)
	st := secretstore.New(newStore(t, f.HTTP.URL, nil, awssm.Options{Names: awssm.NamesEscaped}), secretstore.EnableSet(true))
	ctx := t.Context()
	var want []string
	for i := range 130 {
		want = append(want, fmt.Sprintf("p/t:%03d", i))
	}
	want = append(want, "p/x-abcdef", "p/-abcdef", "p/==")
	seed(t, st, want)
	seed(t, st, []string{"q/other", "P/upper"})
	v := "x"
	f.Seed("p/stray=x", &v, nil)  // not an encoding
	f.Seed("p/y-abcdef", &v, nil) // ambiguous ARN suffix: not an encoding
	f.ResetCounts()
	got, err := st.List(ctx, "p/")
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("List = %d names, want %d: %q", len(got), len(want), got)
	}
	if n := f.Count("ListSecrets"); n != 2 {
		t.Fatalf("%d ListSecrets pages, want 2", n)
	}
	for _, prefix := range []string{"p/x-", "p/x-abcdef", "p/-", "p/=", "p/t:12"} {
		got, err := st.List(ctx, prefix)
		if err != nil {
			t.Fatal(err)
		}
		var exp []string
		for _, n := range want {
			if strings.HasPrefix(n, prefix) {
				exp = append(exp, n)
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, exp) {
			t.Errorf("List(%q) = %q, want %q", prefix, got, exp)
		}
	}
}

// TestOpenURL: the parameters reach the driver; keys, hosts, paths and
// unknown parameters are refused without repeating the URL.
func TestOpenURL(t *testing.T) {
	testEnv(t)
	if !slices.Contains(secretstore.Schemes(), awssm.Scheme) {
		t.Fatalf("scheme %q not registered", awssm.Scheme)
	}
	f := fakeaws.New(t)
	ctx := t.Context()
	st, err := secretstore.Open(ctx, "awssm://?region=eu-west-1&endpoint="+url.QueryEscape(f.HTTP.URL)+
		"&recovery-window=10&kms-key=alias%2Fk&tags=team%3Dpay,env%3Dtest&retries=1&parallel=4",
		secretstore.EnableSet(true), secretstore.EnableRemove(true))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var got fakeaws.Request
	failGets := false
	f.Mu.Lock()
	f.Fail = func(action string, req *fakeaws.Request) (int, string, string) {
		if action == "DeleteSecret" {
			got = *req
		}
		if action == "GetSecretValue" && failGets {
			return 500, "InternalServiceError", ""
		}
		return 0, "", ""
	}
	f.Mu.Unlock()
	if err := st.Set(ctx, "k", "v"); err != nil {
		t.Fatal(err)
	}
	if err := st.Remove(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	f.Mu.Lock()
	failGets = true
	f.Mu.Unlock()
	f.ResetCounts()
	if _, _, err := st.Lookup(ctx, "k"); !errors.Is(err, secretstore.ErrUnavailable) {
		t.Fatalf("Lookup on a failing server: %v", err)
	}
	f.Mu.Lock()
	s := f.Secrets["k"]
	window := got.RecoveryWindowInDays
	f.Mu.Unlock()
	if s.KMSKey != "alias/k" || s.Tags["team"] != "pay" || s.Tags["env"] != "test" || window != 10 {
		t.Fatalf("URL options not applied: kms %q, tags %v, window %d", s.KMSKey, s.Tags, window)
	}
	if n := f.Count("GetSecretValue"); n != 2 {
		t.Fatalf("retries=1 made %d attempts", n)
	}
	var c *secretsmanager.Client
	var d *awssm.Store
	if !st.As(&c) || c == nil || !st.As(&d) || d == nil {
		t.Fatal("As did not reach the client and the driver")
	}
	var other *http.Client
	if st.As(&other) {
		t.Fatal("As accepted an unsupported target")
	}

	for _, bad := range []string{
		"awssm://AKIDSECRET:hunter2@?region=eu-west-1",
		"awssm://host?region=eu-west-1",
		"awssm:///path?region=eu-west-1",
		"awssm://?region=eu-west-1&access-key=hunter2",
		"awssm://?region=eu-west-1&recovery-window=3",
		"awssm://?region=eu-west-1&remove=maybe",
		"awssm://?region=eu-west-1&remove=force&recovery-window=7",
		"awssm://?region=eu-west-1&tags=a%3D1&tags=b%3D2",
		"awssm://?region=eu-west-1&endpoint=ftp%3A%2F%2Fx",
		"awssm://?region=eu-west-1&region=us-east-1",
		"awssm://?region=eu-west-1&tags=novalue",
		"awssm://",
	} {
		st, err := secretstore.Open(ctx, bad)
		if err == nil {
			st.Close()
			t.Errorf("Open(%q) succeeded", bad)
			continue
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("Open error repeats the URL: %q", err)
		}
	}
}

// TestLive runs the suite against real AWS Secrets Manager. It is opt-in:
// set SECRETSTORE_AWS_LIVE=1 with credentials and a region in the SDK's
// usual places, and optionally SECRETSTORE_AWS_URL (default
// "awssm://?recovery-window=7"); it is skipped, saying why, without the
// variable or without credentials. It writes and removes secrets under
// "storetest/"; removed ones stay scheduled for deletion for the window.
// ListSecrets is eventually consistent in AWS, so the suite's listing
// checks may need a rerun there.
// In native mode (the URL without names=escaped) the suite's names hold
// '!' where its portable names hold ':'; should AWS refuse to create such
// names, run it with names=escaped.
func TestLive(t *testing.T) {
	if testenv.Live(t, "AWS", "SECRETSTORE_AWS_LIVE")[0] != "1" {
		t.Skip("live AWS test skipped: SECRETSTORE_AWS_LIVE is not 1")
	}
	raw := os.Getenv("SECRETSTORE_AWS_URL")
	if raw == "" {
		raw = "awssm://?recovery-window=7"
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal("SECRETSTORE_AWS_URL is not a URL")
	}
	cfg, err := config.LoadDefaultConfig(t.Context())
	if err == nil {
		_, err = cfg.Credentials.Retrieve(t.Context())
	}
	if err != nil {
		t.Skipf("live AWS test: SECRETSTORE_AWS_LIVE=1 but no AWS credentials could be loaded (%v)", err)
	}
	native := nativeName
	if u.Query().Get("names") == "escaped" {
		native = nil
	}
	storetest.Run(t, storetest.Harness{
		AsTargets:  []any{new(*secretsmanager.Client), new(*awssm.Store)},
		NativeName: native,
		Open: func(t *testing.T) driver.Store {
			d, err := awssm.OpenURL(t.Context(), u)
			if err != nil {
				t.Fatal(err)
			}
			return d
		},
		MaxValueSize:  awssm.MaxValueSize,
		NoEmptyValues: true,
	})
}

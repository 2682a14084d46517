package dapr

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/secretstore-go/secretstore"
	"github.com/secretstore-go/secretstore/dapr/internal/fakedapr"
	"github.com/secretstore-go/secretstore/dapr/internal/fixture"
	"github.com/secretstore-go/secretstore/driver"
	"github.com/secretstore-go/secretstore/storetest"
)

const testToken = "tok-3f9c2a7d1e5b"

// newTestStore returns a driver for store st of a fake sidecar, with the
// given options on top of the endpoint, store and token.
func newTestStore(t *testing.T, srv *httptest.Server, store string, opts Options) *Store {
	t.Helper()
	opts.Endpoint, opts.Store = srv.URL, store
	if opts.Token == "" && opts.TokenFile == "" {
		opts.Token = testToken
	}
	s, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func wantCode(t *testing.T, err error, code driver.Code) {
	t.Helper()
	if got := driver.CodeOf(err); got != code {
		t.Fatalf("error %v has code %v, want %v", err, got, code)
	}
}

// TestConformanceFake runs the read-only conformance suite against the fake
// sidecar; the same suite runs against a real daprd in TestDaprd.
func TestConformanceFake(t *testing.T) {
	_, srv := fakedapr.Start(t, &fakedapr.Sidecar{Token: testToken, Stores: map[string]*fakedapr.Store{
		fixture.Store: {Secrets: fakedapr.Single(fixture.Secrets()), NotFound: fakedapr.LocalFileNotFound},
	}})
	storetest.Run(t, storetest.Harness{
		ReadOnly:    true,
		Credentials: []string{testToken},
		Open: func(t *testing.T) driver.Store {
			return newTestStore(t, srv, fixture.Store, Options{})
		},
	})
}

func TestTrickyNames(t *testing.T) {
	f, srv := fakedapr.Start(t, &fakedapr.Sidecar{Token: testToken, Stores: map[string]*fakedapr.Store{
		"st/ore+1": {Secrets: fakedapr.Single(fixture.Secrets()), NotFound: fakedapr.LocalFileNotFound},
	}})
	want := fixture.Tricky()
	names := slices.Sorted(maps.Keys(want))
	for _, bulk := range []bool{false, true} {
		t.Run(fmt.Sprintf("bulk=%v", bulk), func(t *testing.T) {
			s := newTestStore(t, srv, "st/ore+1", Options{Bulk: bulk})
			got, err := s.Get(t.Context(), names)
			if err != nil {
				t.Fatal(err)
			}
			if !maps.Equal(got, want) {
				t.Fatalf("Get returned %d names; want exactly the %d tricky ones with their values", len(got), len(want))
			}
		})
	}
	// Each name reached the get route as itself, "bulk" included.
	seen := map[string]bool{}
	for _, r := range f.Requests() {
		if r.Store != "st/ore+1" {
			t.Errorf("request for store %q", r.Store)
		}
		if !r.Bulk {
			seen[r.Key] = true
		}
	}
	for _, n := range names {
		if !seen[n] {
			t.Errorf("no get request decoded to %q", n)
		}
	}
}

func TestTokenHeader(t *testing.T) {
	f, srv := fakedapr.Start(t, &fakedapr.Sidecar{Token: testToken, Stores: map[string]*fakedapr.Store{
		"s": {Secrets: fakedapr.Single(map[string]string{"a": "1", "b": "2"}), NotFound: fakedapr.LocalFileNotFound},
	}})
	check := func(t *testing.T, s *Store) {
		t.Helper()
		got, err := s.Get(t.Context(), []string{"a", "b", "missing"})
		if err != nil || got["a"] != "1" || got["b"] != "2" || len(got) != 2 {
			t.Fatalf("Get = %v, %v", len(got), err)
		}
	}
	t.Run("Options.Token", func(t *testing.T) {
		check(t, newTestStore(t, srv, "s", Options{Token: testToken}))
	})
	t.Run("TokenFile", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "token")
		if err := os.WriteFile(p, []byte(testToken+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		check(t, newTestStore(t, srv, "s", Options{TokenFile: p}))
	})
	t.Run("env", func(t *testing.T) {
		t.Setenv(EnvAPIToken, testToken)
		s, err := New(Options{Endpoint: srv.URL, Store: "s"})
		if err != nil {
			t.Fatal(err)
		}
		check(t, s)
	})
	t.Run("URL", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "token")
		if err := os.WriteFile(p, []byte(testToken), 0o600); err != nil {
			t.Fatal(err)
		}
		t.Setenv(EnvAPIToken, "")
		st, err := secretstore.Open(t.Context(), "dapr://"+strings.TrimPrefix(srv.URL, "http://")+"/s?token-file="+p)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		ss, err := st.Require(t.Context(), "a")
		if err != nil || ss.Reveal("a") != "1" {
			t.Fatalf("Require through Open: %v", err)
		}
	})
	reqs := f.Requests()
	if len(reqs) < 4 {
		t.Fatalf("%d requests recorded", len(reqs))
	}
	for _, r := range reqs {
		if r.Token != testToken {
			t.Errorf("request %s: token header %q, want the token", r.RequestURI, r.Token)
		}
		if strings.Contains(r.RequestURI, testToken) {
			t.Errorf("the token is in the request URI %q", r.RequestURI)
		}
	}

	t.Run("refused", func(t *testing.T) {
		for _, opts := range []Options{{Token: "wrong-" + testToken}, {Token: ""}} {
			t.Setenv(EnvAPIToken, "")
			opts.Endpoint, opts.Store = srv.URL, "s"
			s, err := New(opts)
			if err != nil {
				t.Fatal(err)
			}
			_, err = s.Get(t.Context(), []string{"a"})
			wantCode(t, err, driver.PermissionDenied)
			if strings.Contains(err.Error(), testToken) {
				t.Fatalf("the error reveals the Token: %v", err)
			}
		}
		if r := f.Requests(); r[len(r)-1].HasToken {
			t.Errorf("a driver without a token sent the header")
		}
	})
}

func TestTokenNotInURLOrErrors(t *testing.T) {
	for _, raw := range []string{
		"dapr://127.0.0.1:3500/s?token=" + testToken,
		"dapr://127.0.0.1:3500/s?dapr-api-token=" + testToken,
		"dapr://127.0.0.1:3500/s?api_token=" + testToken,
		"dapr://" + testToken + "@127.0.0.1:3500/s",
		"dapr://user:" + testToken + "@127.0.0.1:3500/s",
	} {
		_, err := secretstore.Open(t.Context(), raw)
		if err == nil {
			t.Errorf("Open(%q) accepted a token in the URL", raw)
			continue
		}
		if strings.Contains(err.Error(), testToken) {
			t.Errorf("Open's error reveals the Token: %v", err)
		}
	}
	if _, err := New(Options{Store: "s", Token: "bad\n" + testToken}); err == nil || strings.Contains(err.Error(), testToken) {
		t.Errorf("New with a token holding a newline: %v", err)
	}
}

func TestRedirectNotFollowed(t *testing.T) {
	var reached atomic.Bool
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached.Store(true)
	}))
	defer other.Close()
	_, srv := fakedapr.Start(t, &fakedapr.Sidecar{Hook: func(w http.ResponseWriter, r *http.Request) bool {
		http.Redirect(w, r, other.URL+"/v1.0/secrets/s/a", http.StatusTemporaryRedirect)
		return true
	}})
	s := newTestStore(t, srv, "s", Options{})
	_, err := s.Get(t.Context(), []string{"a"})
	wantCode(t, err, driver.Unknown)
	if reached.Load() {
		t.Fatal("the driver followed a redirect (it would carry the token)")
	}
}

func TestMissingVersusFailing(t *testing.T) {
	const canary = "canary-body-7c1e"
	stores := map[string]*fakedapr.Store{
		"file":   {Secrets: fakedapr.Single(map[string]string{"a": "1"}), NotFound: fakedapr.LocalFileNotFound},
		"k8s":    {Secrets: map[string]map[string]string{"a": {"a": "1"}}, NotFound: fakedapr.KubernetesNotFound},
		"vault":  {Secrets: map[string]map[string]string{"a": {"a": "1"}}, NotFound: fakedapr.VaultNotFound},
		"aws":    {Secrets: fakedapr.Single(map[string]string{"a": "1"}), NotFound: fakedapr.AWSNotFound},
		"down":   {Fail: `couldn't get secret: Get "http://127.0.0.1:1/v1/secret/data/dapr/a": dial tcp 127.0.0.1:1: connect: connection refused`},
		"leaky":  {Fail: "couldn't get successful response, status code 500, body " + canary},
		"spoofy": {Fail: "secret other not found"}, // a not-found text about another name
	}
	_, srv := fakedapr.Start(t, &fakedapr.Sidecar{Token: testToken, Stores: stores})
	for _, name := range []string{"file", "k8s", "vault"} {
		t.Run(name+"/missing", func(t *testing.T) {
			s := newTestStore(t, srv, name, Options{})
			got, err := s.Get(t.Context(), []string{"a", "missing", "x/y+z"})
			if err != nil {
				t.Fatalf("Get with missing names: %v", err)
			}
			if len(got) != 1 || got["a"] != "1" {
				t.Fatalf("Get = %d names, want only a", len(got))
			}
		})
	}
	for _, name := range []string{"aws", "down", "leaky", "spoofy"} {
		t.Run(name+"/unavailable", func(t *testing.T) {
			s := newTestStore(t, srv, name, Options{})
			got, err := s.Get(t.Context(), []string{"missing"})
			wantCode(t, err, driver.Unavailable)
			if got != nil {
				t.Fatalf("a failed Get returned %d names", len(got))
			}
			if strings.Contains(err.Error(), canary) || strings.Contains(err.Error(), "connection refused") ||
				strings.Contains(err.Error(), "ResourceNotFound") {
				t.Fatalf("the error copies Dapr's error body: %v", err)
			}
			st := secretstore.New(s)
			if _, err := st.Get(t.Context(), "missing"); !errors.Is(err, secretstore.ErrUnavailable) {
				t.Fatalf("portable Get: %v, want ErrUnavailable", err)
			}
		})
	}
}

func TestStatuses(t *testing.T) {
	// The secret's name says what to answer: STATUS or STATUS:CODE.
	_, srv := fakedapr.Start(t, &fakedapr.Sidecar{Hook: func(w http.ResponseWriter, r *http.Request) bool {
		status, code, _ := strings.Cut(path.Base(r.URL.Path), ":")
		n, _ := strconv.Atoi(status)
		if code == "" {
			w.WriteHeader(n)
			_, _ = w.Write([]byte("not json: canary-status"))
		} else {
			fakedapr.WriteAPIError(w, n, code, "canary-status")
		}
		return true
	}})
	s := newTestStore(t, srv, "s", Options{})
	for _, c := range []struct {
		status int
		code   string
		want   driver.Code
	}{
		{401, "", driver.PermissionDenied},
		{401, codeStoreNotFound, driver.Unknown},
		{403, codePermissionDenied, driver.PermissionDenied},
		{500, codeStoresNotConfigued, driver.Unknown},
		{500, codeSecretGet, driver.Unavailable},
		{500, "", driver.Unavailable},
		{502, "", driver.Unavailable},
		{503, "", driver.Unavailable},
		{429, "", driver.Unavailable},
		{404, "", driver.Unknown},
		{400, "ERR_MALFORMED_REQUEST", driver.Unknown},
		{418, "", driver.Unknown},
		{501, "", driver.NotSupported}, // driver.HTTPCode
	} {
		name := strconv.Itoa(c.status)
		if c.code != "" {
			name += ":" + c.code
		}
		_, err := s.Get(t.Context(), []string{name})
		if got := driver.CodeOf(err); got != c.want {
			t.Errorf("HTTP %d %s: code %v (%v), want %v", c.status, c.code, got, err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), "canary-status") {
			t.Errorf("HTTP %d: the error copies the body: %v", c.status, err)
		}
	}
}

func TestStoreConfigErrors(t *testing.T) {
	_, srv := fakedapr.Start(t, &fakedapr.Sidecar{Token: testToken, Stores: map[string]*fakedapr.Store{
		"s": {Secrets: fakedapr.Single(map[string]string{"a": "1", "b": "2"}), NotFound: fakedapr.LocalFileNotFound, Denied: map[string]bool{"b": true}},
	}})
	_, err := newTestStore(t, srv, "nope", Options{}).Get(t.Context(), []string{"a"})
	wantCode(t, err, driver.Unknown)
	if !strings.Contains(err.Error(), "no secret store of this name") {
		t.Errorf("unknown store: %v", err)
	}
	_, err = newTestStore(t, srv, "s", Options{}).Get(t.Context(), []string{"a", "b"})
	wantCode(t, err, driver.PermissionDenied)
	// A bulk read drops denied secrets, as Dapr does: b is then missing.
	got, err := newTestStore(t, srv, "s", Options{Bulk: true}).Get(t.Context(), []string{"a", "b"})
	if err != nil || len(got) != 1 || got["a"] != "1" {
		t.Fatalf("bulk Get with a denied secret = %v, %v", got, err)
	}
	_, none := fakedapr.Start(t, &fakedapr.Sidecar{Token: testToken})
	_, err = newTestStore(t, none, "s", Options{}).Get(t.Context(), []string{"a"})
	wantCode(t, err, driver.Unknown)
	if !strings.Contains(err.Error(), "no secret store configured") {
		t.Errorf("no store: %v", err)
	}
}

func TestMetadata(t *testing.T) {
	f, srv := fakedapr.Start(t, &fakedapr.Sidecar{Token: testToken, Stores: map[string]*fakedapr.Store{
		"s": {Secrets: fakedapr.Single(map[string]string{"a": "1"}), NotFound: fakedapr.LocalFileNotFound},
	}})
	s := newTestStore(t, srv, "s", Options{Namespace: "prod ns", VersionID: "7+1", Metadata: map[string]string{"x&y": "a=b"}})
	if _, err := s.Get(t.Context(), []string{"a", "b"}); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"namespace": "prod ns", "version_id": "7+1", "x&y": "a=b"}
	reqs := f.Requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want 2", len(reqs))
	}
	for _, r := range reqs {
		if !maps.Equal(r.Metadata, want) {
			t.Errorf("request metadata %v, want %v", r.Metadata, want)
		}
	}
	if _, err := New(Options{Store: "s", Namespace: "a", Metadata: map[string]string{"namespace": "b"}}); err == nil {
		t.Error("New accepted namespace twice")
	}
	if _, err := New(Options{Store: "s", Bulk: true, VersionID: "1"}); err == nil {
		t.Error("New accepted Bulk with VersionID")
	}
}

func TestKeyMapping(t *testing.T) {
	multi := fixture.Multi()
	f, srv := fakedapr.Start(t, &fakedapr.Sidecar{Token: testToken, Stores: map[string]*fakedapr.Store{
		"m": {Secrets: multi, NotFound: fakedapr.LocalFileNotFound},
	}})
	t.Run("separator", func(t *testing.T) {
		s := newTestStore(t, srv, "m", Options{KeySeparator: "@"})
		before := len(f.Requests())
		got, err := s.Get(t.Context(), []string{"db@user", "db@password", "app/config@a:b", "plain", "db", "db@nokey", "nosecret@k"})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{
			"db@user": "db-user", "db@password": "db-password", "app/config@a:b": "colon key",
			"plain": "plain-value", "db": "db-self",
		}
		if !maps.Equal(got, want) {
			t.Fatalf("Get = %v names, want exactly %v", slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(want)))
		}
		// db, app/config, plain, nosecret: one request per secret.
		if n := len(f.Requests()) - before; n != 4 {
			t.Fatalf("%d requests, want one per distinct secret (4)", n)
		}
		for _, bad := range []string{"db@db", "@user", "db@"} {
			_, err := s.Get(t.Context(), []string{bad})
			wantCode(t, err, driver.InvalidName)
		}
	})
	t.Run("fixed key", func(t *testing.T) {
		s := newTestStore(t, srv, "m", Options{Key: "value"})
		got, err := s.Get(t.Context(), []string{"app/config", "db", "plain"})
		if err != nil {
			t.Fatal(err)
		}
		if !maps.Equal(got, map[string]string{"app/config": "app-value"}) {
			t.Fatalf("Get = %v names, want app/config only", slices.Sorted(maps.Keys(got)))
		}
	})
	t.Run("separator and fixed key", func(t *testing.T) {
		s := newTestStore(t, srv, "m", Options{Key: "value", KeySeparator: ":"})
		got, err := s.Get(t.Context(), []string{"app/config", "db:user"})
		if err != nil {
			t.Fatal(err)
		}
		if !maps.Equal(got, map[string]string{"app/config": "app-value", "db:user": "db-user"}) {
			t.Fatalf("Get = %v names", slices.Sorted(maps.Keys(got)))
		}
		_, err = s.Get(t.Context(), []string{"app/config:value"})
		wantCode(t, err, driver.InvalidName)
	})
	t.Run("default: own key, else the whole map", func(t *testing.T) {
		s := newTestStore(t, srv, "m", Options{})
		got, err := s.Get(t.Context(), []string{"db", "app/config", "nosecret"})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{"db": "db-self", "app/config": `{"a:b":"colon key","mode":"production","value":"app-value"}`}
		if !maps.Equal(got, want) {
			t.Fatalf("Get = %v names, want db and app/config", slices.Sorted(maps.Keys(got)))
		}
		if got["app/config"] != want["app/config"] {
			t.Fatal("app/config is not its map as a JSON object")
		}
	})
	t.Run("fields through the portable store", func(t *testing.T) {
		st := secretstore.New(newTestStore(t, srv, "m", Options{}))
		before := len(f.Requests())
		ss, err := st.Require(t.Context(), "app/config#mode", "app/config#a:b", "app/config#value")
		if err != nil {
			t.Fatal(err)
		}
		if ss.Reveal("app/config#mode") != "production" || ss.Reveal("app/config#a:b") != "colon key" || ss.Reveal("app/config#value") != "app-value" {
			t.Fatal("wrong field values")
		}
		if n := len(f.Requests()) - before; n != 1 {
			t.Fatalf("%d requests for three fields of one secret, want 1", n)
		}
		_, err = st.Require(t.Context(), "app/config#nokey")
		if !errors.Is(err, secretstore.ErrNotFound) {
			t.Fatalf("a missing key: %v", err)
		}
		// A secret holding its own name's key is that key's value, not an
		// object.
		if _, err := st.Get(t.Context(), "db#user"); !errors.Is(err, secretstore.ErrInvalidValue) {
			t.Fatalf("a field of a plain value: %v", err)
		}
	})
}

func TestBulk(t *testing.T) {
	f, srv := fakedapr.Start(t, &fakedapr.Sidecar{Token: testToken, Stores: map[string]*fakedapr.Store{
		"s":    {Secrets: fakedapr.Single(map[string]string{"a": "1", "b": "2", "c": "3"}), NotFound: fakedapr.LocalFileNotFound},
		"down": {Fail: "boom canary-bulk"},
	}})
	s := newTestStore(t, srv, "s", Options{Bulk: true})
	got, err := s.Get(t.Context(), []string{"a", "b", "missing"})
	if err != nil || !maps.Equal(got, map[string]string{"a": "1", "b": "2"}) {
		t.Fatalf("bulk Get = %v, %v", got, err)
	}
	reqs := f.Requests()
	if len(reqs) != 1 || !reqs[0].Bulk {
		t.Fatalf("bulk Get made %d requests (bulk: %v), want one bulk request", len(reqs), len(reqs) > 0 && reqs[0].Bulk)
	}
	// One secret: a plain get is cheaper.
	if _, err := s.Get(t.Context(), []string{"a"}); err != nil {
		t.Fatal(err)
	}
	if r := f.Requests(); r[len(r)-1].Bulk {
		t.Error("a one-secret Get used the bulk route")
	}
	_, err = newTestStore(t, srv, "down", Options{Bulk: true}).Get(t.Context(), []string{"a", "b"})
	wantCode(t, err, driver.Unavailable)
	if strings.Contains(err.Error(), "canary-bulk") {
		t.Fatalf("the error copies the body: %v", err)
	}
}

func TestConcurrencyBound(t *testing.T) {
	const limit, total = 3, 20
	kv := map[string]string{}
	for i := range total {
		kv[fmt.Sprintf("s%02d", i)] = fmt.Sprint(i)
	}
	// Every request waits at the fake until the test releases it, and the
	// test releases one only when limit requests are waiting: a driver that
	// sends fewer at once stalls, and one that sends more shows in the
	// client-side count.
	arrive := make(chan chan struct{})
	f := &fakedapr.Sidecar{Token: testToken, Stores: map[string]*fakedapr.Store{"s": {Secrets: fakedapr.Single(kv), NotFound: fakedapr.LocalFileNotFound}}}
	f.Hook = func(w http.ResponseWriter, r *http.Request) bool {
		release := make(chan struct{})
		select {
		case arrive <- release:
			select {
			case <-release:
			case <-r.Context().Done():
			}
		case <-r.Context().Done():
		}
		return false
	}
	_, srv := fakedapr.Start(t, f)
	// The driver's own concurrency, counted where its requests start.
	rt := &countingTransport{base: http.DefaultTransport.(*http.Transport).Clone()}
	s := newTestStore(t, srv, "s", Options{Parallel: limit, HTTPClient: &http.Client{Transport: rt}})
	type result struct {
		m   map[string]string
		err error
	}
	done := make(chan result, 1)
	go func() {
		m, err := s.Get(t.Context(), slices.Collect(maps.Keys(kv)))
		done <- result{m, err}
	}()
	var waiting []chan struct{}
	for served := 0; served < total; {
		select {
		case rel := <-arrive:
			waiting = append(waiting, rel)
		case res := <-done:
			t.Fatalf("Get returned with %d requests waiting and %d served: %d names, %v", len(waiting), served, len(res.m), res.err)
		case <-time.After(10 * time.Second):
			t.Fatalf("stalled with %d requests waiting and %d served: requests are not concurrent", len(waiting), served)
		}
		for len(waiting) > 0 && len(waiting) == min(limit, total-served) {
			close(waiting[0])
			waiting = waiting[1:]
			served++
		}
	}
	var res result
	select {
	case res = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Get did not return after every request was answered")
	}
	if res.err != nil || !maps.Equal(res.m, kv) {
		t.Fatalf("Get = %d names, %v", len(res.m), res.err)
	}
	if m := rt.max.Load(); m != limit {
		t.Fatalf("the driver had at most %d requests in flight, want exactly %d", m, limit)
	}
}

// countingTransport records the most requests in flight at once.
type countingTransport struct {
	base     http.RoundTripper
	now, max atomic.Int32
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	n := c.now.Add(1)
	defer c.now.Add(-1)
	for m := c.max.Load(); n > m && !c.max.CompareAndSwap(m, n); m = c.max.Load() {
	}
	return c.base.RoundTrip(r)
}

func TestFailureCancelsOthers(t *testing.T) {
	slowArrived := make(chan struct{})
	canceled := make(chan struct{})
	_, srv := fakedapr.Start(t, &fakedapr.Sidecar{Token: testToken, Hook: func(w http.ResponseWriter, r *http.Request) bool {
		if strings.HasSuffix(r.URL.Path, "/slow") {
			close(slowArrived)
			select {
			case <-r.Context().Done():
				close(canceled)
			case <-time.After(10 * time.Second):
				t.Error("the slow request was not canceled")
			}
			return true
		}
		// Fail only once the slow request is in flight.
		select {
		case <-slowArrived:
		case <-time.After(10 * time.Second):
			t.Error("the requests were not concurrent")
		}
		fakedapr.WriteAPIError(w, http.StatusServiceUnavailable, "", "")
		return true
	}})
	s := newTestStore(t, srv, "s", Options{})
	_, err := s.Get(t.Context(), []string{"slow", "fails"})
	wantCode(t, err, driver.Unavailable)
	<-canceled
}

func TestCancelAndTimeout(t *testing.T) {
	arrived := make(chan struct{}, 8)
	_, srv := fakedapr.Start(t, &fakedapr.Sidecar{Hook: func(w http.ResponseWriter, r *http.Request) bool {
		arrived <- struct{}{}
		<-r.Context().Done()
		return true
	}})
	s := newTestStore(t, srv, "s", Options{})
	ctx, cancel := context.WithCancel(t.Context())
	go func() { <-arrived; cancel() }()
	_, err := s.Get(ctx, []string{"a", "b"})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("canceled Get: %v, want context.Canceled", err)
	}

	s = newTestStore(t, srv, "s", Options{Timeout: 50 * time.Millisecond})
	_, err = s.Get(t.Context(), []string{"a"})
	wantCode(t, err, driver.Unavailable)
	if errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("the driver's own timeout looks like the caller's deadline: %v", err)
	}
}

func TestUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close() // nothing listens there now
	s, err := New(Options{Endpoint: url, Store: "s"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Get(t.Context(), []string{"a"})
	wantCode(t, err, driver.Unavailable)
}

func TestMalformedAnswers(t *testing.T) {
	bodies := []string{
		`["canary-json"]`, `{"a": 1, "canary-json": true}`, `canary-json`,
		`{"a":"` + strings.Repeat("x", maxSecretBody) + `"}`,
	}
	// The secret's name is the index of the body to answer.
	_, srv := fakedapr.Start(t, &fakedapr.Sidecar{Hook: func(w http.ResponseWriter, r *http.Request) bool {
		i, _ := strconv.Atoi(path.Base(r.URL.Path))
		_, _ = w.Write([]byte(bodies[i]))
		return true
	}})
	s := newTestStore(t, srv, "s", Options{})
	for i := range bodies {
		_, err := s.Get(t.Context(), []string{strconv.Itoa(i)})
		wantCode(t, err, driver.Unknown)
		if strings.Contains(err.Error(), "canary-json") {
			t.Fatalf("the error copies the body: %v", err)
		}
		if i == len(bodies)-1 && !strings.Contains(err.Error(), "larger than") {
			t.Fatalf("oversized answer: %v", err)
		}
	}
}

func TestNoContentIsMissing(t *testing.T) {
	_, srv := fakedapr.Start(t, &fakedapr.Sidecar{Stores: map[string]*fakedapr.Store{
		"s": {Secrets: map[string]map[string]string{"empty": nil, "a": {"a": ""}}, NotFound: fakedapr.LocalFileNotFound},
	}})
	s := newTestStore(t, srv, "s", Options{})
	got, err := s.Get(t.Context(), []string{"empty", "a"})
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := got["a"]; !ok || v != "" || len(got) != 1 {
		t.Fatalf("Get = %v; want a present and empty, empty missing", got)
	}
}

func TestReadOnly(t *testing.T) {
	s, err := New(Options{Store: "s"})
	if err != nil {
		t.Fatal(err)
	}
	for _, err := range []error{s.Set(t.Context(), "a", "v"), s.Remove(t.Context(), "a")} {
		wantCode(t, err, driver.NotSupported)
		if !strings.Contains(err.Error(), "read-only") {
			t.Errorf("error %q does not say the API is read-only", err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestEndpointDefaults(t *testing.T) {
	for _, c := range []struct {
		endpoint, port, want string
	}{
		{"", "", "http://127.0.0.1:3500"},
		{"", "3501", "http://127.0.0.1:3501"},
		{"https://dapr.local:443/", "3501", "https://dapr.local:443"},
		{"http://[::1]:3500/prefix/", "", "http://[::1]:3500/prefix"},
	} {
		t.Setenv(EnvHTTPEndpoint, c.endpoint)
		t.Setenv(EnvHTTPPort, c.port)
		s, err := New(Options{Store: "st"})
		if err != nil {
			t.Fatalf("endpoint %q port %q: %v", c.endpoint, c.port, err)
		}
		if s.cfg.base != c.want {
			t.Errorf("endpoint %q port %q: base %q, want %q", c.endpoint, c.port, s.cfg.base, c.want)
		}
	}
	t.Setenv(EnvHTTPEndpoint, "")
	for _, bad := range []Options{
		{Store: ""},
		{Store: "s", Endpoint: "ftp://x"},
		{Store: "s", Endpoint: "http://u:p@x"},
		{Store: "s", Endpoint: "http://x?q=1"},
		{Store: "s", Endpoint: "http://"},
		{Store: "s", Token: "a", TokenFile: "/b"},
		{Store: "s", TokenFile: "/nonexistent/token"},
		{Store: "s", Parallel: MaxParallel + 1},
		{Store: "s", Parallel: -1},
		{Store: "s", Timeout: -time.Second},
		{Store: "s", Metadata: map[string]string{"": "x"}},
	} {
		if _, err := New(bad); err == nil {
			t.Errorf("New(%+v) succeeded", bad)
		} else {
			wantCode(t, err, driver.Unknown)
		}
	}
	t.Setenv(EnvHTTPPort, "http")
	if _, err := New(Options{Store: "s"}); err == nil {
		t.Error("New with DAPR_HTTP_PORT=http succeeded")
	}
}

func TestEmptyTokenFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(p, []byte(" \n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := New(Options{Store: "s", TokenFile: p}); err == nil {
		t.Fatal("New accepted an empty token file")
	}
}

package dapr

import (
	"encoding/json"
	"errors"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/secretstore-go/secretstore"
	"github.com/secretstore-go/secretstore/dapr/internal/fixture"
	"github.com/secretstore-go/secretstore/driver"
	"github.com/secretstore-go/secretstore/internal/testenv"
	"github.com/secretstore-go/secretstore/storetest"
)

// What .ci/services/dapr.sh exports for these tests.
const (
	// envEndpoint is the HTTP endpoint of the running daprd.
	envEndpoint = "SECRETSTORE_DAPR_ENDPOINT"
	// envTokenFile is a file holding the API token daprd requires.
	envTokenFile = "SECRETSTORE_DAPR_TOKEN_FILE"
	// envVaultAddr is the host:port where the tests serve the fake Vault
	// behind the fixture.VaultStore component.
	envVaultAddr = "SECRETSTORE_DAPR_VAULT_ADDR"
)

// sidecar is the real daprd the tests run against.
type sidecar struct {
	endpoint, tokenFile, token, vaultAddr string
}

// realSidecar returns the daprd started by .ci/services/dapr.sh. Without
// one, the test is skipped, unless CI is set: then it fails.
func realSidecar(t *testing.T) sidecar {
	t.Helper()
	env := testenv.Env(t, "dapr", envEndpoint, envTokenFile, envVaultAddr)
	sc := sidecar{endpoint: env[0], tokenFile: env[1], vaultAddr: env[2]}
	b, err := os.ReadFile(sc.tokenFile)
	if err != nil {
		t.Fatal(err)
	}
	sc.token = strings.TrimSpace(string(b))
	return sc
}

func (sc sidecar) open(t *testing.T, opts Options) *Store {
	t.Helper()
	if opts.Endpoint == "" {
		opts.Endpoint = sc.endpoint
	}
	if opts.Token == "" && opts.TokenFile == "" {
		opts.TokenFile = sc.tokenFile
	}
	s, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// TestDaprd runs the driver against the real daprd v1.14.0 that CI starts,
// with the components of package fixture.
func TestDaprd(t *testing.T) {
	sc := realSidecar(t)

	t.Run("Conformance", func(t *testing.T) {
		storetest.Run(t, storetest.Harness{
			ReadOnly:    true,
			Credentials: []string{sc.token},
			Open: func(t *testing.T) driver.Store {
				return sc.open(t, Options{Store: fixture.Store})
			},
		})
	})

	t.Run("ConformanceBulk", func(t *testing.T) {
		storetest.Run(t, storetest.Harness{
			ReadOnly:    true,
			Credentials: []string{sc.token},
			Open: func(t *testing.T) driver.Store {
				return sc.open(t, Options{Store: fixture.Store, Bulk: true})
			},
		})
	})

	t.Run("TrickyNames", func(t *testing.T) {
		want := fixture.Tricky()
		names := slices.Sorted(maps.Keys(want))
		for _, bulk := range []bool{false, true} {
			s := sc.open(t, Options{Store: fixture.Store, Bulk: bulk})
			got, err := s.Get(t.Context(), names)
			if err != nil {
				t.Fatalf("bulk=%v: %v", bulk, err)
			}
			for _, n := range names {
				if got[n] != want[n] {
					t.Errorf("bulk=%v: %q reads %q, want %q", bulk, n, got[n], want[n])
				}
			}
			if len(got) != len(want) {
				t.Errorf("bulk=%v: %d names, want %d", bulk, len(got), len(want))
			}
		}
		// One at a time too: "bulk" alone must not reach the bulk route.
		st := secretstore.New(sc.open(t, Options{Store: fixture.Store}))
		for _, n := range names {
			sec, ok, err := st.Lookup(t.Context(), n)
			if err != nil || !ok || sec.Reveal() != want[n] {
				t.Errorf("Lookup(%q) = ok %v, err %v, equal %v", n, ok, err, sec.Reveal() == want[n])
			}
		}
	})

	t.Run("MissingVersusFailing", func(t *testing.T) {
		alpha := storetest.FixturePrefix + "alpha"
		st := secretstore.New(sc.open(t, Options{Store: fixture.Store}))
		ss, err := st.Get(t.Context(), alpha, "dapr/missing/a+b", "missing", "bulk/x")
		if err != nil {
			t.Fatalf("Get with missing names: %v", err)
		}
		if len(ss) != 1 || ss.Reveal(alpha) != storetest.Fixture()[alpha] {
			t.Fatalf("Get = %d secrets, want only %s", len(ss), alpha)
		}
		if _, err := st.Require(t.Context(), "missing"); !errors.Is(err, secretstore.ErrNotFound) {
			t.Fatalf("Require of a missing name: %v, want ErrNotFound", err)
		}

		// The vault component's server refuses connections: daprd answers
		// 500 ERR_SECRET_GET, as for a missing secret.
		failing := secretstore.New(sc.open(t, Options{Store: fixture.FailingStore}))
		_, err = failing.Get(t.Context(), "any", "other")
		if !errors.Is(err, secretstore.ErrUnavailable) {
			t.Fatalf("Get from a failing store: %v, want ErrUnavailable", err)
		}
		if strings.Contains(err.Error(), "refused") || strings.Contains(err.Error(), "127.0.0.1:1") {
			t.Fatalf("the error copies daprd's message: %v", err)
		}
		_, _, err = failing.Lookup(t.Context(), "any")
		if !errors.Is(err, secretstore.ErrUnavailable) {
			t.Fatalf("Lookup from a failing store: %v, want ErrUnavailable", err)
		}
	})

	t.Run("Vault", func(t *testing.T) {
		// A fake Vault behind daprd's real hashicorp.vault component: a
		// present, a missing (404) and a broken (500) secret, and the
		// version the component was asked for.
		vault := serveFakeVault(t, sc.vaultAddr)
		s := sc.open(t, Options{Store: fixture.VaultStore, VersionID: "3", Namespace: "ns"})
		got, err := s.Get(t.Context(), []string{fixture.VaultPresent, fixture.VaultMissing})
		if err != nil {
			t.Fatalf("Get of a present and a missing Vault secret: %v", err)
		}
		if !maps.Equal(got, map[string]string{fixture.VaultPresent: fixture.VaultValue}) {
			t.Fatalf("Get = %v names, want %s only", slices.Collect(maps.Keys(got)), fixture.VaultPresent)
		}
		_, err = s.Get(t.Context(), []string{fixture.VaultBroken})
		wantCode(t, err, driver.Unavailable)
		if strings.Contains(err.Error(), vaultCanary) {
			t.Fatalf("the error copies Vault's body through daprd: %v", err)
		}
		// version_id reached the component, which asks Vault for it.
		versions := vault.versions()
		if len(versions) != 3 {
			t.Fatalf("Vault saw %d reads, want 3", len(versions))
		}
		for _, v := range versions {
			if v != "3" {
				t.Fatalf("Vault was asked for version %q, want 3 (metadata version_id)", v)
			}
		}
	})

	t.Run("Token", func(t *testing.T) {
		// A recording proxy in front of daprd shows what the driver sends.
		rec := &recorder{}
		target, err := url.Parse(sc.endpoint)
		if err != nil {
			t.Fatal(err)
		}
		proxy := httptest.NewServer(rec.wrap(httputil.NewSingleHostReverseProxy(target)))
		defer proxy.Close()
		alpha := storetest.FixturePrefix + "alpha"
		got, err := sc.open(t, Options{Endpoint: proxy.URL, Store: fixture.Store}).Get(t.Context(), []string{alpha})
		if err != nil || len(got) != 1 {
			t.Fatalf("Get through the proxy = %d, %v", len(got), err)
		}
		for _, r := range rec.all() {
			if r.token != sc.token {
				t.Errorf("request %s without the token header", r.uri)
			}
			if strings.Contains(r.uri, sc.token) {
				t.Errorf("the token is in the request URI %q", r.uri)
			}
		}
		if len(rec.all()) == 0 {
			t.Fatal("the proxy saw no request")
		}

		t.Setenv(EnvAPIToken, "")
		for _, opts := range []Options{{Token: "wrong-token"}, {Endpoint: sc.endpoint}} {
			opts.Store = fixture.Store
			if opts.Endpoint == "" {
				opts.Endpoint = sc.endpoint
			}
			s, err := New(opts)
			if err != nil {
				t.Fatal(err)
			}
			_, err = s.Get(t.Context(), []string{alpha})
			wantCode(t, err, driver.PermissionDenied)
		}

		// The environment, as Dapr's SDKs read it, and a URL.
		t.Setenv(EnvAPIToken, sc.token)
		t.Setenv(EnvHTTPEndpoint, sc.endpoint)
		for _, raw := range []string{
			"dapr:///" + fixture.Store,
			"dapr://" + strings.TrimPrefix(sc.endpoint, "http://") + "/" + fixture.Store + "?token-file=" + url.QueryEscape(sc.tokenFile),
		} {
			st, err := secretstore.Open(t.Context(), raw)
			if err != nil {
				t.Fatal(err)
			}
			ss, err := st.Require(t.Context(), alpha)
			if err != nil || ss.Reveal(alpha) != storetest.Fixture()[alpha] {
				t.Errorf("Require through %s: %v", raw, err)
			}
			_ = st.Close()
		}
	})

	t.Run("KeyMapping", func(t *testing.T) {
		s := sc.open(t, Options{Store: fixture.MultiStore, KeySeparator: "@"})
		got, err := s.Get(t.Context(), []string{"db@user", "db@password", "app/config@a:b", "plain", "db", "db@nokey", "nosecret@k"})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{
			"db@user": "db-user", "db@password": "db-password", "app/config@a:b": "colon key",
			"plain": "plain-value", "db": "db-self",
		}
		if !maps.Equal(got, want) {
			t.Fatalf("Get = %v, want exactly %v", slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(want)))
		}
		s = sc.open(t, Options{Store: fixture.MultiStore, Key: "value"})
		got, err = s.Get(t.Context(), []string{"app/config", "db"})
		if err != nil || !maps.Equal(got, map[string]string{"app/config": "app-value"}) {
			t.Fatalf("Get with key=value = %v, %v", slices.Sorted(maps.Keys(got)), err)
		}
	})

	t.Run("Fields", func(t *testing.T) {
		// A multi-valued secret without its own name's key reads as the
		// JSON object of its keys, so the portable "name#key" reaches each.
		s := sc.open(t, Options{Store: fixture.MultiStore})
		got, err := s.Get(t.Context(), []string{"app/config", "db"})
		if err != nil || got["app/config"] != `{"a:b":"colon key","mode":"production","value":"app-value"}` || got["db"] != "db-self" {
			t.Fatalf("Get = %v names, %v", slices.Sorted(maps.Keys(got)), err)
		}
		ss, err := secretstore.New(s, secretstore.CloseDriver(false)).Require(t.Context(), "app/config#mode", "app/config#a:b")
		if err != nil || ss.Reveal("app/config#mode") != "production" || ss.Reveal("app/config#a:b") != "colon key" {
			t.Fatalf("fields through the portable store: %v", err)
		}
	})

	t.Run("UnknownStore", func(t *testing.T) {
		_, err := sc.open(t, Options{Store: "no-such-store"}).Get(t.Context(), []string{"a"})
		wantCode(t, err, driver.Unknown)
		if !strings.Contains(err.Error(), "no secret store of this name") {
			t.Fatalf("unknown store: %v", err)
		}
	})
}

// recorder records the request URI and token header of requests.
type recorder struct {
	mu   sync.Mutex
	reqs []struct{ uri, token string }
}

func (r *recorder) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		r.reqs = append(r.reqs, struct{ uri, token string }{req.RequestURI, req.Header.Get(tokenHeader)})
		r.mu.Unlock()
		h.ServeHTTP(w, req)
	})
}

func (r *recorder) all() []struct{ uri, token string } {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.reqs)
}

// vaultCanary is in the body of the fake Vault's 500 answer; daprd's vault
// component quotes that body in its error message.
const vaultCanary = "canary-vault-body-51d0"

// fakeVault serves the KV v2 reads daprd's vault component makes.
type fakeVault struct {
	mu   sync.Mutex
	seen []string // the version of each read
}

func (v *fakeVault) versions() []string {
	v.mu.Lock()
	defer v.mu.Unlock()
	return slices.Clone(v.seen)
}

func serveFakeVault(t *testing.T, addr string) *fakeVault {
	t.Helper()
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("listen on %s for the fake Vault: %v", addr, err)
	}
	v := &fakeVault{}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name, ok := strings.CutPrefix(r.URL.Path, fixture.VaultPath)
		if !ok || r.Header.Get("X-Vault-Token") != "fixture-token" {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		v.mu.Lock()
		v.seen = append(v.seen, r.URL.Query().Get("version"))
		v.mu.Unlock()
		switch name {
		case fixture.VaultPresent:
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(map[string]any{"data": map[string]any{"data": map[string]string{name: fixture.VaultValue}}})
		case fixture.VaultMissing:
			http.Error(w, `{"errors":[]}`, http.StatusNotFound)
		default:
			http.Error(w, `{"errors":["`+vaultCanary+`"]}`, http.StatusInternalServerError)
		}
	}))
	_ = srv.Listener.Close()
	srv.Listener = l
	srv.Start()
	t.Cleanup(srv.Close)
	return v
}

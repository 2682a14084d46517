package vault_test

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/vault/api"
	"github.com/secretstore-go/secretstore/driver"
	"github.com/secretstore-go/secretstore/storetest"
	"github.com/secretstore-go/secretstore/vault"
)

// The conformance suite against the real server, three ways.

// KV v2 at the dev server's secret/, with a token; Remove deletes the
// latest version.
func TestConformanceKV2Token(t *testing.T) {
	l := liveVault(t)
	storetest.Run(t, storetest.Harness{AsTargets: []any{new(*api.Client)}, Credentials: []string{l.token}, Open: func(t *testing.T) driver.Store {
		return open(t, vault.Options{Address: l.addr, Mount: "secret", Auth: vault.Token(l.token)})
	}})
}

// KV v2 on a fresh mount, opened by URL, with AppRole login and a policy
// for that mount only; Remove destroys every version.
func TestConformanceKV2AppRoleDestroy(t *testing.T) {
	l := liveVault(t)
	mount := l.mount(t, 2)
	authMount, roleID, secretID := l.approle(t, l.policy(t, mount, 2), "1h", "1h")
	u := urlFor(l.addr, mount, url.Values{
		"kv": {"2"}, "auth": {"approle"}, "auth-mount": {authMount},
		"role-id-file": {roleID}, "secret-id-file": {secretID}, "remove": {"destroy"},
	})
	storetest.Run(t, storetest.Harness{AsTargets: []any{new(*api.Client)}, Credentials: fileContents(t, roleID, secretID), Open: func(t *testing.T) driver.Store {
		d, err := vault.OpenURL(t.Context(), u)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}})
}

// KV v1 on a fresh mount, with a non-root token read from a token file.
func TestConformanceKV1TokenFile(t *testing.T) {
	l := liveVault(t)
	mount := l.mount(t, 1)
	tokFile := filepath.Join(t.TempDir(), "token")
	writeFile(t, tokFile, l.newToken(t, "", l.policy(t, mount, 1)))
	storetest.Run(t, storetest.Harness{AsTargets: []any{new(*api.Client)}, Credentials: fileContents(t, tokFile), Open: func(t *testing.T) driver.Store {
		d := open(t, vault.Options{Address: l.addr, Mount: mount, KV: 1, Auth: vault.TokenFile(tokFile)})
		if _, ok := d.(driver.Versioner); ok {
			t.Fatal("a KV v1 driver claims to keep versions")
		}
		return d
	}})
}

// urlFor is the vault:// URL of the server at addr (http://host:port).
func urlFor(addr, mount string, q url.Values) *url.URL {
	q.Set("tls", "0")
	return &url.URL{Scheme: "vault", Host: strings.TrimPrefix(addr, "http://"), Path: "/" + mount, RawQuery: q.Encode()}
}

// fileContents returns the credentials in files, without surrounding white
// space, for the suite to search printed values for.
func fileContents(t *testing.T, paths ...string) []string {
	t.Helper()
	var out []string
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, strings.TrimSpace(string(b)))
	}
	return out
}

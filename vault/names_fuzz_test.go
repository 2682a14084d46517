package vault

import (
	"net/url"
	"os"
	"path"
	"reflect"
	"strings"
	"testing"

	"github.com/hashicorp/vault/api"
	"github.com/secretstore-go/secretstore"
	"github.com/secretstore-go/secretstore/internal/urlopt"
)

// FuzzNamePath checks the name mapping for any valid portable name: the
// path the api client puts on the wire is the name's, below the mount,
// unchanged by path cleaning or escaping, and maps back to the same name.
func FuzzNamePath(f *testing.F) {
	for _, s := range []string{
		"a", "A", "a/b", "tenant:acme:stripeApiKey", "..a", "a..", ".a", "a.", "a=", "@", "+", ":",
		"x/y/z", "data/x", "metadata/x", "a%2F", "a b", "../x", "a//b", "/a", "a/", ".", "..",
	} {
		f.Add(s)
	}
	c, err := api.NewClient(&api.Config{Address: "http://127.0.0.1:8200"})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if secretstore.ValidateName(name) != nil {
			return // the portable Store never passes such a name to a driver
		}
		for _, mount := range []string{"secret", "kv/team-a"} {
			for _, kv := range []int{1, 2} {
				p := dataPath(mount, kv, name)
				base := mount + "/"
				if kv == 2 {
					base += "data/"
				}
				if !strings.HasPrefix(p, base) || strings.TrimPrefix(p, base) != relPath(kv, name) {
					t.Fatalf("dataPath(%q, %d, %q) = %q: not the name's path below %q", mount, kv, name, p, base)
				}
				if kv == 2 && relPath(kv, name) != name {
					t.Fatalf("the KV v2 path of %q is not the name itself", name)
				}
				if kv == 1 && strings.Contains(p, "..") {
					t.Fatalf("the KV v1 path %q of %q holds \"..\", which Vault's storage refuses", p, name)
				}
				if path.Clean(p) != p {
					t.Fatalf("path cleaning changes %q to %q", p, path.Clean(p))
				}
				// What the client sends, and the server decodes.
				r := c.NewRequest("GET", "/v1/"+p)
				got, err := url.PathUnescape(r.URL.EscapedPath())
				if err != nil || got != "/v1/"+p {
					t.Fatalf("the request path for %q is %q (%v), want /v1/%s", name, got, err, p)
				}
				rel := strings.TrimPrefix(got, "/v1/"+base)
				if back, ok := nameOf(kv, rel); !ok || back != name {
					t.Fatalf("the path of %q maps back to %q, %v", name, back, ok)
				}
			}
		}
		if m := metadataPath("secret", name); strings.TrimPrefix(m, "secret/metadata/") != name || path.Clean(m) != m {
			t.Fatalf("metadataPath(%q) = %q", name, m)
		}
	})
}

func TestNameOfRefusesForeignPaths(t *testing.T) {
	for _, rel := range []string{"a b", "", "x/", "é", "a//b", "../a", "a\n", "a~b"} {
		for _, kv := range []int{1, 2} {
			if _, ok := nameOf(kv, rel); ok {
				t.Errorf("nameOf(%d, %q) accepted a path that is not a portable name", kv, rel)
			}
		}
	}
	// KV v1: only the escaped form of a name is one.
	for rel, want := range map[string]string{"a.~.b": "a..b", ".~.a": "..a", "a.~.~.": "a...", "a.b": "a.b"} {
		if got, ok := nameOf(1, rel); !ok || got != want {
			t.Errorf("nameOf(1, %q) = %q, %v; want %q", rel, got, ok, want)
		}
	}
	for _, rel := range []string{"a~.b", "a.~b", "a.~~.b", "a..b", "~"} {
		if got, ok := nameOf(1, rel); ok {
			t.Errorf("nameOf(1, %q) = %q: not the escaped form of any name", rel, got)
		}
	}
}

// FuzzKV1Escape checks that escaping is a bijection between names and the
// paths it produces: distinct names never share a path.
func FuzzKV1Escape(f *testing.F) {
	for _, s := range []string{"a..b", "...", ".~.", "a.~.b", "x"} {
		f.Add(s, "a.~.b")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		if a != b && escapeDots(a) == escapeDots(b) && !strings.Contains(a+b, "~") {
			t.Fatalf("%q and %q share the path %q", a, b, escapeDots(a))
		}
		if n, ok := unescapeDots(escapeDots(a)); !strings.Contains(a, "~") && (!ok || n != a) {
			t.Fatalf("%q escapes to %q, which unescapes to %q, %v", a, escapeDots(a), n, ok)
		}
		if n, ok := unescapeDots(a); ok && escapeDots(n) != a {
			t.Fatalf("%q unescapes to %q, whose path is %q", a, n, escapeDots(n))
		}
	})
}

// FuzzParseURL checks that no URL makes the parser panic, that what it
// accepts is a usable configuration that survives a round trip through the
// URL's text, and that errors never repeat the query's values.
func FuzzParseURL(f *testing.F) {
	for _, s := range []string{
		"vault://127.0.0.1:8200/secret?kv=2",
		"vault://127.0.0.1:8200/secret?kv=1&tls=0",
		"vault:///kv/team-a?auth=approle&role-id-file=/r&secret-id-file=/s&auth-mount=ar",
		"vault://h/secret?token-file=/t&namespace=ns1&field=password&remove=destroy",
		"vault://h/secret?parallel=4&retries=0&min-wait=10ms&max-wait=1s&timeout=5s",
		"vault://h/secret?ca-file=/ca&client-cert=/c&client-key=/k&server-name=v",
		"vault://user:pass@h/secret", "vault://h/", "vault:secret", "vault://h/secret?kv=3",
		"vault://h/secret?auth=approle", "vault://h/secret?bogus=1", "vault://h:/s",
	} {
		f.Add(s)
	}
	// The parser's own words: a value that is a piece of them proves
	// nothing when it shows up in an error.
	var own strings.Builder
	for _, file := range []string{"url.go", "vault.go", "kv.go", "transport.go", "../internal/urlopt/urlopt.go"} {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		own.Write(b)
	}
	vocabulary := own.String()
	f.Fuzz(func(t *testing.T, raw string) {
		u, err := url.Parse(raw)
		if err != nil || u.Scheme != "vault" {
			return
		}
		o, err := parseURL(u)
		if err != nil {
			if v := urlopt.Echoed(u, err.Error(), vocabulary); v != "" && echoes(u, v) {
				t.Fatalf("error %q repeats the value %q", err, v)
			}
			return
		}
		if o.Mount == "" || strings.HasPrefix(o.Mount, "/") || strings.HasSuffix(o.Mount, "/") {
			t.Fatalf("parseURL(%q) accepted mount %q", raw, o.Mount)
		}
		again, err := url.Parse(u.String())
		if err != nil {
			t.Fatalf("the URL's text %q does not parse again: %v", u.String(), err)
		}
		o2, err := parseURL(again)
		if err != nil || !reflect.DeepEqual(o, o2) {
			t.Fatalf("ParseURL is not stable over the URL's text %q: %v", u.String(), err)
		}
		if o.TLS != (TLSOptions{}) {
			return // New loads the files, which do not exist here
		}
		d, err := New(o)
		if err != nil {
			t.Fatalf("New refuses what ParseURL accepted (%q): %v", raw, err)
		}
		d.Close()
	})
}

// echoes reports whether the error parseURL gives for u changes with the
// value v: the same URL with v replaced by as many x's must not give an
// error that still holds v (then v is part of the message's own text, such
// as the list of an enum's choices, and not an echo of the value).
func echoes(u *url.URL, v string) bool {
	u2 := *u
	u2.RawQuery = strings.ReplaceAll(u.Query().Encode(), url.QueryEscape(v), strings.Repeat("x", len(v)))
	if p, ok := u.User.Password(); ok && p == v {
		u2.User = url.UserPassword(u.User.Username(), strings.Repeat("x", len(v)))
	}
	_, err := parseURL(&u2)
	return err == nil || !strings.Contains(err.Error(), v)
}

package dapr

import (
	"net/http"
	"net/url"
	"path"
	"strings"
	"testing"

	"github.com/secretstore-go/secretstore"
)

// FuzzEscapeSegment checks the name → path mapping against what daprd 1.14
// does with the request: Go's client sends the segment as written, daprd's
// router sees it as one segment of the cleaned escaped path (never the bulk
// route), and url.QueryUnescape gives back exactly the name.
func FuzzEscapeSegment(f *testing.F) {
	for _, s := range []string{"a", "bulk", "Bulk", "a+b", "a/b", "a b", ".", "..", "..a", "a:b", "%2F", "x/../y", "", "\x00\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		esc := escapeSegment(s)
		for i := 0; i < len(esc); i++ {
			c := esc[i]
			if c == '%' {
				if i+2 >= len(esc) || !isUpperHex(esc[i+1]) || !isUpperHex(esc[i+2]) {
					t.Fatalf("escapeSegment(%q) = %q: bad escape at %d", s, esc, i)
				}
				i += 2
				continue
			}
			if !plainByte(c) {
				t.Fatalf("escapeSegment(%q) = %q: byte %q left unescaped", s, esc, c)
			}
		}
		if esc == bulkSegment {
			t.Fatalf("escapeSegment(%q) is the bulk route", s)
		}
		if got, err := url.QueryUnescape(esc); err != nil || got != s {
			t.Fatalf("QueryUnescape(escapeSegment(%q)) = %q, %v", s, got, err)
		}
		const prefix = "/v1.0/secrets/st/"
		req, err := http.NewRequest(http.MethodGet, "http://127.0.0.1:3500"+prefix+esc+"?metadata.a=b", nil)
		if s == "" {
			return // an empty segment is not a name; only the escaping is checked
		}
		if err != nil {
			t.Fatalf("a request for %q: %v", s, err)
		}
		sent := req.URL.EscapedPath()
		if sent != prefix+esc {
			t.Fatalf("Go's client would send %q for %q, want %q", sent, s, prefix+esc)
		}
		if routed := path.Clean(sent); routed != sent {
			t.Fatalf("daprd's path cleaning changes %q to %q", sent, routed)
		}
	})
}

func isUpperHex(c byte) bool { return '0' <= c && c <= '9' || 'A' <= c && c <= 'F' }

// FuzzLocate checks that distinct valid names never share a Dapr secret and
// key, whatever the key separator and fixed key.
func FuzzLocate(f *testing.F) {
	f.Add("db@user", "db", "@", "")
	f.Add("db@db", "db", "@", "")
	f.Add("a:b:c", "a:b", ":", "c")
	f.Add("x", "x@value", "@", "value")
	f.Add("a::b", "a:", "::", "")
	f.Fuzz(func(t *testing.T, a, b, sep, key string) {
		if secretstore.ValidateName(a) != nil || secretstore.ValidateName(b) != nil || a == b {
			return
		}
		c := &config{keySep: sep, key: key}
		la, errA := c.locate(a)
		lb, errB := c.locate(b)
		for _, l := range []struct {
			loc location
			err error
		}{{la, errA}, {lb, errB}} {
			if l.err == nil && (l.loc.secret == "" || l.loc.key == "") {
				t.Fatalf("empty secret or key: %+v", l.loc)
			}
		}
		if errA == nil && errB == nil && la == lb {
			t.Fatalf("%q and %q both map to %+v (sep %q, key %q)", a, b, la, sep, key)
		}
	})
}

// FuzzParseURL checks that URL parsing never panics and that what it accepts
// is a usable configuration.
func FuzzParseURL(f *testing.F) {
	for _, s := range []string{
		"dapr://127.0.0.1:3500/store",
		"dapr:///store?namespace=ns&version-id=3&metadata.x=y",
		"dapr://h:1/s?key=value&key-separator=@&parallel=4&bulk=0&timeout=2s&tls=1",
		"dapr://h:1/s?token=abc",
		"dapr://u:p@h/s",
		"dapr://h/a/b",
		"dapr://h/%2F",
		"dapr://[::1]:3500/s?token-file=/run/t",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		u, err := url.Parse(raw)
		if err != nil {
			return
		}
		o, err := parseURL(u)
		if err != nil {
			return
		}
		if o.Store == "" || strings.Contains(o.Store, "/") {
			t.Fatalf("store %q from %q", o.Store, raw)
		}
		if o.Parallel < 0 || o.Parallel > MaxParallel || o.Timeout < 0 {
			t.Fatalf("bad limits from %q: %+v", raw, o)
		}
		if o.Bulk && o.VersionID != "" {
			t.Fatalf("bulk with version-id from %q", raw)
		}
		if o.Token != "" {
			t.Fatalf("a token taken from the URL %q", raw)
		}
	})
}

// FuzzURLTokenNotEchoed checks that a token put in a URL, as a parameter or
// as user information, is refused without being quoted.
func FuzzURLTokenNotEchoed(f *testing.F) {
	f.Add("token", "s3cr3t")
	f.Add("dapr-api-token", "abc def")
	f.Add("password", "%zz")
	f.Fuzz(func(t *testing.T, param, tok string) {
		tok = "zqx-" + tok
		for _, u := range []*url.URL{
			{Scheme: Scheme, Host: "127.0.0.1:3500", Path: "/s", RawQuery: url.Values{param: {tok}}.Encode()},
			{Scheme: Scheme, Host: "127.0.0.1:3500", Path: "/s", User: url.UserPassword("u", tok)},
			{Scheme: Scheme, Host: "127.0.0.1:3500", Path: "/s", User: url.User(tok)},
		} {
			_, err := parseURL(u)
			lower := strings.ToLower(param)
			credential := u.User != nil || strings.Contains(lower, "token") || strings.Contains(lower, "password")
			if err == nil {
				if credential {
					t.Fatalf("parseURL(%q) accepted a credential", u)
				}
				continue
			}
			if strings.Contains(err.Error(), tok) {
				t.Fatalf("parseURL's error quotes the credential: %v", err)
			}
		}
	})
}

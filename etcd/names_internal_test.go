package etcd

import (
	"net/url"
	"strings"
	"testing"

	"github.com/secretstore-go/secretstore"
)

// FuzzNameKey checks that the name to key mapping is reversible for every
// portable name, that distinct names get distinct keys, and that no key
// outside the secrets sub-prefix (the metadata key) maps to a name.
func FuzzNameKey(f *testing.F) {
	for _, s := range []string{"a", "db/password", "tenant:acme:stripeApiKey", "x.y_z-1@+=", "s/meta", "meta"} {
		f.Add("/app", s, "/app/meta")
	}
	f.Fuzz(func(t *testing.T, prefix, name, key string) {
		if checkPrefix(prefix) != nil {
			return
		}
		if secretstore.ValidateName(name) == nil {
			k := keyOf(prefix, name)
			got, ok := nameOf(prefix, k)
			if !ok || got != name {
				t.Fatalf("name %q -> key %q -> %q, %v", name, k, got, ok)
			}
			if k == prefix+metaKey {
				t.Fatalf("name %q maps to the metadata key", name)
			}
		}
		if n, ok := nameOf(prefix, key); ok {
			if keyOf(prefix, n) != key {
				t.Fatalf("key %q -> name %q does not map back", key, n)
			}
			if !strings.HasPrefix(key, prefix+secretsDir) {
				t.Fatalf("key %q outside the secrets prefix maps to a name", key)
			}
		}
		if _, ok := nameOf(prefix, prefix+metaKey); ok {
			t.Fatal("the metadata key maps to a name")
		}
	})
}

// FuzzParseURL checks that URL parsing never panics, that what it accepts
// is well-formed, and that its errors never repeat the user information.
func FuzzParseURL(f *testing.F) {
	for _, s := range []string{
		"etcd://127.0.0.1:2379/app?key-file=/etc/k",
		"etcd://h1:2379,h2:2379/a/b?passphrase-file=/p&ca-file=/ca.pem",
		"etcd://h:2379/a?key-file=/k&username=user&password-file=/pw",
		"etcd://user:hunter2@h:2379/a?key-file=/k",
		"etcd://h:2379/a/?key-file=/k",
		"etcd://h/a?key-file=rel",
		"etcd://h:1/a?key-file=/k&dial-timeout=-1s",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		u, err := url.Parse(raw)
		if err != nil {
			return
		}
		cfg, err := parseURL(u)
		if err != nil {
			// A password of a few bytes occurs in any message by chance
			// ("a" in "want"); a longer one only if it was repeated.
			if pw, ok := u.User.Password(); ok && len(pw) >= 6 && strings.Contains(err.Error(), pw) {
				t.Fatalf("error %q repeats the password", err)
			}
			return
		}
		if len(cfg.endpoints) == 0 || cfg.key == nil || checkPrefix(cfg.prefix) != nil || cfg.dialTimeout <= 0 {
			t.Fatalf("accepted a bad config from %q: %+v", raw, cfg)
		}
		for _, e := range cfg.endpoints {
			if e == "" || !strings.Contains(e, ":") {
				t.Fatalf("accepted endpoint %q", e)
			}
		}
	})
}

func TestParseURL(t *testing.T) {
	for _, tc := range []struct {
		url string
		ok  bool
	}{
		{"etcd://127.0.0.1:2379/app?key-file=/etc/k", true},
		{"etcd://h1:2379,h2:2379/a/b?passphrase-file=/p&tls=1", true},
		{"etcd://h:2379/a?key-file=/k&username=u&password-file=/pw", true},
		{"etcd://u@h:2379/a?key-file=/k&password-file=/pw", false},
		{"etcd://h:2379/a?key-file=/k&ca-file=/ca&tls=0", false},
		{"etcd://h:2379/a?key-file=/k&client-cert=/c&client-key=/k2&ca-file=/ca", true},
		{"etcd://u:pw@h:2379/a?key-file=/k", false},
		{"etcd://h:2379/a?key-file=/k&passphrase-file=/p", false},
		{"etcd://h:2379/a", false},
		{"etcd://h:2379/?key-file=/k", false},
		{"etcd://h:2379/a/?key-file=/k", false},
		{"etcd://h/a?key-file=/k", false},
		{"etcd://h:2379/a?key-file=k", false},
		{"etcd://h:2379/a?key-file=/k&bogus=1", false},
		{"etcd://h:2379/a?key-file=/k&client-cert=/c", false},
		{"etcd://h:2379/a?key-file=/k&username=u", false},
	} {
		u, err := url.Parse(tc.url)
		if err != nil {
			t.Fatal(err)
		}
		_, err = parseURL(u)
		if (err == nil) != tc.ok {
			t.Errorf("parseURL(%s): %v, want ok=%v", tc.url, err, tc.ok)
		}
		if err != nil && strings.Contains(err.Error(), "pw") && strings.Contains(tc.url, ":pw@") {
			t.Errorf("error repeats the password: %v", err)
		}
	}
}

// FuzzDecodeMeta checks that decoding arbitrary metadata never panics and
// that what decodes re-encodes to the same bytes.
func FuzzDecodeMeta(f *testing.F) {
	m, _, err := newMeta(Key([32]byte{1}), nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(m.Encode())
	m2, _, err := newMeta(Passphrase([]byte("p")), &Argon2Params{Time: 1, Memory: 64, Threads: 1})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(m2.Encode())
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := metaFormat.Decode(b)
		if err != nil {
			return
		}
		if string(m.Encode()) != string(b) {
			t.Fatal("decoded metadata does not re-encode to its bytes")
		}
	})
}

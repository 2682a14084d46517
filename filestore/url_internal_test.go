package filestore

import (
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParseURL(t *testing.T) {
	good := []struct {
		url      string
		path     string
		key      string // the KeySource's description
		create   bool
		keepOpen bool
		timeout  time.Duration
	}{
		{"file:///var/lib/app/secrets.db?key-file=/etc/app/key", "/var/lib/app/secrets.db", "key file /etc/app/key", false, false, 0},
		{"file://localhost/var/s.db?passphrase-file=/run/p&create=1", "/var/s.db", "passphrase file /run/p", true, false, 0},
		{"file:///var/../var/./s.db?key-file=/k&keep-open=true&lock-timeout=250ms&create=false", "/var/s.db", "key file /k", false, true, 250 * time.Millisecond},
		{"file:///dir%20with%20space/s.db?key-file=%2Fk%20ey", "/dir with space/s.db", "key file /k ey", false, false, 0},
	}
	for _, g := range good {
		u, err := url.Parse(g.url)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := parseURL(u)
		if err != nil {
			t.Errorf("parseURL(%s): %v", g.url, err)
			continue
		}
		if cfg.path != filepath.FromSlash(g.path) || cfg.key.String() != g.key || cfg.create != g.create ||
			cfg.opts.KeepOpen != g.keepOpen || cfg.opts.LockTimeout != g.timeout {
			t.Errorf("parseURL(%s) = path %q key %q create %v keep-open %v timeout %v", g.url,
				cfg.path, cfg.key, cfg.create, cfg.opts.KeepOpen, cfg.opts.LockTimeout)
		}
	}

	bad := []struct{ url, want string }{
		{"mem://", "scheme"},
		{"file:relative/s.db?key-file=/k", "two slashes"},
		{"file:///s.db", "needs a key-file"},
		{"file://host/s.db?key-file=/k", "host"},
		{"file://user:pw@/s.db?key-file=/k", "credentials"},
		{"file:///s.db?key-file=/k#frag", "fragment"},
		{"file:///?key-file=/k", "directory"},
		{"file:///s.db?key-file=k", "absolute"},
		{"file:///s.db?key-file=/k&passphrase-file=/p", `"key-file": cannot be combined with passphrase-file`},
		{"file:///s.db?key-file=/k&key-file=/j", "more than once"},
		{"file:///s.db?key-file=/k&create=maybe", "create"},
		{"file:///s.db?key-file=/k&lock-timeout=-1s", "lock-timeout"},
		{"file:///s.db?key-file=/k&lock-timeout=soon", "lock-timeout"},
		{"file:///s.db?key-file=/k&keyfle=/x", `URL parameter "keyfle": unknown parameter`},
		{"file:///s.db?key-file=/k&%zz", "malformed"},
		{"file:///s.db?passphrase=correct-horse", "credentials do not belong in the URL"},
		{"file:///s.db?key-file=/k%00x", `"key-file": want an absolute file path`},
	}
	for _, b := range bad {
		u, err := url.Parse(b.url)
		if err != nil {
			t.Fatal(err)
		}
		_, err = parseURL(u)
		if err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("parseURL(%s) = %v, want an error containing %q", b.url, err, b.want)
		}
		if err != nil && strings.Contains(err.Error(), "correct-horse") {
			t.Errorf("parseURL(%s) error repeats a passphrase: %v", b.url, err)
		}
	}
	if _, err := parseURL(nil); err == nil {
		t.Error("parseURL(nil) succeeded")
	}
}

// FuzzParseURL checks that parsing never panics and that an accepted URL
// yields an absolute, clean path and a key source.
func FuzzParseURL(f *testing.F) {
	for _, s := range []string{
		"file:///var/lib/app/secrets.db?key-file=/etc/app/key",
		"file://localhost/s.db?passphrase-file=/p&create=1&keep-open=0&lock-timeout=1s",
		"file:relative?key-file=/k",
		"file:///s.db?key-file=/k&key-file=/k",
		"file:///C:/x.db?key-file=/C:/k",
		"file:///%2e%2e/s.db?key-file=/k",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := url.Parse(s)
		if err != nil {
			return
		}
		cfg, err := parseURL(u)
		if err != nil {
			return
		}
		if !filepath.IsAbs(cfg.path) || filepath.Clean(cfg.path) != cfg.path {
			t.Fatalf("accepted store path %q is not absolute and clean", cfg.path)
		}
		if cfg.key == nil {
			t.Fatal("accepted a URL without a key source")
		}
		if cfg.keyFile != "" && !filepath.IsAbs(cfg.keyFile) {
			t.Fatalf("accepted key file path %q is not absolute", cfg.keyFile)
		}
		if cfg.opts.LockTimeout < 0 {
			t.Fatal("accepted a negative lock timeout")
		}
	})
}

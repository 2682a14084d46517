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
		{"file:///var/lib/app/secrets.db?keyfile=/etc/app/key", "/var/lib/app/secrets.db", "key file /etc/app/key", false, false, 0},
		{"file://localhost/var/s.db?passphrase-file=/run/p&create=1", "/var/s.db", "passphrase file /run/p", true, false, 0},
		{"file:///var/../var/./s.db?keyfile=/k&keep-open=true&lock-timeout=250ms&create=false", "/var/s.db", "key file /k", false, true, 250 * time.Millisecond},
		{"file:///dir%20with%20space/s.db?keyfile=%2Fk%20ey", "/dir with space/s.db", "key file /k ey", false, false, 0},
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
		{"file:relative/s.db?keyfile=/k", "relative"},
		{"file:///s.db", "needs a keyfile"},
		{"file://host/s.db?keyfile=/k", "host"},
		{"file://user:pw@/s.db?keyfile=/k", "user"},
		{"file:///s.db?keyfile=/k#frag", "fragment"},
		{"file:///?keyfile=/k", "directory"},
		{"file:///s.db?keyfile=k", "absolute"},
		{"file:///s.db?keyfile=/k&passphrase-file=/p", "both"},
		{"file:///s.db?keyfile=/k&keyfile=/j", "2 times"},
		{"file:///s.db?keyfile=/k&create=maybe", "create"},
		{"file:///s.db?keyfile=/k&lock-timeout=-1s", "lock-timeout"},
		{"file:///s.db?keyfile=/k&lock-timeout=soon", "lock-timeout"},
		{"file:///s.db?keyfile=/k&keyfle=/x", "unknown URL parameter \"keyfle\""},
		{"file:///s.db?keyfile=/k&%zz", "malformed"},
		{"file:///s.db?passphrase=correct-horse", "must not be put in a URL"},
		{"file:///s.db?keyfile=/k%00x", "NUL"},
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
		"file:///var/lib/app/secrets.db?keyfile=/etc/app/key",
		"file://localhost/s.db?passphrase-file=/p&create=1&keep-open=0&lock-timeout=1s",
		"file:relative?keyfile=/k",
		"file:///s.db?keyfile=/k&keyfile=/k",
		"file:///C:/x.db?keyfile=/C:/k",
		"file:///%2e%2e/s.db?keyfile=/k",
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

package keyring_test

import (
	"context"
	"net/url"
	"os"
	"testing"

	"github.com/secretstore-go/secretstore/internal/urlopt"
	"github.com/secretstore-go/secretstore/keyring"
)

// FuzzOpenURL: any URL either opens a store whose service is the URL's
// host, or is refused with an error that does not repeat a password or a
// parameter's value.
func FuzzOpenURL(f *testing.F) {
	for _, s := range []string{"keyring://app", "keyring://com.example.app?parallel=3", "keyring://u:hunter22@app", "keyring://app?token=hunter22", "keyring://app?parallel=hunter22", "keyring:///x", "keyring://[::1]"} {
		f.Add(s)
	}
	// A value that is a word of the parser's own messages is not a leak.
	var words []byte
	for _, name := range []string{"url.go", "keyring.go", "../internal/urlopt/urlopt.go"} {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		words = append(words, b...)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		u, err := url.Parse(raw)
		if err != nil {
			return
		}
		d, err := keyring.OpenURL(context.Background(), u)
		if err != nil {
			if v := urlopt.Echoed(u, err.Error(), string(words)); v != "" {
				t.Fatalf("error %q repeats the value %q", err, v)
			}
			return
		}
		svc := d.(interface{ Service() string }).Service()
		if svc == "" || svc != u.Hostname() || u.User != nil {
			t.Fatalf("OpenURL(%q) opened service %q", raw, svc)
		}
	})
}

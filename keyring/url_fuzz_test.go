package keyring_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/secretstore-go/secretstore/keyring"
)

// FuzzOpenURL: any URL either opens a store whose service is the URL's
// host, or is refused with an error that does not repeat a password or a
// parameter's value.
func FuzzOpenURL(f *testing.F) {
	for _, s := range []string{"keyring://app", "keyring://com.example.app?parallel=3", "keyring://u:hunter22@app", "keyring://app?token=hunter22", "keyring://app?parallel=hunter22", "keyring:///x", "keyring://[::1]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		u, err := url.Parse(raw)
		if err != nil {
			return
		}
		d, err := keyring.OpenURL(context.Background(), u)
		if err != nil {
			if p, ok := u.User.Password(); ok && len(p) >= 6 && strings.Contains(err.Error(), p) {
				t.Fatalf("the error repeats the URL's password: %v", err)
			}
			for _, vs := range u.Query() {
				for _, v := range vs {
					if len(v) >= 6 && strings.Contains(err.Error(), v) {
						t.Fatalf("the error repeats a parameter's value: %v", err)
					}
				}
			}
			return
		}
		svc := d.(interface{ Service() string }).Service()
		if svc == "" || svc != u.Hostname() || u.User != nil {
			t.Fatalf("OpenURL(%q) opened service %q", raw, svc)
		}
	})
}

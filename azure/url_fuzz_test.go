package azure

import (
	"net/url"
	"os"
	"slices"
	"testing"

	"github.com/secretstore-go/secretstore/internal/urlopt"
)

// FuzzParseURL checks that no URL makes the parser panic, that its errors
// never repeat a value, and that what it accepts is in range.
func FuzzParseURL(f *testing.F) {
	for _, s := range []string{
		"azurekv://v.vault.azure.net?names=escaped&content-type=text/plain&on-deleted=purge&remove=purge&parallel=4&poll-interval=1s&poll-timeout=1m&credential=managedidentity&client-id=x",
		"azurekv://v.vault.azure.net:443", "azurekv://u:s3cr3tpass@v.vault.azure.net", "azurekv://v.vault.azure.net?client-secret=s3cr3tpass",
	} {
		f.Add(s)
	}
	var words []byte
	for _, name := range []string{"url.go", "../internal/urlopt/urlopt.go"} {
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
		cfg, err := parseURL(u)
		if err != nil {
			if v := urlopt.Echoed(u, err.Error(), string(words)); v != "" {
				t.Fatalf("error %q repeats the value %q", err, v)
			}
			return
		}
		if !slices.Contains(credentialKinds, cfg.credential) || cfg.opts.Parallel < 0 || cfg.opts.PollInterval < 0 || cfg.opts.PollTimeout < 0 {
			t.Fatalf("parseURL(%q) accepted %+v", raw, cfg)
		}
	})
}

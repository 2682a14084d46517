package gcp

import (
	"net/url"
	"os"
	"testing"

	"github.com/secretstore-go/secretstore/internal/urlopt"
)

// FuzzParseURL checks that no URL makes the parser panic, that its errors
// never repeat a value, and that what it accepts is in range.
func FuzzParseURL(f *testing.F) {
	for _, s := range []string{
		"gcpsm://projects/p?endpoint=127.0.0.1:9000&tls=0&replica-locations=a,b&remove=disable&parallel=4&retries=0",
		"gcpsm://projects/p?tls=0", "gcpsm://u:s3cr3tpass@projects/p", "gcpsm://projects/p?credentials=s3cr3tpass",
	} {
		f.Add(s)
	}
	var words []byte
	for _, name := range []string{"url.go", "names.go", "../internal/urlopt/urlopt.go"} {
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
		if checkProject(cfg.project) != nil || cfg.opts.Parallel < 0 || cfg.opts.MaxRetries < -1 {
			t.Fatalf("parseURL(%q) accepted %+v", raw, cfg)
		}
	})
}

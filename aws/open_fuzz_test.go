package awssm

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
		"awssm://?region=eu-west-1&profile=p&endpoint=http%3A%2F%2F127.0.0.1%3A1&recovery-window=9&kms-key=alias%2Fk&tags=a%3D1,b%3D2&retries=0&parallel=3",
		"awssm://?remove=force", "awssm://h", "awssm://?tags=a%3D1&tags=b%3D2", "awssm://AKID:s3cr3tkey@", "awssm://?secret=s3cr3tkey",
	} {
		f.Add(s)
	}
	words := sourceWords(f, "open.go", "../internal/urlopt/urlopt.go")
	f.Fuzz(func(t *testing.T, raw string) {
		u, err := url.Parse(raw)
		if err != nil {
			return
		}
		cfg, err := parseURL(u)
		if err != nil {
			if v := urlopt.Echoed(u, err.Error(), words); v != "" {
				t.Fatalf("error %q repeats the value %q", err, v)
			}
			return
		}
		o := cfg.opts
		if o.Parallel < 0 || cfg.retries < -1 || cfg.retries > 100 || o.RecoveryWindowDays != 0 && (o.RecoveryWindowDays < 7 || o.RecoveryWindowDays > 30) {
			t.Fatalf("parseURL(%q) accepted %+v", raw, cfg)
		}
	})
}

// sourceWords returns the text of files: a value that is part of it proves
// nothing when an error holds it.
func sourceWords(f *testing.F, files ...string) string {
	var all []byte
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		all = append(all, b...)
	}
	return string(all)
}

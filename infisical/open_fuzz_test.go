package infisical

import (
	"net/url"
	"os"
	"testing"

	"github.com/secretstore-go/secretstore/internal/urlopt"
)

// FuzzParseURL checks that no URL makes the parser panic, that its errors
// never repeat a value, and that what it accepts can log in one way.
func FuzzParseURL(f *testing.F) {
	for _, s := range []string{
		"infisical://h/base?project=p&env=e&path=/a&org=o&client-id-file=/i&client-secret-file=/s&ca-file=/c&parallel=3",
		"infisical://h?project=p&env=e&auth=kubernetes&identity=i&token-file=/t",
		"infisical://h?project=p&env=e&auth=token&token-file=/t",
		"infisical://u:s3cr3tpass@h?project=p&env=e", "infisical://h?project=p&env=e&client_secret=s3cr3tpass",
	} {
		f.Add(s)
	}
	var words []byte
	for _, name := range []string{"open.go", "../internal/urlopt/urlopt.go"} {
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
		o, err := parseURL(u)
		if err != nil {
			if v := urlopt.Echoed(u, err.Error(), string(words)); v != "" {
				t.Fatalf("error %q repeats the value %q", err, v)
			}
			return
		}
		if o.ProjectID == "" || o.Environment == "" || o.Parallel < 0 ||
			(o.Login == nil) == (o.ClientIDFile == "" || o.ClientSecretFile == "") {
			t.Fatalf("parseURL(%q) accepted %+v", raw, o)
		}
	})
}

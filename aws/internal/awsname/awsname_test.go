package awsname

import (
	"strings"
	"testing"

	"github.com/secretstore-go/secretstore"
)

// awsByte marks the bytes AWS allows in a secret name.
func awsByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("/_+=.@-", c) >= 0
}

// checkEncoding asserts every property of the mapping for one valid name.
func checkEncoding(t *testing.T, name string) string {
	t.Helper()
	enc := Encode(name)
	if enc == "" || len(enc) > MaxLen || len(enc) > 2*len(name) {
		t.Fatalf("Encode(%q) = %q: %d bytes", name, enc, len(enc))
	}
	for i := 0; i < len(enc); i++ {
		if !awsByte(enc[i]) {
			t.Fatalf("Encode(%q) = %q: byte %d not allowed by AWS", name, enc, i)
		}
	}
	if p := len(enc) - suffixLen - 1; p >= 0 && enc[p] == '-' {
		t.Fatalf("Encode(%q) = %q ends in '-' and six characters", name, enc)
	}
	dec, ok := Decode(enc)
	if !ok || dec != name {
		t.Fatalf("Decode(Encode(%q)) = %q, %v", name, dec, ok)
	}
	for i := 0; i <= len(name); i++ {
		if f := FilterPrefix(name[:i]); !strings.HasPrefix(enc, f) {
			t.Fatalf("FilterPrefix(%q) = %q is not a prefix of %q", name[:i], f, enc)
		}
	}
	return enc
}

func TestNameExamples(t *testing.T) {
	for name, want := range map[string]string{
		"plain":                    "plain",
		"db/primary/password":      "db/primary/password",
		"tenant:acme:stripeApiKey": "tenant=cacme=cstripeApiKey",
		"a=b":                      "a=eb",
		"=":                        "=e",
		"x-abcdef":                 "x=habcdef",
		"-abcdef":                  "=habcdef",
		"x-abcde":                  "x-abcde",
		"x-abcdefg":                "x-abcdefg",
		"x-abcd:":                  "x=habcd=c", // the '-' is followed by six bytes of AWS name
		"x-abc:":                   "x-abc=c",
		"a.b_c+d@e":                "a.b_c+d@e",
		"rds!db-1234":              "rds=bdb-1234",
		"x-abcd!":                  "x=habcd=b",
		strings.Repeat("!", 256):   strings.Repeat("=b", 256),
		strings.Repeat(":", 256):   strings.Repeat("=c", 256),
	} {
		if got := checkEncoding(t, name); got != want {
			t.Errorf("Encode(%q) = %q, want %q", name, got, want)
		}
	}
	// AWS names no portable name maps to.
	for _, aws := range []string{"", "=", "a=", "a=x", "=C", "x-abcdef", "a=hb", "rds!db", "/a", "a//b", "a/./b", "../a", "a:b", strings.Repeat("a", 257)} {
		if n, ok := Decode(aws); ok {
			t.Errorf("Decode(%q) = %q, want no name", aws, n)
		}
	}
}

// FuzzNameMapping checks, for any valid portable name, that its AWS name
// round-trips, uses only AWS's alphabet, fits 512 bytes, does not end in
// '-' and six characters, and is reached by the List filter of each of its
// prefixes; for any two names, that distinct names never share an AWS
// name; and for any string, that decoding accepts only canonical encodings.
func FuzzNameMapping(f *testing.F) {
	for _, s := range []string{"a", "tenant:acme:key", "a=b", "x-abcdef", "a:b-cdef", "a/b/c", "=c", "a=h", "-", "x-ab:cd", "=h", "rds!db-12", "=b"} {
		f.Add(s, s+"x")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		if n, ok := Decode(a); ok && Encode(n) != a {
			t.Fatalf("Decode(%q) = %q, which encodes to %q", a, n, Encode(n))
		}
		if secretstore.ValidateName(a) != nil {
			return
		}
		ea := checkEncoding(t, a)
		if secretstore.ValidateName(b) != nil || a == b {
			return
		}
		if eb := Encode(b); ea == eb {
			t.Fatalf("%q and %q both map to %q", a, b, ea)
		}
	})
}

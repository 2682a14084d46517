package azure

import (
	"strings"
	"testing"

	"github.com/secretstore-go/secretstore"
)

func TestEncodeName(t *testing.T) {
	for name, want := range map[string]string{
		"a":                        "a",
		"A":                        "-a",
		"stripeApiKey":             "stripe-api-key",
		"tenant:acme:stripeApiKey": "tenant-3acme-3stripe-api-key",
		"db/primary/password":      "db-0primary-0password",
		"a.b_c:d@e+f=g-h/i":        "a-1b-2c-3d-4e-5f-6g-7h-0i",
		"0":                        "0",
		"rds!db-1":                 "rds-8db-71",
	} {
		got, hashed, ok := encodeName(name)
		if !ok || hashed || got != want {
			t.Errorf("encodeName(%q) = %q, %v, %v; want %q", name, got, hashed, ok, want)
		}
	}
	for _, bad := range []string{"", "a b", "é", "a\x00", "a%2F"} {
		if _, _, ok := encodeName(bad); ok {
			t.Errorf("encodeName(%q) accepted a name outside the portable alphabet", bad)
		}
	}
}

func TestHashedNames(t *testing.T) {
	// The plain encoding of these is 128 characters: one too many.
	for _, name := range []string{strings.Repeat("a", 128), strings.Repeat("a", 126) + "A", strings.Repeat("A", 64)} {
		kv, hashed, ok := encodeName(name)
		if !ok || !hashed || len(kv) > MaxNameLen || !strings.Contains(kv, hashMark) {
			t.Fatalf("encodeName of %d bytes = %q (%d), hashed %v; want a hashed name", len(name), kv, len(kv), hashed)
		}
		prefix := kv[:strings.Index(kv, hashMark)]
		plain, _ := plainName(name)
		if !strings.HasPrefix(plain, prefix) || strings.HasSuffix(prefix, "-") {
			t.Fatalf("the readable prefix %q is not whole escapes of %q", prefix, plain)
		}
		if got, ok := decodeName(kv, name); !ok || got != name {
			t.Fatalf("decodeName of a hashed name with its tag = %q, %v", got, ok)
		}
		if _, ok := decodeName(kv, name+"x"); ok {
			t.Fatal("decodeName accepted a tag that does not encode to the name")
		}
		if _, ok := decodeName(kv, ""); ok {
			t.Fatal("decodeName accepted a hashed name without its tag")
		}
	}
	// The longest plain name is not hashed.
	if kv, hashed, _ := encodeName(strings.Repeat("a", 127)); hashed || len(kv) != 127 {
		t.Fatal("a name whose encoding fits was hashed")
	}
}

func TestDecodeNameRefusesForeignNames(t *testing.T) {
	for _, kv := range []string{"", "a-", "-9", "a--b", "a_b", strings.Repeat("a", 128)} {
		if got, ok := decodeName(kv, ""); ok {
			t.Errorf("decodeName(%q) = %q, want refused", kv, got)
		}
	}
	if got, ok := decodeName("Stripe-API-Key", ""); !ok || got != "stripeApiKey" {
		t.Errorf("decodeName ignores case: got %q, %v", got, ok)
	}
}

func fuzzSeeds(f *testing.F) {
	for _, s := range []string{"a", "A", "a-b", "a/b", "tenant:acme:stripeApiKey", "x/y/z", "=", "@+",
		strings.Repeat("long", 40), strings.Repeat("Z", 100), strings.Repeat("ab/", 85)} {
		f.Add(s)
	}
}

// FuzzNameMapping checks the mapping of any name: the output alphabet and
// length, the round trip (in any case, as Key Vault may answer), and that
// hashed names are exactly those with two dashes in a row.
func FuzzNameMapping(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, name string) {
		kv, hashed, ok := encodeName(name)
		_, plainOK := plainName(name)
		if ok != (name != "" && plainOK) {
			t.Fatalf("encodeName(%q) ok = %v, want %v", name, ok, name != "" && plainOK)
		}
		if !ok {
			if secretstore.ValidateName(name) == nil {
				t.Fatalf("encodeName refused the valid portable name %q", name)
			}
			return
		}
		if len(kv) < 1 || len(kv) > MaxNameLen {
			t.Fatalf("encodeName(%q) = %q: %d characters", name, kv, len(kv))
		}
		for i := 0; i < len(kv); i++ {
			if c := kv[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
				t.Fatalf("encodeName(%q) = %q: byte %q outside lower-case letters, digits and '-'", name, kv, c)
			}
		}
		if hashed != strings.Contains(kv, hashMark) {
			t.Fatalf("encodeName(%q) = %q, hashed %v: the mark does not tell", name, kv, hashed)
		}
		tag := ""
		if hashed {
			tag = name
		}
		for _, form := range []string{kv, strings.ToUpper(kv)} {
			if got, ok := decodeName(form, tag); !ok || got != name {
				t.Fatalf("decodeName(%q) = %q, %v; want %q", form, got, ok, name)
			}
		}
	})
}

// FuzzNameInjective checks that two distinct names never map to Key Vault
// names that are equal when case is ignored, as Key Vault compares them.
func FuzzNameInjective(f *testing.F) {
	f.Add("a", "A")
	f.Add("a-b", "a_b")
	f.Add("a/b", "a-0b")
	f.Add(strings.Repeat("long", 40), strings.Repeat("long", 40)+"x")
	f.Fuzz(func(t *testing.T, a, b string) {
		ka, _, okA := encodeName(a)
		kb, _, okB := encodeName(b)
		if okA && okB && a != b && strings.EqualFold(ka, kb) {
			t.Fatalf("%q and %q both map to %q", a, b, ka)
		}
	})
}

// FuzzDecodeName checks that whatever Key Vault name decodes is the one its
// name encodes to: no two Key Vault names stand for the same portable name.
func FuzzDecodeName(f *testing.F) {
	for _, s := range []string{"a", "-a", "a-0b", "Stripe-Api-Key", "a--b", "-9", "x-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, kv string) {
		name, ok := decodeName(kv, "")
		if !ok {
			return
		}
		enc, hashed, ok := encodeName(name)
		if !ok || hashed || enc != strings.ToLower(kv) {
			t.Fatalf("decodeName(%q) = %q, which encodes to %q (hashed %v, ok %v)", kv, name, enc, hashed, ok)
		}
	})
}

func TestRawName(t *testing.T) {
	for name, want := range map[string]bool{
		"MySecret": true, "a-b": true, "0": true, strings.Repeat("x", 127): true,
		"": false, "a/b": false, "a.b": false, strings.Repeat("x", 128): false,
	} {
		if got := rawName(name); got != want {
			t.Errorf("rawName(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestValueEncoding(t *testing.T) {
	for _, v := range []string{"", "text", "pässwörd", "\xff", "a\x00b", "line\r\n"} {
		stored, binary := encodeValue(v)
		var ct *string
		if binary {
			s := BinaryContentType
			ct = &s
		}
		got, ok := decodeValue(stored, ct)
		if !ok || got != v {
			t.Errorf("value %q does not round-trip: stored %q, got %q", v, stored, got)
		}
		if wantBinary := v == "\xff" || v == "a\x00b"; binary != wantBinary {
			t.Errorf("value %q kept in base64: %v, want %v", v, binary, wantBinary)
		}
	}
}

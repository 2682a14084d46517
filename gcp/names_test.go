package gcp_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/secretstore-go/secretstore"
	"github.com/secretstore-go/secretstore/driver"
	"github.com/secretstore-go/secretstore/gcp"
)

// names that an escaping could confuse, from storetest's TrickyNames and
// more.
var trickyNames = []string{
	"a", "A", "a.b", "a_b", "a-b", "a:b", "a/b", "a@b", "a+b", "a=b",
	"a--b", "a__b", "a..b", "a::b", "_a", "-a", ".a", "..a", "a.", "a..",
	"tenant:acme:stripeApiKey", "tenant:acme/stripeApiKey", "tenant/acme/stripeApiKey",
	"x/y/z", "x/y", "x", "0", "00", "a=", "a==", "=", "@", "+", ":", "_", "-",
	"a2d", "a2f", "a!", "rds!db-1", "a_x", "a_2f", "a-2f", "AbC", "abc", "ABC", "a_d", "a_s", "a_", "a__",
	"_d", "__", "d", "s", strings.Repeat("long", 40),
}

func validID(id string) bool {
	if id == "" || len(id) > gcp.MaxSecretIDLen {
		return false
	}
	for _, c := range []byte(id) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

func TestSecretIDExamples(t *testing.T) {
	for name, want := range map[string]string{
		"tenant:acme:stripe_key": "tenant_cacme_cstripe__key",
		"db/primary.password":    "db_sprimary_dpassword",
		"a@b+c=d":                "a_ab_pc_ed",
		"plain-Name09":           "plain-Name09",
	} {
		got, err := gcp.SecretID(name)
		if err != nil || got != want {
			t.Errorf("SecretID(%q) = %q, %v; want %q", name, got, err, want)
		}
		if back, ok := gcp.NameOf(want); !ok || back != name {
			t.Errorf("NameOf(%q) = %q, %v; want %q", want, back, ok, name)
		}
	}
	seen := map[string]string{}
	for _, n := range trickyNames {
		id, err := gcp.SecretID(n)
		if err != nil {
			t.Fatalf("SecretID(%q): %v", n, err)
		}
		if other, dup := seen[id]; dup {
			t.Fatalf("%q and %q both map to %q", n, other, id)
		}
		seen[id] = n
	}
}

func TestSecretIDLength(t *testing.T) {
	for _, c := range []struct {
		name string
		ok   bool
	}{
		{strings.Repeat("a", 255), true},
		{strings.Repeat("a", 256), false},
		{strings.Repeat("a.", 85), true},        // 170 bytes, 255 characters
		{strings.Repeat("a.", 85) + "b", false}, // 256 characters
		{strings.Repeat(".", 127), true},
		{strings.Repeat(".", 128), false},
	} {
		id, err := gcp.SecretID(c.name)
		if c.ok != (err == nil) {
			t.Errorf("SecretID of a %d-byte name: %v, want ok %v", len(c.name), err, c.ok)
		}
		if err != nil && driver.CodeOf(err) != driver.InvalidName {
			t.Errorf("SecretID error code %v, want invalid_name", driver.CodeOf(err))
		}
		if err == nil && len(id) > gcp.MaxSecretIDLen {
			t.Errorf("SecretID returned %d characters", len(id))
		}
	}
	if _, err := gcp.SecretID("a b"); driver.CodeOf(err) != driver.InvalidName {
		t.Errorf("SecretID of a name with a space: %v, want invalid_name", err)
	}
	if _, err := gcp.SecretID(""); driver.CodeOf(err) != driver.InvalidName {
		t.Errorf("SecretID of the empty name: %v, want invalid_name", err)
	}
}

func TestNameOfRefuses(t *testing.T) {
	for _, id := range []string{"", "a_", "a_q", "_", "a.b", "a b", "ä", "a_D", strings.Repeat("a", 256)} {
		if n, ok := gcp.NameOf(id); ok {
			t.Errorf("NameOf(%q) = %q, true; want false (SecretID never makes it)", id, n)
		}
	}
}

// FuzzSecretID checks that every name of the portable alphabet maps to a
// valid secret id that maps back, or is refused only for its length.
func FuzzSecretID(f *testing.F) {
	for _, n := range trickyNames {
		f.Add(n)
	}
	f.Fuzz(func(t *testing.T, name string) {
		id, err := gcp.SecretID(name)
		alphabet := name != "" && !strings.ContainsFunc(name, func(r rune) bool {
			return r > 0x7f || !strings.ContainsRune("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-:@+=/!", r)
		})
		if err != nil {
			if driver.CodeOf(err) != driver.InvalidName {
				t.Fatalf("SecretID(%q): error code %v, want invalid_name", name, driver.CodeOf(err))
			}
			if alphabet && len(name)+strings.Count(name, "_")+strings.Count(name, ".")+strings.Count(name, "/")+
				strings.Count(name, ":")+strings.Count(name, "@")+strings.Count(name, "+")+strings.Count(name, "=")+strings.Count(name, "!") <= gcp.MaxSecretIDLen {
				t.Fatalf("SecretID(%q) refused a name that fits: %v", name, err)
			}
			if secretstore.ValidateName(name) == nil && !alphabet {
				t.Fatalf("a valid portable name %q is outside the alphabet", name)
			}
			return
		}
		if !alphabet {
			t.Fatalf("SecretID(%q) accepted a name outside the portable alphabet", name)
		}
		if !validID(id) {
			t.Fatalf("SecretID(%q) = %q, not a valid secret id", name, id)
		}
		back, ok := gcp.NameOf(id)
		if !ok || back != name {
			t.Fatalf("NameOf(SecretID(%q)) = %q, %v", name, back, ok)
		}
	})
}

// FuzzSecretIDInjective checks that distinct names never share an id.
func FuzzSecretIDInjective(f *testing.F) {
	for i, a := range trickyNames {
		f.Add(a, trickyNames[(i+1)%len(trickyNames)])
	}
	f.Add("a_d", "a.")
	f.Add("a__", "a_")
	f.Fuzz(func(t *testing.T, a, b string) {
		ia, erra := gcp.SecretID(a)
		ib, errb := gcp.SecretID(b)
		if erra != nil || errb != nil {
			return
		}
		if (a == b) != (ia == ib) {
			t.Fatalf("SecretID(%q) = %q and SecretID(%q) = %q", a, ia, b, ib)
		}
	})
}

// FuzzNameOf checks that NameOf accepts exactly the ids SecretID makes:
// whatever it accepts maps back to the same id.
func FuzzNameOf(f *testing.F) {
	for _, n := range trickyNames {
		id, _ := gcp.SecretID(n)
		f.Add(id)
	}
	f.Add("a_x")
	f.Add("__d")
	f.Fuzz(func(t *testing.T, id string) {
		name, ok := gcp.NameOf(id)
		if !ok {
			return
		}
		again, err := gcp.SecretID(name)
		if err != nil || again != id {
			t.Fatalf("NameOf(%q) = %q, whose id is %q (%v)", id, name, again, err)
		}
	})
}

func TestSecretIDErrorClass(t *testing.T) {
	_, err := gcp.SecretID(strings.Repeat("x", 256))
	var de *driver.Error
	if !errors.As(err, &de) || de.Code != driver.InvalidName {
		t.Fatalf("SecretID of a too long name: %v, want a driver error with code invalid_name", err)
	}
}

// FuzzNativeID checks that the native mode takes exactly the secret ids
// Secret Manager takes, unchanged, and refuses the rest as invalid names.
func FuzzNativeID(f *testing.F) {
	for _, n := range append(trickyNames, "DB_PASSWORD", "db_password", "db-password", "StripeApiKey", "") {
		f.Add(n)
	}
	f.Fuzz(func(t *testing.T, name string) {
		id, err := gcp.NativeID(name)
		if validID(name) != (err == nil) {
			t.Fatalf("NativeID(%q) = %v; the service's rule says %v", name, err, validID(name))
		}
		if err != nil {
			if driver.CodeOf(err) != driver.InvalidName || !strings.Contains(err.Error(), "letters, digits, '-' and '_'") {
				t.Fatalf("NativeID(%q): %v, want invalid_name stating the rule", name, err)
			}
			return
		}
		if id != name {
			t.Fatalf("NativeID(%q) = %q", name, id)
		}
	})
}

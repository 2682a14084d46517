package azure_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/Azure/azure-sdk-for-go/sdk/security/keyvault/azsecrets"
	"github.com/secretstore-go/secretstore"
	"github.com/secretstore-go/secretstore/azure"
	"github.com/secretstore-go/secretstore/driver"
)

// In native mode (the default) a name is the Key Vault name: the secrets
// the portal, the Azure CLI and Terraform made are read under the names
// they show, in any case, and List gives the spelling they were created
// with.
func TestNativeNamesReadPortalSecrets(t *testing.T) {
	f := newFixture(t)
	seeded := map[string]string{
		"db-password":    "kebab",
		"DbPassword":     "pascal",
		"stripe-api-key": "stripe",
		"StripeApiKey":   "stripe-pascal",
		"DB-PASSWORD-2":  "upper",
		"9lives":         "digit first",
	}
	for n, v := range seeded {
		f.srv.Put(n, v, nil, nil)
	}
	s := store(f.openWith(t, azure.Options{}))
	ctx := t.Context()
	names := make([]string, 0, len(seeded))
	for n := range seeded {
		names = append(names, n)
	}
	ss, err := s.Require(ctx, names...)
	if err != nil {
		t.Fatal(err)
	}
	for n, v := range seeded {
		if got := ss.Reveal(n); got != v {
			t.Errorf("Get(%q) = %q, want %q", n, got, v)
		}
	}
	// Not case sensitive: another spelling reads the same secret.
	if ss, err := s.Require(ctx, "DBPASSWORD", "db-password-2"); err != nil || ss.Reveal("DBPASSWORD") != "pascal" || ss.Reveal("db-password-2") != "upper" {
		t.Fatalf("Get in another case: %v", err)
	}
	listed, err := s.List(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if want := sorted(names); !slices.Equal(sorted(listed), want) {
		t.Fatalf("List = %q, want the stored spellings %q", sorted(listed), want)
	}
	// A write in another case is a new version of the same secret, whose
	// stored spelling stays.
	if err := s.Set(ctx, "dbpassword", "rotated"); err != nil {
		t.Fatal(err)
	}
	if v, _, _, _ := f.srv.Latest("DbPassword"); v != "rotated" {
		t.Fatalf("DbPassword after Set(dbpassword) = %q", v)
	}
	if listed, _ := s.List(ctx, "Db"); !slices.Equal(listed, []string{"DbPassword"}) {
		t.Fatalf(`List("Db") = %q, want the stored spelling`, listed)
	}
	// The escaped mode reads stripe-api-key only as stripeApiKey (issue 17).
	e := store(f.open(t, azure.Options{}))
	if ss, err := e.Require(ctx, "stripeApiKey"); err != nil || ss.Reveal("stripeApiKey") != "stripe" {
		t.Fatalf("escaped Require(stripeApiKey): %v", err)
	}
}

// A name Key Vault cannot hold is refused before any request, with a
// message that states the rule and that names are not case sensitive.
func TestNativeNamesRefusedBeforeAnyRequest(t *testing.T) {
	f := newFixture(t)
	d := f.openWith(t, azure.Options{})
	s := store(d)
	ctx := t.Context()
	for _, bad := range []string{"db/password", "db_password", "DB_PASSWORD", "a.b", "tenant:acme:key", "rds!db", strings.Repeat("x", 128)} {
		_, err := s.Get(ctx, bad)
		if !errors.Is(err, secretstore.ErrInvalidName) || !strings.Contains(err.Error(), "127 ASCII letters, digits and '-'") ||
			!strings.Contains(err.Error(), "not case sensitive") {
			t.Errorf("Get(%q): %v, want ErrInvalidName stating Key Vault's rule", bad, err)
		}
		if err := s.Set(ctx, bad, "v"); !errors.Is(err, secretstore.ErrInvalidName) {
			t.Errorf("Set(%q): %v", bad, err)
		}
		if err := d.Remove(ctx, bad); driver.CodeOf(err) != driver.InvalidName {
			t.Errorf("Remove(%q): %v", bad, err)
		}
		if _, _, err := d.GetVersions(ctx, bad); driver.CodeOf(err) != driver.InvalidName {
			t.Errorf("GetVersions(%q): %v", bad, err)
		}
	}
	if n := len(f.srv.Requests()); n != 0 {
		t.Fatalf("refused names reached the vault: %d requests", n)
	}
}

// Key Vault's limit is 25,600 characters, not bytes: a value of 25,600
// non-ASCII characters (up to four bytes each) is stored and read back,
// one more character is refused before any request, and the fake refuses
// it too.
func TestValueLimitInCharacters(t *testing.T) {
	f := newFixture(t)
	s := store(f.openWith(t, azure.Options{}))
	ctx := t.Context()
	for _, ch := range []string{"é", "密", "🔑"} {
		v := strings.Repeat(ch, azure.MaxValueSize)
		if err := s.Set(ctx, "unicode", v); err != nil {
			t.Fatalf("Set of %d characters (%d bytes): %v", utf8.RuneCountInString(v), len(v), err)
		}
		ss, err := s.Require(ctx, "unicode")
		if err != nil || ss.Reveal("unicode") != v {
			t.Fatalf("value of %q does not round-trip: %v", ch, err)
		}
		if _, ct, _, _ := f.srv.Latest("unicode"); ct != nil {
			t.Fatalf("text stored with content type %q, want as is", *ct)
		}
		before := len(f.srv.Requests())
		if err := s.Set(ctx, "unicode", v+ch); !errors.Is(err, secretstore.ErrInvalidValue) {
			t.Fatalf("Set of %d characters: %v, want ErrInvalidValue", azure.MaxValueSize+1, err)
		}
		if n := len(f.srv.Requests()) - before; n != 0 {
			t.Fatalf("a value over the limit reached the vault (%d requests)", n)
		}
	}
	// The fake counts the same way.
	var client *azsecrets.Client
	if !f.openWith(t, azure.Options{}).As(&client) {
		t.Fatal("As")
	}
	over := strings.Repeat("é", azure.MaxValueSize+1)
	if _, err := client.SetSecret(ctx, "direct", azsecrets.SetSecretParameters{Value: &over}, nil); err == nil {
		t.Fatal("the fake took 25,601 characters")
	}
	limit := strings.Repeat("é", azure.MaxValueSize)
	if _, err := client.SetSecret(ctx, "direct", azsecrets.SetSecretParameters{Value: &limit}, nil); err != nil {
		t.Fatalf("the fake refused 25,600 characters: %v", err)
	}
}

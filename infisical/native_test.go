package infisical

import (
	"slices"
	"strings"
	"testing"

	"github.com/secretstore-go/secretstore/driver"
	"github.com/secretstore-go/secretstore/infisical/internal/fakeinfisical"
)

// In native mode (the default) names are Infisical's own: '/' separates
// folders, the last level is the key, as the dashboard, the CLI and
// Terraform make them.
func TestNativeNamesReadDashboardSecrets(t *testing.T) {
	fx := newFixture(t, nil)
	seeded := map[[2]string]string{
		{"/", "DB_PASSWORD"}:                 "root",
		{"/", "db-password"}:                 "kebab",
		{"/", "StripeApiKey"}:                "pascal",
		{"/apps", "API_URL"}:                 "https://api",
		{"/apps/billing", "STRIPE_KEY"}:      "sk_live",
		{"/apps/billing", "stripe.webhook"}:  "whsec",
		{"/apps/billing_v2", "STRIPE_KEY"}:   "sk_v2",
		{"/apps/billing", "has space"}:       "not a portable name",
		{"/apps/billing", "rds!db-1234abcd"}: "bang",
	}
	for k, v := range seeded {
		fx.fake.Put(testProject, testEnv, k[0], k[1], v)
	}
	d := fx.open(t, func(o *Options) { o.Names = NamesNative })
	ctx := t.Context()
	want := map[string]string{
		"DB_PASSWORD":                  "root",
		"db-password":                  "kebab",
		"StripeApiKey":                 "pascal",
		"apps/API_URL":                 "https://api",
		"apps/billing/STRIPE_KEY":      "sk_live",
		"apps/billing/stripe.webhook":  "whsec",
		"apps/billing_v2/STRIPE_KEY":   "sk_v2",
		"apps/billing/rds!db-1234abcd": "bang",
	}
	names := slices.Sorted(func(yield func(string) bool) {
		for n := range want {
			if !yield(n) {
				return
			}
		}
	})
	got, err := d.Get(ctx, names)
	if err != nil {
		t.Fatal(err)
	}
	for n, v := range want {
		if got[n] != v {
			t.Errorf("Get(%q) = %q, want %q", n, got[n], v)
		}
	}
	listed, err := d.List(ctx, "")
	if slices.Sort(listed); err != nil || !slices.Equal(listed, names) {
		t.Fatalf("List = %q, %v; want %q (the key with a space is no portable name)", listed, err, names)
	}
	if listed, err := d.List(ctx, "apps/billing/"); err != nil || len(listed) != 3 {
		t.Fatalf(`List("apps/billing/") = %q, %v`, listed, err)
	}
	// Writes land in the same folders and keys, creating new folders.
	if err := d.Set(ctx, "apps/billing/STRIPE_KEY", "rotated"); err != nil {
		t.Fatal(err)
	}
	if v, _ := fx.fake.Value(testProject, testEnv, "/apps/billing", "STRIPE_KEY"); v != "rotated" {
		t.Fatalf("STRIPE_KEY after Set = %q", v)
	}
	if err := d.Set(ctx, "new_team/svc-1/TOKEN", "t"); err != nil {
		t.Fatal(err)
	}
	if keys := fx.fake.Keys(testProject, testEnv, "/new_team/svc-1"); !slices.Equal(keys, []string{"TOKEN"}) {
		t.Fatalf("keys of /new_team/svc-1 = %q", keys)
	}
	if err := d.Remove(ctx, "DB_PASSWORD"); err != nil {
		t.Fatal(err)
	}
	if _, ok := fx.fake.Value(testProject, testEnv, "/", "DB_PASSWORD"); ok {
		t.Fatal("DB_PASSWORD after Remove")
	}
}

// A name Infisical cannot hold natively is refused before any request,
// with a message that states Infisical's rule.
func TestNativeNamesRefusedBeforeAnyRequest(t *testing.T) {
	fx := newFixture(t, nil)
	d := fx.open(t, func(o *Options) { o.Names = NamesNative })
	ctx := t.Context()
	before := fx.fake.Requests("")
	for _, bad := range []string{"tenant:acme", "a.b/KEY", "a:b/KEY", "x/y@z/KEY", "db/user:name", "a+b/c"} {
		_, err := d.Get(ctx, []string{"OK", bad})
		if driver.CodeOf(err) != driver.InvalidName || !strings.Contains(err.Error(), "folders of ASCII letters, digits, '-' and '_'") {
			t.Errorf("Get(%q): %v, want invalid_name stating the rule", bad, err)
		}
		if err := d.Set(ctx, bad, "v"); driver.CodeOf(err) != driver.InvalidName {
			t.Errorf("Set(%q): %v", bad, err)
		}
		if err := d.Remove(ctx, bad); driver.CodeOf(err) != driver.InvalidName {
			t.Errorf("Remove(%q): %v", bad, err)
		}
	}
	if got, err := d.List(ctx, "a.b/"); err != nil || got != nil {
		t.Errorf(`List("a.b/") = %q, %v; want nothing`, got, err)
	}
	if n := fx.fake.Requests("") - before; n != 0 {
		t.Fatalf("refused names made %d requests", n)
	}
	// The escaped mode takes them.
	e := fx.open(t, nil)
	if err := e.Set(ctx, "tenant:acme", "v"); err != nil {
		t.Fatal(err)
	}
}

// A write into a missing folder creates it, whether the server answers 404
// (current Infisical) or 400 "Folder not found" (older servers), in both
// name modes.
func TestSetCreatesFoldersOnOldAndNewServers(t *testing.T) {
	for _, old := range []bool{false, true} {
		for _, names := range []Names{NamesNative, NamesEscaped} {
			fx := newFixture(t, nil)
			fx.fake.SetOldFolderErrors(old)
			d := fx.open(t, func(o *Options) { o.Names = names })
			ctx := t.Context()
			if err := d.Set(ctx, "team/svc/KEY", "v1"); err != nil {
				t.Fatalf("old=%v %v: Set into a missing folder: %v", old, names, err)
			}
			if v, _ := fx.fake.Value(testProject, testEnv, "/team/svc", "KEY"); v != "v1" {
				t.Fatalf("old=%v %v: stored %q", old, names, v)
			}
			if n := fx.fake.Requests(fakeinfisical.OpCreateFolder); n != 1 {
				t.Fatalf("old=%v %v: %d folder creations, want 1", old, names, n)
			}
			// A second secret in the folder, and an update: no folder
			// creation, and the 400 of an existing secret is still one.
			if err := d.Set(ctx, "team/svc/KEY", "v2"); err != nil {
				t.Fatal(err)
			}
			if err := d.Set(ctx, "team/svc/OTHER", "o"); err != nil {
				t.Fatal(err)
			}
			if n := fx.fake.Requests(fakeinfisical.OpCreateFolder); n != 1 {
				t.Fatalf("old=%v %v: %d folder creations, want 1", old, names, n)
			}
			// Reads and removes in a missing folder are a missing name.
			m, err := d.Get(ctx, []string{"gone/KEY"})
			if err != nil || len(m) != 0 {
				t.Fatalf("old=%v %v: Get in a missing folder = %q, %v", old, names, m, err)
			}
			if err := d.Remove(ctx, "gone/KEY"); err != nil {
				t.Fatalf("old=%v %v: Remove in a missing folder: %v", old, names, err)
			}
		}
	}
}

// The fake answers the old way only when asked to.
func TestFakeOldFolderErrors(t *testing.T) {
	fx := newFixture(t, nil)
	d := fx.open(t, nil)
	for _, old := range []bool{false, true} {
		fx.fake.SetOldFolderErrors(old)
		err := d.create(t.Context(), "/missing", "K", "missing/K", "v")
		want := 404
		if old {
			want = 400
		}
		if statusOf(err) != want || driver.CodeOf(err) != driver.NotFound {
			t.Fatalf("old=%v: create in a missing folder: %v (status %d), want %d classified not found", old, err, statusOf(err), want)
		}
	}
}

package infisical

import (
	"regexp"
	"strings"
	"testing"

	"github.com/secretstore-go/secretstore"
	"github.com/secretstore-go/secretstore/driver"
)

// What Infisical accepts: folder names (isValidFolderName) and secret keys
// (SecretNameSchema: trimmed, non-empty, no ':' or '/'), and, since the SDK
// puts the key into the URL path unescaped, no URL syntax either.
var (
	infisicalFolder = regexp.MustCompile(`^[a-zA-Z0-9_-]+$`)
	urlUnsafe       = "/:?#%[]\\ \"<>{}|^`"
)

func checkMapping(t *testing.T, base, name string) {
	t.Helper()
	path, key := locate(base, name)
	if !strings.HasPrefix(path, base) {
		t.Fatalf("locate(%q) = path %q, not under %q", name, path, base)
	}
	for _, seg := range strings.Split(strings.TrimPrefix(path, "/"), "/") {
		if path != "/" && !infisicalFolder.MatchString(seg) {
			t.Fatalf("locate(%q): folder %q is not an Infisical folder name", name, seg)
		}
	}
	if key == "" || key != strings.TrimSpace(key) || strings.ContainsAny(key, urlUnsafe) {
		t.Fatalf("locate(%q): key %q is not an Infisical secret key safe in a URL path", name, key)
	}
	back, ok := unlocate(base, path, key)
	if !ok || back != name {
		t.Fatalf("unlocate(locate(%q)) = %q, %v", name, back, ok)
	}
	if got := folderOf(base, name); got != path {
		t.Fatalf("folderOf(%q) = %q, want the folder of the name, %q", name, got, path)
	}
}

func TestNameMapping(t *testing.T) {
	cases := map[string][2]string{ // name → Infisical path under "/", key
		"DB_PASSWORD":                  {"/", "DB_PASSWORD"},
		"api-key":                      {"/", "api-key"},
		"tenant:acme:stripeApiKey":     {"/", "tenant=3Aacme=3AstripeApiKey"},
		"a=b":                          {"/", "a=3Db"},
		"a=3Ab":                        {"/", "a=3D3Ab"},
		"user@host+x.y_z":              {"/", "user@host+x.y_z"},
		"db/primary/password":          {"/db/primary", "password"},
		"tenant:acme/db.primary/DB_PW": {"/tenant_3Aacme/db_2Eprimary", "DB_PW"},
		"a_b/c":                        {"/a_5Fb", "c"},
		"a_5Fb/c":                      {"/a_5F5Fb", "c"},
		"..a/b":                        {"/_2E_2Ea", "b"},
		"@+=/x":                        {"/_40_2B_3D", "x"},
		"Case/case":                    {"/Case", "case"},
	}
	for name, want := range cases {
		path, key := locate("/", name)
		if path != want[0] || key != want[1] {
			t.Errorf("locate(%q) = %q, %q; want %q, %q", name, path, key, want[0], want[1])
		}
		checkMapping(t, "/", name)
		checkMapping(t, "/apps/svc", name)
	}
	if path, _ := locate("/apps/svc", "x/y"); path != "/apps/svc/x" {
		t.Errorf("under a base path: %q", path)
	}
}

// TestDecodingIsStrict: only the canonical image of a portable name decodes,
// so that two Infisical names never read as one.
func TestDecodingIsStrict(t *testing.T) {
	for _, k := range []string{"", "a:b", "a=", "a=3", "a=3a", "a=41", "a=2F", "a b", "a/b", "ä", "a%3A"} {
		if n, ok := decodeKey(k); ok {
			t.Errorf("decodeKey(%q) = %q, want refused", k, n)
		}
	}
	for _, f := range []string{"", "a.b", "a_", "a_2", "a_2e", "a_41", "a_2D", "a b", "a:b"} {
		if n, ok := decodeFolder(f); ok {
			t.Errorf("decodeFolder(%q) = %q, want refused", f, n)
		}
	}
	for _, c := range []struct{ base, path, key string }{
		{"/svc", "/other", "k"},               // outside the base path
		{"/svc", "/svcx", "k"},                // a sibling that shares the prefix
		{"/", "/_2E", "k"},                    // the level "."
		{"/", "/_2E_2E", "k"},                 // the level ".."
		{"/", "/", "."},                       // a key "."
		{"/", "/a/b", "c:d"},                  // a raw colon
		{"/", "/x", strings.Repeat("k", 300)}, // too long a name
	} {
		if n, ok := unlocate(c.base, c.path, c.key); ok {
			t.Errorf("unlocate(%q, %q, %q) = %q, want refused", c.base, c.path, c.key, n)
		}
	}
}

func TestBasePath(t *testing.T) {
	for in, want := range map[string]string{"": "/", "/": "/", "/apps": "/apps", "/apps/svc-1/": "/apps/svc-1", "/A_b": "/A_b"} {
		if got, ok := cleanBasePath(in); !ok || got != want {
			t.Errorf("cleanBasePath(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"apps", "/a//b", "/a.b", "/a b", "/ä", "//"} {
		if got, ok := cleanBasePath(in); ok {
			t.Errorf("cleanBasePath(%q) = %q, want refused", in, got)
		}
	}
}

// FuzzNameMapping: every valid portable name maps to Infisical folders and a
// key Infisical accepts, and back to itself.
func FuzzNameMapping(f *testing.F) {
	for _, s := range []string{"a", "a/b", "tenant:acme:key", "a_b/c.d/e=f", "x/y/z", "..a/.b", "a=3A/b_2E", "@/+/=", "rds!db/a!b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if secretstore.ValidateName(name) != nil {
			return
		}
		checkMapping(t, "/", name)
		checkMapping(t, "/base/dir", name)
	})
}

// FuzzNameDecoding: whatever Infisical folder and key decode to a portable
// name are exactly that name's encoding (decoding is injective), so List
// never reports one name for two secrets.
func FuzzNameDecoding(f *testing.F) {
	for _, s := range [][2]string{{"/a", "b"}, {"/_2E", "x"}, {"/a_5Fb", "c=3Ad"}, {"/A/B", "C"}, {"/", "k=3D"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, path, key string) {
		name, ok := unlocate("/", path, key)
		if !ok {
			return
		}
		p, k := locate("/", name)
		if p != path || k != key {
			t.Fatalf("unlocate(%q, %q) = %q, which encodes as %q, %q", path, key, name, p, k)
		}
	})
}

// FuzzNativeNames: a valid portable name is refused in native mode exactly
// when a folder level is not an Infisical folder name or the key holds ':';
// otherwise its folders and key are the name's own levels, and List maps
// them back to it.
func FuzzNativeNames(f *testing.F) {
	for _, s := range []string{"DB_PASSWORD", "apps/billing/STRIPE_KEY", "a.b/KEY", "k:v", "rds!db-1", "a/b.c", "x/y:z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if secretstore.ValidateName(name) != nil {
			return
		}
		levels := strings.Split(name, "/")
		ok := !strings.Contains(levels[len(levels)-1], ":")
		for _, l := range levels[:len(levels)-1] {
			ok = ok && validFolderName(l)
		}
		for _, base := range []string{"/", "/base/dir"} {
			path, key, err := locateNative(base, name)
			if (err == nil) != ok {
				t.Fatalf("locateNative(%q) = %v; the rule says ok=%v", name, err, ok)
			}
			if err != nil {
				if driver.CodeOf(err) != driver.InvalidName || !strings.Contains(err.Error(), "names=escaped") {
					t.Fatalf("locateNative(%q): %v", name, err)
				}
				continue
			}
			if key != levels[len(levels)-1] {
				t.Fatalf("locateNative(%q): key %q", name, key)
			}
			if back, ok := unlocateNative(base, path, key); !ok || back != name {
				t.Fatalf("unlocateNative(locateNative(%q)) = %q, %v", name, back, ok)
			}
			if dir, ok := folderOfNative(base, name); !ok || dir != path {
				t.Fatalf("folderOfNative(%q) = %q, %v; want %q", name, dir, ok, path)
			}
		}
	})
}

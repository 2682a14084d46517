package dirstore_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secretstore-go/secretstore"
	"github.com/secretstore-go/secretstore/driver"
)

// FuzzPaths checks the driver's path handling against the directory's
// boundary: any portable name round-trips through Set, Get, List and Remove
// without a file being written outside the directory, and a symbolic link
// with any target never reads a file from outside it.
func FuzzPaths(f *testing.F) {
	for _, s := range []struct{ name, link string }{
		{"a", "../outside"}, {"a/b", "/etc/passwd"}, {"..a/b", ".."}, {"x/..", "../../outside"},
		{"a/.~value", "inside"}, {"..data/x", "sub/../../outside"}, {"a..b/c", "./inside"},
		{"tenant:acme:key", "sub/../inside"}, {"=/@/+", "../secrets/inside"},
	} {
		f.Add(s.name, s.link)
	}
	f.Fuzz(func(t *testing.T, name, link string) {
		parent := t.TempDir()
		dir := filepath.Join(parent, "secrets")
		must(t, os.MkdirAll(filepath.Join(dir, "sub"), 0o700))
		must(t, os.WriteFile(filepath.Join(parent, "outside"), []byte("OUTSIDE"), 0o600))
		must(t, os.WriteFile(filepath.Join(dir, "inside"), []byte("inside"), 0o600))
		ctx := context.Background()
		d := open(t, dirURL(dir)+"?writable=1")

		// A link with any target: reading it gives the inside file, an
		// error, or nothing; never the outside file.
		if !strings.ContainsRune(link, 0) && link != "" {
			if err := os.Symlink(link, filepath.Join(dir, "sub", "l")); err == nil {
				for _, n := range []string{"sub/l", "sub/l/outside", "sub/l/secrets/inside"} {
					m, _ := d.Get(ctx, []string{n})
					if m[n] == "OUTSIDE" {
						t.Fatalf("Get(%q) through a link to %q read a file outside the directory", n, link)
					}
				}
				names, _ := d.List(ctx, "")
				for _, n := range names {
					if m, _ := d.Get(ctx, []string{n}); m[n] == "OUTSIDE" {
						t.Fatalf("listed %q reads a file outside the directory", n)
					}
				}
				must(t, os.Remove(filepath.Join(dir, "sub", "l")))
			}
		}

		if secretstore.ValidateName(name) != nil {
			return
		}
		if err := d.Set(ctx, name, "v:"+name); err != nil {
			// Only a name that would need to pass through the file
			// "inside" (or its ".~value" conversion) may be refused.
			if driver.CodeOf(err) == driver.InvalidName || driver.CodeOf(err) == driver.NotSupported {
				t.Fatalf("Set(%q): %v", name, err)
			}
			return
		}
		m, err := d.Get(ctx, []string{name})
		if err != nil || m[name] != "v:"+name {
			t.Fatalf("Get(%q) after Set = %q, %v", name, m[name], err)
		}
		listed, err := d.List(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, n := range listed {
			found = found || n == name
		}
		if !found {
			t.Fatalf("List does not have %q: %q", name, listed)
		}
		must(t, d.Remove(ctx, name))
		if m, _ := d.Get(ctx, []string{name}); len(m) != 0 {
			t.Fatalf("Get(%q) after Remove found it", name)
		}
		// Nothing was written outside the directory.
		filepath.WalkDir(parent, func(p string, e fs.DirEntry, err error) error {
			if err == nil && p != parent && p != filepath.Join(parent, "outside") && !strings.HasPrefix(p, dir) {
				t.Fatalf("Set(%q) left %s outside the directory", name, p)
			}
			return nil
		})
	})
}

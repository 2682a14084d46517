package dirstore_test

import (
	"context"
	"errors"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/secretstore-go/secretstore"
	"github.com/secretstore-go/secretstore/dirstore"
	"github.com/secretstore-go/secretstore/driver"
	"github.com/secretstore-go/secretstore/storetest"
)

func open(t testing.TB, rawURL string) *dirstore.Store {
	t.Helper()
	u, err := url.Parse(rawURL)
	must(t, err)
	d, err := dirstore.OpenURL(context.Background(), u)
	must(t, err)
	return d.(*dirstore.Store)
}

func dirURL(dir string) string {
	return (&url.URL{Scheme: "dir", Path: filepath.ToSlash(dir)}).String()
}

func TestConformanceWritable(t *testing.T) {
	storetest.Run(t, storetest.Harness{
		MaxValueSize: dirstore.DefaultMaxSize,
		Open: func(t *testing.T) driver.Store {
			dir := filepath.Join(t.TempDir(), "secrets")
			must(t, os.Mkdir(dir, 0o700))
			return open(t, dirURL(dir)+"?writable=1")
		},
		// A directory has no connection to lose: the nearest thing is the
		// directory itself replaced by a copy, renamed over it.
		BreakWatch: func(t *testing.T, d driver.Store) {
			dir := d.(*dirstore.Store).Dir()
			must(t, os.CopyFS(dir+".copy", os.DirFS(dir)))
			must(t, os.Rename(dir, dir+".old"))
			must(t, os.Rename(dir+".copy", dir))
		},
	})
}

// seed writes files in a plain directory, as Docker or a hand-made
// directory has them.
func seed(t *testing.T, dir string, files map[string]string) {
	for p, v := range files {
		f := filepath.Join(dir, filepath.FromSlash(p))
		must(t, os.MkdirAll(filepath.Dir(f), 0o755))
		must(t, os.WriteFile(f, []byte(v), 0o400))
	}
}

func TestConformanceReadOnly(t *testing.T) {
	storetest.Run(t, storetest.Harness{
		ReadOnly: true,
		Open: func(t *testing.T) driver.Store {
			dir := t.TempDir()
			seed(t, dir, storetest.Fixture())
			return open(t, dirURL(dir))
		},
	})
}

func TestConformanceReadOnlyKubelet(t *testing.T) {
	storetest.Run(t, storetest.Harness{
		ReadOnly: true,
		Open: func(t *testing.T) driver.Store {
			dir := filepath.Join(t.TempDir(), "mount")
			k := newKubelet(t, dir, map[string]string{"storetest/fixture/alpha": "stale"})
			k.write(storetest.Fixture()) // the suite reads the second version
			return open(t, dirURL(dir))
		},
	})
}

func get(t *testing.T, d driver.Store, names ...string) map[string]string {
	t.Helper()
	m, err := d.Get(t.Context(), names)
	if err != nil {
		t.Fatalf("Get(%q): %v", names, err)
	}
	return m
}

func list(t *testing.T, d driver.Lister, prefix string) []string {
	t.Helper()
	l, err := d.List(t.Context(), prefix)
	if err != nil {
		t.Fatalf("List(%q): %v", prefix, err)
	}
	slices.Sort(l)
	return l
}

// TestKubeletAtomicWriter follows kubelet's update of a mounted Secret step
// by step: readers see the old set until ..data is renamed, the new set
// from then on, and kubelet's own entries are never secrets.
func TestKubeletAtomicWriter(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "db")
	v1 := map[string]string{"username": "app", "password": "pw-1", "tls/ca.crt": "ca-1"}
	v2 := map[string]string{"username": "app", "password": "pw-2", "port": "5432"}
	k := newKubelet(t, dir, v1)
	d := open(t, dirURL(dir))
	up := open(t, dirURL(parent)) // the same mount, seen from its parent
	names := []string{"username", "password", "tls/ca.crt", "port"}

	if got := get(t, d, names...); !maps.Equal(got, v1) {
		t.Fatalf("before the update: %v, want %v", got, v1)
	}
	if got := list(t, d, ""); !slices.Equal(got, []string{"password", "tls/ca.crt", "username"}) {
		t.Fatalf("List = %q", got)
	}
	if got := list(t, up, "db/"); !slices.Equal(got, []string{"db/password", "db/tls/ca.crt", "db/username"}) {
		t.Fatalf("List from the parent = %q", got)
	}
	if got := get(t, up, "db/password"); got["db/password"] != "pw-1" {
		t.Fatalf("from the parent: %v", got)
	}
	for _, n := range []string{"..data/password", "..data_tmp/password", "..data"} {
		if got := get(t, d, n); len(got) != 0 {
			t.Fatalf("kubelet's entry %q reads as a secret", n)
		}
	}
	steps := k.writeSteps(v2)
	for i, step := range steps {
		step()
		want := v1
		if i >= 2 { // step 3 renamed ..data_tmp over ..data
			want = v2
		}
		if got := get(t, d, names...); !maps.Equal(got, want) {
			t.Fatalf("after step %d: %v, want %v", i+1, got, want)
		}
		if i == 1 {
			if _, err := os.Lstat(filepath.Join(dir, "..data_tmp")); err != nil {
				t.Fatal("step 2 made no ..data_tmp link")
			}
		}
	}
	if got := list(t, d, ""); !slices.Equal(got, []string{"password", "port", "username"}) {
		t.Fatalf("List after the update = %q", got)
	}
	ents, _ := os.ReadDir(dir)
	ts := 0
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), "..20") {
			ts++
		}
	}
	if ts != 1 {
		t.Fatalf("%d timestamped directories after the update, want 1 (the old one removed)", ts)
	}
	if err := d.Set(t.Context(), "username", "x"); driver.CodeOf(err) != driver.NotSupported {
		t.Fatalf("Set on a mount: %v, want NotSupported", err)
	}
	w := open(t, dirURL(dir)+"?writable=1")
	if err := w.Set(t.Context(), "username", "x"); driver.CodeOf(err) != driver.NotSupported {
		t.Fatalf("Set in a kubelet directory with writable=1: %v, want NotSupported", err)
	}
	if err := w.Remove(t.Context(), "username"); driver.CodeOf(err) != driver.NotSupported {
		t.Fatalf("Remove in a kubelet directory with writable=1: %v, want NotSupported", err)
	}
}

// TestKubeletSwapNeverMixes reads two names while kubelet keeps swapping
// between two versions of a Secret: every read is one whole version.
func TestKubeletSwapNeverMixes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "mount")
	a := map[string]string{"username": "user-a", "password": "pass-a"}
	b := map[string]string{"username": "user-b", "password": "pass-b"}
	k := newKubelet(t, dir, a)
	d := open(t, dirURL(dir))
	const swaps = 200
	var wg sync.WaitGroup
	done := make(chan struct{})
	wg.Go(func() {
		defer close(done)
		for i := range swaps {
			if i%2 == 0 {
				k.write(b)
			} else {
				k.write(a)
			}
		}
	})
	reads := 0
	for stop := false; !stop; reads++ {
		select {
		case <-done:
			stop = true
		default:
		}
		got, err := d.Get(t.Context(), []string{"username", "password"})
		if err != nil {
			t.Fatalf("Get during swaps: %v", err)
		}
		if !maps.Equal(got, a) && !maps.Equal(got, b) {
			t.Fatalf("a read during a swap saw a mix: %d names, user %q", len(got), got["username"])
		}
	}
	wg.Wait()
	t.Logf("%d reads during %d swaps", reads, swaps)
}

// TestDockerSecrets reads Docker's and Swarm's flat /run/secrets layout:
// one read-only file per secret, values exactly as written.
func TestDockerSecrets(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run", "secrets")
	seed(t, dir, map[string]string{"db_password": "s3cret\n", "api-key": "k", "tls.key": "-----BEGIN-----\n"})
	must(t, os.WriteFile(filepath.Join(dir, "has space"), []byte("x"), 0o400))
	d := open(t, dirURL(dir))
	got := get(t, d, "db_password", "api-key", "tls.key", "missing")
	if got["db_password"] != "s3cret\n" || got["api-key"] != "k" || len(got) != 3 {
		t.Fatalf("Get = %d values (newline kept: %v)", len(got), got["db_password"] == "s3cret\n")
	}
	if l := list(t, d, ""); !slices.Equal(l, []string{"api-key", "db_password", "tls.key"}) {
		t.Fatalf("List = %q (a file whose name is not a portable name must be left out)", l)
	}
	trimmed := open(t, dirURL(dir)+"?trim-newline=1")
	if got := get(t, trimmed, "db_password"); got["db_password"] != "s3cret" {
		t.Fatal("trim-newline=1 did not remove the newline")
	}
	if err := d.Set(t.Context(), "new", "v"); driver.CodeOf(err) != driver.NotSupported {
		t.Fatalf("Set on a read-only directory: %v", err)
	}
	if err := d.Remove(t.Context(), "db_password"); driver.CodeOf(err) != driver.NotSupported {
		t.Fatalf("Remove on a read-only directory: %v", err)
	}
}

// TestSystemdCredentials reads the directory systemd passes in
// $CREDENTIALS_DIRECTORY (LoadCredential=), through the URL that names it.
func TestSystemdCredentials(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "credentials", "app.service")
	seed(t, dir, map[string]string{"db-password": "pw", "tls-key": "key"})
	must(t, os.Chmod(dir, 0o500)) // systemd's directory is read-only too
	t.Cleanup(func() { os.Chmod(dir, 0o700) })
	t.Setenv(dirstore.SystemdCredentials, dir)
	s, err := secretstore.Open(t.Context(), "dir://?dir-env=CREDENTIALS_DIRECTORY")
	must(t, err)
	defer s.Close()
	ss, err := s.Require(t.Context(), "db-password", "tls-key")
	if err != nil || ss.Reveal("db-password") != "pw" {
		t.Fatalf("Require: %v", err)
	}
	t.Setenv(dirstore.SystemdCredentials, "")
	if _, err := secretstore.Open(t.Context(), "dir://?dir-env=CREDENTIALS_DIRECTORY"); err == nil {
		t.Fatal("Open without $CREDENTIALS_DIRECTORY succeeded")
	}
}

// TestSymlinksLeavingRootRefused: a link out of the directory, absolute or
// relative, is refused; links inside it are followed.
func TestSymlinksLeavingRootRefused(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "secrets")
	seed(t, parent, map[string]string{"outside": "must-not-be-read", "secrets/inside": "ok"})
	must(t, os.Symlink(filepath.Join(parent, "outside"), filepath.Join(dir, "abs")))
	must(t, os.Symlink("../outside", filepath.Join(dir, "rel")))
	must(t, os.Symlink("..", filepath.Join(dir, "up")))
	must(t, os.Symlink("inside", filepath.Join(dir, "alias")))
	d := open(t, dirURL(dir))
	for _, n := range []string{"abs", "rel", "up/outside"} {
		m, err := d.Get(t.Context(), []string{n})
		if driver.CodeOf(err) != driver.PermissionDenied || len(m) != 0 {
			t.Errorf("Get(%q) through a link out of the directory = %d values, %v; want PermissionDenied", n, len(m), err)
		}
		if err != nil && strings.Contains(err.Error(), "must-not-be-read") {
			t.Error("the error holds the outside file's content")
		}
	}
	if got := get(t, d, "alias"); got["alias"] != "ok" {
		t.Fatalf("a link inside the directory: %v", got)
	}
	if l := list(t, d, ""); !slices.Equal(l, []string{"alias", "inside"}) {
		t.Fatalf("List = %q, want the links out of the directory left out", l)
	}
}

func TestWritableLayout(t *testing.T) {
	dir := t.TempDir()
	d := open(t, dirURL(dir)+"?writable=1")
	ctx := t.Context()
	must(t, d.Set(ctx, "a", "leaf"))
	must(t, d.Set(ctx, "a/b", "nested"))
	if got := get(t, d, "a", "a/b"); got["a"] != "leaf" || got["a/b"] != "nested" {
		t.Fatalf("a and a/b: %v", got)
	}
	fi, err := os.Stat(filepath.Join(dir, "a", "b"))
	must(t, err)
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("file mode %v, want 0600", fi.Mode().Perm())
	}
	if fi, _ := os.Stat(filepath.Join(dir, "a")); fi.Mode().Perm() != 0o700 {
		t.Fatalf("directory mode %v, want 0700", fi.Mode().Perm())
	}
	if l := list(t, d, ""); !slices.Equal(l, []string{"a", "a/b"}) {
		t.Fatalf("List = %q", l)
	}
	must(t, d.Remove(ctx, "a/b"))
	must(t, d.Remove(ctx, "a"))
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Fatalf("%d entries left after removing everything (temporary files or empty directories)", len(ents))
	}
	if err := d.Set(ctx, "big", strings.Repeat("x", dirstore.DefaultMaxSize+1)); !errors.Is(err, err) || driver.CodeOf(err) != driver.InvalidValue {
		t.Fatalf("Set over max-size: %v", err)
	}
}

func TestOpenURL(t *testing.T) {
	dir := t.TempDir()
	for _, bad := range []string{
		"dir://host/x", "dir://", "dir://" + dir + "?writable=1&trim-newline=1",
		"dir://" + dir + "?max-size=0", "dir://" + dir + "?dir-env=X", "dir://" + dir + "?token=x",
		"dir://relative", "dir://" + dir + "?writable=yes", "dir://" + dir + "/missing",
	} {
		u, err := url.Parse(bad)
		if err != nil {
			continue
		}
		if _, err := dirstore.OpenURL(t.Context(), u); err == nil {
			t.Errorf("OpenURL(%q) succeeded", bad)
		}
	}
	f := filepath.Join(dir, "file")
	must(t, os.WriteFile(f, nil, 0o600))
	if _, err := dirstore.OpenURL(t.Context(), &url.URL{Scheme: "dir", Path: f}); err == nil {
		t.Error("OpenURL of a file succeeded")
	}
}

// TestDirectoryGone: a store whose directory disappears reports the
// backend unavailable, not every secret missing, and reads it again once it
// is back.
func TestDirectoryGone(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "mount")
	seed(t, dir, map[string]string{"a": "1"})
	d := open(t, dirURL(dir))
	must(t, os.Chmod(filepath.Join(dir, "a"), 0o600))
	must(t, os.RemoveAll(dir))
	if _, err := d.Get(t.Context(), []string{"a"}); driver.CodeOf(err) != driver.Unavailable {
		t.Fatalf("Get with the directory gone: %v, want Unavailable", err)
	}
	seed(t, dir, map[string]string{"a": "2"})
	if got := get(t, d, "a"); got["a"] != "2" {
		t.Fatalf("Get after the directory came back: %v", got)
	}
}

package dirstore_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/secretstore-go/secretstore"
	"github.com/secretstore-go/secretstore/dirstore"
)

// watcher runs a driver-level Watch and collects the changed names.
type watcher struct {
	t       *testing.T
	changes chan string
	errc    chan error
}

func watch(t *testing.T, d *dirstore.Store, names ...string) *watcher {
	ctx, cancel := context.WithCancel(t.Context())
	w := &watcher{t: t, changes: make(chan string, 100), errc: make(chan error, 1)}
	ready := make(chan struct{})
	go func() {
		w.errc <- d.Watch(ctx, names, func() { close(ready) }, func(n string) { w.changes <- n })
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-w.errc:
			if err != nil {
				t.Errorf("Watch returned %v", err)
			}
		case <-time.After(time.Minute):
			t.Error("Watch did not return after its context ended")
		}
	})
	select {
	case <-ready:
	case err := <-w.errc:
		t.Fatalf("Watch ended before ready: %v", err)
	}
	return w
}

// next returns the next changed name; the timeout bounds a broken watch,
// it is not a synchronisation.
func (w *watcher) next() string {
	w.t.Helper()
	select {
	case n := <-w.changes:
		w.t.Logf("changed %q", n)
		return n
	case err := <-w.errc:
		w.errc <- nil // for the cleanup
		w.t.Fatalf("Watch ended: %v", err)
	case <-time.After(time.Minute):
		w.t.Fatal("no change reported")
	}
	return ""
}

// expect asserts that the next changes are exactly the names, once each, in
// any order, and then that a marker change comes with nothing before it:
// marker() makes a change only the name marker sees, and since the watch
// reports in order, a repeated change would arrive before it.
func (w *watcher) expect(want []string, marker func(), markerName string) {
	w.t.Helper()
	var got []string
	for range want {
		got = append(got, w.next())
	}
	slices.Sort(got)
	want = slices.Sorted(slices.Values(want))
	if !slices.Equal(got, want) {
		w.t.Fatalf("changes %q, want %q once each", got, want)
	}
	marker()
	if n := w.next(); n != markerName {
		w.t.Fatalf("change %q before the marker %q: a name was reported more than once", n, markerName)
	}
}

// TestWatchKubeletSwap: a kubelet update that changes two keys, removes one
// and adds one reports each of these names once, and not the unchanged one.
func TestWatchKubeletSwap(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "mount")
	v1 := map[string]string{"username": "app", "password": "pw-1", "old": "o", "host": "db", "marker": "0"}
	k := newKubelet(t, dir, v1)
	d := open(t, dirURL(dir))
	w := watch(t, d, "username", "password", "old", "new", "host", "marker")
	v2 := map[string]string{"username": "app2", "password": "pw-2", "new": "n", "host": "db", "marker": "0"}
	k.write(v2)
	v3 := map[string]string{"username": "app2", "password": "pw-2", "new": "n", "host": "db", "marker": "1"}
	w.expect([]string{"username", "password", "old", "new"}, func() { k.write(v3) }, "marker")
	// A swap that changes nothing reports nothing: the next change is the
	// marker's.
	k.write(v3)
	v3["marker"] = "2"
	k.write(v3)
	if n := w.next(); n != "marker" {
		t.Fatalf("an update that changed nothing reported %q", n)
	}
}

// TestWatchPortableStore: the portable Store's Watch over the driver is
// pushed, and reports one Change per affected name through a kubelet swap.
func TestWatchPortableStore(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "mount")
	k := newKubelet(t, dir, map[string]string{"a": "1", "b": "1", "c": "1"})
	s := secretstore.New(open(t, dirURL(dir)))
	defer s.Close()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	// An hour between polls: a change seen in this test was pushed.
	ch, err := s.Watch(ctx, []string{"a", "b", "c"}, secretstore.WatchOptions{Interval: time.Hour})
	must(t, err)
	k.write(map[string]string{"a": "2", "b": "2", "c": "1"})
	seen := map[string]int{}
	for range 2 {
		select {
		case c := <-ch:
			if c.Err != nil {
				t.Fatal(c.Err)
			}
			seen[c.Name]++
		case <-time.After(time.Minute):
			t.Fatal("no change pushed")
		}
	}
	k.write(map[string]string{"a": "2", "b": "2", "c": "2"})
	select {
	case c := <-ch:
		if c.Name != "c" {
			t.Fatalf("change %+v before c's: a name reported twice", c)
		}
	case <-time.After(time.Minute):
		t.Fatal("no change pushed")
	}
	if seen["a"] != 1 || seen["b"] != 1 {
		t.Fatalf("changes %v, want a and b once", seen)
	}
}

// put writes a file the way a careful writer does: a temporary file
// renamed over the name, so readers see the old or the new content.
func put(t testing.TB, p, value string) {
	must(t, os.MkdirAll(filepath.Dir(p), 0o755))
	tmp := filepath.Join(filepath.Dir(p), "tmp~")
	must(t, os.WriteFile(tmp, []byte(value), 0o600))
	must(t, os.Rename(tmp, p))
}

// rewrite changes a file in place, in one write and without truncating it
// first (a truncation is a change of its own, which the watch may see).
func rewrite(t *testing.T, p, value string) {
	f, err := os.OpenFile(p, os.O_WRONLY, 0)
	must(t, err)
	_, err = f.WriteAt([]byte(value), 0)
	must(t, err)
	must(t, f.Close())
}

// TestWatchPlainDirectory: in-place rewrites, new and removed files, in the
// directory and below it.
func TestWatchPlainDirectory(t *testing.T) {
	dir := t.TempDir()
	seed(t, dir, map[string]string{"a": "1", "sub/b": "1"})
	put(t, filepath.Join(dir, "marker"), "0")
	d := open(t, dirURL(dir))
	w := watch(t, d, "a", "sub/b", "sub/deep/c", "new", "marker")
	marker := 0
	mark := func() {
		marker++
		rewrite(t, filepath.Join(dir, "marker"), string(rune('0'+marker)))
	}
	must(t, os.Chmod(filepath.Join(dir, "a"), 0o600))
	w.expect(nil, mark, "marker") // a change of mode alone is no change
	rewrite(t, filepath.Join(dir, "a"), "2")
	w.expect([]string{"a"}, mark, "marker")
	put(t, filepath.Join(dir, "sub", "b"), "2")
	w.expect([]string{"sub/b"}, mark, "marker")
	// New files, one in a directory that did not exist when the watch
	// began.
	put(t, filepath.Join(dir, "new"), "n")
	put(t, filepath.Join(dir, "sub", "deep", "c"), "c")
	w.expect([]string{"new", "sub/deep/c"}, mark, "marker")
	rewrite(t, filepath.Join(dir, "sub", "deep", "c"), "C")
	w.expect([]string{"sub/deep/c"}, mark, "marker")
	must(t, os.Remove(filepath.Join(dir, "a")))
	must(t, os.RemoveAll(filepath.Join(dir, "sub")))
	w.expect([]string{"a", "sub/b", "sub/deep/c"}, mark, "marker")
}

// TestWatchDirectoryReplaced: the directory itself is replaced (a new one
// renamed over its path; removed, then made again); the watch follows it.
func TestWatchDirectoryReplaced(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "secrets")
	seed(t, dir, map[string]string{"a": "1", "b": "1"})
	d := open(t, dirURL(dir))
	w := watch(t, d, "a", "b")
	seed(t, filepath.Join(parent, "next"), map[string]string{"a": "2", "b": "1"})
	must(t, os.Rename(dir, filepath.Join(parent, "old")))
	must(t, os.Rename(filepath.Join(parent, "next"), dir))
	if n := w.next(); n != "a" {
		t.Fatalf("after the directory was replaced: change %q, want a", n)
	}
	// The new directory is watched: a change in it is seen, and nothing
	// from the old one.
	rewrite(t, filepath.Join(parent, "old", "b"), "x")
	must(t, os.Chmod(filepath.Join(dir, "b"), 0o600))
	rewrite(t, filepath.Join(dir, "b"), "2")
	if n := w.next(); n != "b" {
		t.Fatalf("a change in the new directory: %q, want b", n)
	}
	// Removed: both names go once each; made again: a comes back once.
	must(t, os.Chmod(filepath.Join(dir, "a"), 0o600))
	must(t, os.RemoveAll(dir))
	got := []string{w.next(), w.next()}
	slices.Sort(got)
	if !slices.Equal(got, []string{"a", "b"}) {
		t.Fatalf("changes after the directory was removed: %q, want a and b", got)
	}
	seed(t, filepath.Join(parent, "again"), map[string]string{"a": "3"})
	must(t, os.Rename(filepath.Join(parent, "again"), dir))
	if n := w.next(); n != "a" {
		t.Fatalf("after the directory was made again: change %q, want a", n)
	}
	put(t, filepath.Join(dir, "b"), "4")
	if n := w.next(); n != "b" {
		t.Fatalf("a new file in the directory made again: %q, want b", n)
	}
}

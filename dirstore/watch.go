package dirstore

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/fsnotify/fsnotify"

	"github.com/secretstore-go/secretstore/driver"
)

// Watch implements [driver.Watcher] with fsnotify (inotify on Linux,
// kqueue on the BSDs and macOS, ReadDirectoryChangesW on Windows). It
// watches the directories on the way to each name (and, in a directory
// kubelet manages, its current timestamped directory), and the directory's
// parent, so that it follows the directory itself being replaced.
//
// After every burst of events it reads the names again, the way Get does
// (so a kubelet swap is seen whole or not at all), and calls changed once
// for each name whose file appeared, disappeared or holds other bytes: a
// kubelet swap, an in-place rewrite, a new or a removed file each give
// exactly one change per affected name. Values are compared by an HMAC
// under a key made for this watch; the watch keeps no value.
func (s *Store) Watch(ctx context.Context, names []string, ready func(), changed func(name string)) error {
	names = slices.Compact(slices.Sorted(slices.Values(names)))
	w := &dirWatch{s: s, names: names, key: make([]byte, 32)}
	rand.Read(w.key)
	defer func() {
		if w.fw != nil {
			w.fw.Close()
		}
	}()
	last, err := w.read(ctx)
	if err != nil {
		return err
	}
	ready()
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-w.fw.Errors:
			if !errors.Is(err, fsnotify.ErrEventOverflow) {
				return driver.NewError(driver.Unavailable, err)
			}
			// Events were lost: read everything again, below.
		case ev := <-w.fw.Events:
			if !w.relevant(ev) {
				continue
			}
		}
		w.drain()
		cur, err := w.read(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			return err
		}
		for _, n := range names {
			a, had := last[n]
			b, has := cur[n]
			if had != has || !hmac.Equal(a, b) {
				changed(n)
			}
		}
		last = cur
	}
}

type dirWatch struct {
	s       *Store
	fw      *fsnotify.Watcher
	names   []string
	watched map[string]os.FileInfo // OS path -> the directory watched there
	key     []byte
}

// relevant drops events in the parent directory about anything but the
// store's directory itself.
func (w *dirWatch) relevant(ev fsnotify.Event) bool {
	return filepath.Dir(ev.Name) != filepath.Dir(w.s.dir) || ev.Name == w.s.dir || filepath.Dir(w.s.dir) == w.s.dir
}

// drain takes the events already queued, which the read that follows
// covers.
func (w *dirWatch) drain() {
	for {
		select {
		case <-w.fw.Events:
		default:
			return
		}
	}
}

// read watches the directories the names go through and then reads the
// names. When the directories changed during the read, it reads again under
// the new watches, so nothing that happens after the read it returns is
// missed.
func (w *dirWatch) read(ctx context.Context) (map[string][]byte, error) {
	if _, err := w.resync(); err != nil {
		return nil, err
	}
	for {
		snap, err := w.snapshot(ctx)
		if err != nil {
			return nil, err
		}
		renewed, err := w.resync()
		if err != nil || !renewed {
			return snap, err
		}
	}
}

// snapshot reads the names and returns an HMAC of each value found. While
// the directory is missing (removed, to be made again) no name exists.
func (w *dirWatch) snapshot(ctx context.Context) (map[string][]byte, error) {
	vals, err := w.s.Get(ctx, w.names)
	if err != nil {
		if driver.CodeOf(err) == driver.NotFound {
			return nil, nil // the directory itself is missing
		}
		return nil, err
	}
	out := make(map[string][]byte, len(vals))
	for n, v := range vals {
		m := hmac.New(sha256.New, w.key)
		m.Write([]byte(v))
		out[n] = m.Sum(nil)
	}
	return out, nil
}

// resync watches the directories the names go through now. When that set
// of directories changed (one appeared or went, or a path leads to another
// directory than before, as after a kubelet swap or the directory being
// replaced), it starts a new fsnotify watcher on the new set rather than
// patching the old one, whose path bookkeeping renames would confuse: the
// read that follows every resync covers what happened in between.
func (w *dirWatch) resync() (renewed bool, err error) {
	want := map[string]os.FileInfo{}
	add := func(p string) {
		if fi, err := os.Stat(p); err == nil && fi.IsDir() {
			want[p] = fi
		}
	}
	add(filepath.Dir(w.s.dir))
	add(w.s.dir)
	if r, err := os.OpenRoot(w.s.dir); err == nil {
		v := newView(r)
		for _, n := range w.names {
			for _, d := range dirsOf(v, n) {
				add(filepath.Join(w.s.dir, filepath.FromSlash(d)))
			}
		}
		r.Close()
	}
	same := w.fw != nil && len(want) == len(w.watched)
	for p, fi := range want {
		if old, ok := w.watched[p]; !same || !ok || !os.SameFile(old, fi) {
			same = false
			break
		}
	}
	if same {
		return false, nil
	}
	fw, err := fsnotify.NewWatcher()
	if err != nil {
		return false, driver.NewError(driver.Unavailable, err)
	}
	if w.fw != nil {
		w.fw.Close()
	}
	w.fw, w.watched = fw, map[string]os.FileInfo{}
	for p, fi := range want {
		if fw.Add(p) == nil { // it may have gone meanwhile
			w.watched[p] = fi
		}
	}
	return true, nil
}

// dirsOf returns the directories below the root (as paths below it) whose
// changes can change name: each directory on its way, the ..data target of
// a kubelet directory, and name's own directory when its value is a
// .~value file.
func dirsOf(v *view, name string) []string {
	var out []string
	dir := "."
	for l := range strings.SplitSeq(name, "/") {
		if fi, err := v.r.Stat(dir); err != nil || !fi.IsDir() {
			return out
		}
		out = append(out, dir)
		t, err := v.target(dir)
		if err != nil {
			return out
		}
		if t != "" {
			dir = path.Join(dir, t)
			out = append(out, dir)
		}
		dir = path.Join(dir, l)
	}
	if fi, err := v.r.Stat(dir); err == nil && fi.IsDir() {
		out = append(out, dir)
	}
	return out
}

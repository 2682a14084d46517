package dirstore

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"io/fs"
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
// exactly one change per affected name. A writer that truncates a file
// and then writes it may be seen in between, as by any reader: writers
// should rename (as kubelet and writable mode do). Writes through this
// Store are reported at once, each once and in order, as storetest's
// Watcher contract asks. Values are compared by an HMAC under a key made
// for this watch; the watch keeps no value.
func (s *Store) Watch(ctx context.Context, names []string, ready func(), changed func(name string)) error {
	names = slices.Compact(slices.Sorted(slices.Values(names)))
	w := &dirWatch{s: s, names: names, want: map[string]bool{}, changed: changed, key: make([]byte, 32)}
	for _, n := range names {
		w.want[n] = true
	}
	rand.Read(w.key)
	defer func() {
		s.mu.Lock()
		delete(s.watches, w)
		s.mu.Unlock()
		if w.fw != nil {
			w.fw.Close()
		}
	}()
	s.mu.Lock()
	last, err := w.read(ctx)
	if err != nil {
		s.mu.Unlock()
		return err
	}
	w.last = last
	if s.watches == nil {
		s.watches = map[*dirWatch]bool{}
	}
	s.watches[w] = true
	ready()
	s.mu.Unlock()
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
		if err := w.update(ctx); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
	}
}

// update reads the names again and reports those that changed. It holds
// the store's write lock, so that a write through the store, which
// reports itself (see notify), is not reported again.
func (w *dirWatch) update(ctx context.Context) error {
	w.s.mu.Lock()
	defer w.s.mu.Unlock()
	cur, err := w.read(ctx)
	if err != nil {
		return err
	}
	for _, n := range w.names {
		a, had := w.last[n]
		b, has := cur[n]
		if had != has || !hmac.Equal(a, b) {
			w.changed(n)
		}
	}
	w.last = cur
	return nil
}

// notify reports a write through the store to its watches at once, in the
// order of the writes, before the file system's events arrive (which then
// find nothing new). value nil: removed. The caller holds s.mu.
func (s *Store) notify(name string, value *string) {
	for w := range s.watches {
		if !w.want[name] {
			continue
		}
		old, had := w.last[name]
		if value == nil {
			if had {
				delete(w.last, name)
				w.changed(name)
			}
			continue
		}
		sum := w.sum(*value)
		if !had || !hmac.Equal(old, sum) {
			w.last[name] = sum
			w.changed(name)
		}
	}
}

type dirWatch struct {
	s       *Store
	fw      *fsnotify.Watcher
	names   []string
	want    map[string]bool
	changed func(string)
	last    map[string][]byte      // name -> HMAC of its value, as last reported
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
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil // the directory itself is missing
		}
		return nil, err
	}
	out := make(map[string][]byte, len(vals))
	for n, v := range vals {
		out[n] = w.sum(v)
	}
	return out, nil
}

func (w *dirWatch) sum(v string) []byte {
	m := hmac.New(sha256.New, w.key)
	m.Write([]byte(v))
	return m.Sum(nil)
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

package dirstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
	"sync"
	"syscall"

	"github.com/secretstore-go/secretstore/driver"
)

// SystemdCredentials is the environment variable in which systemd passes a
// service its credentials directory (LoadCredential=, SetCredential=); use it
// as [Options.DirEnv], or in a URL as dir://?dir-env=CREDENTIALS_DIRECTORY.
const SystemdCredentials = "CREDENTIALS_DIRECTORY"

// DefaultMaxSize is the largest value read or written when
// [Options.MaxSize] is 0: 1 MiB, the largest Kubernetes Secret.
const DefaultMaxSize = 1 << 20

// Names of files the driver gives special meaning to. "~" is not in the
// portable alphabet, so no portable name can address them.
const (
	dataLink  = "..data"  // kubelet's symlink to the current timestamped directory
	valueFile = ".~value" // the value of a name that is also a directory
	tmpPrefix = ".~tmp-"  // a file being written
	convDir   = ".~conv-" // a file being turned into a directory
	maxTries  = 64        // reads retried while kubelet swaps go on
	maxDepth  = 64        // directory levels walked by List
)

// Options configures a [Store].
type Options struct {
	// Dir is the directory of secret files, an absolute path.
	Dir string
	// DirEnv, used when Dir is empty, names an environment variable that
	// holds the directory, read by [New]: [SystemdCredentials] for
	// systemd's credentials directory.
	DirEnv string
	// Writable lets Set and Remove change the directory (for local
	// development): atomic writes of 0600 files. By default the store is
	// read-only, as mounted secrets are.
	Writable bool
	// TrimNewline removes one trailing "\n" or "\r\n" from every value
	// read, for files written by hand or by `echo`. It cannot be combined
	// with Writable, since a value ending in a newline would not read back.
	TrimNewline bool
	// MaxSize is the largest file read or value written, in bytes
	// (default [DefaultMaxSize]). A larger file is an error with code
	// [driver.InvalidValue], so a wrong directory cannot fill memory.
	MaxSize int
}

// Store is a directory of secret files. It implements [driver.Store],
// [driver.Lister] and [driver.Watcher]. It keeps no file or directory open
// between calls, so it follows the directory when it is replaced.
type Store struct {
	dir      string
	writable bool
	trim     bool
	maxSize  int

	// mu serialises Set and Remove, and the watches' reads with them, so
	// that a watch reports the store's own writes once each, in order.
	mu      sync.Mutex
	watches map[*dirWatch]bool
}

var (
	_ driver.Store   = (*Store)(nil)
	_ driver.Lister  = (*Store)(nil)
	_ driver.Watcher = (*Store)(nil)
)

// New returns a Store over the directory o describes, which must exist.
func New(o Options) (*Store, error) {
	dir := o.Dir
	if dir == "" && o.DirEnv != "" {
		dir = os.Getenv(o.DirEnv)
		if dir == "" {
			return nil, driver.Errorf(driver.NotFound, "dirstore: the environment variable %s is not set (a systemd unit sets CREDENTIALS_DIRECTORY when it has LoadCredential=)", o.DirEnv)
		}
	}
	if dir == "" {
		return nil, errors.New("dirstore: no directory given")
	}
	if o.Writable && o.TrimNewline {
		return nil, errors.New("dirstore: TrimNewline cannot be combined with Writable")
	}
	if o.MaxSize < 0 {
		return nil, errors.New("dirstore: MaxSize is negative")
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, classify(err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("dirstore: %s is not a directory", dir)
	}
	s := &Store{dir: dir, writable: o.Writable, trim: o.TrimNewline, maxSize: o.MaxSize}
	if s.maxSize == 0 {
		s.maxSize = DefaultMaxSize
	}
	return s, nil
}

// Dir returns the directory the store reads.
func (s *Store) Dir() string { return s.dir }

// Close does nothing: the store keeps nothing open.
func (s *Store) Close() error { return nil }

// openRoot opens the directory for one operation. Every path below it is
// resolved by [os.Root], which refuses to leave it, through ".." or a
// symbolic link.
func (s *Store) openRoot() (*os.Root, error) {
	r, err := os.OpenRoot(s.dir)
	if errors.Is(err, fs.ErrNotExist) {
		// A mount that is gone (or being replaced): the backend, not a
		// secret, is missing.
		return nil, driver.NewError(driver.Unavailable, fmt.Errorf("dirstore: the directory is missing: %w", err))
	}
	if err != nil {
		return nil, classify(err)
	}
	return r, nil
}

// view resolves names in one root during one operation, and remembers the
// kubelet directories it went through and where their ..data pointed, so
// that the operation can check that no swap happened meanwhile.
type view struct {
	r     *os.Root
	links map[string]string // directory -> its ..data target, "" if none
}

func newView(r *os.Root) *view { return &view{r: r, links: map[string]string{}} }

// target returns where dir's ..data link points when dir is a directory
// that kubelet manages, or "".
func (v *view) target(dir string) (string, error) {
	if t, ok := v.links[dir]; ok {
		return t, nil
	}
	t, err := readDataLink(v.r, dir)
	if err != nil {
		return "", err
	}
	v.links[dir] = t
	return t, nil
}

func readDataLink(r *os.Root, dir string) (string, error) {
	p := path.Join(dir, dataLink)
	fi, err := r.Lstat(p)
	if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		return "", nil // not kubelet's layout; a real fault shows when the file is read
	}
	t, err := r.Readlink(p)
	if err != nil {
		return "", classify(err)
	}
	if t == "" || t == "." || t == ".." || strings.ContainsAny(t, `/\`) {
		return "", driver.Errorf(driver.PermissionDenied, "dirstore: %s: the ..data link does not name a directory beside it", path.Join(dir, dataLink))
	}
	return t, nil
}

// stable reports whether every ..data link the view went through still
// points where it did.
func (v *view) stable() (bool, error) {
	for dir, t := range v.links {
		if t == "" {
			continue
		}
		now, err := readDataLink(v.r, dir)
		if err != nil {
			return false, err
		}
		if now != t {
			return false, nil
		}
	}
	return true, nil
}

// resolve returns the path below the root that holds name's levels, going
// through the current ..data target of every kubelet directory on the way.
// ok is false when name cannot be a secret there (a level starting with ".."
// inside a kubelet directory is kubelet's bookkeeping).
func (v *view) resolve(name string) (p string, ok bool, err error) {
	dir := "."
	for l := range strings.SplitSeq(name, "/") {
		t, err := v.target(dir)
		if err != nil {
			return "", false, err
		}
		if t != "" {
			if strings.HasPrefix(l, "..") {
				return "", false, nil
			}
			dir = path.Join(dir, t)
		}
		dir = path.Join(dir, l)
	}
	return dir, true, nil
}

// read returns the value of name, and whether it exists.
func (s *Store) read(v *view, name string) (string, bool, error) {
	p, ok, err := v.resolve(name)
	if err != nil || !ok {
		return "", false, err
	}
	fi, err := v.r.Stat(p)
	if err != nil {
		return "", false, missingOr(name, err)
	}
	if fi.IsDir() {
		p = path.Join(p, valueFile)
		if fi, err = v.r.Stat(p); err != nil {
			return "", false, missingOr(name, err)
		}
	}
	if !fi.Mode().IsRegular() {
		return "", false, nil // a socket, device or pipe is not a secret
	}
	f, err := v.r.OpenFile(p, os.O_RDONLY|openFlags, 0)
	if err != nil {
		return "", false, missingOr(name, err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return "", false, missingOr(name, err)
	}
	b, err := io.ReadAll(io.LimitReader(f, int64(s.maxSize)+1))
	if err != nil {
		return "", false, classify(err)
	}
	if len(b) > s.maxSize {
		return "", false, driver.Errorf(driver.InvalidValue, "dirstore: %q: the file is larger than %d bytes (max-size)", name, s.maxSize)
	}
	if s.trim {
		b = trimNewline(b)
	}
	return string(b), true, nil
}

func trimNewline(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
		if n := len(b); n > 0 && b[n-1] == '\r' {
			b = b[:n-1]
		}
	}
	return b
}

// Get reads the files of names. Names in a directory kubelet manages are
// read through one resolution of its ..data link, checked again after the
// reads: a read during a swap is repeated, so it returns the old or the new
// set of values, never a mix.
func (s *Store) Get(ctx context.Context, names []string) (map[string]string, error) {
	for range maxTries {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		out, stable, err := s.getOnce(ctx, names)
		if err != nil || stable {
			return out, err
		}
	}
	return nil, driver.Errorf(driver.Unavailable, "dirstore: the directory kept changing during %d reads", maxTries)
}

func (s *Store) getOnce(ctx context.Context, names []string) (map[string]string, bool, error) {
	r, err := s.openRoot()
	if err != nil {
		return nil, false, err
	}
	defer r.Close()
	v := newView(r)
	var out map[string]string
	for _, n := range names {
		if err := ctx.Err(); err != nil {
			return nil, false, err
		}
		val, ok, err := s.read(v, n)
		if err != nil {
			return nil, false, err
		}
		if ok {
			if out == nil {
				out = make(map[string]string, len(names))
			}
			out[n] = val
		}
	}
	stable, err := v.stable()
	return out, stable, err
}

// List returns the names of the regular files below the directory that
// start with prefix, walking into subdirectories (and symbolic links to
// directories inside the root). Files whose name is not a portable name
// level, and kubelet's ".."-entries, are left out.
func (s *Store) List(ctx context.Context, prefix string) ([]string, error) {
	for range maxTries {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		r, err := s.openRoot()
		if err != nil {
			return nil, err
		}
		v := newView(r)
		var out []string
		err = s.walk(ctx, v, ".", "", prefix, nil, &out)
		stable := false
		if err == nil {
			stable, err = v.stable()
		}
		r.Close()
		if err != nil || stable {
			return out, err
		}
	}
	return nil, driver.Errorf(driver.Unavailable, "dirstore: the directory kept changing during %d listings", maxTries)
}

// walk lists directory dir (a path below the root) whose names start with
// name ("" at the root). above holds the directories walked through, to
// stop at a symbolic link that loops.
func (s *Store) walk(ctx context.Context, v *view, dir, name, prefix string, above []os.FileInfo, out *[]string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(above) > maxDepth {
		return nil
	}
	t, err := v.target(dir)
	if err != nil {
		return err
	}
	if t != "" {
		dir = path.Join(dir, t) // kubelet's visible entries are links into it
	}
	self, err := v.r.Stat(dir)
	if err != nil {
		return skipMissing(err)
	}
	for _, a := range above {
		if os.SameFile(a, self) {
			return nil // a link back up
		}
	}
	above = append(above, self)
	f, err := v.r.Open(dir)
	if err != nil {
		return skipMissing(err)
	}
	entries, err := f.ReadDir(-1)
	f.Close()
	if err != nil {
		return skipMissing(err)
	}
	for _, e := range entries {
		l := e.Name()
		if l == valueFile && name != "" {
			if fi, err := v.r.Stat(path.Join(dir, l)); err == nil && fi.Mode().IsRegular() && strings.HasPrefix(name, prefix) {
				*out = append(*out, name)
			}
			continue
		}
		if !validLevel(l) || (t != "" && strings.HasPrefix(l, "..")) {
			continue
		}
		full := l
		if name != "" {
			full = name + "/" + l
		}
		if !strings.HasPrefix(full, prefix) && !strings.HasPrefix(prefix, full+"/") {
			continue
		}
		fi, err := v.r.Stat(path.Join(dir, l))
		if err != nil {
			continue // a dangling link, or one that leaves the root
		}
		switch {
		case fi.IsDir():
			if err := s.walk(ctx, v, path.Join(dir, l), full, prefix, above, out); err != nil {
				return err
			}
		case fi.Mode().IsRegular() && strings.HasPrefix(full, prefix):
			*out = append(*out, full)
		}
	}
	return nil
}

// validLevel reports whether l can be one level of a portable name.
func validLevel(l string) bool {
	if l == "" || l == "." || l == ".." || len(l) > 255 {
		return false
	}
	for i := 0; i < len(l); i++ {
		c := l[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!._-:@+=", c) >= 0) {
			return false
		}
	}
	return true
}

// Set writes value to name's file atomically: a temporary 0600 file in the
// same directory, written, synced, renamed over the name, and the directory
// synced. Missing directories are made with mode 0700. It needs
// [Options.Writable].
func (s *Store) Set(ctx context.Context, name, value string) error {
	if err := s.writeCheck(ctx); err != nil {
		return err
	}
	if len(value) > s.maxSize {
		return driver.Errorf(driver.InvalidValue, "dirstore: the value is larger than %d bytes (max-size)", s.maxSize)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.openRoot()
	if err != nil {
		return err
	}
	defer r.Close()
	levels := strings.Split(name, "/")
	dir := "."
	for _, l := range levels[:len(levels)-1] {
		if err := s.plainDir(r, dir); err != nil {
			return err
		}
		if err := makeDir(r, dir, l); err != nil {
			return err
		}
		dir = path.Join(dir, l)
	}
	if err := s.plainDir(r, dir); err != nil {
		return err
	}
	p := path.Join(dir, levels[len(levels)-1])
	if fi, err := r.Lstat(p); err == nil && fi.IsDir() {
		dir, p = p, path.Join(p, valueFile) // name is also a directory
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := writeAtomic(r, dir, p, value); err != nil {
		return err
	}
	s.notify(name, &value)
	return nil
}

func (s *Store) writeCheck(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if !s.writable {
		return driver.Errorf(driver.NotSupported, "dirstore: %s is read-only (open it with writable=1 to change it)", s.dir)
	}
	return nil
}

// plainDir refuses to write in a directory kubelet manages.
func (s *Store) plainDir(r *os.Root, dir string) error {
	t, err := readDataLink(r, dir)
	if err != nil {
		return err
	}
	if t != "" {
		return driver.Errorf(driver.NotSupported, "dirstore: %s is managed by kubelet (it has a ..data link): not writable", path.Join(s.dir, dir))
	}
	return nil
}

// makeDir makes sure dir/l is a directory. A regular file there (the value
// of a shorter name, "a" when "a/b" is set) moves into the new directory as
// its .~value file: it is missing for readers for the moment between two
// renames.
func makeDir(r *os.Root, dir, l string) error {
	p := path.Join(dir, l)
	fi, err := r.Lstat(p)
	switch {
	case err == nil && fi.IsDir():
		return nil
	case err == nil && fi.Mode()&fs.ModeSymlink != 0:
		if fi, err := r.Stat(p); err == nil && fi.IsDir() {
			return nil
		}
		return driver.Errorf(driver.Conflict, "dirstore: %s is a symbolic link that is not a directory", p)
	case err == nil && fi.Mode().IsRegular():
		tmp := path.Join(dir, convDir+randName())
		if err := r.Mkdir(tmp, 0o700); err != nil {
			return classify(err)
		}
		if err := r.Rename(p, path.Join(tmp, valueFile)); err != nil {
			r.Remove(tmp)
			return classify(err)
		}
		if err := r.Rename(tmp, p); err != nil {
			return classify(err)
		}
		syncDir(r, dir)
		return nil
	case err == nil:
		return driver.Errorf(driver.Conflict, "dirstore: %s is neither a file nor a directory", p)
	case errors.Is(err, fs.ErrNotExist):
		if err := r.Mkdir(p, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
			return classify(err)
		}
		syncDir(r, dir)
		return nil
	}
	return classify(err)
}

func writeAtomic(r *os.Root, dir, p, value string) error {
	tmp := path.Join(dir, tmpPrefix+randName())
	f, err := r.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return classify(err)
	}
	_, err = io.WriteString(f, value)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = r.Rename(tmp, p)
	}
	if err != nil {
		r.Remove(tmp)
		return classify(err)
	}
	syncDir(r, dir)
	return nil
}

// Remove deletes name's file, and the directories that this leaves empty.
// It needs [Options.Writable].
func (s *Store) Remove(ctx context.Context, name string) error {
	if err := s.writeCheck(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.openRoot()
	if err != nil {
		return err
	}
	defer r.Close()
	v := newView(r)
	p, ok, err := v.resolve(name)
	if err != nil || !ok {
		return err
	}
	for dir, t := range v.links {
		if t != "" {
			return driver.Errorf(driver.NotSupported, "dirstore: %s is managed by kubelet (it has a ..data link): not writable", path.Join(s.dir, dir))
		}
	}
	fi, err := r.Lstat(p)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
		return nil
	}
	if err != nil {
		return classify(err)
	}
	if fi.IsDir() {
		p = path.Join(p, valueFile)
	}
	if err := r.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return classify(err)
	}
	dir := path.Dir(p)
	for dir != "." && r.Remove(dir) == nil { // fails when not empty
		dir = path.Dir(dir)
	}
	syncDir(r, dir)
	s.notify(name, nil)
	return nil
}

func syncDir(r *os.Root, dir string) {
	if d, err := r.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

func randName() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// missingOr returns nil for an error that means name has no file (it does
// not exist, or a level of it is a file), and a classified error otherwise.
func missingOr(name string, err error) error {
	if err == nil || errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
		return nil
	}
	if escapes(err) {
		return driver.Errorf(driver.PermissionDenied, "dirstore: %q: a symbolic link leads out of the directory; refused", name)
	}
	return classify(err)
}

func skipMissing(err error) error {
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) || escapes(err) {
		return nil
	}
	return classify(err)
}

// escapes reports the error os.Root returns for a path that would leave
// it. The os package exports no sentinel for it.
func escapes(err error) bool {
	var pe *fs.PathError
	return errors.As(err, &pe) && pe.Err != nil && pe.Err.Error() == "path escapes from parent"
}

func classify(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, fs.ErrNotExist):
		return driver.NewError(driver.NotFound, err)
	case errors.Is(err, fs.ErrPermission):
		return driver.NewError(driver.PermissionDenied, err)
	case escapes(err):
		return driver.NewError(driver.PermissionDenied, err)
	}
	return driver.NewError(driver.Unknown, err)
}

package filestore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/secretstore-go/secretstore/driver"
	"github.com/secretstore-go/secretstore/internal/envelope"
)

// DefaultLockTimeout is how long an operation waits for another process's
// lock on the file when [Options.LockTimeout] is zero.
const DefaultLockTimeout = 5 * time.Second

// Options configure [Init] and [Open]. The zero value is the default.
type Options struct {
	// LockTimeout is how long an operation (or Open, in KeepOpen mode)
	// waits for another process that holds the file's lock before failing
	// with [ErrLocked]. Zero means [DefaultLockTimeout]; a negative value
	// means no limit. A context's deadline shortens it.
	LockTimeout time.Duration

	// KeepOpen holds the database open, with its exclusive lock, from Open
	// to Close, instead of opening it for each operation. Operations are
	// faster (see the package documentation) but no other process can use
	// the file meanwhile: they wait LockTimeout, then fail with
	// [ErrLocked].
	KeepOpen bool

	// Argon2 are the parameters to stretch a passphrase with in Init and
	// Rekey; nil means [DefaultArgon2]. Open always uses the parameters
	// stored in the file.
	Argon2 *Argon2Params
}

// Store is an encrypted secret store in one bbolt file. It implements
// [driver.Store], [driver.Lister], [driver.Versioner] and [driver.Swapper],
// and is safe for concurrent use by
// multiple goroutines and, through the file's lock, multiple processes.
type Store struct {
	path string
	opts Options

	id      [envelope.IDSize]byte
	dataKey []byte
	rc      *envelope.Records

	// Per-operation mode: the process-wide lock of the file.
	lockKey string
	plock   *pathLock

	// KeepOpen mode: the database, and the error that made it unusable
	// (a fault while reading it).
	db     *bolt.DB
	broken atomic.Pointer[error]

	mu     sync.RWMutex // operations hold it shared, Close exclusively
	closed bool
}

var (
	_ driver.Store     = (*Store)(nil)
	_ driver.Lister    = (*Store)(nil)
	_ driver.Versioner = (*Store)(nil)
	_ driver.Swapper   = (*Store)(nil)
)

func (o Options) withDefaults() Options {
	if o.LockTimeout == 0 {
		o.LockTimeout = DefaultLockTimeout
	}
	return o
}

// Init creates a new store file at path, protected by key. It creates the
// parent directory with mode 0700 if needed and the file with mode 0600. It
// refuses to replace an existing file: the error then matches [fs.ErrExist].
// The file appears at path complete or not at all.
func Init(path string, key KeySource, opts Options) error {
	return classify(initStore(path, key, opts))
}

func initStore(path string, key KeySource, opts Options) error {
	if _, err := os.Lstat(path); err == nil {
		return fmt.Errorf("filestore: %s already exists: %w", path, fs.ErrExist)
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("filestore: %w", err)
	}
	h, dataKey, err := headerFormat.NewStore(key, opts.argon2())
	if err != nil {
		return err
	}
	clear(dataKey) // the data key is unwrapped again by Open

	// Build the file under a temporary name, then link it into place, which
	// fails if path exists.
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".init-*")
	if err != nil {
		return fmt.Errorf("filestore: %w", err)
	}
	tmpPath := tmp.Name()
	tmp.Close()
	defer os.Remove(tmpPath)
	db, err := bolt.Open(tmpPath, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		return fmt.Errorf("filestore: create %s: %w", tmpPath, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		meta, err := tx.CreateBucket(bucketMeta)
		if err != nil {
			return err
		}
		if err := meta.Put(keyHeader, h.Encode()); err != nil {
			return err
		}
		_, err = tx.CreateBucket(bucketSecrets)
		return err
	})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("filestore: create %s: %w", tmpPath, err)
	}
	if err := os.Link(tmpPath, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("filestore: %s already exists: %w", path, fs.ErrExist)
		}
		// No hard links on this file system: rename, having checked that
		// nothing is at path.
		if _, serr := os.Lstat(path); serr == nil {
			return fmt.Errorf("filestore: %s already exists: %w", path, fs.ErrExist)
		}
		if err := os.Rename(tmpPath, path); err != nil {
			return fmt.Errorf("filestore: %w", err)
		}
	}
	envelope.SyncDir(dir)
	return nil
}

// Open opens the store file at path with key. It reads the file's header and
// unwraps the data key, so a wrong key fails here with [ErrWrongKey] and a
// damaged header with [ErrCorrupt]. With a passphrase, Open runs argon2id
// with the file's parameters. A missing file fails with an error matching
// [fs.ErrNotExist].
func Open(path string, key KeySource, opts Options) (*Store, error) {
	return open(context.Background(), path, key, opts)
}

func open(ctx context.Context, path string, key KeySource, opts Options) (*Store, error) {
	s := &Store{path: path, opts: opts.withDefaults()}
	if s.opts.KeepOpen {
		db, err := openBolt(ctx, path, false, s.opts.LockTimeout, nil)
		if err != nil {
			return nil, classify(err)
		}
		s.db = db
	} else {
		s.lockKey = lockKey(path)
		s.plock = acquirePathLock(s.lockKey)
	}
	if err := s.unlock(ctx, key); err != nil {
		if s.db != nil {
			s.db.Close()
		} else {
			releasePathLock(s.lockKey)
		}
		return nil, classify(err)
	}
	return s, nil
}

// unlock reads the header and unwraps the data key with key.
func (s *Store) unlock(ctx context.Context, key KeySource) error {
	var h *envelope.Header
	err := s.run(ctx, false, false, func(tx *bolt.Tx) (err error) {
		h, err = readHeader(tx)
		return err
	})
	if err != nil {
		return err
	}
	dataKey, err := headerFormat.Open(h, key)
	if err != nil {
		return err
	}
	rc, err := envelope.NewRecords(dataKey, h.ID, envErrors)
	if err != nil {
		return err
	}
	s.id, s.dataKey, s.rc = h.ID, dataKey, rc
	return nil
}

// readHeader reads and checks the header and the buckets.
func readHeader(tx *bolt.Tx) (*envelope.Header, error) {
	meta := tx.Bucket(bucketMeta)
	if meta == nil || tx.Bucket(bucketSecrets) == nil {
		return nil, fmt.Errorf("%w: %s has no filestore buckets (not a filestore database?)", ErrCorrupt, tx.DB().Path())
	}
	v := meta.Get(keyHeader)
	if v == nil {
		return nil, fmt.Errorf("%w: %s has no filestore header", ErrCorrupt, tx.DB().Path())
	}
	return headerFormat.Decode(v)
}

// errEmptyFile is what opening an existing empty file returns: bbolt would
// otherwise initialise it.
var errEmptyFile = errors.New("empty file")

// openBolt opens the bbolt file at path, which must exist and not be empty,
// waiting at most timeout (shortened by ctx's deadline) for its lock: shared
// when readOnly, exclusive otherwise.
//
// A read-write open makes bbolt read the free list, which faults if the file
// was truncated; a fault inside bbolt.Open would leave the file mapped, and
// so locked, for the life of the process. So the file is first opened
// read-only (which reads nothing but the meta pages) and its length checked,
// unless known is a stat of the file as this process left it after its last
// write and the file still has that inode, size and modification time.
func openBolt(ctx context.Context, path string, readOnly bool, timeout time.Duration, known os.FileInfo) (*bolt.DB, error) {
	if !readOnly && !unchanged(path, known) {
		db, err := openBoltOnce(ctx, path, true, timeout)
		if err != nil {
			return nil, err
		}
		err = txn(db, false, func(*bolt.Tx) error { return nil })
		db.Close()
		if err != nil {
			return nil, err
		}
	}
	return openBoltOnce(ctx, path, readOnly, timeout)
}

// unchanged reports whether the file at path is still the one known
// describes.
func unchanged(path string, known os.FileInfo) bool {
	if known == nil {
		return false
	}
	fi, err := os.Stat(path)
	return err == nil && os.SameFile(fi, known) && fi.Size() == known.Size() && fi.ModTime().Equal(known.ModTime())
}

func openBoltOnce(ctx context.Context, path string, readOnly bool, timeout time.Duration) (db *bolt.DB, err error) {
	if timeout < 0 {
		timeout = 0 // bbolt: no limit
	}
	byDeadline := false
	if dl, ok := ctx.Deadline(); ok {
		left := time.Until(dl)
		if left <= 0 {
			return nil, context.DeadlineExceeded
		}
		if timeout == 0 || left < timeout {
			timeout, byDeadline = left, true
		}
	}
	var file *os.File
	o := &bolt.Options{
		Timeout:  timeout,
		ReadOnly: readOnly,
		OpenFile: func(name string, flag int, perm os.FileMode) (*os.File, error) {
			f, err := os.OpenFile(name, flag&^os.O_CREATE, perm)
			if err != nil {
				return nil, err
			}
			if fi, err := f.Stat(); err == nil && fi.Size() == 0 {
				f.Close()
				return nil, errEmptyFile
			}
			file = f
			return f, nil
		},
	}
	err = guard(func() (err error) {
		db, err = bolt.Open(path, 0o600, o)
		return err
	})
	var fe *faultError
	if errors.As(err, &fe) && file != nil {
		// bbolt.Open panicked half-way on a damaged file: release the
		// lock. Its memory mapping of the file is lost until the process
		// exits.
		forceUnlock(file)
	}
	if err == nil {
		return db, nil
	}
	var pe *fs.PathError
	var errno syscall.Errno
	switch {
	case errors.Is(err, berrors.ErrTimeout) && byDeadline:
		return nil, fmt.Errorf("%w: %s (waited until the context's deadline): %w", ErrLocked, path, context.DeadlineExceeded)
	case errors.Is(err, berrors.ErrTimeout):
		return nil, fmt.Errorf("%w: %s (waited %v)", ErrLocked, path, timeout)
	case errors.Is(err, errEmptyFile):
		return nil, fmt.Errorf("%w: %s is empty (not a filestore database, or truncated)", ErrCorrupt, path)
	case errors.Is(err, ErrCorrupt):
		return nil, err
	case errors.As(err, &pe), errors.As(err, &errno):
		return nil, fmt.Errorf("filestore: open store: %w", err)
	}
	return nil, fmt.Errorf("%w: %s is not a readable filestore database: %v", ErrCorrupt, path, err)
}

// faultError is a panic or memory fault while bbolt read a damaged file.
type faultError struct{ detail string }

func (e *faultError) Error() string {
	return ErrCorrupt.Error() + ": the database structure is damaged (reading it failed" + e.detail + ")"
}

func (*faultError) Is(target error) bool { return target == ErrCorrupt }

// guard runs fn, turning a panic or a memory fault (a damaged or truncated
// memory-mapped file) into a faultError. The panic's value is only reported
// for runtime errors, which cannot carry file contents.
func guard(fn func() error) (err error) {
	old := debug.SetPanicOnFault(true)
	defer func() {
		debug.SetPanicOnFault(old)
		if r := recover(); r != nil {
			fe := &faultError{}
			if re, ok := r.(runtime.Error); ok {
				fe.detail = ": " + re.Error()
			}
			err = fe
		}
	}()
	return fn()
}

// run runs fn in a transaction on the database: read-only or read-write.
// In the per-operation mode it takes the process-wide lock, opens the file
// and, if checkID, makes sure the file is still this store. fn returning
// errNoChange rolls a write back and makes run return nil.
func (s *Store) run(ctx context.Context, write, checkID bool, fn func(*bolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return ErrClosed
	}
	if s.db != nil {
		if p := s.broken.Load(); p != nil {
			return *p
		}
		err := txn(s.db, write, fn)
		var fe *faultError
		if errors.As(err, &fe) {
			s.broken.CompareAndSwap(nil, &err)
		}
		return err
	}

	weight := int64(1)
	if write {
		weight = maxReaders
	}
	if err := s.plock.sem.Acquire(ctx, weight); err != nil {
		return err
	}
	defer s.plock.sem.Release(weight)
	if err := ctx.Err(); err != nil {
		return err
	}
	var known os.FileInfo
	if write {
		// Only writers, which hold the lock alone, use s.plock.written.
		known, s.plock.written = s.plock.written, nil
	}
	db, err := openBolt(ctx, s.path, !write, s.opts.LockTimeout, known)
	if err != nil {
		return err
	}
	defer db.Close()
	err = txn(db, write, func(tx *bolt.Tx) error {
		if checkID {
			h, err := readHeader(tx)
			if err != nil {
				return err
			}
			if h.ID != s.id {
				return fmt.Errorf("%w: %s", ErrReplaced, s.path)
			}
		}
		return fn(tx)
	})
	if write && err == nil {
		if fi, serr := os.Stat(s.path); serr == nil {
			s.plock.written = fi
		}
	}
	return err
}

// txn runs fn in a managed transaction, after checking that the file is not
// shorter than the database it holds (reading past its end would fault).
func txn(db *bolt.DB, write bool, fn func(*bolt.Tx) error) error {
	err := guard(func() error {
		body := func(tx *bolt.Tx) error {
			fi, err := os.Stat(db.Path())
			if err != nil {
				return fmt.Errorf("filestore: %w", err)
			}
			if fi.Size() < tx.Size() {
				return fmt.Errorf("%w: %s is truncated (%d bytes, its database needs %d)", ErrCorrupt, db.Path(), fi.Size(), tx.Size())
			}
			return fn(tx)
		}
		if write {
			return db.Update(body)
		}
		return db.View(body)
	})
	if errors.Is(err, errNoChange) {
		return nil
	}
	return err
}

// Path returns the path of the store's file.
func (s *Store) Path() string { return s.path }

// Get returns the current values of the names that exist, read in one
// transaction. A record that does not authenticate fails the whole call with
// [ErrCorrupt]; no value is ever returned from it.
func (s *Store) Get(ctx context.Context, names []string) (map[string]string, error) {
	var out map[string]string
	err := s.run(ctx, false, true, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSecrets)
		for _, name := range names {
			rec := b.Get([]byte(name))
			if rec == nil {
				continue
			}
			cur, _, err := s.rc.Open(name, rec, false)
			if err != nil {
				return err
			}
			if out == nil {
				out = make(map[string]string, len(names))
			}
			out[name] = cur
		}
		return nil
	})
	if err != nil {
		return nil, classify(err)
	}
	return out, nil
}

// GetVersions returns the current value of name and the value it had before
// the last Set that changed it. current is nil when name does not exist;
// previous is nil when name has had a single value since it was created
// (Remove deletes both). Setting a name to its current value changes
// nothing, so the previous value survives repeated identical writes; Set
// replacing a record that does not authenticate keeps no previous value.
func (s *Store) GetVersions(ctx context.Context, name string) (current, previous *string, err error) {
	err = s.run(ctx, false, true, func(tx *bolt.Tx) error {
		rec := tx.Bucket(bucketSecrets).Get([]byte(name))
		if rec == nil {
			return nil
		}
		cur, prev, err := s.rc.Open(name, rec, true)
		if err != nil {
			return err
		}
		current, previous = &cur, prev
		return nil
	})
	if err != nil {
		return nil, nil, classify(err)
	}
	return current, previous, nil
}

// Set stores value as the current value of name and keeps the value it
// replaces as the previous one (see [Store.GetVersions]). It returns once
// the transaction is durable on disk (bbolt fsyncs on commit). Values larger
// than [MaxValueSize] fail with code [driver.InvalidValue].
func (s *Store) Set(ctx context.Context, name, value string) error {
	return s.put(ctx, name, value, false, nil)
}

// CompareAndSwap sets name to value, as Set does, only if its current value
// is still old (old nil: only if name does not exist), checked and written
// in one transaction. Otherwise it changes nothing and returns an error with
// code [driver.Conflict]. A current record that does not authenticate fails
// with [ErrCorrupt].
func (s *Store) CompareAndSwap(ctx context.Context, name string, old *string, value string) error {
	return s.put(ctx, name, value, true, old)
}

func (s *Store) put(ctx context.Context, name, value string, compare bool, want *string) error {
	if len(value) > MaxValueSize {
		return driver.Errorf(driver.InvalidValue, "filestore: value of %q is %d bytes, more than the %d a value may have", name, len(value), MaxValueSize)
	}
	err := s.run(ctx, true, true, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSecrets)
		key := []byte(name)
		var cur *string
		if rec := b.Get(key); rec != nil {
			v, _, err := s.rc.Open(name, rec, false)
			switch {
			case err == nil:
				cur = &v
			case compare:
				return err
			}
			// Set replaces a record that does not authenticate, keeping
			// no previous value: it has no readable value.
		}
		if compare && ((cur == nil) != (want == nil) || (cur != nil && *cur != *want)) {
			return driver.Errorf(driver.Conflict, "filestore: %q changed since it was read", name)
		}
		if cur != nil && *cur == value {
			return errNoChange
		}
		return b.Put(key, s.rc.Seal(name, value, cur))
	})
	return classifyWrite(err)
}

// Remove deletes name, with its previous value. Removing a name that does
// not exist succeeds (and writes nothing).
func (s *Store) Remove(ctx context.Context, name string) error {
	err := s.run(ctx, true, true, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSecrets)
		key := []byte(name)
		if b.Get(key) == nil {
			return errNoChange
		}
		return b.Delete(key)
	})
	return classifyWrite(err)
}

// classifyWrite classifies the error of a write, reporting bbolt's key
// limits as an invalid name.
func classifyWrite(err error) error {
	if errors.Is(err, berrors.ErrKeyRequired) || errors.Is(err, berrors.ErrKeyTooLarge) {
		return driver.NewError(driver.InvalidName, fmt.Errorf("filestore: %w", err))
	}
	return classify(err)
}

// List returns the names that start with prefix, in byte order. It reads no
// value.
func (s *Store) List(ctx context.Context, prefix string) ([]string, error) {
	var names []string
	err := s.run(ctx, false, true, func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketSecrets).Cursor()
		p := []byte(prefix)
		for k, _ := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, _ = c.Next() {
			names = append(names, string(k))
		}
		return nil
	})
	if err != nil {
		return nil, classify(err)
	}
	return names, nil
}

// Rekey re-wraps the store's data key with the KEK of newKey, in one
// transaction; records are not rewritten, so it takes the same time for any
// number of secrets. With a passphrase it uses a new random salt and
// [Options.Argon2]. Afterwards only newKey opens the file. Stores already
// open (in this or another process) keep working: they hold the data key.
//
// Rekey does not change the data key: someone who had both a copy of the
// file and its old key can still read records written later with the data
// key they unwrapped (see the package documentation).
func (s *Store) Rekey(ctx context.Context, newKey KeySource) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return classify(ErrClosed)
	}
	// The same id and data key, wrapped with the new key's KEK (derived
	// outside the lock: argon2id takes a while).
	id, dataKey := s.id, bytes.Clone(s.dataKey)
	s.mu.RUnlock()
	h, err := headerFormat.Seal(newKey, id, dataKey, s.opts.argon2())
	clear(dataKey)
	if err != nil {
		return classify(err)
	}
	return classify(s.run(ctx, true, true, func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMeta).Put(keyHeader, h.Encode())
	}))
}

// Verify checks that the header and every record authenticate. It returns
// nil or an error matching [ErrCorrupt] that names the first damaged
// records. Get, Set and the other operations check what they read anyway;
// Verify finds damage in records nobody has read, for a periodic check or
// after restoring a backup.
//
// Verify does not check bbolt's page structure, whose damage can hide
// records: bbolt's own check (Tx.Check, the "bbolt check" command) is not
// safe to run on a damaged file in-process (it can loop without end or
// panic in a goroutine of its own). Run "bbolt check" on a copy of the file
// for that.
func (s *Store) Verify(ctx context.Context) error {
	return classify(s.run(ctx, false, true, func(tx *bolt.Tx) error {
		var errs []error
		if _, err := readHeader(tx); err != nil {
			return err
		}
		bad := 0
		err := tx.Bucket(bucketSecrets).ForEach(func(k, v []byte) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			var err error
			if v == nil {
				err = fmt.Errorf("%w: %q is a bucket, not a record", ErrCorrupt, k)
			} else {
				_, _, err = s.rc.Open(string(k), v, true)
			}
			if err != nil {
				if bad++; bad <= 5 {
					errs = append(errs, err)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		if bad > 5 {
			errs = append(errs, fmt.Errorf("%w: and %d more damaged records", ErrCorrupt, bad-5))
		}
		return errors.Join(errs...)
	}))
}

// Close releases the store: in KeepOpen mode it closes the database and
// releases its lock. It waits for operations in progress. Operations after
// Close fail with [ErrClosed]. Close is idempotent.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	clear(s.dataKey)
	if s.db != nil {
		if err := s.db.Close(); err != nil {
			return fmt.Errorf("filestore: close: %w", err)
		}
		return nil
	}
	releasePathLock(s.lockKey)
	return nil
}

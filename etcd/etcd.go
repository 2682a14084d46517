package etcd

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"strings"
	"sync"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/secretstore-go/secretstore/driver"
	"github.com/secretstore-go/secretstore/internal/envelope"
)

// MaxValueSize is the largest value Set accepts, in bytes. A record holds the
// current and the previous value and etcd refuses requests over 1.5 MiB by
// default (--max-request-bytes), so a value may have half of a megabyte.
const MaxValueSize = 512 << 10

// maxTxnOps is etcd's default limit of operations in one transaction
// (--max-txn-ops); a Get of more names is split into concurrent
// transactions of at most this many reads.
const maxTxnOps = 128

// KeySource supplies the key-encryption key that wraps the store's data key:
// [KeyFile], [Key], [Passphrase] or [PassphraseFile], the same sources and
// derivation as the filestore's (the two packages' sources are
// interchangeable). It prints as a description, never key material. The
// interface is sealed: it is the shared envelope's.
type KeySource = envelope.KeySource

// KeyFile returns a KeySource reading the 32-byte key in the file at path,
// which must not be accessible by group or others (mode 0600 or 0400).
// filestore.NewKeyFile creates one.
func KeyFile(path string) KeySource { return envelope.KeyFile(path) }

// Key returns a KeySource for a raw 32-byte key.
func Key(key [32]byte) KeySource { return envelope.Key(key) }

// Passphrase returns a KeySource stretching passphrase with argon2id; the
// salt and parameters are kept in the store's metadata key. The slice is
// copied: the caller may clear it once Passphrase returns.
func Passphrase(passphrase []byte) KeySource { return envelope.Passphrase(passphrase) }

// PassphraseFile returns a KeySource like [Passphrase] reading the
// passphrase from the file at path (without one trailing newline), which has
// the same permission requirements as a [KeyFile].
func PassphraseFile(path string) KeySource { return envelope.PassphraseFile(path) }

// Argon2Params are the argon2id parameters used when a store is created
// with a passphrase: Time (passes, 1 to 64), Memory (KiB, at least 8 per
// thread) and Threads (parallelism, 1 to 255), the filestore's type.
type Argon2Params = envelope.Argon2Params

// DefaultArgon2 are the parameters used when [Options.Argon2] is nil, the
// filestore's defaults (RFC 9106's second recommendation).
var DefaultArgon2 = envelope.DefaultArgon2

// Options configure [New].
type Options struct {
	// Prefix is the etcd key prefix of the store, such as
	// "/secretstore/app" (required; no trailing "/").
	Prefix string
	// Key opens the store's data key (required).
	Key KeySource
	// Argon2 are the parameters for a store created with a passphrase
	// (default [DefaultArgon2]).
	Argon2 *Argon2Params
	// CloseClient makes [Store.Close] close the client too.
	CloseClient bool
}

// Store is the etcd driver. It is safe for concurrent use.
type Store struct {
	c         *clientv3.Client
	prefix    string
	rc        *envelope.Records
	closeOnce sync.Once
	closeCli  bool
}

var (
	_ driver.Store      = (*Store)(nil)
	_ driver.Lister     = (*Store)(nil)
	_ driver.Versioner  = (*Store)(nil)
	_ driver.Swapper    = (*Store)(nil)
	_ driver.Watcher    = (*Store)(nil)
	_ driver.ErrorCoder = (*Store)(nil)
	_ driver.Aser       = (*Store)(nil)
)

// New opens the store under o.Prefix on the cluster c reaches, creating its
// metadata key (a fresh data key, wrapped with o.Key) when the prefix holds
// none. Concurrent creators agree on one data key: the metadata key is
// created in a transaction that fails if it exists.
func New(ctx context.Context, c *clientv3.Client, o Options) (*Store, error) {
	if c == nil || o.Key == nil {
		return nil, errors.New("etcd: New needs a client and a key source")
	}
	if err := checkPrefix(o.Prefix); err != nil {
		return nil, err
	}
	mk := o.Prefix + metaKey
	resp, err := c.Get(ctx, mk)
	if err != nil {
		return nil, classify(ctx, fmt.Errorf("etcd: read %s: %w", mk, err))
	}
	var m *envelope.Header
	var dataKey []byte
	if len(resp.Kvs) == 0 {
		m, dataKey, err = newMeta(o.Key, o.Argon2)
		if err != nil {
			return nil, classify(ctx, err)
		}
		defer clear(dataKey)
		tr, err := c.Txn(ctx).
			If(clientv3.Compare(clientv3.CreateRevision(mk), "=", 0)).
			Then(clientv3.OpPut(mk, string(m.Encode()))).
			Else(clientv3.OpGet(mk)).Commit()
		if err != nil {
			return nil, classify(ctx, fmt.Errorf("etcd: create %s: %w", mk, err))
		}
		if !tr.Succeeded {
			// Another client created the store first: use its key.
			resp = (*clientv3.GetResponse)(tr.Responses[0].GetResponseRange())
			m, dataKey = nil, nil
		}
	}
	if m == nil {
		if len(resp.Kvs) == 0 {
			return nil, classify(ctx, fmt.Errorf("%w: %s vanished while being read", ErrCorrupt, mk))
		}
		m, err = metaFormat.Decode(resp.Kvs[0].Value)
		if err != nil {
			return nil, classify(ctx, err)
		}
		dataKey, err = metaFormat.Open(m, o.Key)
		if err != nil {
			return nil, classify(ctx, err)
		}
		defer clear(dataKey)
	}
	rc, err := envelope.NewRecords(dataKey, m.ID, envErrors)
	if err != nil {
		return nil, err
	}
	return &Store{c: c, prefix: o.Prefix, rc: rc, closeCli: o.CloseClient}, nil
}

func checkPrefix(p string) error {
	if p == "" || p == "/" || strings.HasSuffix(p, "/") {
		return fmt.Errorf("etcd: key prefix %q must be non-empty and must not end with /", p)
	}
	return nil
}

// Get reads every name in one transaction (one round trip), or, beyond
// etcd's 128 operations per transaction, in concurrent transactions of 128.
func (s *Store) Get(ctx context.Context, names []string) (map[string]string, error) {
	if len(names) <= maxTxnOps {
		return s.getBatch(ctx, names)
	}
	out := make(map[string]string, len(names))
	var mu sync.Mutex
	var wg sync.WaitGroup
	errs := make([]error, (len(names)+maxTxnOps-1)/maxTxnOps)
	for i := 0; i*maxTxnOps < len(names); i++ {
		batch := names[i*maxTxnOps : min(len(names), (i+1)*maxTxnOps)]
		wg.Go(func() {
			m, err := s.getBatch(ctx, batch)
			errs[i] = err
			mu.Lock()
			for k, v := range m {
				out[k] = v
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Store) getBatch(ctx context.Context, names []string) (map[string]string, error) {
	ops := make([]clientv3.Op, len(names))
	for i, n := range names {
		ops[i] = clientv3.OpGet(keyOf(s.prefix, n))
	}
	tr, err := s.c.Txn(ctx).Then(ops...).Commit()
	if err != nil {
		return nil, classify(ctx, fmt.Errorf("etcd: get %d names: %w", len(names), err))
	}
	var out map[string]string
	for i, r := range tr.Responses {
		kvs := r.GetResponseRange().GetKvs()
		if len(kvs) == 0 {
			continue
		}
		cur, _, err := s.rc.Open(names[i], kvs[0].Value, false)
		if err != nil {
			return nil, classify(ctx, err)
		}
		if out == nil {
			out = make(map[string]string, len(names))
		}
		out[names[i]] = cur
	}
	return out, nil
}

// read returns the current and previous value of name and the key's mod
// revision (0: absent).
func (s *Store) read(ctx context.Context, name string, withPrevious bool) (cur, prev *string, rev int64, err error) {
	resp, err := s.c.Get(ctx, keyOf(s.prefix, name))
	if err != nil {
		return nil, nil, 0, classify(ctx, fmt.Errorf("etcd: get %q: %w", name, err))
	}
	if len(resp.Kvs) == 0 {
		return nil, nil, 0, nil
	}
	c, p, err := s.rc.Open(name, resp.Kvs[0].Value, withPrevious)
	if err != nil {
		return nil, nil, 0, classify(ctx, err)
	}
	return &c, p, resp.Kvs[0].ModRevision, nil
}

func checkValue(name, value string) error {
	if len(value) > MaxValueSize {
		return driver.Errorf(driver.InvalidValue, "etcd: value of %q is %d bytes, more than the %d a value may have", name, len(value), MaxValueSize)
	}
	return nil
}

// Set writes name's new value, sealed together with the value it replaces
// (the previous version), in a single-key transaction conditional on the key
// being unchanged since it was read; a concurrent write makes it read and
// try again. Setting the value a name already holds writes nothing.
func (s *Store) Set(ctx context.Context, name, value string) error {
	if err := checkValue(name, value); err != nil {
		return err
	}
	for {
		cur, _, rev, err := s.read(ctx, name, false)
		if err != nil {
			return err
		}
		if cur != nil && *cur == value {
			// The same value again: nothing changes, and the previous
			// version stays the one before it.
			return nil
		}
		ok, err := s.put(ctx, name, value, cur, rev)
		if err != nil || ok {
			return err
		}
	}
}

// put writes value (with previous) if name's mod revision is still rev.
func (s *Store) put(ctx context.Context, name, value string, previous *string, rev int64) (bool, error) {
	k := keyOf(s.prefix, name)
	tr, err := s.c.Txn(ctx).
		If(clientv3.Compare(clientv3.ModRevision(k), "=", rev)).
		Then(clientv3.OpPut(k, string(s.rc.Seal(name, value, previous)))).
		Commit()
	if err != nil {
		return false, classify(ctx, fmt.Errorf("etcd: set %q: %w", name, err))
	}
	return tr.Succeeded, nil
}

// CompareAndSwap sets name to value only if its current value is still old
// (nil: only if name does not exist), comparing the mod revision of the key
// it read in the writing transaction; otherwise it returns a
// [driver.Conflict] error.
func (s *Store) CompareAndSwap(ctx context.Context, name string, old *string, value string) error {
	if err := checkValue(name, value); err != nil {
		return err
	}
	cur, _, rev, err := s.read(ctx, name, false)
	if err != nil {
		return err
	}
	if (old == nil) != (cur == nil) || (old != nil && subtle.ConstantTimeCompare([]byte(*old), []byte(*cur)) != 1) {
		return driver.Errorf(driver.Conflict, "etcd: %q does not hold the expected value", name)
	}
	if cur != nil && *cur == value {
		return nil // no change; the previous version stays
	}
	ok, err := s.put(ctx, name, value, cur, rev)
	if err != nil {
		return err
	}
	if !ok {
		return driver.Errorf(driver.Conflict, "etcd: %q changed concurrently", name)
	}
	return nil
}

// Remove deletes name and its previous version, in one single-key
// transaction. Removing a missing name succeeds.
func (s *Store) Remove(ctx context.Context, name string) error {
	k := keyOf(s.prefix, name)
	if _, err := s.c.Txn(ctx).Then(clientv3.OpDelete(k)).Commit(); err != nil {
		return classify(ctx, fmt.Errorf("etcd: remove %q: %w", name, err))
	}
	return nil
}

// GetVersions returns name's current value and the one it replaced.
func (s *Store) GetVersions(ctx context.Context, name string) (current, previous *string, err error) {
	cur, prev, _, err := s.read(ctx, name, true)
	return cur, prev, err
}

// List returns the names starting with prefix, reading keys only.
func (s *Store) List(ctx context.Context, prefix string) ([]string, error) {
	resp, err := s.c.Get(ctx, keyOf(s.prefix, prefix), clientv3.WithPrefix(), clientv3.WithKeysOnly())
	if err != nil {
		return nil, classify(ctx, fmt.Errorf("etcd: list %q: %w", prefix, err))
	}
	out := make([]string, 0, len(resp.Kvs))
	for _, kv := range resp.Kvs {
		if n, ok := nameOf(s.prefix, string(kv.Key)); ok {
			out = append(out, n)
		}
	}
	return out, nil
}

// Close closes the client if the Store owns it (opened from a URL, or
// [Options.CloseClient]).
func (s *Store) Close() error {
	var err error
	s.closeOnce.Do(func() {
		if s.closeCli {
			err = s.c.Close()
		}
	})
	return err
}

// ErrorCode classifies the etcd client's errors: connection failures,
// timeouts and a lost leader are [driver.Unavailable], authentication and
// permission errors [driver.PermissionDenied].
func (s *Store) ErrorCode(err error) driver.Code { return codeOf(err) }

// As sets a **clientv3.Client target to the store's client.
func (s *Store) As(target any) bool {
	if p, ok := target.(**clientv3.Client); ok {
		*p = s.c
		return true
	}
	return false
}

// metaFormat is the store's metadata, under <prefix>/meta: an
// [envelope.Header] that starts with "SSET", version 1, the cipher
// (1: XChaCha20-Poly1305) and the store id; then the key derivation and the
// wrapped data key. Any other version or cipher is refused with
// ErrUnsupportedFormat.
var metaFormat = &envelope.Format{
	Magic:         [4]byte{'S', 'S', 'E', 'T'},
	Version:       1,
	What:          "metadata",
	StrictVersion: true,
	Errors:        envErrors,
}

// newMeta returns the metadata of a new store and its data key.
func newMeta(src KeySource, p *Argon2Params) (*envelope.Header, []byte, error) {
	if p == nil {
		p = &DefaultArgon2
	}
	return metaFormat.NewStore(src, p)
}

package etcd

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
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
// derivation as the filestore's. It prints as a description, never key
// material. Only this package implements it.
type KeySource interface {
	// String describes the source without revealing key material.
	String() string
	// Format writes String for every verb (%d, %x and %#v included).
	fmt.Formatter
	// LogValue is String.
	slog.LogValuer
	// MarshalJSON is String as a JSON string.
	json.Marshaler

	source() envelope.KeySource
}

// keySource is a KeySource of the shared envelope, whose methods it takes:
// String, GoString, Format, LogValue, MarshalJSON and MarshalText all
// describe the source, never its key material.
type keySource struct{ envelope.KeySource }

func (k keySource) source() envelope.KeySource { return k.KeySource }

// KeyFile returns a KeySource reading the 32-byte key in the file at path,
// which must not be accessible by group or others (mode 0600 or 0400).
// filestore.NewKeyFile creates one.
func KeyFile(path string) KeySource { return keySource{envelope.KeyFile(path)} }

// Key returns a KeySource for a raw 32-byte key.
func Key(key [32]byte) KeySource { return keySource{envelope.Key(key)} }

// Passphrase returns a KeySource stretching passphrase with argon2id; the
// salt and parameters are kept in the store's metadata key. The slice is
// copied: the caller may clear it once Passphrase returns.
func Passphrase(passphrase []byte) KeySource { return keySource{envelope.Passphrase(passphrase)} }

// PassphraseFile returns a KeySource like [Passphrase] reading the
// passphrase from the file at path (without one trailing newline), which has
// the same permission requirements as a [KeyFile].
func PassphraseFile(path string) KeySource { return keySource{envelope.PassphraseFile(path)} }

// Argon2Params are the argon2id parameters used when a store is created
// with a passphrase.
type Argon2Params struct {
	Time    uint32 // passes, 1 to 64
	Memory  uint32 // KiB, at least 8 per thread
	Threads uint8  // parallelism, 1 to 255
}

// DefaultArgon2 are the parameters used when [Options.Argon2] is nil, the
// filestore's defaults (RFC 9106's second recommendation).
var DefaultArgon2 = Argon2Params{Time: 3, Memory: 64 << 10, Threads: 4}

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
	var m *meta
	var dataKey []byte
	if len(resp.Kvs) == 0 {
		m, dataKey, err = newMeta(o.Key, o.Argon2)
		if err != nil {
			return nil, classify(ctx, err)
		}
		defer clear(dataKey)
		tr, err := c.Txn(ctx).
			If(clientv3.Compare(clientv3.CreateRevision(mk), "=", 0)).
			Then(clientv3.OpPut(mk, string(m.encode()))).
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
		m, err = decodeMeta(resp.Kvs[0].Value)
		if err != nil {
			return nil, classify(ctx, err)
		}
		kek, err := envelope.DeriveKEK(o.Key.source(), &m.kdf, envErrors)
		if err != nil {
			return nil, classify(ctx, err)
		}
		dataKey, err = envelope.Unwrap(kek, &m.wrapNonce, m.wrapped[:], m.prefix(), envErrors)
		clear(kek)
		if err != nil {
			return nil, classify(ctx, err)
		}
		defer clear(dataKey)
	}
	rc, err := envelope.NewRecords(dataKey, m.id, envErrors)
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

// meta is the store's metadata, under <prefix>/meta:
//
//	magic "SSET" | version (1) | cipher (1: XChaCha20-Poly1305) | store id (32)
//	| kdf kind [| time u32 | memory u32 | threads u8 | salt len u8 | salt]
//	| wrap nonce (24) | wrapped data key (32+16) | SHA-256 of all the above
//
// The data key is wrapped with the KEK, every byte before the wrap nonce as
// associated data.
type meta struct {
	id        [envelope.IDSize]byte
	kdf       envelope.KDF
	wrapNonce [envelope.NonceSize]byte
	wrapped   [envelope.KeySize + envelope.TagSize]byte
}

const metaVersion = 1

var metaMagic = []byte("SSET")

func newMeta(src KeySource, p *Argon2Params) (*meta, []byte, error) {
	if p == nil {
		p = &DefaultArgon2
	}
	kdf, err := envelope.NewKDF(src.source(), p.Time, p.Memory, p.Threads, envErrors)
	if err != nil {
		return nil, nil, err
	}
	kek, err := envelope.DeriveKEK(src.source(), &kdf, envErrors)
	if err != nil {
		return nil, nil, err
	}
	defer clear(kek)
	m := &meta{kdf: kdf}
	rand.Read(m.id[:])
	dataKey := make([]byte, envelope.KeySize)
	rand.Read(dataKey)
	m.wrapNonce, m.wrapped, err = envelope.Wrap(kek, dataKey, m.prefix())
	if err != nil {
		return nil, nil, err
	}
	return m, dataKey, nil
}

func (m *meta) prefix() []byte {
	b := append([]byte{}, metaMagic...)
	b = append(b, metaVersion, 1)
	b = append(b, m.id[:]...)
	b = append(b, m.kdf.Kind)
	if m.kdf.Kind == envelope.KDFArgon2id {
		b = binary.BigEndian.AppendUint32(b, m.kdf.Time)
		b = binary.BigEndian.AppendUint32(b, m.kdf.Memory)
		b = append(b, m.kdf.Threads, byte(len(m.kdf.Salt)))
		b = append(b, m.kdf.Salt...)
	}
	return b
}

func (m *meta) encode() []byte {
	b := m.prefix()
	b = append(b, m.wrapNonce[:]...)
	b = append(b, m.wrapped[:]...)
	sum := sha256.Sum256(b)
	return append(b, sum[:]...)
}

func decodeMeta(b []byte) (*meta, error) {
	const fixed = 4 + 1 + 1 + envelope.IDSize + 1
	if len(b) < fixed+envelope.NonceSize+envelope.KeySize+envelope.TagSize+sha256.Size {
		return nil, fmt.Errorf("%w: metadata is truncated (%d bytes)", ErrCorrupt, len(b))
	}
	body, sum := b[:len(b)-sha256.Size], b[len(b)-sha256.Size:]
	want := sha256.Sum256(body)
	if subtle.ConstantTimeCompare(want[:], sum) != 1 {
		return nil, fmt.Errorf("%w: metadata checksum mismatch", ErrCorrupt)
	}
	if !bytes.Equal(body[:4], metaMagic) {
		return nil, fmt.Errorf("%w: not a secretstore etcd metadata key", ErrCorrupt)
	}
	if body[4] != metaVersion || body[5] != 1 {
		return nil, fmt.Errorf("%w: metadata version %d, cipher %d", ErrUnsupportedFormat, body[4], body[5])
	}
	m := &meta{}
	copy(m.id[:], body[6:6+envelope.IDSize])
	m.kdf.Kind = body[fixed-1]
	rest := body[fixed:]
	switch m.kdf.Kind {
	case envelope.KDFRaw:
	case envelope.KDFArgon2id:
		if len(rest) < 10 {
			return nil, fmt.Errorf("%w: metadata is truncated", ErrCorrupt)
		}
		m.kdf.Time = binary.BigEndian.Uint32(rest[0:4])
		m.kdf.Memory = binary.BigEndian.Uint32(rest[4:8])
		m.kdf.Threads = rest[8]
		n := int(rest[9])
		rest = rest[10:]
		if n > len(rest) {
			return nil, fmt.Errorf("%w: metadata is truncated", ErrCorrupt)
		}
		m.kdf.Salt = bytes.Clone(rest[:n])
		rest = rest[n:]
		if err := m.kdf.Check(envErrors); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("%w: unknown key derivation %d", ErrUnsupportedFormat, m.kdf.Kind)
	}
	if len(rest) != envelope.NonceSize+envelope.KeySize+envelope.TagSize {
		return nil, fmt.Errorf("%w: metadata has the wrong length", ErrCorrupt)
	}
	copy(m.wrapNonce[:], rest[:envelope.NonceSize])
	copy(m.wrapped[:], rest[envelope.NonceSize:])
	return m, nil
}

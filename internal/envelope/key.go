package envelope

import (
	"bytes"
	"crypto/rand"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"

	"golang.org/x/crypto/argon2"
)

// The kinds of key derivation a [KDF] names.
const (
	KDFRaw      = 1 // the KEK is a 32-byte key (key file or raw key)
	KDFArgon2id = 2 // the KEK is argon2id(passphrase, salt, params)
)

// Bounds on argon2id parameters read from storage, so that damaged or
// hostile metadata cannot make an open allocate without limit or run for
// hours.
const (
	MinSaltLen      = 16
	MaxSaltLen      = 64
	MaxArgon2Time   = 64
	MaxArgon2Memory = 4 << 20 // KiB: 4 GiB
)

// KeySource supplies the key-encryption key: [KeyFile], [Key], [Passphrase]
// or [PassphraseFile]. It prints as a description, never key material: under
// every fmt verb (Format), through slog (LogValue), encoding/json
// (MarshalJSON) and text encoders (MarshalText). Its key or passphrase is
// kept behind a pointer, so that even a value printed by reflection, as a
// caller's unexported field, shows an address, not bytes.
type KeySource interface {
	// String describes the source without revealing key material.
	String() string
	// GoString is String, so that %#v reveals nothing either.
	GoString() string
	// Format writes String for every verb.
	fmt.Formatter
	// LogValue is String.
	slog.LogValuer
	// MarshalJSON is String as a JSON string.
	json.Marshaler
	// MarshalText is String.
	encoding.TextMarshaler

	// kind is the KDF this source needs: KDFRaw or KDFArgon2id.
	kind() byte
	// secret returns the raw key (KDFRaw) or the passphrase
	// (KDFArgon2id). The caller clears it after use.
	secret(e *Errors) ([]byte, error)
}

// KeyFile is a KeySource reading the 32-byte key in the file at path, which
// must be private to its owner (mode 0600 or 0400 on Unix).
func KeyFile(path string) KeySource {
	return &source{desc: "key file " + path, kdf: KDFRaw, path: path}
}

// Key is a KeySource for a raw 32-byte key, which it copies.
func Key(key [32]byte) KeySource {
	k := new([KeySize]byte)
	*k = key
	return &source{desc: "raw key", kdf: KDFRaw, key: k}
}

// Passphrase is a KeySource stretching passphrase with argon2id. It keeps a
// copy of passphrase: the caller may clear its slice once Passphrase returns.
func Passphrase(passphrase []byte) KeySource {
	pw := bytes.Clone(passphrase)
	return &source{desc: "passphrase", kdf: KDFArgon2id, pw: &pw}
}

// PassphraseFile is a KeySource like [Passphrase] reading the passphrase
// from the file at path, without one trailing "\n" or "\r\n"; the file has
// the same permission requirements as a [KeyFile].
func PassphraseFile(path string) KeySource {
	return &source{desc: "passphrase file " + path, kdf: KDFArgon2id, path: path}
}

// source is every KeySource: a key file or a raw key (KDFRaw), a passphrase
// or a passphrase file (KDFArgon2id).
type source struct {
	desc string
	kdf  byte
	path string         // a key file or a passphrase file
	key  *[KeySize]byte // a raw key
	pw   *[]byte        // a passphrase
}

func (s *source) String() string               { return s.desc }
func (s *source) GoString() string             { return s.desc }
func (s *source) Format(f fmt.State, _ rune)   { io.WriteString(f, s.desc) }
func (s *source) LogValue() slog.Value         { return slog.StringValue(s.desc) }
func (s *source) MarshalJSON() ([]byte, error) { return json.Marshal(s.desc) }
func (s *source) MarshalText() ([]byte, error) { return []byte(s.desc), nil }
func (s *source) kind() byte                   { return s.kdf }

func (s *source) secret(e *Errors) ([]byte, error) {
	switch {
	case s.key != nil:
		return bytes.Clone(s.key[:]), nil
	case s.pw != nil:
		if len(*s.pw) == 0 {
			return nil, errors.New(e.Prefix + ": empty passphrase")
		}
		return bytes.Clone(*s.pw), nil
	case s.kdf == KDFRaw:
		return readKeyFile(s.path, e)
	default:
		return readPassphraseFile(s.path, e)
	}
}

func readKeyFile(path string, e *Errors) ([]byte, error) {
	b, err := readPrivateFile(path, KeySize+1, e)
	if err != nil {
		return nil, err
	}
	if len(b) != KeySize {
		clear(b)
		return nil, fmt.Errorf("%s: key file %s holds %d bytes, want exactly %d (create one with NewKeyFile): %w", e.Prefix, path, len(b), KeySize, e.WrongKey)
	}
	return b, nil
}

// maxPassphraseFile bounds what PassphraseFile reads.
const maxPassphraseFile = 64 << 10

func readPassphraseFile(path string, e *Errors) ([]byte, error) {
	b, err := readPrivateFile(path, maxPassphraseFile+1, e)
	if err != nil {
		return nil, err
	}
	if len(b) > maxPassphraseFile {
		clear(b)
		return nil, fmt.Errorf("%s: passphrase file %s is larger than %d bytes", e.Prefix, path, maxPassphraseFile)
	}
	n := len(b)
	if n > 0 && b[n-1] == '\n' {
		n--
		if n > 0 && b[n-1] == '\r' {
			n--
		}
	}
	if n == 0 {
		clear(b)
		return nil, fmt.Errorf("%s: passphrase file %s is empty", e.Prefix, path)
	}
	return b[:n], nil
}

// readPrivateFile reads at most limit bytes of a regular file that neither
// its group nor others can access. The mode is checked on the opened file.
func readPrivateFile(path string, limit int64, e *Errors) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", e.Prefix, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", e.Prefix, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%w: %s is not a regular file", e.InsecureKeyFile, path)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%w: %s has mode %04o; make it private with chmod 600", e.InsecureKeyFile, path, fi.Mode().Perm())
	}
	b, err := io.ReadAll(io.LimitReader(f, limit))
	if err != nil {
		clear(b)
		return nil, fmt.Errorf("%s: read %s: %w", e.Prefix, path, err)
	}
	return b, nil
}

// NewKeyFile writes a new random 32-byte key to path with mode 0600,
// creating its parent directory with mode 0700 if needed. It refuses to
// replace an existing file: the error then matches fs.ErrExist.
func NewKeyFile(path string, e *Errors) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("%s: %w", e.Prefix, err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("%s: create key file: %w", e.Prefix, err)
	}
	var key [KeySize]byte
	rand.Read(key[:])
	_, err = f.Write(key[:])
	clear(key[:])
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("%s: write key file: %w", e.Prefix, err)
	}
	SyncDir(filepath.Dir(path))
	return nil
}

// SyncDir makes a new directory entry durable, where the platform allows it.
func SyncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// KDF says how the KEK is obtained from a [KeySource]; it is stored next to
// the wrapped data key.
type KDF struct {
	Kind    byte
	Time    uint32 // argon2id passes
	Memory  uint32 // argon2id memory in KiB
	Threads uint8  // argon2id parallelism
	Salt    []byte
}

// Check rejects argon2id parameters that are out of bounds, wrapping
// e.Corrupt.
func (p *KDF) Check(e *Errors) error {
	switch {
	case len(p.Salt) < MinSaltLen || len(p.Salt) > MaxSaltLen:
		return fmt.Errorf("%w: argon2id salt of %d bytes", e.Corrupt, len(p.Salt))
	case p.Time < 1 || p.Time > MaxArgon2Time:
		return fmt.Errorf("%w: argon2id time %d out of range", e.Corrupt, p.Time)
	case p.Threads < 1:
		return fmt.Errorf("%w: argon2id with 0 threads", e.Corrupt)
	case p.Memory < 8*uint32(p.Threads) || p.Memory > MaxArgon2Memory:
		return fmt.Errorf("%w: argon2id memory %d KiB out of range", e.Corrupt, p.Memory)
	}
	return nil
}

// NewKDF returns fresh KDF parameters (a new random salt) for src: raw for a
// key, argon2id with time, memory (KiB) and threads for a passphrase.
func NewKDF(src KeySource, time, memory uint32, threads uint8, e *Errors) (KDF, error) {
	if src.kind() == KDFRaw {
		return KDF{Kind: KDFRaw}, nil
	}
	k := KDF{Kind: KDFArgon2id, Time: time, Memory: memory, Threads: threads, Salt: make([]byte, 16)}
	rand.Read(k.Salt)
	if err := k.Check(e); err != nil {
		return KDF{}, fmt.Errorf("%s: invalid Argon2Params {Time:%d Memory:%d Threads:%d}", e.Prefix, time, memory, threads)
	}
	return k, nil
}

// DeriveKEK returns the KEK of src for the stored KDF parameters p. A source
// of the wrong kind fails with e.WrongKey.
func DeriveKEK(src KeySource, p *KDF, e *Errors) ([]byte, error) {
	if src.kind() != p.Kind {
		if p.Kind == KDFArgon2id {
			return nil, fmt.Errorf("%w: the store is protected by a passphrase, not by a %s", e.WrongKey, describeKind(src))
		}
		return nil, fmt.Errorf("%w: the store is protected by a key (file), not by a passphrase", e.WrongKey)
	}
	secret, err := src.secret(e)
	if err != nil {
		return nil, err
	}
	if p.Kind == KDFRaw {
		return secret, nil
	}
	defer clear(secret)
	return argon2.IDKey(secret, p.Salt, p.Time, p.Memory, p.Threads, KeySize), nil
}

func describeKind(src KeySource) string {
	if s, ok := src.(*source); ok && s.path != "" {
		return "key file"
	}
	return "key"
}

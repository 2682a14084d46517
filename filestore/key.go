package filestore

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"

	"golang.org/x/crypto/argon2"
)

// KeySource supplies the key-encryption key (KEK) that wraps a store's data
// key: [KeyFile], [Key], [Passphrase] or [PassphraseFile]. A store created
// with a key (a key file or [Key]) opens with any source of the same 32 bytes;
// a store created with a passphrase opens with the same passphrase, from
// [Passphrase] or [PassphraseFile].
//
// KeySource values print as a description (never key material) with any fmt
// verb. The interface is sealed: only this package implements it.
type KeySource interface {
	// String describes the source without revealing key material, for
	// example "key file /etc/app/secrets.key" or "passphrase".
	String() string

	// kind is the KDF this source needs: kdfRaw or kdfArgon2id.
	kind() byte
	// secret returns the raw key (kdfRaw) or the passphrase
	// (kdfArgon2id). The caller clears it after use.
	secret() ([]byte, error)
}

// KeyFile returns a KeySource that reads the 32-byte key in the file at path
// (see [NewKeyFile]). The file is read when the store is initialised, opened
// or rekeyed. On Unix it must not be accessible by group or others (mode
// 0600 or 0400), like an SSH private key; otherwise the store refuses it with
// [ErrInsecureKeyFile].
func KeyFile(path string) KeySource { return keyFile(path) }

// Key returns a KeySource for a raw 32-byte key, such as one held by a
// secrets manager or a hardware module. A store created with a key file opens
// with Key of the file's contents, and the reverse.
func Key(key [32]byte) KeySource { return &rawKey{key: key} }

// Passphrase returns a KeySource that stretches passphrase with argon2id,
// with the salt and parameters stored in the file (see [Argon2Params]).
// The slice is read when the store is initialised, opened or rekeyed, and not
// kept afterwards: the caller may clear it once that call returns.
func Passphrase(passphrase []byte) KeySource { return passphraseSrc(passphrase) }

// PassphraseFile returns a KeySource like [Passphrase] that reads the
// passphrase from the file at path, without one trailing "\n" or "\r\n". The
// file has the same permission requirements as a [KeyFile].
func PassphraseFile(path string) KeySource { return passphraseFile(path) }

type keyFile string

func (k keyFile) String() string   { return "key file " + string(k) }
func (k keyFile) GoString() string { return k.String() }
func (keyFile) kind() byte         { return kdfRaw }
func (k keyFile) secret() ([]byte, error) {
	b, err := readPrivateFile(string(k), keySize+1)
	if err != nil {
		return nil, err
	}
	if len(b) != keySize {
		clear(b)
		return nil, fmt.Errorf("filestore: key file %s holds %d bytes, want exactly %d (create one with NewKeyFile): %w", string(k), len(b), keySize, ErrWrongKey)
	}
	return b, nil
}

type rawKey struct{ key [32]byte }

func (*rawKey) String() string            { return "raw key" }
func (k *rawKey) GoString() string        { return k.String() }
func (*rawKey) kind() byte                { return kdfRaw }
func (k *rawKey) secret() ([]byte, error) { return bytes.Clone(k.key[:]), nil }

type passphraseSrc []byte

func (passphraseSrc) String() string     { return "passphrase" }
func (p passphraseSrc) GoString() string { return p.String() }
func (passphraseSrc) kind() byte         { return kdfArgon2id }
func (p passphraseSrc) secret() ([]byte, error) {
	if len(p) == 0 {
		return nil, errors.New("filestore: empty passphrase")
	}
	return bytes.Clone(p), nil
}

// maxPassphraseFile bounds what PassphraseFile reads.
const maxPassphraseFile = 64 << 10

type passphraseFile string

func (p passphraseFile) String() string   { return "passphrase file " + string(p) }
func (p passphraseFile) GoString() string { return p.String() }
func (passphraseFile) kind() byte         { return kdfArgon2id }
func (p passphraseFile) secret() ([]byte, error) {
	b, err := readPrivateFile(string(p), maxPassphraseFile+1)
	if err != nil {
		return nil, err
	}
	if len(b) > maxPassphraseFile {
		clear(b)
		return nil, fmt.Errorf("filestore: passphrase file %s is larger than %d bytes", string(p), maxPassphraseFile)
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
		return nil, fmt.Errorf("filestore: passphrase file %s is empty", string(p))
	}
	return b[:n], nil
}

// readPrivateFile reads at most limit bytes of a regular file that neither
// its group nor others can access. The mode is checked on the opened file.
func readPrivateFile(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("filestore: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("filestore: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%w: %s is not a regular file", ErrInsecureKeyFile, path)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%w: %s has mode %04o; make it private with chmod 600", ErrInsecureKeyFile, path, fi.Mode().Perm())
	}
	b, err := io.ReadAll(io.LimitReader(f, limit))
	if err != nil {
		clear(b)
		return nil, fmt.Errorf("filestore: read %s: %w", path, err)
	}
	return b, nil
}

// NewKeyFile writes a new random 32-byte key to path with mode 0600,
// creating its parent directory with mode 0700 if needed. It refuses to
// replace an existing file: the error then matches [fs.ErrExist]. Use the
// file with [KeyFile]. Keep it away from backups of the store file: whoever
// has both can read every secret.
func NewKeyFile(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("filestore: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("filestore: create key file: %w", err)
	}
	var key [keySize]byte
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
		return fmt.Errorf("filestore: write key file: %w", err)
	}
	syncDir(filepath.Dir(path))
	return nil
}

// syncDir makes a new directory entry durable, where the platform allows it.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// Argon2Params are the argon2id parameters used to stretch a passphrase when
// a store is initialised or rekeyed with one. They are stored in the file,
// so a store always opens with the parameters it was created with.
type Argon2Params struct {
	// Time is the number of passes over the memory (1 to 64).
	Time uint32
	// Memory is the memory used, in KiB (at least 8 per thread, at most
	// 4 GiB).
	Memory uint32
	// Threads is the degree of parallelism (1 to 255).
	Threads uint8
}

// DefaultArgon2 are the argon2id parameters used when [Options.Argon2] is
// nil: RFC 9106's recommendation for memory-constrained environments (3
// passes over 64 MiB, 4 lanes), a fraction of a second on a current machine.
var DefaultArgon2 = Argon2Params{Time: 3, Memory: 64 << 10, Threads: 4}

// newKDF returns fresh KDF parameters (a new random salt) for a source.
func newKDF(src KeySource, p *Argon2Params) (kdfParams, error) {
	if src.kind() == kdfRaw {
		return kdfParams{kind: kdfRaw}, nil
	}
	if p == nil {
		p = &DefaultArgon2
	}
	k := kdfParams{kind: kdfArgon2id, time: p.Time, memory: p.Memory, threads: p.Threads, salt: make([]byte, 16)}
	rand.Read(k.salt)
	if err := k.check(); err != nil {
		return kdfParams{}, fmt.Errorf("filestore: invalid Argon2Params %+v", *p)
	}
	return k, nil
}

// deriveKEK returns the KEK of src for a file's KDF parameters.
func deriveKEK(src KeySource, p *kdfParams) ([]byte, error) {
	if src.kind() != p.kind {
		if p.kind == kdfArgon2id {
			return nil, fmt.Errorf("%w: the store is protected by a passphrase, not by a %s", ErrWrongKey, describeKind(src))
		}
		return nil, fmt.Errorf("%w: the store is protected by a key (file), not by a passphrase", ErrWrongKey)
	}
	secret, err := src.secret()
	if err != nil {
		return nil, err
	}
	if p.kind == kdfRaw {
		return secret, nil
	}
	defer clear(secret)
	return argon2.IDKey(secret, p.salt, p.time, p.memory, p.threads, keySize), nil
}

func describeKind(src KeySource) string {
	if _, ok := src.(keyFile); ok {
		return "key file"
	}
	return "key"
}

package filestore

import (
	"github.com/secretstore-go/secretstore/internal/envelope"
)

// KeySource supplies the key-encryption key (KEK) that wraps a store's data
// key: [KeyFile], [Key], [Passphrase] or [PassphraseFile]. A store created
// with a key (a key file or [Key]) opens with any source of the same 32 bytes;
// a store created with a passphrase opens with the same passphrase, from
// [Passphrase] or [PassphraseFile].
//
// KeySource values print as a description (never key material), such as
// "key file /etc/app/secrets.key" or "passphrase". The interface is sealed:
// it is the shared envelope's, also used by the etcd driver, whose sources
// are interchangeable with these.
type KeySource = envelope.KeySource

// KeyFile returns a KeySource that reads the 32-byte key in the file at path
// (see [NewKeyFile]). The file is read when the store is initialised, opened
// or rekeyed. On Unix it must not be accessible by group or others (mode
// 0600 or 0400), like an SSH private key; otherwise the store refuses it with
// [ErrInsecureKeyFile].
func KeyFile(path string) KeySource { return envelope.KeyFile(path) }

// Key returns a KeySource for a raw 32-byte key, such as one held by a
// secrets manager or a hardware module. A store created with a key file opens
// with Key of the file's contents, and the reverse.
func Key(key [32]byte) KeySource { return envelope.Key(key) }

// Passphrase returns a KeySource that stretches passphrase with argon2id,
// with the salt and parameters stored in the file (see [Argon2Params]).
// The slice is copied: the caller may clear it once Passphrase returns.
func Passphrase(passphrase []byte) KeySource { return envelope.Passphrase(passphrase) }

// PassphraseFile returns a KeySource like [Passphrase] that reads the
// passphrase from the file at path, without one trailing "\n" or "\r\n". The
// file has the same permission requirements as a [KeyFile].
func PassphraseFile(path string) KeySource { return envelope.PassphraseFile(path) }

// NewKeyFile writes a new random 32-byte key to path with mode 0600,
// creating its parent directory with mode 0700 if needed. It refuses to
// replace an existing file: the error then matches [fs.ErrExist]. Use the
// file with [KeyFile]. Keep it away from backups of the store file: whoever
// has both can read every secret.
func NewKeyFile(path string) error { return envelope.NewKeyFile(path, envErrors) }

// Argon2Params are the argon2id parameters used to stretch a passphrase when
// a store is initialised or rekeyed with one: Time (passes, 1 to 64), Memory
// (KiB, at least 8 per thread, at most 4 GiB) and Threads (1 to 255). They
// are stored in the file, so a store always opens with the parameters it was
// created with.
type Argon2Params = envelope.Argon2Params

// DefaultArgon2 are the argon2id parameters used when [Options.Argon2] is
// nil: RFC 9106's recommendation for memory-constrained environments (3
// passes over 64 MiB, 4 lanes), a fraction of a second on a current machine.
var DefaultArgon2 = envelope.DefaultArgon2

// argon2 returns the parameters to create a header with.
func (o *Options) argon2() *Argon2Params {
	if o.Argon2 != nil {
		return o.Argon2
	}
	return &DefaultArgon2
}

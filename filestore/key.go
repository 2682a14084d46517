package filestore

import (
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/secretstore-go/secretstore/internal/envelope"
)

// KeySource supplies the key-encryption key (KEK) that wraps a store's data
// key: [KeyFile], [Key], [Passphrase] or [PassphraseFile]. A store created
// with a key (a key file or [Key]) opens with any source of the same 32 bytes;
// a store created with a passphrase opens with the same passphrase, from
// [Passphrase] or [PassphraseFile].
//
// KeySource values print as a description (never key material) with any fmt
// verb, through log/slog and encoding/json. The interface is sealed: only
// this package implements it.
type KeySource interface {
	// String describes the source without revealing key material, for
	// example "key file /etc/app/secrets.key" or "passphrase".
	String() string
	// Format writes String for every verb (%d, %x and %#v included).
	fmt.Formatter
	// LogValue is String.
	slog.LogValuer
	// MarshalJSON is String as a JSON string.
	json.Marshaler

	// source is the shared envelope's key source.
	source() envelope.KeySource
}

// keySource is a KeySource of the shared envelope, whose methods it takes:
// String, GoString, Format, LogValue, MarshalJSON and MarshalText all
// describe the source, never its key material.
type keySource struct{ envelope.KeySource }

func (k keySource) source() envelope.KeySource { return k.KeySource }

// KeyFile returns a KeySource that reads the 32-byte key in the file at path
// (see [NewKeyFile]). The file is read when the store is initialised, opened
// or rekeyed. On Unix it must not be accessible by group or others (mode
// 0600 or 0400), like an SSH private key; otherwise the store refuses it with
// [ErrInsecureKeyFile].
func KeyFile(path string) KeySource { return keySource{envelope.KeyFile(path)} }

// Key returns a KeySource for a raw 32-byte key, such as one held by a
// secrets manager or a hardware module. A store created with a key file opens
// with Key of the file's contents, and the reverse.
func Key(key [32]byte) KeySource { return keySource{envelope.Key(key)} }

// Passphrase returns a KeySource that stretches passphrase with argon2id,
// with the salt and parameters stored in the file (see [Argon2Params]).
// The slice is copied: the caller may clear it once Passphrase returns.
func Passphrase(passphrase []byte) KeySource { return keySource{envelope.Passphrase(passphrase)} }

// PassphraseFile returns a KeySource like [Passphrase] that reads the
// passphrase from the file at path, without one trailing "\n" or "\r\n". The
// file has the same permission requirements as a [KeyFile].
func PassphraseFile(path string) KeySource { return keySource{envelope.PassphraseFile(path)} }

// NewKeyFile writes a new random 32-byte key to path with mode 0600,
// creating its parent directory with mode 0700 if needed. It refuses to
// replace an existing file: the error then matches [fs.ErrExist]. Use the
// file with [KeyFile]. Keep it away from backups of the store file: whoever
// has both can read every secret.
func NewKeyFile(path string) error { return envelope.NewKeyFile(path, envErrors) }

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
	if p == nil {
		p = &DefaultArgon2
	}
	k, err := envelope.NewKDF(src.source(), p.Time, p.Memory, p.Threads, envErrors)
	if err != nil {
		return kdfParams{}, err
	}
	return fromEnv(k), nil
}

// deriveKEK returns the KEK of src for a file's KDF parameters.
func deriveKEK(src KeySource, p *kdfParams) ([]byte, error) {
	return envelope.DeriveKEK(src.source(), p.env(), envErrors)
}

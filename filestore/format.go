package filestore

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"fmt"

	"github.com/secretstore-go/secretstore/internal/envelope"
)

// FormatVersion is the version of the on-disk format this package writes,
// stored as the first byte of the header and of every record.
const FormatVersion = 1

// MaxValueSize is the largest value Set accepts, in bytes. A record holds the
// current and the previous value, so it can be twice as large.
const MaxValueSize = 64 << 20

const (
	keySize     = envelope.KeySize   // 32
	nonceSize   = envelope.NonceSize // 24
	tagSize     = envelope.TagSize   // 16
	storeIDSize = envelope.IDSize    // 32

	cipherXChaCha20Poly1305 = 1

	kdfRaw      = envelope.KDFRaw      // the KEK is a 32-byte key (key file or Key)
	kdfArgon2id = envelope.KDFArgon2id // the KEK is argon2id(passphrase, salt, params)

	// minRecordSize is the smallest well-formed record: a header, a flags
	// byte and the tag.
	minRecordSize = envelope.MinRecordSize
)

// Records are sealed by the shared envelope; its record version is this
// package's format version.
var _ [0]struct{} = [FormatVersion - envelope.RecordVersion]struct{}{}

// envErrors makes the shared envelope report this package's sentinels.
var envErrors = &envelope.Errors{
	Prefix:          "filestore",
	WrongKey:        ErrWrongKey,
	Corrupt:         ErrCorrupt,
	Unsupported:     ErrUnsupportedFormat,
	InsecureKeyFile: ErrInsecureKeyFile,
}

// Bucket and key names in the bbolt file.
var (
	bucketMeta    = []byte("meta")
	bucketSecrets = []byte("secrets")
	keyHeader     = []byte("header")
)

var headerMagic = [4]byte{'S', 'S', 'F', 'S'}

// Bounds on the argon2id parameters read from a file, so that a damaged or
// hostile header cannot make Open allocate without limit or run for hours.
const (
	maxArgon2Memory = envelope.MaxArgon2Memory // KiB: 4 GiB
)

// kdfParams says how the key-encryption key (KEK) is obtained from a
// [KeySource].
type kdfParams struct {
	kind    byte
	time    uint32 // argon2id passes
	memory  uint32 // argon2id memory in KiB
	threads uint8  // argon2id parallelism
	salt    []byte
}

// header is the store's metadata, stored under meta/header.
//
//	magic "SSFS" | version | cipher | store id (32)
//	| kdf kind [| time u32 | memory u32 | threads u8 | salt len u8 | salt]
//	| wrap nonce (24) | wrapped data key (32+16)
//	| SHA-256 of all the above (32)
//
// The wrapped data key is sealed with the KEK, with every byte before the
// wrap nonce as associated data, so no field can be changed without the
// unwrap failing. The checksum tells accidental damage (ErrCorrupt) from a
// wrong key (ErrWrongKey).
type header struct {
	version   byte
	cipher    byte
	id        [storeIDSize]byte
	kdf       kdfParams
	wrapNonce [nonceSize]byte
	wrapped   [keySize + tagSize]byte
}

// prefix encodes the fields the wrapped key authenticates.
func (h *header) prefix() []byte {
	b := make([]byte, 0, 128)
	b = append(b, headerMagic[:]...)
	b = append(b, h.version, h.cipher)
	b = append(b, h.id[:]...)
	b = append(b, h.kdf.kind)
	if h.kdf.kind == kdfArgon2id {
		b = binary.BigEndian.AppendUint32(b, h.kdf.time)
		b = binary.BigEndian.AppendUint32(b, h.kdf.memory)
		b = append(b, h.kdf.threads, byte(len(h.kdf.salt)))
		b = append(b, h.kdf.salt...)
	}
	return b
}

// encode returns the header's bytes, checksum included.
func (h *header) encode() []byte {
	b := h.prefix()
	b = append(b, h.wrapNonce[:]...)
	b = append(b, h.wrapped[:]...)
	sum := sha256.Sum256(b)
	return append(b, sum[:]...)
}

// decodeHeader parses and checks a header. It never keeps a reference to b.
func decodeHeader(b []byte) (*header, error) {
	const fixed = 4 + 1 + 1 + storeIDSize + 1
	if len(b) < fixed+nonceSize+keySize+tagSize+sha256.Size {
		return nil, fmt.Errorf("%w: header is truncated (%d bytes)", ErrCorrupt, len(b))
	}
	body, sum := b[:len(b)-sha256.Size], b[len(b)-sha256.Size:]
	want := sha256.Sum256(body)
	if subtle.ConstantTimeCompare(want[:], sum) != 1 {
		return nil, fmt.Errorf("%w: header checksum mismatch", ErrCorrupt)
	}
	if !bytes.Equal(body[:4], headerMagic[:]) {
		return nil, fmt.Errorf("%w: not a filestore header", ErrCorrupt)
	}
	h := &header{version: body[4], cipher: body[5]}
	if h.version > FormatVersion {
		return nil, fmt.Errorf("%w: file format version %d, this package reads version %d", ErrUnsupportedFormat, h.version, FormatVersion)
	}
	if h.version != FormatVersion {
		return nil, fmt.Errorf("%w: file format version %d", ErrCorrupt, h.version)
	}
	if h.cipher != cipherXChaCha20Poly1305 {
		return nil, fmt.Errorf("%w: unknown cipher %d", ErrUnsupportedFormat, h.cipher)
	}
	copy(h.id[:], body[6:6+storeIDSize])
	rest := body[fixed:]
	h.kdf.kind = body[fixed-1]
	switch h.kdf.kind {
	case kdfRaw:
	case kdfArgon2id:
		if len(rest) < 10 {
			return nil, fmt.Errorf("%w: header is truncated", ErrCorrupt)
		}
		h.kdf.time = binary.BigEndian.Uint32(rest[0:4])
		h.kdf.memory = binary.BigEndian.Uint32(rest[4:8])
		h.kdf.threads = rest[8]
		n := int(rest[9])
		rest = rest[10:]
		if n > len(rest) {
			return nil, fmt.Errorf("%w: header is truncated", ErrCorrupt)
		}
		h.kdf.salt = bytes.Clone(rest[:n])
		rest = rest[n:]
		if err := h.kdf.check(); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("%w: unknown key derivation %d", ErrUnsupportedFormat, h.kdf.kind)
	}
	if len(rest) != nonceSize+keySize+tagSize {
		return nil, fmt.Errorf("%w: header has the wrong length", ErrCorrupt)
	}
	copy(h.wrapNonce[:], rest[:nonceSize])
	copy(h.wrapped[:], rest[nonceSize:])
	return h, nil
}

// env returns the parameters in the shared envelope's type.
func (p *kdfParams) env() *envelope.KDF {
	return &envelope.KDF{Kind: p.kind, Time: p.time, Memory: p.memory, Threads: p.threads, Salt: p.salt}
}

func fromEnv(k envelope.KDF) kdfParams {
	return kdfParams{kind: k.Kind, time: k.Time, memory: k.Memory, threads: k.Threads, salt: k.Salt}
}

// check rejects argon2id parameters that are out of bounds.
func (p *kdfParams) check() error { return p.env().Check(envErrors) }

// wrap seals dataKey with kek into h (fresh nonce), binding every header
// field before the nonce.
func (h *header) wrap(kek, dataKey []byte) error {
	nonce, wrapped, err := envelope.Wrap(kek, dataKey, h.prefix())
	if err != nil {
		return err
	}
	h.wrapNonce, h.wrapped = nonce, wrapped
	return nil
}

// unwrap opens the data key with kek. A failure means a wrong key: the
// header's checksum has already ruled out accidental damage.
func (h *header) unwrap(kek []byte) ([]byte, error) {
	return envelope.Unwrap(kek, &h.wrapNonce, h.wrapped[:], h.prefix(), envErrors)
}

// recordCipher seals and opens records with a store's data key.
//
// A record (the bbolt value under the secret's name) is
//
//	version (1) | nonce (24) | XChaCha20-Poly1305(data key, nonce, plaintext, ad)
//
// with ad = version | store id | name, and plaintext
//
//	flags (1) | current                                  (flags = 0)
//	flags (1) | uvarint len(current) | current | previous (flags = 1)
//
// Current and previous are sealed together, so neither can be swapped,
// dropped or replayed on its own.
type recordCipher struct {
	r *envelope.Records
}

func newRecordCipher(dataKey []byte, id [storeIDSize]byte) (*recordCipher, error) {
	r, err := envelope.NewRecords(dataKey, id, envErrors)
	if err != nil {
		return nil, err
	}
	return &recordCipher{r: r}, nil
}

// seal returns the record of name holding current and, if not nil,
// previous. It uses a fresh random nonce.
func (c *recordCipher) seal(name, current string, previous *string) []byte {
	return c.r.Seal(name, current, previous)
}

func (c *recordCipher) sealWithNonce(name, current string, previous *string, nonce *[nonceSize]byte) []byte {
	return c.r.SealWithNonce(name, current, previous, nonce)
}

// open authenticates and decrypts the record of name. withPrevious says
// whether to return the previous value; current is always returned. Any
// record that was not sealed by seal for this name and store fails with
// ErrCorrupt (or ErrUnsupportedFormat); open never panics and never keeps a
// reference to rec.
func (c *recordCipher) open(name string, rec []byte, withPrevious bool) (current string, previous *string, err error) {
	return c.r.Open(name, rec, withPrevious)
}

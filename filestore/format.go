package filestore

import (
	"bytes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"fmt"

	"golang.org/x/crypto/chacha20poly1305"
)

// FormatVersion is the version of the on-disk format this package writes,
// stored as the first byte of the header and of every record.
const FormatVersion = 1

// MaxValueSize is the largest value Set accepts, in bytes. A record holds the
// current and the previous value, so it can be twice as large.
const MaxValueSize = 64 << 20

const (
	keySize     = chacha20poly1305.KeySize    // 32
	nonceSize   = chacha20poly1305.NonceSizeX // 24
	tagSize     = chacha20poly1305.Overhead   // 16
	storeIDSize = 32

	cipherXChaCha20Poly1305 = 1

	kdfRaw      = 1 // the KEK is a 32-byte key (key file or Key)
	kdfArgon2id = 2 // the KEK is argon2id(passphrase, salt, params)

	recFlagPrevious = 1 // the record holds a previous value

	// recordHeaderSize is the version byte and the nonce before the
	// ciphertext.
	recordHeaderSize = 1 + nonceSize
	// minRecordSize is the smallest well-formed record: a header, a flags
	// byte and the tag.
	minRecordSize = recordHeaderSize + 1 + tagSize
)

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
	minSaltLen      = 16
	maxSaltLen      = 64
	maxArgon2Time   = 64
	maxArgon2Memory = 4 << 20 // KiB: 4 GiB
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

// check rejects argon2id parameters that are out of bounds.
func (p *kdfParams) check() error {
	switch {
	case len(p.salt) < minSaltLen || len(p.salt) > maxSaltLen:
		return fmt.Errorf("%w: argon2id salt of %d bytes", ErrCorrupt, len(p.salt))
	case p.time < 1 || p.time > maxArgon2Time:
		return fmt.Errorf("%w: argon2id time %d out of range", ErrCorrupt, p.time)
	case p.threads < 1:
		return fmt.Errorf("%w: argon2id with 0 threads", ErrCorrupt)
	case p.memory < 8*uint32(p.threads) || p.memory > maxArgon2Memory:
		return fmt.Errorf("%w: argon2id memory %d KiB out of range", ErrCorrupt, p.memory)
	}
	return nil
}

// wrap seals dataKey with kek into h (fresh nonce), binding every header
// field before the nonce.
func (h *header) wrap(kek, dataKey []byte) error {
	aead, err := chacha20poly1305.NewX(kek)
	if err != nil {
		return err
	}
	rand.Read(h.wrapNonce[:])
	aead.Seal(h.wrapped[:0], h.wrapNonce[:], dataKey, h.prefix())
	return nil
}

// unwrap opens the data key with kek. A failure means a wrong key: the
// header's checksum has already ruled out accidental damage.
func (h *header) unwrap(kek []byte) ([]byte, error) {
	aead, err := chacha20poly1305.NewX(kek)
	if err != nil {
		return nil, err
	}
	dk, err := aead.Open(nil, h.wrapNonce[:], h.wrapped[:], h.prefix())
	if err != nil {
		return nil, fmt.Errorf("%w: the key does not unwrap this store's data key", ErrWrongKey)
	}
	return dk, nil
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
	aead cipher.AEAD
	id   [storeIDSize]byte
}

func newRecordCipher(dataKey []byte, id [storeIDSize]byte) (*recordCipher, error) {
	aead, err := chacha20poly1305.NewX(dataKey)
	if err != nil {
		return nil, err
	}
	return &recordCipher{aead: aead, id: id}, nil
}

func (c *recordCipher) ad(version byte, name string) []byte {
	ad := make([]byte, 0, 1+storeIDSize+len(name))
	ad = append(ad, version)
	ad = append(ad, c.id[:]...)
	return append(ad, name...)
}

// seal returns the record of name holding current and, if not nil,
// previous. It uses a fresh random nonce.
func (c *recordCipher) seal(name, current string, previous *string) []byte {
	var nonce [nonceSize]byte
	rand.Read(nonce[:])
	return c.sealWithNonce(name, current, previous, &nonce)
}

func (c *recordCipher) sealWithNonce(name, current string, previous *string, nonce *[nonceSize]byte) []byte {
	ptLen := 1 + len(current)
	if previous != nil {
		ptLen += binary.MaxVarintLen64 + len(*previous)
	}
	rec := make([]byte, recordHeaderSize, recordHeaderSize+ptLen+tagSize)
	rec[0] = FormatVersion
	copy(rec[1:recordHeaderSize], nonce[:])
	pt := rec[recordHeaderSize:]
	if previous == nil {
		pt = append(pt, 0)
		pt = append(pt, current...)
	} else {
		pt = append(pt, recFlagPrevious)
		pt = binary.AppendUvarint(pt, uint64(len(current)))
		pt = append(pt, current...)
		pt = append(pt, *previous...)
	}
	// Seal in place: the plaintext is at rec[recordHeaderSize:].
	ct := c.aead.Seal(pt[:0], rec[1:recordHeaderSize], pt, c.ad(rec[0], name))
	return rec[:recordHeaderSize+len(ct)]
}

// open authenticates and decrypts the record of name. withPrevious says
// whether to return the previous value; current is always returned. Any
// record that was not sealed by seal for this name and store fails with
// ErrCorrupt (or ErrUnsupportedFormat); open never panics and never keeps a
// reference to rec.
func (c *recordCipher) open(name string, rec []byte, withPrevious bool) (current string, previous *string, err error) {
	if len(rec) < 1 {
		return "", nil, fmt.Errorf("%w: empty record for %q", ErrCorrupt, name)
	}
	if rec[0] > FormatVersion {
		return "", nil, fmt.Errorf("%w: record for %q has format version %d, this package reads version %d", ErrUnsupportedFormat, name, rec[0], FormatVersion)
	}
	if rec[0] != FormatVersion {
		return "", nil, fmt.Errorf("%w: record for %q has format version %d", ErrCorrupt, name, rec[0])
	}
	if len(rec) < minRecordSize {
		return "", nil, fmt.Errorf("%w: record for %q is truncated", ErrCorrupt, name)
	}
	pt, err := c.aead.Open(nil, rec[1:recordHeaderSize], rec[recordHeaderSize:], c.ad(rec[0], name))
	if err != nil {
		return "", nil, fmt.Errorf("%w: record for %q does not authenticate", ErrCorrupt, name)
	}
	defer clear(pt)
	switch pt[0] {
	case 0:
		return string(pt[1:]), nil, nil
	case recFlagPrevious:
		n, k := binary.Uvarint(pt[1:])
		body := pt[1:]
		if k <= 0 || n > uint64(len(body)-k) {
			// Cannot happen for a record seal wrote.
			return "", nil, fmt.Errorf("%w: record for %q is malformed", ErrCorrupt, name)
		}
		body = body[k:]
		current = string(body[:n])
		if withPrevious {
			p := string(body[n:])
			previous = &p
		}
		return current, previous, nil
	}
	return "", nil, fmt.Errorf("%w: record for %q has unknown flags", ErrCorrupt, name)
}

// Package envelope is the client-side encryption shared by the drivers that
// keep secrets encrypted in storage they do not trust (filestore's file,
// etcd's cluster): records sealed with XChaCha20-Poly1305 under a random data
// key with the secret's name bound as associated data, the key sources that
// supply a key-encryption key (KEK) — a raw 32-byte key or an argon2id
// stretched passphrase — and the wrapping of the data key with the KEK.
//
// The byte formats here are part of filestore's on-disk format (see its
// package documentation) and must not change without a new format version.
// Errors are reported through an [Errors] value supplied by the caller, so
// each driver keeps its own sentinel errors and message prefix.
package envelope

import (
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"fmt"

	"golang.org/x/crypto/chacha20poly1305"
)

// Sizes of the keys, nonces, tags and store ids.
const (
	KeySize   = chacha20poly1305.KeySize    // 32
	NonceSize = chacha20poly1305.NonceSizeX // 24
	TagSize   = chacha20poly1305.Overhead   // 16
	IDSize    = 32
)

// RecordVersion is the version byte that starts every record.
const RecordVersion = 1

const (
	recFlagPrevious = 1 // the record holds a previous value

	// RecordHeaderSize is the version byte and the nonce before the
	// ciphertext.
	RecordHeaderSize = 1 + NonceSize
	// MinRecordSize is the smallest well-formed record: a header, a flags
	// byte and the tag.
	MinRecordSize = RecordHeaderSize + 1 + TagSize
)

// Errors are the sentinel errors and the message prefix a driver wants the
// envelope's errors to carry. Every field must be set.
type Errors struct {
	// Prefix starts messages that wrap no sentinel, such as "filestore".
	Prefix string
	// WrongKey: a key source does not open the data key.
	WrongKey error
	// Corrupt: a record or key material is damaged or was tampered with.
	Corrupt error
	// Unsupported: a record has a newer format version.
	Unsupported error
	// InsecureKeyFile: a key or passphrase file is accessible by others.
	InsecureKeyFile error
}

// Wrap seals dataKey with kek under a fresh random nonce, binding ad. It
// returns the nonce and the wrapped key (KeySize+TagSize bytes).
func Wrap(kek, dataKey, ad []byte) (nonce [NonceSize]byte, wrapped [KeySize + TagSize]byte, err error) {
	aead, err := chacha20poly1305.NewX(kek)
	if err != nil {
		return nonce, wrapped, err
	}
	rand.Read(nonce[:])
	aead.Seal(wrapped[:0], nonce[:], dataKey, ad)
	return nonce, wrapped, nil
}

// Unwrap opens a data key wrapped by [Wrap]. A failure means a wrong key (or
// tampered associated data) and wraps e.WrongKey.
func Unwrap(kek []byte, nonce *[NonceSize]byte, wrapped []byte, ad []byte, e *Errors) ([]byte, error) {
	aead, err := chacha20poly1305.NewX(kek)
	if err != nil {
		return nil, err
	}
	dk, err := aead.Open(nil, nonce[:], wrapped, ad)
	if err != nil {
		return nil, fmt.Errorf("%w: the key does not unwrap this store's data key", e.WrongKey)
	}
	return dk, nil
}

// Records seals and opens records with a store's data key.
//
// A record is
//
//	version (1) | nonce (24) | XChaCha20-Poly1305(data key, nonce, plaintext, ad)
//
// with ad = version | store id | name, and plaintext
//
//	flags (1) | current                                  (flags = 0)
//	flags (1) | uvarint len(current) | current | previous (flags = 1)
//
// Current and previous are sealed together, so neither can be swapped,
// dropped or replayed on its own, and a record moved to another name or
// store does not open.
type Records struct {
	aead cipher.AEAD
	id   [IDSize]byte
	e    *Errors
}

// NewRecords returns the record cipher of the store with data key dataKey
// and id id.
func NewRecords(dataKey []byte, id [IDSize]byte, e *Errors) (*Records, error) {
	aead, err := chacha20poly1305.NewX(dataKey)
	if err != nil {
		return nil, err
	}
	return &Records{aead: aead, id: id, e: e}, nil
}

func (c *Records) ad(version byte, name string) []byte {
	ad := make([]byte, 0, 1+IDSize+len(name))
	ad = append(ad, version)
	ad = append(ad, c.id[:]...)
	return append(ad, name...)
}

// Seal returns the record of name holding current and, if not nil,
// previous. It uses a fresh random nonce.
func (c *Records) Seal(name, current string, previous *string) []byte {
	var nonce [NonceSize]byte
	rand.Read(nonce[:])
	return c.SealWithNonce(name, current, previous, &nonce)
}

// SealWithNonce is [Records.Seal] with a given nonce, for tests only: a
// nonce must never be reused.
func (c *Records) SealWithNonce(name, current string, previous *string, nonce *[NonceSize]byte) []byte {
	ptLen := 1 + len(current)
	if previous != nil {
		ptLen += binary.MaxVarintLen64 + len(*previous)
	}
	rec := make([]byte, RecordHeaderSize, RecordHeaderSize+ptLen+TagSize)
	rec[0] = RecordVersion
	copy(rec[1:RecordHeaderSize], nonce[:])
	pt := rec[RecordHeaderSize:]
	if previous == nil {
		pt = append(pt, 0)
		pt = append(pt, current...)
	} else {
		pt = append(pt, recFlagPrevious)
		pt = binary.AppendUvarint(pt, uint64(len(current)))
		pt = append(pt, current...)
		pt = append(pt, *previous...)
	}
	// Seal in place: the plaintext is at rec[RecordHeaderSize:].
	ct := c.aead.Seal(pt[:0], rec[1:RecordHeaderSize], pt, c.ad(rec[0], name))
	return rec[:RecordHeaderSize+len(ct)]
}

// Open authenticates and decrypts the record of name. withPrevious says
// whether to return the previous value; current is always returned. Any
// record that was not sealed by Seal for this name and store fails with
// e.Corrupt (or e.Unsupported); Open never panics and never keeps a
// reference to rec. Errors name the secret, never a value.
func (c *Records) Open(name string, rec []byte, withPrevious bool) (current string, previous *string, err error) {
	if len(rec) < 1 {
		return "", nil, fmt.Errorf("%w: empty record for %q", c.e.Corrupt, name)
	}
	if rec[0] > RecordVersion {
		return "", nil, fmt.Errorf("%w: record for %q has format version %d, this package reads version %d", c.e.Unsupported, name, rec[0], RecordVersion)
	}
	if rec[0] != RecordVersion {
		return "", nil, fmt.Errorf("%w: record for %q has format version %d", c.e.Corrupt, name, rec[0])
	}
	if len(rec) < MinRecordSize {
		return "", nil, fmt.Errorf("%w: record for %q is truncated", c.e.Corrupt, name)
	}
	pt, err := c.aead.Open(nil, rec[1:RecordHeaderSize], rec[RecordHeaderSize:], c.ad(rec[0], name))
	if err != nil {
		return "", nil, fmt.Errorf("%w: record for %q does not authenticate", c.e.Corrupt, name)
	}
	defer clear(pt)
	switch pt[0] {
	case 0:
		return string(pt[1:]), nil, nil
	case recFlagPrevious:
		n, k := binary.Uvarint(pt[1:])
		body := pt[1:]
		if k <= 0 || n > uint64(len(body)-k) {
			// Cannot happen for a record Seal wrote.
			return "", nil, fmt.Errorf("%w: record for %q is malformed", c.e.Corrupt, name)
		}
		body = body[k:]
		current = string(body[:n])
		if withPrevious {
			p := string(body[n:])
			previous = &p
		}
		return current, previous, nil
	}
	return "", nil, fmt.Errorf("%w: record for %q has unknown flags", c.e.Corrupt, name)
}

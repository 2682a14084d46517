package envelope

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"fmt"
)

// CipherXChaCha20Poly1305 is the only cipher a [Header] names.
const CipherXChaCha20Poly1305 = 1

// Argon2Params are the argon2id parameters used to stretch a passphrase when
// a store is created or rekeyed with one. They are stored in the store's
// header, so a store always opens with the parameters it was created with.
type Argon2Params struct {
	// Time is the number of passes over the memory (1 to 64).
	Time uint32
	// Memory is the memory used, in KiB (at least 8 per thread, at most
	// 4 GiB).
	Memory uint32
	// Threads is the degree of parallelism (1 to 255).
	Threads uint8
}

// DefaultArgon2 are RFC 9106's recommended argon2id parameters for
// memory-constrained environments (3 passes over 64 MiB, 4 lanes), a
// fraction of a second on a current machine.
var DefaultArgon2 = Argon2Params{Time: 3, Memory: 64 << 10, Threads: 4}

// Format is one driver's header format: the magic and version that start
// it, the word its errors call it by, and the driver's errors.
type Format struct {
	Magic   [4]byte // such as "SSFS" (filestore) or "SSET" (etcd)
	Version byte    // the only version written and read
	What    string  // "header", "metadata", ...: the word errors use
	// StrictVersion says that a header of any other version, or naming
	// another cipher, is Unsupported; otherwise only a newer version and
	// an unknown cipher are, and an older version is Corrupt.
	StrictVersion bool
	Errors        *Errors
}

// Header is a store's metadata: its id, how its key-encryption key (KEK) is
// derived, and its data key wrapped with the KEK.
//
//	magic (4) | version | cipher | store id (32)
//	| kdf kind [| time u32 | memory u32 | threads u8 | salt len u8 | salt]
//	| wrap nonce (24) | wrapped data key (32+16)
//	| SHA-256 of all the above (32)
//
// The data key is wrapped with every byte before the wrap nonce as
// associated data, so no field can be changed without the unwrap failing.
// The checksum tells accidental damage (Corrupt) from a wrong key
// (WrongKey). The encoding is part of the drivers' storage formats and must
// not change without a new format version.
type Header struct {
	Magic     [4]byte
	Version   byte
	Cipher    byte
	ID        [IDSize]byte
	KDF       KDF
	WrapNonce [NonceSize]byte
	Wrapped   [KeySize + TagSize]byte
}

// Seal returns a new header of format f for the store id, holding dataKey
// wrapped with the KEK of src: a fresh salt and p (nil: [DefaultArgon2])
// for a passphrase.
func (f *Format) Seal(src KeySource, id [IDSize]byte, dataKey []byte, p *Argon2Params) (*Header, error) {
	if p == nil {
		p = &DefaultArgon2
	}
	kdf, err := NewKDF(src, p.Time, p.Memory, p.Threads, f.Errors)
	if err != nil {
		return nil, err
	}
	kek, err := DeriveKEK(src, &kdf, f.Errors)
	if err != nil {
		return nil, err
	}
	defer clear(kek)
	h := &Header{Magic: f.Magic, Version: f.Version, Cipher: CipherXChaCha20Poly1305, ID: id, KDF: kdf}
	if err := h.Wrap(kek, dataKey); err != nil {
		return nil, err
	}
	return h, nil
}

// NewStore returns the header of a new store of format f, with a random id
// and a random data key, which it also returns (the caller clears it).
func (f *Format) NewStore(src KeySource, p *Argon2Params) (*Header, []byte, error) {
	var id [IDSize]byte
	rand.Read(id[:])
	dataKey := make([]byte, KeySize)
	rand.Read(dataKey)
	h, err := f.Seal(src, id, dataKey, p)
	if err != nil {
		clear(dataKey)
		return nil, nil, err
	}
	return h, dataKey, nil
}

// Open returns the data key of h, unwrapped with the KEK of src. A source
// that does not open it fails with Errors.WrongKey.
func (f *Format) Open(h *Header, src KeySource) ([]byte, error) {
	kek, err := DeriveKEK(src, &h.KDF, f.Errors)
	if err != nil {
		return nil, err
	}
	defer clear(kek)
	return h.Unwrap(kek, f.Errors)
}

// prefix encodes the fields the wrapped key authenticates.
func (h *Header) prefix() []byte {
	b := make([]byte, 0, 128)
	b = append(b, h.Magic[:]...)
	b = append(b, h.Version, h.Cipher)
	b = append(b, h.ID[:]...)
	b = append(b, h.KDF.Kind)
	if h.KDF.Kind == KDFArgon2id {
		b = binary.BigEndian.AppendUint32(b, h.KDF.Time)
		b = binary.BigEndian.AppendUint32(b, h.KDF.Memory)
		b = append(b, h.KDF.Threads, byte(len(h.KDF.Salt)))
		b = append(b, h.KDF.Salt...)
	}
	return b
}

// Encode returns the header's bytes, checksum included.
func (h *Header) Encode() []byte {
	b := h.prefix()
	b = append(b, h.WrapNonce[:]...)
	b = append(b, h.Wrapped[:]...)
	sum := sha256.Sum256(b)
	return append(b, sum[:]...)
}

// Wrap seals dataKey with kek into h under a fresh nonce, binding every
// field before the nonce.
func (h *Header) Wrap(kek, dataKey []byte) error {
	nonce, wrapped, err := Wrap(kek, dataKey, h.prefix())
	if err != nil {
		return err
	}
	h.WrapNonce, h.Wrapped = nonce, wrapped
	return nil
}

// Unwrap opens the data key with kek. A failure means a wrong key (or a
// field changed with a matching checksum) and wraps e.WrongKey.
func (h *Header) Unwrap(kek []byte, e *Errors) ([]byte, error) {
	return Unwrap(kek, &h.WrapNonce, h.Wrapped[:], h.prefix(), e)
}

// Decode parses and checks a header of format f. Damage fails with
// Errors.Corrupt, a version or cipher it does not read with
// Errors.Unsupported (see [Format.StrictVersion]). It never keeps a
// reference to b.
func (f *Format) Decode(b []byte) (*Header, error) {
	e, what := f.Errors, f.What
	const fixed = 4 + 1 + 1 + IDSize + 1
	if len(b) < fixed+NonceSize+KeySize+TagSize+sha256.Size {
		return nil, fmt.Errorf("%w: %s is truncated (%d bytes)", e.Corrupt, what, len(b))
	}
	body, sum := b[:len(b)-sha256.Size], b[len(b)-sha256.Size:]
	want := sha256.Sum256(body)
	if subtle.ConstantTimeCompare(want[:], sum) != 1 {
		return nil, fmt.Errorf("%w: %s checksum mismatch", e.Corrupt, what)
	}
	if !bytes.Equal(body[:4], f.Magic[:]) {
		return nil, fmt.Errorf("%w: the %s does not start with %q", e.Corrupt, what, f.Magic[:])
	}
	h := &Header{Magic: f.Magic, Version: body[4], Cipher: body[5]}
	switch {
	case f.StrictVersion && (h.Version != f.Version || h.Cipher != CipherXChaCha20Poly1305):
		return nil, fmt.Errorf("%w: %s version %d, cipher %d", e.Unsupported, what, h.Version, h.Cipher)
	case h.Version > f.Version:
		return nil, fmt.Errorf("%w: %s format version %d, this package reads version %d", e.Unsupported, what, h.Version, f.Version)
	case h.Version != f.Version:
		return nil, fmt.Errorf("%w: %s format version %d", e.Corrupt, what, h.Version)
	case h.Cipher != CipherXChaCha20Poly1305:
		return nil, fmt.Errorf("%w: unknown cipher %d", e.Unsupported, h.Cipher)
	}
	copy(h.ID[:], body[6:6+IDSize])
	rest := body[fixed:]
	h.KDF.Kind = body[fixed-1]
	switch h.KDF.Kind {
	case KDFRaw:
	case KDFArgon2id:
		if len(rest) < 10 {
			return nil, fmt.Errorf("%w: %s is truncated", e.Corrupt, what)
		}
		h.KDF.Time = binary.BigEndian.Uint32(rest[0:4])
		h.KDF.Memory = binary.BigEndian.Uint32(rest[4:8])
		h.KDF.Threads = rest[8]
		n := int(rest[9])
		rest = rest[10:]
		if n > len(rest) {
			return nil, fmt.Errorf("%w: %s is truncated", e.Corrupt, what)
		}
		h.KDF.Salt = bytes.Clone(rest[:n])
		rest = rest[n:]
		if err := h.KDF.Check(e); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("%w: unknown key derivation %d", e.Unsupported, h.KDF.Kind)
	}
	if len(rest) != NonceSize+KeySize+TagSize {
		return nil, fmt.Errorf("%w: %s has the wrong length", e.Corrupt, what)
	}
	copy(h.WrapNonce[:], rest[:NonceSize])
	copy(h.Wrapped[:], rest[NonceSize:])
	return h, nil
}

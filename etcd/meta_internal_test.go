package etcd

import (
	"bytes"
	"encoding/hex"
	"errors"
	"testing"

	"github.com/secretstore-go/secretstore/internal/envelope"
)

// TestMetaPinned pins the bytes of the metadata key, as written since the
// driver's first version: a change to the encoding fails here.
func TestMetaPinned(t *testing.T) {
	for _, c := range []struct {
		kdf envelope.KDF
		hex string
	}{
		{envelope.KDF{Kind: envelope.KDFRaw},
			"535345540101000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f01808182838485868788898a8b8c8d8e8f9091929394959697404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f606162636465666768696a6b6c6d6e6fd6a7107a6b254a5f5c6cb5a55843ea64236dcc374733d12c57b52ec1af5b672b"},
		{envelope.KDF{Kind: envelope.KDFArgon2id, Time: 3, Memory: 65536, Threads: 4, Salt: bytes.Repeat([]byte{0xa5}, 16)},
			"535345540101000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f0200000003000100000410a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5808182838485868788898a8b8c8d8e8f9091929394959697404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f606162636465666768696a6b6c6d6e6f7216aabe94c50923132fd9ca22704ec98b54cd7f647ad29f6768671b7f910f43"},
	} {
		m := &envelope.Header{Magic: metaFormat.Magic, Version: metaFormat.Version, Cipher: envelope.CipherXChaCha20Poly1305, KDF: c.kdf}
		for i := range m.ID {
			m.ID[i] = byte(i)
		}
		for i := range m.WrapNonce {
			m.WrapNonce[i] = byte(0x80 + i)
		}
		for i := range m.Wrapped {
			m.Wrapped[i] = byte(0x40 + i)
		}
		enc := m.Encode()
		if got := hex.EncodeToString(enc); got != c.hex {
			t.Fatalf("metadata of kdf %d encodes to\n%s\nwant\n%s", c.kdf.Kind, got, c.hex)
		}
		if _, err := metaFormat.Decode(enc); err != nil {
			t.Fatalf("the pinned metadata does not decode: %v", err)
		}
	}
}

// TestMetaVersions: metadata of another version or cipher is refused as
// unsupported, and a new store's metadata opens only with its key.
func TestMetaVersions(t *testing.T) {
	m, dk, err := newMeta(Key([32]byte{1}), nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := metaFormat.Open(m, Key([32]byte{1}))
	if err != nil || !bytes.Equal(got, dk) {
		t.Fatalf("Open with the store's key: %v", err)
	}
	if _, err := metaFormat.Open(m, Key([32]byte{2})); !errors.Is(err, ErrWrongKey) {
		t.Fatalf("Open with another key: %v, want ErrWrongKey", err)
	}
	for _, v := range []struct{ version, cipher byte }{{0, 1}, {2, 1}, {1, 2}} {
		o := *m
		o.Version, o.Cipher = v.version, v.cipher
		if _, err := metaFormat.Decode(o.Encode()); !errors.Is(err, ErrUnsupportedFormat) {
			t.Errorf("metadata of version %d, cipher %d: %v, want ErrUnsupportedFormat", v.version, v.cipher, err)
		}
	}
}

package envelope

import (
	"bytes"
	"encoding/hex"
	"errors"
	"testing"
)

var testFormat = &Format{Magic: [4]byte{'T', 'E', 'S', 'T'}, Version: 3, What: "header", Errors: testErrs}

var fastArgon = &Argon2Params{Time: 1, Memory: 64, Threads: 1}

// TestFormatSealOpen: a new store's header opens with its source only, and
// a header sealed again for another source (a rekey) keeps the id and the
// data key.
func TestFormatSealOpen(t *testing.T) {
	for _, src := range []KeySource{Key([32]byte{1}), Passphrase([]byte("correct horse"))} {
		h, dk, err := testFormat.NewStore(src, fastArgon)
		if err != nil {
			t.Fatal(err)
		}
		dec, err := testFormat.Decode(h.Encode())
		if err != nil {
			t.Fatal(err)
		}
		got, err := testFormat.Open(dec, src)
		if err != nil || !bytes.Equal(got, dk) {
			t.Fatalf("%v: Open of a new header: %v", src, err)
		}
		if _, err := testFormat.Open(dec, Key([32]byte{2})); !errors.Is(err, testErrs.WrongKey) {
			t.Fatalf("%v: Open with another source: %v, want WrongKey", src, err)
		}
		next := Passphrase([]byte("another"))
		r, err := testFormat.Seal(next, h.ID, dk, fastArgon)
		if err != nil {
			t.Fatal(err)
		}
		got, err = testFormat.Open(r, next)
		if err != nil || !bytes.Equal(got, dk) || r.ID != h.ID {
			t.Fatalf("%v: a resealed header does not keep the id and data key: %v", src, err)
		}
	}
}

// TestFormatVersions: without StrictVersion, a newer version or another
// cipher is Unsupported and an older version Corrupt; with it, both are
// Unsupported. Another magic is Corrupt.
func TestFormatVersions(t *testing.T) {
	h, _, err := testFormat.NewStore(Key([32]byte{1}), nil)
	if err != nil {
		t.Fatal(err)
	}
	strict := *testFormat
	strict.StrictVersion = true
	for _, c := range []struct {
		version, cipher byte
		loose, strict   error
	}{
		{4, CipherXChaCha20Poly1305, testErrs.Unsupported, testErrs.Unsupported},
		{2, CipherXChaCha20Poly1305, testErrs.Corrupt, testErrs.Unsupported},
		{3, 9, testErrs.Unsupported, testErrs.Unsupported},
	} {
		o := *h
		o.Version, o.Cipher = c.version, c.cipher
		if _, err := testFormat.Decode(o.Encode()); !errors.Is(err, c.loose) {
			t.Errorf("version %d cipher %d: %v, want %v", c.version, c.cipher, err, c.loose)
		}
		if _, err := strict.Decode(o.Encode()); !errors.Is(err, c.strict) {
			t.Errorf("strict, version %d cipher %d: %v, want %v", c.version, c.cipher, err, c.strict)
		}
	}
	o := *h
	o.Magic = [4]byte{'X'}
	if _, err := testFormat.Decode(o.Encode()); !errors.Is(err, testErrs.Corrupt) {
		t.Errorf("another magic: %v, want Corrupt", err)
	}
}

// TestHeaderPinned pins the bytes of the drivers' headers, as written since
// their first versions (computed with the drivers' own encoders before they
// shared this one): filestore's "SSFS" header and etcd's "SSET" metadata,
// each with a raw key and with a passphrase. The drivers' tests check that
// their formats are these.
func TestHeaderPinned(t *testing.T) {
	argon := KDF{Kind: KDFArgon2id, Time: 3, Memory: 65536, Threads: 4, Salt: bytes.Repeat([]byte{0xa5}, 16)}
	for _, c := range []struct {
		magic string
		kdf   KDF
		hex   string
	}{
		{"SSFS", KDF{Kind: KDFRaw}, "535346530101000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f01808182838485868788898a8b8c8d8e8f9091929394959697404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f606162636465666768696a6b6c6d6e6f4da1c979408c7bf7884fbfa98bc30ca1e9fb1b3072b6bfa29de21382478def29"},
		{"SSFS", argon, "535346530101000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f0200000003000100000410a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5808182838485868788898a8b8c8d8e8f9091929394959697404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f606162636465666768696a6b6c6d6e6fa291688a39a54223ad97ad2f9e09210d33f85f844a9fe09c6026cdd8d19f68d5"},
		{"SSET", KDF{Kind: KDFRaw}, "535345540101000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f01808182838485868788898a8b8c8d8e8f9091929394959697404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f606162636465666768696a6b6c6d6e6fd6a7107a6b254a5f5c6cb5a55843ea64236dcc374733d12c57b52ec1af5b672b"},
		{"SSET", argon, "535345540101000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f0200000003000100000410a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5808182838485868788898a8b8c8d8e8f9091929394959697404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f606162636465666768696a6b6c6d6e6f7216aabe94c50923132fd9ca22704ec98b54cd7f647ad29f6768671b7f910f43"},
	} {
		f := &Format{Magic: [4]byte([]byte(c.magic)), Version: 1, What: "header", Errors: testErrs}
		h := &Header{Magic: f.Magic, Version: 1, Cipher: CipherXChaCha20Poly1305, KDF: c.kdf}
		for i := range h.ID {
			h.ID[i] = byte(i)
		}
		for i := range h.WrapNonce {
			h.WrapNonce[i] = byte(0x80 + i)
		}
		for i := range h.Wrapped {
			h.Wrapped[i] = byte(0x40 + i)
		}
		enc := h.Encode()
		if got := hex.EncodeToString(enc); got != c.hex {
			t.Fatalf("%s header of kdf %d encodes to\n%s\nwant\n%s", c.magic, c.kdf.Kind, got, c.hex)
		}
		dec, err := f.Decode(enc)
		if err != nil || !bytes.Equal(dec.Encode(), enc) || dec.KDF.Kind != c.kdf.Kind {
			t.Fatalf("the pinned %s header does not decode to its fields: %v", c.magic, err)
		}
	}
}

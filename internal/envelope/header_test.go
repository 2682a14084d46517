package envelope

import (
	"bytes"
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

package filestore

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/secretstore-go/secretstore/internal/envelope"
)

// fixedCipher is a record cipher with a fixed key and store id, so that a
// seed corpus of records stays meaningful.
func fixedCipher(t testing.TB, idByte byte) *envelope.Records {
	t.Helper()
	key := bytes.Repeat([]byte{0x42}, envelope.KeySize)
	var id [envelope.IDSize]byte
	for i := range id {
		id[i] = idByte
	}
	c, err := envelope.NewRecords(key, id, envErrors)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func ptr(s string) *string { return &s }

var recordValues = []struct {
	name, cur string
	prev      *string
}{
	{"db/password", "hunter2", nil},
	{"db/password", "new", ptr("old")},
	{"empty", "", nil},
	{"empty/prev", "", ptr("")},
	{"binary", "\x00\xff\xfe\x80\x00", ptr("\xc3\x28 not utf-8")},
	{"large", strings.Repeat("\x01\x02\xfa", 70<<10/3+1), ptr(strings.Repeat("p", 65<<10))},
	{"multi-line", "-----BEGIN KEY-----\r\nabc\n-----END KEY-----\n", nil},
	{"tenant:acme:stripeApiKey@v=1+x", "sk", nil},
}

func TestRecordRoundTrip(t *testing.T) {
	c := fixedCipher(t, 1)
	for _, v := range recordValues {
		rec := c.Seal(v.name, v.cur, v.prev)
		if rec[0] != FormatVersion {
			t.Fatalf("record version byte %d", rec[0])
		}
		if bytes.Contains(rec, []byte("hunter2")) {
			t.Fatal("record holds the plaintext")
		}
		cur, prev, err := c.Open(v.name, rec, true)
		if err != nil {
			t.Fatalf("open %q: %v", v.name, err)
		}
		if cur != v.cur || (prev == nil) != (v.prev == nil) || (prev != nil && *prev != *v.prev) {
			t.Fatalf("open %q: values differ from what was sealed", v.name)
		}
		cur2, prev2, err := c.Open(v.name, rec, false)
		if err != nil || cur2 != v.cur || prev2 != nil {
			t.Fatalf("open %q without previous: %v", v.name, err)
		}
		// A second seal of the same value uses a new nonce.
		if bytes.Equal(rec, c.Seal(v.name, v.cur, v.prev)) {
			t.Fatalf("two seals of %q are identical: nonce reuse", v.name)
		}
	}
}

func TestRecordBoundToNameAndStore(t *testing.T) {
	c := fixedCipher(t, 1)
	other := fixedCipher(t, 2) // same data key, another store id
	rec := c.Seal("db/password", "hunter2", ptr("old"))
	for _, tc := range []struct {
		what string
		c    *envelope.Records
		name string
	}{
		{"another name", c, "db/password2"},
		{"a prefix of the name", c, "db/passwor"},
		{"another store", other, "db/password"},
	} {
		cur, prev, err := tc.c.Open(tc.name, rec, true)
		if !errors.Is(err, ErrCorrupt) || cur != "" || prev != nil {
			t.Errorf("record opened under %s: err %v, %d bytes", tc.what, err, len(cur))
		}
		if err != nil && strings.Contains(err.Error(), "hunter2") {
			t.Errorf("error reveals the value: %v", err)
		}
	}
	// Every single flipped bit and every truncation fails.
	for i := range rec {
		for bit := range 8 {
			m := bytes.Clone(rec)
			m[i] ^= 1 << bit
			if _, _, err := c.Open("db/password", m, true); err == nil {
				t.Fatalf("record with bit %d of byte %d flipped opened", bit, i)
			}
		}
	}
	for n := range len(rec) {
		if _, _, err := c.Open("db/password", rec[:n], true); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("record truncated to %d bytes: %v", n, err)
		}
	}
	m := bytes.Clone(rec)
	m[0] = FormatVersion + 1
	if _, _, err := c.Open("db/password", m, true); !errors.Is(err, ErrUnsupportedFormat) {
		t.Fatalf("record of a future version: %v, want ErrUnsupportedFormat", err)
	}
}

// FuzzDecodeRecord checks that opening arbitrary bytes never panics and that
// only a record sealed by this cipher for this very name opens, with exactly
// the values sealed.
func FuzzDecodeRecord(f *testing.F) {
	c := fixedCipher(f, 1)
	type sealed struct {
		cur  string
		prev *string
	}
	// Fixed nonces, so that every fuzzing worker process computes the same
	// records as the coordinator.
	valid := map[string]sealed{} // name + "\x00" + record -> values
	for i, v := range recordValues {
		if len(v.cur) > 1024 {
			continue // keep the corpus small
		}
		var nonce [envelope.NonceSize]byte
		nonce[0] = byte(i)
		rec := c.SealWithNonce(v.name, v.cur, v.prev, &nonce)
		valid[v.name+"\x00"+string(rec)] = sealed{v.cur, v.prev}
		f.Add(v.name, rec)
		f.Add(v.name+"x", rec)
		f.Add(v.name, rec[:len(rec)-1])
		f.Add(v.name, append(bytes.Clone(rec), 0))
	}
	f.Add("", []byte{})
	f.Add("a", []byte{FormatVersion})
	f.Add("a", []byte{FormatVersion + 1, 1, 2, 3})
	f.Add("a", bytes.Repeat([]byte{FormatVersion}, envelope.MinRecordSize))

	f.Fuzz(func(t *testing.T, name string, rec []byte) {
		orig := bytes.Clone(rec)
		cur, prev, err := c.Open(name, rec, true)
		if !bytes.Equal(orig, rec) {
			t.Fatal("open modified its input")
		}
		want, ok := valid[name+"\x00"+string(rec)]
		if !ok {
			if err == nil {
				t.Fatalf("a record that was never sealed for %q opened", name)
			}
			if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrUnsupportedFormat) {
				t.Fatalf("error %v matches neither ErrCorrupt nor ErrUnsupportedFormat", err)
			}
			if cur != "" || prev != nil {
				t.Fatal("a failed open returned a value")
			}
			return
		}
		if err != nil {
			t.Fatalf("a sealed record did not open: %v", err)
		}
		if cur != want.cur || (prev == nil) != (want.prev == nil) || (prev != nil && *prev != *want.prev) {
			t.Fatal("a sealed record opened to other values")
		}
	})
}

func testHeader(t testing.TB, kdf envelope.KDF) (*envelope.Header, []byte) {
	t.Helper()
	h := &envelope.Header{Magic: headerFormat.Magic, Version: FormatVersion, Cipher: envelope.CipherXChaCha20Poly1305, KDF: kdf}
	for i := range h.ID {
		h.ID[i] = byte(i)
	}
	kek := bytes.Repeat([]byte{7}, envelope.KeySize)
	if err := h.Wrap(kek, bytes.Repeat([]byte{9}, envelope.KeySize)); err != nil {
		t.Fatal(err)
	}
	return h, kek
}

var argonKDF = envelope.KDF{Kind: envelope.KDFArgon2id, Time: 1, Memory: 64, Threads: 1, Salt: bytes.Repeat([]byte{5}, 16)}

func TestHeaderRoundTrip(t *testing.T) {
	for _, kdf := range []envelope.KDF{{Kind: envelope.KDFRaw}, argonKDF} {
		h, kek := testHeader(t, kdf)
		enc := h.Encode()
		got, err := headerFormat.Decode(enc)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Encode(), enc) {
			t.Fatal("header does not round-trip")
		}
		dk, err := got.Unwrap(kek, envErrors)
		if err != nil || !bytes.Equal(dk, bytes.Repeat([]byte{9}, envelope.KeySize)) {
			t.Fatalf("unwrap: %v", err)
		}
		if _, err := got.Unwrap(bytes.Repeat([]byte{8}, envelope.KeySize), envErrors); !errors.Is(err, ErrWrongKey) {
			t.Fatalf("unwrap with another KEK: %v, want ErrWrongKey", err)
		}
		for i := range enc {
			m := bytes.Clone(enc)
			m[i] ^= 0x10
			if _, err := headerFormat.Decode(m); !errors.Is(err, ErrCorrupt) {
				t.Fatalf("header with byte %d flipped: %v, want ErrCorrupt", i, err)
			}
		}
		for n := range len(enc) {
			if _, err := headerFormat.Decode(enc[:n]); !errors.Is(err, ErrCorrupt) {
				t.Fatalf("header truncated to %d: %v, want ErrCorrupt", n, err)
			}
		}
		// A field changed with a matching checksum (deliberate tampering)
		// makes the unwrap fail.
		tampered := *got
		tampered.ID[0] ^= 1
		if _, err := tampered.Unwrap(kek, envErrors); !errors.Is(err, ErrWrongKey) {
			t.Fatalf("unwrap of a header with another store id: %v", err)
		}
	}
	h, _ := testHeader(t, envelope.KDF{Kind: envelope.KDFRaw})
	h.Version = FormatVersion + 1
	if _, err := headerFormat.Decode(h.Encode()); !errors.Is(err, ErrUnsupportedFormat) {
		t.Fatalf("header of a future version: %v, want ErrUnsupportedFormat", err)
	}
	h, _ = testHeader(t, argonKDF)
	h.KDF.Memory = envelope.MaxArgon2Memory + 1
	if _, err := headerFormat.Decode(h.Encode()); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("header with out-of-range argon2 memory: %v, want ErrCorrupt", err)
	}
}

// FuzzDecodeHeader checks that decoding arbitrary bytes never panics and
// that what decodes re-encodes to the same bytes.
func FuzzDecodeHeader(f *testing.F) {
	for _, kdf := range []envelope.KDF{{Kind: envelope.KDFRaw}, argonKDF} {
		h, _ := testHeader(f, kdf)
		enc := h.Encode()
		f.Add(enc)
		f.Add(enc[:len(enc)-1])
	}
	f.Add([]byte{})
	f.Add([]byte("SSFS"))
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := headerFormat.Decode(b)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrUnsupportedFormat) {
				t.Fatalf("error %v matches neither ErrCorrupt nor ErrUnsupportedFormat", err)
			}
			return
		}
		if !bytes.Equal(h.Encode(), b) {
			t.Fatal("a decoded header does not re-encode to its bytes")
		}
	})
}

// TestHeaderFormat: the header is the envelope's "SSFS" format of version
// 1, whose bytes internal/envelope's TestHeaderPinned pins.
func TestHeaderFormat(t *testing.T) {
	if f := headerFormat; string(f.Magic[:]) != "SSFS" || f.Version != 1 || f.StrictVersion {
		t.Fatalf("header format %q version %d (strict %v), want the pinned SSFS version 1", f.Magic, f.Version, f.StrictVersion)
	}
}

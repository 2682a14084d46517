package envelope

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

var testErrs = &Errors{
	Prefix:          "test",
	WrongKey:        errors.New("wrong key"),
	Corrupt:         errors.New("corrupt"),
	Unsupported:     errors.New("unsupported"),
	InsecureKeyFile: errors.New("insecure"),
}

func TestRecordsBindNameAndStore(t *testing.T) {
	key := bytes.Repeat([]byte{1}, KeySize)
	r, err := NewRecords(key, [IDSize]byte{1}, testErrs)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := NewRecords(key, [IDSize]byte{2}, testErrs)
	prev := "old"
	rec := r.Seal("a", "new", &prev)
	cur, p, err := r.Open("a", rec, true)
	if err != nil || cur != "new" || p == nil || *p != "old" {
		t.Fatalf("round trip: %v", err)
	}
	if _, _, err := r.Open("b", rec, false); !errors.Is(err, testErrs.Corrupt) {
		t.Fatalf("record under another name: %v", err)
	}
	if _, _, err := other.Open("a", rec, false); !errors.Is(err, testErrs.Corrupt) {
		t.Fatalf("record of another store: %v", err)
	}
}

func TestWrapAndKeySources(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "k")
	if err := NewKeyFile(path, testErrs); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(path)
	src := KeyFile(path)
	kdf, err := NewKDF(src, 1, 64, 1, testErrs)
	if err != nil {
		t.Fatal(err)
	}
	kek, err := DeriveKEK(src, &kdf, testErrs)
	if err != nil || !bytes.Equal(kek, raw) {
		t.Fatalf("key file KEK: %v", err)
	}
	dk := bytes.Repeat([]byte{9}, KeySize)
	nonce, wrapped, err := Wrap(kek, dk, []byte("ad"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := Unwrap(kek, &nonce, wrapped[:], []byte("ad"), testErrs)
	if err != nil || !bytes.Equal(got, dk) {
		t.Fatalf("unwrap: %v", err)
	}
	if _, err := Unwrap(kek, &nonce, wrapped[:], []byte("other"), testErrs); !errors.Is(err, testErrs.WrongKey) {
		t.Fatalf("unwrap with other ad: %v", err)
	}
	if _, err := DeriveKEK(Passphrase([]byte("pw")), &kdf, testErrs); !errors.Is(err, testErrs.WrongKey) {
		t.Fatalf("passphrase for a keyed store: %v", err)
	}
	os.Chmod(path, 0o644)
	if _, err := DeriveKEK(src, &kdf, testErrs); !errors.Is(err, testErrs.InsecureKeyFile) {
		t.Fatalf("world-readable key file: %v", err)
	}
	pk, err := NewKDF(Passphrase([]byte("pw")), 1, 64, 1, testErrs)
	if err != nil {
		t.Fatal(err)
	}
	k1, err1 := DeriveKEK(Passphrase([]byte("pw")), &pk, testErrs)
	k2, err2 := DeriveKEK(Passphrase([]byte("pw")), &pk, testErrs)
	if err1 != nil || err2 != nil || !bytes.Equal(k1, k2) || len(k1) != KeySize {
		t.Fatalf("passphrase KEK is not deterministic: %v %v", err1, err2)
	}
}

package filestore_test

import (
	"context"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secretstore-go/secretstore/driver"
	"github.com/secretstore-go/secretstore/filestore"
)

// TestVerifyFindsADamagedMetaPage flips one bit in the meta page of the last
// commit: bbolt then reads the file through the other meta page, as of the
// commit before, and the last write is gone without an error. Verify must
// report it.
func TestVerifyFindsADamagedMetaPage(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path, keyPath := filepath.Join(dir, "s.db"), filepath.Join(dir, "key")
	if err := filestore.NewKeyFile(keyPath); err != nil {
		t.Fatal(err)
	}
	key := filestore.KeyFile(keyPath)
	if err := filestore.Init(path, key, filestore.Options{}); err != nil {
		t.Fatal(err)
	}
	s, err := filestore.Open(path, key, filestore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	mustSet(t, s, "first", "1")
	mustSet(t, s, "last", "2")
	if err := s.Verify(ctx); err != nil {
		t.Fatalf("Verify of an intact store: %v", err)
	}

	// The newer meta page has the higher transaction id (at byte 16+48 of
	// each meta page; the second starts at the page size, at 16+8).
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ne := binary.NativeEndian
	pageSize := int(ne.Uint32(b[16+8:]))
	newer := 0
	if ne.Uint64(b[pageSize+16+48:]) > ne.Uint64(b[16+48:]) {
		newer = pageSize
	}
	b[newer+16+20] ^= 0x04 // a bit of the root bucket's page id
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}

	// bbolt falls back to the older meta page: the last write is gone.
	if got := mustGet(t, s, "first", "last"); len(got) != 1 || got["first"] != "1" {
		t.Fatalf("after the damage Get returned %d of 2 secrets, want only the first (bbolt's fallback)", len(got))
	}
	err = s.Verify(ctx)
	if !errors.Is(err, filestore.ErrCorrupt) || !strings.Contains(err.Error(), "meta page") {
		t.Fatalf("Verify after flipping a bit of the newer meta page = %v, want ErrCorrupt naming the meta page", err)
	}
}

// TestKeyMistakesSayWhatIsWrong: a key file of the wrong size gives its real
// size, a directory is called one, and a wrong passphrase is called that,
// each still matching its sentinel and code.
func TestKeyMistakesSayWhatIsWrong(t *testing.T) {
	dir := t.TempDir()
	path, keyPath := filepath.Join(dir, "s.db"), filepath.Join(dir, "key")
	filestore.NewKeyFile(keyPath)
	if err := filestore.Init(path, filestore.KeyFile(keyPath), filestore.Options{}); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big")
	os.WriteFile(big, make([]byte, 64), 0o600)
	_, err := filestore.Open(path, filestore.KeyFile(big), filestore.Options{})
	wantErr(t, "a 64-byte key file", err, filestore.ErrWrongKey, driver.PermissionDenied)
	if !strings.Contains(err.Error(), "holds 64 bytes") || !strings.Contains(err.Error(), "secretstore init") {
		t.Errorf("a 64-byte key file: %v", err)
	}
	_, err = filestore.Open(path, filestore.KeyFile(dir), filestore.Options{})
	wantErr(t, "a directory as key file", err, filestore.ErrInsecureKeyFile, driver.PermissionDenied)
	if !strings.Contains(err.Error(), "is a directory") || strings.Contains(err.Error(), "group or others") {
		t.Errorf("a directory as key file: %v", err)
	}

	pp := filepath.Join(dir, "pp.db")
	opts := filestore.Options{Argon2: cheapArgon2}
	if err := filestore.Init(pp, filestore.Passphrase([]byte("right")), opts); err != nil {
		t.Fatal(err)
	}
	_, err = filestore.Open(pp, filestore.Passphrase([]byte("wrong")), opts)
	wantErr(t, "a wrong passphrase", err, filestore.ErrWrongKey, driver.PermissionDenied)
	if !strings.Contains(err.Error(), "wrong passphrase") || strings.Contains(err.Error(), "wrong key") {
		t.Errorf("a wrong passphrase: %v", err)
	}
}

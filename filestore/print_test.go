package filestore_test

import (
	"context"
	"crypto/rand"
	"errors"
	"path/filepath"
	"testing"

	"github.com/secretstore-go/secretstore/filestore"
	"github.com/secretstore-go/secretstore/storetest"
)

// TestStorePrintsNoKey prints an open store in every way storetest knows:
// neither its data key nor the key or passphrase it was opened with shows.
func TestStorePrintsNoKey(t *testing.T) {
	var raw [32]byte
	rand.Read(raw[:])
	const pw = "correct horse battery staple, printed nowhere"
	for name, key := range map[string]filestore.KeySource{
		"Key":        filestore.Key(raw),
		"Passphrase": filestore.Passphrase([]byte(pw)),
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "secrets.db")
			for _, keepOpen := range []bool{false, true} {
				opts := filestore.Options{Argon2: cheapArgon2, KeepOpen: keepOpen}
				if !keepOpen {
					if err := filestore.Init(path, key, opts); err != nil {
						t.Fatal(err)
					}
				}
				s, err := filestore.Open(path, key, opts)
				if err != nil {
					t.Fatal(err)
				}
				if err := s.Set(context.Background(), "canary", "canary-value-never-printed"); err != nil {
					t.Fatal(err)
				}
				if _, err := s.Get(context.Background(), []string{"canary"}); err != nil {
					t.Fatal(err)
				}
				secrets := []string{string(s.DataKey()), string(raw[:]), pw, "canary-value-never-printed"}
				storetest.CheckPrinting(t, "an open filestore", s, secrets...)
				storetest.CheckPrinting(t, "the options", opts, secrets...)
				if err := s.Close(); err != nil {
					t.Fatal(err)
				}
				storetest.CheckPrinting(t, "a closed filestore", s, secrets...)
			}
		})
	}
}

// TestKeySourcesPrintNoKey prints every key source, alone, in options and
// in a caller's struct, exported or not, in every way storetest knows.
func TestKeySourcesPrintNoKey(t *testing.T) {
	var raw [32]byte
	rand.Read(raw[:])
	const pw = "correct horse battery staple, printed nowhere"
	for name, src := range map[string]filestore.KeySource{
		"Key":            filestore.Key(raw),
		"Passphrase":     filestore.Passphrase([]byte(pw)),
		"KeyFile":        filestore.KeyFile("/etc/app/key"),
		"PassphraseFile": filestore.PassphraseFile("/etc/app/passphrase"),
	} {
		for what, v := range map[string]any{
			"the source":              src,
			"a pointer to the source": &src,
			"an exported field":       struct{ Key filestore.KeySource }{src},
			"an unexported field":     struct{ key filestore.KeySource }{src},
			"a pointer to a struct":   &struct{ key filestore.KeySource }{src},
			"a struct behind a pointer": struct {
				p *struct{ key filestore.KeySource }
			}{&struct{ key filestore.KeySource }{src}},
			"a slice of sources":          []filestore.KeySource{src, src},
			"a map of sources":            map[string]filestore.KeySource{"k": src},
			"an unexported slice element": struct{ keys []filestore.KeySource }{[]filestore.KeySource{src}},
		} {
			storetest.CheckPrinting(t, name+" as "+what, v, string(raw[:]), pw)
		}
	}
}

// TestPassphraseIsCopied checks that the caller may clear the slice given to
// Passphrase: Init and Rekey then use the passphrase as it was.
func TestPassphraseIsCopied(t *testing.T) {
	const pw = "a passphrase the caller clears"
	opts := filestore.Options{Argon2: cheapArgon2}
	dir := t.TempDir()
	path := filepath.Join(dir, "secrets.db")

	b := []byte(pw)
	src := filestore.Passphrase(b)
	clear(b)
	if err := filestore.Init(path, src, opts); err != nil {
		t.Fatal(err)
	}
	s, err := filestore.Open(path, filestore.Passphrase([]byte(pw)), opts)
	if err != nil {
		t.Fatalf("Open with the passphrase given before it was cleared: %v", err)
	}
	defer s.Close()

	b2 := []byte(pw + " (new)")
	next := filestore.Passphrase(b2)
	clear(b2)
	if err := s.Rekey(context.Background(), next); err != nil {
		t.Fatal(err)
	}
	s2, err := filestore.Open(path, filestore.Passphrase([]byte(pw+" (new)")), opts)
	if err != nil {
		t.Fatalf("Open with the passphrase given to Rekey before it was cleared: %v", err)
	}
	s2.Close()
	if _, err := filestore.Open(path, filestore.Passphrase(make([]byte, len(pw+" (new)"))), opts); !errors.Is(err, filestore.ErrWrongKey) {
		t.Fatalf("Open with the cleared slice's zero bytes: %v, want ErrWrongKey", err)
	}
}

package filestore_test

import (
	"context"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secretstore-go/secretstore"
	"github.com/secretstore-go/secretstore/driver"
	"github.com/secretstore-go/secretstore/filestore"
)

func fileURL(path string, query string) *url.URL {
	return &url.URL{Scheme: "file", Path: filepath.ToSlash(path), RawQuery: query}
}

func TestOpenURL(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "data", "secrets.db")
	keyPath := filepath.Join(dir, "keys", "secrets.key")
	q := url.Values{"key-file": {keyPath}}

	// Without create, a missing store is an error and nothing is created.
	if _, err := filestore.OpenURL(ctx, fileURL(path, q.Encode())); err == nil {
		t.Fatal("OpenURL of a missing store without create=1 succeeded")
	}
	if _, err := os.Stat(keyPath); err == nil {
		t.Fatal("OpenURL without create=1 created a key file")
	}

	// create=1 makes the key file and the store.
	q.Set("create", "1")
	d, err := filestore.OpenURL(ctx, fileURL(path, q.Encode()))
	if err != nil {
		t.Fatalf("OpenURL with create=1: %v", err)
	}
	if err := d.Set(ctx, "a", "value-a"); err != nil {
		t.Fatal(err)
	}
	d.Close()
	for _, p := range []string{path, keyPath} {
		if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("%s: %v, mode %v", p, err, fi.Mode())
		}
	}

	// Through the portable package's registry, with keep-open.
	raw := "file://" + filepath.ToSlash(path) + "?key-file=" + url.QueryEscape(keyPath) + "&keep-open=1&lock-timeout=2s"
	st, err := secretstore.Open(ctx, raw, secretstore.EnableSet(true))
	if err != nil {
		t.Fatalf("secretstore.Open(%s): %v", raw, err)
	}
	ss, err := st.Get(ctx, "a")
	if err != nil || ss.Reveal("a") != "value-a" {
		t.Fatalf("Get through secretstore.Open: %v", err)
	}
	st.Close()

	// A passphrase store made by create=1 (with DefaultArgon2: 64 MiB).
	if !raceEnabled {
		testCreatePassphrase(t, dir)
	}

	// Errors are classified and clear.
	otherKey := filepath.Join(dir, "other.key")
	filestore.NewKeyFile(otherKey)
	_, err = filestore.OpenURL(ctx, fileURL(path, "key-file="+url.QueryEscape(otherKey)))
	wantErr(t, "OpenURL with another key", err, filestore.ErrWrongKey, driver.PermissionDenied)
	_, err = filestore.OpenURL(ctx, fileURL(path, "key-file="+url.QueryEscape(keyPath)+"&colour=blue"))
	if err == nil || !strings.Contains(err.Error(), "colour") {
		t.Fatalf("OpenURL with an unknown parameter: %v", err)
	}
	_, err = secretstore.Open(ctx, "file://"+filepath.ToSlash(path)+"?passphrase=hunter2")
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("secretstore.Open with a passphrase in the URL: %v", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := filestore.OpenURL(cctx, fileURL(path, "key-file="+url.QueryEscape(keyPath))); !errors.Is(err, context.Canceled) {
		t.Fatalf("OpenURL with a canceled context: %v", err)
	}
}

func testCreatePassphrase(t *testing.T, dir string) {
	ctx := context.Background()
	passFile := filepath.Join(dir, "pass")
	os.WriteFile(passFile, []byte("a passphrase\n"), 0o600)
	ppath := filepath.Join(dir, "p.db")
	pq := url.Values{"passphrase-file": {passFile}, "create": {"true"}}
	d, err := filestore.OpenURL(ctx, fileURL(ppath, pq.Encode()))
	if err != nil {
		t.Fatalf("OpenURL of a passphrase store with create: %v", err)
	}
	d.Close()
	s, err := filestore.Open(ppath, filestore.Passphrase([]byte("a passphrase")), filestore.Options{})
	if err != nil {
		t.Fatalf("Open of the store made by create=1 with its passphrase: %v", err)
	}
	s.Close()
}

package keyring_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"testing"

	gokeyring "github.com/zalando/go-keyring"

	"github.com/secretstore-go/secretstore"
	"github.com/secretstore-go/secretstore/driver"
	"github.com/secretstore-go/secretstore/filestore"
	"github.com/secretstore-go/secretstore/internal/testenv"
	"github.com/secretstore-go/secretstore/keyring"
	"github.com/secretstore-go/secretstore/storetest"
)

// TestMain points the process's D-Bus session at the throwaway keyring
// that .ci/services/keyring.sh starts (KEYRING_TEST_DBUS), never at a
// developer's own: without it the tests that need a keyring skip, or fail
// under CI=true (see internal/testenv).
func TestMain(m *testing.M) {
	if addr := os.Getenv("KEYRING_TEST_DBUS"); addr != "" {
		os.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)
	}
	os.Exit(m.Run())
}

func needKeyring(t *testing.T) {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("the keychain of this platform is not tested here")
	}
	testenv.Env(t, "keyring", "KEYRING_TEST_DBUS")
}

// service returns a service name of the test's own, whose entries are all
// deleted when the test ends.
func service(t *testing.T) string {
	b := make([]byte, 6)
	rand.Read(b)
	svc := "secretstore-test-" + hex.EncodeToString(b)
	t.Cleanup(func() { gokeyring.DeleteAll(svc) })
	return svc
}

func TestConformance(t *testing.T) {
	needKeyring(t)
	storetest.Run(t, storetest.Harness{
		Open: func(t *testing.T) driver.Store {
			d, err := keyring.New(keyring.Options{Service: service(t)})
			if err != nil {
				t.Fatal(err)
			}
			return d
		},
	})
}

// TestServiceScopes: two services hold the same name apart, and a name
// written by another client of the Secret Service (secret-tool, libsecret)
// under the same attributes reads back.
func TestServiceScopes(t *testing.T) {
	needKeyring(t)
	ctx := t.Context()
	a, _ := keyring.New(keyring.Options{Service: service(t)})
	b, _ := keyring.New(keyring.Options{Service: service(t)})
	if err := a.Set(ctx, "db/password", "in-a"); err != nil {
		t.Fatal(err)
	}
	if m, err := b.Get(ctx, []string{"db/password"}); err != nil || len(m) != 0 {
		t.Fatalf("another service sees the name: %d values, %v", len(m), err)
	}
	if l, err := b.(driver.Lister).List(ctx, ""); err != nil || len(l) != 0 {
		t.Fatalf("another service lists %q, %v", l, err)
	}
	if l, err := a.(driver.Lister).List(ctx, ""); err != nil || !slices.Equal(l, []string{"db/password"}) {
		t.Fatalf("List = %q, %v", l, err)
	}
	tool, err := exec.LookPath("secret-tool")
	if err != nil {
		t.Log("secret-tool is not installed: interoperation not checked")
		return
	}
	out, err := exec.Command(tool, "lookup", "service", a.(interface{ Service() string }).Service(), "username", "db/password").Output()
	if err != nil || string(out) != "in-a" {
		t.Fatalf("secret-tool lookup of the entry: %v (equal %v)", err, string(out) == "in-a")
	}
}

func TestOpenURL(t *testing.T) {
	for _, bad := range []string{"keyring://", "keyring://app:1", "keyring://app/x", "keyring://app?parallel=0", "keyring://app?service=x", "keyring://u@app", "keyring:app"} {
		u, err := url.Parse(bad)
		if err != nil {
			continue
		}
		if _, err := keyring.OpenURL(context.Background(), u); err == nil {
			t.Errorf("OpenURL(%q) succeeded", bad)
		}
	}
	u, _ := url.Parse("keyring://com.example.app?parallel=2")
	d, err := keyring.OpenURL(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	if s := d.(interface{ Service() string }).Service(); s != "com.example.app" {
		t.Fatalf("service %q", s)
	}
}

// TestFileKey: a filestore whose key lives in the keychain, created with
// create=1 and opened again; no key file is written.
func TestFileKey(t *testing.T) {
	needKeyring(t)
	b := make([]byte, 6)
	rand.Read(b)
	name := "test-" + hex.EncodeToString(b)
	t.Cleanup(func() { gokeyring.Delete(keyring.FileKeyService, name) })
	dir := t.TempDir()
	raw := (&url.URL{Scheme: "file", Path: filepath.ToSlash(filepath.Join(dir, "s.db")), RawQuery: "key=keyring:" + name}).String()
	ctx := t.Context()
	if _, err := secretstore.Open(ctx, raw); err == nil {
		t.Fatal("opened a store that does not exist")
	}
	s, err := secretstore.Open(ctx, raw+"&create=1", secretstore.EnableSet(true))
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if err := s.Set(ctx, "k", "v"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = secretstore.Open(ctx, raw)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s.Close()
	if got, err := s.Require(ctx, "k"); err != nil || got.Reveal("k") != "v" {
		t.Fatalf("read back: %v", err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Fatalf("%d files beside the store, want only the store (no key file)", len(ents))
	}
	// A wrong entry is refused without naming its content.
	if err := gokeyring.Set(keyring.FileKeyService, name, "not-hex"); err != nil {
		t.Fatal(err)
	}
	if _, err := filestore.OpenURL(ctx, mustURL(t, raw)); err == nil {
		t.Fatal("opened with a malformed key entry")
	}
}

func mustURL(t *testing.T, raw string) *url.URL {
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestCrossCompile builds the package for macOS and Windows, whose
// keychains cannot be tested here, so that their code at least compiles.
func TestCrossCompile(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	for _, goos := range []string{"darwin", "windows"} {
		cmd := exec.Command(gobin, "vet", ".")
		cmd.Env = append(os.Environ(), "GOOS="+goos, "GOARCH=amd64", "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("GOOS=%s go vet: %v\n%s", goos, err, out)
		}
	}
}

func ExampleOpenURL() {
	ctx := context.Background()
	store, err := secretstore.Open(ctx, "keyring://com.example.myapp")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer store.Close()
	// store.Get(ctx, "db/password") reads the keychain entry of service
	// com.example.myapp, account db/password.
}

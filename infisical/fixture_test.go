package infisical

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/secretstore-go/secretstore"
	"github.com/secretstore-go/secretstore/infisical/internal/fakeinfisical"
)

const (
	testProject = "7e2f1a4c-5a1d-4b8e-9c3f-0a1b2c3d4e5f"
	testEnv     = "dev"
	testID      = "3f6b1e0a-client-id"
	testSecret  = "fake-client-secret-0123456789"
)

// fixture is a fake Infisical with one project, its dev environment and one
// machine identity, and the files that hold the identity's credentials.
type fixture struct {
	fake               *fakeinfisical.Server
	srv                *httptest.Server
	idFile, secretFile string
}

// newFixture starts a fake Infisical. wrap, when not nil, wraps its handler.
func newFixture(t *testing.T, wrap func(http.Handler) http.Handler) *fixture {
	t.Helper()
	fake := fakeinfisical.New()
	fake.AddProject(testProject, testEnv)
	fake.AddIdentity(testID, testSecret, testProject)
	var h http.Handler = fake
	if wrap != nil {
		h = wrap(fake)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	fx := &fixture{fake: fake, srv: srv,
		idFile: filepath.Join(dir, "client-id"), secretFile: filepath.Join(dir, "client-secret")}
	writeFile(t, fx.idFile, testID+"\n")
	writeFile(t, fx.secretFile, testSecret+"\n")
	return fx
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// options returns Options for the fixture, with short retry waits.
func (fx *fixture) options() Options {
	return Options{
		SiteURL:          fx.srv.URL,
		ProjectID:        testProject,
		Environment:      testEnv,
		ClientIDFile:     fx.idFile,
		ClientSecretFile: fx.secretFile,
		RetryWait:        time.Millisecond,
		Names:            NamesEscaped, // most tests' names hold portable punctuation
	}
}

// open returns a driver for the fixture, closed when the test ends; edit
// changes its options first.
func (fx *fixture) open(t *testing.T, edit func(*Options)) *Store {
	t.Helper()
	opts := fx.options()
	if edit != nil {
		edit(&opts)
	}
	s, err := New(t.Context(), opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// store wraps d with every guard, set and remove enabled.
func store(t *testing.T, d *Store) *secretstore.Store {
	t.Helper()
	s := secretstore.New(noClose{d}, secretstore.EnableSet(true), secretstore.EnableRemove(true))
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// noClose leaves closing the driver to the test's cleanup.
type noClose struct{ *Store }

func (noClose) Close() error { return nil }

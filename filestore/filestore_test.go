package filestore_test

import (
	"path/filepath"
	"testing"

	"github.com/secretstore-go/secretstore/driver"
	"github.com/secretstore-go/secretstore/filestore"
	"github.com/secretstore-go/secretstore/storetest"
)

// newStore initialises a store in a fresh directory and opens it.
func newStore(t testing.TB, opts filestore.Options) (*filestore.Store, string, filestore.KeySource) {
	t.Helper()
	dir := t.TempDir()
	keyPath := filepath.Join(dir, "key")
	if err := filestore.NewKeyFile(keyPath); err != nil {
		t.Fatal(err)
	}
	key := filestore.KeyFile(keyPath)
	path := filepath.Join(dir, "secrets.db")
	if err := filestore.Init(path, key, opts); err != nil {
		t.Fatal(err)
	}
	s, err := filestore.Open(path, key, opts)
	if err != nil {
		t.Fatal(err)
	}
	return s, path, key
}

func TestConformance(t *testing.T) {
	for _, mode := range []struct {
		name string
		opts filestore.Options
	}{
		{"PerOperation", filestore.Options{}},
		{"KeepOpen", filestore.Options{KeepOpen: true}},
	} {
		t.Run(mode.name, func(t *testing.T) {
			storetest.Run(t, storetest.Harness{
				Open: func(t *testing.T) driver.Store {
					s, _, _ := newStore(t, mode.opts)
					return s
				},
				MaxValueSize: filestore.MaxValueSize,
			})
		})
	}
}

package secretstore_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log"
	"testing/fstest"

	"github.com/secretstore-go/secretstore"
	"github.com/secretstore-go/secretstore/driver"
)

// dirStore is a complete custom driver in a few lines: secrets as files in a
// directory, such as Kubernetes mounts at /var/run/secrets (os.DirFS). It is
// read-only, so writes say so with driver.NotSupported. Every guard —
// permissions, names, scoping, caching, logging, metrics, error classes —
// comes from the portable Store.
type dirStore struct{ fsys fs.FS }

func (d dirStore) Get(ctx context.Context, names []string) (map[string]string, error) {
	out := make(map[string]string, len(names))
	for _, n := range names { // local files: no round trips to overlap
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		b, err := fs.ReadFile(d.fsys, n)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			continue // missing is absent, not an error
		case errors.Is(err, fs.ErrPermission):
			return nil, driver.NewError(driver.PermissionDenied, err)
		case err != nil:
			return nil, err
		}
		out[n] = string(b)
	}
	return out, nil
}

func (dirStore) Set(context.Context, string, string) error {
	return driver.Errorf(driver.NotSupported, "a mounted secret directory is read-only")
}

func (dirStore) Remove(context.Context, string) error {
	return driver.Errorf(driver.NotSupported, "a mounted secret directory is read-only")
}

func (dirStore) Close() error { return nil }

// A custom driver: implement driver.Store, wrap it with New.
func Example_customDriver() {
	fsys := fstest.MapFS{"db/password": {Data: []byte("pw\n")}} // os.DirFS("/var/run/secrets") in production
	store := secretstore.New(dirStore{fsys}, secretstore.WithName("mounted"), secretstore.EnableSet(true))
	defer store.Close()

	ctx := context.Background()
	ss, err := store.Get(ctx, "db/password", "db/user")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%q %v\n", ss.Reveal("db/password"), ss.Has("db/user"))
	fmt.Println(store.Set(ctx, "db/password", "x"))
	// Output:
	// "pw\n" false
	// secretstore "mounted": set "db/password": a mounted secret directory is read-only
}

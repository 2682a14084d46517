package dirstore_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/secretstore-go/secretstore"
	_ "github.com/secretstore-go/secretstore/dirstore"
)

// Open a Kubernetes Secret (or Docker secrets, or any directory of files)
// by URL and read two keys. Here the directory is made by hand.
func Example() {
	dir, _ := os.MkdirTemp("", "secret-mount")
	defer os.RemoveAll(dir)
	os.WriteFile(filepath.Join(dir, "username"), []byte("app"), 0o400)
	os.WriteFile(filepath.Join(dir, "password"), []byte("s3cr3t"), 0o400)

	ctx := context.Background()
	store, err := secretstore.Open(ctx, "dir://"+filepath.ToSlash(dir))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer store.Close()
	ss, err := store.Require(ctx, "username", "password")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(ss.Reveal("username"), ss["password"])
	// Output: app [REDACTED]
}

// Read systemd's credentials directory ($CREDENTIALS_DIRECTORY, set for a
// unit with LoadCredential=), and follow changes pushed by the file system.
func Example_systemd() {
	ctx := context.Background()
	store, err := secretstore.Open(ctx, "dir://?dir-env=CREDENTIALS_DIRECTORY")
	if err != nil {
		fmt.Println("not running under systemd with credentials")
		return
	}
	defer store.Close()
	changes, _ := store.Watch(ctx, []string{"db-password"}, secretstore.WatchOptions{})
	for c := range changes {
		fmt.Println("changed:", c.Name)
	}
}

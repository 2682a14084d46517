package filestore_test

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/secretstore-go/secretstore/filestore"
)

// testKeys is a KeyLoader over a map, standing in for the OS keychain.
var testKeys = struct {
	sync.Mutex
	m map[string][32]byte
}{m: map[string][32]byte{}}

func init() {
	filestore.RegisterKeyLoader("testkeys", func(_ context.Context, name string, create bool) ([32]byte, error) {
		testKeys.Lock()
		defer testKeys.Unlock()
		k, ok := testKeys.m[name]
		switch {
		case ok:
			return k, nil
		case !create:
			return k, errors.New("no such key")
		}
		rand.Read(k[:])
		testKeys.m[name] = k
		return k, nil
	})
}

func TestKeyLoader(t *testing.T) {
	ctx := context.Background()
	path := filepath.ToSlash(filepath.Join(t.TempDir(), "s.db"))
	open := func(query string) error {
		u, err := url.Parse("file://" + path + "?" + query)
		if err != nil {
			t.Fatal(err)
		}
		d, err := filestore.OpenURL(ctx, u)
		if err == nil {
			d.Close()
		}
		return err
	}
	if err := open("key=testkeys:app"); err == nil {
		t.Fatal("opened a missing store without create=1")
	}
	if err := open("key=testkeys:app&create=1"); err != nil {
		t.Fatalf("create with a loaded key: %v", err)
	}
	if err := open("key=testkeys:app"); err != nil {
		t.Fatalf("reopen with the loaded key: %v", err)
	}
	testKeys.Lock()
	k := testKeys.m["app"]
	testKeys.Unlock()
	if err := open("key=testkeys:other&create=1"); err == nil {
		t.Fatal("create=1 on an existing store made a new key")
	}
	testKeys.Lock()
	_, made := testKeys.m["other"]
	testKeys.m["wrong"] = [32]byte{1}
	testKeys.Unlock()
	if made {
		t.Fatal("create=1 on an existing store made a new key")
	}
	if err := open("key=testkeys:wrong"); !errors.Is(err, filestore.ErrWrongKey) {
		t.Fatalf("open with another key: %v, want ErrWrongKey", err)
	}
	if err := open("key=testkeys:other"); err == nil || strings.Contains(err.Error(), fmt.Sprintf("%x", k[:8])) {
		t.Fatalf("a missing key: %v", err)
	}
	for _, bad := range []string{"key=nosuch:app", "key=app", "key=testkeys:", "key=testkeys:app&key-file=/k"} {
		if err := open(bad); err == nil {
			t.Errorf("open with %s succeeded", bad)
		}
	}
}

package filestore

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/secretstore-go/secretstore/internal/envelope"
)

// A KeyLoader fetches a store's 32-byte key from somewhere other than a
// file, such as the operating system's keychain, so that the key need not
// lie beside the data. A file URL names one with key=SCHEME:NAME (for
// example key=keyring:app, registered by importing
// github.com/secretstore-go/secretstore/keyring).
//
// With create true (create=1 in the URL, while the store file does not
// exist yet), a loader that finds no key under name makes a new random key
// and stores it there. Errors must not contain key material.
type KeyLoader func(ctx context.Context, name string, create bool) ([32]byte, error)

var (
	keyLoadersMu sync.RWMutex
	keyLoaders   = map[string]KeyLoader{}
)

// RegisterKeyLoader makes l the loader of key=scheme:NAME in file URLs. It
// panics if l is nil or scheme is already registered, like
// [secretstore.Register].
func RegisterKeyLoader(scheme string, l KeyLoader) {
	keyLoadersMu.Lock()
	defer keyLoadersMu.Unlock()
	if l == nil {
		panic("filestore: RegisterKeyLoader of a nil loader")
	}
	if _, dup := keyLoaders[scheme]; dup {
		panic("filestore: RegisterKeyLoader called twice for " + scheme)
	}
	keyLoaders[scheme] = l
}

// checkKeyRef checks the form of a key=SCHEME:NAME parameter, without
// calling its loader.
func checkKeyRef(ref string) error {
	scheme, name, ok := strings.Cut(ref, ":")
	if !ok || scheme == "" || name == "" {
		return fmt.Errorf("filestore: the key parameter must be SCHEME:NAME, such as keyring:app")
	}
	return nil
}

// loadKey returns the KeySource of a key=SCHEME:NAME parameter, calling its
// loader.
func loadKey(ctx context.Context, ref string, create bool) (KeySource, error) {
	scheme, name, _ := strings.Cut(ref, ":")
	keyLoadersMu.RLock()
	l := keyLoaders[scheme]
	keyLoadersMu.RUnlock()
	if l == nil {
		return nil, fmt.Errorf("filestore: no key loader for %q (import the package that provides it, such as github.com/secretstore-go/secretstore/keyring)", scheme)
	}
	k, err := l(ctx, name, create)
	if err != nil {
		return nil, fmt.Errorf("filestore: key %s: %w", ref, err)
	}
	src := Key(k)
	clear(k[:])
	return namedKey{src, ref}, nil
}

// namedKey is a raw key that describes itself by where it came from.
type namedKey struct {
	envelope.KeySource
	ref string
}

func (k namedKey) String() string   { return "key " + k.ref }
func (k namedKey) GoString() string { return k.String() }

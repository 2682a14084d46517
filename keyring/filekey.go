package keyring

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"

	gokeyring "github.com/zalando/go-keyring"

	"github.com/secretstore-go/secretstore/filestore"
)

// FileKeyService is the keychain service under which [FileKeyLoader] keeps
// filestore keys: the key of file:///...?key=keyring:NAME is the entry
// NAME of this service, 64 hexadecimal digits (readable with, on Linux,
// `secret-tool lookup service secretstore-file-key username NAME`).
const FileKeyService = "secretstore-file-key"

func init() { filestore.RegisterKeyLoader(Scheme, FileKeyLoader) }

// FileKeyLoader is a [filestore.KeyLoader] over the keychain, registered
// for key=keyring:NAME in filestore URLs when this package is imported. With
// create, a missing entry gets a new random key.
func FileKeyLoader(ctx context.Context, name string, create bool) ([32]byte, error) {
	var key [32]byte
	s := &Store{service: FileKeyService}
	var text string
	err := s.call(ctx, func() error {
		var err error
		text, err = gokeyring.Get(FileKeyService, name)
		if errors.Is(err, gokeyring.ErrNotFound) && create {
			rand.Read(key[:])
			text = hex.EncodeToString(key[:])
			return gokeyring.Set(FileKeyService, name, text)
		}
		return err
	})
	if errors.Is(err, gokeyring.ErrNotFound) {
		return key, errors.New("keyring: no entry " + name + " in service " + FileKeyService + " (create=1 makes one for a new store)")
	}
	if err != nil {
		return key, err
	}
	b, err := hex.DecodeString(text)
	if err != nil || len(b) != len(key) {
		clear(b)
		return key, errors.New("keyring: the entry " + name + " in service " + FileKeyService + " is not a key of 64 hexadecimal digits")
	}
	copy(key[:], b)
	clear(b)
	return key, nil
}

package main

// Every driver of the repository, registered for its URL scheme by import.
// The drivers with heavy SDKs are modules of their own; this command's module
// requires them all, so that the root module's users inherit none of them.
import (
	_ "github.com/secretstore-go/secretstore/aws"
	_ "github.com/secretstore-go/secretstore/azure"
	_ "github.com/secretstore-go/secretstore/dapr"
	_ "github.com/secretstore-go/secretstore/dirstore"
	_ "github.com/secretstore-go/secretstore/etcd"
	_ "github.com/secretstore-go/secretstore/filestore"
	_ "github.com/secretstore-go/secretstore/gcp"
	_ "github.com/secretstore-go/secretstore/infisical"
	_ "github.com/secretstore-go/secretstore/keyring"
	_ "github.com/secretstore-go/secretstore/vault"
)

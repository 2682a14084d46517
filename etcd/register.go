package etcd

import "github.com/secretstore-go/secretstore"

// Importing the package registers [OpenURL] for "etcd" URLs with the
// portable package, so secretstore.Open(ctx, "etcd://...") works.
func init() { secretstore.Register("etcd", OpenURL) }

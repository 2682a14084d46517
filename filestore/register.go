package filestore

import "github.com/secretstore-go/secretstore"

// Importing the package registers [OpenURL] for "file" URLs with the
// portable package, so secretstore.Open(ctx, "file:///...") works.
func init() { secretstore.Register("file", OpenURL) }

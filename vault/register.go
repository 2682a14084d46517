package vault

import "github.com/secretstore-go/secretstore"

// Importing the package registers [OpenURL] for "vault" URLs with the
// portable package, so secretstore.Open(ctx, "vault://...") works.
func init() { secretstore.Register("vault", OpenURL) }

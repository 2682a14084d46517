package awssm_test

import (
	"context"
	"fmt"

	"github.com/secretstore-go/secretstore"
	_ "github.com/secretstore-go/secretstore/aws" // registers awssm://
)

// Open a store by URL: the region comes from the URL, credentials from the
// SDK's default chain. Removed secrets stay restorable for 14 days.
func Example() {
	ctx := context.Background()
	store, err := secretstore.Open(ctx, "awssm://?region=eu-west-1&recovery-window=14",
		secretstore.EnableSet(true))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer store.Close()
	secrets, err := store.Require(ctx, "payments/apiKey", "tenant:acme:dbPassword")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(secrets) // map[payments/apiKey:[REDACTED] tenant:acme:dbPassword:[REDACTED]]
}

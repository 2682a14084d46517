package awssm_test

import (
	"context"
	"fmt"

	"github.com/secretstore-go/secretstore"
	_ "github.com/secretstore-go/secretstore/aws" // registers awssm://
)

// Open a store by URL: the region comes from the URL, credentials from the
// SDK's default chain. Removed secrets stay restorable for 14 days. Names
// are AWS's own: "prod/db-master" is the secret the console shows as
// prod/db-master, and "rds!db-..." one that RDS manages.
func Example() {
	ctx := context.Background()
	store, err := secretstore.Open(ctx, "awssm://?region=eu-west-1&recovery-window=14",
		secretstore.EnableSet(true))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer store.Close()
	secrets, err := store.Require(ctx, "payments/apiKey", "prod/db-master")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(secrets) // map[payments/apiKey:[REDACTED] prod/db-master:[REDACTED]]
}

// With names=escaped, any portable name fits, reversibly mapped to AWS's
// alphabet: "tenant:acme:dbPassword" is the AWS secret
// tenant=cacme=cdbPassword.
func Example_escapedNames() {
	ctx := context.Background()
	store, err := secretstore.Open(ctx, "awssm://?region=eu-west-1&names=escaped")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer store.Close()
	secrets, err := store.Require(ctx, "tenant:acme:dbPassword")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(secrets) // map[tenant:acme:dbPassword:[REDACTED]]
}

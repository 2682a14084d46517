package dapr_test

import (
	"context"
	"fmt"
	"log"

	"github.com/secretstore-go/secretstore"
	"github.com/secretstore-go/secretstore/dapr"
)

// A service reads its secrets through its sidecar's "vault" secret store;
// the API token comes from $DAPR_API_TOKEN.
func Example() {
	ctx := context.Background()
	store, err := secretstore.Open(ctx, "dapr://127.0.0.1:3500/vault?namespace=payments")
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	secrets, err := store.Require(ctx, "paymentApiKey", "db/password")
	if err != nil {
		log.Fatal(err) // ErrNotFound names every missing secret
	}
	fmt.Println(secrets) // values print as [REDACTED]
}

// A Kubernetes secret "db" with the keys "user" and "password" is read as
// the names "db@user" and "db@password".
func ExampleNew() {
	d, err := dapr.New(dapr.Options{Store: "kubernetes", Namespace: "payments", KeySeparator: "@"})
	if err != nil {
		log.Fatal(err)
	}
	store := secretstore.New(d, secretstore.WithName("dapr"))
	defer store.Close()
	secrets, err := store.Require(context.Background(), "db@user", "db@password")
	if err != nil {
		log.Fatal(err)
	}
	_ = secrets.Reveal("db@password")
}

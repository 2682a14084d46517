package infisical_test

import (
	"context"
	"fmt"
	"log"

	"github.com/secretstore-go/secretstore"
	_ "github.com/secretstore-go/secretstore/infisical" // registers infisical://
)

// Open a store on an Infisical project by URL: universal auth with the
// machine identity's credentials in files, names under /billing in prod.
func Example() {
	ctx := context.Background()
	store, err := secretstore.Open(ctx, "infisical://app.infisical.com"+
		"?project=7e2f1a4c-5a1d-4b8e-9c3f-0a1b2c3d4e5f&env=prod&path=/billing"+
		"&client-id-file=/run/secrets/infisical-client-id"+
		"&client-secret-file=/run/secrets/infisical-client-secret",
		secretstore.WithCache(secretstore.CacheOptions{}))
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	secrets, err := store.Require(ctx, "stripe/apiKey", "db/password")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(secrets) // map[db/password:[REDACTED] stripe/apiKey:[REDACTED]]
}

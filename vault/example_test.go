package vault_test

import (
	"context"
	"log"

	"github.com/secretstore-go/secretstore"
	"github.com/secretstore-go/secretstore/vault"
)

// Open a KV v2 mount by URL, logging in with AppRole.
func Example_openURL() {
	ctx := context.Background()
	store, err := secretstore.Open(ctx, "vault://vault.example:8200/secret?kv=2"+
		"&auth=approle&role-id-file=/run/secrets/role-id&secret-id-file=/run/secrets/secret-id",
		secretstore.WithCache(secretstore.CacheOptions{}))
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	secrets, err := store.Require(ctx, "paymentApiKey", "db/primary/password")
	if err != nil {
		log.Fatal(err)
	}
	_ = secrets.Reveal("paymentApiKey")
}

// Build the driver in code, with a token file kept fresh by Vault Agent.
func ExampleNew() {
	d, err := vault.New(vault.Options{
		Address: "https://vault.example:8200",
		Mount:   "kv/team-a",
		Auth:    vault.TokenFile("/run/vault-agent/token"),
		TLS:     vault.TLSOptions{CAFile: "/etc/ssl/vault-ca.pem"},
	})
	if err != nil {
		log.Fatal(err)
	}
	store := secretstore.New(d) // get only: EnableSet to write
	defer store.Close()
}

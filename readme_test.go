package secretstore_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/secretstore-go/secretstore"
	"github.com/secretstore-go/secretstore/memstore"
)

// The README's Go snippets, compiled: readmeSnippet holds its code block and
// readmeInline its inline calls, and TestReadmeSnippets checks that the
// README still shows them word for word.

// payments stands for the service's own payment client in the README.
var payments = struct{ New func(apiKey string) *struct{} }{
	New: func(string) *struct{} { return &struct{}{} },
}

func readmeSnippet(ctx context.Context) error {
	store, err := secretstore.Open(ctx, "file:///var/lib/svc/secrets.db?key-file=/etc/svc/key")
	// or, in development: store := secretstore.New(memstore.New(map[string]string{"paymentApiKey": "dev-key-only"}))
	if err != nil {
		return err
	}
	defer store.Close()
	secrets, err := store.Require(ctx, "paymentApiKey", "dbPassword")
	if err != nil {
		return err // names every missing secret, never a value
	}
	client := payments.New(secrets.Reveal("paymentApiKey"))
	fmt.Println(secrets) // map[dbPassword:[REDACTED] paymentApiKey:[REDACTED]]
	_ = client
	return nil
}

// readmeFields is the README's block on fields of structured secrets.
func readmeFields(ctx context.Context, store *secretstore.Store) (string, string, error) {
	secrets, err := store.Require(ctx, "db#username", "db#password", "paymentApiKey")
	user, pass := secrets.Reveal("db#username"), secrets.Reveal("db#password")
	return user, pass, err
}

// readmeInline are the README's inline calls that stand as statements, as
// readmeInlineCode writes them.
var readmeInline = []string{
	`acme, err := store.Scope("tenant:acme:")`,
	`store.Versions(ctx, name)`,
	`store.Rotate(ctx, name, secretstore.RandomValue(32, secretstore.Alphanumeric))`,
	`store.Set(ctx, name, value)`,
	`store.Remove(ctx, name)`,
	`store.Get(ctx, "a", "b")`,
	`store.Require(ctx, "a", "b")`,
	`store.Lookup(ctx, "a")`,
}

func readmeInlineCode(ctx context.Context, store *secretstore.Store, name, value string) error {
	acme, err := store.Scope("tenant:acme:")
	if err != nil {
		return err
	}
	defer acme.Close()
	_, _ = store.Versions(ctx, name)
	_, _ = store.Rotate(ctx, name, secretstore.RandomValue(32, secretstore.Alphanumeric))
	_ = store.Set(ctx, name, value)
	_ = store.Remove(ctx, name)
	_, _ = store.Get(ctx, "a", "b")
	_, _ = store.Require(ctx, "a", "b")
	_, _, _ = store.Lookup(ctx, "a")
	return nil
}

func TestReadmeSnippets(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	self, err := os.ReadFile("readme_test.go")
	if err != nil {
		t.Fatal(err)
	}
	// Every Go block of the README is in this file, indented by one tab.
	blocks := regexp.MustCompile("(?s)```go\n(.*?)```").FindAllSubmatch(readme, -1)
	if len(blocks) == 0 {
		t.Fatal("no Go block in README.md")
	}
	for _, b := range blocks {
		indented := "\t" + strings.ReplaceAll(strings.TrimSuffix(string(b[1]), "\n"), "\n", "\n\t")
		if !strings.Contains(string(self), indented) {
			t.Errorf("README.md's Go block is not compiled here; copy it into readmeSnippet:\n%s", b[1])
		}
	}
	for _, code := range readmeInline {
		if !strings.Contains(string(readme), "`"+code+"`") {
			t.Errorf("README.md no longer shows `%s`: update readmeInline", code)
		}
	}

	// The snippets run: the README's file store does not exist here, and
	// the fields come out of a JSON object secret.
	mem := secretstore.New(memstore.New(map[string]string{
		"db": `{"username": "app", "password": "pw"}`, "paymentApiKey": "k"}))
	defer mem.Close()
	if user, pass, err := readmeFields(context.Background(), mem); err != nil || user != "app" || pass != "pw" {
		t.Errorf("the README's fields block: %q %q %v", user, pass, err)
	}
	if err := readmeSnippet(context.Background()); err == nil {
		t.Error("the README's snippet opened a store that does not exist")
	}
}

// TestReadmeInlineCode runs the README's inline calls on a memory store.
func TestReadmeInlineCode(t *testing.T) {
	store, err := secretstore.Open(context.Background(), "mem://", secretstore.EnableSet(true), secretstore.EnableRemove(true))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if err := readmeInlineCode(context.Background(), store, "n", "v"); err != nil && !errors.Is(err, secretstore.ErrNotFound) {
		t.Fatal(err)
	}
}

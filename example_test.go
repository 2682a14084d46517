package secretstore_test

import (
	"context"
	"fmt"
	"log"
	"log/slog"
	"os"
	"time"

	"github.com/secretstore-go/secretstore"
	"github.com/secretstore-go/secretstore/memstore"
)

// A service reads its credentials from the store; only get is enabled unless
// set or remove are enabled explicitly.
func Example() {
	ctx := context.Background()
	store := secretstore.New(memstore.New(map[string]string{
		"paymentApiKey": "dev-key-only",
		"dbPassword":    "s3cr3t",
	}), secretstore.WithName("users"))
	defer store.Close()

	secrets, err := store.Require(ctx, "paymentApiKey", "dbPassword")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(secrets)                                  // names only: values refuse to print
	fmt.Println(len(secrets.Reveal("dbPassword")) > 0)    // Reveal is the one way to the value
	fmt.Println(store.Set(ctx, "paymentApiKey", "other")) // writes are off by default
	// Output:
	// map[dbPassword:[REDACTED] paymentApiKey:[REDACTED]]
	// true
	// secretstore "users": set "paymentApiKey": set secret at store is disabled by config
}

// Command handlers reach their service's store through the context, as
// PURISTA handlers use context.secrets.
func Example_commandHandler() {
	store := secretstore.New(memstore.New(map[string]string{"paymentApiKey": "pk_live_1"}))
	defer store.Close()

	// The service puts its store in every handler's context once...
	ctx := secretstore.NewContext(context.Background(), store)

	// ...and a command handler fetches it from there.
	chargeCard := func(ctx context.Context, amountCents int) error {
		secrets, ok := secretstore.FromContext(ctx)
		if !ok {
			return fmt.Errorf("no secret store in context")
		}
		key, found, err := secrets.Lookup(ctx, "paymentApiKey")
		if err != nil || !found {
			return fmt.Errorf("payment key unavailable: %w", err)
		}
		fmt.Printf("charging %d cents with a key of %d bytes: %v\n", amountCents, key.Len(), key)
		return nil
	}
	if err := chargeCard(ctx, 1250); err != nil {
		log.Fatal(err)
	}
	// Output: charging 1250 cents with a key of 9 bytes: [REDACTED]
}

// A subscription handler checks an incoming webhook's API key in constant
// time, with the store from its context.
func Example_subscriptionHandler() {
	store := secretstore.New(memstore.New(map[string]string{"webhookKey": "whk_123"}))
	defer store.Close()
	ctx := secretstore.NewContext(context.Background(), store)

	onWebhook := func(ctx context.Context, presentedKey string) bool {
		s, _ := secretstore.FromContext(ctx)
		key, ok, err := s.Lookup(ctx, "webhookKey")
		return err == nil && ok && key.Equal(presentedKey)
	}
	fmt.Println(onWebhook(ctx, "whk_123"), onWebhook(ctx, "whk_999"))
	// Output: true false
}

// Multi-tenant services give each tenant a view that cannot reach outside
// its prefix.
func ExampleStore_Scope() {
	ctx := context.Background()
	store := secretstore.New(memstore.New(map[string]string{
		"tenant:acme:stripeApiKey":   "sk_acme",
		"tenant:globex:stripeApiKey": "sk_globex",
	}))
	defer store.Close()

	acme, err := store.Scope("tenant:acme:")
	if err != nil {
		log.Fatal(err)
	}
	key, _, _ := acme.Lookup(ctx, "stripeApiKey")
	fmt.Println(key.Reveal())
	_, err = acme.Get(ctx, "../globex/stripeApiKey")
	fmt.Println(err)
	// Output:
	// sk_acme
	// secretstore "secretstore": get "../globex/stripeApiKey": invalid secret name: has a '.' or '..' level
}

// Open picks a driver by URL; "mem://" is built in, other drivers register
// their scheme when imported.
func ExampleOpen() {
	ctx := context.Background()
	store, err := secretstore.Open(ctx, "mem://", secretstore.EnableSet(true))
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	if err := store.Set(ctx, "db/primary/password", "pw"); err != nil {
		log.Fatal(err)
	}
	ss, _ := store.Get(ctx, "db/primary/password", "db/replica/password")
	fmt.Println(store.Name(), len(ss), ss.Has("db/replica/password"))
	// Output: mem 1 false
}

// A cache in front of a remote backend: misses are fetched (and coalesced),
// writes go through, Refresh forces a re-read, and the last good value can be
// served while the backend is down.
func ExampleWithCache() {
	ctx := context.Background()
	store := secretstore.New(memstore.New(map[string]string{"apiKey": "v1"}),
		secretstore.EnableSet(true),
		secretstore.WithCache(secretstore.CacheOptions{TTL: 5 * time.Minute, StaleIfError: time.Hour}))
	defer store.Close()

	k, _, _ := store.Lookup(ctx, "apiKey") // fetched, then cached
	fmt.Println(k.Reveal())
	_ = store.Set(ctx, "apiKey", "v2") // written through
	k, _, _ = store.Lookup(ctx, "apiKey")
	fmt.Println(k.Reveal())
	// Output:
	// v1
	// v2
}

// Operation events go to a slog.Logger at debug level, with names and never
// values.
func ExampleWithLogger() {
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		Level: slog.LevelDebug,
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey || a.Key == "duration" {
				return slog.Attr{} // keep the example's output stable
			}
			return a
		},
	}))
	store := secretstore.New(memstore.New(map[string]string{"k": "value"}), secretstore.WithLogger(logger))
	defer store.Close()
	store.Get(context.Background(), "k", "missing")
	// Output: level=DEBUG msg="secretstore operation" store=secretstore op=get names="[k missing]" outcome=ok cached=false
}

// A Secret prints as [REDACTED] whatever the formatting path.
func ExampleSecret() {
	s := secretstore.NewSecret("hunter2")
	fmt.Printf("%v %s %q %x %d %#v\n", s, s, s, s, s, s)
	slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey {
			return slog.Attr{}
		}
		return a
	}})).Info("login", "password", s)
	// Output:
	// [REDACTED] [REDACTED] [REDACTED] [REDACTED] [REDACTED] [REDACTED]
	// {"level":"INFO","msg":"login","password":"[REDACTED]"}
}

// Code gives an error's class for a switch, with this package alone.
func ExampleCode() {
	store := secretstore.New(memstore.New(nil))
	_, err := store.Require(context.Background(), "db/password")
	switch secretstore.Code(err) {
	case secretstore.CodeNotFound:
		fmt.Println("not configured:", err)
	case secretstore.CodeUnavailable, secretstore.CodeDeadlineExceeded:
		fmt.Println("retry later")
	default:
		fmt.Println("failed:", err)
	}
	// Output: not configured: secretstore "secretstore": require "db/password": secret not found
}

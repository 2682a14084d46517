package secretlog_test

import (
	"context"
	"encoding/hex"
	"fmt"
	"log"
	"log/slog"
	"os"

	"github.com/secretstore-go/secretstore"
	"github.com/secretstore-go/secretstore/memstore"
	"github.com/secretstore-go/secretstore/secretlog"
)

// A store tells the registry every value it reads; the logger masks them,
// wherever careless code put one.
func Example() {
	ctx := context.Background()
	drv := memstore.New(map[string]string{"paymentApiKey": "sk_live_51HxQ2vE"})

	reg := secretlog.NewRegistry()
	store := secretstore.New(drv, secretstore.WithKnownValues(reg))
	defer store.Close()
	// In production: slog.NewJSONHandler(os.Stdout, nil). The time is left
	// out here so that the output can be checked.
	logger := slog.New(secretlog.NewHandler(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{ReplaceAttr: noTime}), reg))

	secrets, err := store.Require(ctx, "paymentApiKey")
	if err != nil {
		logger.Error("reading secrets", "err", err)
		return
	}
	key := secrets.Reveal("paymentApiKey")

	// Careless code: the revealed value in an attribute, in an error, in
	// a struct, in the message.
	logger.Info("calling payments", "auth", "Bearer "+key)
	logger.Error("payment failed", "err", fmt.Errorf("POST /v1/charges with key %s: 401", key))
	logger.Debug("not enabled", "key", key)
	logger.Warn("retrying", slog.Group("req", "headers", map[string]string{"Authorization": "Bearer " + key}))
	logger.Info("key is " + key)
	// Output:
	// {"level":"INFO","msg":"calling payments","auth":"Bearer [REDACTED]"}
	// {"level":"ERROR","msg":"payment failed","err":"POST /v1/charges with key [REDACTED]: 401"}
	// {"level":"WARN","msg":"retrying","req":{"headers":"map[Authorization:Bearer [REDACTED]]"}}
	// {"level":"INFO","msg":"key is [REDACTED]"}
}

// Output that does not go through slog is masked by a writer.
func ExampleNewWriter() {
	reg := secretlog.NewRegistry()
	reg.Add("hunter22") // a value from elsewhere, added by hand

	w := secretlog.NewWriter(os.Stdout, reg)
	defer w.Close()
	l := log.New(w, "", 0)
	l.Printf("connecting with password %s", "hunter22")
	// Output: connecting with password [REDACTED]
}

// A registry can add other forms of each value.
func ExampleWithEncodings() {
	reg := secretlog.NewRegistry(secretlog.WithEncodings(secretlog.Hex, secretlog.Base64))
	reg.Add("hunter22")
	fmt.Println(reg.Redact("raw=hunter22 hex=" + hex.EncodeToString([]byte("hunter22")) + " base64=aHVudGVyMjI="))
	// Output: raw=[REDACTED] hex=[REDACTED] base64=[REDACTED]=
}

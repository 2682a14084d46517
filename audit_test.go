package secretstore_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/secretstore-go/secretstore"
	"github.com/secretstore-go/secretstore/memstore"
)

type auditLog struct {
	mu sync.Mutex
	ev []secretstore.AuditEvent
}

func (a *auditLog) Audit(_ context.Context, e secretstore.AuditEvent) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.ev = append(a.ev, e)
}

func TestAuditEveryOperation(t *testing.T) {
	log := &auditLog{}
	s := secretstore.New(memstore.New(map[string]string{"a": "VALUE-A"}), secretstore.WithName("billing"),
		secretstore.WithLogger(nil), secretstore.WithAudit(log), secretstore.EnableSet(true),
		secretstore.WithCache(secretstore.CacheOptions{}))
	defer s.Close()
	ctx := secretstore.WithCaller(context.Background(), secretstore.Caller{Service: "billing-v1", Command: "charge", Tenant: "acme"})
	s.Get(ctx, "a")
	s.Lookup(ctx, "a") // a cache hit is audited too
	s.Set(ctx, "b", "VALUE-B")
	s.Remove(ctx, "b")        // refused: disabled
	s.Get(ctx, "bad name")    // refused: invalid
	s.Require(ctx, "missing") // not found
	acme, _ := s.Scope("tenant:acme:")
	acme.Lookup(ctx, "k")
	want := []struct{ op, outcome string }{
		{"get", "ok"}, {"lookup", "ok"}, {"set", "ok"}, {"remove", "disabled"},
		{"get", "invalid_name"}, {"require", "not_found"}, {"lookup", "ok"},
	}
	if len(log.ev) != len(want) {
		t.Fatalf("%d audit events, want %d: %+v", len(log.ev), len(want), log.ev)
	}
	for i, w := range want {
		e := log.ev[i]
		if e.Op != w.op || e.Outcome != w.outcome || e.Store != "billing" || e.Caller.Command != "charge" || e.Caller.Tenant != "acme" || e.Time.IsZero() {
			t.Errorf("event %d = %+v, want op %s outcome %s with the caller", i, e, w.op, w.outcome)
		}
	}
	if !log.ev[1].Cached || log.ev[0].Cached {
		t.Error("the cached flag is wrong")
	}
	if log.ev[6].Prefix != "tenant:acme:" || log.ev[6].Names[0] != "k" {
		t.Errorf("a scoped event: %+v", log.ev[6])
	}
	if strings.Contains(fmt.Sprintf("%+v", log.ev), "VALUE-") {
		t.Fatal("an audit event carries a value")
	}
}

func TestSlogAuditSink(t *testing.T) {
	var buf bytes.Buffer
	sink := secretstore.SlogAuditSink{Logger: slog.New(slog.NewJSONHandler(&buf, nil))}
	s := secretstore.New(memstore.New(map[string]string{"a": "VALUE-A"}), secretstore.WithName("svc"),
		secretstore.WithLogger(nil), secretstore.WithAudit(sink))
	ctx := secretstore.WithCaller(context.Background(), secretstore.Caller{Service: "svc", Subscription: "onUserCreated"})
	s.Get(ctx, "a", "b")
	var rec map[string]any
	if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
		t.Fatalf("%v: %s", err, buf.String())
	}
	caller, _ := rec["caller"].(map[string]any)
	if rec["msg"] != "secretstore audit" || rec["op"] != "get" || rec["outcome"] != "ok" || caller["subscription"] != "onUserCreated" || caller["command"] != nil {
		t.Fatalf("record: %v", rec)
	}
	if strings.Contains(buf.String(), "VALUE-A") {
		t.Fatal("the audit record carries a value")
	}
}

// Audit events go to a sink; SlogAuditSink writes them as log records that an
// existing pipeline ships.
func ExampleWithAudit() {
	sink := secretstore.SlogAuditSink{Logger: slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey || a.Key == "duration" {
				return slog.Attr{} // keep the example's output stable
			}
			return a
		},
	}))}
	store := secretstore.New(memstore.New(map[string]string{"paymentApiKey": "pk"}), secretstore.WithName("billing"), secretstore.WithAudit(sink))
	defer store.Close()

	// A command handler's context says who is asking.
	ctx := secretstore.WithCaller(context.Background(), secretstore.Caller{Service: "billing-v1", Command: "chargeCard", Tenant: "acme"})
	store.Lookup(ctx, "paymentApiKey")
	// Output: {"level":"INFO","msg":"secretstore audit","store":"billing","op":"lookup","names":["paymentApiKey"],"caller":{"service":"billing-v1","command":"chargeCard","tenant":"acme"},"outcome":"ok","cached":false}
}

type known struct {
	mu sync.Mutex
	v  map[string]bool
}

func (k *known) Add(v string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.v[v] = true
}

func TestKnownValuesSeeEveryValue(t *testing.T) {
	ctx := context.Background()
	for _, cached := range []bool{false, true} {
		k := &known{v: map[string]bool{}}
		opts := []secretstore.Option{secretstore.WithLogger(nil), secretstore.WithKnownValues(k), secretstore.EnableSet(true)}
		if cached {
			opts = append(opts, secretstore.WithCache(secretstore.CacheOptions{}))
		}
		s := secretstore.New(memstore.New(map[string]string{"a": "A", "b": "B", "c": "C", "v": "V1"}), opts...)
		s.Lookup(ctx, "a")
		s.Get(ctx, "b", "c")
		s.Set(ctx, "d", "D")
		s.Set(ctx, "v", "V2")
		s.Versions(ctx, "v")
		r, _ := s.Rotate(ctx, "e", secretstore.RandomValue(12, secretstore.Alphanumeric))
		for _, v := range []string{"A", "B", "C", "D", "V1", "V2", r.Reveal()} {
			if !k.v[v] {
				t.Errorf("cached=%v: the registry was not told of a value of %d bytes", cached, len(v))
			}
		}
		s.Close()
	}
}

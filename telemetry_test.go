package secretstore_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"log/slog"

	"github.com/secretstore-go/secretstore"
	"github.com/secretstore-go/secretstore/memstore"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

func TestDebugEventPerOperation(t *testing.T) {
	var buf bytes.Buffer
	l := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s := secretstore.New(memstore.New(map[string]string{"a": "VALUE-A"}), secretstore.WithName("svc"), secretstore.WithLogger(l), secretstore.EnableSet(true))
	ctx := context.Background()
	s.Get(ctx, "a", "b")
	s.Lookup(ctx, "a") // answered from memory: counted, not logged (documented)
	s.Set(ctx, "c", "VALUE-C")
	s.Require(ctx, "zz")
	scoped, _ := s.Scope("x:")
	scoped.Lookup(ctx, "a") // a scoped view takes the ordinary path: logged
	var events []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		var ev map[string]any
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatal(err)
		}
		events = append(events, ev)
	}
	if len(events) != 4 {
		t.Fatalf("%d events, want one per operation but the in-memory Lookup: %s", len(events), buf.String())
	}
	wantOps := []string{"get", "set", "require", "lookup"}
	for i, ev := range events {
		if ev["level"] != "DEBUG" || ev["store"] != "svc" || ev["op"] != wantOps[i] || ev["outcome"] == nil || ev["duration"] == nil || ev["names"] == nil {
			t.Errorf("event %d lacks a field: %v", i, ev)
		}
	}
	if events[2]["outcome"] != "not_found" {
		t.Errorf("require outcome: %v, want not_found", events[2]["outcome"])
	}
	if strings.Contains(buf.String(), "VALUE-") {
		t.Fatal("a value reached the log")
	}
}

func TestSpansAndMetrics(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	s := secretstore.New(memstore.New(map[string]string{"a": "VALUE-A"}), secretstore.WithName("svc"),
		secretstore.WithTracerProvider(tp), secretstore.WithMeterProvider(mp), secretstore.WithLogger(nil),
		secretstore.WithCache(secretstore.CacheOptions{}))
	defer s.Close()

	// Outside any trace: no span of our own.
	bg := context.Background()
	s.Get(bg, "a")
	if n := len(rec.Ended()); n != 0 {
		t.Fatalf("%d spans without a parent, want 0", n)
	}
	ctx, parent := tp.Tracer("test").Start(bg, "handler")
	s.Get(ctx, "a", "missing")
	s.Set(ctx, "a", "VALUE-B") // disabled
	s.Require(ctx, "a")
	s.Require(ctx, "a", "missing")
	s.Lookup(bg, "a")
	parent.End()
	spans := rec.Ended()
	var get sdktrace.ReadOnlySpan
	for _, sp := range spans {
		if sp.Name() == "secretstore.get" {
			get = sp
		}
	}
	if get == nil || get.Parent().SpanID() != parent.SpanContext().SpanID() {
		t.Fatalf("no child span secretstore.get under the handler's span: %d spans", len(spans))
	}
	attrs := map[string]string{}
	for _, kv := range get.Attributes() {
		attrs[string(kv.Key)] = kv.Value.String()
	}
	if attrs["secretstore.store"] != "svc" || !strings.Contains(attrs["secretstore.names"], "missing") || attrs["secretstore.outcome"] != "ok" {
		t.Fatalf("span attributes: %v", attrs)
	}

	var rm metricdata.ResourceMetrics
	if err := reader.Collect(bg, &rm); err != nil {
		t.Fatal(err)
	}
	found := map[string]int64{}
	var dump strings.Builder
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if sum, ok := m.Data.(metricdata.Sum[int64]); ok {
				for _, dp := range sum.DataPoints {
					op, _ := dp.Attributes.Value("secretstore.operation")
					oc, _ := dp.Attributes.Value("secretstore.outcome")
					res, _ := dp.Attributes.Value("secretstore.cache.result")
					found[m.Name+"/"+op.String()+"/"+oc.String()+res.String()] += dp.Value
				}
			}
			dump.WriteString(m.Name + " ")
		}
	}
	if found["secretstore.operations/get/ok"] != 2 || found["secretstore.operations/set/disabled"] != 1 ||
		found["secretstore.operations/require/ok"] != 1 || found["secretstore.operations/require/not_found"] != 1 ||
		found["secretstore.operations/lookup/ok"] != 1 {
		t.Fatalf("operation counts: %v", found)
	}
	if found["secretstore.cache.requests//hit"] != 5 || found["secretstore.cache.requests//miss"] != 2 {
		t.Fatalf("cache counts: %v", found)
	}
	if !strings.Contains(dump.String(), "secretstore.backend.duration") {
		t.Fatalf("no backend duration histogram: %s", dump.String())
	}
}

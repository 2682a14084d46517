package secretstore

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/secretstore-go/secretstore/driver"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"
)

// instrumentationName is the OpenTelemetry scope of this package's spans and
// metrics.
const instrumentationName = "github.com/secretstore-go/secretstore"

type op uint8

const (
	opGet op = iota
	opRequire
	opLookup
	opSet
	opRemove
	opList
	opRefresh
	opVersions
	opRotate
	opWatch
	numOps
)

var opNames = [numOps]string{"get", "require", "lookup", "set", "remove", "list", "refresh", "versions", "rotate", "watch"}

func (o op) String() string { return opNames[o] }

const numOutcomes = int(driver.Closed) + 2 // index 0 is "ok", code c is c+1

func outcomeName(i int) string {
	if i == 0 {
		return "ok"
	}
	return driver.Code(i - 1).String()
}

// telemetry records operations. Counting is an atomic add, to a stripe of its
// own for the outcomes hot paths count (see [counters]); OpenTelemetry reads
// the counters when it collects, so an operation itself never allocates for
// metrics nor writes to memory another core is using. Spans are started only inside a recording trace (or always, with
// WithRootSpans); backend round trips are timed into a histogram.
type telemetry struct {
	name      string
	logger    *slog.Logger
	logs      bool // false for a logger that discards everything
	tracer    trace.Tracer
	rootSpans bool
	audit     AuditSink
	// counts counts failures; successes and cache hits are in hot.
	counts    [numOps][numOutcomes]atomic.Int64
	hot       *counters
	backend   metric.Float64Histogram
	storeAttr attribute.KeyValue
	reg       metric.Registration
	drv       driver.Store // for classify
}

func newTelemetry(cfg *config, c *cache, drv driver.Store, hot *counters) *telemetry {
	t := &telemetry{
		drv:       drv,
		name:      cfg.name,
		logger:    cfg.logger,
		logs:      cfg.logger.Handler() != slog.DiscardHandler,
		rootSpans: cfg.rootSpans,
		audit:     cfg.audit,
		storeAttr: attribute.String("secretstore.store", cfg.name),
		hot:       hot,
	}
	tp := cfg.tracer
	if tp == nil {
		tp = otel.GetTracerProvider()
	}
	t.tracer = tp.Tracer(instrumentationName)
	mp := cfg.meter
	if mp == nil {
		mp = otel.GetMeterProvider()
	}
	m := mp.Meter(instrumentationName)
	// Instrument errors only mean a misconfigured provider; the store keeps
	// working without that instrument (the returned instruments are no-ops).
	ops, _ := m.Int64ObservableCounter("secretstore.operations",
		metric.WithDescription("Store operations, by operation and outcome."), metric.WithUnit("{operation}"))
	hits, _ := m.Int64ObservableCounter("secretstore.cache.requests",
		metric.WithDescription("Cache look-ups, by result (hit, miss, stale, coalesced)."), metric.WithUnit("{request}"))
	size, _ := m.Int64ObservableGauge("secretstore.cache.entries",
		metric.WithDescription("Names held by the cache."), metric.WithUnit("{entry}"))
	t.backend, _ = m.Float64Histogram("secretstore.backend.duration",
		metric.WithDescription("Duration of calls to the backend driver."), metric.WithUnit("s"))
	t.reg, _ = m.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		for i := range numOps {
			for j := range numOutcomes {
				n := t.counts[i][j].Load()
				if j == 0 {
					n = t.hot.sum(hotOK + int(i))
					if op(i) == opLookup {
						n += t.hot.sum(hotMemLookup) + t.hot.sum(hotLookupHit)
					}
				}
				if n > 0 {
					o.ObserveInt64(ops, n, metric.WithAttributes(t.storeAttr,
						attribute.String("secretstore.operation", op(i).String()),
						attribute.String("secretstore.outcome", outcomeName(j))))
				}
			}
		}
		if c != nil {
			o.ObserveInt64(hits, t.hot.sum(hotCacheHit)+t.hot.sum(hotLookupHit), metric.WithAttributes(t.storeAttr, attribute.String("secretstore.cache.result", "hit")))
			o.ObserveInt64(hits, c.misses.Load(), metric.WithAttributes(t.storeAttr, attribute.String("secretstore.cache.result", "miss")))
			o.ObserveInt64(hits, c.stale.Load(), metric.WithAttributes(t.storeAttr, attribute.String("secretstore.cache.result", "stale")))
			o.ObserveInt64(hits, c.joined.Load(), metric.WithAttributes(t.storeAttr, attribute.String("secretstore.cache.result", "coalesced")))
			o.ObserveInt64(size, int64(c.len()), metric.WithAttributes(t.storeAttr))
		}
		return nil
	}, ops, hits, size)
	return t
}

func (t *telemetry) close() {
	if t.reg != nil {
		_ = t.reg.Unregister()
	}
}

// count records an outcome without any other cost.
func (t *telemetry) count(o op, err error) {
	if err == nil {
		t.hot.add(hotOK+int(o), 1)
		return
	}
	t.counts[o][int(Code(err))+1].Add(1)
}

// span is an operation in progress that someone observes: a debug log event
// or a span. When nobody does, begin returns ok == false and costs two
// context look-ups.
type span struct {
	prefix string // the view's scope, for audit events
	on     bool   // someone observes: time it, log it, trace it
	start  time.Time
	span   trace.Span
	debug  bool
}

// observing reports whether anyone observes operations in ctx: a debug log
// event or a span. It costs two context look-ups when nobody does.
func (t *telemetry) observing(ctx context.Context) bool {
	return t.rootSpans || t.audit != nil || trace.SpanFromContext(ctx).IsRecording() || (t.logs && t.logger.Enabled(ctx, slog.LevelDebug))
}

// start begins an operation: when someone observes, it reads the clock and
// starts a span; otherwise it costs the two look-ups of observing.
func (t *telemetry) start(ctx context.Context, prefix string, o op, names []string) (context.Context, span) {
	if !t.observing(ctx) {
		return ctx, span{}
	}
	ctx, sp := t.begin(ctx, o, names)
	sp.prefix = prefix
	return ctx, sp
}

// begin starts observing an operation; call it only when observing is true.
func (t *telemetry) begin(ctx context.Context, o op, names []string) (context.Context, span) {
	sp := span{on: true, start: time.Now(), debug: t.logger.Enabled(ctx, slog.LevelDebug)}
	if t.rootSpans || trace.SpanFromContext(ctx).IsRecording() {
		ctx, sp.span = t.tracer.Start(ctx, "secretstore."+o.String(),
			traceKind,
			withAttrs(t.storeAttr,
				attribute.String("secretstore.operation", o.String()),
				attribute.StringSlice("secretstore.names", append([]string(nil), names...))))
	}
	return ctx, sp
}

var traceKind = trace.WithSpanKind(trace.SpanKindClient)

func withAttrs(kv ...attribute.KeyValue) trace.SpanStartEventOption {
	return trace.WithAttributes(kv...)
}

// finish counts an operation's outcome and, when it was observed, ends it.
func (t *telemetry) finish(ctx context.Context, sp span, o op, names []string, cached bool, err error) {
	t.count(o, err)
	if sp.on {
		t.end(ctx, sp, o, names, cached, err)
	}
}

// reject records an operation the guards refused before it started: counted,
// audited, and logged at error level when disabled by config, as the
// reference does. Names only.
func (t *telemetry) reject(ctx context.Context, prefix string, o op, names []string, err error) {
	t.count(o, err)
	code := Code(err)
	if code == driver.Disabled {
		t.logger.LogAttrs(ctx, slog.LevelError, "secretstore operation disabled by config",
			slog.String("store", t.name), slog.String("op", o.String()),
			slog.Any("names", append([]string(nil), names...)))
	}
	if t.audit != nil {
		t.auditEvent(ctx, span{start: time.Now(), prefix: prefix}, o, names, false, code.String(), 0)
	}
}

func (t *telemetry) auditEvent(ctx context.Context, sp span, o op, names []string, cached bool, outcome string, d time.Duration) {
	c, _ := CallerFrom(ctx)
	t.audit.Audit(ctx, AuditEvent{
		Time: sp.start, Store: t.name, Op: o.String(), Names: append([]string(nil), names...), Prefix: sp.prefix,
		Caller: c, Outcome: outcome, Cached: cached, Duration: d,
	})
}

// end finishes an observed operation: the debug event, then the span.
func (t *telemetry) end(ctx context.Context, sp span, o op, names []string, cached bool, err error) {
	d := time.Since(sp.start)
	outcome := "ok"
	if err != nil {
		outcome = Code(err).String()
	}
	if sp.debug {
		t.logger.LogAttrs(ctx, slog.LevelDebug, "secretstore operation",
			slog.String("store", t.name), slog.String("op", o.String()),
			slog.Any("names", append([]string(nil), names...)),
			slog.String("outcome", outcome), slog.Bool("cached", cached), slog.Duration("duration", d))
	}
	if t.audit != nil {
		t.auditEvent(ctx, sp, o, names, cached, outcome, d)
	}
	if sp.span != nil {
		sp.span.SetAttributes(attribute.String("secretstore.outcome", outcome), attribute.Bool("secretstore.cached", cached))
		if err != nil {
			sp.span.SetStatus(codes.Error, err.Error())
		}
		sp.span.End()
	}
}

// timeBackend measures one driver call into the backend histogram.
func (t *telemetry) timeBackend(ctx context.Context, o op, start time.Time, err error) {
	outcome := "ok"
	if err != nil {
		outcome = classify(t.drv, err).String()
	}
	t.backend.Record(ctx, time.Since(start).Seconds(), metric.WithAttributes(t.storeAttr,
		attribute.String("secretstore.operation", o.String()), attribute.String("secretstore.outcome", outcome)))
}

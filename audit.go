package secretstore

import (
	"context"
	"log/slog"
	"time"
)

// AuditEvent records one store operation: who asked for which names, and what
// came of it. It never carries a value.
type AuditEvent struct {
	Time     time.Time     // when the operation started
	Store    string        // the store's name (WithName)
	Op       string        // "get", "require", "lookup", "set", "remove", "list", "refresh", "versions", "rotate", "watch"
	Names    []string      // the names as the caller gave them
	Prefix   string        // the scope of the view the caller used ("" for none)
	Caller   Caller        // from the context, when the application put one there
	Outcome  string        // "ok", or the error's class ("not_found", "disabled", ...)
	Cached   bool          // answered from the cache
	Duration time.Duration // how long the operation took
}

// Caller identifies who performs store operations, for audit events. An
// application puts it in the context of each command or subscription handler
// with [WithCaller].
type Caller struct {
	Service      string // the service (and version) handling the request
	Command      string // the command being handled, if any
	Subscription string // the subscription being handled, if any
	Tenant       string // the tenant the request acts for, if any
	Principal    string // the authenticated user or client, if any
}

type callerKey struct{}

// WithCaller returns a context carrying c, for the audit events of the store
// operations made with it.
func WithCaller(ctx context.Context, c Caller) context.Context {
	return context.WithValue(ctx, callerKey{}, c)
}

// CallerFrom returns the Caller that [WithCaller] put in ctx.
func CallerFrom(ctx context.Context) (Caller, bool) {
	c, ok := ctx.Value(callerKey{}).(Caller)
	return c, ok
}

// AuditSink receives one [AuditEvent] per store operation, refused ones
// included. Audit is called synchronously on the operation's goroutine: a
// sink that ships events elsewhere should hand them to a queue and return.
type AuditSink interface {
	Audit(ctx context.Context, e AuditEvent)
}

// AuditFunc adapts a function to [AuditSink].
type AuditFunc func(ctx context.Context, e AuditEvent)

// Audit calls f.
func (f AuditFunc) Audit(ctx context.Context, e AuditEvent) { f(ctx, e) }

// WithAudit sends an [AuditEvent] for every operation to sink. With a sink,
// every Lookup takes the observed path (it reads the clock twice), since each
// must be recorded.
func WithAudit(sink AuditSink) Option { return func(c *config) { c.audit = sink } }

// SlogAuditSink writes audit events as log records at info level with the
// message "secretstore audit", to ship them with an existing log pipeline: a
// JSON handler on a file or standard output that a collector (Fluent Bit,
// Vector, the OpenTelemetry Collector's filelog receiver) tails, or an slog
// bridge to OpenTelemetry logs. Use a logger of its own, so that operators can
// route and keep audit records apart from debug output.
type SlogAuditSink struct {
	Logger *slog.Logger
	Level  slog.Level // default info
}

// Audit writes e as one record with the attributes time (the record's),
// store, op, names, prefix, caller (a group of the non-empty fields), outcome,
// cached and duration.
func (s SlogAuditSink) Audit(ctx context.Context, e AuditEvent) {
	if s.Logger == nil || !s.Logger.Enabled(ctx, s.Level) {
		return
	}
	var caller []any
	for _, kv := range [...]struct{ k, v string }{
		{"service", e.Caller.Service}, {"command", e.Caller.Command}, {"subscription", e.Caller.Subscription},
		{"tenant", e.Caller.Tenant}, {"principal", e.Caller.Principal},
	} {
		if kv.v != "" {
			caller = append(caller, slog.String(kv.k, kv.v))
		}
	}
	r := slog.NewRecord(e.Time, s.Level, "secretstore audit", 0)
	r.AddAttrs(slog.String("store", e.Store), slog.String("op", e.Op), slog.Any("names", e.Names))
	if e.Prefix != "" {
		r.AddAttrs(slog.String("prefix", e.Prefix))
	}
	if len(caller) > 0 {
		r.AddAttrs(slog.Group("caller", caller...))
	}
	r.AddAttrs(slog.String("outcome", e.Outcome), slog.Bool("cached", e.Cached), slog.Duration("duration", e.Duration))
	_ = s.Logger.Handler().Handle(ctx, r)
}

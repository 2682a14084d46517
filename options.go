package secretstore

import (
	"log/slog"
	"time"

	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"
)

// Option configures a Store made by [New] or [Open].
type Option func(*config)

type config struct {
	perms     Perm
	name      string
	logger    *slog.Logger
	cache     *CacheOptions
	tracer    trace.TracerProvider
	meter     metric.MeterProvider
	rootSpans bool
	audit     AuditSink
	known     KnownValues
	keepOpen  bool
}

// CloseDriver(false) leaves the driver open when the Store is closed, for a
// driver shared by several Stores (say, a cached one for a service's reads and
// an uncached one for administration); whoever made the driver closes it.
// The default is true: the Store owns its driver.
func CloseDriver(on bool) Option { return func(c *config) { c.keepOpen = !on } }

// KnownValues is told of every secret value a store handles, so that it can
// mask them where code revealed and printed one (see package secretlog, whose
// Registry implements it). Add is called on the operation's goroutine for
// each value read or written, often with values it has seen: it must be
// cheap for those and safe for concurrent use.
type KnownValues interface {
	Add(value string)
}

// WithKnownValues tells k of every value the store reads (from the backend,
// the cache being filled from it, or a driver's in-memory fast path),
// writes, rotates to, or reads as a previous version. A cache hit was told
// when the cache was filled. The cost, one Add per value on the fast path, is
// paid only with this option.
func WithKnownValues(k KnownValues) Option { return func(c *config) { c.known = k } }

// Perm is a set of permitted operations. See [Store.Narrow].
type Perm uint8

// The operations a store can permit.
const (
	PermGet    Perm = 1 << iota // Get, Require, Lookup, List, Refresh
	PermSet                     // Set
	PermRemove                  // Remove
)

// EnableGet enables or disables reading (default: enabled).
func EnableGet(on bool) Option { return func(c *config) { c.perms = setPerm(c.perms, PermGet, on) } }

// EnableSet enables or disables writing (default: disabled). Few services need
// to write secrets: enable it only for those.
func EnableSet(on bool) Option { return func(c *config) { c.perms = setPerm(c.perms, PermSet, on) } }

// EnableRemove enables or disables removing (default: disabled).
func EnableRemove(on bool) Option {
	return func(c *config) { c.perms = setPerm(c.perms, PermRemove, on) }
}

func setPerm(p, bit Perm, on bool) Perm {
	if on {
		return p | bit
	}
	return p &^ bit
}

// WithName names the store in log events, errors, spans and metrics (default:
// the URL scheme for [Open], "secretstore" for [New]).
func WithName(name string) Option { return func(c *config) { c.name = name } }

// WithLogger sets the logger for operation events (debug level) and refused
// operations (error level). The default is [slog.Default]; nil discards.
// Events carry names, never values.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) {
		if l == nil {
			l = slog.New(slog.DiscardHandler)
		}
		c.logger = l
	}
}

// WithTracerProvider sets where spans go (default: the OpenTelemetry global
// provider). See [WithRootSpans].
func WithTracerProvider(tp trace.TracerProvider) Option { return func(c *config) { c.tracer = tp } }

// WithMeterProvider sets where metrics go (default: the OpenTelemetry global
// provider).
func WithMeterProvider(mp metric.MeterProvider) Option { return func(c *config) { c.meter = mp } }

// WithRootSpans makes the store start a span for an operation even when the
// context carries no recording span. By default it only adds child spans to a
// trace the caller is recording, so reading a secret outside any request never
// starts a trace of its own and the hot path costs nothing.
func WithRootSpans(on bool) Option { return func(c *config) { c.rootSpans = on } }

// CacheOptions configures the cache enabled by [WithCache]. Zero values mean
// the documented defaults, never "off".
type CacheOptions struct {
	// TTL is how long a value is served from the cache (default 5 minutes):
	// the longest a change made elsewhere than through this store (and its
	// views) goes unseen, give or take one Resolution. Writes through the
	// store are seen at once.
	TTL time.Duration
	// NegativeTTL is how long "this name does not exist" is remembered
	// (default: TTL / 10, at least one second). Negative means never.
	NegativeTTL time.Duration
	// MaxEntries bounds the number of names held (default 10,000). When full,
	// expired entries go first, then entries not read since the last sweep.
	MaxEntries int
	// StaleIfError, when positive, serves an expired value for up to this
	// long past its expiry when the backend is down (default 0: off): only
	// when the fetch fails with an error of class [ErrUnavailable], or runs
	// past FetchTimeout. Every other error reaches the caller, a stale value
	// notwithstanding: a refusal ([ErrPermissionDenied], say access revoked)
	// must not be papered over, nor a damaged record ([ErrInvalidValue]). The
	// value from before a write through the store is never served as stale,
	// and [Store.Refresh] never serves one. Each stale answer is
	// logged at warning level and counted (secretstore.cache.requests,
	// result "stale").
	StaleIfError time.Duration
	// FetchTimeout bounds one shared backend fetch (default 30 seconds).
	// A fetch serves every caller waiting for the same names, so it runs
	// independently of any one caller's cancellation.
	FetchTimeout time.Duration
	// RefreshAhead is how long before its expiry an entry that is read gets
	// refreshed in the background, so that no caller waits at expiry
	// (default TTL / 5; negative: off). Entries nobody reads simply expire.
	RefreshAhead time.Duration
	// Resolution is how often the cache's clock ticks (default TTL / 20,
	// between 10 ms and 1 s). Reading the clock on every hit would cost
	// more than the hit itself; entries live up to one Resolution longer
	// than their TTL.
	Resolution time.Duration
}

// WithCache turns on the read cache. Concurrent misses of one name are
// coalesced into exactly one backend call; Set and Rotate write through and
// Remove invalidates, so that a read that starts after a write returned never
// sees the value from before; [Store.Refresh] bypasses it. The cache is shared
// by every view made with [Store.Scope] and [Store.Narrow]. A hit takes no
// lock and writes no memory shared between cores. The package documentation
// says exactly what consistency holds.
func WithCache(o CacheOptions) Option {
	return func(c *config) {
		o := o
		c.cache = &o
	}
}

func (o *CacheOptions) withDefaults() {
	if o.TTL <= 0 {
		o.TTL = 5 * time.Minute
	}
	if o.NegativeTTL == 0 {
		o.NegativeTTL = max(o.TTL/10, time.Second)
	}
	if o.MaxEntries <= 0 {
		o.MaxEntries = 10_000
	}
	if o.FetchTimeout <= 0 {
		o.FetchTimeout = 30 * time.Second
	}
	if o.RefreshAhead == 0 {
		o.RefreshAhead = o.TTL / 5
	}
	if o.RefreshAhead > o.TTL/2 {
		o.RefreshAhead = o.TTL / 2
	}
	if o.Resolution <= 0 {
		o.Resolution = min(max(o.TTL/20, 10*time.Millisecond), time.Second)
	}
}

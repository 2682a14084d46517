// Package secretstore gives Go services one safe, vendor-neutral way to read
// and write their credentials — passwords, API keys, tokens, certificates —
// whatever holds them. It is a Go implementation of the secret store that the
// PURISTA framework describes, built to be safer and faster.
//
// Business code holds a portable [*Store] and calls [Store.Get],
// [Store.Require], [Store.Lookup], [Store.Set] and [Store.Remove]. A backend is
// a small driver (package driver) behind it; every guard lives once, here:
//
//   - Least privilege: only reading is enabled unless [EnableSet] or
//     [EnableRemove] say otherwise. A refused call returns an error matching
//     [ErrDisabled] ("set secret at store is disabled by config") and is
//     logged at error level. Views made by [Store.Scope] and [Store.Narrow]
//     can only take permissions away.
//   - Names follow one portable grammar, checked before any backend call (see
//     [ValidateName]). Drivers map them to their backend reversibly.
//   - Tenant scoping: [Store.Scope]("tenant:acme:") prefixes every name; no
//     input reaches outside the prefix.
//   - A [Secret] never prints its value: not through fmt (any verb), log/slog,
//     encoding/json, encoding.TextMarshaler, reflection or gob. Errors and log
//     events carry names, never values.
//   - Errors are classified once: every error matches one of [ErrNotFound],
//     [ErrDisabled], [ErrInvalidName], [ErrInvalidValue], [ErrNotSupported],
//     [ErrPermissionDenied], [ErrUnavailable], [ErrConflict] or [ErrClosed]
//     with errors.Is (or carries a context error), and [Code] gives its class
//     (an [ErrorCode], such as [CodeNotFound]); errors.As reaches the
//     backend's own error type behind it.
//   - An opt-in cache ([WithCache]) with a TTL, a size bound, negative entries,
//     coalescing of concurrent misses into exactly one backend call,
//     write-through, stale-if-error for outages and a forced [Store.Refresh]
//     (see Consistency with a cache below).
//   - Observability: one debug log event per operation ([WithLogger]),
//     OpenTelemetry spans inside the caller's trace and metrics
//     (secretstore.operations, secretstore.cache.requests,
//     secretstore.cache.entries, secretstore.backend.duration).
//
// # Missing names
//
// [Store.Get] leaves missing names out of its result and returns no error, as
// the reference does; [Store.Require] returns an error matching [ErrNotFound]
// that names every missing name; [Store.Lookup] reports presence with a bool.
// An empty value is present: it is not the same as a missing name.
//
// # Values
//
// Values are arbitrary bytes held in a Go string: binary, non-UTF-8, empty
// and multi-line values are kept exactly. Only a backend's documented limit
// refuses a value, with [ErrInvalidValue].
//
// # Drivers and URLs
//
// [New] wraps any driver; [Open] picks one by URL scheme. "mem://" (package
// memstore, for tests and development only) is built in; other drivers
// register their scheme when their package is imported. A custom store is a
// driver: implement driver.Store and it inherits every guard (see the
// customDriver example). Package storetest is the conformance suite every
// driver passes.
//
// # Consistency with a cache
//
// With [WithCache], exactly this holds:
//
//   - Read-your-writes, for writes through the same Store or any view made
//     from it by [Store.Scope] or [Store.Narrow] (they share the cache): once
//     [Store.Set], [Store.Remove] or [Store.Rotate] has returned, no read that
//     starts afterwards returns the value from before. While a write is
//     under way the cache does not answer for its name (readers read the
//     backend), and a fetch that read the backend before the write neither
//     answers a later read nor fills the cache. A write that failed forgets
//     the name, since it may have reached the backend; so do two writes of
//     one name at once, whose order at the backend is unknown. Over a
//     linearizable driver, the operations on each name are linearizable.
//   - Callers that miss the same name at once share exactly one backend call.
//   - A write made elsewhere (another process, another Store over the same
//     backend) is seen when the cached entry expires: up to TTL, plus one
//     Resolution, after the cache read the name; a name remembered as missing,
//     up to NegativeTTL. [Store.Refresh] reads the backend at once.
//   - Stale-if-error serves an expired value only through an outage: an error
//     of class [ErrUnavailable], or the shared fetch running past
//     FetchTimeout. A refusal ([ErrPermissionDenied]), a damaged record
//     ([ErrInvalidValue]) and every other error reach the caller (see
//     [CacheOptions]).
//
// Without a cache every read reaches the driver: consistency is the backend's.
//
// # Performance
//
// A one-name [Store.Lookup] answered by the cache, or by a driver with an
// in-memory fast path such as memstore, takes no lock, allocates nothing and
// writes no memory that another core reads: the entries are an immutable
// snapshot behind an atomic pointer (changed copy-on-write), and metrics are
// counted in per-goroutine stripes summed when they are collected. It starts
// no span unless the caller's trace is recording (see [WithRootSpans]). A
// many-name Get reaches the driver in one call, which fetches concurrently or
// in a batch. BENCHMARKS.md in the repository has the figures.
package secretstore

// Package dapr is a read-only secretstore driver for services that run with a
// Dapr sidecar: it reads secrets through the sidecar's secrets API, whatever
// secret store component (Kubernetes, Vault, a cloud secret manager, a local
// file, ...) the sidecar is configured with.
//
//	import _ "github.com/secretstore-go/secretstore/dapr"
//
//	store, err := secretstore.Open(ctx, "dapr://127.0.0.1:3500/vault?token-file=/run/secrets/dapr-api-token")
//	secrets, err := store.Require(ctx, "paymentApiKey", "db/password")
//
// or, without a URL, wrap dapr.New(dapr.Options{Store: "vault"}) with secretstore.New.
//
// # Proof
//
// The driver passes the read-only part of the storetest conformance suite
// (per-secret and bulk reads) against a real Dapr sidecar, daprd v1.14.0,
// which CI builds unmodified from the published module and starts with a
// secretstores.local.file component holding storetest.Fixture() (see
// .ci/services/dapr.sh and TestDaprd). Against the same sidecar the tests
// also prove: names that need escaping ('/', ':', '+', dots, "bulk"); the API
// token in the dapr-api-token header and never in the request URI (through a
// recording proxy), and its refusal; a missing secret (absent) against a
// failing store (ErrUnavailable), both with local.file and with daprd's real
// hashicorp.vault component in front of an unreachable server and in front
// of a fake Vault the test serves (present, 404, 500); the version_id
// metadata reaching Vault; and the multi-key mapping over a multiValued
// local.file store, whole and field by field through the portable Store.
// Cases a sidecar cannot be made to produce on demand
// (other components' error texts, scoping, statuses, redirects, timeouts,
// oversized answers, the concurrency bound, cancellation) are proven against
// an in-process fake of Dapr 1.14's HTTP API that routes and decodes paths as
// daprd does.
//
// # Why HTTP and the standard library
//
// The driver speaks Dapr's documented HTTP API (GET
// /v1.0/secrets/{store}/{name} and /v1.0/secrets/{store}/bulk) with
// net/http, so it lives in the root module and adds no dependency. Dapr's Go
// SDK is gRPC-only and pins old versions of gRPC, protobuf and more, which
// every user of this module would inherit; its gRPC answers carry the same
// error text as the HTTP ones (a missing secret is codes.Internal, like a
// failing store), so it would not tell missing from failing any better.
//
// # Names
//
// Dapr's secrets API reads a secret by name and answers a map of keys to
// values: one entry, keyed by the secret's name, for single-value stores
// (local.file, local.env, AWS, Azure, GCP), several for multi-value stores
// (Kubernetes secrets, Vault KV, local.file with multiValued). A portable
// name maps to a Dapr secret and a key:
//
//   - By default, name N reads key N of secret N, which is what a
//     single-value store returns. When secret N exists but its map has no
//     key N (a Kubernetes secret "db" with the keys username and password,
//     say), N reads the whole map as a JSON object, as encoding/json writes
//     it (keys sorted, compact): {"password":"...","username":"app"}. So
//     the portable layer's fields reach each key: Get(ctx, "db#username",
//     "db#password") reads the secret once (see secretstore.FieldSep).
//   - With Options.Key (URL key=K), N reads key K of secret N: for stores
//     whose secrets all hold their value under one key.
//   - With Options.KeySeparator (URL key-separator=SEP), a name containing
//     SEP is split at its last SEP: "db@password" with SEP "@" reads key
//     "password" of secret "db". A name without SEP reads as above. A name
//     whose key part is empty, or is the default key of its secret part (so
//     that it would read what the shorter name reads), is refused with
//     ErrInvalidName, so distinct names never share a value.
//
// The result holds exactly the names asked for: other keys the sidecar
// answers are ignored, and a name whose key is not in its secret's map is
// missing (except a name read by default, which then reads the whole map,
// as above). Several names of one secret cost one request.
//
// The secret's name is one path segment of the request. Dapr 1.14 routes on
// the escaped path and decodes segments with url.QueryUnescape, so every byte
// other than an ASCII letter, digit, '-' or '_' is percent-encoded: '/' as
// %2F (so "db/password" is one secret, not a path), ':' as %3A, '+' as %2B
// (which would otherwise decode to a space), '.' as %2E (so path cleaning
// cannot drop "." or ".."). A secret named "bulk" is sent as "%62ulk", so it
// is read as a secret rather than as the bulk route.
//
// Values are what Dapr's JSON carries: text. Bytes that are not UTF-8 cannot
// pass through Dapr's API.
//
// # Reads
//
// A Get sends one request per distinct Dapr secret, at most
// Options.Parallel (default 8) in flight, and merges the answers into one
// map. With Options.Bulk (URL bulk=1), a Get that needs two or more secrets
// instead reads the whole store in one bulk request: cheaper for many names
// of a small store, but it transfers every secret the app may read, and a
// secret the sidecar's scoping denies is then missing rather than refused.
// The portable Store's cache (secretstore.WithCache) avoids repeated reads.
//
// # Missing or failing
//
// Dapr answers both a missing secret and a failing secret store with HTTP
// 500 and the error code ERR_SECRET_GET; only the message, which quotes the
// component's error, differs. The driver treats an answer as "missing" only
// when the whole message is Dapr's "failed getting secret with key KEY from
// secret store STORE: " followed by a not-found error of a known component
// about that same KEY: local.file ("secret KEY not found"), kubernetes
// (`secrets "KEY" not found`) or hashicorp.vault ("getSecret KEY failed
// secret key or version not exist"). Everything else is a failing store,
// [driver.Unavailable]: a failure is never mistaken for a missing secret, at
// the price that a missing secret of another component is reported as
// unavailable rather than missing. The message is read, never copied into an
// error (a component may quote its backend's answer in it).
//
// # Errors
//
//   - Set and Remove: [driver.NotSupported] (ErrNotSupported), saying that
//     Dapr's secrets API is read-only.
//   - Dapr's error codes first: 500 ERR_SECRET_GET (other than missing):
//     [driver.Unavailable]; ERR_PERMISSION_DENIED (secret scoping):
//     [driver.PermissionDenied]; ERR_SECRET_STORE_NOT_FOUND and
//     ERR_SECRET_STORES_NOT_CONFIGURED (the store is not configured in the
//     sidecar): [driver.Unknown].
//   - Other statuses by [driver.HTTPCode] (401 and 403 permission denied,
//     408, 429 and 5xx unavailable, ...), except 404, which is
//     [driver.Unknown]: the endpoint does not serve Dapr's API.
//   - A sidecar that cannot be reached or does not answer within
//     Options.Timeout: [driver.Unavailable]; malformed or oversized
//     answers: [driver.Unknown].
//   - The caller's cancellation and deadline pass through as context errors.
//
// Errors name the store and the Dapr secret, never a value, a token or the
// sidecar's answer.
//
// # API token
//
// When the sidecar requires an API token, the driver sends it in the
// dapr-api-token header of every request: from Options.Token, or the file
// Options.TokenFile (URL token-file=PATH), or else the DAPR_API_TOKEN
// environment variable, as Dapr's SDKs do. The token is never put in a URL
// and never logged or quoted in an error. Redirects are refused, so the
// header cannot be carried to another host. A token in the URL itself is
// refused.
//
// # URLs
//
// [OpenURL], registered for the "dapr" scheme, opens
//
//	dapr://HOST:PORT/STORE?PARAMETERS
//	dapr:///STORE?PARAMETERS
//
// HOST:PORT is the sidecar's HTTP address (http://HOST:PORT); without it the
// endpoint is $DAPR_HTTP_ENDPOINT, else http://127.0.0.1:$DAPR_HTTP_PORT,
// else http://127.0.0.1:3500. STORE is the name of the Dapr secret store
// component. Query parameters, each at most once:
//
//   - token-file=PATH: read the API token from the file at the absolute
//     PATH ([Options.TokenFile]); without it, $DAPR_API_TOKEN is used if set.
//   - namespace=NS: request metadata "namespace" ([Options.Namespace]).
//   - version-id=V: request metadata "version_id" ([Options.VersionID]).
//   - metadata.NAME=VALUE: any other request metadata ([Options.Metadata]).
//   - key=K: [Options.Key].
//   - key-separator=SEP: [Options.KeySeparator].
//   - parallel=N: requests in flight per Get, 1 to 64 (default 8,
//     [Options.Parallel]).
//   - bulk=1: [Options.Bulk]; not with version-id.
//   - timeout=DURATION: per request, such as 10s (default 30s).
//   - tls=1: use https://HOST:PORT.
//
// Unknown parameters are an error, so that a typo does not go unnoticed; so
// is a parameter that looks like a credential (token=..., password=...), or
// a user or password in the URL.
package dapr

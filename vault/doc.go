// Package vault is the secretstore driver for HashiCorp Vault and OpenBao
// (which speaks the same API), over the KV secrets engine, version 2 or 1.
// It uses Vault's official client, github.com/hashicorp/vault/api.
//
//	import _ "github.com/secretstore-go/secretstore/vault"
//
//	store, err := secretstore.Open(ctx, "vault://vault.example:8200/secret?kv=2&auth=approle&role-id-file=/run/role-id&secret-id-file=/run/secret-id")
//
// or, in code, secretstore.New(d) with d from [New] and [Options].
//
// # Layout
//
// Each secret is one field, named "value" (see Options.Field), of the
// secret at <mount>/data/<name> on KV v2 or <mount>/<name> on KV v1: the
// layout of the reference (PURISTA's) Vault adapter, so services using
// either implementation read each other's secrets, and `vault kv get
// -field=value <mount>/<name>` reads them too.
//
// # Secrets of several fields
//
// A secret whose data is anything other than the value field alone (with,
// for binary values, its encoding marker) — the usual `vault kv put
// secret/db username=app password=...` — reads as the JSON object of all
// its fields, as encoding/json writes it: keys sorted at every level,
// compact, numbers as Vault keeps them ({"password":"...","username":"app"}).
// So the portable layer's fields reach each of them:
// Get(ctx, "db#username", "db#password") reads the secret once. A secret
// with exactly the value field reads as that field's value, as it always
// has. Conversely, a value the driver writes that is a JSON object in
// exactly that form, with a field other than the value field and its
// marker, is written as the secret's fields (so `vault kv get
// -field=password` reads it); every other value is written to the value
// field. Either way a value reads back byte for byte.
//
// Field writes (Set(ctx, "db#password", v), Remove(ctx, "db#password")) are
// the portable layer's read-modify-write through [Store.CompareAndSwap],
// which writes with KV v2's check-and-set: a concurrent change of the
// secret is never overwritten (the write reads again, a few times, then
// fails with ErrConflict), and the other fields are kept. On KV v1, which
// cannot write conditionally, field writes fail with ErrNotSupported.
//
// With Options.Field (field=NAME) set to a field other than "value", each
// secret is that one field, as before: its other fields are ignored, and
// values are always written to the field.
//
// # Names and values
//
// Names are Vault's own (native): the mapping is the identity, so the
// secret `vault kv put secret/db ...` creates is the name "db", and
// "team/db" is the secret at secret/team/db. There is no escaped mode (no
// names= option): every portable name is already a Vault path. A portable
// name is the secret's path below the mount, byte for byte, and "/" in a
// name is a level of Vault's path ("db/primary/password" is the secret "password" in the folder
// "db/primary/"). It is reversible and collision-free: every byte of the
// portable alphabet (ASCII letters and digits and ! . _ - : @ + = /) is used
// as-is in Vault's paths, which are case-sensitive. The portable Store
// refuses, before the driver is called, any name with a leading or trailing
// "/" or an empty, "." or ".." level, so a name's path is never rewritten
// by path cleaning and no name can address anything outside the mount.
// One exception, on KV v1 only: there a secret's path is its key in Vault's
// storage, which refuses any key holding "..", a sequence the portable
// grammar allows inside a level; the driver writes "~" (never part of a
// portable name) between two dots, so "a..b" is stored at "a.~.b", and
// reads such paths back. Listing leaves out paths that other tools wrote
// and that are not (the stored form of) portable names.
//
// On first use the driver asks Vault what is mounted at the mount path (the
// endpoint the vault kv command uses), so that a wrong path or KV version
// is an error rather than every secret reading as missing.
//
// Values are any bytes. Valid UTF-8, the usual case, is stored as the
// field's string. Other bytes, which JSON cannot carry, are stored in
// base64 with a second field "<field>_encoding" set to "base64"; the driver
// reads both forms back exactly. Set replaces the secret's data with the
// value's field (or, for a JSON object as above, its fields): other fields
// of a secret written by another tool are not kept (on KV v2 they stay in
// the previous version); a field write keeps them.
//
// # Versions, removal and rotation (KV v2)
//
// Set writes a new version. [Store.GetVersions] ([driver.Versioner]) reads
// the current value and the one before it, for rotation windows;
// [Store.CompareAndSwap] ([driver.Swapper]) writes with KV v2's
// check-and-set, so two rotations cannot overwrite each other (on a mount
// with cas_required, Set too writes with the current version). By default
// Remove deletes the latest version only: Get then reports the name missing,
// but the data stays recoverable (`vault kv undelete`) and a later Set
// writes a new version. Options.Destroy (remove=destroy) deletes the
// metadata and every version instead, as the reference did. A KV v1 mount
// keeps no versions: its driver offers neither capability and Remove
// deletes the secret.
//
// # Authentication
//
//   - [Token]: a fixed token. Without Options.Auth, the token comes from
//     VAULT_TOKEN, or else from ~/.vault-token, as for the vault command.
//   - [TokenFile]: the token in a file (~/.vault-token, or the sink of Vault
//     Agent), read again whenever the token stops working.
//   - [AppRole]: role id and secret id, the secret id read from its file at
//     every login.
//
// A token with a TTL is watched with the api's LifetimeWatcher: renewed
// while it is renewable and, at the end of its life, replaced by logging in
// again (AppRole) or reading the file again (token file). If a request is
// refused with 403 and Vault confirms that the token itself is no longer
// valid, the driver logs in again and sends the request once more; a valid
// token that lacks a policy is a plain [driver.PermissionDenied]. Login,
// renewal and re-login are logged to Options.Logger, never with a token.
// Close stops the watcher; it does not revoke the token.
//
// The policy a token needs on KV v2: read on <mount>/data/* for Get,
// create and update for Set, delete for Remove; list and read on
// <mount>/metadata/* for List (which reads each name's metadata to leave
// out deleted ones) and delete there for remove=destroy. Vault Enterprise
// namespaces: Options.Namespace (or VAULT_NAMESPACE).
//
// # Requests, retries and errors
//
// Get of many names sends one request per name, at most Options.Parallel
// (16) at a time, over kept-alive connections, into one map. A connection
// error, 412, 429 or 5xx (but 501) is retried Options.MaxRetries (2) times,
// waiting an exponential, jittered time between Options.MinWait and
// Options.MaxWait (honouring a shorter Retry-After); no wait starts that the
// context's deadline would cut short, and each request, retries included,
// is bounded by Options.Timeout. An HTTP status is classified by
// [driver.HTTPCode] (401 and 403 [driver.PermissionDenied], 405 and 501
// [driver.NotSupported], 409 [driver.Conflict], 413
// [driver.InvalidValue], 429 and 5xx [driver.Unavailable], once retried)
// with Vault's exceptions: 412 (a standby not yet caught up) is
// [driver.Unavailable]; 404 is a missing secret (Get), or success (Remove),
// and any other 404 is unclassified; a connection failure is
// [driver.Unavailable]; an answer that shows the mount is not
// a KV engine of the configured version is an unclassified error rather
// than a silent "missing". A canceled or expired context gives the
// context's error. Error messages hold the operation, the name and the HTTP
// status, never a value, a token or any part of a response body.
//
// # URLs
//
// [OpenURL], registered for the "vault" scheme, opens
//
//	vault://host:8200/<mount>?kv=2
//
// The host and port are the server's (https unless tls=0). Without a host
// (vault:///secret), the address is VAULT_ADDR. The path is the KV mount,
// which may have several levels (vault://host:8200/kv/team-a). Credentials
// never go in the URL. Query parameters (each at most once; every PATH is
// absolute):
//
//   - kv=1|2: the KV engine's version (default 2).
//   - field=NAME: the field that holds the value (default value).
//   - namespace=NS: the Vault Enterprise namespace.
//   - remove=delete|destroy: what Remove does on KV v2 (default delete: the
//     latest version, recoverable; destroy: every version and the metadata).
//   - tls=0|1: tls=0 talks plain HTTP (a dev server on 127.0.0.1; it sends
//     the token in clear); default 1, https.
//   - ca-file=PATH, ca-dir=DIR: the CA certificates to trust.
//   - client-cert=PATH, client-key=PATH: a TLS client certificate.
//   - server-name=NAME: the name the server's certificate must carry.
//   - auth=token|approle: the login method (default token).
//   - token-file=PATH: with auth=token, read the token from PATH (default:
//     VAULT_TOKEN, then ~/.vault-token).
//   - role-id-file=PATH, secret-id-file=PATH, auth-mount=PATH: with
//     auth=approle, the files holding the role id and the secret id, and
//     the auth method's mount (default approle).
//   - parallel=N: requests in flight for one Get of many names (default 16).
//   - retries=N: retries of a failed request (default 2; 0: none).
//   - min-wait=DURATION, max-wait=DURATION: bounds of the wait before a
//     retry (defaults 100ms and 1s).
//   - timeout=DURATION: bound of one request, retries included (default 30s).
//
// The vault command's environment variables (VAULT_CACERT,
// VAULT_CLIENT_CERT, VAULT_TLS_SERVER_NAME, VAULT_SKIP_VERIFY,
// VAULT_NAMESPACE, ...) apply as defaults, through the api client. Unknown
// parameters are an error, so that a typo does not go unnoticed.
//
// # Proof
//
// The driver is tested against a real Vault server, v1.19.0 built
// unmodified from its published module and started in dev mode by the
// repository's CI (.ci/services/vault.sh): the full storetest conformance
// suite on KV v2 with a token, on KV v2 with AppRole login and
// remove=destroy (opened by URL), and on a KV v1 mount with a token read
// from a file; a token that expires mid-run (an AppRole token at the end of
// its life, and a token file whose token expires and is then replaced); and
// a second server, started by the test, that is stopped while stores use
// it (with stale-if-error callers keep getting values; without it they get
// ErrUnavailable promptly); and Vault's own command line client, on KV v2
// and KV v1 (TestInteropWithVaultCLI): `vault kv put` with several fields
// read whole and field by field through the portable Store, and what the
// driver writes, field writes included (KV v2, with concurrent writers
// losing nothing), read by `vault kv get -field=...`. Retries, deadlines and errors that never repeat
// a response body are tested against a local HTTP server answering 403,
// 429, 503 and the like; the name mapping, the URL parser and the round
// trip of values written as the value field or as fields are fuzzed.
// OpenBao could not be installed here to test against; it serves the same
// KV and auth API.
package vault

// Package gcp is the Google Secret Manager driver of secretstore. It
// implements [driver.Store], [driver.Lister], [driver.Versioner],
// [driver.ErrorCoder] and [driver.Aser] with the official
// client, cloud.google.com/go/secretmanager/apiv1, over gRPC, and is used
// through the portable [secretstore.Store], which adds every guard
// (permissions, name checks, scoping, caching, error classes):
//
//	d, err := gcp.New(ctx, "my-project", gcp.Options{})
//	store := secretstore.New(d, secretstore.WithCache(secretstore.CacheOptions{TTL: time.Minute}))
//	// or, after importing the package:
//	store, err := secretstore.Open(ctx, "gcpsm://projects/my-project")
//
// Credentials are Application Default Credentials unless
// [Options.ClientOptions] say otherwise: GOOGLE_APPLICATION_CREDENTIALS, the
// gcloud CLI's application-default login, or the metadata server on Google
// Cloud. It is a module of its own, so that only its users link gRPC and the
// Google client libraries.
//
// # Operations
//
//   - Get calls AccessSecretVersion on "latest" for every name at once, at
//     most [Options.Parallel] in flight. "latest" is documented as the
//     most recently created version, whatever its state: when that one is
//     disabled or destroyed (FAILED_PRECONDITION), Get reads the newest
//     enabled version instead (ListSecretVersions, then AccessSecretVersion),
//     so that disabling a bad version rolls back to the one before. A name
//     without a secret, or without an enabled version, is missing. The
//     payload's CRC32C (Castagnoli), which the service sends with it, is
//     checked: a mismatch fails the read with [ErrCorrupt], never a wrong
//     value.
//   - Set calls AddSecretVersion with the payload's CRC32C, which the service
//     checks. When the secret does not exist (NOT_FOUND) it calls
//     CreateSecret, with [Options.Replication] (automatic by default) and
//     [Options.Labels], then adds the version; ALREADY_EXISTS from a
//     concurrent creator is fine. Set never reads. Existing secrets keep
//     their settings.
//   - Remove calls DeleteSecret, which deletes every version. With
//     [Options.DisableOnRemove] it disables the secret's enabled versions
//     instead, oldest first: recoverable, while Get reports the name missing
//     and Set adds a new, enabled version as usual. A missing name is not an
//     error either way.
//   - List pages through ListSecrets with a name filter for the prefix and
//     maps secret ids back to names, skipping ids the mapping does not make.
//   - [Store.GetVersions] ([driver.Versioner]) returns the current value and
//     the previous one (the newest older enabled version whose value
//     differs), as filestore's does, for the portable Store's Versions and
//     Rotate. There is no [driver.Swapper]: AddSecretVersion takes no
//     precondition, so a compare-and-swap could not be atomic.
//   - [Store.As] gives the *secretmanager.Client.
//
// # Names
//
// A secret id holds 1 to 255 letters, digits, '_' and '-'. A portable name
// (letters, digits and . _ - : @ + = /) maps to an id byte by byte: letters,
// digits and '-' stay, '_' becomes "__", and . / : @ + = become "_d" "_s"
// "_c" "_a" "_p" "_e". For example "tenant:acme:stripe_key" is the secret
// "tenant_cacme_cstripe__key" and "db/primary.password" is
// "db_sprimary_dpassword". The escape '_' is always followed by one of
// _ d s c a p e, so the mapping is a prefix code: reversible ([NameOf]),
// without collisions, and a name's prefix maps to its id's prefix, which
// List uses.
// Ids are case-sensitive, as names are. A name whose id would be longer than
// 255 characters (a 256-byte name, or about 128 bytes of punctuation) is
// refused with code [driver.InvalidName] before any call. [SecretID] gives
// the id of a name, for finding it in the console or with gcloud.
//
// # Values
//
// Values are bytes and round-trip exactly, binary included, up to
// [MaxValueSize] (64 KiB, the service's documented payload limit); larger
// values fail with code [driver.InvalidValue] before any call. The empty
// value fails the same way: the API reference does not say so, but the
// service answers INVALID_ARGUMENT to an empty payload (see
// firebase-tools#3863 and terraform-provider-google#10475), and storing it
// as anything else would mislead every other reader of the secret. The live
// test checks that the service still refuses it.
//
// # Retries and errors
//
// Every call is retried on UNAVAILABLE and RESOURCE_EXHAUSTED, up to
// [Options.MaxRetries] times with [Options.Backoff] pauses (gax call
// options), as long as the context lasts. A retried AddSecretVersion whose
// first try did reach the service leaves two versions with the same value,
// which changes nothing for readers. Errors name the call, the secret and the
// gRPC status code, never the service's message, details or a value; the
// portable Store classifies them with [Store.ErrorCode] (NOT_FOUND →
// not_found, PERMISSION_DENIED and UNAUTHENTICATED → permission_denied,
// UNAVAILABLE and RESOURCE_EXHAUSTED → unavailable, ALREADY_EXISTS,
// FAILED_PRECONDITION and ABORTED → conflict, INVALID_ARGUMENT about the
// payload → invalid_value, UNIMPLEMENTED → not_supported). [ErrCorrupt] is
// unknown. The client's *apierror.APIError
// (github.com/googleapis/gax-go/v2/apierror) stays reachable with
// [errors.As] on the portable error; its GRPCStatus method gives the
// service's own message.
//
// # URLs
//
// [OpenURL], registered for the "gcpsm" scheme, opens
//
//	gcpsm://projects/PROJECT[?parameters]
//
// where PROJECT is a project id or number. Query parameters, each at most
// once:
//
//   - endpoint=HOST:PORT: the service's gRPC endpoint (default
//     secretmanager.googleapis.com:443), for private endpoints and test
//     servers.
//   - tls=0: plaintext gRPC without credentials; only together with
//     endpoint, for emulators and test servers (default 1).
//   - replica-locations=LOC[,LOC...]: user-managed replication in these
//     locations for secrets Set creates (default automatic).
//   - remove=delete|disable: what Remove does (default delete; disable is
//     [Options.DisableOnRemove]).
//   - parallel=N: [Options.Parallel] (1–1000; default 16).
//   - retries=N: [Options.MaxRetries] (0–1000; default 4; 0 turns retries
//     off).
//
// Unknown or repeated parameters are an error, so that a typo does not go
// unnoticed. Credentials are never taken from a URL: use Application
// Default Credentials, or [New] with [Options.ClientOptions].
//
// # Proof
//
// No Secret Manager emulator exists. The package's tests run the full
// storetest conformance suite, twice (Remove deleting, and disabling),
// through the real official client over real gRPC on a 127.0.0.1 listener,
// against an in-process server (internal/fakegcp) that implements
// secretmanagerpb.SecretManagerServiceServer from the client's own
// secretmanagerpb package and keeps state as the service documents it:
// secrets and versions with their states (ENABLED, DISABLED, DESTROYED),
// "latest" as the most recently created version, ALREADY_EXISTS,
// NOT_FOUND, FAILED_PRECONDITION on versions that are not enabled, CRC32C
// checks and checksums in responses, the 64 KiB payload limit, paging and
// name filters. Further tests inject UNAVAILABLE and RESOURCE_EXHAUSTED
// (retries), corrupted payloads ([ErrCorrupt]), racing creators, and check
// the bound on calls in flight; fuzz tests check the name mapping. The same
// suite runs against a real project when SECRETSTORE_GCP_PROJECT names one
// and Application Default Credentials are present (TestLive; skipped
// otherwise, and it says so). The fake is not the service: behaviour it does
// not model (IAM, quotas, eventual consistency of listing, exact error
// messages) is proven only by the live test.
package gcp

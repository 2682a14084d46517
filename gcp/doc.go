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
//     so that disabling a bad version rolls back to the one before: one
//     value access per name, plus one ListSecretVersions (a read request,
//     see Quotas) and an access per name whose newest version is disabled,
//     as every name removed with DisableOnRemove is. A name
//     without a secret, or without an enabled version, is missing. The
//     payload's CRC32C (Castagnoli), which the service sends with it, is
//     checked: a mismatch fails the read with [ErrCorrupt], never a wrong
//     value.
//   - Set calls AddSecretVersion with the payload's CRC32C, which the service
//     checks. When the secret does not exist (NOT_FOUND) it calls
//     CreateSecret, with [Options.Replication] (automatic by default) and
//     [Options.Labels], then adds the version; ALREADY_EXISTS from a
//     concurrent creator is fine. Existing secrets keep their settings.
//     Set reads nothing, except with [Options.DisableOnRemove]: then it
//     also calls GetSecret and, on a secret labelled [RemovedLabel],
//     UpdateSecret to take the label off.
//   - Remove calls DeleteSecret, which deletes every version. With
//     [Options.DisableOnRemove] it disables the secret's enabled versions
//     instead, oldest first, then labels the secret [RemovedLabel]
//     ("true"; GetSecret, then UpdateSecret of the labels with the
//     secret's etag, keeping the other labels): recoverable, while Get
//     reports the name missing, List leaves it out and Set adds a new,
//     enabled version as usual and takes the label off. A missing name is
//     not an error either way. A version added or enabled by another tool
//     (gcloud, the console) does not take the label off: Get reads it, List
//     leaves the name out until a Set through this driver or
//     "gcloud secrets update ID --remove-labels=secretstore-removed".
//     Secrets removed by earlier versions of this driver carry no label
//     and are listed (Get still reports them missing).
//   - List pages through ListSecrets with a name filter for the prefix and
//     maps secret ids back to names, skipping ids that stand for no name
//     (and, with DisableOnRemove, secrets labelled [RemovedLabel]): one
//     read request per page of 1,000 secrets, whatever else.
//   - [Store.GetVersions] ([driver.Versioner]) returns the current value and
//     the previous one (the newest older enabled version whose value
//     differs), as filestore's does, for the portable Store's Versions and
//     Rotate. It reads the current version, then older versions by number
//     (AccessSecretVersion: value accesses only, one per older version
//     until one is enabled and differs); after 8 older versions without an
//     answer, or when the newest version is disabled, it lists the enabled
//     versions once (ListSecretVersions, one read request) and reads
//     those. There is no [driver.Swapper]: AddSecretVersion takes no
//     precondition, so a compare-and-swap could not be atomic.
//   - [Store.As] gives the *secretmanager.Client.
//
// # Names
//
// [Options.Names] (URL parameter names=native|escaped) chooses one of two
// mappings from names to secret ids. A secret id holds 1 to 255 letters,
// digits, '_' and '-', case-sensitive, as names are.
//
//   - Native, the default ([NamesNative]): the name is the secret id,
//     unchanged, so Get(ctx, "DB_PASSWORD") reads the secret DB_PASSWORD,
//     and db_password, db-password and StripeApiKey read those, as the
//     console, gcloud and Terraform named them. A name outside the id
//     alphabet or longer than 255 (db/password, tenant:acme:key, a.b) is
//     refused with code [driver.InvalidName], naming the rule, before any
//     call ([NativeID] checks one). List lists every secret of the
//     project (under the prefix), whoever wrote it: every id is a valid
//     portable name.
//   - Escaped ([NamesEscaped]): any portable name (letters, digits and
//     . _ - : @ + = / !) maps to an id byte by byte: letters, digits and
//     '-' stay, '_' becomes "__", and . / : @ + = ! become "_d" "_s" "_c"
//     "_a" "_p" "_e" "_x". For example "tenant:acme:stripe_key" is the
//     secret "tenant_cacme_cstripe__key" and "db/primary.password" is
//     "db_sprimary_dpassword". The escape '_' is always followed by one of
//     _ d s c a p e x, so the mapping is a prefix code: reversible
//     ([NameOf]), without collisions, and a name's prefix maps to its id's
//     prefix, which List uses. A name whose id would be longer than 255
//     characters (a 256-byte name, or about 128 bytes of punctuation) is
//     refused with code [driver.InvalidName] before any call. [SecretID]
//     gives the id of a name, for finding it in the console or with gcloud.
//     List leaves out ids the mapping does not make, and ids written by
//     others may read as other names (db_password lists as "db+assword"):
//     read those in native mode.
//
// The two modes agree on names of letters, digits and '-' alone
// (stripe-api-key is the same secret in both).
//
// # Quotas
//
// Secret Manager allows 90,000 value accesses (AccessSecretVersion) but
// only 600 other read requests (GetSecret, ListSecrets and
// ListSecretVersions pages) per minute per project. Get costs accesses
// only, unless a name's newest version is disabled; List costs one read
// request per 1,000 secrets; Set costs one GetSecret more with
// DisableOnRemove, and Remove with DisableOnRemove one ListSecretVersions
// and one GetSecret. The fake enforces the read quota in a test at 1,000
// secrets.
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
//   - names=native|escaped: [Options.Names] (default native; see Names).
//
// Unknown or repeated parameters are an error, so that a typo does not go
// unnoticed. Credentials are never taken from a URL: use Application
// Default Credentials, or [New] with [Options.ClientOptions].
//
// # Proof
//
// No Secret Manager emulator exists. The package's tests run the full
// storetest conformance suite four times (native and escaped names, each
// with Remove deleting and disabling) through the real official client over
// real gRPC on a 127.0.0.1 listener, against an in-process server
// (internal/fakegcp) that implements secretmanagerpb.SecretManagerServiceServer
// from the client's own secretmanagerpb package and keeps state as the
// service documents it. Further tests inject UNAVAILABLE and
// RESOURCE_EXHAUSTED (retries), corrupted payloads ([ErrCorrupt]), racing
// creators, and check the bound on calls in flight; fuzz tests check both
// name mappings. The live test (TestLive) runs the suite against a real
// project when SECRETSTORE_GCP_PROJECT names one and Application Default
// Credentials are present; it is skipped otherwise, and CI has never run
// it. Which behaviour is proven against which server:
//
//	behaviour                                           our fake  real service
//	conformance suite, both name and remove modes       yes       live test, never run
//	secrets named as the console and Terraform do       yes       live test, never run
//	"latest" = newest version, disabled-latest rollback yes       live test, never run
//	CRC32C checks both ways, 64 KiB and empty payloads  yes       live test, never run
//	paging, name filter                                 yes       live test, never run
//	labels and etags (RemovedLabel)                     yes       live test, never run
//	read quota (600/min), List at 1,000 secrets         yes       no
//	retries on UNAVAILABLE, RESOURCE_EXHAUSTED          yes       no
//	IAM, eventual consistency of listing, messages      no        live test, never run
//
// The fake is not the service: it confirms our reading of the
// documentation and cannot catch a misreading.
package gcp

// Package azure is the Azure Key Vault driver of secretstore, on the
// official SDK (azsecrets) with a credential the caller chooses. It
// implements [driver.Store], [driver.Lister], [driver.Versioner],
// [driver.ErrorCoder] and [driver.Aser]; use it through
// the portable [secretstore.Store], which adds every guard (permissions,
// name checks, scoping, caching, error classes):
//
//	d, err := azure.New("https://myvault.vault.azure.net/", azure.Options{Credential: cred})
//	store := secretstore.New(d, secretstore.EnableSet(true))
//	// or
//	store, err := secretstore.Open(ctx, "azurekv://myvault.vault.azure.net")
//
// # Proof
//
// No Key Vault emulator can be installed where this driver is developed.
// The driver's tests run the full storetest conformance suite through the
// real azsecrets client against fakeazure (azure/internal/fakeazure), a
// stateful fake of Key Vault's documented secrets REST API, in both name
// modes, twice: served in-process through the client's transport, and over
// TLS by an httptest server. The fake answers with Key Vault's status codes
// and error bodies; Remove-then-Set, recovery and purge finish
// asynchronously in it (deterministically, after a number of requests).
// What the fake cannot prove is Key Vault's exact timing and any
// undocumented behaviour; an opt-in live test runs the same suite against
// a real vault when SECRETSTORE_AZURE_VAULT_URL is set (it is skipped,
// visibly, otherwise, and CI has never run it). Which behaviour is proven
// against which server:
//
//	behaviour                                           our fake  real vault
//	conformance suite, native and escaped names         yes       live test, never run
//	portal/Terraform names, case-insensitive, spelling  yes       live test, never run
//	challenge authentication (401, WWW-Authenticate)    yes       live test, never run
//	soft delete, 409 ObjectIsDeletedButRecoverable      yes       live test, never run
//	recover and purge, finishing asynchronously         yes       live test, never run
//	25,600-character limit counted in characters        yes       live test, never run
//	disabled versions (403 SecretDisabled)              yes       no
//	429 with Retry-After, injected failures             yes       no
//	exact timings, undocumented behaviour               no        live test, never run
//
// # URLs
//
// The package registers the scheme "azurekv" with [secretstore.Register]:
//
//	azurekv://<vault-name>.vault.azure.net[?parameters]
//
// opens the vault https://<vault-name>.vault.azure.net/ (any Key Vault DNS
// suffix works, such as vault.azure.cn). The URL takes no port, user, path
// or fragment. Parameters, each at most once; an unknown one is an error:
//
//   - credential: default (azidentity's DefaultAzureCredential, the
//     default), environment, managedidentity, workloadidentity or azurecli.
//   - client-id: the client ID of a user-assigned managed identity or of a
//     workload identity (with credential=managedidentity or
//     workloadidentity).
//   - names=native|escaped: native (the default) takes names as Key Vault
//     names; escaped maps any portable name ([Options.Names]; see Names).
//   - content-type=<type>: the content type of text values ([Options.ContentType]).
//   - on-deleted=recover|purge: what Set does with a deleted but recoverable
//     secret of the same name; recover is the default ([Options.PurgeDeleted]).
//   - remove=delete|purge: what Remove does; delete (the default) leaves
//     the secret recoverable, purge purges it ([Options.PurgeOnRemove]).
//   - parallel=<n>: requests in flight per Get ([Options.Parallel]).
//   - poll-interval=<duration>, poll-timeout=<duration>: pacing of the waits for
//     Key Vault's asynchronous deletion, recovery and purge ([Options.PollInterval],
//     [Options.PollTimeout]).
//
// Other settings (a custom transport, retry policy or sovereign cloud) need
// [New] with [Options.ClientOptions].
//
// # Names
//
// Key Vault names are 1 to 127 ASCII letters, digits and dashes, compared
// without regard to case; portable names are case-sensitive and use nine
// more characters. [Options.Names] (URL parameter names=native|escaped)
// chooses between two mappings:
//
//   - Native, the default ([NamesNative]): the name is the Key Vault name,
//     unchanged, so db-password, DbPassword and stripe-api-key read the
//     secrets the portal, the Azure CLI or Terraform made under those
//     names. Key Vault names are not case sensitive, and neither are these
//     names: DbPassword, dbpassword and DBPASSWORD are one secret (a Set in
//     another case writes a new version of it), and List returns the
//     spelling the secret was created with. A name that is not a Key Vault
//     name (db/password, db_password, tenant:acme:key, or longer than 127)
//     is refused with code driver.InvalidName, naming the rule, before any
//     request. List lists every secret of the vault under the prefix
//     (compared with the stored spelling, case-sensitively), whoever wrote
//     it: every Key Vault name is a valid portable name.
//   - Escaped ([NamesEscaped]): each portable name maps to a Key Vault name
//     that only it can stand for, in lower case:
//   - a lower-case letter or a digit stays as it is;
//   - an upper-case letter becomes '-' and the letter in lower case
//     ("apiKey" → "api-key");
//   - '/' . _ : @ + = '-' and '!' become "-0" to "-8" in that order
//     ("db/password" → "db-0password", "tenant:acme" → "tenant-3acme",
//     "a-b" → "a-7b", "rds!db" → "rds-8db").
//
// In the escaped mode every character becomes one or two characters of
// which only a leading one can be '-', so the mapping is reversible, no two
// names map to names that differ only in case, and the result never holds
// two dashes in a row. A name whose mapping is longer than 127 characters
// is hashed instead: the first at most 73 characters of its mapping (whole
// escapes only), "--", and the SHA-256 of the portable name in lower-case
// unpadded base32 (52 characters), 127 at most in all. Its secret carries
// the portable name in the tag [NameTag], which List reads and which Get
// checks (a secret that carries another name is a conflict, not a value).
// So every portable name (up to 256 bytes) can be stored; no name is
// refused for its length. List maps names back and skips Key Vault names
// the driver did not make (those that do not decode, or not to a valid
// portable name, or hashed names without a matching tag): a secret made
// by others as stripe-api-key reads only as "stripeApiKey", and
// db-password only as "dbPassword" (Get("db-password") reads the Key
// Vault name db-7password); read those in native mode. [Store.KeyVaultName] tells which Key Vault name holds a name in
// either mode.
//
// # Values
//
// Key Vault holds strings of at most 25,600 characters ([MaxValueSize]),
// counted as Unicode code points, not bytes: a value of 25,600 'é' (51,200
// bytes in UTF-8) is taken, and so are 25,600 four-byte characters. Text
// (valid UTF-8 without a NUL byte, including the empty value) is stored as
// it is, with [Options.ContentType] if set. Any other value is stored in
// standard base64 with the content type [BinaryContentType], and decoded by
// Get, so binary values round-trip exactly; they may have up to 19,200
// bytes. A value over the limit fails with code driver.InvalidValue before
// any request. (Key Vault's overview speaks of "25 KB"; the driver follows
// the service's own limit, 25,600 characters, as the fake does.)
//
// # Deletion, recovery and purge
//
// Key Vault soft-deletes: a deleted secret keeps its name, with its
// versions, for the vault's retention period. Remove deletes and waits
// until Key Vault reports the secret as deleted (or gone, in a vault
// without soft delete); it purges only with [Options.PurgeOnRemove].
// Removing a missing name succeeds. Set of a name that is deleted but
// recoverable (409 ObjectIsDeletedButRecoverable) recovers it, waits until
// it can be read, and writes the new value as its newest version; with
// [Options.PurgeDeleted] it purges it instead. Key Vault finishes these
// operations asynchronously; the driver polls (GetDeletedSecret or
// GetSecret) with exponential backoff, bounded by the context and
// [Options.PollTimeout]. A write that meets another operation under way (409)
// is retried the same way.
//
// # Reads
//
// Get reads every name concurrently, at most [Options.Parallel] at a
// time (Key Vault has no batch read); 404 is a missing name.
// [Store.GetVersions] returns the current and the previous value, for
// rotation; since Key Vault dates versions to the second, every Set tags the
// version it writes with [WrittenTag] (the writer's clock), which orders
// versions of the same second. With [NameTag] on hashed names, the driver
// adds at most two of a version's 15 tags. Throttling (429) and transient failures (408, 500, 502, 503,
// 504) are retried by the SDK's retry policy, which honours Retry-After.
//
// # Errors
//
// Errors name the operation, the Key Vault name, the HTTP status and Key
// Vault's error codes, never a response body (azcore.ResponseError prints
// one; the driver's errors wrap it without printing it) and never a value.
// Classes: an HTTP status is classified by [driver.HTTPCode] (401 and 403
// permission denied, 404 not found, 409 conflict, 413 invalid value, 408,
// 429 and 5xx unavailable, ...) with one exception: a 400 on Set is an
// invalid value. Credential failures are permission denied. [errors.As] reaches the *azcore.ResponseError (whose
// Error method prints the response body: do not log it) or the
// *azidentity.AuthenticationFailedError behind an error;
// [secretstore.Store.As] the *azsecrets.Client.
package azure

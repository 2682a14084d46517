// Package infisical is the secretstore driver for Infisical
// (https://infisical.com), through Infisical's official Go SDK
// (github.com/infisical/go-sdk) and its current secrets API (v3 "raw"
// secrets, end-to-end encryption handled by the server), with a machine
// identity. It is a Go module of its own so that only its users build the
// SDK, which pulls the AWS, GCP and Oracle SDKs for its login methods.
//
//	import _ "github.com/secretstore-go/secretstore/infisical"
//
//	store, err := secretstore.Open(ctx, "infisical://app.infisical.com"+
//		"?project=7e2f1a4c-...&env=prod&path=/billing"+
//		"&client-id-file=/run/secrets/infisical-id&client-secret-file=/run/secrets/infisical-secret")
//
// or, in code, [New] with [Options] and [github.com/secretstore-go/secretstore.New].
//
// # URLs
//
// infisical://HOST[/SITE-PATH]?project=ID&env=SLUG[&path=/FOLDERS][&auth=METHOD][...]
//
// HOST (and SITE-PATH, for an instance served under a path) is the
// Infisical site, always over HTTPS: app.infisical.com, eu.infisical.com or
// a self-hosted host[:port]. The query parameters, each at most once (every
// file path absolute):
//
//   - project: the project's ID (required).
//   - env: the environment's slug, such as dev or prod (required).
//   - path: the secret path under which names live, "/" by default (see
//     Names).
//   - auth: how the machine identity logs in (universal by default), one
//     of the methods below.
//   - auth=universal: universal auth, with client-id-file and
//     client-secret-file, files that hold the client ID and the client
//     secret (read at each login; surrounding white space ignored).
//   - auth=token: an access token held in token-file, such as an Infisical
//     Agent's token sink; read again whenever the token is refused.
//   - auth=kubernetes: Kubernetes auth as identity (the machine identity's
//     ID), with the pod's service account token read from token-file
//     (DefaultKubernetesTokenFile by default).
//   - auth=aws-iam, auth=gcp-id-token, auth=azure: the SDK's cloud logins
//     as identity, with the credentials the platform provides.
//   - org: the slug of a sub-organization to scope the login to.
//   - ca-file: PEM certificates to trust, for a self-hosted instance with a
//     private CA ([Options.CAFile]).
//   - parallel: the most requests one Get sends at once (DefaultParallel,
//     [Options.Parallel]).
//   - retries: how many times a throttled or transiently failed request is
//     repeated (DefaultMaxRetries; 0: never; [Options.MaxRetries]).
//   - names=native|escaped: how names map to folders and keys (native by
//     default; [Options.Names]; see Names).
//
// Credentials never go in the URL: user information and parameters such as
// client_secret or token are refused, as are unknown or repeated parameters,
// and error messages name parameters, never their values. Other SDK login
// methods (LDAP, OIDC, JWT, GCP IAM, OCI) are available in code through
// [Options.Login].
//
// # Names
//
// A name's last level is an Infisical secret key; the levels before it are
// folders under path, created when a Set needs them. Infisical allows in a
// folder name only ASCII letters, digits, '-' and '_' (isValidFolderName),
// and in a secret key anything but ':' and '/' (and no white space at
// either end; SecretNameSchema); the SDK also puts the key unescaped into
// the request URL. [Options.Names] (URL parameter names=native|escaped)
// chooses one of two mappings:
//
//   - Native, the default ([NamesNative]): names are Infisical's own, '/'
//     separating folders, each level as it is, case-sensitive. So
//     DB_PASSWORD is the key DB_PASSWORD at path, and
//     apps/billing/STRIPE_KEY the key STRIPE_KEY in the folder
//     /apps/billing under path, as the dashboard, the CLI and Terraform
//     make them. A name with a folder level outside ASCII letters, digits,
//     '-' and '_' (a.b/KEY, tenant:acme/KEY) or a key holding ':' is
//     refused with code driver.InvalidName, naming the rule, before any
//     request. List lists every secret under path whose folders and key
//     form a valid portable name, whoever wrote it (a key with a space,
//     which Infisical takes, is left out: no portable name holds one).
//   - Escaped ([NamesEscaped]): any portable name, reversibly. In a
//     folder, '.', ':', '@', '+', '=', '_' and '!' become '_' and two
//     upper-case hex digits ("_2E", "_3A", "_40", "_2B", "_3D", "_5F",
//     "_21"); letters, digits and '-' stay. In a key, ':' and '=' become
//     "=3A" and "=3D"; everything else stays. For example
//     "tenant:acme/db.primary/DB_PASSWORD" is the key DB_PASSWORD in the
//     folder /tenant_3Aacme/db_2Eprimary under path. The decoding accepts
//     only the canonical form the encoding produces, so distinct Infisical
//     keys never read as one portable name; List leaves out secrets whose
//     folder or key is not such an image (a folder team_x made by others
//     is not one: "_x" is no escape). Both directions are fuzzed.
//
// The two modes agree on names whose folders hold only letters, digits and
// '-' and whose keys hold no ':' or '=' (DB_PASSWORD, apps/api-key). Remove
// leaves empty folders in place: a concurrent Set may be using them.
//
// A name reads the secret stored at its own path, as it was written: the
// driver asks for neither secret imports nor reference expansion, and reads
// and writes only shared secrets (not personal overrides).
//
// # Values
//
// Infisical holds values as text and its API changes some on the way in: it
// trims white space from both ends of every written value (keeping one final
// "\n"), the JSON it speaks cannot carry bytes that are not UTF-8, the SDK's
// update omits an empty value, and a value with "${" is parsed as a secret
// reference when written. A value is therefore stored as it is when it is
// non-empty UTF-8 with no white space at either end (but a final "\n"), no
// NUL and no "${", does not start with [ValuePrefix] and is not Infisical's
// mask for hidden values; any other value — empty, binary, non-UTF-8,
// padded, CRLF-ended — is stored as ValuePrefix followed by its standard
// base64. Reads decode such values, so every value round-trips exactly
// (Harness.TextOnly and NoEmptyValues are not needed), and values such as
// passwords, tokens and PEM blocks stay readable in Infisical's UI. A value
// someone else stored that happens to start with ValuePrefix and continue
// with valid base64 reads decoded.
//
// # Requests and errors
//
// [New] logs in and checks that the project and environment exist (a wrong
// environment slug would otherwise read as "no secrets"). Get sends one list
// request for each folder holding two or more of the asked names and one
// retrieve request for each other name, whichever makes fewer round trips,
// concurrently (at most Options.Parallel at once); a list Infisical
// refuses with 403 (it does when one secret of the folder may not be read)
// falls back to retrieving the asked names, so that only a hidden name is
// refused.
// Set updates, and creates on 404 (with the folders, when missing; older
// Infisical servers answer a write into a missing folder with 400 "Folder
// not found" instead of 404, which the driver takes the same way, and
// which is no error on a Remove either); a create refused because the
// secret exists meanwhile (400 "Secret already exists") becomes an update. Remove of a
// missing secret succeeds. List makes one recursive list request.
//
// The SDK's own cache, background token refresh and retries are off: the
// portable cache does the caching; the driver logs in again — on a new SDK
// client, so that no request races a token change — shortly before the
// token's expiry and whenever Infisical answers 401; it repeats requests
// answered 429, 502, 503 or 504, or not answered at all, with exponential
// backoff and jitter (Options.MaxRetries, Options.RetryWait), and stops
// waiting when the context is done. The SDK's calls take no context: a call
// abandoned on cancellation finishes in the background.
//
// Errors are of type [*Error], an HTTP status classified by
// [driver.HTTPCode] with no exception: 401 and 403 as PermissionDenied (401
// after one new login), 404 as NotFound (a missing secret is absent from Get,
// not an error), 409 as Conflict, 413 as InvalidValue, 408, 429 and 5xx as
// Unavailable; a change held for a secret approval policy is a Conflict too. They hold
// the operation, the name and the HTTP status, never a response body: the
// SDK's error types carry the body's message (all of it for a 422), so they
// are dropped, not wrapped.
//
// # Proof
//
// No Infisical server can be installed where this driver is built (Infisical
// ships as container images only). The driver is proven through the real SDK
// against fakeinfisical, an in-process HTTP server in this module
// (internal/fakeinfisical) that speaks the endpoints the SDK calls —
// universal-auth and Kubernetes login, folder list and create, secrets list,
// retrieve, create, update and delete — with Infisical's paths, parameters,
// JSON shapes, status codes and value trimming, statefully per project,
// environment and path. The whole storetest conformance suite passes against
// it (in both name modes, at the root path and under a base path), as do
// tests of secrets made natively in folders, of folder creation on current
// (404) and older (400 "Folder not found") servers, and tests of a token expiry
// and a refused token (one new login), 429 retries and their limit, a 500
// whose body holds a canary that never reaches an error, the round trips of
// Get, its concurrency bound, the fallback on a refused list, approval
// policies, racing creates, cancellation, and opening by URL over TLS.
// TestLive runs the same suite against a real Infisical project when
// SECRETSTORE_INFISICAL_PROJECT and credential files are given (see
// live_test.go); it has not been run for this release. Which behaviour is
// proven against which server:
//
//	behaviour                                           our fake  real Infisical
//	conformance suite, native and escaped names         yes       live test, never run
//	keys in folders as the dashboard and Terraform make yes       live test, never run
//	login, token expiry, 401 then one new login         yes       live test, never run
//	folder creation on 404 (current servers)            yes       live test, never run
//	folder creation on 400 "Folder not found" (older)   yes       no
//	value trimming, approval policies, hidden values    yes       live test, never run
//	429 retries, bodies kept out of errors              yes       no
//
// The fake confirms our reading of Infisical's API and server source; it
// cannot catch a misreading.
package infisical

// Package awssm is the AWS Secrets Manager driver of secretstore, built on
// the official SDK (github.com/aws/aws-sdk-go-v2/service/secretsmanager). Its
// import path ends in /aws; its package name is awssm, after its URL scheme:
//
//	import awssm "github.com/secretstore-go/secretstore/aws"
//
//	store, err := secretstore.Open(ctx, "awssm://?region=eu-west-1")
//	// or, with a client built in code:
//	d, err := awssm.New(secretsmanager.NewFromConfig(cfg), awssm.Options{})
//	store := secretstore.New(d)
//
// The driver maps names and moves values; the portable Store adds every
// guard (permissions, name checks, scoping, caching, error classes). It
// implements [driver.Store], [driver.Lister], [driver.Versioner] (AWSCURRENT
// and AWSPREVIOUS), [driver.Swapper] (through staging labels),
// [driver.ErrorCoder] and [driver.Aser] (to *secretsmanager.Client and
// *Store). The SDK's error types (smithy.APIError,
// *types.ResourceNotFoundException, ...) stay reachable with [errors.As] on
// the portable error.
//
// Credentials and configuration come from the SDK's default chain
// (environment, shared config and credentials files, SSO, web identity,
// container and instance roles); never from code or URLs.
//
// # URLs
//
// "awssm://" takes no host or path, only these query parameters, each at
// most once:
//
//   - region: the AWS region, such as eu-west-1. Without it, the SDK's
//     (AWS_REGION, the profile's region); opening fails if there is none.
//   - profile: a profile of the shared config and credentials files.
//   - endpoint: an http or https URL to send requests to instead of AWS's
//     (a VPC endpoint, an emulator).
//   - recovery-window: days (7 to 30) a removed secret stays restorable;
//     default 7. See [Options.RecoveryWindowDays].
//   - remove: delete (default: with the recovery window) or force (at
//     once, without recovery; [Options.ForceDelete]).
//   - kms-key: the KMS key for secrets the driver creates. See
//     [Options.KMSKeyID].
//   - tags: KEY=VALUE,KEY=VALUE, tags for secrets the driver creates
//     ([Options.Tags]; AWS tag values cannot hold a comma).
//   - retries: retries of a failed request by the SDK's retryer, after the
//     first attempt (default the SDK's: 2).
//   - parallel: requests one Get sends at once (default 10,
//     [Options.Parallel]).
//   - names: native (default: a name is the AWS secret name) or escaped
//     (any portable name, reversibly mapped); see "Names" and
//     [Options.Names].
//
// Anything else, user information in the URL and repeated parameters are
// refused, and errors never repeat the URL.
//
// # Names
//
// AWS secret names are 1 to 512 ASCII letters, digits and / _ + = . @ -,
// case-sensitive, with '/' as the path separator by convention; AWS's
// services also name the secrets they manage with '!' (rds!db-<uuid>,
// events!connection/...). Portable names are 1 to 256 bytes of ASCII
// letters, digits and ! . _ - : @ + = /. The driver maps one to the other
// in one of two modes ([Options.Names], URL parameter names):
//
//	                   native (default)              escaped (names=escaped)
//	name → AWS name    itself                        ':' → "=c", '=' → "=e", '!' → "=b",
//	                                                 a '-' followed by exactly six more
//	                                                 characters → "=h", every other byte itself
//	"prod/db-master"   prod/db-master                prod/db=hmaster
//	"myapp-secret"     myapp-secret                  myapp=hsecret
//	"rds!db-1234"      rds!db-1234                   rds=bdb-1234
//	"tenant:acme:key"  refused: ErrInvalidName       tenant=cacme=ckey
//	"a=b"              a=b                           a=eb
//	List lists         every secret whose AWS name   the secrets whose AWS names are
//	                   is a valid portable name,     such a mapping
//	                   whoever wrote it
//
// Native mode reads and writes the secrets a team already has under the
// names AWS shows. A name AWS cannot hold (one with ':') is refused before
// any request with code [driver.InvalidName] (secretstore.ErrInvalidName),
// naming AWS's rule. AWS documents its alphabet without '!' for the names
// it creates on request, so names with '!' are for reading the secrets
// AWS's services manage; AWS may refuse to create one. Secrets whose AWS names are not
// portable names (with a space, say, or an empty level) are not listed and
// cannot be read.
//
// Escaped mode fits any portable name into AWS's alphabet, for services
// that use names such as "tenant:acme:stripeApiKey" on every backend. The
// mapping is prefix-free, so it is reversible and distinct names never
// collide; an AWS name is at most twice as long as its portable name (at
// most 512 bytes), and never ends in '-' and six characters. Secrets made
// by other tools are reached under their own names unless those have '=',
// '!' or end in '-' and six characters. FuzzNameMapping (in
// internal/awsname) checks the round trip, injectivity, the output
// alphabet, the length and the suffix rule.
//
// Partial ARNs. AWS appends '-' and six random characters to a secret's
// name in its ARN, and accepts a "partial ARN" (the ARN without that
// suffix, or the name with it) wherever it takes a secret ID: a name such
// as prod/db-master may be taken for the partial ARN of the secret prod/db
// whose ARN ends in -master. AWS answers every read with the secret's
// Name, so the driver resolves this exactly: a read (GetSecretValue, or an
// entry of BatchGetSecretValue) whose answered Name is not the name asked
// for is a missing secret; Set and CompareAndSwap write to the ARN their
// read answered with and create by Name (which AWS never takes for an
// ARN); Remove, and Set restoring a removed secret, first look a name that
// ends in '-' and six characters up with DescribeSecret and act on its
// ARN only if its Name is the one asked for.
//
// # Values
//
// Get returns a version's SecretString if it has one and its SecretBinary
// otherwise, the exact bytes written, so secrets written by other tools in
// either form are read byte for byte. [Store.Set] says how a value is
// written so that every value round-trips, and which values AWS cannot
// hold (the empty value and values over [MaxValueSize] bytes; the suite
// runs with NoEmptyValues).
//
// # Requests
//
//   - Get of two or more names: BatchGetSecretValue, up to 20 names per
//     call, the calls concurrently (so up to 20 names are one round trip),
//     each answer followed through its NextToken pages to the end, empty
//     pages included (at most [MaxBatchPages]; more fails, Unavailable).
//     A per-secret ResourceNotFoundException, or an InvalidRequestException
//     about deletion, means missing; any other per-secret error fails the
//     Get, classified. When the batch call itself is refused (no
//     permission for it, or not implemented by an emulator), Get uses
//     GetSecretValue concurrently from then on. One name: GetSecretValue.
//     Every GetSecretValue names its VersionStage (AWSCURRENT, or
//     AWSPREVIOUS): AWS reads AWSCURRENT without one, but moto answers a
//     stage-less read from its own default version.
//   - Set: GetSecretValue, then PutSecretValue, CreateSecret or
//     RestoreSecret, as [Store.Set] describes. AWS completes a forced
//     deletion asynchronously and refuses to create the name meanwhile
//     (InvalidRequestException, "scheduled for deletion"), as its
//     DeleteSecret documentation warns: Set and CompareAndSwap back off
//     (200ms doubling to 5s, 8 times, about 20s) and create again, and
//     stop when the context ends.
//   - Remove: DeleteSecret with the recovery window, or forced. A missing
//     secret, or one already scheduled for deletion, is not an error (AWS
//     answers a forced deletion of a missing secret as done).
//   - List: ListSecrets with a name filter, every page.
//   - GetVersions: GetSecretValue of AWSCURRENT, then of AWSPREVIOUS.
//   - CompareAndSwap: GetSecretValue, PutSecretValue labelled
//     SECRETSTORE_PENDING only, then UpdateSecretVersionStage moving
//     AWSCURRENT from the version read, which AWS refuses if it has moved
//     (see [Store.CompareAndSwap]); CreateSecret for a new name.
//
// Throttling and transient errors are retried by the SDK's retryer, with
// backoff. Errors are [*Error]s naming the operation, the secret, AWS's
// error code, the HTTP status and the request ID, never AWS's message or a
// response body; errors.As reaches the SDK's error types behind them.
//
// # Proof
//
// Which behaviour is proven against which server:
//
//	behaviour                                      moto   kumo   fake   AWS
//	conformance suite, native names                yes    yes    yes    TestLive
//	conformance suite, escaped names               yes    -      yes    -
//	batch reads (BatchGetSecretValue)              yes    -      yes    TestLive
//	recovery window, restore before write          yes    -      yes    TestLive
//	forced deletion (remove=force)                 yes    yes    yes    -
//	AWSPREVIOUS after many writes, swap            yes    -      yes    TestLive
//	AWS CLI interop both ways (text, JSON, binary,
//	  myapp-secret, prod/db-master, rds!db-...)    yes    -      -      -
//	forced deletion completing later               -      -      yes    -
//	force-deleting a missing secret succeeds       yes    -      yes    -
//	partial-ARN answers (Name checked)             -      -      yes    -
//	empty and endless batch pages                  -      -      yes    -
//	version quota (LimitExceededException)         -      -      yes    -
//	throttling, server and access errors, retries,
//	  errors without response text                 -      -      yes    -
//
// moto (moto_server 5.x, a third-party emulator written from AWS's API,
// the one oracle here that this project did not write) runs the whole
// conformance suite through the real SDK, opened by URL, with the default
// options and with remove=force, in both name modes: TestConformanceMoto,
// which reads the server's URL from MOTO_URL (.ci/services/moto.sh starts
// it in CI). TestMotoInteropAWSCLI has the AWS CLI create secrets as teams
// name them and checks the driver reads them byte for byte, and that the
// CLI reads back what the driver writes. Both skip without MOTO_URL (or
// without the aws CLI), and fail under CI=true unless moto.sh said
// moto_server is not installed. moto takes names literally, so it cannot
// show the partial-ARN ambiguity, and completes forced deletions at once.
//
// kumo (github.com/sivchari/kumo v0.33.1, in-process) runs the suite in
// native mode with remove=force: it implements neither BatchGetSecretValue
// (Get takes the GetSecretValue fallback) nor RestoreSecret, keeps
// AWSPREVIOUS on every older version (versions are checked after two writes
// only), and writes under a read lock in GetSecretValue, so the tests let
// it handle one request at a time to keep -race meaningful.
//
// The protocol fake (internal/fakeaws, an httptest server speaking AWS JSON
// 1.1 with the documented answers and error codes) runs the suite in both
// name modes with the default options and with forced deletion, its batch
// answers starting with an empty page; and it reproduces what neither
// emulator does: forced deletions that complete a few requests later,
// partial ARNs answered with another secret's Name, pages that hold only a
// token, the version quota, injected throttling, server and access errors.
// AWS documents that UpdateSecretVersionStage fails when the label has
// moved from the version named, but not with which code: CompareAndSwap
// takes InvalidParameterException, InvalidRequestException and
// ResourceNotFoundException from that step as a lost race (Conflict); moto
// and the fake prove it. Focused tests count requests (20 names are one
// round trip) and check that errors carry no response text. TestLive runs
// the suite against real AWS when SECRETSTORE_AWS_LIVE=1 and credentials
// are present; it is skipped otherwise.
package awssm

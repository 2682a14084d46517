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
//
// Anything else, user information in the URL and repeated parameters are
// refused, and errors never repeat the URL.
//
// # Names
//
// Portable names use ASCII letters, digits and . _ - : @ + = / and have at
// most 256 bytes; AWS names use letters, digits and / _ + = . @ - and have
// at most 512. The mapping, with '=' as its escape character, is:
//
//   - ':' becomes "=c" and '=' becomes "=e";
//   - a '-' that would be followed by exactly six more characters becomes
//     "=h", since AWS appends '-' and six random characters to a secret's
//     ARN and a name that already ends that way makes partial ARNs
//     ambiguous;
//   - every other byte is itself.
//
// So "tenant:acme:stripeApiKey" is the AWS secret "tenant=cacme=cstripeApiKey"
// and "db/primary/password" is itself: a secret made by other tools is read
// under its own name unless its name has '=' or ends in '-' and six
// characters. The mapping is prefix-free, so it is reversible and distinct
// names never collide; an AWS name is at most twice as long as its portable
// name (at most 512 bytes). List leaves out AWS names that are not the
// mapping of any portable name. FuzzNameMapping (in internal/awsname) checks the round trip,
// injectivity, the output alphabet, the length and the suffix rule. AWS
// secret names are case-sensitive, as portable names are.
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
//     call, the calls concurrently (so up to 20 names are one round trip).
//     A per-secret ResourceNotFoundException, or an InvalidRequestException
//     about deletion, means missing; any other per-secret error fails the
//     Get, classified. When the batch call itself is refused (no
//     permission for it, or not implemented by an emulator), Get uses
//     GetSecretValue concurrently from then on. One name: GetSecretValue.
//   - Set: GetSecretValue, then PutSecretValue, CreateSecret or
//     RestoreSecret, as [Store.Set] describes.
//   - Remove: DeleteSecret with the recovery window, or forced. A missing
//     secret, or one already scheduled for deletion, is not an error.
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
// The conformance suite (storetest) runs through the real SDK against the
// Secrets Manager emulator github.com/sivchari/kumo (v0.33.1) in-process,
// opened by URL with the SDK's default configuration chain. kumo does not
// implement BatchGetSecretValue or RestoreSecret, and keeps AWSPREVIOUS on
// every older version, so against it Get takes the GetSecretValue fallback,
// the suite removes with remove=force, and versions are checked after two
// writes only; and its GetSecretValue writes under a read lock, so the
// tests let it handle one request at a time (the driver still sends them
// concurrently) to keep -race meaningful. The suite runs a second time against an httptest server in
// the tests that speaks the AWS JSON 1.1 protocol with the documented
// responses and error codes, with the default options: batch reads
// (including per-secret errors), the recovery window, restore before
// write, AWSPREVIOUS after many writes, and compare-and-swap. AWS documents
// that UpdateSecretVersionStage fails when the label has moved from the
// version named, but not with which code: CompareAndSwap takes
// InvalidParameterException, InvalidRequestException and
// ResourceNotFoundException from that step as a lost race (Conflict), and
// only the fake and the live test prove it. Focused tests against that
// server count requests (20 names are one round trip), inject throttling,
// server and access errors, and check that errors carry no response text.
// TestLive runs the suite against real AWS when SECRETSTORE_AWS_LIVE=1 and
// credentials are present; it is skipped otherwise.
package awssm

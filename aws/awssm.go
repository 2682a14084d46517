package awssm

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/secretstore-go/secretstore/driver"
)

// MaxValueSize is the largest value AWS Secrets Manager stores, in bytes, as
// SecretString or SecretBinary. Set refuses larger values with code
// [driver.InvalidValue] before any request.
const MaxValueSize = 65536

// MaxBatch is the most secrets one BatchGetSecretValue call may name.
const MaxBatch = 20

// DefaultRecoveryWindowDays is how long a removed secret can be restored
// unless [Options.RecoveryWindowDays] says otherwise.
const DefaultRecoveryWindowDays = 7

// MaxBatchPages is the most pages the driver reads of one
// BatchGetSecretValue answer. AWS may split an answer into pages, some of
// them empty, each with a token for the next; an answer with more pages
// than this fails the Get with code [driver.Unavailable].
const MaxBatchPages = 100

// DefaultParallel is how many requests one Get sends at once unless
// [Options.Parallel] says otherwise. It matches the SDK's default number
// of idle connections kept per host.
const DefaultParallel = 10

// The staging labels AWS attaches to a secret's current and previous
// versions.
const (
	StageCurrent  = "AWSCURRENT"
	StagePrevious = "AWSPREVIOUS"
)

// Options configure a [Store]. The zero value is the recommended setting.
type Options struct {
	// RecoveryWindowDays is how many days (7 to 30) a removed secret can
	// still be restored in AWS, and is still listed there as scheduled for
	// deletion. 0 means [DefaultRecoveryWindowDays]. Ignored with
	// ForceDelete.
	RecoveryWindowDays int

	// ForceDelete makes Remove delete secrets at once, without a recovery
	// window. A secret deleted this way cannot be restored.
	ForceDelete bool

	// KMSKeyID is the KMS key (ID, ARN or alias) that encrypts secrets this
	// driver creates. Empty means the account's aws/secretsmanager key.
	// Existing secrets keep their key.
	KMSKeyID string

	// Tags are put on secrets this driver creates. New copies the map.
	Tags map[string]string

	// Parallel is the most requests one Get sends at once. 0 means
	// [DefaultParallel].
	Parallel int

	// Names is how names map to AWS secret names: [NamesNative] (the
	// zero value: a name is the AWS secret name) or [NamesEscaped] (any
	// portable name, reversibly escaped). See "Names" in the package
	// documentation.
	Names Names
}

// Store is the AWS Secrets Manager driver. Use it through
// [secretstore.New] or [secretstore.Open]; it is safe for concurrent use.
type Store struct {
	client  *secretsmanager.Client
	opts    Options
	noBatch atomic.Bool // BatchGetSecretValue was refused: use GetSecretValue
	// backoff is the wait before the attempt-th retry of a name whose
	// forced deletion is still completing (tests shorten it).
	backoff func(attempt int) time.Duration
}

// forceWaits is how many times Set and CompareAndSwap wait for a forced
// deletion of the name they create to complete (AWS deletes
// asynchronously): about 20 seconds in all with [forceBackoff].
const forceWaits = 8

// forceBackoff doubles from 200ms to at most 5s.
func forceBackoff(attempt int) time.Duration {
	return min(200*time.Millisecond<<min(attempt, 6), 5*time.Second)
}

var (
	_ driver.Store      = (*Store)(nil)
	_ driver.Lister     = (*Store)(nil)
	_ driver.ErrorCoder = (*Store)(nil)
	_ driver.Aser       = (*Store)(nil)
	_ driver.Versioner  = (*Store)(nil)
	_ driver.Swapper    = (*Store)(nil)
)

// New returns a driver that reaches Secrets Manager through client. Build
// the client as usual (secretsmanager.NewFromConfig with the SDK's default
// credential chain); its retryer handles throttling and transient errors.
func New(client *secretsmanager.Client, opts Options) (*Store, error) {
	if client == nil {
		return nil, errors.New("awssm: nil client")
	}
	if opts.RecoveryWindowDays == 0 {
		opts.RecoveryWindowDays = DefaultRecoveryWindowDays
	}
	if opts.RecoveryWindowDays < 7 || opts.RecoveryWindowDays > 30 {
		return nil, fmt.Errorf("awssm: recovery window of %d days: AWS allows 7 to 30", opts.RecoveryWindowDays)
	}
	if opts.Parallel == 0 {
		opts.Parallel = DefaultParallel
	}
	if opts.Parallel < 0 {
		return nil, fmt.Errorf("awssm: negative Parallel %d", opts.Parallel)
	}
	if !opts.Names.Valid() {
		return nil, fmt.Errorf("awssm: unknown name mode %d", opts.Names)
	}
	opts.Tags = maps.Clone(opts.Tags)
	return &Store{client: client, opts: opts, backoff: forceBackoff}, nil
}

// Get reads names. Two or more names go to BatchGetSecretValue, up to
// [MaxBatch] per call and the calls concurrently; one name, or every name
// once the batch call has been refused (not permitted, or not implemented by
// an emulator), goes to GetSecretValue, concurrently. Names that do not
// exist, or are scheduled for deletion, are absent from the result, and so
// is a name AWS answers with another secret (see "Names" in the package
// documentation). In native mode, a name AWS cannot hold fails the Get with
// code [driver.InvalidName] before any request.
func (s *Store) Get(ctx context.Context, names []string) (map[string]string, error) {
	byAWS := make(map[string]string, len(names)) // AWS name → portable name
	ids := make([]string, 0, len(names))
	for _, n := range names {
		id, err := s.awsName(n)
		if err != nil {
			return nil, err
		}
		if _, dup := byAWS[id]; !dup {
			byAWS[id] = n
			ids = append(ids, id)
		}
	}
	var out map[string]string
	var mu sync.Mutex
	put := func(id, value string) {
		mu.Lock()
		defer mu.Unlock()
		if out == nil {
			out = make(map[string]string, len(ids))
		}
		out[byAWS[id]] = value
	}
	if len(ids) > 1 && !s.noBatch.Load() {
		err := s.getBatches(ctx, ids, byAWS, put)
		if err == nil || !batchRefused(err) {
			return out, err
		}
		s.noBatch.Store(true)
		out = nil
	}
	return out, s.getEach(ctx, ids, byAWS, put)
}

func (s *Store) getBatches(ctx context.Context, ids []string, byAWS map[string]string, put func(id, value string)) error {
	batches := slices.Collect(chunks(ids, MaxBatch))
	return driver.FanOut(ctx, len(batches), s.opts.Parallel, func(ctx context.Context, i int) error {
		chunk := batches[i]
		in := &secretsmanager.BatchGetSecretValueInput{SecretIdList: chunk}
		// AWS may split a response into pages even for a list of names,
		// and a page may be empty but for the token of the next: follow
		// the tokens to the end, up to a bound.
		for range MaxBatchPages {
			res, err := s.client.BatchGetSecretValue(ctx, in)
			if err != nil {
				return wrap("BatchGetSecretValue", nil, err)
			}
			// Values are matched by the Name AWS answers with, so a name
			// AWS took for another secret's partial ARN gets nothing.
			for _, e := range res.SecretValues {
				if v, ok := secretValue(e.SecretString, e.SecretBinary); ok && e.Name != nil {
					if _, asked := byAWS[*e.Name]; asked {
						put(*e.Name, v)
					}
				}
			}
			for _, e := range res.Errors {
				if err := batchError(e, byAWS); err != nil {
					return err
				}
			}
			if res.NextToken == nil || *res.NextToken == "" {
				return nil
			}
			in.NextToken = res.NextToken
		}
		return driver.Errorf(driver.Unavailable, "awssm: BatchGetSecretValue: the answer still had a next page after %d pages", MaxBatchPages)
	})
}

// batchError returns the error a per-secret error of a batch stands for, or
// nil when it means the secret is missing.
func batchError(e types.APIErrorType, byAWS map[string]string) error {
	code, msg := aws.ToString(e.ErrorCode), aws.ToString(e.Message)
	if code == codeNotFound || (code == codeInvalidRequest && aboutDeletion(msg)) {
		return nil
	}
	id := aws.ToString(e.SecretId)
	name, ok := byAWS[id]
	if !ok {
		name = id
	}
	return &Error{Op: "BatchGetSecretValue", Name: name, Code: code}
}

func (s *Store) getEach(ctx context.Context, ids []string, byAWS map[string]string, put func(id, value string)) error {
	return driver.FanOut(ctx, len(ids), s.opts.Parallel, func(ctx context.Context, i int) error {
		v, ok, err := s.getStage(ctx, ids[i], StageCurrent)
		if err != nil {
			return wrap("GetSecretValue", []string{byAWS[ids[i]]}, err)
		}
		if ok {
			put(ids[i], v)
		}
		return nil
	})
}

// errOtherSecret stands for an answer about another secret than the one
// named: AWS took the name for the partial ARN of a secret whose name is
// the requested one without its last seven characters.
var errOtherSecret = errors.New("awssm: AWS answered with another secret than the one named")

// read reads the version of the secret with AWS name id that carries stage,
// naming the stage always (AWS reads AWSCURRENT without one, but emulators
// may not). An answer about another secret (see [errOtherSecret]) is that
// error.
func (s *Store) read(ctx context.Context, id, stage string) (*secretsmanager.GetSecretValueOutput, error) {
	res, err := s.client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: &id, VersionStage: &stage})
	if err != nil {
		return nil, err
	}
	if res.Name != nil && *res.Name != id {
		return nil, errOtherSecret
	}
	return res, nil
}

// getStage reads the value of the version of the secret with AWS name id
// that carries stage. A missing secret or version, or a secret scheduled
// for deletion, is reported as ok == false without an error.
func (s *Store) getStage(ctx context.Context, id, stage string) (string, bool, error) {
	res, err := s.read(ctx, id, stage)
	if err != nil {
		if missing(err) {
			return "", false, nil
		}
		return "", false, err
	}
	v, ok := secretValue(res.SecretString, res.SecretBinary)
	return v, ok, nil
}

// exact returns what to name the secret id by in a request that changes
// it: id itself, or, when AWS could take id for a partial ARN (see
// [ambiguous]), the ARN of the secret named id, read with DescribeSecret.
// found is false when there is no secret named id.
func (s *Store) exact(ctx context.Context, id string) (target string, found bool, err error) {
	if !ambiguous(id) {
		return id, true, nil
	}
	res, err := s.client.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: &id})
	switch {
	case isCode(err, codeNotFound):
		return "", false, nil
	case err != nil:
		return "", false, wrap("DescribeSecret", nil, err)
	case aws.ToString(res.Name) != id || res.ARN == nil:
		return "", false, nil
	}
	return *res.ARN, true, nil
}

// waitForce waits before the attempt-th retry of a create that found the
// name still being deleted by a forced deletion, or returns an error when
// ctx ends first or the attempts are spent.
func (s *Store) waitForce(ctx context.Context, op, name string, attempt int) error {
	if attempt >= forceWaits {
		return driver.Errorf(driver.Unavailable, "awssm: %s %q: the name is still being deleted (a forced deletion completes asynchronously); try again later", op, name)
	}
	t := time.NewTimer(s.backoff(attempt))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return fmt.Errorf("awssm: %s %q: waiting for a forced deletion to complete: %w", op, name, ctx.Err())
	case <-t.C:
		return nil
	}
}

// secretValue returns the bytes of a secret version: its SecretString if it
// has one, else its SecretBinary. An empty SecretString beside a
// SecretBinary (as some emulators send) does not hide the binary value.
func secretValue(str *string, bin []byte) (string, bool) {
	switch {
	case str != nil && (*str != "" || len(bin) == 0):
		return *str, true
	case bin != nil:
		return string(bin), true
	}
	return "", false
}

// Set writes value as the new AWSCURRENT version of name (the version it
// replaces becomes AWSPREVIOUS). A value that is valid UTF-8 is written as
// SecretString, any other as SecretBinary, so that Get returns the same
// bytes. The empty value and values over [MaxValueSize] bytes are refused
// with code [driver.InvalidValue] before any request: AWS stores neither
// (an empty SecretString is refused, and an empty SecretBinary would be a
// value other tools cannot tell from none).
//
// Set first reads the current value: if it is already value, Set writes
// nothing, so that the previous version stays ([driver.Versioner]: a
// repeated write does not end a rotation window). A caller that may not
// read (AccessDeniedException, DecryptionFailure) writes without this
// check. Then it puts the value, naming the secret by the ARN the read
// answered with; a secret that does not exist is created (with
// [Options.KMSKeyID] and [Options.Tags]), and put again if another writer
// created it first; a secret scheduled for deletion is restored first, and
// keeps its versions: its previous value is the one it had when it was
// removed. A name whose forced deletion AWS is still completing (it refuses
// to create it, and there is nothing to restore) is created again after a
// backoff, for about 20 seconds at most and never past ctx.
//
// AWS's quota on versions (it keeps every version made in the last 24
// hours, so more than about one write every 10 minutes to one secret
// reaches it) fails Set with LimitExceededException, classified
// [driver.InvalidValue]: retrying will not help for hours.
func (s *Store) Set(ctx context.Context, name, value string) error {
	if err := checkValue(name, value); err != nil {
		return err
	}
	id, err := s.awsName(name)
	if err != nil {
		return err
	}
	str, bin := encodeValue(&value)
	const (
		put = iota
		create
		restore
	)
	step := put
	target := id // what PutSecretValue names: the ARN, once an answer showed it
	res, err := s.read(ctx, id, StageCurrent)
	switch {
	case err == nil:
		if cur, ok := secretValue(res.SecretString, res.SecretBinary); ok && cur == value {
			return nil
		}
		if res.ARN != nil {
			target = *res.ARN
		}
	case isCode(err, codeNotFound) || errors.Is(err, errOtherSecret):
		step = create
	case pendingDeletion(err):
		step = restore
	case classify(err) == driver.PermissionDenied:
		// Write without the check.
	default:
		return wrap("GetSecretValue", []string{name}, err)
	}
	// Each step that fails because another writer changed the secret's
	// state leads to the step for the new state; more steps than that
	// means the state keeps changing. A create refused because the name
	// is still being deleted, after a restore found nothing to restore,
	// is a forced deletion completing: it waits and creates again, and
	// those creates do not count.
	gone, waits := false, 0
	for steps := 0; steps < 6; steps++ {
		switch step {
		case put:
			_, err := s.client.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: &target, SecretString: str, SecretBinary: bin})
			switch {
			case err == nil:
				return nil
			case isCode(err, codeNotFound):
				step, target = create, id
			case pendingDeletion(err):
				step, target = restore, id
			default:
				return wrap("PutSecretValue", []string{name}, err)
			}
		case create:
			_, err := s.client.CreateSecret(ctx, s.createInput(id, str, bin))
			switch {
			case err == nil:
				return nil
			case isCode(err, codeExists):
				step = put // another writer created it: put over it
			case pendingDeletion(err) && gone:
				if err := s.waitForce(ctx, "set", name, waits); err != nil {
					return err
				}
				waits++
				steps-- // waiting is not a change of state
				continue
			case pendingDeletion(err):
				step = restore
			default:
				return wrap("CreateSecret", []string{name}, err)
			}
			gone = false
		case restore:
			t, found, err := s.exact(ctx, id)
			if err == nil && found {
				_, err = s.client.RestoreSecret(ctx, &secretsmanager.RestoreSecretInput{SecretId: &t})
			}
			switch {
			case err == nil && found:
				step, target = put, t
			case err == nil || isCode(err, codeNotFound):
				// Deleted for good meanwhile, or being deleted by force.
				step, gone = create, true
			default:
				return wrap("RestoreSecret", []string{name}, err)
			}
		}
	}
	return driver.Errorf(driver.Conflict, "awssm: set %q: the secret kept changing state (created, deleted, restored) under concurrent writers", name)
}

// pendingStage is the staging label CompareAndSwap puts on a new version
// until it moves AWSCURRENT to it.
const pendingStage = "SECRETSTORE_PENDING"

// CompareAndSwap sets name to value only if its current value is still old
// (nil: only if name does not exist), for the portable Store's Rotate
// ([driver.Swapper]); otherwise it changes nothing visible and returns an
// error with code [driver.Conflict].
//
// AWS has no conditional put, so it uses staging labels, as AWS's rotation
// functions do: it reads AWSCURRENT and its version ID, puts value as a new
// version labelled SECRETSTORE_PENDING only, then moves AWSCURRENT to it
// with UpdateSecretVersionStage naming the version read as the one to take
// it from, which AWS refuses if AWSCURRENT has moved meanwhile (AWSPREVIOUS
// then follows as usual). A new name is created with CreateSecret, which
// fails if it exists. A name scheduled for deletion counts as existing here
// (Set restores it), unless AWS is still completing its forced deletion:
// then, as in Set, the create is tried again after a backoff. A version
// left by a lost swap keeps only the SECRETSTORE_PENDING label until the
// next swap moves it. The put and the move name the secret by the ARN the
// read answered with.
func (s *Store) CompareAndSwap(ctx context.Context, name string, old *string, value string) error {
	if err := checkValue(name, value); err != nil {
		return err
	}
	id, err := s.awsName(name)
	if err != nil {
		return err
	}
	str, bin := encodeValue(&value)
	res, err := s.read(ctx, id, StageCurrent)
	switch {
	case err == nil:
	case (isCode(err, codeNotFound) || errors.Is(err, errOtherSecret)) && old == nil:
		return s.createNew(ctx, name, id, str, bin)
	case missing(err):
		if old == nil {
			return driver.Errorf(driver.Conflict, "awssm: swap %q: the secret is scheduled for deletion", name)
		}
		return driver.Errorf(driver.Conflict, "awssm: swap %q: the secret does not exist", name)
	default:
		return wrap("GetSecretValue", []string{name}, err)
	}
	cur, ok := secretValue(res.SecretString, res.SecretBinary)
	switch {
	case old == nil:
		return driver.Errorf(driver.Conflict, "awssm: swap %q: the secret exists", name)
	case !ok || cur != *old:
		return driver.Errorf(driver.Conflict, "awssm: swap %q: the current value is not the one expected", name)
	case cur == value:
		return nil // already current: a new version would end the rotation window
	}
	target := id
	if res.ARN != nil {
		target = *res.ARN
	}
	put, err := s.client.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{
		SecretId: &target, SecretString: str, SecretBinary: bin, VersionStages: []string{pendingStage},
	})
	if err != nil {
		if missing(err) {
			return driver.Errorf(driver.Conflict, "awssm: swap %q: removed by another writer meanwhile", name)
		}
		return wrap("PutSecretValue", []string{name}, err)
	}
	_, err = s.client.UpdateSecretVersionStage(ctx, &secretsmanager.UpdateSecretVersionStageInput{
		SecretId: &target, VersionStage: aws.String(StageCurrent), MoveToVersionId: put.VersionId, RemoveFromVersionId: res.VersionId,
	})
	if err != nil {
		if code, _ := apiCode(err); code == "InvalidParameterException" || code == codeInvalidRequest || code == codeNotFound {
			return driver.NewError(driver.Conflict, wrap("UpdateSecretVersionStage", []string{name}, err))
		}
		return wrap("UpdateSecretVersionStage", []string{name}, err)
	}
	// Best effort: the label would move with the next swap anyway.
	_, _ = s.client.UpdateSecretVersionStage(ctx, &secretsmanager.UpdateSecretVersionStageInput{
		SecretId: &target, VersionStage: aws.String(pendingStage), RemoveFromVersionId: put.VersionId,
	})
	return nil
}

// createNew creates the secret id for CompareAndSwap with no old value. A
// create refused because the name exists or is scheduled for deletion is
// a lost race; one refused while a read says there is no such secret is a
// forced deletion completing, waited for as in Set.
func (s *Store) createNew(ctx context.Context, name, id string, str *string, bin []byte) error {
	for attempt := 0; ; attempt++ {
		_, err := s.client.CreateSecret(ctx, s.createInput(id, str, bin))
		switch {
		case err == nil:
			return nil
		case isCode(err, codeExists):
			return driver.Errorf(driver.Conflict, "awssm: swap %q: created by another writer meanwhile", name)
		case !pendingDeletion(err):
			return wrap("CreateSecret", []string{name}, err)
		}
		if _, rerr := s.read(ctx, id, StageCurrent); !isCode(rerr, codeNotFound) && !errors.Is(rerr, errOtherSecret) {
			return driver.Errorf(driver.Conflict, "awssm: swap %q: removed or created by another writer meanwhile", name)
		}
		if err := s.waitForce(ctx, "swap", name, attempt); err != nil {
			return err
		}
	}
}

// checkValue refuses the values AWS cannot store, before any request.
func checkValue(name, value string) error {
	switch {
	case value == "":
		return driver.Errorf(driver.InvalidValue, "awssm: set %q: AWS Secrets Manager cannot store an empty value", name)
	case len(value) > MaxValueSize:
		return driver.Errorf(driver.InvalidValue, "awssm: set %q: the value has %d bytes, more than the %d AWS Secrets Manager stores", name, len(value), MaxValueSize)
	}
	return nil
}

// encodeValue returns value as SecretString if it is valid UTF-8, else as
// SecretBinary.
func encodeValue(value *string) (*string, []byte) {
	if utf8.ValidString(*value) {
		return value, nil
	}
	return nil, []byte(*value)
}

// createInput is the CreateSecret request for a new secret holding one
// value, with the configured KMS key and tags.
func (s *Store) createInput(id string, str *string, bin []byte) *secretsmanager.CreateSecretInput {
	in := &secretsmanager.CreateSecretInput{Name: &id, SecretString: str, SecretBinary: bin}
	if s.opts.KMSKeyID != "" {
		in.KmsKeyId = &s.opts.KMSKeyID
	}
	for k, v := range s.opts.Tags {
		in.Tags = append(in.Tags, types.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	return in
}

// Remove schedules the deletion of name with the recovery window of
// [Options.RecoveryWindowDays], or deletes it at once with
// [Options.ForceDelete]. A secret that does not exist, or is already
// scheduled for deletion, is not an error. A name AWS could take for
// another secret's partial ARN (one ending in '-' and six characters) is
// first looked up with DescribeSecret, and deleted by its ARN, so that
// Remove never deletes another secret (so removing such a name needs the
// secretsmanager:DescribeSecret permission too).
func (s *Store) Remove(ctx context.Context, name string) error {
	id, err := s.awsName(name)
	if err != nil {
		return err
	}
	target, found, err := s.exact(ctx, id)
	if err != nil || !found {
		return err
	}
	in := &secretsmanager.DeleteSecretInput{SecretId: &target}
	if s.opts.ForceDelete {
		in.ForceDeleteWithoutRecovery = aws.Bool(true)
	} else {
		in.RecoveryWindowInDays = aws.Int64(int64(s.opts.RecoveryWindowDays))
	}
	_, err = s.client.DeleteSecret(ctx, in)
	if err != nil && !missing(err) {
		return wrap("DeleteSecret", []string{name}, err)
	}
	return nil
}

// List returns the names that start with prefix, from ListSecrets with a
// name filter, following every page. Secrets scheduled for deletion are not
// listed, nor secrets whose AWS names no portable name maps to (see "Names"
// in the package documentation): in native mode, every secret whose AWS
// name is a valid portable name is listed, whoever wrote it. Note that ListSecrets is eventually
// consistent in AWS: a secret written a moment ago may not be listed yet.
func (s *Store) List(ctx context.Context, prefix string) ([]string, error) {
	in := &secretsmanager.ListSecretsInput{MaxResults: aws.Int32(100)}
	f, ok := s.filterPrefix(prefix)
	if !ok {
		return nil, nil // no AWS name starts with prefix
	}
	if f != "" {
		in.Filters = []types.Filter{{Key: types.FilterNameStringTypeName, Values: []string{f}}}
	}
	var out []string
	for p := secretsmanager.NewListSecretsPaginator(s.client, in); p.HasMorePages(); {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, wrap("ListSecrets", []string{prefix}, err)
		}
		for _, e := range page.SecretList {
			if e.DeletedDate != nil {
				continue
			}
			if n, ok := s.portableName(aws.ToString(e.Name)); ok && strings.HasPrefix(n, prefix) {
				out = append(out, n)
			}
		}
	}
	return out, nil
}

// GetVersions returns the value of name's AWSCURRENT version and of its
// AWSPREVIOUS version ([driver.Versioner], used by the portable Store's
// Versions and Rotate). current is nil when name does not exist (or is
// scheduled for deletion); previous is nil when there is no previous
// version.
//
// AWS has no call that reads both at once. GetVersions reads the current
// version, then the previous one: a write in between yields the old current
// value twice (a value still inside the new rotation window), never a
// previous value from before the window, which the other order or
// concurrent reads could.
func (s *Store) GetVersions(ctx context.Context, name string) (current, previous *string, err error) {
	id, err := s.awsName(name)
	if err != nil {
		return nil, nil, err
	}
	cur, ok, err := s.getStage(ctx, id, StageCurrent)
	if err != nil || !ok {
		return nil, nil, wrap("GetSecretValue", []string{name}, err)
	}
	prev, ok, err := s.getStage(ctx, id, StagePrevious)
	if err != nil {
		return nil, nil, wrap("GetSecretValue", []string{name}, err)
	}
	if !ok {
		return &cur, nil, nil
	}
	return &cur, &prev, nil
}

// As sets target to the driver's client when target is a
// **secretsmanager.Client, or to the driver itself when target is a
// **Store (to reach the driver of a store opened by URL).
func (s *Store) As(target any) bool {
	switch t := target.(type) {
	case **secretsmanager.Client:
		*t = s.client
	case **Store:
		*t = s
	default:
		return false
	}
	return true
}

// Close releases the client's idle connections when its HTTP client can
// (an *http.Client can; the SDK's default client keeps them until they time
// out). The client is not used afterwards.
func (s *Store) Close() error {
	if c, ok := s.client.Options().HTTPClient.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
	return nil
}

// chunks yields ids in slices of at most n.
func chunks(ids []string, n int) func(yield func([]string) bool) {
	return func(yield func([]string) bool) {
		for len(ids) > 0 {
			k := min(n, len(ids))
			if !yield(ids[:k:k]) {
				return
			}
			ids = ids[k:]
		}
	}
}

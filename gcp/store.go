package gcp

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	secretmanager "cloud.google.com/go/secretmanager/apiv1"
	"cloud.google.com/go/secretmanager/apiv1/secretmanagerpb"
	gax "github.com/googleapis/gax-go/v2"
	"github.com/secretstore-go/secretstore"
	"github.com/secretstore-go/secretstore/driver"
	"google.golang.org/api/iterator"
	"google.golang.org/api/option"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/fieldmaskpb"
)

// MaxValueSize is the largest value Secret Manager holds: 64 KiB, its
// documented payload limit.
const MaxValueSize = 64 << 10

// Defaults of [Options].
const (
	// DefaultParallel is the default bound on the calls one Get has in
	// flight.
	DefaultParallel = 16
	// DefaultMaxRetries is the default number of retries of one call.
	DefaultMaxRetries = 4
)

// DefaultBackoff is the pause between attempts when [Options.Backoff] is
// zero: from 250 ms, doubling up to 8 s, each pause drawn at random up to
// that bound (gax's jitter).
var DefaultBackoff = gax.Backoff{Initial: 250 * time.Millisecond, Max: 8 * time.Second, Multiplier: 2}

// listPageSize is the page size asked of ListSecrets and ListSecretVersions.
const listPageSize = 1000

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Options configure a [Store]. The zero value is ready to use: Application
// Default Credentials, automatic replication, Remove deletes.
type Options struct {
	// ClientOptions are passed to secretmanager.NewClient: credentials,
	// endpoint, gRPC dial options and so on. Without any, the client finds
	// Application Default Credentials and talks to
	// secretmanager.googleapis.com:443.
	ClientOptions []option.ClientOption

	// Client, when set, is the client to use instead of making one from
	// ClientOptions (which must then be empty). Close does not close it.
	Client *secretmanager.Client

	// Replication is the replication policy of the secrets Set creates; nil
	// means automatic. Existing secrets are never changed.
	Replication *secretmanagerpb.Replication

	// Labels are set on the secrets Set creates.
	Labels map[string]string

	// Names is how names map to secret ids: NamesNative (the default), a
	// name is the secret id; NamesEscaped, any portable name maps to an id
	// with [SecretID].
	Names Names

	// DisableOnRemove makes Remove disable every enabled version of the
	// secret instead of deleting the secret, and label the secret
	// [RemovedLabel]: recoverable with EnableSecretVersion (or the
	// console), while Get reports the name missing, List leaves it out and
	// Set adds a new version (and drops the label) as usual. The
	// credentials then also need secretmanager.secrets.get and
	// secretmanager.secrets.update (roles/secretmanager.admin has both);
	// a Set whose label update fails reports the error after its version
	// was added.
	DisableOnRemove bool

	// Parallel bounds the calls one Get has in flight; 0 means
	// DefaultParallel.
	Parallel int

	// MaxRetries is how many times one call is retried when it fails with
	// UNAVAILABLE or RESOURCE_EXHAUSTED; 0 means DefaultMaxRetries and a
	// negative number turns retries off.
	MaxRetries int

	// Backoff shapes the pauses between attempts; the zero value means
	// DefaultBackoff.
	Backoff gax.Backoff
}

// Store is a [driver.Store] for Google Secret Manager, also implementing
// [driver.Lister], [driver.ErrorCoder] and [driver.Aser]. Use it through the portable [secretstore.Store]:
// secretstore.New(store, ...). It is safe for concurrent use.
type Store struct {
	client    *secretmanager.Client
	ownClient bool
	parent    string // projects/<project>
	opts      Options
	call      []gax.CallOption
	closeOnce sync.Once
	closeErr  error
}

var (
	_ driver.Store      = (*Store)(nil)
	_ driver.Lister     = (*Store)(nil)
	_ driver.ErrorCoder = (*Store)(nil)
	_ driver.Aser       = (*Store)(nil)
	_ driver.Versioner  = (*Store)(nil)
)

// New returns a Store for the secrets of a Google Cloud project (its id or
// number). Unless opts.Client is set it makes a client, which finds
// credentials now (Application Default Credentials unless
// opts.ClientOptions say otherwise) but does not call the service.
func New(ctx context.Context, project string, opts Options) (*Store, error) {
	if err := checkProject(project); err != nil {
		return nil, err
	}
	if !opts.Names.Valid() {
		return nil, fmt.Errorf("gcpsm: unknown Names %d", int(opts.Names))
	}
	if opts.Parallel < 0 {
		return nil, errors.New("gcpsm: Parallel must not be negative")
	}
	if opts.Parallel == 0 {
		opts.Parallel = DefaultParallel
	}
	opts.MaxRetries = driver.Retries(opts.MaxRetries, DefaultMaxRetries)
	if opts.Backoff == (gax.Backoff{}) {
		opts.Backoff = DefaultBackoff
	}
	s := &Store{client: opts.Client, parent: "projects/" + project, opts: opts}
	if s.client == nil {
		c, err := secretmanager.NewClient(ctx, opts.ClientOptions...)
		if err != nil {
			return nil, fmt.Errorf("gcpsm: making the Secret Manager client: %w", err)
		}
		s.client, s.ownClient = c, true
	} else if len(opts.ClientOptions) > 0 {
		return nil, errors.New("gcpsm: Options.Client and Options.ClientOptions are exclusive")
	}
	retries, bo := opts.MaxRetries, opts.Backoff
	s.call = []gax.CallOption{gax.WithRetry(func() gax.Retryer {
		return &retryer{left: retries, bo: bo}
	})}
	return s, nil
}

// checkProject accepts project ids (letters, digits, '-'), numbers and
// domain-scoped ids ("example.com:project").
func checkProject(project string) error {
	if project == "" {
		return errors.New("gcpsm: empty project")
	}
	for _, c := range []byte(project) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == ':') {
			return fmt.Errorf("gcpsm: project %q: byte %q is not allowed in a project id", project, c)
		}
	}
	return nil
}

// retryer retries UNAVAILABLE and RESOURCE_EXHAUSTED, left more times.
type retryer struct {
	left int
	bo   gax.Backoff
}

func (r *retryer) Retry(err error) (time.Duration, bool) {
	if r.left <= 0 {
		return 0, false
	}
	switch status.Code(err) {
	case codes.Unavailable, codes.ResourceExhausted:
		r.left--
		return r.bo.Pause(), true
	}
	return 0, false
}

// Project returns the resource name of the store's project,
// "projects/<project>".
func (s *Store) Project() string { return s.parent }

func (s *Store) secretName(id string) string { return s.parent + "/secrets/" + id }

// Get reads the newest enabled version of every name, with at most
// [Options.Parallel] calls in flight. A name without a secret or without
// an enabled version is absent from the result.
func (s *Store) Get(ctx context.Context, names []string) (map[string]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ids := make(map[string]string, len(names))
	for _, n := range names {
		id, err := s.idOf(n)
		if err != nil {
			return nil, err
		}
		ids[n] = id
	}
	return driver.GetEach(ctx, names, s.opts.Parallel, func(ctx context.Context, name string) (string, bool, error) {
		v, ok, _, _, err := s.current(ctx, name, ids[name])
		return v, ok, err
	})
}

// current reads the value of the newest enabled version of a secret, and
// that version's number. "latest" names the most recently created version,
// whatever its state: when that one is disabled or destroyed
// (FAILED_PRECONDITION), current lists the enabled versions (returned as
// listed, newest first) and reads the newest instead.
func (s *Store) current(ctx context.Context, name, id string) (val string, ok bool, num int64, listed []int64, err error) {
	val, num, err = s.access(ctx, name, s.secretName(id)+"/versions/latest")
	switch codeOf(err) {
	case codes.OK:
		return val, true, num, nil, nil
	case codes.NotFound:
		return "", false, 0, nil, nil
	case codes.FailedPrecondition:
	default:
		return "", false, 0, nil, err
	}
	nums, err := s.enabledVersions(ctx, name, id)
	if err != nil || len(nums) == 0 {
		return "", false, 0, nil, err
	}
	var refused error
	for _, n := range nums {
		val, num, err = s.access(ctx, name, s.secretName(id)+"/versions/"+strconv.FormatInt(n, 10))
		switch codeOf(err) {
		case codes.OK:
			return val, true, num, nums, nil
		case codes.NotFound:
			continue // deleted since it was listed
		case codes.FailedPrecondition:
			// Disabled or destroyed since it was listed, or refused for
			// another reason (a disabled encryption key): an error, unless
			// an older version can be read.
			refused = err
			continue
		}
		return "", false, 0, nil, err
	}
	return "", false, 0, nil, refused
}

// access reads one version (a full resource name) and checks its checksum.
func (s *Store) access(ctx context.Context, name, version string) (string, int64, error) {
	resp, err := s.client.AccessSecretVersion(ctx, &secretmanagerpb.AccessSecretVersionRequest{Name: version}, s.call...)
	if err != nil {
		return "", 0, callError(ctx, "AccessSecretVersion", name, err)
	}
	data := resp.GetPayload().GetData()
	if want := resp.GetPayload().DataCrc32C; want != nil && int64(crc32.Checksum(data, castagnoli)) != *want {
		clear(data)
		return "", 0, fmt.Errorf("gcpsm: AccessSecretVersion %q: %w", name, ErrCorrupt)
	}
	v := string(data)
	clear(data)
	return v, versionNumber(resp.GetName()), nil
}

// versionNumber returns the number at the end of a version's resource name,
// or 0.
func versionNumber(name string) int64 {
	n, err := strconv.ParseInt(name[strings.LastIndexByte(name, '/')+1:], 10, 64)
	if err != nil {
		return 0
	}
	return n
}

// enabledVersions returns the numbers of a secret's enabled versions, newest
// first; none when the secret does not exist.
func (s *Store) enabledVersions(ctx context.Context, name, id string) ([]int64, error) {
	it := s.client.ListSecretVersions(ctx, &secretmanagerpb.ListSecretVersionsRequest{
		Parent:   s.secretName(id),
		Filter:   "state:ENABLED",
		PageSize: listPageSize,
	}, s.call...)
	var nums []int64
	for {
		v, err := it.Next()
		if err == iterator.Done {
			break
		}
		if err != nil {
			if status.Code(err) == codes.NotFound {
				return nil, nil
			}
			return nil, callError(ctx, "ListSecretVersions", name, err)
		}
		// The filter is a request; check the state anyway.
		if n := versionNumber(v.GetName()); n > 0 && v.GetState() == secretmanagerpb.SecretVersion_ENABLED {
			nums = append(nums, n)
		}
	}
	slices.SortFunc(nums, func(a, b int64) int { return cmp.Compare(b, a) })
	return nums, nil
}

// directTries is how many older versions GetVersions reads by number
// (AccessSecretVersion, from the large access quota) before it lists the
// enabled ones (ListSecretVersions, from the small quota of other reads).
const directTries = 8

// GetVersions returns the current value of name and the value it had
// before the last Set that changed it, the shape filestore's GetVersions
// has. current is the newest enabled version (nil when name does not exist
// or has no enabled version); previous is the newest older enabled version
// whose value differs from current (nil when there is none). Setting a name
// to its current value therefore keeps the previous value reachable, and
// disabling a version (in the console, or with DisableOnRemove) takes it out
// of both. It reads the current version and then older versions by number,
// newest first, with AccessSecretVersion alone (see "Operations" in the
// package documentation for the cost); only after [directTries] older
// versions without an answer does it list the enabled ones.
func (s *Store) GetVersions(ctx context.Context, name string) (current, previous *string, err error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	id, err := s.idOf(name)
	if err != nil {
		return nil, nil, err
	}
	cur, ok, num, nums, err := s.current(ctx, name, id)
	if err != nil || !ok {
		return nil, nil, err
	}
	older := func(n int64) (prev *string, err error) {
		v, _, err := s.access(ctx, name, s.secretName(id)+"/versions/"+strconv.FormatInt(n, 10))
		switch codeOf(err) {
		case codes.OK:
			if v != cur {
				return &v, nil
			}
		case codes.NotFound, codes.FailedPrecondition:
			// Destroyed, disabled, or never there.
		default:
			return nil, err
		}
		return nil, nil
	}
	next := num - 1
	if num <= 0 {
		next = math.MaxInt64 // an unnumbered answer: list them all
	}
	if nums == nil && num > 0 {
		// Versions are numbered 1, 2, ...: read the older ones by number.
		for tries := 0; next >= 1 && tries < directTries; next, tries = next-1, tries+1 {
			if prev, err := older(next); prev != nil || err != nil {
				return &cur, prev, err
			}
		}
		if next < 1 {
			return &cur, nil, nil
		}
		if nums, err = s.enabledVersions(ctx, name, id); err != nil {
			return nil, nil, err
		}
	}
	for _, n := range nums {
		if num > 0 && n > next {
			continue
		}
		if prev, err := older(n); prev != nil || err != nil {
			return &cur, prev, err
		}
	}
	return &cur, nil, nil
}

// Set adds a version holding value to the secret of name, creating the
// secret first when it does not exist, without reading anything. Values
// larger than [MaxValueSize], and the empty value, which the service
// refuses, fail with code [driver.InvalidValue] before any call.
func (s *Store) Set(ctx context.Context, name, value string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	id, err := s.idOf(name)
	if err != nil {
		return err
	}
	switch {
	case len(value) > MaxValueSize:
		return driver.Errorf(driver.InvalidValue, "gcpsm: value of %q is %d bytes, more than the %d Secret Manager holds", name, len(value), MaxValueSize)
	case value == "":
		return driver.Errorf(driver.InvalidValue, "gcpsm: value of %q is empty, which Secret Manager refuses", name)
	}
	data := []byte(value)
	defer clear(data)
	crc := int64(crc32.Checksum(data, castagnoli))
	req := &secretmanagerpb.AddSecretVersionRequest{
		Parent:  s.secretName(id),
		Payload: &secretmanagerpb.SecretPayload{Data: data, DataCrc32C: &crc},
	}
	// The secret usually exists: add first, create only on NOT_FOUND. A
	// concurrent Remove can delete the secret between creation and the
	// add, hence the (short) loop.
	created := false
	for range 3 {
		_, err := s.client.AddSecretVersion(ctx, req, s.call...)
		if status.Code(err) != codes.NotFound {
			if err != nil || !s.opts.DisableOnRemove || created {
				return callError(ctx, "AddSecretVersion", name, err)
			}
			return s.label(ctx, name, id, false)
		}
		if err := s.create(ctx, name, id); err != nil {
			return err
		}
		created = true
	}
	return &rpcError{call: "AddSecretVersion", name: name, code: codes.Aborted,
		err: errors.New("the secret was deleted again after each creation")}
}

// create creates the secret without versions; one that exists (a concurrent
// Set created it) is fine.
func (s *Store) create(ctx context.Context, name, id string) error {
	rep := s.opts.Replication
	if rep == nil {
		rep = &secretmanagerpb.Replication{Replication: &secretmanagerpb.Replication_Automatic_{
			Automatic: &secretmanagerpb.Replication_Automatic{},
		}}
	}
	_, err := s.client.CreateSecret(ctx, &secretmanagerpb.CreateSecretRequest{
		Parent:   s.parent,
		SecretId: id,
		Secret:   &secretmanagerpb.Secret{Replication: rep, Labels: s.opts.Labels},
	}, s.call...)
	if status.Code(err) == codes.AlreadyExists {
		return nil
	}
	return callError(ctx, "CreateSecret", name, err)
}

// Remove deletes the secret of name, or with [Options.DisableOnRemove]
// disables its enabled versions, oldest first, so that a concurrent read
// never sees an older value come back, and then labels the secret
// [RemovedLabel], so that List leaves it out without reading its versions.
// A missing name is not an error.
func (s *Store) Remove(ctx context.Context, name string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	id, err := s.idOf(name)
	if err != nil {
		return err
	}
	if !s.opts.DisableOnRemove {
		err := s.client.DeleteSecret(ctx, &secretmanagerpb.DeleteSecretRequest{Name: s.secretName(id)}, s.call...)
		if status.Code(err) == codes.NotFound {
			return nil
		}
		return callError(ctx, "DeleteSecret", name, err)
	}
	nums, err := s.enabledVersions(ctx, name, id)
	if err != nil {
		return err
	}
	for _, n := range slices.Backward(nums) {
		_, err := s.client.DisableSecretVersion(ctx, &secretmanagerpb.DisableSecretVersionRequest{
			Name: s.secretName(id) + "/versions/" + strconv.FormatInt(n, 10),
		}, s.call...)
		switch status.Code(err) {
		case codes.OK, codes.NotFound, codes.FailedPrecondition:
			// Done, or deleted or destroyed meanwhile.
		default:
			return callError(ctx, "DisableSecretVersion", name, err)
		}
	}
	return s.label(ctx, name, id, true)
}

// RemovedLabel is the label (with the value "true") that Remove puts on a
// secret with [Options.DisableOnRemove] and Set takes off: List leaves
// labelled secrets out, which costs no call per secret.
const RemovedLabel = "secretstore-removed"

// label puts [RemovedLabel] on the secret of name (removed) or takes it
// off, keeping its other labels: GetSecret, then, only when the label
// changes, UpdateSecret with the secret's etag, so that a concurrent change
// of other labels is not lost (a few tries). A missing secret is fine.
func (s *Store) label(ctx context.Context, name, id string, removed bool) error {
	for range 4 {
		sec, err := s.client.GetSecret(ctx, &secretmanagerpb.GetSecretRequest{Name: s.secretName(id)}, s.call...)
		if status.Code(err) == codes.NotFound {
			return nil
		}
		if err != nil {
			return callError(ctx, "GetSecret", name, err)
		}
		if _, has := sec.GetLabels()[RemovedLabel]; has == removed {
			return nil
		}
		labels := maps.Clone(sec.GetLabels())
		if removed {
			if labels == nil {
				labels = map[string]string{}
			}
			labels[RemovedLabel] = "true"
		} else {
			delete(labels, RemovedLabel)
		}
		_, err = s.client.UpdateSecret(ctx, &secretmanagerpb.UpdateSecretRequest{
			Secret:     &secretmanagerpb.Secret{Name: sec.GetName(), Labels: labels, Etag: sec.GetEtag()},
			UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"labels"}},
		}, s.call...)
		switch status.Code(err) {
		case codes.OK, codes.NotFound:
			return nil
		case codes.Aborted, codes.FailedPrecondition:
			continue // the etag changed meanwhile: read again
		}
		return callError(ctx, "UpdateSecret", name, err)
	}
	return &rpcError{call: "UpdateSecret", name: name, code: codes.Aborted,
		err: errors.New("the secret's labels changed during each try")}
}

// List returns the names that start with prefix, from one paged
// ListSecrets call whatever the number of secrets. It asks the service to
// filter by the prefix's secret id (a "name contains" filter, so the driver
// checks every name again), and leaves out secret ids that stand for no
// name. With [Options.DisableOnRemove] it also leaves out secrets labelled
// [RemovedLabel] (removed names).
func (s *Store) List(ctx context.Context, prefix string) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	pid, ok := s.prefixOf(prefix)
	if !ok {
		return nil, nil // no name this driver can hold starts with prefix
	}
	return s.listSecrets(ctx, prefix, pid)
}

func (s *Store) listSecrets(ctx context.Context, prefix, pid string) (names []string, err error) {
	filter := ""
	if pid != "" {
		filter = `name:"` + pid + `"`
	}
	for {
		names, err = s.listPages(ctx, prefix, pid, filter)
		if filter != "" && codeOf(err) == codes.InvalidArgument {
			// A service that does not take the filter: filter here alone.
			filter = ""
			continue
		}
		return names, err
	}
}

func (s *Store) listPages(ctx context.Context, prefix, pid, filter string) (names []string, err error) {
	it := s.client.ListSecrets(ctx, &secretmanagerpb.ListSecretsRequest{
		Parent:   s.parent,
		Filter:   filter,
		PageSize: listPageSize,
	}, s.call...)
	for {
		sec, err := it.Next()
		if err == iterator.Done {
			return names, nil
		}
		if err != nil {
			return nil, callError(ctx, "ListSecrets", "", err)
		}
		// The service names the project by number, whatever the request
		// used: take the id from the end of projects/*/secrets/<id>.
		id, ok := secretIDOf(sec.GetName())
		if !ok || !strings.HasPrefix(id, pid) {
			continue
		}
		name, ok := s.nameOf(id)
		if !ok || !strings.HasPrefix(name, prefix) || secretstore.ValidateName(name) != nil {
			continue
		}
		if _, removed := sec.GetLabels()[RemovedLabel]; removed && s.opts.DisableOnRemove {
			continue
		}
		names = append(names, name)
	}
}

// secretIDOf returns the id in a secret's resource name,
// projects/<project id or number>/secrets/<id>.
func secretIDOf(full string) (string, bool) {
	rest, ok := strings.CutPrefix(full, "projects/")
	if !ok {
		return "", false
	}
	_, id, ok := strings.Cut(rest, "/secrets/")
	if !ok || id == "" || strings.Contains(id, "/") {
		return "", false
	}
	return id, true
}

// As sets target, a **secretmanager.Client, to the store's client
// ([driver.Aser]).
func (s *Store) As(target any) bool {
	if t, ok := target.(**secretmanager.Client); ok {
		*t = s.client
		return true
	}
	return false
}

// Close closes the client, unless it came from [Options.Client]. Close is
// idempotent.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		if s.ownClient {
			s.closeErr = s.client.Close()
		}
	})
	return s.closeErr
}

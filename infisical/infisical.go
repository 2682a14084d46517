package infisical

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cenkalti/backoff/v5"
	sdk "github.com/infisical/go-sdk"
	"github.com/infisical/go-sdk/packages/models"
	"golang.org/x/sync/errgroup"

	"github.com/secretstore-go/secretstore/driver"
)

// DefaultSiteURL is Infisical Cloud (US region).
const DefaultSiteURL = "https://app.infisical.com"

// DefaultConcurrency is how many requests one Get sends at once unless
// [Options.Concurrency] says otherwise.
const DefaultConcurrency = 8

// DefaultMaxRetries is how many times a throttled (429) or transiently
// failed request is repeated unless [Options.MaxRetries] says otherwise.
const DefaultMaxRetries = 4

// Options configure a [Store]. ProjectID, Environment and one way to log in
// (the two credential files, or Login) are required.
type Options struct {
	// SiteURL is the Infisical instance: DefaultSiteURL when empty,
	// "https://eu.infisical.com" for the EU region, or a self-hosted URL.
	SiteURL string
	// CACertificate is PEM certificates to trust besides the system's, for
	// a self-hosted instance with a private CA.
	CACertificate string

	// ProjectID is the Infisical project's ID.
	ProjectID string
	// Environment is the environment's slug, such as "dev" or "prod".
	Environment string
	// Path is the secret path under which portable names live: "/" (the
	// default) or folders such as "/apps/billing". Its folders must be
	// Infisical folder names (ASCII letters, digits, '-' and '_'); they are
	// created when a Set needs them.
	Path string

	// ClientIDFile and ClientSecretFile are files that hold a machine
	// identity's universal-auth client ID and client secret. They are read
	// at each login, so they may be rotated in place. Surrounding white
	// space is ignored.
	ClientIDFile, ClientSecretFile string
	// Login, instead of the credential files, logs in with any other of the
	// SDK's methods, for example
	//
	//	func(a sdk.AuthInterface) (sdk.MachineIdentityCredential, error) {
	//		return a.KubernetesAuthLogin(identityID, "")
	//	}
	//
	// It is called with a new SDK client at the start and whenever the
	// access token has expired or Infisical refused it (HTTP 401).
	Login func(sdk.AuthInterface) (sdk.MachineIdentityCredential, error)
	// OrganizationSlug scopes the login to a sub-organization the machine
	// identity may access; empty for the identity's own organization.
	OrganizationSlug string

	// Concurrency bounds the requests one Get sends at once;
	// DefaultConcurrency when 0.
	Concurrency int
	// MaxRetries is how many times a request throttled with HTTP 429, or
	// answered with 502, 503 or 504, or not answered at all, is repeated
	// with exponential backoff: DefaultMaxRetries when 0, none when
	// negative.
	MaxRetries int
	// RetryWait is the first backoff interval (it grows 2× per retry, up
	// to 30 s, with ±50% jitter): 250 ms when 0.
	RetryWait time.Duration

	now func() time.Time // the clock; time.Now when nil (tests set it)
}

// Store is the Infisical driver. Use it through
// [github.com/secretstore-go/secretstore.New], which adds every guard. It is
// safe for concurrent use.
type Store struct {
	site, project, env, base, org, ca string
	login                             func(sdk.AuthInterface) (sdk.MachineIdentityCredential, error)
	concurrency, maxRetries           int
	retryWait                         time.Duration
	now                               func() time.Time

	ctx    context.Context // the SDK clients' context, canceled by Close
	cancel context.CancelFunc
	closed atomic.Bool

	mu     sync.Mutex
	cur    *session // the logged-in client, nil before the first login
	flight *flight  // the login under way, or nil
}

// session is an SDK client logged in with one access token. The driver never
// changes a published session's client: a new login makes a new client, so
// that requests in flight never race with a token change.
type session struct {
	client  sdk.InfisicalClientInterface
	refresh time.Time // log in again from then on; zero: never
	stale   bool      // Infisical refused the token (guarded by Store.mu)
}

// flight is one login, shared by every caller that needs it.
type flight struct {
	done chan struct{}
	sess *session
	err  error
}

var (
	_ driver.Store      = (*Store)(nil)
	_ driver.Lister     = (*Store)(nil)
	_ driver.ErrorCoder = (*Store)(nil)
	_ driver.Aser       = (*Store)(nil)
)

// New logs in and returns a driver for the project, environment and path of
// opts. It fails when the credentials are refused (code
// [driver.PermissionDenied]), or when the project or environment does not
// exist ([driver.NotFound]).
func New(ctx context.Context, opts Options) (*Store, error) {
	s := &Store{
		site:        opts.SiteURL,
		project:     opts.ProjectID,
		env:         opts.Environment,
		org:         opts.OrganizationSlug,
		ca:          opts.CACertificate,
		concurrency: opts.Concurrency,
		maxRetries:  opts.MaxRetries,
		retryWait:   opts.RetryWait,
		now:         opts.now,
	}
	if s.site == "" {
		s.site = DefaultSiteURL
	}
	if !strings.HasPrefix(s.site, "https://") && !strings.HasPrefix(s.site, "http://") {
		return nil, configError("SiteURL must be an http(s) URL")
	}
	if s.project == "" || s.env == "" {
		return nil, configError("ProjectID and Environment are required")
	}
	base, ok := cleanBasePath(opts.Path)
	if !ok {
		return nil, configError("Path must be \"/\" or \"/\"-separated Infisical folder names (ASCII letters, digits, '-', '_')")
	}
	s.base = base
	switch {
	case opts.Login != nil && (opts.ClientIDFile != "" || opts.ClientSecretFile != ""):
		return nil, configError("give either Login or the credential files, not both")
	case opts.Login != nil:
		s.login = opts.Login
	case opts.ClientIDFile != "" && opts.ClientSecretFile != "":
		idFile, secretFile := opts.ClientIDFile, opts.ClientSecretFile
		s.login = func(a sdk.AuthInterface) (sdk.MachineIdentityCredential, error) {
			id, err := readCredential(idFile, "client ID")
			if err != nil {
				return sdk.MachineIdentityCredential{}, err
			}
			secret, err := readCredential(secretFile, "client secret")
			if err != nil {
				return sdk.MachineIdentityCredential{}, err
			}
			return a.UniversalAuthLogin(id, secret)
		}
	default:
		return nil, configError("a way to log in is required: ClientIDFile and ClientSecretFile, or Login")
	}
	switch {
	case s.concurrency == 0:
		s.concurrency = DefaultConcurrency
	case s.concurrency < 0:
		return nil, configError("Concurrency must not be negative")
	}
	switch {
	case s.maxRetries == 0:
		s.maxRetries = DefaultMaxRetries
	case s.maxRetries < 0:
		s.maxRetries = 0
	}
	if s.retryWait <= 0 {
		s.retryWait = 250 * time.Millisecond
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())

	// Log in, and check that the project and environment exist: the root
	// folder of an environment always does. A missing folder would
	// otherwise read as "no secrets" forever.
	// An identity that may not list folders (403) has logged in all the
	// same: that is not an error here.
	_, err := doT(s, ctx, "open", "", func(c sdk.InfisicalClientInterface) ([]models.Folder, error) {
		return c.Folders().List(sdk.ListFoldersOptions{ProjectID: s.project, Environment: s.env, Path: "/"})
	})
	switch {
	case codeOf(err) == driver.NotFound:
		err = newError(&Error{Op: "open", StatusCode: 404, Reason: "no such project or environment", Code: driver.NotFound})
	case statusOf(err) == 403:
		err = nil
	}
	if err != nil {
		s.cancel()
		return nil, err
	}
	return s, nil
}

// readCredential reads a credential file. Its errors name the file, never its
// content.
func readCredential(path, what string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", newError(&Error{Op: "login", Reason: "reading the " + what + " file: " + unquote(err.Error()), Code: driver.PermissionDenied})
	}
	v := strings.TrimSpace(string(b))
	if v == "" {
		return "", newError(&Error{Op: "login", Reason: "the " + what + " file " + path + " is empty", Code: driver.PermissionDenied})
	}
	return v, nil
}

// configError is the error of invalid Options.
func configError(msg string) error {
	return newError(&Error{Op: "configure", Reason: msg, Code: driver.Unknown})
}

// sdkConfig is the SDK client configuration: no SDK cache (the portable
// cache does that job), no background token refresh (the driver logs in
// again itself, on a new client), no SDK retries (the driver retries with
// its context), and no SDK logging.
func (s *Store) sdkConfig() sdk.Config {
	return sdk.Config{
		SiteUrl:              s.site,
		CaCertificate:        s.ca,
		AutoTokenRefresh:     sdk.BoolPtr(false),
		SilentMode:           true,
		CacheExpiryInSeconds: 0,
		LogWriter:            io.Discard,
		// An explicit strategy with no retries turns the SDK's retries
		// off (otherwise it repeats failed connections 3 times, 1 s and
		// more apart, without a context).
		RetryRequestsConfig: &sdk.RetryRequestsConfig{ExponentialBackoff: &sdk.ExponentialBackoffStrategy{MaxRetries: 0}},
	}
}

// session returns the logged-in session, logging in first when there is
// none, when its token is due for renewal, or when Infisical refused it.
func (s *Store) session(ctx context.Context) (*session, error) {
	s.mu.Lock()
	cur := s.cur
	if cur != nil && !cur.stale && (cur.refresh.IsZero() || s.now().Before(cur.refresh)) {
		s.mu.Unlock()
		return cur, nil
	}
	f := s.flight
	if f == nil {
		f = &flight{done: make(chan struct{})}
		s.flight = f
		go s.doLogin(f)
	}
	s.mu.Unlock()
	select {
	case <-f.done:
		if f.err == nil {
			return f.sess, nil
		}
		s.mu.Lock()
		keep := cur != nil && s.cur == cur && !cur.stale
		s.mu.Unlock()
		if keep {
			// A renewal ahead of expiry failed: the token may still be
			// good. Infisical will say (401) when it is not.
			return cur, nil
		}
		return nil, f.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// doLogin logs in on a new SDK client and publishes it. It runs on its own
// goroutine, so that a caller's canceled context does not waste a login
// others wait for.
func (s *Store) doLogin(f *flight) {
	defer close(f.done)
	client := sdk.NewInfisicalClient(s.ctx, s.sdkConfig())
	auth := client.Auth()
	if s.org != "" {
		auth = auth.WithOrganizationSlug(s.org)
	}
	start := s.now()
	cred, err := s.login(auth)
	if err == nil && auth.GetAccessToken() == "" {
		err = newError(&Error{Op: "login", Reason: "the login gave no access token", Code: driver.PermissionDenied})
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.flight = nil
	if err != nil {
		f.err = classify("login", "", err)
		if s.cur != nil && !s.cur.stale {
			s.cur.refresh = s.now().Add(10 * time.Second) // try again then, not on every call
		}
		return
	}
	sess := &session{client: client}
	if cred.ExpiresIn > 0 {
		ttl := time.Duration(cred.ExpiresIn) * time.Second
		sess.refresh = start.Add(ttl - min(ttl/5, time.Minute))
	}
	s.cur, f.sess = sess, sess
}

// expire marks sess as refused, so that the next call logs in again.
func (s *Store) expire(sess *session) {
	s.mu.Lock()
	sess.stale = true
	s.mu.Unlock()
}

// doT runs one SDK call with the current session and returns its result:
// on HTTP 401 it logs in again once and repeats the call; on a transient
// failure (see transient) it repeats the call with exponential backoff, up
// to the driver's MaxRetries. The SDK's calls take no context: the call runs
// on its own goroutine and doT returns when ctx is done, leaving the call to
// finish in the background.
func doT[T any](s *Store, ctx context.Context, op, name string, call func(sdk.InfisicalClientInterface) (T, error)) (T, error) {
	var zero T
	if s.closed.Load() {
		return zero, newError(&Error{Op: op, Name: name, Reason: "the driver is closed", Code: driver.Unknown})
	}
	if err := ctx.Err(); err != nil {
		return zero, err
	}
	attempt := func() (T, error) {
		relogged := false
		for {
			sess, err := s.session(ctx)
			if err != nil {
				return zero, retryable(err)
			}
			v, err := await(ctx, func() (T, error) { return call(sess.client) })
			if err == nil {
				return v, nil
			}
			err = classify(op, name, err)
			if statusOf(err) == 401 && !relogged {
				relogged = true
				s.expire(sess)
				continue
			}
			return zero, retryable(err)
		}
	}
	b := &backoff.ExponentialBackOff{
		InitialInterval:     s.retryWait,
		RandomizationFactor: 0.5,
		Multiplier:          2,
		MaxInterval:         30 * time.Second,
	}
	return backoff.Retry(ctx, attempt, backoff.WithBackOff(b),
		backoff.WithMaxTries(uint(s.maxRetries)+1), backoff.WithMaxElapsedTime(0))
}

// retryable marks err as permanent unless it is transient.
func retryable(err error) error {
	if transient(err) {
		return err
	}
	return backoff.Permanent(err)
}

// await runs f on its own goroutine and returns its result, or ctx's error
// as soon as ctx is done.
func await[T any](ctx context.Context, f func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	ch := make(chan result, 1)
	go func() {
		v, err := f()
		ch <- result{v, err}
	}()
	select {
	case r := <-ch:
		return r.v, r.err
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}

// Get reads names. The names of one folder go to one list request when
// there are two or more of them, each other name to one retrieve request:
// whichever makes fewer round trips. The requests run concurrently, at most
// Options.Concurrency at once. A list that Infisical refuses (HTTP 403,
// as it does when one secret of the folder may not be read) falls back to
// retrieving the asked names one by one, concurrently, so that one hidden
// secret denies only itself.
func (s *Store) Get(ctx context.Context, names []string) (map[string]string, error) {
	type folder struct {
		path  string
		names map[string]string // Infisical key → portable name
		keys  []string          // in order
	}
	byPath := map[string]*folder{}
	var folders []*folder
	for _, n := range names {
		path, key := locate(s.base, n)
		f := byPath[path]
		if f == nil {
			f = &folder{path: path, names: map[string]string{}}
			byPath[path] = f
			folders = append(folders, f)
		}
		if _, dup := f.names[key]; !dup {
			f.names[key] = n
			f.keys = append(f.keys, key)
		}
	}
	var mu sync.Mutex
	out := make(map[string]string, len(names))
	put := func(name, value string) {
		mu.Lock()
		out[name] = value
		mu.Unlock()
	}
	type one struct{ path, key, name string }
	var singles, fallback []one
	for _, f := range folders {
		if len(f.keys) == 1 {
			singles = append(singles, one{f.path, f.keys[0], f.names[f.keys[0]]})
		}
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(s.concurrency)
	for _, f := range folders {
		if len(f.keys) < 2 {
			continue
		}
		g.Go(func() error {
			denied, err := s.listInto(gctx, f.path, f.names, put)
			if denied {
				mu.Lock()
				for _, k := range f.keys {
					fallback = append(fallback, one{f.path, k, f.names[k]})
				}
				mu.Unlock()
			}
			return err
		})
	}
	retrieveAll := func(list []one) {
		for _, o := range list {
			g.Go(func() error { return s.retrieveInto(gctx, o.path, o.key, o.name, put) })
		}
	}
	retrieveAll(singles)
	if err := g.Wait(); err != nil {
		return nil, err
	}
	if len(fallback) > 0 {
		g, gctx = errgroup.WithContext(ctx)
		g.SetLimit(s.concurrency)
		retrieveAll(fallback)
		if err := g.Wait(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// retrieveInto reads one secret; a missing one (or a missing folder) is
// absent.
func (s *Store) retrieveInto(ctx context.Context, path, key, name string, put func(name, value string)) error {
	sec, err := doT(s, ctx, "retrieve", name, func(c sdk.InfisicalClientInterface) (models.Secret, error) {
		return c.Secrets().Retrieve(sdk.RetrieveSecretOptions{
			SecretKey: key, ProjectID: s.project, Environment: s.env, SecretPath: path, Type: "shared",
		})
	})
	switch {
	case codeOf(err) == driver.NotFound:
		return nil
	case err != nil:
		return err
	case sec.SecretValue == hiddenMask:
		return newError(&Error{Op: "retrieve", Name: name, Reason: "Infisical hides the value from this identity", Code: driver.PermissionDenied})
	}
	put(name, decodeValue(sec.SecretValue))
	return nil
}

// listInto reads the secrets of one folder and puts those named in names.
// It reports denied when Infisical refused the list with HTTP 403.
func (s *Store) listInto(ctx context.Context, path string, names map[string]string, put func(name, value string)) (denied bool, err error) {
	secrets, err := s.list(ctx, path, false, "")
	switch {
	case codeOf(err) == driver.NotFound:
		return false, nil
	case statusOf(err) == 403:
		return true, nil
	case err != nil:
		return false, err
	}
	for _, sec := range secrets {
		name, ok := names[sec.SecretKey]
		if !ok {
			continue
		}
		if sec.SecretValue == hiddenMask {
			return false, newError(&Error{Op: "list", Name: name, Reason: "Infisical hides the value from this identity", Code: driver.PermissionDenied})
		}
		put(name, decodeValue(sec.SecretValue))
	}
	return false, nil
}

// list returns the shared secrets of a folder, and with recursive those of
// its subfolders.
func (s *Store) list(ctx context.Context, path string, recursive bool, name string) ([]models.Secret, error) {
	res, err := doT(s, ctx, "list", name, func(c sdk.InfisicalClientInterface) (sdk.ListSecretsResult, error) {
		return c.Secrets().ListSecrets(sdk.ListSecretsOptions{
			ProjectID: s.project, Environment: s.env, SecretPath: path,
			Recursive: recursive, SkipUniqueValidation: true, // keep same-named keys of different folders
		})
	})
	if err != nil {
		return nil, err
	}
	out := res.Secrets[:0]
	for _, sec := range res.Secrets {
		if sec.Type == "" || sec.Type == "shared" {
			out = append(out, sec)
		}
	}
	return out, nil
}

// Set writes value to name: it updates the secret, or creates it when it
// does not exist, creating its folders when they do not exist either. A
// create that fails because another writer created the secret meanwhile
// turns into an update. The value is stored as it is when Infisical keeps it
// exactly, otherwise in base64 after ValuePrefix (see "Values" in the
// package documentation).
func (s *Store) Set(ctx context.Context, name, value string) error {
	path, key := locate(s.base, name)
	stored := encodeValue(value)
	var err error
	for range 3 {
		err = s.update(ctx, path, key, name, stored)
		if codeOf(err) != driver.NotFound {
			return err
		}
		err = s.create(ctx, path, key, name, stored)
		if codeOf(err) == driver.NotFound { // the folder is missing
			if ferr := s.createFolder(ctx, path, name); ferr != nil {
				return ferr
			}
			err = s.create(ctx, path, key, name, stored)
		}
		if err == nil || !exists(err) {
			return err
		}
		// Created by someone else since the update: update it.
	}
	return err
}

// exists reports a create refused because the secret exists: Infisical
// answers 400 ("Secret already exists"); 409 is accepted too.
func exists(err error) bool {
	st := statusOf(err)
	return st == 400 || st == 409
}

func (s *Store) update(ctx context.Context, path, key, name, stored string) error {
	sec, err := doT(s, ctx, "update", name, func(c sdk.InfisicalClientInterface) (models.Secret, error) {
		return c.Secrets().Update(sdk.UpdateSecretOptions{
			SecretKey: key, ProjectID: s.project, Environment: s.env, SecretPath: path, Type: "shared",
			NewSecretValue: stored,
		})
	})
	return applied("update", name, sec, err)
}

func (s *Store) create(ctx context.Context, path, key, name, stored string) error {
	sec, err := doT(s, ctx, "create", name, func(c sdk.InfisicalClientInterface) (models.Secret, error) {
		return c.Secrets().Create(sdk.CreateSecretOptions{
			SecretKey: key, ProjectID: s.project, Environment: s.env, SecretPath: path, Type: "shared",
			SecretValue: stored,
		})
	})
	return applied("create", name, sec, err)
}

// applied checks that a change took effect: under a secret approval policy,
// Infisical answers 200 with an approval request instead of the secret.
func applied(op, name string, sec models.Secret, err error) error {
	if err == nil && sec.ID == "" && sec.SecretKey == "" {
		return newError(&Error{Op: op, Name: name, Reason: "the change awaits approval (a secret approval policy covers this path)", Code: driver.Conflict})
	}
	return err
}

// createFolder creates the folder at path and any missing parent; Infisical
// creates the parents itself. A folder that exists (400, perhaps created by
// a concurrent Set) is not an error.
func (s *Store) createFolder(ctx context.Context, path, name string) error {
	i := strings.LastIndexByte(path, '/')
	parent, folder := path[:i], path[i+1:]
	if parent == "" {
		parent = "/"
	}
	_, err := doT(s, ctx, "create folder", name, func(c sdk.InfisicalClientInterface) (models.Folder, error) {
		return c.Folders().Create(sdk.CreateFolderOptions{ProjectID: s.project, Environment: s.env, Name: folder, Path: parent})
	})
	if exists(err) {
		return nil
	}
	return err
}

// Remove deletes name. A missing secret or folder is not an error. The
// folders that held it stay: a concurrent Set may be using them.
func (s *Store) Remove(ctx context.Context, name string) error {
	path, key := locate(s.base, name)
	sec, err := doT(s, ctx, "delete", name, func(c sdk.InfisicalClientInterface) (models.Secret, error) {
		return c.Secrets().Delete(sdk.DeleteSecretOptions{
			SecretKey: key, ProjectID: s.project, Environment: s.env, SecretPath: path, Type: "shared",
		})
	})
	if codeOf(err) == driver.NotFound {
		return nil
	}
	return applied("delete", name, sec, err)
}

// List returns the names that start with prefix, from one recursive list of
// the deepest folder that holds them all. Secrets whose folder or key is not
// the image of a portable name (made by other means) are left out.
func (s *Store) List(ctx context.Context, prefix string) ([]string, error) {
	secrets, err := s.list(ctx, folderOf(s.base, prefix), true, prefix)
	if codeOf(err) == driver.NotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, sec := range secrets {
		path := sec.SecretPath
		if path == "" {
			continue
		}
		if name, ok := unlocate(s.base, path, sec.SecretKey); ok && strings.HasPrefix(name, prefix) {
			out = append(out, name)
		}
	}
	return out, nil
}

// Close stops the driver: calls after it fail with code [driver.Unknown]
// ([driver.Closed] is the portable Store's, which refuses calls after its
// own Close before they reach the driver).
// Calls still running finish in the background. The SDK does not expose its
// HTTP client, so idle connections close on their idle timeout.
func (s *Store) Close() error {
	if s.closed.CompareAndSwap(false, true) {
		s.cancel()
	}
	return nil
}

// ErrorCode classifies the driver's errors (HTTP 401 and 403 as
// PermissionDenied, 404 as NotFound, 429 and 5xx as Unavailable, ...). Every
// error the driver returns carries its class already; ErrorCode reads it.
func (s *Store) ErrorCode(err error) driver.Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return driver.CodeOf(err)
}

// As sets target to the driver's SDK client when target is a
// *sdk.InfisicalClientInterface (sdk is github.com/infisical/go-sdk). The
// client is the one logged in at the time of the call: the driver replaces
// it when it logs in again, so do not keep it. Calls made with it bypass
// every portable guard.
func (s *Store) As(target any) bool {
	p, ok := target.(*sdk.InfisicalClientInterface)
	if !ok {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cur == nil {
		return false
	}
	*p = s.cur.client
	return true
}

// String describes the driver without credentials.
func (s *Store) String() string {
	return fmt.Sprintf("infisical(%s, project %s, env %s, path %s)", s.site, s.project, s.env, s.base)
}

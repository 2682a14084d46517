package infisical

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	sdk "github.com/infisical/go-sdk"
	"github.com/infisical/go-sdk/packages/models"

	"github.com/secretstore-go/secretstore/driver"
)

// DefaultSiteURL is Infisical Cloud (US region).
const DefaultSiteURL = "https://app.infisical.com"

// DefaultParallel is how many requests one Get sends at once unless
// [Options.Parallel] says otherwise.
const DefaultParallel = 8

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
	// CAFile is a file of such PEM certificates, read once by New; at most
	// one of CACertificate and CAFile may be set.
	CAFile string

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

	// Names is how names map to Infisical folders and keys: NamesNative
	// (the default) as Infisical shows them, NamesEscaped any portable
	// name (see "Names" in the package documentation).
	Names Names

	// Parallel bounds the requests one Get sends at once; DefaultParallel
	// when 0.
	Parallel int
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
	parallel, maxRetries              int
	names                             Names
	retryWait                         time.Duration
	now                               func() time.Time

	ctx    context.Context // the SDK clients' context, canceled by Close
	cancel context.CancelFunc
	closed atomic.Bool

	mu     sync.Mutex
	cur    *session // the logged-in client, nil before the first login
	flight *flight  // the login under way, or nil
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
		site:       opts.SiteURL,
		project:    opts.ProjectID,
		env:        opts.Environment,
		org:        opts.OrganizationSlug,
		ca:         opts.CACertificate,
		parallel:   opts.Parallel,
		maxRetries: opts.MaxRetries,
		retryWait:  opts.RetryWait,
		now:        opts.now,
		names:      opts.Names,
	}
	if !s.names.Valid() {
		return nil, configError("unknown Names")
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
	if opts.CAFile != "" {
		if s.ca != "" {
			return nil, configError("give either CACertificate or CAFile, not both")
		}
		pem, err := os.ReadFile(opts.CAFile)
		if err != nil {
			return nil, configError("reading CAFile: " + unquote(err.Error()))
		}
		s.ca = string(pem)
	}
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
	case s.parallel == 0:
		s.parallel = DefaultParallel
	case s.parallel < 0:
		return nil, configError("Parallel must not be negative")
	}
	s.maxRetries = driver.Retries(s.maxRetries, DefaultMaxRetries)
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

// configError is the error of invalid Options.
func configError(msg string) error {
	return newError(&Error{Op: "configure", Reason: msg, Code: driver.Unknown})
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

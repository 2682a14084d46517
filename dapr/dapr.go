package dapr

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/secretstore-go/secretstore/driver"
)

// Environment variables read when [Options] leave a setting empty. They are
// the names Dapr's own SDKs read.
const (
	// EnvHTTPEndpoint is the sidecar's HTTP endpoint, such as
	// "http://127.0.0.1:3500".
	EnvHTTPEndpoint = "DAPR_HTTP_ENDPOINT"
	// EnvHTTPPort is the sidecar's HTTP port on 127.0.0.1, used when
	// EnvHTTPEndpoint is not set.
	EnvHTTPPort = "DAPR_HTTP_PORT"
	// EnvAPIToken is the sidecar's API token.
	EnvAPIToken = "DAPR_API_TOKEN"
)

// Defaults of [Options].
const (
	// DefaultEndpoint is the sidecar's address when neither
	// [Options.Endpoint] nor the environment gives one.
	DefaultEndpoint = "http://127.0.0.1:3500"
	// DefaultParallel is the default number of requests one Get has in
	// flight.
	DefaultParallel = 8
	// MaxParallel is the largest [Options.Parallel].
	MaxParallel = 64
	// DefaultTimeout is the default time one request may take.
	DefaultTimeout = 30 * time.Second
)

// tokenHeader is the header Dapr reads the API token from.
const tokenHeader = "dapr-api-token"

// Response size limits: a secret's map, and a whole store for a bulk read.
const (
	maxSecretBody = 16 << 20
	maxBulkBody   = 64 << 20
	maxErrorBody  = 64 << 10
)

// Options configure a [Store]. Only Store is required.
type Options struct {
	// Endpoint is the base URL of the sidecar's HTTP API, such as
	// "http://127.0.0.1:3500" (http or https, no query). Empty means
	// $DAPR_HTTP_ENDPOINT, else http://127.0.0.1:$DAPR_HTTP_PORT, else
	// [DefaultEndpoint].
	Endpoint string

	// Store is the name of the Dapr secret store component to read.
	Store string

	// Token is the Dapr API token, sent in the dapr-api-token header. At
	// most one of Token and TokenFile may be set; when neither is,
	// $DAPR_API_TOKEN is used if set.
	Token string
	// TokenFile is a file holding the API token (surrounding white space is
	// ignored). It is read once, by New.
	TokenFile string

	// Namespace is sent as the request metadata "namespace" (the Kubernetes
	// secret store reads it).
	Namespace string
	// VersionID is sent as the request metadata "version_id" (Azure Key
	// Vault, AWS Secrets Manager, GCP Secret Manager, HashiCorp Vault).
	VersionID string
	// Metadata holds further request metadata, sent as metadata.NAME=VALUE
	// query parameters. It must not repeat Namespace or VersionID.
	Metadata map[string]string

	// Key, when set, is the key read from every secret for a name without a
	// key separator, instead of the secret's own name. See "Names" in the
	// package documentation.
	Key string
	// KeySeparator, when set, splits a name at its last occurrence into a
	// secret and a key. See "Names" in the package documentation.
	KeySeparator string

	// Parallel is how many requests one Get may have in flight: 1 to
	// [MaxParallel]; 0 means [DefaultParallel].
	Parallel int
	// Bulk makes a Get that needs two or more secrets read the whole store
	// in one bulk request instead. Secrets the sidecar's scoping denies are
	// then missing rather than refused. It cannot be combined with
	// VersionID.
	Bulk bool
	// Timeout bounds each request; 0 means [DefaultTimeout]. A request that
	// runs out of it fails with [driver.Unavailable].
	Timeout time.Duration

	// HTTPClient, when set, is the client used (copied, with redirects
	// refused: they could carry the token elsewhere). The default client
	// ignores HTTP proxy settings, since the sidecar is local.
	HTTPClient *http.Client
}

// config is a checked Options.
type config struct {
	base        string // endpoint without a trailing '/'
	store       string
	storePath   string // base + "/v1.0/secrets/" + escaped store + "/"
	query       string // encoded metadata, with its '?', or ""
	token       string
	key, keySep string
	parallel    int
	bulk        bool
	timeout     time.Duration
}

// Store is the Dapr driver. It reads secrets through the sidecar's HTTP API;
// Set and Remove are refused, since that API is read-only. It is safe for
// concurrent use.
type Store struct {
	cfg       config
	client    *http.Client
	transport *http.Transport // ours to close, or nil
	closeOnce sync.Once
}

var _ driver.Store = (*Store)(nil)

// New returns a driver for the secret store opts.Store of the sidecar at
// opts.Endpoint. It makes no request. Errors have code [driver.Unknown] and
// never contain the token.
func New(opts Options) (*Store, error) {
	cfg, err := opts.check()
	if err != nil {
		return nil, driver.NewError(driver.Unknown, err)
	}
	s := &Store{cfg: cfg}
	if opts.HTTPClient != nil {
		c := *opts.HTTPClient
		s.client = &c
	} else {
		s.transport = &http.Transport{
			DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			ForceAttemptHTTP2:     true,
			MaxIdleConns:          cfg.parallel,
			MaxIdleConnsPerHost:   cfg.parallel,
			IdleConnTimeout:       90 * time.Second,
			TLSHandshakeTimeout:   10 * time.Second,
			ExpectContinueTimeout: time.Second,
		}
		s.client = &http.Client{Transport: s.transport}
	}
	s.client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return s, nil
}

func (o Options) check() (config, error) {
	c := config{store: o.Store, key: o.Key, keySep: o.KeySeparator, bulk: o.Bulk}
	if o.Store == "" {
		return c, errors.New("dapr: no secret store name")
	}
	ep, err := endpoint(o.Endpoint)
	if err != nil {
		return c, err
	}
	c.base = ep
	c.storePath = ep + "/v1.0/secrets/" + escapeSegment(o.Store) + "/"

	switch {
	case o.Token != "" && o.TokenFile != "":
		return c, errors.New("dapr: both Token and TokenFile are set; give one")
	case o.TokenFile != "":
		b, err := os.ReadFile(o.TokenFile)
		if err != nil {
			return c, fmt.Errorf("dapr: API token file: %w", err)
		}
		c.token = strings.TrimSpace(string(b))
		if c.token == "" {
			return c, fmt.Errorf("dapr: API token file %s is empty", o.TokenFile)
		}
	case o.Token != "":
		c.token = o.Token
	default:
		c.token = os.Getenv(EnvAPIToken)
	}
	for i := 0; i < len(c.token); i++ {
		// A header value cannot hold these; say so without echoing it.
		if b := c.token[i]; b < ' ' || b == 0x7f {
			return c, errors.New("dapr: the API token contains a control character")
		}
	}

	md := url.Values{}
	for k, v := range o.Metadata {
		if k == "" {
			return c, errors.New("dapr: metadata with an empty name")
		}
		md.Set("metadata."+k, v)
	}
	for _, m := range []struct{ name, value string }{{"namespace", o.Namespace}, {"version_id", o.VersionID}} {
		if m.value == "" {
			continue
		}
		if _, dup := o.Metadata[m.name]; dup {
			return c, fmt.Errorf("dapr: metadata %q is given twice", m.name)
		}
		md.Set("metadata."+m.name, m.value)
	}
	if len(md) > 0 {
		c.query = "?" + md.Encode()
	}
	if o.Bulk && md.Has("metadata.version_id") {
		return c, errors.New("dapr: Bulk cannot be combined with version_id: a bulk read returns current versions")
	}

	switch {
	case o.Parallel == 0:
		c.parallel = DefaultParallel
	case o.Parallel < 1 || o.Parallel > MaxParallel:
		return c, fmt.Errorf("dapr: Parallel %d is out of range 1..%d", o.Parallel, MaxParallel)
	default:
		c.parallel = o.Parallel
	}
	switch {
	case o.Timeout == 0:
		c.timeout = DefaultTimeout
	case o.Timeout < 0:
		return c, errors.New("dapr: negative Timeout")
	default:
		c.timeout = o.Timeout
	}
	return c, nil
}

// endpoint checks an endpoint URL, falling back on the environment, and
// returns it without a trailing '/'.
func endpoint(ep string) (string, error) {
	if ep == "" {
		ep = os.Getenv(EnvHTTPEndpoint)
	}
	if ep == "" {
		if p := os.Getenv(EnvHTTPPort); p != "" {
			if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
				return "", fmt.Errorf("dapr: %s=%q is not a port", EnvHTTPPort, p)
			}
			ep = "http://127.0.0.1:" + p
		} else {
			ep = DefaultEndpoint
		}
	}
	u, err := url.Parse(ep)
	if err != nil {
		return "", errors.New("dapr: the endpoint is not a URL")
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return "", fmt.Errorf("dapr: endpoint scheme %q; want http or https", u.Scheme)
	case u.User != nil:
		return "", errors.New("dapr: the endpoint must not hold a user or password")
	case u.Host == "" || u.Opaque != "":
		return "", errors.New("dapr: the endpoint has no host")
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return "", errors.New("dapr: the endpoint must not have a query or fragment")
	}
	return strings.TrimRight(u.Scheme+"://"+u.Host+u.EscapedPath(), "/"), nil
}

// Get reads names through the sidecar: one request per distinct Dapr secret,
// at most Parallel at a time, or one bulk request (Options.Bulk). Names
// that do not exist are absent from the result.
func (s *Store) Get(ctx context.Context, names []string) (map[string]string, error) {
	// Group the names by Dapr secret, so a secret read for several keys is
	// read once.
	var (
		secrets []string              // distinct secrets, in order of first use
		wants   = map[string][]want{} // secret → the names read from it
	)
	for _, n := range names {
		loc, err := s.cfg.locate(n)
		if err != nil {
			return nil, err
		}
		if _, seen := wants[loc.secret]; !seen {
			secrets = append(secrets, loc.secret)
		}
		wants[loc.secret] = append(wants[loc.secret], want{name: n, key: loc.key, whole: loc.whole})
	}
	if len(secrets) == 0 {
		return nil, ctx.Err()
	}

	var data []map[string]string // per secret; nil when it does not exist
	if s.cfg.bulk && len(secrets) > 1 {
		all, err := s.getBulk(ctx)
		if err != nil {
			return nil, err
		}
		data = make([]map[string]string, len(secrets))
		for i, sec := range secrets {
			data[i] = all[sec]
		}
	} else {
		var err error
		if data, err = s.getEach(ctx, secrets); err != nil {
			return nil, err
		}
	}

	var out map[string]string
	for i, sec := range secrets {
		if data[i] == nil {
			continue
		}
		for _, w := range wants[sec] {
			v, ok := data[i][w.key]
			if !ok && w.whole && len(data[i]) > 0 {
				// A secret of several keys, none of them the name's:
				// the whole map, as a JSON object, whose keys the
				// portable layer's "name#key" reads.
				v, ok = asObject(data[i]), true
			}
			if ok {
				if out == nil {
					out = make(map[string]string, len(names))
				}
				out[w.name] = v
			}
		}
	}
	return out, nil
}

// want is a name asked for and the key it reads; whole when the name reads
// the secret's map as a JSON object if the map lacks the key.
type want struct {
	name, key string
	whole     bool
}

// asObject renders a secret's map as a JSON object, as encoding/json writes
// it: keys sorted, compact.
func asObject(m map[string]string) string {
	b, _ := json.Marshal(m) // a map of strings always encodes
	return string(b)
}

// getEach reads each secret with its own request, at most Parallel at a
// time. On the first failure it cancels the others and returns that failure.
func (s *Store) getEach(ctx context.Context, secrets []string) ([]map[string]string, error) {
	data := make([]map[string]string, len(secrets))
	err := driver.FanOut(ctx, len(secrets), s.cfg.parallel, func(ctx context.Context, i int) error {
		var err error
		data[i], err = s.getSecret(ctx, secrets[i])
		return err
	})
	if err != nil {
		return nil, err
	}
	return data, nil
}

// getSecret reads one secret's map, or nil if it does not exist.
func (s *Store) getSecret(ctx context.Context, secret string) (map[string]string, error) {
	u := s.cfg.storePath + escapeSegment(secret) + s.cfg.query
	var m map[string]string
	found, err := s.do(ctx, u, maxSecretBody, secret, &m)
	if err != nil || !found {
		return nil, err
	}
	if m == nil {
		m = map[string]string{}
	}
	return m, nil
}

// getBulk reads every secret of the store the sidecar lets this app read.
func (s *Store) getBulk(ctx context.Context) (map[string]map[string]string, error) {
	var all map[string]map[string]string
	if _, err := s.do(ctx, s.cfg.storePath+bulkSegment+s.cfg.query, maxBulkBody, "", &all); err != nil {
		return nil, err
	}
	return all, nil
}

// do sends one GET and decodes a successful JSON answer into out. It reports
// found == false for a secret the store does not hold. secret is "" for a
// bulk read.
func (s *Store) do(ctx context.Context, u string, limit int64, secret string, out any) (found bool, err error) {
	rctx, cancel := context.WithTimeoutCause(ctx, s.cfg.timeout, errTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodGet, u, nil)
	if err != nil {
		return false, s.errorf(driver.Unknown, secret, "cannot build the request: %v", err)
	}
	req.Header.Set("Accept", "application/json")
	if s.cfg.token != "" {
		req.Header.Set(tokenHeader, s.cfg.token)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return false, s.transportError(ctx, rctx, secret, err)
	}
	defer resp.Body.Close()

	switch resp.StatusCode {
	case http.StatusOK:
		body, err := readLimited(resp.Body, limit)
		if err != nil {
			if errors.Is(err, errTooLarge) {
				return false, s.errorf(driver.Unknown, secret, "the answer is larger than %d bytes", limit)
			}
			return false, s.transportError(ctx, rctx, secret, err)
		}
		if err := json.Unmarshal(body, out); err != nil {
			// Not the body: say only what was wrong with its shape.
			return false, s.errorf(driver.Unknown, secret, "the answer is not the JSON map Dapr's secrets API returns")
		}
		return true, nil
	case http.StatusNoContent:
		// Dapr answers 204 when the store returned no data at all.
		return secret == "", nil
	}
	body, err := readLimited(resp.Body, maxErrorBody)
	if err != nil && !errors.Is(err, errTooLarge) {
		return false, s.transportError(ctx, rctx, secret, err)
	}
	var e apiError
	_ = json.Unmarshal(body, &e) // a body that is not Dapr's error JSON leaves e empty
	if secret != "" && e.missing(s.cfg.store, secret, resp.StatusCode) {
		return false, nil
	}
	return false, s.statusError(secret, resp.StatusCode, e.ErrorCode)
}

// errTimeout is the cause of a request that ran out of Options.Timeout.
var errTimeout = errors.New("dapr: request timeout")

// errTooLarge is what readLimited returns for a body over its limit.
var errTooLarge = errors.New("body too large")

func readLimited(r io.Reader, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, errTooLarge
	}
	return b, nil
}

// transportError classifies a failure to exchange a request: a
// cancellation or deadline of ctx (the caller's, or a sibling request's
// failure) as itself, anything else (the sidecar cannot be reached, or did
// not answer in time) as Unavailable.
func (s *Store) transportError(ctx, rctx context.Context, secret string, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if context.Cause(rctx) == errTimeout {
		return s.errorf(driver.Unavailable, secret, "the sidecar did not answer within %v", s.cfg.timeout)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // the URL is in our message already, in its own words
	}
	return s.errorf(driver.Unavailable, secret, "cannot reach the sidecar at %s: %v", s.cfg.base, err)
}

// Set is not supported: Dapr's secrets API is read-only.
func (s *Store) Set(context.Context, string, string) error {
	return errReadOnly
}

// Remove is not supported: Dapr's secrets API is read-only.
func (s *Store) Remove(context.Context, string) error {
	return errReadOnly
}

var errReadOnly = driver.Errorf(driver.NotSupported,
	"dapr: Dapr's secrets API is read-only: change secrets in the store behind the sidecar")

// Close releases idle connections of the driver's own HTTP client. A client
// given in Options is left as it is.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		if s.transport != nil {
			s.transport.CloseIdleConnections()
		}
	})
	return nil
}

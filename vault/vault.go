package vault

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/hashicorp/vault/api"
	"github.com/secretstore-go/secretstore"
	"github.com/secretstore-go/secretstore/driver"
	"golang.org/x/sync/errgroup"
)

// Defaults of [Options].
const (
	DefaultField       = "value"
	DefaultMaxParallel = 16
	DefaultMaxRetries  = 2
	DefaultMinWait     = 100 * time.Millisecond
	DefaultMaxWait     = time.Second
	DefaultTimeout     = 30 * time.Second
)

// Options configures a [Store]. Only Mount is required.
type Options struct {
	// Address is the server's address, such as "https://vault.example:8200".
	// Empty means VAULT_ADDR, or the api client's default
	// (https://127.0.0.1:8200).
	Address string
	// Mount is the path of the KV secrets engine, such as "secret" or
	// "kv/team-a".
	Mount string
	// KV is the engine's version, 1 or 2 (0 means 2).
	KV int
	// Field is the field of a secret's data that holds the value (default
	// "value", the reference implementation's layout).
	Field string
	// Namespace is the Vault Enterprise namespace (empty: VAULT_NAMESPACE,
	// or none).
	Namespace string
	// Auth is how to log in. Nil means a token from VAULT_TOKEN, or else
	// from ~/.vault-token.
	Auth Auth
	// TLS configures the connection to an https address.
	TLS TLSOptions
	// Destroy makes Remove on a KV v2 mount delete the secret's metadata
	// and every version, as the reference did. By default Remove deletes
	// only the latest version, which stays recoverable (vault kv undelete)
	// while Get reports the name missing.
	Destroy bool
	// MaxParallel bounds the requests one Get of many names has in flight
	// (default 16).
	MaxParallel int
	// MaxRetries is how many times a request is retried after a connection
	// error, 412, 429 or 5xx (default 2; negative: never).
	MaxRetries int
	// MinWait and MaxWait bound the wait before a retry, exponential with
	// jitter (defaults 100 ms and 1 s). No wait runs past the context's
	// deadline.
	MinWait, MaxWait time.Duration
	// Timeout bounds one request, retries included (default 30 s).
	Timeout time.Duration
	// Logger receives login, renewal and re-login events (default
	// slog.Default()). They never hold a token.
	Logger *slog.Logger
}

// TLSOptions configures TLS. Empty fields keep the api client's defaults,
// which honour VAULT_CACERT, VAULT_CAPATH, VAULT_CLIENT_CERT,
// VAULT_CLIENT_KEY and VAULT_TLS_SERVER_NAME.
type TLSOptions struct {
	CAFile     string // PEM file of the CA certificates to trust
	CADir      string // directory of PEM CA certificates to trust
	ClientCert string // PEM client certificate, for TLS client authentication
	ClientKey  string // its PEM private key
	ServerName string // the name to verify the server's certificate against (SNI)
}

// Store is the Vault and OpenBao driver for a KV v2 mount. It implements
// [driver.Store], [driver.Lister], [driver.Versioner], [driver.Swapper] and
// [driver.Aser]; use it through the portable secretstore.Store.
type Store struct {
	client   *api.Client // requests, with the session's token
	login    *api.Client // login requests: no token
	http     *http.Client
	mount    string
	kv       int
	field    string
	encField string
	destroy  bool
	parallel int
	timeout  time.Duration
	session  *session
	closed   atomic.Bool

	mountMu   sync.Mutex
	mountDone atomic.Bool // the mount was checked (mountErr is its verdict)
	mountErr  error
}

// New returns a driver for the KV mount o.Mount. It does not contact the
// server: the first operation logs in.
//
// For a KV v2 mount the driver is a [*Store]. A KV v1 mount keeps no
// versions and cannot write conditionally, so its driver implements
// [driver.Store], [driver.Lister] and [driver.Aser] only, and the portable
// layer reports versions as not supported and rotates without
// compare-and-swap.
func New(o Options) (driver.Store, error) {
	s, err := newStore(o)
	if err != nil {
		return nil, err
	}
	if s.kv == 1 {
		return kv1{s}, nil
	}
	return s, nil
}

// kv1 is the driver of a KV v1 mount: the Store without the capabilities
// KV v1 lacks, so that the portable layer's type assertions do not find
// them.
type kv1 struct{ s *Store }

// Get is [Store.Get].
func (k kv1) Get(ctx context.Context, names []string) (map[string]string, error) {
	return k.s.Get(ctx, names)
}

// Set is [Store.Set].
func (k kv1) Set(ctx context.Context, name, value string) error { return k.s.Set(ctx, name, value) }

// Remove is [Store.Remove].
func (k kv1) Remove(ctx context.Context, name string) error { return k.s.Remove(ctx, name) }

// List is [Store.List].
func (k kv1) List(ctx context.Context, prefix string) ([]string, error) {
	return k.s.List(ctx, prefix)
}

// As is [Store.As].
func (k kv1) As(target any) bool { return k.s.As(target) }

// Close is [Store.Close].
func (k kv1) Close() error { return k.s.Close() }

func newStore(o Options) (*Store, error) {
	mount := strings.Trim(o.Mount, "/")
	if err := checkMount(mount); err != nil {
		return nil, err
	}
	switch o.KV {
	case 0:
		o.KV = 2
	case 1, 2:
	default:
		return nil, errors.New("vault: KV version must be 1 or 2")
	}
	if o.Field == "" {
		o.Field = DefaultField
	}
	if o.MaxParallel <= 0 {
		o.MaxParallel = DefaultMaxParallel
	}
	switch {
	case o.MaxRetries == 0:
		o.MaxRetries = DefaultMaxRetries
	case o.MaxRetries < 0:
		o.MaxRetries = 0
	}
	if o.MinWait <= 0 {
		o.MinWait = DefaultMinWait
	}
	if o.MaxWait <= 0 {
		o.MaxWait = max(DefaultMaxWait, o.MinWait)
	}
	if o.MaxWait < o.MinWait {
		return nil, errors.New("vault: MaxWait is shorter than MinWait")
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Auth == nil {
		if t := strings.TrimSpace(os.Getenv("VAULT_TOKEN")); t != "" {
			o.Auth = Token(t)
		} else {
			o.Auth = TokenFile("")
		}
	}

	cfg := api.DefaultConfig()
	if cfg.Error != nil {
		return nil, errors.New("vault: the client's environment settings are invalid")
	}
	if o.Address != "" {
		cfg.Address = o.Address
	}
	r := retry{min: o.MinWait, cap: o.MaxWait}
	cfg.MaxRetries = o.MaxRetries
	cfg.MinRetryWait = o.MinWait
	cfg.MaxRetryWait = o.MaxWait
	cfg.CheckRetry = r.check
	cfg.Backoff = r.backoff
	cfg.Timeout = o.Timeout
	if t, ok := cfg.HttpClient.Transport.(*http.Transport); ok {
		// One Get keeps up to MaxParallel connections busy: keep them
		// for the next one.
		t.MaxIdleConnsPerHost = max(t.MaxIdleConnsPerHost, o.MaxParallel)
	}
	if o.TLS != (TLSOptions{}) {
		err := cfg.ConfigureTLS(&api.TLSConfig{
			CACert: o.TLS.CAFile, CAPath: o.TLS.CADir,
			ClientCert: o.TLS.ClientCert, ClientKey: o.TLS.ClientKey,
			TLSServerName: o.TLS.ServerName,
		})
		if err != nil {
			return nil, errors.New("vault: TLS settings: cannot load the CA or client certificate files")
		}
	}
	client, err := api.NewClient(cfg)
	if err != nil {
		return nil, errors.New("vault: invalid client settings (address?)")
	}
	client.ClearToken() // NewClient takes VAULT_TOKEN; the session decides
	if o.Namespace != "" {
		client.SetNamespace(o.Namespace)
	}
	login, err := client.CloneWithHeaders()
	if err != nil {
		return nil, errors.New("vault: invalid client settings")
	}
	login.ClearToken()
	s := &Store{
		client:   client,
		login:    login,
		http:     cfg.HttpClient,
		mount:    mount,
		kv:       o.KV,
		field:    o.Field,
		encField: o.Field + "_encoding",
		destroy:  o.Destroy,
		parallel: o.MaxParallel,
		timeout:  o.Timeout,
	}
	s.session = &session{s: s, method: o.Auth, logger: o.Logger}
	return s, nil
}

// checkMount refuses a mount path that is empty or that path cleaning would
// change (an empty, "." or ".." level), or that holds a character outside
// the portable name alphabet.
func checkMount(mount string) error {
	if mount == "" {
		return errors.New("vault: no mount (the KV secrets engine's path, such as secret)")
	}
	if secretstore.ValidateName(mount) != nil {
		return errors.New("vault: the mount path is not a plain path (letters, digits, . _ - : @ + = and / between non-empty levels)")
	}
	return nil
}

// exchange sends one request, bounded by the driver's timeout, and hands a
// 2xx or 404 response to handle before the body is drained and closed. It
// returns the HTTP status (0 without a response) and a classified error.
func (s *Store) exchange(ctx context.Context, op, name string, send func(context.Context) (*api.Response, error), handle func(status int, r *api.Response) error) (int, error) {
	rctx, cancel := context.WithTimeout(withAttempts(ctx), s.timeout)
	defer cancel()
	resp, err := send(rctx)
	status := statusOf(resp)
	if resp != nil && resp.Body != nil {
		defer func() {
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
			resp.Body.Close()
		}()
	}
	if (err == nil && status >= 200 && status < 300) || status == http.StatusNotFound {
		return status, handle(status, resp)
	}
	if err == nil {
		// A 1xx or 3xx that the client did not follow.
		return status, fail(driver.Unknown, op, name, "unexpected answer (HTTP %d)", status)
	}
	return status, classify(ctx, op, name, status, err)
}

// call is exchange with the session's token: it logs in first if need be,
// and when the server refuses a token that has stopped working, it logs in
// again and sends the request once more.
func (s *Store) call(ctx context.Context, op, name string, send func(context.Context) (*api.Response, error), handle func(status int, r *api.Response) error) error {
	_, err := s.callStatus(ctx, op, name, send, handle)
	return err
}

// callStatus is call that also returns the last answer's HTTP status.
func (s *Store) callStatus(ctx context.Context, op, name string, send func(context.Context) (*api.Response, error), handle func(status int, r *api.Response) error) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	gen, err := s.session.ready(ctx)
	if err != nil {
		return 0, err
	}
	if err := s.checkMountOnce(ctx); err != nil {
		return 0, err
	}
	status, err := s.exchange(ctx, op, name, send, handle)
	if status == http.StatusForbidden && s.session.refresh(ctx, gen) {
		status, err = s.exchange(ctx, op, name, send, handle)
	}
	return status, err
}

// checkMountOnce asks Vault, on first use, what is mounted at the mount
// path, so that a wrong mount or KV version is an error rather than
// secrets silently missing (KV v1 takes any path, "data/..." included). It
// uses the endpoint Vault's UI and the vault kv command use. When Vault will
// not say (the token may not ask, or an older server or OpenBao lacks the
// endpoint), the driver goes on without the check; when the server cannot
// be reached, it checks at the next request.
func (s *Store) checkMountOnce(ctx context.Context) error {
	if s.mountDone.Load() {
		return s.mountErr
	}
	s.mountMu.Lock()
	defer s.mountMu.Unlock()
	if s.mountDone.Load() {
		return s.mountErr
	}
	var out struct {
		Data struct {
			Type    string            `json:"type"`
			Path    string            `json:"path"`
			Options map[string]string `json:"options"`
		} `json:"data"`
	}
	status, err := s.exchange(ctx, "check mount", "", func(ctx context.Context) (*api.Response, error) {
		return s.client.Logical().ReadRawWithContext(ctx, "sys/internal/ui/mounts/"+s.mount)
	}, func(status int, r *api.Response) error {
		if status == http.StatusOK {
			return r.DecodeJSON(&out)
		}
		return nil
	})
	if status == 0 || status >= 500 || status == http.StatusTooManyRequests {
		return nil // check again next time; the request will say what is wrong
	}
	if err == nil && status == http.StatusOK {
		version := out.Data.Options["version"]
		if version == "" {
			version = "1"
		}
		switch {
		case out.Data.Type != "kv" && out.Data.Type != "generic":
			s.mountErr = fail(driver.Unknown, "check mount", "", "%q is a %q engine, not KV", s.mount, out.Data.Type)
		case strings.TrimSuffix(out.Data.Path, "/") != s.mount:
			s.mountErr = fail(driver.Unknown, "check mount", "", "%q is not a mount: the KV engine is mounted at %q", s.mount, out.Data.Path)
		case version != strconv.Itoa(s.kv):
			s.mountErr = fail(driver.Unknown, "check mount", "", "%q is a KV v%s engine, but the driver is set for KV v%d", s.mount, version, s.kv)
		}
	}
	s.mountDone.Store(true)
	return s.mountErr
}

// kvAnswer is what a 404 may carry besides the data: a wrong path has
// errors or warnings, a missing secret neither.
type kvAnswer struct {
	Errors   []string `json:"errors"`
	Warnings []string `json:"warnings"`
}

func (a *kvAnswer) wrongPath() bool { return len(a.Errors) > 0 || len(a.Warnings) > 0 }

// kv1Answer is a KV v1 read's answer: the secret's data.
type kv1Answer struct {
	kvAnswer
	Data map[string]json.RawMessage `json:"data"`
}

// kv2Answer is a KV v2 read's answer: a version's data and metadata.
type kv2Answer struct {
	kvAnswer
	Data struct {
		Data     map[string]json.RawMessage `json:"data"`
		Metadata struct {
			Version int `json:"version"`
		} `json:"metadata"`
	} `json:"data"`
}

// errNotKV is a 404 that is not a missing secret: no mount at the path, or
// a KV engine of the other version.
func (s *Store) errNotKV(op, name string) error {
	return fail(driver.Unknown, op, name, "no KV v%d secrets engine answers at %q (check the mount and its version)", s.kv, s.mount)
}

// read returns the value of name (of its version ver when ver > 0), whether
// it exists, and its version (KV v2).
func (s *Store) read(ctx context.Context, name string, ver int) (val string, ok bool, version int, err error) {
	var params map[string][]string
	if ver > 0 {
		params = map[string][]string{"version": {strconv.Itoa(ver)}}
	}
	p := dataPath(s.mount, s.kv, name)
	err = s.call(ctx, "get", name, func(ctx context.Context) (*api.Response, error) {
		return s.client.Logical().ReadRawWithDataWithContext(ctx, p, params)
	}, func(status int, r *api.Response) error {
		var (
			a      *kvAnswer
			fields map[string]json.RawMessage
			err    error
		)
		if s.kv == 2 {
			var v kv2Answer
			err = r.DecodeJSON(&v)
			a, fields, version = &v.kvAnswer, v.Data.Data, v.Data.Metadata.Version
		} else {
			var v kv1Answer
			err = r.DecodeJSON(&v)
			a, fields = &v.kvAnswer, v.Data
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return fail(driver.Unknown, "get", name, "the server's answer is not KV v%d JSON (check the mount's version)", s.kv)
		}
		if status == http.StatusNotFound {
			// A missing secret, or a deleted or destroyed version
			// (whose metadata comes along), has no errors and no
			// warnings; a wrong path has one or the other.
			if a.wrongPath() {
				return s.errNotKV("get", name)
			}
			return nil
		}
		val, ok, err = s.decode(name, fields)
		return err
	})
	return val, ok, version, err
}

// decode takes the value out of a secret's fields. A secret without the
// field does not exist for this store.
func (s *Store) decode(name string, fields map[string]json.RawMessage) (string, bool, error) {
	raw, ok := fields[s.field]
	if !ok || string(raw) == "null" {
		return "", false, nil
	}
	var v string
	if err := json.Unmarshal(raw, &v); err != nil {
		return "", false, fail(driver.Unknown, "get", name, "field %q is not a string", s.field)
	}
	if enc, ok := fields[s.encField]; ok {
		var e string
		_ = json.Unmarshal(enc, &e)
		if e != "base64" {
			return "", false, fail(driver.Unknown, "get", name, "field %q names an unknown encoding", s.encField)
		}
		b, err := base64.StdEncoding.DecodeString(v)
		if err != nil {
			return "", false, fail(driver.Unknown, "get", name, "field %q is not valid base64", s.field)
		}
		v = string(b)
	}
	return v, true, nil
}

// encode returns the request body that stores value: for KV v2 with the
// check-and-set version cas when cas >= 0. Valid UTF-8 is stored as it is;
// other bytes, which JSON cannot carry, in base64 with a marker field.
func (s *Store) encode(value string, cas int) ([]byte, error) {
	fields := map[string]string{s.field: value}
	if !utf8.ValidString(value) {
		fields[s.field] = base64.StdEncoding.EncodeToString([]byte(value))
		fields[s.encField] = "base64"
	}
	if s.kv == 1 {
		return json.Marshal(fields)
	}
	type options struct {
		CAS int `json:"cas"`
	}
	var o *options
	if cas >= 0 {
		o = &options{cas}
	}
	return json.Marshal(struct {
		Options *options          `json:"options,omitempty"`
		Data    map[string]string `json:"data"`
	}{o, fields})
}

// Get implements [driver.Store]: one request per name, at most MaxParallel
// in flight, into one map.
func (s *Store) Get(ctx context.Context, names []string) (map[string]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	switch len(names) {
	case 0:
		return nil, nil
	case 1:
		v, ok, _, err := s.read(ctx, names[0], 0)
		if err != nil || !ok {
			return nil, err
		}
		return map[string]string{names[0]: v}, nil
	}
	type result struct {
		val string
		ok  bool
	}
	res := make([]result, len(names))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(s.parallel)
	for i, n := range names {
		g.Go(func() error {
			v, ok, _, err := s.read(gctx, n, 0)
			res[i] = result{v, ok}
			return err
		})
	}
	if err := g.Wait(); err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return nil, cerr
		}
		return nil, err
	}
	var out map[string]string
	for i, r := range res {
		if r.ok {
			if out == nil {
				out = make(map[string]string, len(names))
			}
			out[names[i]] = r.val
		}
	}
	return out, nil
}

// Set implements [driver.Store]. On KV v2 it writes a new version; the
// version it replaces stays readable with [Store.GetVersions]. The secret's
// data becomes the value's field alone. On a KV v2 mount that requires
// check-and-set (cas_required), Set reads the current version and writes
// with it.
func (s *Store) Set(ctx context.Context, name, value string) error {
	status, err := s.write(ctx, "set", name, value, -1)
	if status == http.StatusBadRequest && s.kv == 2 {
		// The one 400 a well-formed write gets: cas is required.
		_, _, ver, rerr := s.read(ctx, name, 0)
		if rerr != nil {
			return rerr
		}
		status, err = s.write(ctx, "set", name, value, ver)
		if status == http.StatusBadRequest {
			return fail(driver.Conflict, "set", name, "written by someone else meanwhile (check-and-set refused)")
		}
	}
	return err
}

// write stores value, with the check-and-set version cas when cas >= 0,
// and returns the answer's HTTP status.
func (s *Store) write(ctx context.Context, op, name, value string, cas int) (int, error) {
	body, err := s.encode(value, cas)
	if err != nil {
		return 0, fail(driver.Unknown, op, name, "cannot encode the value")
	}
	p := dataPath(s.mount, s.kv, name)
	return s.callStatus(ctx, op, name, func(ctx context.Context) (*api.Response, error) {
		return s.client.Logical().WriteRawWithContext(ctx, p, body)
	}, func(status int, _ *api.Response) error {
		if status == http.StatusNotFound {
			return s.errNotKV(op, name)
		}
		return nil
	})
}

// CompareAndSwap implements [driver.Swapper] with KV v2's check-and-set:
// it reads the current version and writes value with cas set to it, so the
// write fails if anyone wrote in between. It fails with [driver.Conflict]
// when the current value is not old (old nil: when name exists) or the
// version changed meanwhile.
func (s *Store) CompareAndSwap(ctx context.Context, name string, old *string, value string) error {
	cur, ok, ver, err := s.read(ctx, name, 0)
	if err != nil {
		return err
	}
	if ok != (old != nil) || (ok && subtle.ConstantTimeCompare([]byte(cur), []byte(*old)) != 1) {
		return fail(driver.Conflict, "compare and swap", name, "the current value is not the expected one")
	}
	status, err := s.write(ctx, "compare and swap", name, value, ver)
	if status == http.StatusBadRequest {
		// KV v2 refuses a write whose cas is not the current version
		// with 400.
		return fail(driver.Conflict, "compare and swap", name, "written by someone else meanwhile (check-and-set refused)")
	}
	return err
}

// Remove implements [driver.Store]. On KV v2 it deletes the latest version
// (recoverable) or, with Options.Destroy, the metadata and every version.
func (s *Store) Remove(ctx context.Context, name string) error {
	p := dataPath(s.mount, s.kv, name)
	if s.kv == 2 && s.destroy {
		p = metadataPath(s.mount, name)
	}
	return s.call(ctx, "remove", name, func(ctx context.Context) (*api.Response, error) {
		return s.client.Logical().DeleteRawWithContext(ctx, p)
	}, func(status int, r *api.Response) error {
		if status == http.StatusNotFound {
			var a kvAnswer
			_ = r.DecodeJSON(&a)
			if a.wrongPath() {
				return s.errNotKV("remove", name)
			}
		}
		return nil
	})
}

// GetVersions returns the current value of name and the value it had before
// the last Set that changed it, as the filestore driver's method of the same
// name does. current is nil when name does not exist (including when its
// latest version was removed); previous is nil when there is no earlier
// version, or when the version before the current value was deleted or
// destroyed. Versions that repeat the current value are skipped, so
// identical writes do not hide the previous value.
func (s *Store) GetVersions(ctx context.Context, name string) (current, previous *string, err error) {
	cur, ok, ver, err := s.read(ctx, name, 0)
	if err != nil || !ok {
		return nil, nil, err
	}
	// Bounded: KV v2 keeps 10 versions by default; a mount may keep more.
	for v := ver - 1; v >= 1 && v > ver-100; v-- {
		old, ok, _, err := s.read(ctx, name, v)
		if err != nil {
			return nil, nil, err
		}
		if !ok {
			break
		}
		if old != cur {
			return &cur, &old, nil
		}
	}
	return &cur, nil, nil
}

// List implements [driver.Lister]. It lists the folders under prefix level
// by level, MaxParallel requests at a time. On KV v2, names whose latest
// version is deleted are left out, as Get reports them missing: that takes a
// metadata read per name. Paths that are not portable names (written by
// other tools) are left out too.
func (s *Store) List(ctx context.Context, prefix string) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// Folders are listed by their paths; entries are kept by their names.
	level := []string{relPath(s.kv, prefix[:strings.LastIndexByte(prefix, '/')+1])}
	var (
		mu    sync.Mutex
		names []string
	)
	for len(level) > 0 {
		var next []string
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(s.parallel)
		for _, dir := range level {
			g.Go(func() error {
				keys, err := s.listDir(gctx, dir)
				if err != nil {
					return err
				}
				mu.Lock()
				defer mu.Unlock()
				for _, k := range keys {
					rel := dir + k
					if folder, ok := strings.CutSuffix(rel, "/"); ok {
						if n, ok := nameOf(s.kv, folder); ok && strings.HasPrefix(n+"/", prefix) {
							next = append(next, rel)
						}
					} else if n, ok := nameOf(s.kv, rel); ok && strings.HasPrefix(n, prefix) {
						names = append(names, n)
					}
				}
				return nil
			})
		}
		if err := g.Wait(); err != nil {
			return nil, s.ctxFirst(ctx, err)
		}
		level = next
	}
	if s.kv == 2 && len(names) > 0 {
		return s.live(ctx, names)
	}
	return names, nil
}

func (s *Store) ctxFirst(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		return cerr
	}
	return err
}

// listDir returns the entries of one folder ("" for the mount's root): keys,
// and folders ending in "/".
func (s *Store) listDir(ctx context.Context, dir string) ([]string, error) {
	var out struct {
		kvAnswer
		Data struct {
			Keys []string `json:"keys"`
		} `json:"data"`
	}
	p := listPath(s.mount, s.kv, dir)
	err := s.call(ctx, "list", dir, func(ctx context.Context) (*api.Response, error) {
		return s.client.Logical().ReadRawWithDataWithContext(ctx, p, map[string][]string{"list": {"true"}})
	}, func(status int, r *api.Response) error {
		if err := r.DecodeJSON(&out); err != nil && !errors.Is(err, io.EOF) {
			return fail(driver.Unknown, "list", dir, "the server's answer is not a listing")
		}
		if status == http.StatusNotFound {
			if out.wrongPath() {
				return s.errNotKV("list", dir)
			}
			out.Data.Keys = nil
		}
		return nil
	})
	return out.Data.Keys, err
}

// live returns the names whose latest KV v2 version is neither deleted nor
// destroyed.
func (s *Store) live(ctx context.Context, names []string) ([]string, error) {
	keep := make([]bool, len(names))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(s.parallel)
	for i, n := range names {
		g.Go(func() error {
			var out struct {
				Data struct {
					CurrentVersion int `json:"current_version"`
					Versions       map[string]struct {
						DeletionTime string `json:"deletion_time"`
						Destroyed    bool   `json:"destroyed"`
					} `json:"versions"`
				} `json:"data"`
			}
			p := metadataPath(s.mount, n)
			return s.call(gctx, "list", n, func(ctx context.Context) (*api.Response, error) {
				return s.client.Logical().ReadRawWithContext(ctx, p)
			}, func(status int, r *api.Response) error {
				if status == http.StatusNotFound {
					return nil // removed meanwhile
				}
				if err := r.DecodeJSON(&out); err != nil {
					return fail(driver.Unknown, "list", n, "the server's metadata answer is not JSON")
				}
				v, ok := out.Data.Versions[strconv.Itoa(out.Data.CurrentVersion)]
				keep[i] = ok && !v.Destroyed && !deleted(v.DeletionTime)
				return nil
			})
		})
	}
	if err := g.Wait(); err != nil {
		return nil, s.ctxFirst(ctx, err)
	}
	out := names[:0]
	for i, n := range names {
		if keep[i] {
			out = append(out, n)
		}
	}
	return slices.Clip(out), nil
}

// deleted reports whether a KV v2 deletion_time is set and has passed (a
// time in the future is a scheduled deletion, delete_version_after).
func deleted(t string) bool {
	if t == "" {
		return false
	}
	tm, err := time.Parse(time.RFC3339Nano, t)
	return err != nil || !tm.After(time.Now())
}

// As implements [driver.Aser]: a **api.Client target receives the driver's
// Vault client (which carries the driver's current token).
func (s *Store) As(target any) bool {
	if p, ok := target.(**api.Client); ok {
		*p = s.client
		return true
	}
	return false
}

// Close implements [driver.Store]: it stops renewing the token and closes
// idle connections. It does not revoke the token, which other processes
// (an agent, a token file's other readers) may share.
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	s.session.close()
	s.http.CloseIdleConnections()
	return nil
}

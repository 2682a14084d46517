package vault

// The HTTP side of the driver: the api client built from Options, one
// request with its timeout, and the token retry.

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"strings"

	"github.com/hashicorp/vault/api"
	"github.com/secretstore-go/secretstore"
	"github.com/secretstore-go/secretstore/driver"
)

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
	if o.Parallel <= 0 {
		o.Parallel = DefaultParallel
	}
	o.MaxRetries = driver.Retries(o.MaxRetries, DefaultMaxRetries)
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
		// One Get keeps up to Parallel connections busy: keep them
		// for the next one.
		t.MaxIdleConnsPerHost = max(t.MaxIdleConnsPerHost, o.Parallel)
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
		oneField: o.Field != DefaultField,
		destroy:  o.Destroy,
		parallel: o.Parallel,
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

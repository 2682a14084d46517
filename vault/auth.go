package vault

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/vault/api"
	"github.com/secretstore-go/secretstore/driver"
)

// Auth is how the driver authenticates to Vault: [Token], [TokenFile] or
// [AppRole]. An Auth value never prints its token.
type Auth interface {
	// login returns a token and what Vault said about its lifetime (zero
	// when it did not say: the driver then looks the token up).
	login(ctx context.Context, s *Store) (token string, lease *api.SecretAuth, err error)
	// relogin reports whether logging in again can yield a new token.
	relogin() bool
	// String names the method for log events: never a token or secret id.
	String() string
}

// Token authenticates with a fixed token. A renewable token is renewed
// before it expires; once it can no longer be renewed, requests fail with
// [driver.PermissionDenied], since there is nothing to log in with again.
func Token(token string) Auth { return tokenAuth{tok: &token} }

// tokenAuth keeps the token behind a pointer, so that printing the value by
// reflection shows an address.
type tokenAuth struct{ tok *string }

func (a tokenAuth) login(context.Context, *Store) (string, *api.SecretAuth, error) {
	t := strings.TrimSpace(*a.tok)
	if t == "" {
		return "", nil, fail(driver.PermissionDenied, "login", "", "the token is empty")
	}
	return t, nil, nil
}
func (tokenAuth) relogin() bool  { return false }
func (tokenAuth) String() string { return "token" }

// TokenFile authenticates with the token held in the file at path, the
// convention of the vault command (~/.vault-token, the default when path is
// empty) and of Vault Agent's token sink. The file is read again whenever
// the token stops working, so a token rotated by an agent is picked up
// without a restart.
func TokenFile(path string) Auth { return tokenFileAuth{path: path} }

type tokenFileAuth struct{ path string }

func (a tokenFileAuth) file() (string, error) {
	if a.path != "" {
		return a.path, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fail(driver.PermissionDenied, "login", "", "no token file: no home directory for ~/.vault-token")
	}
	return filepath.Join(home, ".vault-token"), nil
}

func (a tokenFileAuth) login(context.Context, *Store) (string, *api.SecretAuth, error) {
	p, err := a.file()
	if err != nil {
		return "", nil, err
	}
	t, err := readSecretFile(p, "token file")
	return t, nil, err
}
func (tokenFileAuth) relogin() bool { return true }
func (a tokenFileAuth) String() string {
	p, _ := a.file()
	return "token file " + p
}

// AppRoleOptions configures [AppRole] login.
type AppRoleOptions struct {
	// RoleID is the role id. Either it or RoleIDFile is required.
	RoleID string
	// RoleIDFile is a file holding the role id.
	RoleIDFile string
	// SecretIDFile is a file holding the secret id. It is read at every
	// login, so a secret id delivered afresh (by a CI system, an
	// orchestrator) is used without a restart. Empty for a role that does
	// not require a secret id (bind_secret_id=false).
	SecretIDFile string
	// Mount is the path the AppRole auth method is enabled at (default
	// "approle").
	Mount string
}

// AppRole authenticates with Vault's AppRole method, logging in again
// whenever the token reaches the end of its life or stops working.
func AppRole(o AppRoleOptions) Auth {
	if o.Mount == "" {
		o.Mount = "approle"
	}
	o.Mount = strings.Trim(o.Mount, "/")
	return appRoleAuth{o}
}

type appRoleAuth struct{ o AppRoleOptions }

func (a appRoleAuth) login(ctx context.Context, s *Store) (string, *api.SecretAuth, error) {
	role := a.o.RoleID
	if role == "" {
		if a.o.RoleIDFile == "" {
			return "", nil, fail(driver.PermissionDenied, "login", "", "AppRole: no role id")
		}
		var err error
		if role, err = readSecretFile(a.o.RoleIDFile, "AppRole role id file"); err != nil {
			return "", nil, err
		}
	}
	body := map[string]string{"role_id": role}
	if a.o.SecretIDFile != "" {
		sid, err := readSecretFile(a.o.SecretIDFile, "AppRole secret id file")
		if err != nil {
			return "", nil, err
		}
		body["secret_id"] = sid
	}
	data, err := json.Marshal(body)
	if err != nil {
		return "", nil, fail(driver.Unknown, "login", "", "AppRole: %T", err)
	}
	var out struct {
		Auth *api.SecretAuth `json:"auth"`
	}
	status, err := s.exchange(ctx, "login", "", func(ctx context.Context) (*api.Response, error) {
		return s.login.Logical().WriteRawWithContext(ctx, "auth/"+a.o.Mount+"/login", data)
	}, func(status int, r *api.Response) error {
		if status == 404 {
			return fail(driver.PermissionDenied, "login", "", "AppRole: no auth method at %q", a.o.Mount)
		}
		if err := r.DecodeJSON(&out); err != nil || out.Auth == nil || out.Auth.ClientToken == "" {
			return fail(driver.Unknown, "login", "", "AppRole: the server's answer holds no token")
		}
		return nil
	})
	if status == 400 {
		// Vault answers a wrong role id or secret id with 400.
		return "", nil, fail(driver.PermissionDenied, "login", "", "AppRole: the role id or secret id was refused (HTTP 400)")
	}
	if err != nil {
		return "", nil, err
	}
	return out.Auth.ClientToken, out.Auth, nil
}
func (appRoleAuth) relogin() bool    { return true }
func (a appRoleAuth) String() string { return "approle at " + a.o.Mount }

func readSecretFile(path, what string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the path is in our own message
		}
		return "", driver.NewError(driver.PermissionDenied, &opError{msg: fmt.Sprintf("vault: login: %s %s: %v", what, path, err)})
	}
	t := strings.TrimSpace(string(b))
	if t == "" {
		return "", fail(driver.PermissionDenied, "login", "", "%s %s is empty", what, path)
	}
	return t, nil
}

// session holds the driver's token: it logs in on first use, keeps the
// token alive with the api's LifetimeWatcher (renewing a renewable token,
// logging in again when its life ends) and logs in again when a request
// finds the token no longer valid.
type session struct {
	s      *Store
	method Auth
	logger *slog.Logger

	gen atomic.Uint64 // bumped by every login that changed the token; 0 before the first

	mu      sync.Mutex // serializes logins
	token   string     // the current token, to tell a new one from the same
	watcher *api.LifetimeWatcher
	closed  bool
}

// ready returns the current token's generation, logging in first if no
// login has succeeded yet.
func (a *session) ready(ctx context.Context) (uint64, error) {
	if g := a.gen.Load(); g != 0 {
		return g, nil
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if g := a.gen.Load(); g != 0 {
		return g, nil
	}
	if err := a.loginLocked(ctx); err != nil {
		return 0, err
	}
	return a.gen.Load(), nil
}

// refresh is called when a request made with the token of generation gen
// was refused. It reports whether the request should be sent again: when
// another login already replaced that token, or when the token is no longer
// valid and logging in again produced a new one. A token that is valid but
// not allowed is a real refusal: no login then.
func (a *session) refresh(ctx context.Context, gen uint64) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return false
	}
	if a.gen.Load() != gen {
		return true
	}
	if !a.method.relogin() || a.tokenValid(ctx) {
		return false
	}
	before := a.gen.Load()
	if err := a.loginLocked(ctx); err != nil {
		a.logger.LogAttrs(ctx, slog.LevelWarn, "vault: login after the token stopped working failed",
			slog.String("auth", a.method.String()), slog.String("error", err.Error()))
		return false
	}
	return a.gen.Load() != before
}

// tokenValid asks Vault whether the current token is still valid.
func (a *session) tokenValid(ctx context.Context) bool {
	valid := false
	_, _ = a.s.exchange(ctx, "lookup token", "", func(ctx context.Context) (*api.Response, error) {
		return a.s.client.Logical().ReadRawWithContext(ctx, "auth/token/lookup-self")
	}, func(status int, _ *api.Response) error {
		valid = status == 200
		return nil
	})
	return valid
}

// loginLocked logs in and, for a token with a limited life, starts watching
// it. a.mu is held.
func (a *session) loginLocked(ctx context.Context) error {
	if a.closed {
		return fail(driver.Unknown, "login", "", "the driver is closed")
	}
	tok, lease, err := a.method.login(ctx, a.s)
	if err != nil {
		return err
	}
	if tok == a.token && a.gen.Load() != 0 {
		return nil // the same token: nothing changes
	}
	a.s.client.SetToken(tok)
	a.token = tok
	a.gen.Add(1)
	if lease == nil {
		lease = a.lookup(ctx, tok)
	}
	level := slog.LevelInfo // a new token during the driver's life
	if a.gen.Load() == 1 {
		level = slog.LevelDebug // the first
	}
	a.logger.LogAttrs(ctx, level, "vault: logged in",
		slog.String("auth", a.method.String()),
		slog.Duration("ttl", time.Duration(lease.LeaseDuration)*time.Second),
		slog.Bool("renewable", lease.Renewable))
	a.watchLocked(tok, lease)
	return nil
}

// lookup returns the lifetime of a token that came without one (a token or
// token file). Failing to look it up only means it is not watched.
func (a *session) lookup(ctx context.Context, tok string) *api.SecretAuth {
	lease := &api.SecretAuth{ClientToken: tok}
	var out struct {
		Data struct {
			TTL       int64 `json:"ttl"`
			Renewable bool  `json:"renewable"`
		} `json:"data"`
	}
	_, err := a.s.exchange(ctx, "lookup token", "", func(ctx context.Context) (*api.Response, error) {
		return a.s.client.Logical().ReadRawWithContext(ctx, "auth/token/lookup-self")
	}, func(status int, r *api.Response) error {
		if status != 200 {
			return errors.New("not found")
		}
		return r.DecodeJSON(&out)
	})
	if err == nil {
		lease.LeaseDuration = int(out.Data.TTL)
		lease.Renewable = out.Data.Renewable
	}
	return lease
}

// watchLocked replaces the lifetime watcher with one for tok. A token
// without a TTL (a root token, say) needs none.
func (a *session) watchLocked(tok string, lease *api.SecretAuth) {
	if a.watcher != nil {
		a.watcher.Stop()
		a.watcher = nil
	}
	if lease.LeaseDuration <= 0 {
		return
	}
	w, err := a.s.client.NewLifetimeWatcher(&api.LifetimeWatcherInput{
		Secret: &api.Secret{Auth: &api.SecretAuth{
			ClientToken:   tok,
			Renewable:     lease.Renewable,
			LeaseDuration: lease.LeaseDuration,
		}},
		RenewBehavior: api.RenewBehaviorIgnoreErrors,
	})
	if err != nil {
		return
	}
	a.watcher = w
	gen := a.gen.Load()
	go w.Start()
	go a.watch(w, gen)
}

// watch follows one watcher until its token's life is over, then logs in
// again if the token is still the current one and the method can.
func (a *session) watch(w *api.LifetimeWatcher, gen uint64) {
	for {
		select {
		case <-w.RenewCh():
			a.logger.LogAttrs(context.Background(), slog.LevelDebug, "vault: token renewed", slog.String("auth", a.method.String()))
		case err := <-w.DoneCh():
			if err != nil {
				a.logger.LogAttrs(context.Background(), slog.LevelWarn, "vault: token renewal stopped",
					slog.String("auth", a.method.String()), slog.String("error", "renewal failed"))
			}
			a.mu.Lock()
			defer a.mu.Unlock()
			if a.closed || a.gen.Load() != gen || !a.method.relogin() {
				return
			}
			ctx, cancel := context.WithTimeout(context.Background(), a.s.timeout)
			defer cancel()
			if err := a.loginLocked(ctx); err != nil {
				// Requests will try again when they find the token gone.
				a.logger.LogAttrs(ctx, slog.LevelWarn, "vault: login at the end of the token's life failed",
					slog.String("auth", a.method.String()), slog.String("error", err.Error()))
			}
			return
		}
	}
}

func (a *session) close() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.closed = true
	if a.watcher != nil {
		a.watcher.Stop()
		a.watcher = nil
	}
}

package vault

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/vault/api"
	"github.com/secretstore-go/secretstore/driver"
)

// Defaults of [Options].
const (
	DefaultField      = "value"
	DefaultParallel   = 16
	DefaultMaxRetries = 2
	DefaultMinWait    = 100 * time.Millisecond
	DefaultMaxWait    = time.Second
	DefaultTimeout    = 30 * time.Second
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
	// "value", the reference implementation's layout). Another field
	// (password, say) makes each secret that one field, whatever other
	// fields it has: secrets of several fields then do not read as JSON
	// objects (see "Secrets of several fields" in the package
	// documentation), and values are always written to the field.
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
	// Parallel bounds the requests one Get of many names has in flight
	// (default 16).
	Parallel int
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
	oneField bool // Options.Field names another field: a secret is that field alone
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

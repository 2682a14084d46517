package dapr

import (
	"context"
	"errors"
	"net/url"
	"strings"

	"github.com/secretstore-go/secretstore"
	"github.com/secretstore-go/secretstore/driver"
	"github.com/secretstore-go/secretstore/internal/urlopt"
)

// Scheme is the URL scheme the package registers with
// [secretstore.Register].
const Scheme = "dapr"

func init() {
	secretstore.Register(Scheme, OpenURL)
}

// OpenURL opens the driver a dapr:// URL describes (see "URLs" in the
// package documentation):
//
//	dapr://127.0.0.1:3500/vault?namespace=prod&token-file=/run/secrets/dapr-token
//
// Errors have code [driver.Unknown], name the offending part and never
// contain a token.
func OpenURL(ctx context.Context, u *url.URL) (driver.Store, error) {
	opts, err := parseURL(u)
	if err != nil {
		return nil, driver.NewError(driver.Unknown, err)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return New(opts)
}

// parseURL turns a dapr:// URL into Options. It reads no file and no
// environment variable.
func parseURL(u *url.URL) (Options, error) {
	var o Options
	q, err := urlopt.Parse(u, Scheme, "token-file", "namespace", "version-id", "metadata.", "key",
		"key-separator", "parallel", "timeout", "bulk", "tls")
	if err != nil {
		return o, err
	}
	store := strings.TrimPrefix(u.Path, "/")
	if store == "" || strings.Contains(store, "/") {
		return o, errors.New("dapr: URL path must be one secret store name: dapr://HOST:PORT/STORE")
	}
	o.Store = store
	o.TokenFile = q.File("token-file")
	o.Namespace = q.String("namespace", "")
	o.VersionID = q.String("version-id", "")
	o.Metadata = q.Prefixed("metadata.")
	o.Key = q.String("key", "")
	o.KeySeparator = q.String("key-separator", "")
	o.Parallel = q.Int("parallel", 1, MaxParallel, 0)
	o.Timeout = q.Duration("timeout", 0)
	o.Bulk = q.Bool("bulk", false)
	q.Exclusive("bulk", "version-id") // a bulk read returns current versions
	tls := q.Bool("tls", false)
	if u.Host != "" {
		scheme := "http"
		if tls {
			scheme = "https"
		}
		o.Endpoint = scheme + "://" + u.Host
	} else if q.Has("tls") {
		q.Fail("tls", "needs a host: dapr://HOST:PORT/STORE?tls=1")
	}
	if err := q.Err(); err != nil {
		return Options{}, err
	}
	return o, nil
}

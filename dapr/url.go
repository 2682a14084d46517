package dapr

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/secretstore-go/secretstore"
	"github.com/secretstore-go/secretstore/driver"
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
	switch {
	case u == nil:
		return o, errors.New("dapr: nil URL")
	case u.Scheme != Scheme:
		return o, fmt.Errorf("dapr: URL scheme %q, want %q", u.Scheme, Scheme)
	case u.Opaque != "":
		return o, errors.New("dapr: URL must be dapr://HOST:PORT/STORE or dapr:///STORE")
	case u.User != nil:
		// Do not echo it: it may be a token.
		return o, errors.New("dapr: URL must not hold a user or password; use token-file or " + EnvAPIToken)
	case u.Fragment != "":
		return o, errors.New("dapr: URL must not have a fragment")
	}
	store := strings.TrimPrefix(u.Path, "/")
	if store == "" || strings.Contains(store, "/") {
		return o, errors.New("dapr: URL path must be one secret store name: dapr://HOST:PORT/STORE")
	}
	o.Store = store

	tls := false
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return o, errors.New("dapr: malformed URL query")
	}
	for k, vs := range q {
		if len(vs) != 1 {
			return o, fmt.Errorf("dapr: URL parameter %q given %d times", k, len(vs))
		}
		v := vs[0]
		switch {
		case k == "token-file":
			if !filepath.IsAbs(v) {
				return o, errors.New("dapr: URL parameter token-file: want an absolute path")
			}
			o.TokenFile = v
		case k == "namespace":
			o.Namespace = v
		case k == "version_id":
			o.VersionID = v
		case strings.HasPrefix(k, "metadata."):
			name := strings.TrimPrefix(k, "metadata.")
			if name == "" {
				return o, errors.New("dapr: URL parameter metadata. needs a name: metadata.NAME=VALUE")
			}
			if o.Metadata == nil {
				o.Metadata = map[string]string{}
			}
			o.Metadata[name] = v
		case k == "key":
			if v == "" {
				return o, errors.New("dapr: URL parameter key is empty")
			}
			o.Key = v
		case k == "key-separator":
			if v == "" {
				return o, errors.New("dapr: URL parameter key-separator is empty")
			}
			o.KeySeparator = v
		case k == "concurrency":
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > MaxConcurrency {
				return o, fmt.Errorf("dapr: URL parameter concurrency=%q: want 1 to %d", v, MaxConcurrency)
			}
			o.Concurrency = n
		case k == "timeout":
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				return o, fmt.Errorf("dapr: URL parameter timeout=%q: want a positive duration such as 10s", v)
			}
			o.Timeout = d
		case k == "bulk" || k == "tls":
			b, err := strconv.ParseBool(v)
			if err != nil {
				return o, fmt.Errorf("dapr: URL parameter %s=%q: want 1, 0, true or false", k, v)
			}
			if k == "bulk" {
				o.Bulk = b
			} else {
				tls = b
			}
		case isTokenParam(k):
			// Do not echo the value: it is a secret.
			return o, fmt.Errorf("dapr: URL parameter %s: a token must not be put in a URL; use token-file or %s", k, EnvAPIToken)
		default:
			return o, fmt.Errorf("dapr: unknown URL parameter %q (known: token-file, namespace, version_id, metadata.NAME, key, key-separator, concurrency, bulk, timeout, tls)", k)
		}
	}
	if u.Host != "" {
		scheme := "http"
		if tls {
			scheme = "https"
		}
		o.Endpoint = scheme + "://" + u.Host
	} else if tls {
		return o, errors.New("dapr: URL parameter tls needs a host: dapr://HOST:PORT/STORE?tls=1")
	}
	if o.Bulk && o.VersionID != "" {
		return o, errors.New("dapr: URL parameters bulk and version_id cannot be combined: a bulk read returns current versions")
	}
	return o, nil
}

// isTokenParam reports parameter names that look like a credential.
func isTokenParam(k string) bool {
	k = strings.ToLower(k)
	for _, w := range []string{"token", "password", "secret", "apikey", "api-key", "api_key"} {
		if strings.Contains(k, w) {
			return true
		}
	}
	return false
}

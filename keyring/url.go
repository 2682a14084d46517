package keyring

import (
	"context"
	"errors"
	"net/url"

	"github.com/secretstore-go/secretstore"
	"github.com/secretstore-go/secretstore/driver"
	"github.com/secretstore-go/secretstore/internal/urlopt"
)

// Scheme is the URL scheme the package registers with
// [secretstore.Register].
const Scheme = "keyring"

// Importing the package registers [OpenURL] for "keyring" URLs with the
// portable package, so secretstore.Open(ctx, "keyring://myapp") works, and
// [FileKeyLoader] for key=keyring:NAME in filestore URLs.
func init() { secretstore.Register(Scheme, OpenURL) }

// OpenURL opens the store a "keyring" URL describes (see the package
// documentation's URLs section). Errors name a parameter, never its value.
func OpenURL(_ context.Context, u *url.URL) (driver.Store, error) {
	o, err := parseURL(u)
	if err != nil {
		return nil, driver.NewError(driver.Unknown, err)
	}
	return New(o)
}

// parseURL returns the Options a "keyring" URL describes. It does not reach
// the keychain.
func parseURL(u *url.URL) (Options, error) {
	var o Options
	q, err := urlopt.Parse(u, Scheme, "parallel")
	if err != nil {
		return o, err
	}
	if u.Port() != "" || (u.Path != "" && u.Path != "/") {
		return o, errors.New("keyring: the URL is keyring://SERVICE, with no port and no path")
	}
	o.Service = u.Hostname()
	if o.Service == "" {
		return o, errors.New("keyring: the URL names no service: keyring://SERVICE")
	}
	o.Parallel = q.Int("parallel", 1, 64, 0)
	if err := q.Err(); err != nil {
		return Options{}, err
	}
	return o, nil
}

package vault

import (
	"cmp"
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
const Scheme = "vault"

// Importing the package registers [OpenURL] for "vault" URLs with the
// portable package, so secretstore.Open(ctx, "vault://...") works.
func init() { secretstore.Register(Scheme, OpenURL) }

// OpenURL opens the driver a "vault" URL describes (see the package
// documentation's URLs section). Errors name a parameter, never its value.
func OpenURL(_ context.Context, u *url.URL) (driver.Store, error) {
	o, err := parseURL(u)
	if err != nil {
		return nil, err
	}
	return New(o)
}

// urlParams are the query parameters a "vault" URL may have.
var urlParams = []string{
	"kv", "field", "namespace", "remove", "tls",
	"ca-file", "ca-dir", "client-cert", "client-key", "server-name",
	"auth", "token-file", "role-id-file", "secret-id-file", "auth-mount",
	"parallel", "retries", "min-wait", "max-wait", "timeout",
}

// parseURL returns the Options a "vault" URL describes. It reads no file
// and no environment variable.
func parseURL(u *url.URL) (Options, error) {
	var o Options
	q, err := urlopt.Parse(u, Scheme, urlParams...)
	if err != nil {
		return o, err
	}
	o.Mount = strings.Trim(u.Path, "/")
	if err := checkMount(o.Mount); err != nil {
		return o, err
	}
	tls := q.Bool("tls", true)
	if u.Host != "" {
		if strings.HasSuffix(u.Host, ":") {
			return o, errors.New("vault: the URL's port is empty")
		}
		scheme := "https"
		if !tls {
			scheme = "http"
		}
		o.Address = scheme + "://" + u.Host
		// Refuse what the client could not use, such as an IPv6 address
		// without brackets ("::1" rather than "[::1]").
		if a, err := url.Parse(o.Address); err != nil || a.Hostname() == "" || a.Host != u.Host {
			return o, errors.New("vault: the URL's host is not HOST[:PORT] (an IPv6 address goes in brackets)")
		}
	} else if q.Has("tls") {
		q.Fail("tls", "needs a host in the URL (without one, VAULT_ADDR gives the scheme)")
	}

	o.KV = map[string]int{"": 0, "1": 1, "2": 2}[q.Enum("kv", "", "1", "2")]
	o.Field = q.String("field", "")
	o.Namespace = q.String("namespace", "")
	o.Destroy = q.Enum("remove", "delete", "delete", "destroy") == "destroy"
	o.Parallel = q.Int("parallel", 1, urlopt.MaxInt, 0)
	o.MaxRetries = q.Retries("retries", urlopt.MaxInt)
	o.Timeout = q.Duration("timeout", 0)
	o.MinWait = q.Duration("min-wait", 0)
	o.MaxWait = q.Duration("max-wait", 0)
	if minWait := cmp.Or(o.MinWait, DefaultMinWait); o.MaxWait > 0 && o.MaxWait < minWait {
		q.Fail("max-wait", "at least min-wait (default "+DefaultMinWait.String()+")")
	}
	o.TLS = TLSOptions{
		CAFile: q.File("ca-file"), CADir: q.File("ca-dir"),
		ClientCert: q.File("client-cert"), ClientKey: q.File("client-key"),
		ServerName: q.String("server-name", ""),
	}
	q.Together("client-cert", "client-key")

	switch q.Enum("auth", "token", "token", "approle") {
	case "token":
		for _, k := range []string{"role-id-file", "secret-id-file", "auth-mount"} {
			if q.Has(k) {
				q.Fail(k, "needs auth=approle")
			}
		}
		if f := q.File("token-file"); f != "" {
			o.Auth = TokenFile(f)
		}
	case "approle":
		if q.Has("token-file") {
			q.Fail("token-file", "cannot be combined with auth=approle")
		}
		q.Require("role-id-file")
		o.Auth = AppRole(AppRoleOptions{
			RoleIDFile:   q.File("role-id-file"),
			SecretIDFile: q.File("secret-id-file"),
			Mount:        q.String("auth-mount", ""),
		})
	}
	if err := q.Err(); err != nil {
		return Options{}, err
	}
	return o, nil
}

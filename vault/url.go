package vault

import (
	"context"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/secretstore-go/secretstore/driver"
)

// OpenURL opens the driver a "vault" URL describes (see the package
// documentation's URLs section). It is registered with the portable package
// for the "vault" scheme. Errors name a parameter, never its value.
func OpenURL(_ context.Context, u *url.URL) (driver.Store, error) {
	o, err := ParseURL(u)
	if err != nil {
		return nil, err
	}
	return New(o)
}

// ParseURL returns the Options a "vault" URL describes, without opening
// anything.
func ParseURL(u *url.URL) (Options, error) {
	var o Options
	if u.Scheme != "vault" {
		return o, errors.New("vault: not a vault:// URL")
	}
	if u.Opaque != "" {
		return o, errors.New("vault: want vault://host:port/mount")
	}
	if u.User != nil {
		return o, errors.New("vault: credentials do not belong in the URL (use token-file or the AppRole files)")
	}
	if u.Fragment != "" {
		return o, errors.New("vault: the URL has a fragment")
	}
	o.Mount = strings.Trim(u.Path, "/")
	if err := checkMount(o.Mount); err != nil {
		return o, err
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return o, errors.New("vault: the URL's query is malformed")
	}
	get := func(k string) string { return q.Get(k) }
	for k, vs := range q {
		if !knownParam[k] {
			return o, errors.New("vault: unknown URL parameter " + strconv.Quote(k))
		}
		if len(vs) != 1 {
			return o, errors.New("vault: URL parameter " + strconv.Quote(k) + " given more than once")
		}
	}

	scheme := "https"
	if v, ok := q["tls"]; ok {
		on, err := strconv.ParseBool(v[0])
		if err != nil {
			return o, badParam("tls", "a boolean (0 or 1)")
		}
		if !on {
			scheme = "http"
		}
	}
	if u.Host != "" {
		if strings.HasSuffix(u.Host, ":") {
			return o, errors.New("vault: the URL's port is empty")
		}
		o.Address = scheme + "://" + u.Host
		// Refuse what the client could not use, such as an IPv6 address
		// without brackets ("::1" rather than "[::1]").
		if a, err := url.Parse(o.Address); err != nil || a.Hostname() == "" || a.Host != u.Host {
			return o, errors.New("vault: the URL's host is not HOST[:PORT] (an IPv6 address goes in brackets)")
		}
	} else if q.Has("tls") {
		return o, errors.New("vault: tls needs a host in the URL (without one, VAULT_ADDR gives the scheme)")
	}

	if v := get("kv"); v != "" {
		switch v {
		case "1":
			o.KV = 1
		case "2":
			o.KV = 2
		default:
			return o, badParam("kv", "1 or 2")
		}
	}
	if q.Has("field") {
		if o.Field = get("field"); o.Field == "" {
			return o, badParam("field", "a field name")
		}
	}
	o.Namespace = get("namespace")
	if v := get("remove"); v != "" {
		switch v {
		case "delete":
		case "destroy":
			o.Destroy = true
		default:
			return o, badParam("remove", "delete or destroy")
		}
	}
	if o.MaxParallel, err = intParam(q, "parallel", 1); err != nil {
		return o, err
	}
	if o.MaxRetries, err = intParam(q, "retries", 0); err != nil {
		return o, err
	}
	if q.Has("retries") && o.MaxRetries == 0 {
		o.MaxRetries = -1 // retries=0: never retry
	}
	if o.Timeout, err = durParam(q, "timeout"); err != nil {
		return o, err
	}
	if o.MinWait, err = durParam(q, "min-wait"); err != nil {
		return o, err
	}
	if o.MaxWait, err = durParam(q, "max-wait"); err != nil {
		return o, err
	}
	o.TLS = TLSOptions{
		CAFile: get("ca-file"), CADir: get("ca-dir"),
		ClientCert: get("client-cert"), ClientKey: get("client-key"),
		ServerName: get("server-name"),
	}
	if (o.TLS.ClientCert == "") != (o.TLS.ClientKey == "") {
		return o, errors.New("vault: client-cert and client-key go together")
	}

	switch get("auth") {
	case "", "token":
		for _, k := range []string{"role-id-file", "secret-id-file", "auth-mount"} {
			if q.Has(k) {
				return o, errors.New("vault: URL parameter " + strconv.Quote(k) + " needs auth=approle")
			}
		}
		if q.Has("token-file") {
			if get("token-file") == "" {
				return o, badParam("token-file", "a file path")
			}
			o.Auth = TokenFile(get("token-file"))
		}
	case "approle":
		if q.Has("token-file") {
			return o, errors.New("vault: token-file and auth=approle exclude each other")
		}
		if get("role-id-file") == "" {
			return o, errors.New("vault: auth=approle needs role-id-file")
		}
		o.Auth = AppRole(AppRoleOptions{
			RoleIDFile:   get("role-id-file"),
			SecretIDFile: get("secret-id-file"),
			Mount:        get("auth-mount"),
		})
	default:
		return o, badParam("auth", "token or approle")
	}
	return o, nil
}

var knownParam = map[string]bool{
	"kv": true, "field": true, "namespace": true, "remove": true, "tls": true,
	"ca-file": true, "ca-dir": true, "client-cert": true, "client-key": true, "server-name": true,
	"auth": true, "token-file": true, "role-id-file": true, "secret-id-file": true, "auth-mount": true,
	"parallel": true, "retries": true, "min-wait": true, "max-wait": true, "timeout": true,
}

func badParam(k, want string) error {
	return errors.New("vault: URL parameter " + strconv.Quote(k) + " must be " + want)
}

func intParam(q url.Values, k string, least int) (int, error) {
	if !q.Has(k) {
		return 0, nil
	}
	n, err := strconv.Atoi(q.Get(k))
	if err != nil || n < least || n > 1<<16 {
		return 0, badParam(k, "a whole number from "+strconv.Itoa(least)+" to 65536")
	}
	return n, nil
}

func durParam(q url.Values, k string) (time.Duration, error) {
	if !q.Has(k) {
		return 0, nil
	}
	d, err := time.ParseDuration(q.Get(k))
	if err != nil || d <= 0 {
		return 0, badParam(k, "a positive Go duration such as 500ms or 10s")
	}
	return d, nil
}

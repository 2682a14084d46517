package etcd

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"github.com/secretstore-go/secretstore/driver"
)

// config is what an etcd:// URL says.
type config struct {
	endpoints    []string
	prefix       string
	key          KeySource
	username     string
	passwordFile string
	tls          bool
	caFile       string
	certFile     string
	keyFile      string
	dialTimeout  time.Duration
}

// parseURL checks an etcd:// URL. Errors never repeat the user
// information or a file's contents.
func parseURL(u *url.URL) (*config, error) {
	cfg := &config{dialTimeout: 5 * time.Second}
	if u.Scheme != "etcd" {
		return nil, fmt.Errorf("etcd: URL scheme %q, want etcd", u.Scheme)
	}
	if u.Host == "" {
		return nil, errors.New("etcd: the URL names no endpoint (etcd://host:2379,host2:2379/prefix)")
	}
	for h := range strings.SplitSeq(u.Host, ",") {
		if h == "" || strings.ContainsAny(h, "/?#@ ") {
			return nil, fmt.Errorf("etcd: endpoint %q is not host:port", h)
		}
		if !strings.Contains(h, ":") || strings.HasSuffix(h, ":") {
			return nil, fmt.Errorf("etcd: endpoint %q has no port", h)
		}
		cfg.endpoints = append(cfg.endpoints, h)
	}
	cfg.prefix = u.Path
	if err := checkPrefix(cfg.prefix); err != nil {
		return nil, err
	}
	if u.User != nil {
		if _, set := u.User.Password(); set {
			return nil, errors.New("etcd: a password in the URL is refused; use password-file=PATH")
		}
		cfg.username = u.User.Username()
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, errors.New("etcd: the URL's query does not parse")
	}
	abs := func(k string) (string, error) {
		p := q.Get(k)
		if !filepath.IsAbs(p) {
			return "", fmt.Errorf("etcd: %s must be an absolute path", k)
		}
		return filepath.Clean(p), nil
	}
	for k, vs := range q {
		if len(vs) != 1 {
			return nil, fmt.Errorf("etcd: URL parameter %s is given %d times", k, len(vs))
		}
		switch k {
		case "key-file":
			p, err := abs(k)
			if err != nil {
				return nil, err
			}
			cfg.key = KeyFile(p)
		case "passphrase-file":
			p, err := abs(k)
			if err != nil {
				return nil, err
			}
			cfg.key = PassphraseFile(p)
		case "username":
			if cfg.username != "" {
				return nil, errors.New("etcd: username is given in the URL twice")
			}
			cfg.username = vs[0]
		case "password-file":
			if cfg.passwordFile, err = abs(k); err != nil {
				return nil, err
			}
		case "tls":
			switch vs[0] {
			case "1", "true":
				cfg.tls = true
			case "0", "false":
			default:
				return nil, errors.New("etcd: tls must be 1 or 0")
			}
		case "tls-ca":
			if cfg.caFile, err = abs(k); err != nil {
				return nil, err
			}
			cfg.tls = true
		case "tls-cert":
			if cfg.certFile, err = abs(k); err != nil {
				return nil, err
			}
			cfg.tls = true
		case "tls-key":
			if cfg.keyFile, err = abs(k); err != nil {
				return nil, err
			}
			cfg.tls = true
		case "dial-timeout":
			d, err := time.ParseDuration(vs[0])
			if err != nil || d <= 0 {
				return nil, errors.New("etcd: dial-timeout must be a positive duration such as 5s")
			}
			cfg.dialTimeout = d
		default:
			return nil, fmt.Errorf("etcd: unknown URL parameter %q", k)
		}
	}
	if q.Has("key-file") == q.Has("passphrase-file") {
		return nil, errors.New("etcd: exactly one of keyfile and passphrase-file is required")
	}
	if (cfg.certFile == "") != (cfg.keyFile == "") {
		return nil, errors.New("etcd: tls-cert and tls-key go together")
	}
	if (cfg.passwordFile != "") != (cfg.username != "") {
		return nil, errors.New("etcd: username and password-file go together")
	}
	return cfg, nil
}

// OpenURL opens the store an etcd:// URL names (see the package
// documentation); the Store owns the client and closes it.
func OpenURL(ctx context.Context, u *url.URL) (driver.Store, error) {
	cfg, err := parseURL(u)
	if err != nil {
		return nil, err
	}
	cc := clientv3.Config{
		Endpoints:   cfg.endpoints,
		DialTimeout: cfg.dialTimeout,
		Username:    cfg.username,
		Logger:      zap.NewNop(),
		Context:     context.WithoutCancel(ctx),
	}
	if cfg.passwordFile != "" {
		b, err := readSmallFile(cfg.passwordFile)
		if err != nil {
			return nil, err
		}
		cc.Password = strings.TrimRight(string(b), "\r\n")
	}
	if cfg.tls {
		tc := &tls.Config{MinVersion: tls.VersionTLS12}
		if cfg.caFile != "" {
			pem, err := readSmallFile(cfg.caFile)
			if err != nil {
				return nil, err
			}
			tc.RootCAs = x509.NewCertPool()
			if !tc.RootCAs.AppendCertsFromPEM(pem) {
				return nil, fmt.Errorf("etcd: %s holds no PEM certificate", cfg.caFile)
			}
		}
		if cfg.certFile != "" {
			cert, err := tls.LoadX509KeyPair(cfg.certFile, cfg.keyFile)
			if err != nil {
				return nil, fmt.Errorf("etcd: load the TLS client certificate %s: %w", cfg.certFile, err)
			}
			tc.Certificates = []tls.Certificate{cert}
		}
		cc.TLS = tc
	}
	c, err := clientv3.New(cc)
	if err != nil {
		return nil, classify(ctx, fmt.Errorf("etcd: connect to %v: %w", cfg.endpoints, err))
	}
	s, err := New(ctx, c, Options{Prefix: cfg.prefix, Key: cfg.key, CloseClient: true})
	if err != nil {
		c.Close()
		return nil, err
	}
	return s, nil
}

func readSmallFile(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("etcd: %w", err)
	}
	if fi.Size() > 1<<20 {
		return nil, fmt.Errorf("etcd: %s is larger than 1 MiB", path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("etcd: %w", err)
	}
	return b, nil
}

package etcd

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"github.com/secretstore-go/secretstore"
	"github.com/secretstore-go/secretstore/driver"
	"github.com/secretstore-go/secretstore/internal/urlopt"
)

// Scheme is the URL scheme the package registers with
// [secretstore.Register].
const Scheme = "etcd"

// Importing the package registers [OpenURL] for "etcd" URLs with the
// portable package, so secretstore.Open(ctx, "etcd://...") works.
func init() { secretstore.Register(Scheme, OpenURL) }

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

// parseURL checks an etcd:// URL. It reads no file; errors never repeat a
// parameter's value.
func parseURL(u *url.URL) (*config, error) {
	q, err := urlopt.Parse(u, Scheme, "key-file", "passphrase-file", "username", "password-file",
		"tls", "ca-file", "client-cert", "client-key", "dial-timeout")
	if err != nil {
		return nil, err
	}
	cfg := &config{}
	if u.Host == "" {
		return nil, errors.New("etcd: the URL names no endpoint (etcd://host:2379,host2:2379/prefix)")
	}
	for h := range strings.SplitSeq(u.Host, ",") {
		if h == "" || strings.ContainsAny(h, "/?#@ ") {
			return nil, errors.New("etcd: an endpoint of the URL is not host:port")
		}
		if !strings.Contains(h, ":") || strings.HasSuffix(h, ":") {
			return nil, errors.New("etcd: an endpoint of the URL has no port")
		}
		cfg.endpoints = append(cfg.endpoints, h)
	}
	cfg.prefix = u.Path
	if err := checkPrefix(cfg.prefix); err != nil {
		return nil, err
	}
	if !q.Has("key-file") && !q.Has("passphrase-file") {
		q.Require("key-file")
	}
	q.Exclusive("key-file", "passphrase-file")
	if p := q.File("key-file"); p != "" {
		cfg.key = KeyFile(p)
	}
	if p := q.File("passphrase-file"); p != "" {
		cfg.key = PassphraseFile(p)
	}
	cfg.username = q.String("username", "")
	cfg.passwordFile = q.File("password-file")
	q.Together("username", "password-file")
	cfg.caFile = q.File("ca-file")
	cfg.certFile = q.File("client-cert")
	cfg.keyFile = q.File("client-key")
	q.Together("client-cert", "client-key")
	// A TLS file implies TLS.
	cfg.tls = q.Bool("tls", cfg.caFile != "" || cfg.certFile != "")
	if !cfg.tls && (cfg.caFile != "" || cfg.certFile != "") {
		q.Fail("tls", "cannot be 0 with ca-file or client-cert")
	}
	cfg.dialTimeout = q.Duration("dial-timeout", 5*time.Second)
	if err := q.Err(); err != nil {
		return nil, err
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

package filestore

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/secretstore-go/secretstore/driver"
)

// urlConfig is what a file URL asks for.
type urlConfig struct {
	path    string
	key     KeySource
	keyFile string // the key file's path, when the key is a key file
	create  bool
	opts    Options
}

// OpenURL opens the store a URL describes (see "URLs" in the package
// documentation), for the portable package's URL registry:
//
//	file:///var/lib/app/secrets.db?keyfile=/etc/app/secrets.key
//	file:///var/lib/app/secrets.db?passphrase-file=/run/secrets/pass&create=1
//
// Errors are classified with [driver.Code]s; a malformed URL has code
// [driver.Unknown] and names the offending part, never a key.
func OpenURL(ctx context.Context, u *url.URL) (driver.Store, error) {
	cfg, err := parseURL(u)
	if err != nil {
		return nil, driver.NewError(driver.Unknown, err)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if cfg.create {
		if err := createIfMissing(cfg); err != nil {
			return nil, classify(err)
		}
	}
	s, err := open(ctx, cfg.path, cfg.key, cfg.opts)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// createIfMissing initialises the store, and a missing key file with it,
// when the store file does not exist. Losing a race to another process doing
// the same is not an error.
func createIfMissing(cfg urlConfig) error {
	if _, err := os.Lstat(cfg.path); err == nil || !errors.Is(err, fs.ErrNotExist) {
		return nil // exists, or Open will report why it cannot be reached
	}
	if cfg.keyFile != "" {
		if _, err := os.Lstat(cfg.keyFile); errors.Is(err, fs.ErrNotExist) {
			if err := NewKeyFile(cfg.keyFile); err != nil && !errors.Is(err, fs.ErrExist) {
				return err
			}
		}
	}
	if err := initStore(cfg.path, cfg.key, cfg.opts); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	return nil
}

// parseURL checks a file URL and returns what it asks for. It touches no
// file.
func parseURL(u *url.URL) (urlConfig, error) {
	var cfg urlConfig
	if u == nil {
		return cfg, errors.New("filestore: nil URL")
	}
	if u.Scheme != "file" {
		return cfg, fmt.Errorf("filestore: URL scheme %q, want \"file\"", u.Scheme)
	}
	if u.Opaque != "" {
		return cfg, errors.New("filestore: file URL with a relative path; use file:///absolute/path/secrets.db")
	}
	if u.User != nil {
		return cfg, errors.New("filestore: file URL must not have a user or password")
	}
	if u.Host != "" && u.Host != "localhost" {
		return cfg, fmt.Errorf("filestore: file URL for host %q; only local files (file:///path) are supported", u.Host)
	}
	if u.Fragment != "" {
		return cfg, errors.New("filestore: file URL must not have a fragment")
	}
	p, err := urlPath(u.Path)
	if err != nil {
		return cfg, fmt.Errorf("filestore: store path: %w", err)
	}
	cfg.path = p

	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return cfg, fmt.Errorf("filestore: malformed URL query: %w", err)
	}
	for k, vs := range q {
		if len(vs) != 1 {
			return cfg, fmt.Errorf("filestore: URL parameter %q given %d times", k, len(vs))
		}
		v := vs[0]
		switch k {
		case "keyfile", "passphrase-file":
			if cfg.key != nil {
				return cfg, errors.New("filestore: URL has both keyfile and passphrase-file; give one")
			}
			fp, err := urlPath(v)
			if err != nil {
				return cfg, fmt.Errorf("filestore: URL parameter %s: %w", k, err)
			}
			if k == "keyfile" {
				cfg.key, cfg.keyFile = KeyFile(fp), fp
			} else {
				cfg.key = PassphraseFile(fp)
			}
		case "create", "keep-open":
			b, err := strconv.ParseBool(v)
			if err != nil {
				return cfg, fmt.Errorf("filestore: URL parameter %s=%q: want 1, 0, true or false", k, v)
			}
			if k == "create" {
				cfg.create = b
			} else {
				cfg.opts.KeepOpen = b
			}
		case "lock-timeout":
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				return cfg, fmt.Errorf("filestore: URL parameter lock-timeout=%q: want a positive duration such as 10s", v)
			}
			cfg.opts.LockTimeout = d
		case "passphrase", "key", "password":
			// Do not echo the value: it is a secret.
			return cfg, fmt.Errorf("filestore: URL parameter %s: secrets must not be put in a URL; use keyfile or passphrase-file", k)
		default:
			return cfg, fmt.Errorf("filestore: unknown URL parameter %q (known: keyfile, passphrase-file, create, keep-open, lock-timeout)", k)
		}
	}
	if cfg.key == nil {
		return cfg, errors.New("filestore: URL needs a keyfile or passphrase-file parameter")
	}
	return cfg, nil
}

// urlPath turns a URL path into an absolute, clean file path.
func urlPath(p string) (string, error) {
	if strings.ContainsRune(p, 0) {
		return "", errors.New("path contains a NUL byte")
	}
	if runtime.GOOS == "windows" && len(p) >= 3 && p[0] == '/' && p[2] == ':' {
		p = p[1:] // file:///C:/dir/file
	}
	fp := filepath.FromSlash(p)
	if !filepath.IsAbs(fp) {
		return "", fmt.Errorf("%q is not an absolute path", p)
	}
	fp = filepath.Clean(fp)
	if fp == filepath.VolumeName(fp)+string(filepath.Separator) {
		return "", fmt.Errorf("%q is a directory", p)
	}
	return fp, nil
}

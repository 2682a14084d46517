package filestore

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"

	"github.com/secretstore-go/secretstore"
	"github.com/secretstore-go/secretstore/driver"
	"github.com/secretstore-go/secretstore/internal/urlopt"
)

// Scheme is the URL scheme the package registers with
// [secretstore.Register].
const Scheme = "file"

// Importing the package registers [OpenURL] for "file" URLs with the
// portable package, so secretstore.Open(ctx, "file:///...") works.
func init() { secretstore.Register(Scheme, OpenURL) }

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
//	file:///var/lib/app/secrets.db?key-file=/etc/app/secrets.key
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
	q, err := urlopt.Parse(u, Scheme, "key-file", "passphrase-file", "create", "keep-open", "lock-timeout")
	if err != nil {
		return cfg, err
	}
	if u.Host != "" && u.Host != "localhost" {
		return cfg, errors.New("filestore: file URL for another host; only local files (file:///path) are supported")
	}
	p, err := urlopt.AbsPath(u.Path)
	if err != nil {
		return cfg, fmt.Errorf("filestore: store path: %w", err)
	}
	cfg.path = p
	q.Exclusive("key-file", "passphrase-file")
	if kf := q.File("key-file"); kf != "" {
		cfg.key, cfg.keyFile = KeyFile(kf), kf
	} else if pf := q.File("passphrase-file"); pf != "" {
		cfg.key = PassphraseFile(pf)
	}
	cfg.create = q.Bool("create", false)
	cfg.opts.KeepOpen = q.Bool("keep-open", false)
	cfg.opts.LockTimeout = q.Duration("lock-timeout", 0)
	if err := q.Err(); err != nil {
		return cfg, err
	}
	if cfg.key == nil {
		return cfg, errors.New("filestore: the URL needs a key-file or passphrase-file parameter")
	}
	return cfg, nil
}

package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/secretstore-go/secretstore"
	"github.com/secretstore-go/secretstore/filestore"
)

// envURL names the environment variable that selects the store.
const envURL = "SECRETSTORE_URL"

// dataDir returns the user's base directory for application data:
// $XDG_DATA_HOME or ~/.local/share on Unix systems, the same directory as
// [os.UserConfigDir] on macOS, and %LocalAppData% on Windows.
func dataDir() (string, error) {
	switch runtime.GOOS {
	case "windows":
		if d := os.Getenv("LocalAppData"); d != "" {
			return d, nil
		}
		return "", errors.New("%LocalAppData% is not set")
	case "darwin", "ios", "plan9":
		return os.UserConfigDir()
	}
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		if !filepath.IsAbs(d) {
			return "", fmt.Errorf("$XDG_DATA_HOME is not an absolute path: %q", d)
		}
		return d, nil
	}
	home := os.Getenv("HOME")
	if home == "" {
		return "", errors.New("neither $XDG_DATA_HOME nor $HOME is set")
	}
	return filepath.Join(home, ".local", "share"), nil
}

// defaultPaths returns the default store's file and key file.
func defaultPaths() (db, key string, err error) {
	data, err := dataDir()
	if err != nil {
		return "", "", fmt.Errorf("cannot place the default store: %w", err)
	}
	conf, err := os.UserConfigDir()
	if err != nil {
		return "", "", fmt.Errorf("cannot place the default key file: %w", err)
	}
	if !filepath.IsAbs(conf) {
		return "", "", fmt.Errorf("cannot place the default key file: the configuration directory %q is not absolute", conf)
	}
	return filepath.Join(data, "secretstore", "secrets.db"), filepath.Join(conf, "secretstore", "key"), nil
}

// fileURL returns the URL of the file store at db with the key file key.
func fileURL(db, key string) string {
	u := url.URL{Scheme: "file", Path: urlPath(db), RawQuery: "key-file=" + url.QueryEscape(key)}
	return u.String()
}

func urlPath(p string) string {
	p = filepath.ToSlash(p)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // C:/dir on Windows
	}
	return p
}

// target is the store a command works on.
type target struct {
	url string
	// For a file store with a key file (the default store is one), its
	// paths; empty otherwise.
	db, key string
	// isDefault: neither --store nor SECRETSTORE_URL chose it.
	isDefault bool
}

// target returns the store selected by --store, SECRETSTORE_URL or the
// default.
func (a *app) target() (target, error) {
	raw := a.storeURL
	if raw == "" {
		raw = os.Getenv(envURL)
	}
	if raw == "" {
		db, key, err := defaultPaths()
		if err != nil {
			return target{}, err
		}
		return target{url: fileURL(db, key), db: db, key: key, isDefault: true}, nil
	}
	t := target{url: raw}
	t.db, t.key = keyFileStore(raw)
	return t, nil
}

// keyFileStore returns the paths of the store file and key file of a file
// store URL with a key-file parameter, or empty strings.
func keyFileStore(raw string) (db, key string) { return fileStorePaths(raw, "key-file") }

// fileStorePaths returns the paths of the store file and of the file given
// by the parameter param of a file store URL, or empty strings. It checks
// little: opening the URL checks it all.
func fileStorePaths(raw, param string) (db, key string) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "file" || u.Opaque != "" {
		return "", ""
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil || len(q[param]) != 1 {
		return "", ""
	}
	db, key = filepath.FromSlash(u.Path), filepath.FromSlash(q.Get(param))
	if runtime.GOOS == "windows" {
		db = strings.TrimPrefix(db, `\`)
		key = strings.TrimPrefix(key, `\`)
	}
	if !filepath.IsAbs(db) || !filepath.IsAbs(key) {
		return "", ""
	}
	return filepath.Clean(db), filepath.Clean(key)
}

// describe names the store for messages: its path for a file store,
// otherwise its scheme (a URL's query could hold something private).
func (t target) describe() string {
	if t.db != "" {
		return t.db
	}
	if u, err := url.Parse(t.url); err == nil && u.Scheme != "" {
		return u.Scheme + "://"
	}
	return "the store"
}

// open opens the selected store with the given permissions: read-only unless
// opts enable writing.
func (a *app) open(ctx context.Context, opts ...secretstore.Option) (*secretstore.Store, target, error) {
	t, err := a.target()
	if err != nil {
		return nil, t, err
	}
	// The CLI reports errors itself: no log events.
	opts = append([]secretstore.Option{secretstore.WithLogger(nil)}, opts...)
	s, err := secretstore.Open(ctx, t.url, opts...)
	if err != nil {
		return nil, t, t.explain(err)
	}
	return s, t, nil
}

// explain adds what to do to the common errors of opening a store.
func (t target) explain(err error) error {
	switch {
	case t.db != "" && errors.Is(err, fs.ErrNotExist):
		if _, serr := os.Stat(t.db); errors.Is(serr, fs.ErrNotExist) {
			hint := "run 'secretstore init' to create it"
			if !t.isDefault {
				hint = "run 'secretstore --store URL init' to create it"
			}
			return fmt.Errorf("no store at %s: %s", t.db, hint)
		}
		if _, kerr := os.Stat(t.key); errors.Is(kerr, fs.ErrNotExist) {
			return fmt.Errorf("the key file %s of the store %s does not exist: without it the store cannot be opened", t.key, t.db)
		}
	case t.key != "" && errors.Is(err, filestore.ErrWrongKey):
		if _, nerr := os.Stat(t.key + rekeySuffix); nerr == nil {
			return fmt.Errorf("%w\n(a rekey was interrupted and left %s: run 'secretstore rekey' to finish it)", err, t.key+rekeySuffix)
		}
	}
	return err
}

package dirstore

import (
	"context"
	"errors"
	"net/url"
	"strconv"

	"github.com/secretstore-go/secretstore"
	"github.com/secretstore-go/secretstore/driver"
	"github.com/secretstore-go/secretstore/internal/urlopt"
)

// Scheme is the URL scheme the package registers with
// [secretstore.Register].
const Scheme = "dir"

// Importing the package registers [OpenURL] for "dir" URLs with the
// portable package, so secretstore.Open(ctx, "dir:///run/secrets") works.
func init() { secretstore.Register(Scheme, OpenURL) }

// OpenURL opens the store a "dir" URL describes (see the package
// documentation's URLs section). Errors name a parameter, never its value.
func OpenURL(_ context.Context, u *url.URL) (driver.Store, error) {
	o, err := parseURL(u)
	if err != nil {
		return nil, driver.NewError(driver.Unknown, err)
	}
	s, err := New(o)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// urlParams are the query parameters a "dir" URL may have.
// maxMaxSize bounds the max-size parameter: 64 MiB.
const maxMaxSize = 64 << 20

var urlParams = []string{"dir-env", "writable", "trim-newline", "max-size"}

// parseURL returns the Options a "dir" URL describes. It reads no file and
// no environment variable.
func parseURL(u *url.URL) (Options, error) {
	var o Options
	q, err := urlopt.Parse(u, Scheme, urlParams...)
	if err != nil {
		return o, err
	}
	if u.Host != "" && u.Host != "localhost" {
		return o, errors.New("dir: the URL names a host; a directory URL is dir:///absolute/path (three slashes)")
	}
	o.DirEnv = q.String("dir-env", "")
	switch {
	case u.Path == "" && o.DirEnv == "":
		return o, errors.New("dir: the URL has no path; give dir:///absolute/path or dir://?dir-env=CREDENTIALS_DIRECTORY")
	case u.Path != "" && o.DirEnv != "":
		q.Fail("dir-env", "cannot be combined with a path in the URL")
	case u.Path != "":
		p, err := urlopt.AbsPath(u.Path)
		if err != nil {
			return o, errors.New("dir: the URL's path: " + err.Error())
		}
		o.Dir = p
	}
	o.Writable = q.Bool("writable", false)
	o.TrimNewline = q.Bool("trim-newline", false)
	if v := q.String("max-size", ""); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxMaxSize {
			q.Fail("max-size", "want a whole number of bytes from 1 to "+strconv.Itoa(maxMaxSize))
		}
		o.MaxSize = n
	}
	if o.Writable && o.TrimNewline {
		q.Fail("trim-newline", "cannot be combined with writable=1 (a value ending in a newline would not read back)")
	}
	if err := q.Err(); err != nil {
		return Options{}, err
	}
	return o, nil
}

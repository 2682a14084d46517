// Package urlopt reads the query parameters of a driver's store URL, the
// same strict way in every driver: only the parameters a driver declares,
// each given once and with a value, read with typed getters.
//
// Errors name the scheme and the parameter and say what was wanted; they
// never repeat a value, which may be a secret put in the wrong place.
//
//	q, err := urlopt.Parse(u, "vault", "timeout", "parallel", "token-file")
//	if err != nil { ... }
//	o.Timeout = q.Duration("timeout", 0)
//	o.Parallel = q.Int("parallel", 1, 64, 0)
//	o.TokenFile = q.File("token-file")
//	if err := q.Err(); err != nil { ... }
//
// Getters record the first error and return the default after it, so a
// parser reads every parameter and checks [Query.Err] once.
package urlopt

import (
	"errors"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// MaxInt is the largest number [Query.Int] accepts for any parameter.
const MaxInt = 1 << 16

// Error is a refused URL or URL parameter. Its message names the parameter,
// never its value.
type Error struct {
	Scheme string // the driver's URL scheme, such as "vault"
	Param  string // the parameter, or "" for the URL itself
	Want   string // what was wanted instead
}

func (e *Error) Error() string {
	if e.Param == "" {
		return e.Scheme + ": " + e.Want
	}
	return e.Scheme + ": URL parameter " + strconv.Quote(e.Param) + ": " + e.Want
}

// Query is a URL's checked query parameters. It is not safe for concurrent
// use.
type Query struct {
	scheme string
	vals   map[string]string
	err    error
}

// Parse checks that u has the scheme, no opaque part, no fragment and no
// user information, and that its query holds only the known parameters,
// each once and with a non-empty value. A known name ending in "." stands
// for a family of parameters ("metadata." admits "metadata.region"; see
// [Query.Prefixed]). A parameter a driver does not know whose name suggests
// a credential (token, password, secret, ...) is refused with a hint that
// credentials go in files, not URLs.
func Parse(u *url.URL, scheme string, known ...string) (*Query, error) {
	fail := func(msg string) (*Query, error) { return nil, &Error{Scheme: scheme, Want: msg} }
	switch {
	case u == nil:
		return fail("no URL")
	case u.Scheme != scheme:
		return fail("the URL's scheme is not " + strconv.Quote(scheme))
	case u.Opaque != "":
		return fail("the URL must be " + scheme + "://..., with two slashes")
	case u.User != nil:
		// Never quoted: it may be a password.
		return fail("credentials do not belong in the URL; give them in a file (see the *-file parameters)")
	case u.Fragment != "" || u.RawFragment != "":
		return fail("the URL must not have a fragment")
	}
	raw, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return fail("the URL's query is malformed")
	}
	q := &Query{scheme: scheme, vals: make(map[string]string, len(raw))}
	// Sorted, so that a URL with two faults reports the same one each time.
	for _, k := range sortedKeys(raw) {
		vs := raw[k]
		if !isKnown(k, known) {
			if looksLikeCredential(k) {
				return fail("a credential-like parameter is not accepted: credentials do not belong in the URL; give them in a file (see the *-file parameters)")
			}
			return nil, &Error{Scheme: scheme, Param: printable(k, u.RawQuery), Want: "unknown parameter (known: " + strings.Join(known, ", ") + ")"}
		}
		if len(vs) != 1 {
			return nil, &Error{Scheme: scheme, Param: k, Want: "given more than once"}
		}
		if vs[0] == "" {
			return nil, &Error{Scheme: scheme, Param: k, Want: "has no value"}
		}
		q.vals[k] = vs[0]
	}
	return q, nil
}

func sortedKeys(m url.Values) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

func isKnown(k string, known []string) bool {
	for _, n := range known {
		if strings.HasSuffix(n, ".") {
			if len(k) > len(n) && strings.HasPrefix(k, n) {
				return true
			}
		} else if n == k {
			return true
		}
	}
	return false
}

// looksLikeCredential reports parameter names that suggest a secret.
func looksLikeCredential(k string) bool {
	k = strings.ToLower(k)
	for _, w := range []string{"token", "password", "passwd", "secret", "passphrase", "apikey", "api-key", "api_key", "credential"} {
		if strings.Contains(k, w) {
			return true
		}
	}
	return false
}

// printable returns a parameter name fit for an error: an unknown name is
// shown only when it looks like a parameter name and was followed by "=",
// since a value given alone ("?s3cr3t") becomes a name.
func printable(k, rawQuery string) string {
	if len(k) > 32 || !strings.Contains("&"+rawQuery, "&"+k+"=") {
		return "(an unknown parameter)"
	}
	for _, r := range k {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return "(an unknown parameter)"
		}
	}
	return k
}

// Err returns the first error a getter met, or nil.
func (q *Query) Err() error { return q.err }

// Fail records an error about parameter name, unless one is recorded
// already; a driver uses it for its own checks so that they read like the
// getters' errors. want says what was wanted and must not hold the value.
func (q *Query) Fail(name, want string) {
	if q.err == nil {
		q.err = &Error{Scheme: q.scheme, Param: name, Want: want}
	}
}

// Has reports whether the parameter is given.
func (q *Query) Has(name string) bool {
	_, ok := q.vals[name]
	return ok
}

// String returns the parameter's value, or def when it is absent.
func (q *Query) String(name, def string) string {
	if v, ok := q.vals[name]; ok {
		return v
	}
	return def
}

// Bool returns the parameter as a boolean (1, 0, true or false), or def
// when it is absent.
func (q *Query) Bool(name string, def bool) bool {
	v, ok := q.vals[name]
	if !ok {
		return def
	}
	switch v {
	case "1", "true":
		return true
	case "0", "false":
		return false
	}
	q.Fail(name, "want 1, 0, true or false")
	return def
}

// Int returns the parameter as a whole number from least to most (most at
// most [MaxInt]), or def when it is absent.
func (q *Query) Int(name string, least, most, def int) int {
	v, ok := q.vals[name]
	if !ok {
		return def
	}
	most = min(most, MaxInt)
	n, err := strconv.Atoi(v)
	if err != nil || n < least || n > most {
		q.Fail(name, "want a whole number from "+strconv.Itoa(least)+" to "+strconv.Itoa(most))
		return def
	}
	return n
}

// Retries returns the parameter as a retry count in the convention of the
// drivers' Options (see driver.Retries): 0 when it is absent (the driver's
// default), -1 for "0" (no retry), else the number, at most most.
func (q *Query) Retries(name string, most int) int {
	n := q.Int(name, 0, most, 0)
	if n == 0 && q.Has(name) && q.err == nil {
		return -1
	}
	return n
}

// Duration returns the parameter as a positive Go duration (such as 500ms
// or 10s), or def when it is absent.
func (q *Query) Duration(name string, def time.Duration) time.Duration {
	v, ok := q.vals[name]
	if !ok {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		q.Fail(name, "want a positive duration such as 500ms or 10s")
		return def
	}
	return d
}

// Enum returns the parameter, which must be one of allowed, or def when it
// is absent.
func (q *Query) Enum(name, def string, allowed ...string) string {
	v, ok := q.vals[name]
	if !ok {
		return def
	}
	if !slices.Contains(allowed, v) {
		q.Fail(name, "want "+orList(allowed))
		return def
	}
	return v
}

// File returns the parameter as an absolute, cleaned file path, or "" when
// it is absent. It does not look at the file.
func (q *Query) File(name string) string {
	v, ok := q.vals[name]
	if !ok {
		return ""
	}
	p, err := AbsPath(v)
	if err != nil {
		q.Fail(name, "want an absolute file path")
		return ""
	}
	return p
}

// List returns the parameter as a comma-separated list of non-empty items
// (spaces around items are trimmed), or nil when it is absent.
func (q *Query) List(name string) []string {
	v, ok := q.vals[name]
	if !ok {
		return nil
	}
	var out []string
	for item := range strings.SplitSeq(v, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			q.Fail(name, "want a comma-separated list without empty items")
			return nil
		}
		out = append(out, item)
	}
	return out
}

// Prefixed returns the parameters of a family declared to [Parse] as
// prefix (which ends in "."), keyed by the rest of their name, or nil when
// none is given.
func (q *Query) Prefixed(prefix string) map[string]string {
	var out map[string]string
	for k, v := range q.vals {
		if rest, ok := strings.CutPrefix(k, prefix); ok && rest != "" {
			if out == nil {
				out = map[string]string{}
			}
			out[rest] = v
		}
	}
	return out
}

// Together records an error unless the parameters are all given or all
// absent.
func (q *Query) Together(names ...string) {
	n := 0
	for _, k := range names {
		if q.Has(k) {
			n++
		}
	}
	if n != 0 && n != len(names) {
		q.Fail(names[0], "goes together with "+andList(names[1:]))
	}
}

// Exclusive records an error when more than one of the parameters is
// given.
func (q *Query) Exclusive(names ...string) {
	var given []string
	for _, k := range names {
		if q.Has(k) {
			given = append(given, k)
		}
	}
	if len(given) > 1 {
		q.Fail(given[0], "cannot be combined with "+andList(given[1:]))
	}
}

// Require records an error when the parameter is absent.
func (q *Query) Require(name string) {
	if !q.Has(name) {
		q.Fail(name, "required")
	}
}

// AbsPath turns a URL's path or a parameter into an absolute, clean file
// path; it refuses a relative path, a NUL byte and a file system root. On
// Windows, "/C:/dir/file" (the path of file:///C:/dir/file) is accepted.
func AbsPath(p string) (string, error) {
	if strings.ContainsRune(p, 0) {
		return "", errors.New("path contains a NUL byte")
	}
	if filepath.Separator == '\\' && len(p) >= 3 && p[0] == '/' && p[2] == ':' {
		p = p[1:]
	}
	fp := filepath.FromSlash(p)
	if !filepath.IsAbs(fp) {
		return "", errors.New("not an absolute path")
	}
	fp = filepath.Clean(fp)
	if fp == filepath.VolumeName(fp)+string(filepath.Separator) {
		return "", errors.New("a directory, not a file")
	}
	return fp, nil
}

func orList(xs []string) string  { return joinLast(xs, " or ") }
func andList(xs []string) string { return joinLast(xs, " and ") }
func joinLast(xs []string, last string) string {
	switch len(xs) {
	case 0:
		return ""
	case 1:
		return xs[0]
	}
	return strings.Join(xs[:len(xs)-1], ", ") + last + xs[len(xs)-1]
}

// Echoed returns a query value or the password of u, at least six bytes
// long, that the error message msg repeats, or "" when it repeats none; the
// URL fuzz tests of the drivers use it. Quoted parameter names (an unknown
// one is quoted, to show a typo) and values that are part of words the
// message may hold anyway (words, such as the parser's source text) are
// not counted.
func Echoed(u *url.URL, msg, words string) string {
	vals, _ := url.ParseQuery(u.RawQuery)
	for k := range vals {
		msg = strings.ReplaceAll(msg, strconv.Quote(k), "")
	}
	leaked := func(v string) bool {
		return len(v) >= 6 && strings.Contains(msg, v) && !strings.Contains(words, v)
	}
	if p, ok := u.User.Password(); ok && leaked(p) {
		return p
	}
	for _, vs := range vals {
		for _, v := range vs {
			if leaked(v) {
				return v
			}
		}
	}
	return ""
}

package infisical

import (
	"strings"

	"github.com/secretstore-go/secretstore"
	"github.com/secretstore-go/secretstore/driver"
)

// The name mapping (see "Names" in the package documentation).
//
// A portable name's last level is the Infisical secret key; the levels before
// it are folders under the driver's base path. Infisical allows in a folder
// name only ASCII letters, digits, '-' and '_' (isValidFolderName), and in a
// secret key anything but ':' and '/', without surrounding white space
// (SecretNameSchema). Since the SDK puts the key into the URL path unescaped,
// the key must also stay clear of URL syntax; the portable alphabet already
// does, but for ':'.
const (
	keyEscape    = '=' // in a key: "=3A" is ':', "=3D" is '='
	folderEscape = '_' // in a folder: "_2E" is '.', "_3A" ':', "_40" '@', "_2B" '+', "_3D" '=', "_5F" '_', "_21" '!'
	upperHex     = "0123456789ABCDEF"
)

// keyEscaped and folderEscaped mark the bytes of a level that are escaped in
// a secret key and in a folder name.
var keyEscaped, folderEscaped = func() (k, f [256]bool) {
	k[':'], k['='] = true, true
	for _, c := range "._:@+=!" {
		f[c] = true
	}
	return k, f
}()

// encodeLevel escapes the bytes of level marked in escaped as esc followed by
// two upper-case hex digits.
func encodeLevel(level string, esc byte, escaped *[256]bool) string {
	n := 0
	for i := 0; i < len(level); i++ {
		if escaped[level[i]] {
			n++
		}
	}
	if n == 0 {
		return level
	}
	b := make([]byte, 0, len(level)+2*n)
	for i := 0; i < len(level); i++ {
		c := level[i]
		if escaped[c] {
			b = append(b, esc, upperHex[c>>4], upperHex[c&15])
		} else {
			b = append(b, c)
		}
	}
	return string(b)
}

// decodeLevel reverses encodeLevel. It accepts only what encodeLevel
// produces — every escape canonical, every other byte one that needs none —
// so that decoding is a bijection and two Infisical names never read as one
// portable name.
func decodeLevel(s string, esc byte, escaped *[256]bool) (string, bool) {
	if s == "" {
		return "", false
	}
	if strings.IndexByte(s, esc) < 0 {
		for i := 0; i < len(s); i++ {
			if escaped[s[i]] || !levelByte(s[i]) {
				return "", false
			}
		}
		return s, true
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == esc:
			if i+2 >= len(s) {
				return "", false
			}
			hi, lo := strings.IndexByte(upperHex, s[i+1]), strings.IndexByte(upperHex, s[i+2])
			if hi < 0 || lo < 0 || !escaped[hi<<4|lo] {
				return "", false
			}
			b = append(b, byte(hi<<4|lo))
			i += 2
		case escaped[c] || !levelByte(c):
			return "", false
		default:
			b = append(b, c)
		}
	}
	return string(b), true
}

// levelByte reports a byte allowed in a portable name's level.
func levelByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("._-:@+=!", c) >= 0
}

// encodeKey maps a portable level to an Infisical secret key.
func encodeKey(level string) string { return encodeLevel(level, keyEscape, &keyEscaped) }

// decodeKey maps an Infisical secret key back to a portable level.
func decodeKey(key string) (string, bool) { return decodeLevel(key, keyEscape, &keyEscaped) }

// encodeFolder maps a portable level to an Infisical folder name.
func encodeFolder(level string) string { return encodeLevel(level, folderEscape, &folderEscaped) }

// decodeFolder maps an Infisical folder name back to a portable level.
func decodeFolder(name string) (string, bool) { return decodeLevel(name, folderEscape, &folderEscaped) }

// joinPath appends a folder to an Infisical secret path.
func joinPath(dir, folder string) string {
	if dir == "/" {
		return "/" + folder
	}
	return dir + "/" + folder
}

// locate returns the Infisical secret path and key of a portable name under
// base.
func locate(base, name string) (path, key string) {
	path = base
	for {
		i := strings.IndexByte(name, '/')
		if i < 0 {
			return path, encodeKey(name)
		}
		path = joinPath(path, encodeFolder(name[:i]))
		name = name[i+1:]
	}
}

// folderOf returns the Infisical secret path of the deepest folder that holds
// every name starting with prefix: the folder of prefix's finished levels.
func folderOf(base, prefix string) string {
	path := base
	for {
		i := strings.IndexByte(prefix, '/')
		if i < 0 {
			return path
		}
		path = joinPath(path, encodeFolder(prefix[:i]))
		prefix = prefix[i+1:]
	}
}

// below returns path relative to the folder base ("" for base itself), and
// false when path is not base or under it.
func below(base, path string) (string, bool) {
	switch {
	case path == base:
		return "", true
	case base == "/" && strings.HasPrefix(path, "/"):
		return path[1:], true
	case strings.HasPrefix(path, base+"/"):
		return path[len(base)+1:], true
	}
	return "", false
}

// unlocate reverses locate: it returns the portable name of the secret key in
// the Infisical secret path, or false when path is not under base or the
// path or key are not the image of a valid portable name (a secret someone
// created by other means).
func unlocate(base, path, key string) (string, bool) {
	rel, ok := below(base, path)
	if !ok {
		return "", false
	}
	var b strings.Builder
	if rel != "" {
		for _, seg := range strings.Split(rel, "/") {
			level, ok := decodeFolder(seg) // refuses the empty segment of "//" or a trailing "/"
			if !ok {
				return "", false
			}
			b.WriteString(level)
			b.WriteByte('/')
		}
	}
	level, ok := decodeKey(key)
	if !ok {
		return "", false
	}
	b.WriteString(level)
	name := b.String()
	if secretstore.ValidateName(name) != nil {
		return "", false
	}
	return name, true
}

// validFolderName reports whether Infisical accepts name as a folder name.
func validFolderName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// cleanBasePath checks and normalises the base secret path of Options.Path:
// "/" or "/" followed by folder names Infisical accepts, separated by "/".
func cleanBasePath(p string) (string, bool) {
	if p == "" || p == "/" {
		return "/", true
	}
	if p[0] != '/' {
		return "", false
	}
	p = strings.TrimSuffix(p, "/")
	for _, seg := range strings.Split(p[1:], "/") {
		if !validFolderName(seg) {
			return "", false
		}
	}
	return p, true
}

// Names is how the driver maps the portable Store's names to Infisical folders and secret keys (see
// "Names" in the package documentation for the exact mapping of each mode):
// [NamesNative], the default, or [NamesEscaped].
type Names = driver.NameMode

// The name modes, as [driver.NameMode] defines them.
const (
	NamesNative  = driver.NamesNative
	NamesEscaped = driver.NamesEscaped
)

// nativeRule is Infisical's rule, as errors state it.
const nativeRule = "in Infisical, '/' separates folders of ASCII letters, digits, '-' and '_', and the last level is the secret key, which cannot hold ':' (names=escaped maps any portable name)"

// locateNative returns the Infisical secret path and key of a name in
// native mode, or an error with code driver.InvalidName naming the rule it
// breaks.
func locateNative(base, name string) (path, key string, err error) {
	path = base
	for {
		i := strings.IndexByte(name, '/')
		if i < 0 {
			if name == "" || strings.IndexByte(name, ':') >= 0 {
				return "", "", driver.Errorf(driver.InvalidName, "infisical: secret key %q: %s", name, nativeRule)
			}
			return path, name, nil
		}
		if !validFolderName(name[:i]) {
			return "", "", driver.Errorf(driver.InvalidName, "infisical: folder %q: %s", name[:i], nativeRule)
		}
		path = joinPath(path, name[:i])
		name = name[i+1:]
	}
}

// folderOfNative returns the Infisical secret path of the deepest folder
// that holds every native name starting with prefix, and false when no
// such name can exist (a finished level is not a folder name).
func folderOfNative(base, prefix string) (string, bool) {
	path := base
	for {
		i := strings.IndexByte(prefix, '/')
		if i < 0 {
			return path, true
		}
		if !validFolderName(prefix[:i]) {
			return "", false
		}
		path = joinPath(path, prefix[:i])
		prefix = prefix[i+1:]
	}
}

// unlocateNative returns the native name of the secret key in the Infisical
// secret path, and false when path is not under base or the name is not a
// valid portable name (a key of spaces or non-ASCII characters, which
// Infisical takes).
func unlocateNative(base, path, key string) (string, bool) {
	rel, ok := below(base, path)
	if !ok {
		return "", false
	}
	if rel != "" {
		for _, seg := range strings.Split(rel, "/") {
			if !validFolderName(seg) {
				return "", false
			}
		}
		key = rel + "/" + key
	}
	if secretstore.ValidateName(key) != nil {
		return "", false
	}
	return key, true
}

// locate returns the Infisical secret path and key of name in the store's
// naming mode.
func (s *Store) locate(name string) (path, key string, err error) {
	if s.names == NamesEscaped {
		path, key = locate(s.base, name)
		return path, key, nil
	}
	return locateNative(s.base, name)
}

// folderOf returns the folder List reads for prefix in the store's naming
// mode, and false when no name can start with prefix.
func (s *Store) folderOf(prefix string) (string, bool) {
	if s.names == NamesEscaped {
		return folderOf(s.base, prefix), true
	}
	return folderOfNative(s.base, prefix)
}

// unlocate returns the name of an Infisical secret in the store's naming
// mode.
func (s *Store) unlocate(path, key string) (string, bool) {
	if s.names == NamesEscaped {
		return unlocate(s.base, path, key)
	}
	return unlocateNative(s.base, path, key)
}

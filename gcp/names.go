package gcp

import (
	"strings"

	"github.com/secretstore-go/secretstore/driver"
)

// MaxSecretIDLen is the longest secret id Secret Manager accepts.
const MaxSecretIDLen = 255

// escapes maps each portable punctuation byte that a secret id cannot hold
// to the letter that follows the escape byte '_'. '_' itself escapes to
// "__". Letters, digits and '-' stand for themselves.
var escapes = [256]byte{
	'_': '_',
	'.': 'd',
	'/': 's',
	':': 'c',
	'@': 'a',
	'+': 'p',
	'=': 'e',
	'!': 'x',
}

// unescapes is the inverse of escapes.
var unescapes = func() (t [256]byte) {
	for c, e := range escapes {
		if e != 0 {
			t[e] = byte(c)
		}
	}
	return t
}()

func plainIDByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-'
}

// SecretID returns the Secret Manager secret id that holds the portable name
// (see "Names" in the package documentation): letters, digits and '-' are
// kept, and '_' . / : @ + = ! become "__" "_d" "_s" "_c" "_a" "_p" "_e" "_x". The
// mapping is reversible ([NameOf]) and never maps two names to one id. A
// name whose id would be longer than [MaxSecretIDLen], or that holds a byte
// outside the portable alphabet, is an error with code
// [driver.InvalidName].
func SecretID(name string) (string, error) {
	n := len(name)
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case plainIDByte(c):
		case escapes[c] != 0:
			n++
		default:
			return "", driver.Errorf(driver.InvalidName, "gcpsm: name %q: byte %q cannot be mapped to a secret id", name, c)
		}
	}
	if n == 0 {
		return "", driver.Errorf(driver.InvalidName, "gcpsm: empty name")
	}
	if n > MaxSecretIDLen {
		return "", driver.Errorf(driver.InvalidName,
			"gcpsm: name %q maps to a secret id of %d characters, more than Secret Manager's %d (each of _ . / : @ + = ! takes two)",
			name, n, MaxSecretIDLen)
	}
	if n == len(name) {
		return name, nil
	}
	var b strings.Builder
	b.Grow(n)
	for i := 0; i < len(name); i++ {
		c := name[i]
		if e := escapes[c]; e != 0 {
			b.WriteByte('_')
			b.WriteByte(e)
		} else {
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

// NameOf returns the portable name a secret id made by [SecretID] holds. It
// reports false for ids that SecretID never makes: empty or too long ids,
// ids with a byte outside letters, digits, '_' and '-', and ids with an
// unknown or unfinished escape. It does not check the portable name grammar
// (levels), so callers that need a valid name check it too.
func NameOf(id string) (string, bool) {
	if id == "" || len(id) > MaxSecretIDLen {
		return "", false
	}
	if !strings.Contains(id, "_") {
		for i := 0; i < len(id); i++ {
			if !plainIDByte(id[i]) {
				return "", false
			}
		}
		return id, true
	}
	var b strings.Builder
	b.Grow(len(id))
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case plainIDByte(c):
			b.WriteByte(c)
		case c == '_' && i+1 < len(id) && unescapes[id[i+1]] != 0:
			b.WriteByte(unescapes[id[i+1]])
			i++
		default:
			return "", false
		}
	}
	return b.String(), true
}

// prefixID returns the id prefix that every id of a name starting with
// prefix starts with (the mapping works byte by byte), and false when no
// such id can exist.
func prefixID(prefix string) (string, bool) {
	if prefix == "" {
		return "", true
	}
	id, err := SecretID(prefix)
	return id, err == nil
}

// Names is how the driver maps the portable Store's names to secret ids (see
// "Names" in the package documentation for the exact mapping of each mode):
// [NamesNative], the default, or [NamesEscaped].
type Names = driver.NameMode

// The name modes, as [driver.NameMode] defines them.
const (
	NamesNative  = driver.NamesNative
	NamesEscaped = driver.NamesEscaped
)

// NativeID checks that name is a secret id as Secret Manager takes it (1 to
// 255 letters, digits, '-' and '_'), the rule of [NamesNative], and returns
// it unchanged; otherwise it is an error with code [driver.InvalidName] that
// states the rule.
func NativeID(name string) (string, error) {
	if name == "" || len(name) > MaxSecretIDLen {
		return "", driver.Errorf(driver.InvalidName,
			"gcpsm: name %q: a Secret Manager secret id holds 1 to %d letters, digits, '-' and '_' (names=escaped maps any portable name)",
			name, MaxSecretIDLen)
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; !plainIDByte(c) && c != '_' {
			return "", driver.Errorf(driver.InvalidName,
				"gcpsm: name %q: byte %q is not allowed: a Secret Manager secret id holds 1 to %d letters, digits, '-' and '_' (names=escaped maps any portable name)",
				name, c, MaxSecretIDLen)
		}
	}
	return name, nil
}

// idOf returns the secret id of name in the store's naming mode.
func (s *Store) idOf(name string) (string, error) {
	if s.opts.Names == NamesEscaped {
		return SecretID(name)
	}
	return NativeID(name)
}

// nameOf returns the name a secret id stands for in the store's naming
// mode, and false for ids that stand for none.
func (s *Store) nameOf(id string) (string, bool) {
	if s.opts.Names == NamesEscaped {
		return NameOf(id)
	}
	_, err := NativeID(id)
	return id, err == nil
}

// prefixOf returns the id prefix of every id whose name starts with prefix,
// and false when no such id can exist.
func (s *Store) prefixOf(prefix string) (string, bool) {
	if s.opts.Names == NamesEscaped {
		return prefixID(prefix)
	}
	for i := 0; i < len(prefix); i++ {
		if c := prefix[i]; !plainIDByte(c) && c != '_' {
			return "", false
		}
	}
	return prefix, true
}

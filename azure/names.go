package azure

import (
	"crypto/sha256"
	"encoding/base32"
	"strings"

	"github.com/secretstore-go/secretstore/driver"
)

// MaxNameLen is the longest Key Vault secret name, in characters.
const MaxNameLen = 127

// hashLen is the length of the hash part of a hashed name: SHA-256 in
// unpadded base32.
const hashLen = 52

// hashMark separates the readable prefix of a hashed name from its hash. The
// plain encoding never produces two dashes in a row, so a name holds it if
// and only if it is hashed.
const hashMark = "--"

// maxHashedPrefix is the room left for the readable prefix of a hashed name.
const maxHashedPrefix = MaxNameLen - len(hashMark) - hashLen

// NameTag is the tag that holds the portable name of a secret whose Key Vault
// name is hashed (see the package documentation), so that the name can be
// listed and checked.
const NameTag = "secretstore-name"

// escapes maps each punctuation byte of the portable alphabet to the digit
// that follows '-' in its escape. Upper-case letters are escaped as '-' and
// the lower-case letter; '9' and '-' are never used after '-'.
var escapes = [256]byte{
	'/': '0',
	'.': '1',
	'_': '2',
	':': '3',
	'@': '4',
	'+': '5',
	'=': '6',
	'-': '7',
	'!': '8',
}

// unescapes is the inverse of escapes.
var unescapes = func() (t [256]byte) {
	for c, d := range escapes {
		if d != 0 {
			t[d] = byte(c)
		}
	}
	return t
}()

var lowerBase32 = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// plainName returns the plain encoding of a portable name: lower-case letters
// and digits as they are, every other byte as '-' and one character. It
// reports false for a byte outside the portable alphabet. The result may be
// longer than Key Vault allows.
func plainName(name string) (string, bool) {
	var b strings.Builder
	b.Grow(len(name) + len(name)/4)
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
			b.WriteByte(c)
		case 'A' <= c && c <= 'Z':
			b.WriteByte('-')
			b.WriteByte(c + ('a' - 'A'))
		case escapes[c] != 0:
			b.WriteByte('-')
			b.WriteByte(escapes[c])
		default:
			return "", false
		}
	}
	return b.String(), true
}

// encodeName returns the Key Vault name of a portable name and whether it is
// hashed (then the secret must carry the portable name in [NameTag]). Its
// result is always 1 to [MaxNameLen] lower-case letters, digits and dashes.
// It reports false for an empty name or a byte outside the portable
// alphabet.
func encodeName(name string) (kv string, hashed, ok bool) {
	if name == "" {
		return "", false, false
	}
	plain, ok := plainName(name)
	if !ok {
		return "", false, false
	}
	if len(plain) <= MaxNameLen {
		return plain, false, true
	}
	// Keep a readable prefix, cut at the end of a whole escape.
	cut := maxHashedPrefix
	if plain[cut-1] == '-' {
		cut--
	}
	sum := sha256.Sum256([]byte(name))
	return plain[:cut] + hashMark + lowerBase32.EncodeToString(sum[:]), true, true
}

// decodeName returns the portable name of a Key Vault name made by
// encodeName. Key Vault compares names without regard to case, so case is
// ignored. For a hashed name, tag is the value of its [NameTag]; it is
// accepted only if it encodes back to kv. decodeName reports false for a
// name encodeName never makes, such as one written by another tool.
func decodeName(kv, tag string) (string, bool) {
	kv = strings.ToLower(kv)
	if strings.Contains(kv, hashMark) {
		if enc, hashed, ok := encodeName(tag); ok && hashed && enc == kv {
			return tag, true
		}
		return "", false
	}
	if kv == "" || len(kv) > MaxNameLen {
		return "", false
	}
	var b strings.Builder
	b.Grow(len(kv))
	for i := 0; i < len(kv); i++ {
		c := kv[i]
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
			b.WriteByte(c)
		case c == '-' && i+1 < len(kv):
			i++
			d := kv[i]
			switch {
			case 'a' <= d && d <= 'z':
				b.WriteByte(d - ('a' - 'A'))
			case unescapes[d] != 0:
				b.WriteByte(unescapes[d])
			default:
				return "", false
			}
		default:
			return "", false
		}
	}
	return b.String(), true
}

// rawName reports whether name is already a legal Key Vault name: 1 to
// [MaxNameLen] ASCII letters, digits and dashes.
func rawName(name string) bool {
	if name == "" || len(name) > MaxNameLen {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// Names is how the driver maps the portable Store's names to Key Vault names (see
// "Names" in the package documentation for the exact mapping of each mode):
// [NamesNative], the default, or [NamesEscaped].
type Names = driver.NameMode

// The name modes, as [driver.NameMode] defines them.
const (
	NamesNative  = driver.NamesNative
	NamesEscaped = driver.NamesEscaped
)

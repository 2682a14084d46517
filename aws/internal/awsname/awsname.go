// Package awsname maps portable secret names to AWS Secrets Manager names
// and back; see "Names" in the documentation of package awssm.
package awsname

import (
	"strings"

	"github.com/secretstore-go/secretstore"
)

// MaxLen is the longest secret name AWS Secrets Manager accepts. The
// encoding of every portable name fits: it is at most twice as long as the
// portable name, which has at most 256 bytes.
const MaxLen = 512

// escape starts every escape sequence of the encoding. It is a character
// that AWS allows and the rarest of the portable alphabet in real names.
const escape = '='

// The characters that follow [escape] in an escape sequence.
const (
	escColon  = 'c' // ':' is not in AWS's alphabet
	escEquals = 'e' // the escape character itself
	escHyphen = 'h' // a '-' that would be followed by exactly six characters
	escBang   = 'b' // '!' is AWS's only for the secrets its services create
)

// suffixLen is the length of the random suffix AWS puts after a '-' at the
// end of a secret's ARN. A name that itself ends in '-' and six characters
// makes a partial ARN ambiguous, so the encoding never produces one.
const suffixLen = 6

// Encode maps a valid portable name to its AWS secret name: ':' becomes
// "=c", '=' becomes "=e", '!' becomes "=b", and a '-' that would be followed by exactly six
// more characters of the result becomes "=h". Every other byte is itself.
func Encode(name string) string {
	out := escapeName(name)
	// Only a literal '-' can sit suffixLen+1 bytes from the end: the second
	// byte of an escape sequence is a letter. Escaping it adds a byte before
	// it, so it stays exactly suffixLen bytes from the end, now as 'h'.
	if p := len(out) - suffixLen - 1; p >= 0 && out[p] == '-' {
		out = out[:p] + string([]byte{escape, escHyphen}) + out[p+1:]
	}
	return out
}

// Decode maps an AWS secret name back to the portable name it encodes.
// It reports false for names that no portable name encodes to (secrets made
// by other tools with a stray '=', or ending in '-' and six characters):
// such a secret cannot be read through this driver under any name, so List
// leaves it out.
func Decode(aws string) (string, bool) {
	if aws == "" || len(aws) > MaxLen {
		return "", false
	}
	var b strings.Builder
	b.Grow(len(aws))
	for i := 0; i < len(aws); i++ {
		c := aws[i]
		if c != escape {
			b.WriteByte(c)
			continue
		}
		if i+1 == len(aws) {
			return "", false
		}
		i++
		switch aws[i] {
		case escColon:
			b.WriteByte(':')
		case escEquals:
			b.WriteByte(escape)
		case escHyphen:
			b.WriteByte('-')
		case escBang:
			b.WriteByte('!')
		default:
			return "", false
		}
	}
	name := b.String()
	// Only the canonical encoding counts: "=h" away from the suffix
	// position, or a bare '-' at it, is not what Encode writes.
	if secretstore.ValidateName(name) != nil || Encode(name) != aws {
		return "", false
	}
	return name, true
}

// FilterPrefix returns an AWS name prefix that every encoding of a portable
// name starting with prefix starts with, for ListSecrets' name filter. It is
// the prefix's encoding cut before the first '-' that the end of a longer
// name could still turn into "=h" (one followed by at most suffixLen bytes).
func FilterPrefix(prefix string) string {
	out := escapeName(prefix)
	tail := max(0, len(out)-suffixLen-1)
	if p := strings.IndexByte(out[tail:], '-'); p >= 0 {
		out = out[:tail+p]
	}
	return out
}

// escapeName writes ':' as "=c", '=' as "=e" and '!' as "=b"; every other
// byte is itself.
func escapeName(name string) string {
	n := strings.Count(name, ":") + strings.Count(name, string(escape)) + strings.Count(name, "!")
	if n == 0 {
		return name
	}
	var b strings.Builder
	b.Grow(len(name) + n + 2)
	for i := 0; i < len(name); i++ {
		switch c := name[i]; c {
		case ':':
			b.WriteByte(escape)
			b.WriteByte(escColon)
		case escape:
			b.WriteByte(escape)
			b.WriteByte(escEquals)
		case '!':
			b.WriteByte(escape)
			b.WriteByte(escBang)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

package secretstore

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
)

// Redacted is what a [Secret] prints instead of its value, whatever the
// formatting path: fmt verbs, slog, encoding/json, encoding.TextMarshaler.
const Redacted = "[REDACTED]"

// Secret holds a secret value and refuses to print it. The zero Secret holds
// the empty value.
//
// The only way to the plaintext is [Secret.Reveal]. Every fmt verb (including
// %#v, %x, %q and %d) prints [Redacted]; so do log/slog (through LogValue),
// encoding/json and encoding.TextMarshaler. The plaintext sits behind a
// pointer, so that reflection-based printers of a struct holding a Secret in
// an unexported field print an address, never the bytes; encoding/gob refuses
// to encode it.
//
// A Secret is immutable and safe to copy and share between goroutines.
type Secret struct {
	p *string
}

// NewSecret wraps plaintext in a Secret. Any bytes are kept exactly, including
// binary, non-UTF-8 and empty values.
func NewSecret(plaintext string) Secret { return Secret{p: &plaintext} }

// Reveal returns the plaintext. Call it at the last moment, where the value
// is used, and never pass its result to a logger or an error.
func (s Secret) Reveal() string {
	if s.p == nil {
		return ""
	}
	return *s.p
}

// Len returns the length of the value in bytes. Lengths are not secret.
func (s Secret) Len() int { return len(s.Reveal()) }

// Equal reports whether candidate equals the secret, in time that depends
// neither on where they differ nor on the length of either (both are hashed
// with SHA-256 first). Use it to check API keys and passwords presented by
// clients.
func (s Secret) Equal(candidate string) bool {
	a := sha256.Sum256([]byte(s.Reveal()))
	b := sha256.Sum256([]byte(candidate))
	return subtle.ConstantTimeCompare(a[:], b[:]) == 1
}

// String returns [Redacted].
func (Secret) String() string { return Redacted }

// GoString returns [Redacted], for %#v.
func (Secret) GoString() string { return Redacted }

// Format writes [Redacted] for every verb and flag.
func (Secret) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(Redacted)) }

// LogValue makes log/slog print [Redacted].
func (Secret) LogValue() slog.Value { return slog.StringValue(Redacted) }

// MarshalText returns [Redacted].
func (Secret) MarshalText() ([]byte, error) { return []byte(Redacted), nil }

// MarshalJSON returns the JSON string "[REDACTED]".
func (Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + Redacted + `"`), nil }

// errGob is returned when something tries to gob-encode a Secret.
var errGob = errors.New("secretstore: a Secret refuses to be gob-encoded; call Reveal explicitly")

// GobEncode refuses: gob is a transport format, and a redacted placeholder
// would silently replace the value on the other side.
func (Secret) GobEncode() ([]byte, error) { return nil, errGob }

// Secrets maps names to secrets, as returned by [Store.Get]. A name that does
// not exist is absent. Printing a Secrets prints names and [Redacted] values.
type Secrets map[string]Secret

// Reveal returns the plaintext of name, or "" if name is absent.
func (ss Secrets) Reveal(name string) string { return ss[name].Reveal() }

// Has reports whether name is present.
func (ss Secrets) Has(name string) bool {
	_, ok := ss[name]
	return ok
}

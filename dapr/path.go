package dapr

import (
	"strings"

	"github.com/secretstore-go/secretstore/driver"
)

// location is where a portable name lives in Dapr: a secret of the store, and
// a key of that secret's map.
type location struct {
	secret, key string
	// whole: the name reads the secret's map as a JSON object when the
	// map lacks key (a name without a key separator, without Options.Key).
	whole bool
}

// locate maps a portable name to its Dapr secret and key (see "Names" in the
// package documentation). The mapping is injective: distinct names never
// share a location. A name it cannot map is an error with code
// [driver.InvalidName].
func (c *config) locate(name string) (location, error) {
	if c.keySep != "" {
		if i := strings.LastIndex(name, c.keySep); i >= 0 {
			secret, key := name[:i], name[i+len(c.keySep):]
			switch {
			case secret == "" || key == "":
				return location{}, driver.Errorf(driver.InvalidName,
					"dapr: name %q: the secret and the key around the key separator %q must not be empty", name, c.keySep)
			case key == c.defaultKey(secret):
				// "s<sep>k" would read what "s" reads: refuse the second
				// spelling, so that distinct names never collide.
				return location{}, driver.Errorf(driver.InvalidName,
					"dapr: name %q: the key is the secret's default key; write the name as %q", name, secret)
			}
			return location{secret: secret, key: key}, nil
		}
	}
	return location{secret: name, key: c.defaultKey(name), whole: c.key == ""}, nil
}

// defaultKey is the key read for a name without a key separator: the fixed
// key when one is configured, otherwise the secret's own name, which is what
// Dapr's single-value stores (local.file, local.env, the cloud secret
// managers) return.
func (c *config) defaultKey(secret string) string {
	if c.key != "" {
		return c.key
	}
	return secret
}

// bulkSegment is the last path segment of Dapr's bulk route.
const bulkSegment = "bulk"

// escapeSegment percent-encodes s as one path segment of Dapr's HTTP API.
//
// Dapr 1.14 routes on the escaped path (chi, after path.Clean of
// r.URL.EscapedPath()) and then decodes each route parameter with
// url.QueryUnescape. So every byte other than an ASCII letter, digit, '-' or
// '_' is encoded as %XX: '/' stays inside the segment, '+' is not read as a
// space, '.' and '..' are not removed by path cleaning, and ':' cannot be
// mistaken for a scheme. A secret named "bulk" is written "%62ulk", so that
// it reaches the get route rather than the bulk route; Dapr decodes it back
// to "bulk".
func escapeSegment(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(3 * len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if plainByte(c) && !(i == 0 && s == bulkSegment) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// plainByte reports the bytes escapeSegment writes as they are.
func plainByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_'
}

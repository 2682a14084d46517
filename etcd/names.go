package etcd

import "strings"

// Sub-prefixes under the store's key prefix. Secrets live under "/s/", so
// that listing them never meets the metadata key.
const (
	secretsDir = "/s/"
	metaKey    = "/meta"
)

// keyOf returns the etcd key of a portable name: the prefix, "/s/" and the
// name as-is (portable names are ASCII letters, digits and ._-:@+=/, which
// etcd keys hold unchanged).
func keyOf(prefix, name string) string { return prefix + secretsDir + name }

// nameOf returns the portable name of an etcd key under prefix, or false
// when the key is not a secret of this store.
func nameOf(prefix, key string) (string, bool) {
	name, ok := strings.CutPrefix(key, prefix+secretsDir)
	return name, ok && name != ""
}

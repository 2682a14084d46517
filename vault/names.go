package vault

import (
	"strings"

	"github.com/secretstore-go/secretstore"
)

// The name mapping is the identity: a portable name is the secret's path
// below the mount, verbatim, so "/" in a name is a level of Vault's path and
// the layout is the reference's (one secret per path, one field). It is
// reversible and collision-free because Vault paths are case-sensitive and
// every byte of the portable alphabet (letters, digits, ! . _ - : @ + = /) is
// used as-is in Vault's URLs. The portable Store validates names before they
// reach the driver: no name starts or ends with "/" or has an empty, "." or
// ".." level, so the api client's path cleaning leaves a name's path
// unchanged and no name can address anything outside the mount.

// On KV v1 one thing differs: the secret's path is its key in Vault's
// storage, and Vault's storage refuses a key that contains "..", which the
// portable grammar allows inside a level ("a..b", "..a"). There, and only
// there, the driver writes "~" (not a portable name character) between two
// dots: "a..b" is stored at "a.~.b". Names without ".." are unchanged, and a
// listed path is a name only if it is the escaped form of one.

// escapeDots returns the KV v1 path of name.
func escapeDots(name string) string {
	if !strings.Contains(name, "..") {
		return name
	}
	var b strings.Builder
	b.Grow(len(name) + len(name)/2)
	for i := 0; i < len(name); i++ {
		b.WriteByte(name[i])
		if name[i] == '.' && i+1 < len(name) && name[i+1] == '.' {
			b.WriteByte('~')
		}
	}
	return b.String()
}

// unescapeDots returns the name whose KV v1 path is rel, and whether there
// is one.
func unescapeDots(rel string) (string, bool) {
	if !strings.Contains(rel, "~") && !strings.Contains(rel, "..") {
		return rel, true
	}
	name := strings.ReplaceAll(rel, "~", "")
	return name, escapeDots(name) == rel
}

// relPath returns the path of name below the mount's data (or root) path.
func relPath(kv int, name string) string {
	if kv == 1 {
		return escapeDots(name)
	}
	return name
}

// dataPath returns the API path (without "/v1/") of name's value: the KV v2
// "data" endpoint, or the KV v1 path itself.
func dataPath(mount string, kv int, name string) string {
	if kv == 1 {
		return mount + "/" + escapeDots(name)
	}
	return mount + "/data/" + name
}

// metadataPath returns the KV v2 metadata path of name, or of the folder
// dir (which ends in "/" or is empty for the mount's root).
func metadataPath(mount, name string) string { return mount + "/metadata/" + name }

// listPath returns the API path that lists the folder whose path below the
// mount is rel ("" for the root of the mount, otherwise ending in "/").
func listPath(mount string, kv int, rel string) string {
	if kv == 1 {
		return mount + "/" + rel
	}
	return metadataPath(mount, rel)
}

// nameOf returns the portable name of a secret's path below the mount (as
// Vault lists it), and whether it is one: a secret written by another tool
// may have a path that is not a portable name (a space, say), and such a
// path is not a name of this store.
func nameOf(kv int, rel string) (string, bool) {
	name := rel
	if kv == 1 {
		var ok bool
		if name, ok = unescapeDots(rel); !ok {
			return "", false
		}
	}
	if secretstore.ValidateName(name) != nil {
		return "", false
	}
	return name, true
}

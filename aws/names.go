package awssm

import (
	"strings"

	"github.com/secretstore-go/secretstore"
	"github.com/secretstore-go/secretstore/aws/internal/awsname"
	"github.com/secretstore-go/secretstore/driver"
)

// Names is how the driver maps the portable Store's names to AWS secret names (see
// "Names" in the package documentation for the exact mapping of each mode):
// [NamesNative], the default, or [NamesEscaped].
type Names = driver.NameMode

// The name modes, as [driver.NameMode] defines them.
const (
	NamesNative  = driver.NamesNative
	NamesEscaped = driver.NamesEscaped
)

// MaxNameLen is the longest AWS secret name, in bytes.
const MaxNameLen = 512

// nameRule is AWS's rule for secret names, as errors state it.
const nameRule = "AWS secret names hold 1 to 512 ASCII letters, digits and / _ + = . @ - (and ! in the names of secrets AWS's services manage, such as rds!db-...)"

// nativeByte reports whether c may be part of an AWS secret name: AWS's
// documented alphabet, and '!', which AWS's services put in the names of the
// secrets they manage (rds!db-..., events!connection/...).
func nativeByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("/_+=.@-!", c) >= 0
}

// validNative reports whether name can be an AWS secret name.
func validNative(name string) bool {
	if name == "" || len(name) > MaxNameLen {
		return false
	}
	for i := 0; i < len(name); i++ {
		if !nativeByte(name[i]) {
			return false
		}
	}
	return true
}

// awsName returns the AWS secret name of a portable name, or an error with
// code [driver.InvalidName] naming AWS's rule.
func (s *Store) awsName(name string) (string, error) {
	if s.opts.Names == NamesEscaped {
		return awsname.Encode(name), nil
	}
	if !validNative(name) {
		return "", driver.Errorf(driver.InvalidName, "awssm: name %q: %s", name, nameRule)
	}
	return name, nil
}

// portableName returns the portable name of an AWS secret name, and false
// when no portable name maps to it (List leaves such secrets out).
func (s *Store) portableName(id string) (string, bool) {
	if s.opts.Names == NamesEscaped {
		return awsname.Decode(id)
	}
	return id, validNative(id) && secretstore.ValidateName(id) == nil
}

// filterPrefix returns the name filter for ListSecrets that every AWS name
// of a portable name starting with prefix matches ("" for none), and false
// when no AWS name can start with prefix. AWS's filter values take the
// secret name alphabet without '!', and a leading '!' negates the filter,
// so the filter stops before the first '!'.
func (s *Store) filterPrefix(prefix string) (string, bool) {
	if s.opts.Names == NamesEscaped {
		return awsname.FilterPrefix(prefix), true
	}
	for i := 0; i < len(prefix); i++ {
		if !nativeByte(prefix[i]) {
			return "", false
		}
	}
	f, _, _ := strings.Cut(prefix, "!")
	return f, true
}

// ambiguous reports whether AWS could read id as a partial ARN: it ends in
// '-' and six characters, the shape of the suffix AWS puts after a secret's
// name in its ARN. A request naming such an id may reach another secret,
// whose name is id without that suffix.
func ambiguous(id string) bool {
	const suffix = 6
	return len(id) > suffix+1 && id[len(id)-suffix-1] == '-'
}

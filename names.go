package secretstore

import (
	"fmt"
	"strings"
)

// MaxNameLen is the longest portable name, in bytes, including a scope's
// prefix.
const MaxNameLen = 256

// nameByte marks the bytes allowed in a portable name: ASCII letters and
// digits and ! . _ - : @ + = / .
var nameByte = func() (t [256]bool) {
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
	}
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = true
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for _, c := range "!._-:@+=/" {
		t[c] = true
	}
	return t
}()

// ValidateName reports whether name is a valid portable name, and if not,
// which rule it breaks. The error matches [ErrInvalidName].
//
// # Name grammar
//
// A portable name is 1 to [MaxNameLen] bytes of ASCII letters, digits and the
// characters ! . _ - : @ + = / (so "tenant:acme:stripeApiKey",
// "db/primary/password" and AWS's "rds!db-0123" are names; '!' is there
// because services name the secrets they manage with it). '/' separates hierarchy levels: a name
// neither starts nor ends with '/', and no level is empty, "." or "..".
// Spaces, control characters and non-ASCII characters (including Unicode
// look-alikes of the allowed punctuation) are refused. Names are
// case-sensitive; drivers whose backend is not must map them so that distinct
// names never collide.
func ValidateName(name string) error {
	if reason := checkName(name, false); reason != "" {
		return &nameError{name: name, reason: reason}
	}
	return nil
}

// validName is the hot path's check: one pass, no allocation. It agrees with
// checkName(name, false) == "".
func validName(name string) bool {
	n := len(name)
	if n == 0 || n > MaxNameLen {
		return false
	}
	start := 0
	for i := 0; i < n; i++ {
		c := name[i]
		if c == '/' {
			if badLevel(name[start:i]) {
				return false
			}
			start = i + 1
		} else if !nameByte[c] {
			return false
		}
	}
	return !badLevel(name[start:])
}

// badLevel reports an empty, "." or ".." level.
func badLevel(l string) bool {
	return len(l) == 0 || (l[0] == '.' && (len(l) == 1 || (len(l) == 2 && l[1] == '.')))
}

// checkName returns the rule name breaks, or "". With partial, name is a scope
// prefix: it may end in '/' or in an unfinished level, since a name completes
// it; only its finished levels are checked.
func checkName(name string, partial bool) string {
	if !partial && validName(name) {
		return ""
	}
	if name == "" {
		return "is empty"
	}
	if len(name) > MaxNameLen {
		return fmt.Sprintf("is longer than %d bytes", MaxNameLen)
	}
	for i := 0; i < len(name); i++ {
		if !nameByte[name[i]] {
			return fmt.Sprintf("has a character that is not allowed at byte %d (allowed: ASCII letters, digits and ! . _ - : @ + = /)", i)
		}
	}
	if name[0] == '/' {
		return "starts with '/'"
	}
	if !partial && name[len(name)-1] == '/' {
		return "ends with '/'"
	}
	start := 0
	for i := 0; i <= len(name); i++ {
		if i < len(name) && name[i] != '/' {
			continue
		}
		if i == len(name) && partial {
			// An unfinished level of a prefix: a name completes it, so "."
			// or ".." could only become longer levels; refuse them anyway,
			// since such a prefix reads as traversal.
			if lvl := name[start:]; lvl == "." || lvl == ".." {
				return "ends in a '.' or '..' level"
			}
			break
		}
		switch name[start:i] {
		case "":
			return "has an empty level ('//')"
		case ".", "..":
			return "has a '.' or '..' level"
		}
		start = i + 1
	}
	return ""
}

// nameError is the error of a name that breaks the grammar. Names are not
// secret, but a refused name may be garbage: it is quoted with %q so control
// characters cannot forge log lines.
type nameError struct {
	name   string
	reason string
}

func (e *nameError) Error() string {
	n := e.name
	if len(n) > MaxNameLen+16 {
		n = n[:MaxNameLen+16] + "..."
	}
	return fmt.Sprintf("invalid secret name %q: %s", n, e.reason)
}

func (e *nameError) Is(target error) bool { return target == ErrInvalidName }

// joinNames renders names for an error message.
func joinNames(names []string) string {
	var b strings.Builder
	for i, n := range names {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%q", n)
	}
	return b.String()
}

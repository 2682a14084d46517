package awssm

import (
	"strings"
	"testing"

	"github.com/secretstore-go/secretstore"
	"github.com/secretstore-go/secretstore/driver"
)

// FuzzNativeNames checks native mode's mapping for any string: a name is
// accepted exactly when every byte is in AWS's alphabet (with '!') and it
// has 1 to 512 bytes, and is then its own AWS name; a refusal has code
// InvalidName and states the rule; an accepted valid portable name lists
// as itself; and the List filter of each of its prefixes is a prefix of it
// that never starts with '!' (which AWS would read as a negation).
func FuzzNativeNames(f *testing.F) {
	for _, s := range []string{"myapp-secret", "prod/db-master", "rds!db-1234", "a:b", "a b", "", "!x", "a/!b", strings.Repeat("a", 513)} {
		f.Add(s)
	}
	s := &Store{}
	f.Fuzz(func(t *testing.T, name string) {
		id, err := s.awsName(name)
		want := name != "" && len(name) <= MaxNameLen && strings.Trim(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/_+=.@-!") == ""
		if (err == nil) != want {
			t.Fatalf("awsName(%q) = %v; want accepted %v", name, err, want)
		}
		if err != nil {
			if driver.CodeOf(err) != driver.InvalidName || !strings.Contains(err.Error(), "/ _ + = . @ -") {
				t.Fatalf("awsName(%q): %v, want InvalidName stating AWS's rule", name, err)
			}
			return
		}
		if id != name {
			t.Fatalf("awsName(%q) = %q", name, id)
		}
		if secretstore.ValidateName(name) != nil {
			if _, ok := s.portableName(id); ok {
				t.Fatalf("portableName(%q) accepted a name the portable grammar refuses", id)
			}
			return
		}
		if back, ok := s.portableName(id); !ok || back != name {
			t.Fatalf("portableName(%q) = %q, %v", id, back, ok)
		}
		for i := range len(name) + 1 {
			f, ok := s.filterPrefix(name[:i])
			if !ok || !strings.HasPrefix(id, f) || strings.HasPrefix(f, "!") || strings.Contains(f, "!") {
				t.Fatalf("filterPrefix(%q) = %q, %v for the name %q", name[:i], f, ok, name)
			}
		}
	})
}

package secretstore_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/secretstore-go/secretstore"
	"github.com/secretstore-go/secretstore/memstore"
)

func TestValidateName(t *testing.T) {
	valid := []string{"a", "paymentApiKey", "tenant:acme:stripeApiKey", "db/primary/password", "a.b_c-d:e@f+g=h",
		"..a", "a..", ".hidden", "x/.y", "x/..y", "0", strings.Repeat("n", secretstore.MaxNameLen)}
	for _, n := range valid {
		if err := secretstore.ValidateName(n); err != nil {
			t.Errorf("ValidateName(%q) = %v, want valid", n, err)
		}
	}
	invalid := map[string]string{
		"": "empty",
		strings.Repeat("n", secretstore.MaxNameLen+1): "longer",
		"/a":          "starts with",
		"a/":          "ends with",
		"a//b":        "empty level",
		".":           "'.'",
		"..":          "'.'",
		"a/./b":       "'.'",
		"a/../b":      "'.'",
		"../a":        "'.'",
		"a/..":        "'.'",
		"a b":         "character",
		"a\tb":        "character",
		"a\nb":        "character",
		"a\x00b":      "character",
		"a\\b":        "character",
		"ａ":           "character", // fullwidth a
		"tenant：acme": "character", // fullwidth colon
		"a%2fb":       "character",
		"a\u200bb":    "character", // zero-width space
		"caf\u00e9":   "character",
		"a*b":         "character",
		"a?b":         "character",
		"a#b":         "character",
	}
	for n, rule := range invalid {
		err := secretstore.ValidateName(n)
		if !errors.Is(err, secretstore.ErrInvalidName) {
			t.Errorf("ValidateName(%q) = %v, want ErrInvalidName", n, err)
			continue
		}
		if !strings.Contains(err.Error(), rule) {
			t.Errorf("ValidateName(%q) = %q, want it to name the rule (%s)", n, err, rule)
		}
	}
}

// FuzzValidateName checks the grammar's promises on any input: a valid name
// is short, of the alphabet, and has no empty, "." or ".." level.
func FuzzValidateName(f *testing.F) {
	for _, s := range []string{"a", "a/b", "../x", "a//b", "tenant:acme:k", "ａ", "a/./b", "/", "x/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		err := secretstore.ValidateName(name)
		if err != nil {
			if !errors.Is(err, secretstore.ErrInvalidName) {
				t.Fatalf("error does not match ErrInvalidName: %v", err)
			}
			return
		}
		if name == "" || len(name) > secretstore.MaxNameLen {
			t.Fatalf("accepted a name of %d bytes", len(name))
		}
		for _, level := range strings.Split(name, "/") {
			if level == "" || level == "." || level == ".." {
				t.Fatalf("accepted %q with level %q", name, level)
			}
		}
		for i := 0; i < len(name); i++ {
			c := name[i]
			if c >= 0x80 || c <= ' ' || strings.IndexByte(`\%*?#"'<>|,;&$()[]{}~^`+"`", c) >= 0 {
				t.Fatalf("accepted %q with byte %#x", name, c)
			}
		}
	})
}

// recorder is a driver that records the names that reach it.
type recorder struct {
	*memstore.Store
	seen []string
}

func (r *recorder) Get(ctx context.Context, names []string) (map[string]string, error) {
	r.seen = append(r.seen, names...)
	return r.Store.Get(ctx, names)
}

func (r *recorder) Set(ctx context.Context, name, value string) error {
	r.seen = append(r.seen, name)
	return r.Store.Set(ctx, name, value)
}

func (r *recorder) Remove(ctx context.Context, name string) error {
	r.seen = append(r.seen, name)
	return r.Store.Remove(ctx, name)
}

// FuzzScope checks that no name given to a scoped view reaches a backend name
// outside the scope's prefix, and that every name reaching the backend is
// valid.
func FuzzScope(f *testing.F) {
	f.Add("tenant:acme:", "stripeApiKey", "x")
	f.Add("tenant/acme/", "../globex/key", "y")
	f.Add("t/", "/etc", "")
	f.Add("t:", "a/../../b", "..")
	f.Add("a/", "..", "x/y")
	f.Fuzz(func(t *testing.T, prefix, name, sub string) {
		rec := &recorder{Store: memstore.New(nil)}
		root := secretstore.New(rec, secretstore.EnableSet(true), secretstore.EnableRemove(true), secretstore.WithLogger(nil))
		view, err := root.Scope(prefix)
		if err != nil {
			return
		}
		if v2, err := view.Scope(sub); err == nil {
			view = v2
		}
		ctx := context.Background()
		_ = view.Set(ctx, name, "v")
		_, _ = view.Get(ctx, name, name+"/x")
		_, _, _ = view.Lookup(ctx, name)
		_ = view.Remove(ctx, name)
		for _, n := range rec.seen {
			if !strings.HasPrefix(n, view.Prefix()) || !strings.HasPrefix(n, prefix) {
				t.Fatalf("scope %q let %q reach backend name %q", view.Prefix(), name, n)
			}
			if err := secretstore.ValidateName(n); err != nil {
				t.Fatalf("an invalid name reached the backend: %v", err)
			}
		}
	})
}

// FuzzValidNameAgrees checks that the hot path's one-pass check and the
// descriptive check never disagree.
func FuzzValidNameAgrees(f *testing.F) {
	for _, s := range []string{"a", "a/b", "../x", "a//b", ".", "..", "...", "a/.", "a/..b", "/", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if secretstore.ValidNameFast(name) != (secretstore.ValidateName(name) == nil) {
			t.Fatalf("the two checks disagree on %q", name)
		}
	})
}

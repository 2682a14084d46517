package secretstore_test

import (
	"bytes"
	"encoding/gob"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/secretstore-go/secretstore"
)

const plain = "hunter2-PLAINTEXT"

// holder keeps secrets where careless code keeps them: exported and
// unexported fields, pointers, maps and slices.
type holder struct {
	Public  secretstore.Secret
	private secretstore.Secret
	Ptr     *secretstore.Secret
	Map     secretstore.Secrets
	List    []secretstore.Secret
	Any     any
}

func newHolder() holder {
	s := secretstore.NewSecret(plain)
	return holder{Public: s, private: s, Ptr: &s, Map: secretstore.Secrets{"k": s}, List: []secretstore.Secret{s}, Any: s}
}

func TestSecretNeverPrints(t *testing.T) {
	s := secretstore.NewSecret(plain)
	h := newHolder()
	var out bytes.Buffer
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%o", "%b", "%c", "%U", "%e", "%t", "%p", "%10.3s", "%-20v", "% x", "%#x"} {
		fmt.Fprintf(&out, verb+"|", s)
		fmt.Fprintf(&out, verb+"|", h)
		fmt.Fprintf(&out, verb+"|", &h)
	}
	fmt.Fprint(&out, s, h, &h)
	fmt.Fprintln(&out, s, h, &h)
	out.WriteString(fmt.Sprint(s.String(), s.GoString()))
	for _, handler := range []slog.Handler{slog.NewTextHandler(&out, nil), slog.NewJSONHandler(&out, nil)} {
		l := slog.New(handler)
		l.Info("msg", "secret", s, "holder", h, "ptr", &h, "group", slog.GroupValue(slog.Any("s", s)))
		l.Info("msg", slog.Any("map", h.Map), slog.Any("list", h.List))
	}
	j, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	out.Write(j)
	x, _ := xml.Marshal(struct{ S secretstore.Secret }{s})
	out.Write(x)
	text, _ := s.MarshalText()
	out.Write(text)
	got := out.String()
	if strings.Contains(got, plain) || strings.Contains(got, fmt.Sprintf("%x", plain)) || strings.Contains(strings.ToLower(got), fmt.Sprintf("%x", plain)) {
		t.Fatalf("a secret value was printed: %s", got)
	}
	if !strings.Contains(got, secretstore.Redacted) {
		t.Fatalf("output lacks the redaction marker: %s", got)
	}
}

func TestSecretRefusesGob(t *testing.T) {
	var buf bytes.Buffer
	err := gob.NewEncoder(&buf).Encode(struct{ S secretstore.Secret }{secretstore.NewSecret(plain)})
	if err == nil {
		t.Fatal("gob encoded a Secret")
	}
	if strings.Contains(buf.String(), plain) || strings.Contains(err.Error(), plain) {
		t.Fatal("gob revealed the value")
	}
}

func TestSecretRevealKeepsBytes(t *testing.T) {
	for _, v := range []string{"", "\x00", "\xff\xfe", "multi\nline\r\n", strings.Repeat("x", 1<<16)} {
		s := secretstore.NewSecret(v)
		if s.Reveal() != v || s.Len() != len(v) {
			t.Fatalf("Reveal changed a value of %d bytes", len(v))
		}
	}
	var zero secretstore.Secret
	if zero.Reveal() != "" || zero.Len() != 0 || !zero.Equal("") {
		t.Fatal("zero Secret is not the empty value")
	}
}

func TestSecretEqual(t *testing.T) {
	s := secretstore.NewSecret("api-key-1")
	cases := map[string]bool{"api-key-1": true, "api-key-2": false, "api-key-1 ": false, "": false, "API-KEY-1": false}
	for c, want := range cases {
		if got := s.Equal(c); got != want {
			t.Errorf("Equal(%q) = %v, want %v", c, got, want)
		}
	}
}

func TestSecretsHelpers(t *testing.T) {
	ss := secretstore.Secrets{"a": secretstore.NewSecret("1"), "empty": secretstore.NewSecret("")}
	if !ss.Has("a") || !ss.Has("empty") || ss.Has("b") {
		t.Fatal("Has is wrong")
	}
	if ss.Reveal("a") != "1" || ss.Reveal("b") != "" {
		t.Fatal("Reveal is wrong")
	}
}

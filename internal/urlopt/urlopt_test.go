package urlopt_test

import (
	"errors"
	"net/url"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/secretstore-go/secretstore/internal/urlopt"
)

var known = []string{"flag", "n", "wait", "mode", "ca-file", "names", "meta.", "a", "b"}

func parse(t *testing.T, raw string) (*urlopt.Query, error) {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("url.Parse(%q): %v", raw, err)
	}
	return urlopt.Parse(u, "x", known...)
}

func TestGetters(t *testing.T) {
	abs := "/etc/x/ca.pem"
	if runtime.GOOS == "windows" {
		abs = "/C:/x/ca.pem"
	}
	q, err := parse(t, "x://h/p?flag=1&n=7&wait=250ms&mode=b&ca-file="+abs+"&names=a,+b&meta.region=eu&meta.zone=1")
	if err != nil {
		t.Fatal(err)
	}
	if !q.Bool("flag", false) || q.Bool("absent", true) != true {
		t.Error("Bool")
	}
	if q.Int("n", 1, 10, 0) != 7 || q.Int("absent", 1, 10, 3) != 3 {
		t.Error("Int")
	}
	if q.Retries("n", 10) != 7 || q.Retries("absent", 10) != 0 {
		t.Error("Retries")
	}
	if q.Duration("wait", 0) != 250*time.Millisecond || q.Duration("absent", time.Second) != time.Second {
		t.Error("Duration")
	}
	if q.Enum("mode", "a", "a", "b") != "b" || q.Enum("absent", "a", "a", "b") != "a" {
		t.Error("Enum")
	}
	if got := q.File("ca-file"); !filepath.IsAbs(got) || q.File("absent") != "" {
		t.Errorf("File = %q", got)
	}
	if got := q.List("names"); len(got) != 2 || got[0] != "a" || got[1] != "b" {
		t.Errorf("List = %q", got)
	}
	if got := q.Prefixed("meta."); len(got) != 2 || got["region"] != "eu" || got["zone"] != "1" {
		t.Errorf("Prefixed = %v", got)
	}
	if q.String("mode", "") != "b" || !q.Has("flag") || q.Has("absent") {
		t.Error("String/Has")
	}
	if err := q.Err(); err != nil {
		t.Fatal(err)
	}
}

func TestRefusals(t *testing.T) {
	for _, c := range []struct{ url, want string }{
		{"y://h", "scheme"},
		{"x:opaque", "two slashes"},
		{"x://user:hunter2@h", "credentials"},
		{"x://h#frag", "fragment"},
		{"x://h?%zz", "malformed"},
		{"x://h?other=1", `"other": unknown parameter`},
		{"x://h?api_token=hunter2", "credential"},
		{"x://h?hunter2", "unknown parameter"},
		{"x://h?Hunter2Secret!=1", "credential"},
		{"x://h?Hunter2!=1", "(an unknown parameter)"},
		{"x://h?n=1&n=2", `"n": given more than once`},
		{"x://h?n=", `"n": has no value`},
		{"x://h?meta.=1", "unknown parameter"},
	} {
		_, err := parse(t, c.url)
		var ue *urlopt.Error
		if err == nil || !strings.Contains(err.Error(), c.want) || !errors.As(err, &ue) {
			t.Errorf("Parse(%s) = %v, want an *Error containing %q", c.url, err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), "hunter2") {
			t.Errorf("Parse(%s) echoes a value: %v", c.url, err)
		}
	}
}

func TestGetterErrors(t *testing.T) {
	for _, c := range []struct {
		query string
		get   func(q *urlopt.Query)
		want  string
	}{
		{"flag=yes", func(q *urlopt.Query) { q.Bool("flag", false) }, `"flag": want 1, 0, true or false`},
		{"n=11", func(q *urlopt.Query) { q.Int("n", 1, 10, 0) }, `"n": want a whole number from 1 to 10`},
		{"n=x", func(q *urlopt.Query) { q.Int("n", 1, 1<<30, 0) }, "to 65536"},
		{"wait=-1s", func(q *urlopt.Query) { q.Duration("wait", 0) }, `"wait": want a positive duration`},
		{"mode=c", func(q *urlopt.Query) { q.Enum("mode", "a", "a", "b") }, `"mode": want a or b`},
		{"ca-file=rel/ca.pem", func(q *urlopt.Query) { q.File("ca-file") }, `"ca-file": want an absolute file path`},
		{"names=a,,b", func(q *urlopt.Query) { q.List("names") }, `"names": want a comma-separated list`},
		{"a=1", func(q *urlopt.Query) { q.Together("a", "b") }, `"a": goes together with b`},
		{"a=1&b=1", func(q *urlopt.Query) { q.Exclusive("a", "b") }, `"a": cannot be combined with b`},
		{"", func(q *urlopt.Query) { q.Require("a") }, `"a": required`},
	} {
		q, err := parse(t, "x://h?"+c.query)
		if err != nil {
			t.Fatal(err)
		}
		c.get(q)
		if err := q.Err(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: Err() = %v, want %q", c.query, err, c.want)
		}
	}
}

func TestRetriesZero(t *testing.T) {
	q, err := parse(t, "x://h?n=0")
	if err != nil {
		t.Fatal(err)
	}
	if got := q.Retries("n", 10); got != -1 || q.Err() != nil {
		t.Errorf("Retries of n=0 = %d, %v; want -1 (no retry)", got, q.Err())
	}
}

func TestFirstErrorKept(t *testing.T) {
	q, err := parse(t, "x://h?flag=maybe&n=0")
	if err != nil {
		t.Fatal(err)
	}
	if q.Bool("flag", true) != true || q.Int("n", 1, 5, 2) != 2 {
		t.Error("a getter that fails must return the default")
	}
	if err := q.Err(); err == nil || !strings.Contains(err.Error(), `"flag"`) {
		t.Errorf("Err() = %v, want the first error (flag)", err)
	}
}

// FuzzParse checks that no URL makes Parse or a getter panic, that an error
// never repeats a parameter's value, and that what Parse accepts holds only
// known names, each once.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"x://h?flag=1&n=7&wait=1s&mode=a&ca-file=/a/b&names=a,b&meta.k=v",
		"x://h?n=1&n=2", "x://h?password=s3cr3tvalue", "x://u:p@h", "x://h?%zz", "x://h?ca-file=%00",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		u, err := url.Parse(raw)
		if err != nil {
			return
		}
		q, err := urlopt.Parse(u, "x", known...)
		if err != nil {
			checkNoValue(t, u, err)
			return
		}
		q.Bool("flag", false)
		q.Int("n", 1, 100, 0)
		q.Duration("wait", 0)
		q.Enum("mode", "a", "a", "b")
		q.File("ca-file")
		q.List("names")
		q.Prefixed("meta.")
		q.Together("a", "b")
		if err := q.Err(); err != nil {
			checkNoValue(t, u, err)
		}
	})
}

// checkNoValue fails if err holds a parameter value (or the password) long
// enough to be a leak rather than a coincidence with the message's words.
func checkNoValue(t *testing.T, u *url.URL, err error) {
	t.Helper()
	if v := urlopt.Echoed(u, err.Error(), strings.Join(known, ",")); v != "" {
		t.Fatalf("error repeats the value %q: %v", v, err)
	}
}

func TestEchoed(t *testing.T) {
	u, _ := url.Parse("x://u:hunter2pw@h?a=s3cr3tvalue&b=short&abcdefgh=1")
	for _, c := range []struct{ msg, want string }{
		{"a: want s3cr3tvalue", "s3cr3tvalue"},
		{"bad password hunter2pw", "hunter2pw"},
		{`"abcdefgh": unknown parameter`, ""},
		{"b is short", ""},
		{"nothing here", ""},
	} {
		if got := urlopt.Echoed(u, c.msg, ""); got != c.want {
			t.Errorf("Echoed(%q) = %q, want %q", c.msg, got, c.want)
		}
	}
}

package main

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/secretstore-go/secretstore"
)

func TestRotate(t *testing.T) {
	e := newEnv(t)
	e.init()
	e.ok("old-VALUE", "set", "svc/token")
	if r := e.ok("", "rotate", "svc/token"); r.stdout != "" || strings.Contains(r.stderr, "old-VALUE") {
		t.Fatalf("rotate printed something: %+v", r)
	}
	v := e.ok("", "get", "svc/token").stdout
	if len(v) != 32 || strings.Trim(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") != "" {
		t.Fatalf("rotated value: %d bytes, not 32 alphanumerics", len(v))
	}
	e.ok("", "rotate", "svc/token", "--length", "10", "--alphabet", "hex")
	if v := e.ok("", "get", "svc/token").stdout; len(v) != 10 || strings.Trim(v, "0123456789abcdef") != "" {
		t.Fatalf("hex value: %q", v)
	}
	e.ok("", "rotate", "svc/hmac", "--bytes", "24")
	var m map[string]string
	if err := json.Unmarshal([]byte(e.ok("", "get", "-o", "json-base64", "svc/hmac", "svc/token").stdout), &m); err != nil {
		t.Fatal(err)
	}
	if b, err := base64.StdEncoding.DecodeString(m["svc/hmac"]); err != nil || len(b) != 24 {
		t.Fatalf("--bytes 24 made %d bytes (%v)", len(b), err)
	}
	e.ok("given\x00value", "rotate", "svc/token", "--stdin")
	if v := e.ok("", "get", "svc/token").stdout; v != "given\x00value" {
		t.Fatal("--stdin did not store standard input exactly")
	}
	for _, args := range [][]string{
		{"rotate"}, {"rotate", "x", "--length", "0"}, {"rotate", "x", "--alphabet", "a"},
		{"rotate", "x", "--bytes", "0"}, {"rotate", "x", "--bytes", "4", "--stdin"},
	} {
		e.fail(exitUsage, "", args...)
	}
	e.fail(1, "", "rotate", "x", "--stdin") // empty standard input
	e.fail(1, "", "rotate", "bad name")
}

func TestWatch(t *testing.T) {
	e := newEnv(t)
	e.init()
	e.ok("v1-VALUE", "set", "app/token")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	outR, outW := io.Pipe()
	errR, errW := io.Pipe()
	done := make(chan int)
	go func() {
		a := newApp()
		a.isTerminal = func(any) bool { return false }
		done <- a.run(ctx, []string{"watch", "--interval", "5ms", "app/token", "app/other"}, strings.NewReader(""), outW, errW)
		outW.Close()
		errW.Close()
	}()
	errLines := bufio.NewScanner(errR)
	if !errLines.Scan() || !strings.HasPrefix(errLines.Text(), "watching app/token, app/other") {
		t.Fatalf("watch did not start: %q", errLines.Text())
	}
	go io.Copy(io.Discard, errR)
	e.ok("v2-VALUE", "set", "app/token")
	out := bufio.NewScanner(outR)
	if !out.Scan() || !strings.HasSuffix(out.Text(), " changed app/token") {
		t.Fatalf("after a set: %q", out.Text())
	}
	e.ok("", "rm", "app/token")
	if !out.Scan() || !strings.HasSuffix(out.Text(), " removed app/token") {
		t.Fatalf("after rm: %q", out.Text())
	}
	if strings.Contains(out.Text(), "VALUE") {
		t.Fatal("watch printed a value")
	}
	cancel()
	go io.Copy(io.Discard, outR)
	if code := <-done; code != 0 {
		t.Fatalf("watch exited %d after interruption", code)
	}
}

func TestRedactJSONEscapedValues(t *testing.T) {
	e := newEnv(t)
	e.init()
	e.ok(`pa"ss\word`, "set", "db/pw")
	in := `{"msg":"connect","dsn":"user:pa\"ss\\word@db"}` + "\n"
	out := e.ok(in, "redact").stdout
	if strings.Contains(out, `pa\"ss\\word`) || !strings.Contains(out, "[REDACTED]") {
		t.Fatalf("a JSON-escaped value survived redaction: %s", out)
	}
}

// FuzzCheckAlphabet: an alphabet is accepted exactly when it is valid UTF-8
// of two or more characters, none repeated.
func FuzzCheckAlphabet(f *testing.F) {
	for _, s := range []string{"ab", "aab", "äöü", "ää", "\xff\xfe", "a", "", secretstore.Printable} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		runes := []rune(s)
		seen := map[rune]bool{}
		for _, r := range runes {
			seen[r] = true
		}
		want := utf8.ValidString(s) && len(runes) >= 2 && len(seen) == len(runes)
		if got := checkAlphabet(s) == nil; got != want {
			t.Errorf("checkAlphabet(%q) accepted: %v, want %v", s, got, want)
		}
	})
}

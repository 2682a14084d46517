package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/secretstore-go/secretstore/filestore"
	"github.com/secretstore-go/secretstore/internal/redact"
)

// env is a fresh home for one test: the default store and key live in it.
type env struct {
	t      *testing.T
	home   string
	db     string
	key    string
	fakeTT func(stream any) bool // isTerminal, default: nothing is
	typed  []string              // lines "typed" at a prompt
}

func newEnv(t *testing.T) *env {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_DATA_HOME", filepath.Join(home, "data"))
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, "config"))
	t.Setenv(envURL, "")
	return &env{
		t:    t,
		home: home,
		db:   filepath.Join(home, "data", "secretstore", "secrets.db"),
		key:  filepath.Join(home, "config", "secretstore", "key"),
	}
}

type result struct {
	code           int
	stdout, stderr string
}

// run runs the command line in-process with stdin.
func (e *env) run(stdin io.Reader, args ...string) result {
	e.t.Helper()
	a := newApp()
	a.isTerminal = func(any) bool { return false }
	if e.fakeTT != nil {
		a.isTerminal = e.fakeTT
	}
	a.readPassword = func(any) ([]byte, error) {
		if len(e.typed) == 0 {
			return nil, io.EOF
		}
		line := e.typed[0]
		e.typed = e.typed[1:]
		return []byte(line), nil
	}
	if stdin == nil {
		stdin = strings.NewReader("")
	}
	var stdout, stderr bytes.Buffer
	code := a.run(context.Background(), args, stdin, &stdout, &stderr)
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// ok runs a command line that must succeed.
func (e *env) ok(stdin string, args ...string) result {
	e.t.Helper()
	r := e.run(strings.NewReader(stdin), args...)
	if r.code != 0 {
		e.t.Fatalf("%q: exit %d, stderr:\n%s", args, r.code, r.stderr)
	}
	return r
}

// fail runs a command line that must exit with code.
func (e *env) fail(code int, stdin string, args ...string) result {
	e.t.Helper()
	r := e.run(strings.NewReader(stdin), args...)
	if r.code != code {
		e.t.Fatalf("%q: exit %d, want %d; stdout %q, stderr:\n%s", args, r.code, code, r.stdout, r.stderr)
	}
	if r.stderr == "" {
		e.t.Fatalf("%q: exit %d without a message on stderr", args, code)
	}
	return r
}

func (e *env) init() {
	e.t.Helper()
	e.ok("", "init")
}

const binaryValue = "\x00bin\xff\xfe\r\n\x00 tail \n\n"

func TestInit(t *testing.T) {
	e := newEnv(t)
	r := e.ok("", "init")
	if !strings.Contains(r.stdout, e.db) || !strings.Contains(r.stdout, e.key) {
		t.Errorf("init output does not name the files:\n%s", r.stdout)
	}
	if runtime.GOOS != "windows" {
		for path, want := range map[string]fs.FileMode{
			e.key: 0o600, filepath.Dir(e.key): 0o700 | fs.ModeDir,
			e.db: 0o600, filepath.Dir(e.db): 0o700 | fs.ModeDir,
		} {
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode() != want {
				t.Errorf("%s has mode %v, want %v", path, fi.Mode(), want)
			}
		}
	}
	key, _ := os.ReadFile(e.key)
	if len(key) != 32 {
		t.Fatalf("key file has %d bytes", len(key))
	}
	e.ok("x", "set", "a")

	// A second init overwrites nothing.
	r = e.fail(1, "", "init")
	if !strings.Contains(r.stderr, "exists already") {
		t.Errorf("second init: %s", r.stderr)
	}
	if again, _ := os.ReadFile(e.key); !bytes.Equal(again, key) {
		t.Error("second init changed the key file")
	}
	if got := e.ok("", "get", "a").stdout; got != "x" {
		t.Errorf("after a second init, a = %q", got)
	}

	// A store deleted while its key remains: init keeps the key.
	os.Remove(e.db)
	r = e.ok("", "init")
	if !strings.Contains(r.stdout, "existing key file") {
		t.Errorf("init with an existing key: %s", r.stdout)
	}
	if again, _ := os.ReadFile(e.key); !bytes.Equal(again, key) {
		t.Error("init replaced an existing key file")
	}
}

func TestNoStoreYet(t *testing.T) {
	e := newEnv(t)
	r := e.fail(1, "", "get", "a")
	if !strings.Contains(r.stderr, "no store at "+e.db) || !strings.Contains(r.stderr, "secretstore init") {
		t.Errorf("get before init: %s", r.stderr)
	}
	if _, err := os.Stat(e.db); !errors.Is(err, fs.ErrNotExist) {
		t.Error("get created the store")
	}
}

func TestSetGetBinaryRoundTrip(t *testing.T) {
	e := newEnv(t)
	e.init()
	// Read in small pieces, as from a pipe.
	r := e.run(iotest.HalfReader(strings.NewReader(binaryValue)), "set", "bin/value")
	if r.code != 0 || r.stdout != "" {
		t.Fatalf("set: exit %d, stdout %q, stderr %s", r.code, r.stdout, r.stderr)
	}
	if got := e.ok("", "get", "bin/value").stdout; got != binaryValue {
		t.Fatalf("get = %q, want %q exactly", got, binaryValue)
	}

	// Replacing keeps nothing of the old value; a trailing newline is kept.
	e.ok("new\n", "set", "bin/value")
	if got := e.ok("", "get", "bin/value").stdout; got != "new\n" {
		t.Fatalf("get = %q, want %q", got, "new\n")
	}
}

func TestGetNewlineOnlyOnTerminal(t *testing.T) {
	e := newEnv(t)
	e.init()
	e.ok("v", "set", "a")
	if got := e.ok("", "get", "a").stdout; got != "v" {
		t.Errorf("get to a pipe = %q, want %q", got, "v")
	}
	e.fakeTT = func(s any) bool { _, isBuf := s.(*bytes.Buffer); return isBuf }
	if got := e.ok("", "get", "a").stdout; got != "v\n" {
		t.Errorf("get to a terminal = %q, want %q", got, "v\n")
	}
}

func TestGetJSON(t *testing.T) {
	e := newEnv(t)
	e.init()
	e.ok("plain", "set", "a")
	e.ok("ünïcode \"quoted\" <tag> \x00\n", "set", "b")
	e.ok(binaryValue, "set", "bin")

	decode := func(s string) map[string]string {
		t.Helper()
		var m map[string]string
		if err := json.Unmarshal([]byte(s), &m); err != nil {
			t.Fatalf("not a JSON object: %v\n%s", err, s)
		}
		return m
	}
	// Several names: JSON by default.
	m := decode(e.ok("", "get", "a", "b").stdout)
	if len(m) != 2 || m["a"] != "plain" || m["b"] != "ünïcode \"quoted\" <tag> \x00\n" {
		t.Errorf("get a b = %q", m)
	}
	// One name with -o json.
	if m := decode(e.ok("", "get", "-o", "json", "a").stdout); len(m) != 1 || m["a"] != "plain" {
		t.Errorf("get -o json a = %q", m)
	}
	// Not UTF-8: refused, naming the secret, printing nothing.
	r := e.fail(1, "", "get", "a", "bin")
	if r.stdout != "" || !strings.Contains(r.stderr, "bin is not valid UTF-8") || !strings.Contains(r.stderr, "json-base64") {
		t.Errorf("get a bin: stdout %q, stderr %s", r.stdout, r.stderr)
	}
	// Base64: exact.
	m = decode(e.ok("", "get", "-o", "json-base64", "a", "bin").stdout)
	for name, want := range map[string]string{"a": "plain", "bin": binaryValue} {
		got, err := base64.StdEncoding.DecodeString(m[name])
		if err != nil || string(got) != want {
			t.Errorf("json-base64 %s = %q (%v), want %q", name, got, err, want)
		}
	}
	// Raw takes one name; unknown formats are usage errors.
	e.fail(2, "", "get", "-o", "raw", "a", "b")
	e.fail(2, "", "get", "-o", "yaml", "a")
}

func TestGetMissing(t *testing.T) {
	e := newEnv(t)
	e.init()
	e.ok("v", "set", "here")
	r := e.fail(3, "", "get", "here", "gone/one", "gone/two")
	if r.stdout != "" {
		t.Errorf("get with missing names printed %q", r.stdout)
	}
	if !strings.Contains(r.stderr, "not found: gone/one, gone/two") || strings.Contains(r.stderr, "here") {
		t.Errorf("stderr does not name exactly the missing secrets: %s", r.stderr)
	}
	r = e.fail(1, "", "get", "bad name")
	if !strings.Contains(r.stderr, "bad name") {
		t.Errorf("invalid name: %s", r.stderr)
	}
}

func TestSetSources(t *testing.T) {
	e := newEnv(t)
	e.init()

	file := filepath.Join(e.home, "value.bin")
	os.WriteFile(file, []byte(binaryValue), 0o600)
	e.ok("ignored", "set", "f", "--from-file", file)
	if got := e.ok("", "get", "f").stdout; got != binaryValue {
		t.Errorf("--from-file: %q", got)
	}
	e.fail(1, "", "set", "f", "--from-file", filepath.Join(e.home, "missing"))

	// Empty values need --allow-empty.
	r := e.fail(1, "", "set", "empty")
	if !strings.Contains(r.stderr, "--allow-empty") {
		t.Errorf("empty value: %s", r.stderr)
	}
	e.fail(3, "", "get", "empty")
	e.ok("", "set", "empty", "--allow-empty")
	if got := e.ok("", "get", "empty").stdout; got != "" {
		t.Errorf("empty value: %q", got)
	}

	// Never from an argument.
	r = e.fail(2, "", "set", "name", "arg-s3cret")
	if !strings.Contains(r.stderr, "never taken from the command line") || !strings.Contains(r.stderr, "--from-file") ||
		strings.Contains(r.stderr, "arg-s3cret") || strings.Contains(r.stderr, "accepts 1 arg") {
		t.Errorf("set NAME VALUE: %s", r.stderr)
	}
	e.fail(3, "", "get", "name")
	r = e.fail(2, "", "rotate", "name", "arg-s3cret")
	if !strings.Contains(r.stderr, "never taken from the command line") || strings.Contains(r.stderr, "arg-s3cret") {
		t.Errorf("rotate NAME VALUE: %s", r.stderr)
	}

	// Ctrl-D on an empty line at the prompt is the end of the input:
	// nothing is stored.
	e.fakeTT = func(s any) bool { _, ok := s.(*strings.Reader); return ok }
	e.typed = nil
	r = e.fail(1, "", "set", "eof")
	if !strings.Contains(r.stderr, "end of input") {
		t.Errorf("Ctrl-D at the prompt: %s", r.stderr)
	}
	e.fakeTT = nil
	e.fail(3, "", "get", "eof")

	// From a terminal: prompted twice, without the newline.
	e.fakeTT = func(s any) bool { _, ok := s.(*strings.Reader); return ok }
	e.typed = []string{"typed pw", "typed pw"}
	r = e.ok("", "set", "typed")
	if !strings.Contains(r.stderr, "Value for typed") || strings.Contains(r.stderr, "typed pw") {
		t.Errorf("prompt: %q", r.stderr)
	}
	e.typed = []string{"one", "other"}
	r = e.fail(1, "", "set", "typed")
	if !strings.Contains(r.stderr, "differ") {
		t.Errorf("mismatch: %s", r.stderr)
	}
	e.fakeTT = nil
	if got := e.ok("", "get", "typed").stdout; got != "typed pw" {
		t.Errorf("typed value = %q, want %q", got, "typed pw")
	}
}

func TestRm(t *testing.T) {
	e := newEnv(t)
	e.init()
	e.ok("v", "set", "a")
	e.ok("w", "set", "b")
	e.ok("", "rm", "a")
	e.fail(3, "", "get", "a")
	if got := e.ok("", "get", "b").stdout; got != "w" {
		t.Errorf("rm a touched b: %q", got)
	}
	r := e.fail(3, "", "rm", "a")
	if !strings.Contains(r.stderr, "not found: a") {
		t.Errorf("rm missing: %s", r.stderr)
	}
	e.ok("", "rm", "-f", "a")
	e.fail(2, "", "rm")
}

func TestLs(t *testing.T) {
	e := newEnv(t)
	e.init()
	if got := e.ok("", "ls").stdout; got != "" {
		t.Errorf("ls of an empty store: %q", got)
	}
	if got := e.ok("", "ls", "-o", "json").stdout; got != "[]\n" {
		t.Errorf("ls -o json of an empty store: %q", got)
	}
	for _, n := range []string{"prod/b", "dev/a", "prod/a", "prodx"} {
		e.ok("secret-"+n, "set", n)
	}
	r := e.ok("", "ls")
	if r.stdout != "dev/a\nprod/a\nprod/b\nprodx\n" {
		t.Errorf("ls = %q", r.stdout)
	}
	if strings.Contains(r.stdout, "secret-") {
		t.Error("ls printed a value")
	}
	if got := e.ok("", "ls", "prod/").stdout; got != "prod/a\nprod/b\n" {
		t.Errorf("ls prod/ = %q", got)
	}
	var names []string
	if err := json.Unmarshal([]byte(e.ok("", "ls", "-o", "json", "prod").stdout), &names); err != nil || strings.Join(names, ",") != "prod/a,prod/b,prodx" {
		t.Errorf("ls -o json prod = %q, %v", names, err)
	}
	e.fail(2, "", "ls", "a", "b")
}

func TestRedactCommand(t *testing.T) {
	e := newEnv(t)
	e.init()
	e.ok("hunter2", "set", "pw")
	e.ok("sk_live_abcdef", "set", "api")
	e.ok("sk_live_abc", "set", "api-short")
	e.ok(binaryValue, "set", "bin")
	in := "login pw=hunter2 key=sk_live_abcdef other=sk_live_abcX\n" + binaryValue + " end"
	want := "login pw=[REDACTED] key=[REDACTED] other=[REDACTED]X\n[REDACTED] end"
	// One byte per read: every value is split across reads.
	r := e.run(iotest.OneByteReader(strings.NewReader(in)), "redact")
	if r.code != 0 || r.stdout != want {
		t.Fatalf("redact: exit %d\n got %q\nwant %q\n%s", r.code, r.stdout, want, r.stderr)
	}

	r = e.ok(in, "redact", "--names", "pw,api-short")
	want = "login pw=[REDACTED] key=[REDACTED]def other=[REDACTED]X\n" + binaryValue + " end"
	if r.stdout != want {
		t.Errorf("redact --names:\n got %q\nwant %q", r.stdout, want)
	}
	r = e.fail(3, in, "redact", "--names", "pw,nope")
	if r.stdout != "" || !strings.Contains(r.stderr, "not found: nope") {
		t.Errorf("redact --names with a missing name: stdout %q, stderr %s", r.stdout, r.stderr)
	}
	e.fail(2, "", "redact", "extra-arg")
}

// TestRedactStreams checks that redact writes a line out before its input
// ends.
func TestRedactStreams(t *testing.T) {
	e := newEnv(t)
	e.init()
	e.ok("s3cr3t-value", "set", "v")

	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	done := make(chan result, 1)
	go func() {
		a := newApp()
		a.isTerminal = func(any) bool { return false }
		var stderr bytes.Buffer
		code := a.run(context.Background(), []string{"redact"}, inR, outW, &stderr)
		outW.Close()
		done <- result{code: code, stderr: stderr.String()}
	}()
	lines := make(chan string, 8)
	go func() {
		br := bufio.NewReader(outR)
		for {
			l, err := br.ReadString('\n')
			if l != "" {
				lines <- l
			}
			if err != nil {
				close(lines)
				return
			}
		}
	}()
	for i, in := range []string{"first s3cr3t-", "value\n", "second s3cr3t-value here\n"} {
		if _, err := io.WriteString(inW, in); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			continue // the line is not complete
		}
		select {
		case l := <-lines:
			if strings.Contains(l, "s3cr3t") || !strings.Contains(l, redact.Mask) {
				t.Fatalf("line %q", l)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("redact did not write a complete line out before its input ended")
		}
	}
	inW.Close()
	for l := range lines {
		t.Errorf("after the end of input: %q", l)
	}
	if r := <-done; r.code != 0 {
		t.Fatalf("redact: exit %d: %s", r.code, r.stderr)
	}
}

func TestRekey(t *testing.T) {
	e := newEnv(t)
	e.init()
	e.ok(binaryValue, "set", "bin")
	oldKey, _ := os.ReadFile(e.key)

	r := e.ok("", "rekey")
	if !strings.Contains(r.stdout, "Rekeyed") {
		t.Errorf("rekey: %s", r.stdout)
	}
	newKey, _ := os.ReadFile(e.key)
	if len(newKey) != 32 || bytes.Equal(newKey, oldKey) {
		t.Fatal("the key file was not replaced by a new key")
	}
	if _, err := os.Stat(e.key + rekeySuffix); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("rekey left %s", e.key+rekeySuffix)
	}
	if fi, err := os.Stat(e.key); err != nil || (runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600) {
		t.Errorf("new key file: %v %v", fi.Mode(), err)
	}
	if got := e.ok("", "get", "bin").stdout; got != binaryValue {
		t.Fatalf("after rekey, get = %q", got)
	}

	// The old key no longer opens the store.
	old := filepath.Join(e.home, "old.key")
	os.WriteFile(old, oldKey, 0o600)
	if s, err := filestore.Open(e.db, filestore.KeyFile(old), filestore.Options{}); !errors.Is(err, filestore.ErrWrongKey) {
		if s != nil {
			s.Close()
		}
		t.Fatalf("the old key opens the store after rekey: %v", err)
	}
	e.fail(1, "", "--store", fileURL(e.db, old), "get", "bin")
}

// TestRekeyInterrupted simulates the crashes rekey documents.
func TestRekeyInterrupted(t *testing.T) {
	e := newEnv(t)
	e.init()
	e.ok("v", "set", "a")
	pending := e.key + rekeySuffix

	// Interrupted before the store changed: a stale KEY.new.
	if err := filestore.NewKeyFile(pending); err != nil {
		t.Fatal(err)
	}
	stale, _ := os.ReadFile(pending)
	e.ok("", "get", "a")
	if r := e.ok("", "rekey"); !strings.Contains(r.stdout, "Rekeyed") {
		t.Errorf("rekey over a stale KEY.new: %s", r.stdout)
	}
	if k, _ := os.ReadFile(e.key); bytes.Equal(k, stale) {
		t.Error("rekey used the stale key instead of a new one")
	}
	e.ok("", "get", "a")

	// Interrupted after the store changed, before the rename.
	if err := filestore.NewKeyFile(pending); err != nil {
		t.Fatal(err)
	}
	s, err := filestore.Open(e.db, filestore.KeyFile(e.key), filestore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Rekey(context.Background(), filestore.KeyFile(pending)); err != nil {
		t.Fatal(err)
	}
	s.Close()
	want, _ := os.ReadFile(pending)
	r := e.fail(1, "", "get", "a")
	if !strings.Contains(r.stderr, "rekey was interrupted") || !strings.Contains(r.stderr, pending) {
		t.Errorf("get during an interrupted rekey: %s", r.stderr)
	}
	if r := e.ok("", "rekey"); !strings.Contains(r.stdout, "Finished an interrupted rekey") {
		t.Errorf("rekey after an interruption: %s", r.stdout)
	}
	if k, _ := os.ReadFile(e.key); !bytes.Equal(k, want) {
		t.Error("the key file is not the key of the interrupted rekey")
	}
	if got := e.ok("", "get", "a").stdout; got != "v" {
		t.Errorf("get after finishing the rekey = %q", got)
	}
}

func TestRekeyNeedsKeyFileStore(t *testing.T) {
	e := newEnv(t)
	r := e.fail(1, "", "--store", "mem://", "rekey")
	if !strings.Contains(r.stderr, "key file") {
		t.Errorf("rekey of mem://: %s", r.stderr)
	}
}

func TestQuickstartTwice(t *testing.T) {
	e := newEnv(t)
	first := e.ok("", "quickstart")
	for _, want := range []string{"created the store", e.db, e.key, demoName, "out: ", redact.Mask, "Try next"} {
		if !strings.Contains(first.stdout, want) {
			t.Errorf("first quickstart output lacks %q:\n%s", want, first.stdout)
		}
	}
	v1 := e.ok("", "get", demoName).stdout
	if len(v1) < 20 || strings.Contains(first.stdout, v1) || strings.Contains(first.stderr, v1) {
		t.Fatalf("quickstart printed its secret, or stored a short one (%d bytes)", len(v1))
	}
	e.ok("mine", "set", "my/secret")
	key, _ := os.ReadFile(e.key)

	second := e.ok("", "quickstart")
	if !strings.Contains(second.stdout, "using the store") || strings.Contains(second.stdout, "created") {
		t.Errorf("second quickstart:\n%s", second.stdout)
	}
	v2 := e.ok("", "get", demoName).stdout
	if v2 == v1 || strings.Contains(second.stdout, v2) {
		t.Error("second quickstart did not store a new value, or printed it")
	}
	if got := e.ok("", "get", "my/secret").stdout; got != "mine" {
		t.Errorf("quickstart touched another secret: %q", got)
	}
	if k, _ := os.ReadFile(e.key); !bytes.Equal(k, key) {
		t.Error("quickstart replaced the key")
	}
}

// TestValuesNeverInMessages runs commands that fail while a value is at hand
// and checks that it appears in no message.
func TestValuesNeverInMessages(t *testing.T) {
	e := newEnv(t)
	e.init()
	const v = "VALUE-\xff-must-not-leak"
	e.ok(v, "set", "s")
	e.ok("other-value", "set", "t")

	var stderr, stdout strings.Builder
	collect := func(r result) {
		stderr.WriteString(r.stderr)
		stdout.WriteString(r.stdout)
	}
	collect(e.fail(1, "", "get", "s", "t"))                // not UTF-8 for JSON
	collect(e.fail(1, "", "get", "-o", "json", "s"))       // not UTF-8 for JSON
	collect(e.fail(1, v, "set", "bad name"))               // invalid name, value on stdin
	collect(e.fail(1, v, "set", "/s"))                     // invalid name
	collect(e.fail(3, v, "redact", "--names", "s,nope"))   // missing name, value on stdin
	collect(e.fail(3, "", "get", "s", "nope"))             // missing name
	collect(e.fail(2, v, "set", "s", "--no-such-flag"))    // usage
	collect(e.fail(2, "", "set", "s", v))                  // a value as an argument
	collect(e.ok("", "ls"))                                // names only
	collect(e.ok(v, "set", "s"))                           // silent
	collect(e.ok("", "rekey"))                             // no value
	collect(e.ok("", "rm", "t"))                           // silent
	collect(e.ok("x "+v+" y", "redact"))                   // masked
	collect(e.ok("", "quickstart"))                        // no value
	collect(e.ok("", "get", "-o", "json-base64", "s"))     // encoded
	collect(e.fail(1, "", "--store", "mem://", "get", "")) // empty name

	// With a key that does not open the store.
	other := filepath.Join(e.home, "other.key")
	filestore.NewKeyFile(other)
	collect(e.fail(1, v, "--store", fileURL(e.db, other), "set", "s"))
	collect(e.fail(1, "", "--store", fileURL(e.db, other), "get", "s"))

	if strings.Contains(stderr.String(), v) || strings.Contains(stderr.String(), "must-not-leak") {
		t.Errorf("a value appears on stderr:\n%s", stderr.String())
	}
	if strings.Contains(stdout.String(), v) || strings.Contains(stdout.String(), "must-not-leak") {
		t.Errorf("a value appears on stdout of a command that should not print it:\n%s", stdout.String())
	}
	if !strings.Contains(stderr.String(), "wrong key") {
		t.Errorf("the wrong-key case did not run:\n%s", stderr.String())
	}
}

func TestStoreSelection(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	db, key := filepath.Join(dir, "s.db"), filepath.Join(dir, "k", "key")
	other := fileURL(db, key)

	// SECRETSTORE_URL selects a store; the default is left alone.
	t.Setenv(envURL, other)
	e.ok("", "init")
	e.ok("env", "set", "a")
	if _, err := os.Stat(e.db); !errors.Is(err, fs.ErrNotExist) {
		t.Fatal("the default store was created")
	}
	if _, err := os.Stat(key); err != nil {
		t.Fatal("init did not create the key of SECRETSTORE_URL's store")
	}
	// --store wins over SECRETSTORE_URL.
	e.ok("", "--store", "mem://", "ls")
	e.fail(3, "", "--store", "mem://", "get", "a")
	t.Setenv(envURL, "")
	e.fail(1, "", "get", "a") // the default store does not exist
	if got := e.ok("", "--store", other, "get", "a").stdout; got != "env" {
		t.Errorf("--store: %q", got)
	}
	r := e.fail(1, "", "--store", "nope://x", "get", "a")
	if !strings.Contains(r.stderr, "no driver registered") {
		t.Errorf("unknown scheme: %s", r.stderr)
	}
}

func TestDefaultPaths(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "darwin" || runtime.GOOS == "ios" || runtime.GOOS == "plan9" {
		t.Skip("XDG directories are for Unix systems")
	}
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_DATA_HOME", "")
	t.Setenv("XDG_CONFIG_HOME", "")
	db, key, err := defaultPaths()
	if err != nil || db != filepath.Join(home, ".local/share/secretstore/secrets.db") || key != filepath.Join(home, ".config/secretstore/key") {
		t.Errorf("defaults: %q %q %v", db, key, err)
	}
	t.Setenv("XDG_DATA_HOME", "/x/data")
	t.Setenv("XDG_CONFIG_HOME", "/x/conf")
	db, key, err = defaultPaths()
	if err != nil || db != "/x/data/secretstore/secrets.db" || key != "/x/conf/secretstore/key" {
		t.Errorf("XDG: %q %q %v", db, key, err)
	}
	t.Setenv("XDG_DATA_HOME", "relative")
	if _, _, err := defaultPaths(); err == nil {
		t.Error("a relative XDG_DATA_HOME was accepted")
	}

	// The default URL opens the store at those paths.
	u := fileURL("/x/data/dir with space/s.db", "/x/conf/k?ey")
	if db, key := keyFileStore(u); db != "/x/data/dir with space/s.db" || key != "/x/conf/k?ey" {
		t.Errorf("%s: %q %q", u, db, key)
	}
}

func TestUsageAndHelp(t *testing.T) {
	e := newEnv(t)
	r := e.fail(2, "", "frobnicate")
	if !strings.Contains(r.stderr, `unknown command "frobnicate"`) || !strings.Contains(r.stderr, "--help") {
		t.Errorf("unknown command: %s", r.stderr)
	}
	if r := e.fail(2, "", "lss"); !strings.Contains(r.stderr, `did you mean "ls"`) {
		t.Errorf("suggestion: %s", r.stderr)
	}
	e.fail(2, "")
	e.fail(2, "", "--nope")
	e.fail(2, "", "get")
	e.fail(2, "", "version", "x")

	root := e.ok("", "--help").stdout
	for _, want := range []string{"STORE SELECTION", "ENVIRONMENT", "SECRETSTORE_URL", "XDG_DATA_HOME", "FILES", "EXIT STATUS", "Examples:"} {
		if !strings.Contains(root, want) {
			t.Errorf("root help lacks %q", want)
		}
	}
	for _, c := range []string{"init", "get", "set", "rm", "ls", "redact", "rekey", "version", "quickstart"} {
		r := e.ok("", c, "--help")
		if !strings.Contains(r.stdout, "Usage:") || !strings.Contains(r.stdout, "secretstore "+c) {
			t.Errorf("%s --help:\n%s", c, r.stdout)
		}
	}
}

func TestVersion(t *testing.T) {
	e := newEnv(t)
	got := e.ok("", "version").stdout
	if !strings.HasPrefix(got, "secretstore ") || !strings.Contains(got, runtime.Version()) {
		t.Errorf("version = %q", got)
	}
}

func TestFields(t *testing.T) {
	e := newEnv(t)
	e.init()
	e.ok(`{"username":"app","password":"old"}`, "set", "db")
	if got := e.ok("", "get", "db#username").stdout; got != "app" {
		t.Fatalf("get db#username = %q", got)
	}
	e.ok("new", "set", "db#password")
	if got := e.ok("", "get", "db").stdout; got != `{"password":"new","username":"app"}` {
		t.Fatalf("after set db#password: %q", got)
	}
	e.ok("", "rm", "--force", "db#username")
	if got := e.ok("", "get", "db").stdout; got != `{"password":"new"}` {
		t.Fatalf("after rm db#username: %q", got)
	}
	e.fail(3, "", "get", "db#username")
	e.fail(1, "", "get", "db#")
}

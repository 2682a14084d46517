//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package main

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

// envAsMain makes the test binary run main instead of the tests, so that
// tests can run the command as a process and send it signals.
// With envAsMain_READY=1 too, it writes readyLine to standard error once
// it catches signals.
const (
	envAsMain = "SECRETSTORE_TEST_RUN_MAIN"
	readyLine = "test: signals caught\n"
)

func TestMain(m *testing.M) {
	if os.Getenv(envAsMain) == "1" {
		os.Exit(runMain(func() {
			if os.Getenv(envAsMain+"_READY") == "1" {
				os.Stderr.WriteString(readyLine)
			}
		}))
	}
	os.Exit(m.Run())
}

// command returns the command secretstore ARGS as a process, in e's home.
func (e *env) command(args ...string) *exec.Cmd {
	exe, err := os.Executable()
	if err != nil {
		e.t.Fatal(err)
	}
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), envAsMain+"=1")
	return cmd
}

// exitStatus returns the exit status of a finished process.
func exitStatus(t *testing.T, err error) int {
	t.Helper()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return ee.ExitCode()
	}
	t.Fatalf("wait: %v", err)
	return -1
}

// TestRedactEndsOnSignals runs redact with its input open (a pipe the test
// never closes) and stops it with SIGINT and SIGTERM once it has copied a
// line: it must end at once with 130 and 143, without the value.
func TestRedactEndsOnSignals(t *testing.T) {
	e := newEnv(t)
	e.init()
	e.ok("s3cret-value", "set", "a")
	for _, tc := range []struct {
		sig  syscall.Signal
		want int
	}{{syscall.SIGINT, 130}, {syscall.SIGTERM, 143}} {
		cmd := e.command("redact")
		in, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		io.WriteString(in, "line with s3cret-value in it\n")
		line, err := bufio.NewReader(out).ReadString('\n')
		if err != nil || line != "line with [REDACTED] in it\n" {
			t.Fatalf("redact copied %q, %v", line, err)
		}
		// redact now waits for more input, which never comes.
		cmd.Process.Signal(tc.sig)
		rest, _ := io.ReadAll(out)
		if got := exitStatus(t, cmd.Wait()); got != tc.want {
			t.Errorf("redact after %v: exit %d, want %d; stderr %q", tc.sig, got, tc.want, stderr.String())
		}
		if len(rest) != 0 {
			t.Errorf("redact wrote %q after %v", rest, tc.sig)
		}
		in.Close()
	}
}

// TestSetFromPipeEndsOnSignal: set reading its value from a pipe that
// stays open ends at once on SIGTERM, and stores nothing.
func TestSetFromPipeEndsOnSignal(t *testing.T) {
	e := newEnv(t)
	e.init()
	cmd := e.command("set", "partial")
	cmd.Env = append(cmd.Env, envAsMain+"_READY=1")
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	errs, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if line, err := bufio.NewReader(errs).ReadString('\n'); line != readyLine {
		t.Fatalf("child wrote %q, %v", line, err)
	}
	go io.Copy(io.Discard, errs)
	// Half a value is written; whenever the signal arrives, before or
	// after the read, nothing may be stored.
	io.WriteString(in, "half a val")
	cmd.Process.Signal(syscall.SIGTERM)
	if got := exitStatus(t, cmd.Wait()); got != 143 {
		t.Errorf("set after SIGTERM: exit %d, want 143", got)
	}
	in.Close()
	e.fail(3, "", "get", "partial")
}

// TestSetPromptOnTerminal runs set on a pseudo-terminal: Ctrl-C at the
// prompt ends it with 130, echo back on and nothing stored; Ctrl-D on an
// empty line ends the input and stores nothing; a value typed twice is
// stored.
func TestSetPromptOnTerminal(t *testing.T) {
	e := newEnv(t)
	e.init()

	start := func(args ...string) (*exec.Cmd, *os.File, *os.File, *bufio.Reader) {
		ptmx, tty, err := pty.Open()
		if err != nil {
			t.Skipf("no pseudo-terminal: %v", err)
		}
		cmd := e.command(args...)
		cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
		cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd, ptmx, tty, bufio.NewReader(ptmx)
	}
	// waitFor reads the terminal's output up to and including s.
	waitFor := func(r *bufio.Reader, s string) {
		t.Helper()
		var seen strings.Builder
		for !strings.HasSuffix(seen.String(), s) {
			b, err := r.ReadByte()
			if err != nil {
				t.Fatalf("terminal output %q, then %v; waiting for %q", seen.String(), err, s)
			}
			seen.WriteByte(b)
		}
	}
	echoOn := func(tty *os.File) bool {
		tio, err := unix.IoctlGetTermios(int(tty.Fd()), ioctlReadTermios)
		if err != nil {
			t.Fatal(err)
		}
		return tio.Lflag&unix.ECHO != 0
	}

	// Ctrl-C at the prompt, after part of a value was typed.
	cmd, ptmx, tty, r := start("set", "interrupted")
	waitFor(r, "(not echoed; Ctrl-D ends, Ctrl-C cancels): ")
	ptmx.Write([]byte("half"))
	ptmx.Write([]byte{3}) // Ctrl-C: the terminal sends SIGINT
	go io.Copy(io.Discard, r)
	if got := exitStatus(t, cmd.Wait()); got != 130 {
		t.Errorf("Ctrl-C at the prompt: exit %d, want 130", got)
	}
	if !echoOn(tty) {
		t.Error("Ctrl-C at the prompt left the terminal without echo")
	}
	ptmx.Close()
	tty.Close()
	e.fail(3, "", "get", "interrupted")

	// Ctrl-D on an empty line: the end of the input.
	cmd, ptmx, tty, r = start("set", "eof")
	waitFor(r, "Ctrl-C cancels): ")
	ptmx.Write([]byte{4})
	go io.Copy(io.Discard, r)
	if got := exitStatus(t, cmd.Wait()); got != 1 {
		t.Errorf("Ctrl-D at the prompt: exit %d, want 1", got)
	}
	if !echoOn(tty) {
		t.Error("Ctrl-D at the prompt left the terminal without echo")
	}
	ptmx.Close()
	tty.Close()
	e.fail(3, "", "get", "eof")

	// redact on a terminal: Ctrl-C ends it.
	cmd, ptmx, tty, r = start("redact")
	ptmx.Write([]byte("hello\n"))
	waitFor(r, "hello\r\nhello\r\n") // the terminal's echo, then redact's copy
	ptmx.Write([]byte{3})
	go io.Copy(io.Discard, r)
	if got := exitStatus(t, cmd.Wait()); got != 130 {
		t.Errorf("Ctrl-C in redact on a terminal: exit %d, want 130", got)
	}
	ptmx.Close()
	tty.Close()

	// A value typed twice is stored, without its newline.
	cmd, ptmx, tty, r = start("set", "typed")
	waitFor(r, "Ctrl-C cancels): ")
	ptmx.Write([]byte("typed value\n"))
	waitFor(r, "Again, to confirm: ")
	ptmx.Write([]byte("typed value\n"))
	go io.Copy(io.Discard, r)
	if got := exitStatus(t, cmd.Wait()); got != 0 {
		t.Errorf("a typed value: exit %d", got)
	}
	ptmx.Close()
	tty.Close()
	if got := e.ok("", "get", "typed").stdout; got != "typed value" {
		t.Errorf("typed value stored as %q", got)
	}
}

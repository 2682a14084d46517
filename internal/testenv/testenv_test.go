package testenv

import (
	"testing"
)

// recorder is a testing.TB that records how a test stopped.
type recorder struct {
	testing.TB
	skipped, failed bool
	msg             string
}

func (r *recorder) Helper() {}
func (r *recorder) Skipf(format string, args ...any) {
	r.skipped, r.msg = true, format
}
func (r *recorder) Fatalf(format string, args ...any) {
	r.failed, r.msg = true, format
}

func TestEnv(t *testing.T) {
	t.Setenv("TESTENV_A", "a")
	t.Setenv("TESTENV_B", "")
	for _, c := range []struct {
		ci           string
		vars         []string
		skip, fail   bool
		wantFirstVal string
	}{
		{"", []string{"TESTENV_A"}, false, false, "a"},
		{"true", []string{"TESTENV_A"}, false, false, "a"},
		{"", []string{"TESTENV_A", "TESTENV_B"}, true, false, "a"},
		{"false", []string{"TESTENV_B"}, true, false, ""},
		{"true", []string{"TESTENV_B"}, false, true, ""},
		{"1", []string{"TESTENV_A", "TESTENV_B"}, false, true, "a"},
	} {
		t.Setenv("CI", c.ci)
		r := &recorder{TB: t}
		vals := Env(r, "thing", c.vars...)
		if r.skipped != c.skip || r.failed != c.fail || vals[0] != c.wantFirstVal {
			t.Errorf("CI=%q, %v: skipped %v, failed %v, first value %q; want %v, %v, %q",
				c.ci, c.vars, r.skipped, r.failed, vals[0], c.skip, c.fail, c.wantFirstVal)
		}
		r = &recorder{TB: t}
		Live(r, "thing", c.vars...)
		if r.failed || r.skipped != (c.skip || c.fail) {
			t.Errorf("Live, CI=%q, %v: skipped %v, failed %v; want a skip exactly when a variable is unset", c.ci, c.vars, r.skipped, r.failed)
		}
	}
}

func TestBinary(t *testing.T) {
	t.Setenv("TESTENV_BIN", "/opt/thing")
	if got := Binary(t, "thing", "TESTENV_BIN", "no-such-binary-testenv"); got != "/opt/thing" {
		t.Fatalf("Binary = %q, want the variable's value", got)
	}
	t.Setenv("TESTENV_BIN", "")
	t.Setenv("CI", "true")
	r := &recorder{TB: t}
	Binary(r, "thing", "TESTENV_BIN", "no-such-binary-testenv")
	if !r.failed {
		t.Fatal("a missing binary under CI does not fail the test")
	}
}

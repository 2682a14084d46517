// Package testenv decides whether a test that needs something outside the
// process runs: a server CI starts (etcd, Vault, daprd), a binary, or a
// cloud account. It is the one place the repository's tests say "skip
// unless present" and "but never skip in CI".
//
// CI starts every server the tests need (.ci/services/*.sh) and sets CI to
// true: there a missing server is a broken pipeline, and the test fails
// instead of skipping. Cloud accounts are never in CI: tests against them
// ([Live]) skip whenever their settings are absent.
package testenv

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// InCI reports whether the CI environment variable is set to a true value
// (as .ci/run and hosted CI services set it).
func InCI() bool {
	ci, err := strconv.ParseBool(os.Getenv("CI"))
	return err == nil && ci
}

// Need stops a test that lacks what service needs, saying why: it skips,
// unless [InCI]: then it fails, since CI provides it with
// .ci/services/<service>.sh.
func Need(t testing.TB, service, why string) {
	t.Helper()
	if InCI() {
		t.Fatalf("CI is set but there is no %s: %s (.ci/services/%s.sh provides it)", service, why, service)
		return
	}
	t.Skipf("no %s: %s (.ci/services/%s.sh provides it; CI runs this test)", service, why, service)
}

// Env returns the values of the environment variables vars, which point the
// test at service. When one is unset, the test stops as [Need] says.
func Env(t testing.TB, service string, vars ...string) []string {
	t.Helper()
	vals, missing := lookup(vars)
	if len(missing) > 0 {
		Need(t, service, strings.Join(missing, " and ")+" not set")
	}
	return vals
}

// Binary returns the path of service's executable: the value of the
// environment variable envVar, or name found on PATH. Without either, the
// test stops as [Need] says.
func Binary(t testing.TB, service, envVar, name string) string {
	t.Helper()
	if p := os.Getenv(envVar); p != "" {
		return p
	}
	p, err := exec.LookPath(name)
	if err != nil {
		Need(t, service, envVar+" is not set and no "+name+" is on PATH")
	}
	return p
}

// Live returns the values of the environment variables vars, which point a
// test at a cloud account. When one is unset the test is skipped, in CI or
// not: CI has no cloud accounts.
func Live(t testing.TB, service string, vars ...string) []string {
	t.Helper()
	vals, missing := lookup(vars)
	if len(missing) > 0 {
		t.Skipf("live %s test skipped: set %s to run it", service, strings.Join(missing, ", "))
	}
	return vals
}

func lookup(vars []string) (vals, missing []string) {
	for _, v := range vars {
		val := os.Getenv(v)
		if val == "" {
			missing = append(missing, v)
		}
		vals = append(vals, val)
	}
	return vals, missing
}

package storetest_test

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/secretstore-go/secretstore/driver"
	"github.com/secretstore-go/secretstore/memstore"
	"github.com/secretstore-go/secretstore/storetest"
)

// broken is memstore with one defect a real driver could have.
type broken struct {
	*memstore.Store
	defect string
}

func (b broken) name(n string) string {
	if b.defect == "case-insensitive" {
		return strings.ToLower(n)
	}
	return n
}

func (b broken) Get(ctx context.Context, names []string) (map[string]string, error) {
	if b.defect == "ignores-cancel" {
		ctx = context.Background()
	}
	if b.defect == "returns-everything" {
		all, _ := b.Store.List(ctx, "")
		names = all
	}
	in := make([]string, len(names))
	for i, n := range names {
		in[i] = b.name(n)
	}
	got, err := b.Store.Get(ctx, in)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(got))
	for _, n := range names {
		if v, ok := got[b.name(n)]; ok {
			out[n] = v
		}
	}
	return out, nil
}

// Lookup hides memstore's fast path, so that every read goes through Get.
func (b broken) Lookup() {}

func (b broken) Set(ctx context.Context, name, value string) error {
	if b.defect == "ignores-cancel" {
		ctx = context.Background()
	}
	switch b.defect {
	case "trims-values":
		value = strings.TrimSpace(value)
	case "empty-is-missing":
		if value == "" {
			return b.Store.Remove(ctx, name)
		}
	}
	return b.Store.Set(ctx, b.name(name), value)
}

func (b broken) Remove(ctx context.Context, name string) error {
	if b.defect == "remove-missing-fails" {
		if got, _ := b.Store.Get(ctx, []string{name}); len(got) == 0 {
			return driver.Errorf(driver.NotFound, "no such secret")
		}
	}
	return b.Store.Remove(ctx, b.name(name))
}

// TestBroken runs the suite on one broken driver; TestSuiteCatchesDefects
// runs it in a child process per defect and expects it to fail.
func TestBroken(t *testing.T) {
	defect := os.Getenv("STORETEST_DEFECT")
	if defect == "" {
		t.Skip("run by TestSuiteCatchesDefects")
	}
	storetest.Run(t, storetest.Harness{Open: func(*testing.T) driver.Store {
		return broken{memstore.New(nil), defect}
	}})
}

func TestSuiteCatchesDefects(t *testing.T) {
	if os.Getenv("STORETEST_DEFECT") != "" {
		return
	}
	for defect, failingCase := range map[string]string{
		"case-insensitive":     "TrickyNames",
		"trims-values":         "Values",
		"empty-is-missing":     "Values",
		"remove-missing-fails": "RemoveMissing",
		"ignores-cancel":       "Canceled",
		"returns-everything":   "GetMany",
	} {
		t.Run(defect, func(t *testing.T) { wantCaught(t, "TestBroken", "STORETEST_DEFECT", defect, failingCase) })
	}
}

// wantCaught runs test in a child process with env set to defect, and
// expects the suite to fail there, in failingCase.
func wantCaught(t *testing.T, test, env, defect, failingCase string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+test+"$", "-test.v")
	cmd.Env = append(os.Environ(), env+"="+defect)
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("the suite passed a driver whose defect is %s", defect)
	}
	if !strings.Contains(string(out), "--- FAIL: "+test+"/"+failingCase) {
		t.Fatalf("the suite failed, but not in %s:\n%s", failingCase, out)
	}
}

func TestMemstorePasses(t *testing.T) {
	storetest.Run(t, storetest.Harness{Open: func(*testing.T) driver.Store { return memstore.New(nil) }})
}

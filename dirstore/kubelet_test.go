package dirstore_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// kubelet reproduces the atomic writer kubelet uses for Secret and
// ConfigMap volumes (pkg/volume/util/atomic_writer.go), one step at a time,
// so that tests can look at the directory between steps.
type kubelet struct {
	t   testing.TB
	dir string
	seq atomic.Int64
}

// writeSteps returns kubelet's steps for writing payload (relative path ->
// value) into k.dir, in order.
func (k *kubelet) writeSteps(payload map[string]string) []func() {
	t, dir := k.t, k.dir
	var oldTs, newTs string
	return []func(){
		// 1. a new timestamped directory holding the whole payload.
		func() {
			if l, err := os.Readlink(filepath.Join(dir, "..data")); err == nil {
				oldTs = l
			}
			newTs = fmt.Sprintf("..2026_12_06_21_00_%02d.%09d", k.seq.Load()%60, k.seq.Add(1))
			must(t, os.Mkdir(filepath.Join(dir, newTs), 0o755))
			for p, v := range payload {
				f := filepath.Join(dir, newTs, filepath.FromSlash(p))
				must(t, os.MkdirAll(filepath.Dir(f), 0o755))
				must(t, os.WriteFile(f, []byte(v), 0o644))
			}
		},
		// 2. the ..data_tmp link to it.
		func() { must(t, os.Symlink(newTs, filepath.Join(dir, "..data_tmp"))) },
		// 3. renamed over ..data: the one atomic step.
		func() { must(t, os.Rename(filepath.Join(dir, "..data_tmp"), filepath.Join(dir, "..data"))) },
		// 4. the user-visible links for the payload's top-level entries,
		// and the removal of those no longer in it.
		func() {
			top := map[string]bool{}
			for p := range payload {
				top[strings.SplitN(p, "/", 2)[0]] = true
			}
			for name := range top {
				link := filepath.Join(dir, name)
				if _, err := os.Lstat(link); err != nil {
					must(t, os.Symlink(filepath.Join("..data", name), link))
				}
			}
			ents, err := os.ReadDir(dir)
			must(t, err)
			for _, e := range ents {
				if !strings.HasPrefix(e.Name(), "..") && !top[e.Name()] {
					must(t, os.Remove(filepath.Join(dir, e.Name())))
				}
			}
		},
		// 5. the old timestamped directory removed.
		func() {
			if oldTs != "" {
				must(t, os.RemoveAll(filepath.Join(dir, oldTs)))
			}
		},
	}
}

// write runs every step.
func (k *kubelet) write(payload map[string]string) {
	for _, step := range k.writeSteps(payload) {
		step()
	}
}

func newKubelet(t testing.TB, dir string, payload map[string]string) *kubelet {
	must(t, os.MkdirAll(dir, 0o755))
	k := &kubelet{t: t, dir: dir}
	k.write(payload)
	return k
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

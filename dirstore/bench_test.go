package dirstore_test

import (
	"fmt"
	"path/filepath"
	"testing"
)

// BenchmarkGet reads one and ten names from a plain directory and from a
// kubelet-written mount (which adds a readlink of ..data before and after).
func BenchmarkGet(b *testing.B) {
	payload := map[string]string{}
	var names []string
	for i := range 10 {
		n := fmt.Sprintf("key-%02d", i)
		payload[n] = fmt.Sprintf("value-%02d-0123456789abcdef", i)
		names = append(names, n)
	}
	plain := b.TempDir()
	for n, v := range payload {
		put(b, filepath.Join(plain, n), v)
	}
	mount := filepath.Join(b.TempDir(), "mount")
	newKubelet(b, mount, payload)
	for _, layout := range []struct{ name, dir string }{{"plain", plain}, {"kubelet", mount}} {
		d := open(b, dirURL(layout.dir))
		for _, k := range []int{1, 10} {
			b.Run(fmt.Sprintf("%s/%d", layout.name, k), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					m, err := d.Get(b.Context(), names[:k])
					if err != nil || len(m) != k {
						b.Fatalf("Get: %d values, %v", len(m), err)
					}
				}
			})
		}
	}
}

package snapmap

import (
	"fmt"
	"sync/atomic"
	"testing"
)

var sinkOK bool

func BenchmarkLoad(b *testing.B) {
	m := New[*int]()
	plain := map[string]*int{}
	for i := range 1000 {
		v := i
		m.Set(fmt.Sprintf("secret_%d", i), &v)
		plain[fmt.Sprintf("secret_%d", i)] = &v
	}
	var p atomic.Pointer[map[string]*int]
	p.Store(&plain)
	b.Run("snapmap", func(b *testing.B) {
		for b.Loop() {
			v, ok := m.Load("secret_1")
			sinkOK = ok && v != nil
		}
	})
	b.Run("immutable", func(b *testing.B) {
		for b.Loop() {
			v, ok := (*p.Load())["secret_1"]
			sinkOK = ok && v != nil
		}
	})
}

package snapmap

import (
	"fmt"
	"sync"
	"testing"
)

func TestMap(t *testing.T) {
	m := New[int]()
	if _, ok := m.Load("a"); ok || m.Len() != 0 {
		t.Fatal("a new map is not empty")
	}
	for i := range 1000 {
		m.Set(fmt.Sprint(i), i)
	}
	m.Set("7", 70) // replace: the length stays
	m.Delete("8")
	m.Delete("missing")
	if m.Len() != 999 {
		t.Fatalf("Len = %d, want 999", m.Len())
	}
	if v, ok := m.Load("7"); !ok || v != 70 {
		t.Fatalf("Load(7) = %v %v", v, ok)
	}
	if v, ok := m.LoadBytes([]byte("9")); !ok || v != 9 {
		t.Fatalf("LoadBytes(9) = %v %v", v, ok)
	}
	if _, ok := m.Load("8"); ok {
		t.Fatal("a deleted key is still there")
	}
	n := 0
	m.Range(func(k string, v int) bool { n++; return true })
	if n != 999 {
		t.Fatalf("Range saw %d entries", n)
	}
}

func TestTxIsInvisibleUntilCommit(t *testing.T) {
	m := New[string]()
	m.Set("a", "1")
	tx := m.Tx()
	tx.Set("a", "2")
	tx.Set("b", "2")
	tx.Delete("a")
	tx.Set("c", "2")
	if v, _ := m.Load("a"); v != "1" {
		t.Fatal("a batch was visible before Commit")
	}
	if _, ok := tx.Load("a"); ok || tx.Len() != 2 {
		t.Fatalf("the batch does not see its own changes: Len %d", tx.Len())
	}
	// Delete during Range, of the entry at hand.
	tx.Range(func(k, _ string) bool {
		if k == "b" {
			tx.Delete(k)
		}
		return true
	})
	tx.Commit()
	if _, ok := m.Load("a"); ok {
		t.Fatal("deleted in the batch, still there")
	}
	if _, ok := m.Load("b"); ok {
		t.Fatal("deleted during Range, still there")
	}
	if v, _ := m.Load("c"); v != "2" || m.Len() != 1 {
		t.Fatalf("after Commit: c=%q Len=%d", v, m.Len())
	}
}

// TestConcurrentReaders runs readers against a serialised writer under the
// race detector: a reader sees, for each key, either its old or its new value.
func TestConcurrentReaders(t *testing.T) {
	m := New[int]()
	for i := range 100 {
		m.Set(fmt.Sprint(i), 0)
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				for i := range 100 {
					if v, ok := m.Load(fmt.Sprint(i)); !ok || v < 0 {
						t.Errorf("key %d: %v %v", i, v, ok)
						return
					}
				}
			}
		})
	}
	var mu sync.Mutex
	for round := 1; round <= 50; round++ {
		mu.Lock()
		tx := m.Tx()
		for i := range 100 {
			tx.Set(fmt.Sprint(i), round)
		}
		tx.Commit()
		mu.Unlock()
	}
	close(stop)
	wg.Wait()
	if v, _ := m.Load("42"); v != 50 {
		t.Fatalf("last write lost: %d", v)
	}
}

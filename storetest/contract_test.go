package storetest_test

import (
	"context"
	"os"
	"sync"
	"testing"

	"github.com/secretstore-go/secretstore/driver"
	"github.com/secretstore-go/secretstore/memstore"
	"github.com/secretstore-go/secretstore/storetest"
)

// feed is the change feed of an in-memory backend: every write is
// published to the watches open at the time, as a server pushes them.
type feed struct {
	mu    sync.Mutex
	subs  map[chan string]bool
	conns []context.CancelFunc // one per open watch "connection"
}

func (f *feed) publish(name string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for ch := range f.subs {
		ch <- name // buffered generously: a test writes few names
	}
}

// drop ends every open watch connection, as a lost network does.
func (f *feed) drop() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range f.conns {
		c()
	}
	f.conns = nil
}

// watching is memstore with a pushed change feed ([driver.Watcher]) and an
// As, and optionally one defect.
type watching struct {
	*memstore.Store
	feed   *feed
	defect string
}

// Lookup hides memstore's fast path, so that every read goes through Get.
func (w watching) Lookup() {}

func (w watching) Set(ctx context.Context, name, value string) error {
	if err := w.Store.Set(ctx, name, value); err != nil {
		return err
	}
	w.feed.publish(name)
	if w.defect == "watch-duplicates" {
		w.feed.publish(name)
	}
	return nil
}

func (w watching) Remove(ctx context.Context, name string) error {
	if w.defect == "returns-closed" {
		return driver.Errorf(driver.Closed, "the backend is closed")
	}
	if err := w.Store.Remove(ctx, name); err != nil {
		return err
	}
	if w.defect != "watch-drops-removals" {
		w.feed.publish(name)
	}
	return nil
}

func (w watching) Watch(ctx context.Context, names []string, ready func(), changed func(string)) error {
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	ch := make(chan string, 1024)
	conn, cancel := context.WithCancel(ctx)
	defer cancel()
	w.feed.mu.Lock()
	if w.feed.subs == nil {
		w.feed.subs = map[chan string]bool{}
	}
	w.feed.subs[ch] = true
	w.feed.conns = append(w.feed.conns, cancel)
	w.feed.mu.Unlock()
	defer func() {
		w.feed.mu.Lock()
		delete(w.feed.subs, ch)
		w.feed.mu.Unlock()
	}()
	ready()
	for {
		select {
		case n := <-ch:
			if want[n] || w.defect == "watch-reports-all" {
				changed(n)
			}
		case <-conn.Done():
			if ctx.Err() != nil {
				return nil
			}
			return driver.Errorf(driver.Unavailable, "connection lost")
		}
	}
}

// client is the backend type watching's As documents.
type client struct{ id int }

func (w watching) As(target any) bool {
	if w.defect == "as-refuses" {
		return false
	}
	if p, ok := target.(**client); ok {
		*p = &client{id: 1}
		return true
	}
	return false
}

func watchingHarness(defect string) storetest.Harness {
	f := &feed{}
	return storetest.Harness{
		Open:      func(*testing.T) driver.Store { return watching{memstore.New(nil), f, defect} },
		AsTargets: []any{new(*client)},
		BreakWatch: func(*testing.T, driver.Store) {
			f.drop()
		},
	}
}

// TestWatcherPasses: a correct pushing driver passes the whole suite,
// Watch, WatchResumes and As included.
func TestWatcherPasses(t *testing.T) {
	storetest.Run(t, watchingHarness(""))
}

// TestContractBroken runs the suite on one broken watching driver;
// TestSuiteCatchesContractDefects runs it in a child process per defect.
func TestContractBroken(t *testing.T) {
	defect := os.Getenv("STORETEST_CONTRACT_DEFECT")
	if defect == "" {
		t.Skip("run by TestSuiteCatchesContractDefects")
	}
	storetest.Run(t, watchingHarness(defect))
}

func TestSuiteCatchesContractDefects(t *testing.T) {
	if os.Getenv("STORETEST_CONTRACT_DEFECT") != "" {
		return
	}
	for defect, failingCase := range map[string]string{
		"watch-duplicates":     "Watch",
		"watch-drops-removals": "Watch",
		"watch-reports-all":    "Watch",
		"returns-closed":       "ErrorClasses",
		"as-refuses":           "As",
	} {
		t.Run(defect, func(t *testing.T) {
			wantCaught(t, "TestContractBroken", "STORETEST_CONTRACT_DEFECT", defect, failingCase)
		})
	}
}

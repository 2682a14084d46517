package secretstore_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/secretstore-go/secretstore"
	"github.com/secretstore-go/secretstore/driver"
	"github.com/secretstore-go/secretstore/memstore"
)

// pusher is memstore with changes pushed to watchers, as etcd does. Its
// first watch can be made to fail, to test the resume.
type pusher struct {
	*memstore.Store
	mu       sync.Mutex
	subs     map[chan string]bool
	watches  int
	failOnce error
	gets     int
	live     chan struct{} // receives each time a watch is established
}

func (p *pusher) Get(ctx context.Context, n []string) (map[string]string, error) {
	p.mu.Lock()
	p.gets++
	p.mu.Unlock()
	return p.Store.Get(ctx, n)
}

func (p *pusher) Set(ctx context.Context, name, value string) error {
	if err := p.Store.Set(ctx, name, value); err != nil {
		return err
	}
	p.push(name)
	return nil
}

func (p *pusher) Remove(ctx context.Context, name string) error {
	if err := p.Store.Remove(ctx, name); err != nil {
		return err
	}
	p.push(name)
	return nil
}

func (p *pusher) push(name string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.subs {
		c <- name
	}
}

func (p *pusher) Watch(ctx context.Context, names []string, ready func(), changed func(string)) error {
	c := make(chan string, 16)
	p.mu.Lock()
	p.watches++
	if err := p.failOnce; err != nil {
		p.failOnce = nil
		p.mu.Unlock()
		return err
	}
	p.subs[c] = true
	p.mu.Unlock()
	p.live <- struct{}{}
	defer func() {
		p.mu.Lock()
		delete(p.subs, c)
		p.mu.Unlock()
	}()
	ready()
	for {
		select {
		case <-ctx.Done():
			return nil
		case n := <-c:
			for _, w := range names {
				if w == n {
					changed(n)
				}
			}
		}
	}
}

var _ driver.Watcher = (*pusher)(nil)

func newPusher(failFirst bool) *pusher {
	p := &pusher{Store: memstore.New(map[string]string{"t:a": "1"}), subs: map[chan string]bool{}, live: make(chan struct{}, 4)}
	if failFirst {
		p.failOnce = driver.Errorf(driver.Unavailable, "connection lost")
	}
	return p
}

func TestWatchPushed(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p := newPusher(false)
	root := secretstore.New(p, secretstore.WithLogger(nil), secretstore.EnableSet(true))
	s, _ := root.Scope("t:")
	// An hour between polls: only a push can deliver this change in time.
	ch, err := s.Watch(ctx, []string{"a"}, secretstore.WatchOptions{Interval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	<-p.live
	root.Set(ctx, "t:a", "2")
	if c := <-ch; c.Name != "a" || !c.Exists || c.Err != nil {
		t.Fatalf("a pushed change: %+v", c)
	}
	root.Set(ctx, "t:b", "unwatched")
	root.Set(ctx, "t:a", "2") // the same value: the store reads, compares, stays quiet
	remover := secretstore.New(p, secretstore.WithLogger(nil), secretstore.EnableRemove(true), secretstore.CloseDriver(false))
	remover.Remove(ctx, "t:a")
	if c := <-ch; c.Name != "a" || c.Exists || c.Err != nil {
		t.Fatalf("the next event must be the removal: %+v", c)
	}
}

func TestWatchPushedResumes(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p := newPusher(true)
	root := secretstore.New(p, secretstore.WithLogger(nil), secretstore.EnableSet(true))
	ch, err := root.Watch(ctx, []string{"t:a"}, secretstore.WatchOptions{Interval: time.Millisecond, MaxBackoff: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if c := <-ch; !errors.Is(c.Err, secretstore.ErrUnavailable) {
		t.Fatalf("a failed backend watch: %+v", c)
	}
	<-p.live // resumed after the backoff
	root.Set(ctx, "t:a", "2")
	if c := <-ch; c.Name != "t:a" || c.Err != nil {
		t.Fatalf("a change after the resume: %+v", c)
	}
	cancel()
	for range ch { // closed when the context ends
	}
}

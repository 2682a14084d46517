package etcd

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/secretstore-go/secretstore/internal/testenv"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
)

// TestWatchAfterCompaction resumes a watch from a revision the cluster has
// compacted away: every watched name is reported changed, and the watch goes
// on from the compaction revision, still reporting later changes.
func TestWatchAfterCompaction(t *testing.T) {
	eps := testenv.Env(t, "etcd", "ETCD_ENDPOINTS")[0]
	c, err := clientv3.New(clientv3.Config{Endpoints: strings.Split(eps, ","), DialTimeout: 5 * time.Second, Logger: zap.NewNop()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	prefix := "/secretstore-test/compaction-" + time.Now().Format("150405.000000000")
	defer c.Delete(context.Background(), prefix+"/", clientv3.WithPrefix())
	s, err := New(ctx, c, Options{Prefix: prefix, Key: Key([32]byte{9})})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Set(ctx, "a", "1"); err != nil {
		t.Fatal(err)
	}
	resp, err := c.Get(ctx, prefix+metaKey)
	if err != nil {
		t.Fatal(err)
	}
	old := resp.Header.Revision
	if err := s.Set(ctx, "a", "2"); err != nil {
		t.Fatal(err)
	}
	cur, err := c.Get(ctx, prefix+metaKey)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Compact(ctx, cur.Header.Revision); err != nil {
		t.Fatal(err)
	}
	var changed []string
	w := &watchState{s: s, key: prefix + secretsDir, opts: []clientv3.OpOption{clientv3.WithPrefix(), clientv3.WithCreatedNotify()},
		want: map[string]bool{"a": true, "b": true}, rev: old - 1, ready: func() {}, changed: func(n string) { changed = append(changed, n) }}
	progressed, err := w.stream(ctx)
	if err != nil || !progressed {
		t.Fatalf("stream from a compacted revision: progressed %v, %v", progressed, err)
	}
	if len(changed) != 2 {
		t.Fatalf("after a compaction the watch reported %v, want every watched name", changed)
	}
	if w.rev < cur.Header.Revision-1 {
		t.Fatalf("the watch resumes from %d, before the compaction at %d", w.rev+1, cur.Header.Revision)
	}
	// The next stream, from the compaction revision, reports a later change.
	// It may first replay the event at the compaction revision itself, a
	// duplicate the driver.Watcher contract allows (the Store re-reads and
	// compares); when nothing else wrote to the cluster meanwhile, that is
	// a's last Set.
	changed = nil
	sctx, scancel := context.WithCancel(ctx)
	w.changed = func(n string) {
		changed = append(changed, n)
		if n == "b" {
			scancel()
		}
	}
	w.ready = func() {
		if err := s.Set(ctx, "b", "new"); err != nil {
			t.Error(err)
		}
	}
	w.isReady = false
	w.stream(sctx)
	scancel()
	if len(changed) == 0 || changed[len(changed)-1] != "b" || len(changed) > 2 || (len(changed) == 2 && changed[0] != "a") {
		t.Fatalf("after resuming, the watch reported %v, want b (after at most a replay of a)", changed)
	}
}

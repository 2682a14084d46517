package etcd

import (
	"context"
	"errors"
	"fmt"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
	"google.golang.org/grpc/status"

	"github.com/secretstore-go/secretstore/driver"
)

// Watch implements [driver.Watcher] with an etcd watch: the cluster pushes
// every put and delete of a watched name's key, nothing is polled. One name
// is watched by its key, several by the store's secrets prefix, filtered.
//
// The watch starts at the revision of a read made first and calls ready when
// the cluster confirms it. When the stream breaks (the member it used is
// stopped or loses its leader) it is opened again from the revision after
// the last event seen, through another member, so no change is missed; a
// change may be reported twice. When that revision has been compacted away,
// it calls changed for every name (the portable Store reads them again and
// compares) and goes on from the compaction revision.
func (s *Store) Watch(ctx context.Context, names []string, ready func(), changed func(name string)) error {
	if len(names) == 0 {
		ready()
		<-ctx.Done()
		return nil
	}
	want := make(map[string]bool, len(names))
	for _, n := range names {
		want[n] = true
	}
	key, opts := keyOf(s.prefix, names[0]), []clientv3.OpOption{clientv3.WithCreatedNotify()}
	if len(want) > 1 {
		key = s.prefix + secretsDir
		opts = append(opts, clientv3.WithPrefix())
	}
	// The revision the watch starts after: the Store reads the names after
	// ready, so any change after this revision is reported.
	resp, err := s.c.Get(ctx, s.prefix+metaKey, clientv3.WithKeysOnly())
	if err != nil {
		return s.watchErr(ctx, err)
	}
	w := &watchState{s: s, key: key, opts: opts, want: want, rev: resp.Header.Revision, ready: ready, changed: changed}
	// failures counts streams that ended without a response; after a few,
	// Watch returns and the Store backs off.
	failures := 0
	for {
		progressed, err := w.stream(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			return s.watchErr(ctx, err)
		}
		if s.c.Ctx().Err() != nil {
			return driver.NewError(driver.Unavailable, errors.New("etcd: watch: the client is closed"))
		}
		if progressed {
			failures = 0
		} else if failures++; failures > 3 {
			return driver.NewError(driver.Unavailable, errors.New("etcd: watch: the stream keeps breaking"))
		}
		// The stream ended (a member stopped or lost the leader, or the
		// revision was compacted): open it again from the revision after
		// the last event seen.
	}
}

type watchState struct {
	s       *Store
	key     string
	opts    []clientv3.OpOption
	want    map[string]bool
	rev     int64 // the last revision whose events were reported
	isReady bool
	ready   func()
	changed func(string)
}

// stream runs one watch stream from w.rev+1 until it ends. It reports
// whether the stream delivered anything, and an error that a new stream
// would not cure.
func (w *watchState) stream(ctx context.Context) (progressed bool, err error) {
	// WithRequireLeader makes a member cut off from its cluster end the
	// stream, instead of keeping a watch that no longer sees writes.
	wctx, cancel := context.WithCancel(clientv3.WithRequireLeader(ctx))
	defer cancel()
	for wr := range w.s.c.Watch(wctx, w.key, append(w.opts, clientv3.WithRev(w.rev+1))...) {
		if wr.Created || len(wr.Events) > 0 {
			progressed = true
		}
		if wr.Created && !w.isReady {
			w.isReady = true
			w.ready()
		}
		if wr.CompactRevision != 0 {
			// The events after w.rev are gone: any name may have changed.
			for n := range w.want {
				w.changed(n)
			}
			w.rev = max(w.rev, wr.CompactRevision-1)
			return true, nil
		}
		if err := wr.Err(); err != nil {
			if resumable(err) {
				return progressed, nil
			}
			return progressed, err
		}
		for _, ev := range wr.Events {
			w.rev = max(w.rev, ev.Kv.ModRevision)
			if n, ok := nameOf(w.s.prefix, string(ev.Kv.Key)); ok && w.want[n] {
				w.changed(n)
			}
		}
	}
	return progressed, nil
}

// resumable reports whether a watch error is one a new stream (through
// another member) cures.
func resumable(err error) bool {
	var gs interface{ GRPCStatus() *status.Status }
	var ee rpctypes.EtcdError
	if errors.As(err, &ee) {
		err = ee
	} else if errors.As(err, &gs) {
		err = gs.GRPCStatus().Err()
	}
	switch rpctypes.Error(err) {
	case rpctypes.ErrNoLeader, rpctypes.ErrGRPCNoLeader, rpctypes.ErrLeaderChanged, rpctypes.ErrStopped:
		return true
	}
	return codeOf(err) == driver.Unavailable
}

func (s *Store) watchErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return nil
	}
	return classify(ctx, fmt.Errorf("etcd: watch: %w", err))
}

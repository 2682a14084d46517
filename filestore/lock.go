package filestore

import (
	"os"
	"path/filepath"
	"sync"

	"golang.org/x/sync/semaphore"
)

// bbolt's file lock is an flock(2) lock on an open file description, so two
// opens of one file in one process exclude each other like two processes do,
// and bbolt waits for the lock by polling every 50ms. In the per-operation
// mode, Stores of one process that use the same file therefore first take a
// process-wide readers-writer lock for it: readers share it, a writer has it
// alone, waiters are served in order and stop waiting when their context
// ends. Only waits for other processes go through bbolt's polling.

// maxReaders is the weight of a writer.
const maxReaders = 1 << 30

type pathLock struct {
	sem  *semaphore.Weighted
	refs int // guarded by pathLocks

	// written is a stat of the file right after this process's last
	// successful write, or nil. Guarded by sem held with weight maxReaders.
	written os.FileInfo
}

var pathLocks = struct {
	sync.Mutex
	m map[string]*pathLock
}{m: make(map[string]*pathLock)}

// lockKey is the key of path in pathLocks: its absolute path with symbolic
// links resolved, when that can be found.
func lockKey(path string) string {
	if p, err := filepath.EvalSymlinks(path); err == nil {
		path = p
	}
	if p, err := filepath.Abs(path); err == nil {
		path = p
	}
	return path
}

func acquirePathLock(key string) *pathLock {
	pathLocks.Lock()
	defer pathLocks.Unlock()
	l := pathLocks.m[key]
	if l == nil {
		l = &pathLock{sem: semaphore.NewWeighted(maxReaders)}
		pathLocks.m[key] = l
	}
	l.refs++
	return l
}

func releasePathLock(key string) {
	pathLocks.Lock()
	defer pathLocks.Unlock()
	if l := pathLocks.m[key]; l != nil {
		if l.refs--; l.refs == 0 {
			delete(pathLocks.m, key)
		}
	}
}

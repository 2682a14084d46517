//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package filestore

import (
	"os"
	"syscall"
)

// forceUnlock releases bbolt's flock on f and closes f, after bbolt.Open
// panicked half-way. The memory mapping bbolt made keeps the open file
// description alive, so closing f alone would not release the lock.
func forceUnlock(f *os.File) {
	syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	f.Close()
}

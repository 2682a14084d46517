//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package filestore

import "os"

// forceUnlock closes f after bbolt.Open panicked half-way. (bbolt does not
// use flock(2) here.)
func forceUnlock(f *os.File) { f.Close() }

//go:build !unix

package filestore

import "os"

// forceUnlock closes f after bbolt.Open panicked half-way.
func forceUnlock(f *os.File) { f.Close() }

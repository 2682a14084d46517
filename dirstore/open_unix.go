//go:build unix

package dirstore

import "syscall"

// openFlags keeps opening a file that was swapped for a named pipe from
// blocking; the open file is checked to be regular before it is read.
const openFlags = syscall.O_NONBLOCK

//go:build !unix

package dirstore

// openFlags adds nothing where named pipes cannot block an open.
const openFlags = 0

//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package main

import "golang.org/x/term"

// readNoEcho reads a line from the terminal fd without echo.
func readNoEcho(fd int) ([]byte, error) {
	defer interrupts.waitInput(nil)()
	return term.ReadPassword(fd)
}

//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package main

import (
	"io"
	"os"

	"golang.org/x/sys/unix"
	"golang.org/x/term"
)

// readNoEcho reads a line from the terminal fd with echo off, and restores
// the terminal's state afterwards. Unlike term.ReadPassword, which loops
// without end on it, Ctrl-D is the end of the input: on an empty line it
// returns io.EOF; after some characters it ends the value, as the newline
// does. A signal during the read ends the process through the interrupter,
// which restores the terminal first.
func readNoEcho(fd int) ([]byte, error) {
	state, err := term.GetState(fd)
	if err != nil {
		return nil, err
	}
	tio, err := unix.IoctlGetTermios(fd, ioctlReadTermios)
	if err != nil {
		return nil, err
	}
	tio.Lflag &^= unix.ECHO
	tio.Lflag |= unix.ICANON | unix.ISIG
	tio.Iflag |= unix.ICRNL
	done := interrupts.waitInput(func() {
		term.Restore(fd, state)
		os.Stderr.WriteString("\n") // end the prompt's line
	})
	defer done()
	if err := unix.IoctlSetTermios(fd, ioctlWriteTermios, tio); err != nil {
		return nil, err
	}
	defer term.Restore(fd, state)

	var line []byte
	var b [1]byte
	for {
		n, err := unix.Read(fd, b[:])
		switch {
		case err == unix.EINTR:
			continue
		case err != nil:
			clear(line)
			return nil, err
		case n == 0: // Ctrl-D
			if len(line) > 0 {
				return line, nil
			}
			return nil, io.EOF
		case b[0] == '\n':
			return line, nil
		case b[0] == '\b' || b[0] == 0x7f:
			if len(line) > 0 {
				line[len(line)-1] = 0
				line = line[:len(line)-1]
			}
		case b[0] == '\r':
		default:
			line = append(line, b[0])
		}
	}
}

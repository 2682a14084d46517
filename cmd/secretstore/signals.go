package main

import (
	"context"
	"os"
	"os/signal"
	"sync"
	"syscall"
)

// interrupter ends the command on SIGINT and SIGTERM with the conventional
// status, 128 plus the signal's number (130, 143).
//
// While the command only waits for input — redact copying its input, set
// reading a value from a prompt or a pipe — nothing has been written yet,
// and a read cannot be interrupted: a signal then ends the process at once,
// after restoring the terminal (echo back on). Otherwise the first signal
// cancels the command's context, so that an operation in progress stops
// where it can (a store write either commits or does not), and the command
// exits with the signal's status when it returns; a second signal ends it
// at once.
type interrupter struct {
	mu       sync.Mutex
	signal   int      // number of the first signal received; 0 before
	waiting  int      // > 0 while the command only waits for input
	restores []func() // undo terminal changes, most recent last
	exit     func(code int)
}

// interrupts is the process's interrupter; main starts it. In tests that
// call run in-process it never receives a signal, and waitInput only counts.
var interrupts = &interrupter{exit: os.Exit}

// start delivers SIGINT and SIGTERM to the interrupter, which cancels ctx's
// child on the first one.
func (in *interrupter) start(ctx context.Context) context.Context {
	ctx, cancel := context.WithCancel(ctx)
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		for sig := range sigs {
			n := 2
			if s, ok := sig.(syscall.Signal); ok {
				n = int(s)
			}
			in.received(n, cancel)
		}
	}()
	return ctx
}

// received handles the signal n.
func (in *interrupter) received(n int, cancel context.CancelFunc) {
	in.mu.Lock()
	first := in.signal == 0
	if first {
		in.signal = n
	}
	now := !first || in.waiting > 0
	in.mu.Unlock()
	if now {
		in.end(n)
		return
	}
	cancel()
}

// end restores the terminal and exits with the status of signal n.
func (in *interrupter) end(n int) {
	in.mu.Lock()
	restores := in.restores
	in.restores = nil
	in.mu.Unlock()
	for i := len(restores) - 1; i >= 0; i-- {
		restores[i]()
	}
	in.exit(128 + n)
}

// waitInput marks the time until done is called as waiting for input, with
// restore (if not nil) undoing what the wait changed on the terminal. If a
// signal arrived already, it ends the process now.
func (in *interrupter) waitInput(restore func()) (done func()) {
	in.mu.Lock()
	if n := in.signal; n != 0 {
		in.mu.Unlock()
		if restore != nil {
			restore()
		}
		in.end(n)
		return func() {}
	}
	in.waiting++
	if restore != nil {
		in.restores = append(in.restores, restore)
	}
	in.mu.Unlock()
	return func() {
		in.mu.Lock()
		in.waiting--
		if restore != nil && len(in.restores) > 0 {
			in.restores = in.restores[:len(in.restores)-1]
		}
		in.mu.Unlock()
	}
}

// status returns the exit status for a command that returned code: the
// signal's status if one was received.
func (in *interrupter) status(code int) int {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.signal != 0 {
		return 128 + in.signal
	}
	return code
}

package azure

import (
	"context"
	"fmt"
	"time"

	"github.com/secretstore-go/secretstore/driver"
)

// waiter paces the polls of one operation while Key Vault finishes a
// deletion, recovery or purge, which it does asynchronously: exponential
// backoff from PollInterval up to 16 times it, for at most PollTimeout in all,
// and never past the context.
type waiter struct {
	ctx      context.Context
	deadline time.Time
	next     time.Duration
	max      time.Duration
}

func (s *Store) newWaiter(ctx context.Context) *waiter {
	return &waiter{
		ctx:      ctx,
		deadline: time.Now().Add(s.opts.PollTimeout),
		next:     s.opts.PollInterval,
		max:      16 * s.opts.PollInterval,
	}
}

// wait pauses before the next poll. last is why another poll is needed; when
// PollTimeout would be exceeded, wait returns it, classified as a conflict (a
// state of the backend that did not pass in time). It returns the context's
// error if the context ends first.
func (w *waiter) wait(last error) error {
	if time.Now().Add(w.next).After(w.deadline) {
		return &kvError{op: "wait", class: driver.Conflict, err: last,
			msg: fmt.Sprintf("Key Vault did not finish within PollTimeout: %v", last)}
	}
	t := time.NewTimer(w.next)
	defer t.Stop()
	select {
	case <-w.ctx.Done():
		return w.ctx.Err()
	case <-t.C:
	}
	w.next = min(2*w.next, w.max)
	return nil
}

package infisical

// Calling the SDK: its configuration, one call with re-login, retries and
// the caller's context.

import (
	"context"
	"io"
	"time"

	"github.com/cenkalti/backoff/v5"
	sdk "github.com/infisical/go-sdk"

	"github.com/secretstore-go/secretstore/driver"
)

// sdkConfig is the SDK client configuration: no SDK cache (the portable
// cache does that job), no background token refresh (the driver logs in
// again itself, on a new client), no SDK retries (the driver retries with
// its context), and no SDK logging.
func (s *Store) sdkConfig() sdk.Config {
	return sdk.Config{
		SiteUrl:              s.site,
		CaCertificate:        s.ca,
		AutoTokenRefresh:     sdk.BoolPtr(false),
		SilentMode:           true,
		CacheExpiryInSeconds: 0,
		LogWriter:            io.Discard,
		// An explicit strategy with no retries turns the SDK's retries
		// off (otherwise it repeats failed connections 3 times, 1 s and
		// more apart, without a context).
		RetryRequestsConfig: &sdk.RetryRequestsConfig{ExponentialBackoff: &sdk.ExponentialBackoffStrategy{MaxRetries: 0}},
	}
}

// doT runs one SDK call with the current session and returns its result:
// on HTTP 401 it logs in again once and repeats the call; on a transient
// failure (see transient) it repeats the call with exponential backoff, up
// to the driver's MaxRetries. The SDK's calls take no context: the call runs
// on its own goroutine and doT returns when ctx is done, leaving the call to
// finish in the background.
func doT[T any](s *Store, ctx context.Context, op, name string, call func(sdk.InfisicalClientInterface) (T, error)) (T, error) {
	var zero T
	if s.closed.Load() {
		return zero, newError(&Error{Op: op, Name: name, Reason: "the driver is closed", Code: driver.Unknown})
	}
	if err := ctx.Err(); err != nil {
		return zero, err
	}
	attempt := func() (T, error) {
		relogged := false
		for {
			sess, err := s.session(ctx)
			if err != nil {
				return zero, retryable(err)
			}
			v, err := await(ctx, func() (T, error) { return call(sess.client) })
			if err == nil {
				return v, nil
			}
			err = classify(op, name, err)
			if statusOf(err) == 401 && !relogged {
				relogged = true
				s.expire(sess)
				continue
			}
			return zero, retryable(err)
		}
	}
	b := &backoff.ExponentialBackOff{
		InitialInterval:     s.retryWait,
		RandomizationFactor: 0.5,
		Multiplier:          2,
		MaxInterval:         30 * time.Second,
	}
	return backoff.Retry(ctx, attempt, backoff.WithBackOff(b),
		backoff.WithMaxTries(uint(s.maxRetries)+1), backoff.WithMaxElapsedTime(0))
}

// retryable marks err as permanent unless it is transient.
func retryable(err error) error {
	if transient(err) {
		return err
	}
	return backoff.Permanent(err)
}

// await runs f on its own goroutine and returns its result, or ctx's error
// as soon as ctx is done.
func await[T any](ctx context.Context, f func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	ch := make(chan result, 1)
	go func() {
		v, err := f()
		ch <- result{v, err}
	}()
	select {
	case r := <-ch:
		return r.v, r.err
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}

package vault

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/hashicorp/vault/api"
	"github.com/secretstore-go/secretstore/driver"
)

// opError is the message of a classified driver error. It never holds a
// value, a token or any part of a response body: only the operation, the
// secret's name, the HTTP status and, for transport failures, the network
// error (which names the address, never the request).
type opError struct {
	msg   string
	cause error // a network or context error, or nil
}

func (e *opError) Error() string { return e.msg }
func (e *opError) Unwrap() error { return e.cause }

// fail returns an error of class code for op on name.
func fail(code driver.Code, op, name, format string, args ...any) error {
	msg := "vault: " + op
	if name != "" {
		msg += " " + strconv.Quote(name)
	}
	return driver.NewError(code, &opError{msg: msg + ": " + fmt.Sprintf(format, args...)})
}

// statusOf returns the HTTP status of a response, or 0 when there is none.
func statusOf(resp *api.Response) int {
	if resp == nil || resp.Response == nil {
		return 0
	}
	return resp.StatusCode
}

// classify turns a failed request into a classified error. callerCtx is the
// caller's context: when it is done, the error is the context's error, so
// that errors.Is(err, context.Canceled) holds; a per-request timeout that
// expired on its own is the backend being unavailable.
func classify(callerCtx context.Context, op, name string, status int, err error) error {
	if cerr := callerCtx.Err(); cerr != nil {
		msg := "vault: " + op
		if name != "" {
			msg += " " + strconv.Quote(name)
		}
		return &opError{msg: msg + ": " + cerr.Error(), cause: cerr}
	}
	if status != 0 {
		code := httpCode(status)
		return fail(code, op, name, "%s (HTTP %d)", statusWords[code], status)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		if certError(ue.Err) {
			return driver.NewError(driver.Unknown, &opError{msg: "vault: " + op + ": TLS: the server's certificate is not trusted", cause: ue.Err})
		}
		if errors.Is(ue.Err, context.DeadlineExceeded) {
			return driver.NewError(driver.Unavailable, &opError{msg: "vault: " + op + " " + strconv.Quote(name) + ": no answer in time", cause: ue.Err})
		}
		return driver.NewError(driver.Unavailable, &opError{msg: "vault: " + op + " " + strconv.Quote(name) + ": server unreachable: " + ue.Err.Error(), cause: ue.Err})
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return driver.NewError(driver.Unavailable, &opError{msg: "vault: " + op + " " + strconv.Quote(name) + ": no answer in time", cause: err})
	}
	// Any other error comes from the client before or after the exchange
	// (a token it refuses to send, a body it cannot read). Its text is the
	// client's, not the server's, but we keep to our own words anyway.
	return fail(driver.Unknown, op, name, "request failed (%T)", err)
}

// httpCode is [driver.HTTPCode] with Vault's exceptions:
//
//   - 412 Precondition Failed is Unavailable: Vault answers it when a
//     performance standby has not yet caught up with a write, which a later
//     try gets past (Vault's client retries it too).
//   - 404 Not Found is Unknown: the driver handles a missing secret before
//     classifying, so a 404 left over means a missing mount or path.
func httpCode(status int) driver.Code {
	switch status {
	case http.StatusPreconditionFailed:
		return driver.Unavailable
	case http.StatusNotFound:
		return driver.Unknown
	}
	return driver.HTTPCode(status)
}

// statusWords says what an HTTP status of each class means, in an error.
var statusWords = map[driver.Code]string{
	driver.PermissionDenied: "permission denied",
	driver.NotSupported:     "not supported by the server",
	driver.Conflict:         "conflict",
	driver.InvalidValue:     "the value is larger than the server accepts",
	driver.Unavailable:      "server unavailable",
	driver.Unknown:          "request refused",
}

func certError(err error) bool {
	var (
		ve  *tls.CertificateVerificationError
		ua  x509.UnknownAuthorityError
		he  x509.HostnameError
		cie x509.CertificateInvalidError
	)
	return errors.As(err, &ve) || errors.As(err, &ua) || errors.As(err, &he) || errors.As(err, &cie)
}

// retry is the client's retry policy: Vault's own (connection errors, 412,
// 429 and 5xx except 501 are retried), bounded so that no wait runs past the
// request context's deadline. It counts attempts in the request's context
// when the driver put an attempt counter there.
type retry struct {
	min, cap time.Duration
}

type attemptsKey struct{}

// withAttempts returns a context that counts the attempts of one request.
func withAttempts(ctx context.Context) context.Context {
	return context.WithValue(ctx, attemptsKey{}, new(int))
}

// upper is the longest wait before retry number attempt+1.
func (r retry) upper(attempt int) time.Duration {
	if attempt > 30 {
		return r.cap
	}
	return min(r.cap, r.min<<attempt)
}

// check implements retryablehttp.CheckRetry.
func (r retry) check(ctx context.Context, resp *http.Response, err error) (bool, error) {
	again, cerr := api.DefaultRetryPolicy(ctx, resp, err)
	if !again {
		return false, cerr
	}
	attempt := 0
	if n, ok := ctx.Value(attemptsKey{}).(*int); ok {
		attempt = *n
		*n++
	}
	// Never start a wait that the deadline would cut short: the last answer
	// is worth more to the caller than a context error.
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < r.upper(attempt) {
		return false, nil
	}
	return true, nil
}

// backoff implements retryablehttp.Backoff: exponential with full jitter
// between min and the attempt's upper bound, honouring a server's
// Retry-After up to that bound.
func (r retry) backoff(_, _ time.Duration, attempt int, resp *http.Response) time.Duration {
	up := r.upper(attempt)
	if resp != nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) {
		if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s >= 0 {
			return min(time.Duration(s)*time.Second, up)
		}
	}
	if up <= r.min {
		return up
	}
	return r.min + rand.N(up-r.min+1)
}

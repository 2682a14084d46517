package gcp

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/secretstore-go/secretstore/driver"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// ErrCorrupt is matched (with [errors.Is]) by the error of a read whose
// payload does not match the CRC32C checksum Secret Manager sent with it.
// No value is returned from such a read. Its code is [driver.Unknown]: the
// payload crossed TLS, so a mismatch means damage at the service's end,
// which a retry or a stale cached value would only hide.
var ErrCorrupt = errors.New("gcpsm: secret payload does not match its CRC32C checksum")

// rpcError is a failed call to Secret Manager. Its message names the call,
// the secret name and the gRPC status code, and never the service's message
// or details; those stay reachable through Unwrap (the client's
// *apierror.APIError) for callers who ask with errors.As.
type rpcError struct {
	call string // the RPC, such as "AccessSecretVersion"
	name string // the portable name, or "" for calls about no one name
	code codes.Code
	err  error
}

func (e *rpcError) Error() string {
	if e.name == "" {
		return fmt.Sprintf("gcpsm: %s: %v", e.call, e.code)
	}
	return fmt.Sprintf("gcpsm: %s %q: %v", e.call, e.name, e.code)
}

func (e *rpcError) Unwrap() error { return e.err }

// GRPCStatus lets status.FromError and status.Code see the status code (its
// message is left out for the reason given on rpcError).
func (e *rpcError) GRPCStatus() *status.Status { return status.New(e.code, e.code.String()) }

// callError turns an error of the client into the driver's error. A call
// that failed because ctx ended reports ctx's error, so that errors.Is finds
// context.Canceled or context.DeadlineExceeded.
func callError(ctx context.Context, call, name string, err error) error {
	if err == nil {
		return nil
	}
	if cerr := ctx.Err(); cerr != nil {
		if name == "" {
			return fmt.Errorf("gcpsm: %s: %w", call, cerr)
		}
		return fmt.Errorf("gcpsm: %s %q: %w", call, name, cerr)
	}
	return &rpcError{call: call, name: name, code: status.Code(err), err: err}
}

// codeOf returns the gRPC status code of an error returned by callError:
// codes.OK for nil, codes.Unknown for errors that are not a call's.
func codeOf(err error) codes.Code {
	if err == nil {
		return codes.OK
	}
	var re *rpcError
	if errors.As(err, &re) {
		return re.code
	}
	return codes.Unknown
}

// ErrorCode classifies the driver's errors into portable codes, for the
// portable Store ([driver.ErrorCoder]):
//
//   - NOT_FOUND: [driver.NotFound]
//   - PERMISSION_DENIED, UNAUTHENTICATED: [driver.PermissionDenied]
//   - UNAVAILABLE, RESOURCE_EXHAUSTED (after the retries), and
//     DEADLINE_EXCEEDED of a call whose context had not ended (the
//     client's own per-call timeout): [driver.Unavailable]
//   - ALREADY_EXISTS, FAILED_PRECONDITION, ABORTED: [driver.Conflict]
//   - INVALID_ARGUMENT from AddSecretVersion about the payload or its size:
//     [driver.InvalidValue]
//   - UNIMPLEMENTED: [driver.NotSupported]
//   - everything else, [ErrCorrupt] included: [driver.Unknown]
func (s *Store) ErrorCode(err error) driver.Code {
	var re *rpcError
	if !errors.As(err, &re) {
		return driver.Unknown
	}
	switch re.code {
	case codes.NotFound:
		return driver.NotFound
	case codes.PermissionDenied, codes.Unauthenticated:
		return driver.PermissionDenied
	case codes.Unavailable, codes.ResourceExhausted, codes.DeadlineExceeded:
		return driver.Unavailable
	case codes.AlreadyExists, codes.FailedPrecondition, codes.Aborted:
		return driver.Conflict
	case codes.Unimplemented:
		return driver.NotSupported
	case codes.InvalidArgument:
		if re.call == "AddSecretVersion" && aboutPayload(re.err) {
			return driver.InvalidValue
		}
	}
	return driver.Unknown
}

// aboutPayload reports whether an INVALID_ARGUMENT status's message is about
// the payload or its size. The message is only inspected, never reported.
func aboutPayload(err error) bool {
	st, _ := status.FromError(err)
	msg := strings.ToLower(st.Message())
	for _, w := range []string{"payload", "size", "large", "exceed", "kib", "too long"} {
		if strings.Contains(msg, w) {
			return true
		}
	}
	return false
}

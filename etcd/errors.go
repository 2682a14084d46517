package etcd

import (
	"context"
	"errors"
	"io/fs"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/secretstore-go/secretstore/driver"
	"github.com/secretstore-go/secretstore/internal/envelope"
)

// Sentinel errors. Errors of this package for these conditions match them
// with [errors.Is]. Errors never contain a secret value or key material;
// they may contain secret names, etcd keys and file paths.
var (
	// ErrWrongKey: the key source does not open the store's data key (a
	// wrong key file, key or passphrase, or a key of the wrong kind). Code
	// [driver.PermissionDenied].
	ErrWrongKey = errors.New("etcd: wrong key")

	// ErrCorrupt: the metadata key or a record is damaged or was tampered
	// with (a record does not authenticate under its name and store).
	// Nothing is ever returned from a record that does not authenticate.
	// Code [driver.Unknown].
	ErrCorrupt = errors.New("etcd: store is damaged or was tampered with")

	// ErrUnsupportedFormat: the metadata or a record was written in a
	// format version this package does not know. Code [driver.Unknown].
	ErrUnsupportedFormat = errors.New("etcd: unsupported format version")

	// ErrInsecureKeyFile: a key or passphrase file can be read or written
	// by its group or by others. Code [driver.PermissionDenied].
	ErrInsecureKeyFile = errors.New("etcd: key file is accessible by group or others")
)

var envErrors = &envelope.Errors{
	Prefix:          "etcd",
	WrongKey:        ErrWrongKey,
	Corrupt:         ErrCorrupt,
	Unsupported:     ErrUnsupportedFormat,
	InsecureKeyFile: ErrInsecureKeyFile,
}

// codeOf classifies an error of the etcd client or of this package.
func codeOf(err error) driver.Code {
	if err == nil {
		return driver.Unknown
	}
	var de *driver.Error
	if errors.As(err, &de) {
		return de.Code
	}
	switch {
	case errors.Is(err, context.Canceled):
		return driver.Canceled
	case errors.Is(err, context.DeadlineExceeded):
		// The client's own request or dial timeout, or the caller's.
		return driver.Unavailable
	case errors.Is(err, ErrWrongKey), errors.Is(err, ErrInsecureKeyFile), errors.Is(err, fs.ErrPermission):
		return driver.PermissionDenied
	}
	// The client's errors are etcd errors or gRPC statuses, maybe wrapped:
	// classify the innermost one, whose message names the etcd error.
	var gs interface{ GRPCStatus() *status.Status }
	var ee rpctypes.EtcdError
	if errors.As(err, &ee) {
		err = ee
	} else if errors.As(err, &gs) {
		err = gs.GRPCStatus().Err()
	}
	switch rpctypes.Error(err) {
	case rpctypes.ErrPermissionDenied, rpctypes.ErrAuthFailed, rpctypes.ErrInvalidAuthToken,
		rpctypes.ErrUserEmpty, rpctypes.ErrAuthOldRevision, rpctypes.ErrInvalidAuthMgmt:
		return driver.PermissionDenied
	case rpctypes.ErrNoLeader, rpctypes.ErrNotCapable, rpctypes.ErrStopped, rpctypes.ErrTimeout,
		rpctypes.ErrTimeoutDueToLeaderFail, rpctypes.ErrTimeoutDueToConnectionLost, rpctypes.ErrUnhealthy,
		rpctypes.ErrLeaderChanged, rpctypes.ErrTooManyRequests, rpctypes.ErrGRPCNoLeader:
		return driver.Unavailable
	case rpctypes.ErrRequestTooLarge, rpctypes.ErrTooManyOps:
		return driver.InvalidValue
	}
	code := codes.Unknown
	if ee, ok := err.(rpctypes.EtcdError); ok {
		code = ee.Code()
	} else if s, ok := status.FromError(err); ok {
		code = s.Code()
	}
	switch code {
	case codes.Unavailable, codes.DeadlineExceeded, codes.ResourceExhausted, codes.Aborted:
		return driver.Unavailable
	case codes.PermissionDenied, codes.Unauthenticated:
		return driver.PermissionDenied
	case codes.Canceled:
		return driver.Canceled
	}
	return driver.Unknown
}

// classify wraps err with its code. Context errors of the caller and
// classified errors are returned unchanged.
func classify(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	var de *driver.Error
	if errors.As(err, &de) {
		return err
	}
	if ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
		return err
	}
	return driver.NewError(codeOf(err), err)
}

package etcd

import (
	"context"
	"fmt"
	"testing"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/secretstore-go/secretstore/driver"
)

// TestCodeOf classifies the client's errors, bare and wrapped as this
// package wraps them.
func TestCodeOf(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want driver.Code
	}{
		{rpctypes.ErrPermissionDenied, driver.PermissionDenied},
		{rpctypes.ErrAuthFailed, driver.PermissionDenied},
		{rpctypes.ErrGRPCPermissionDenied, driver.PermissionDenied},
		{rpctypes.ErrNoLeader, driver.Unavailable},
		{rpctypes.ErrTimeout, driver.Unavailable},
		{rpctypes.ErrRequestTooLarge, driver.InvalidValue},
		{status.Error(codes.Unavailable, "connection refused"), driver.Unavailable},
		{status.Error(codes.Unauthenticated, "no"), driver.PermissionDenied},
		{context.DeadlineExceeded, driver.Unavailable},
		{ErrWrongKey, driver.PermissionDenied},
		{ErrCorrupt, driver.Unknown},
	} {
		for _, err := range []error{tc.err, fmt.Errorf("etcd: get %q: %w", "a", tc.err)} {
			if got := codeOf(err); got != tc.want {
				t.Errorf("codeOf(%v) = %v, want %v", err, got, tc.want)
			}
		}
	}
}

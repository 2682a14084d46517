package gcp_test

import (
	"testing"
	"time"

	secretmanager "cloud.google.com/go/secretmanager/apiv1"
	gax "github.com/googleapis/gax-go/v2"
	"github.com/secretstore-go/secretstore/driver"
	"github.com/secretstore-go/secretstore/gcp"
	"github.com/secretstore-go/secretstore/gcp/internal/fakegcp"
	"github.com/secretstore-go/secretstore/storetest"
)

const project = "test-project"

// fastBackoff keeps retries in tests short; it paces retries and
// synchronises nothing.
var fastBackoff = gax.Backoff{Initial: time.Millisecond, Max: 4 * time.Millisecond, Multiplier: 2}

// startFake starts the in-process Secret Manager on a 127.0.0.1 port.
func startFake(t *testing.T, opts fakegcp.Options) *fakegcp.Server {
	t.Helper()
	srv, err := fakegcp.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return srv
}

// open returns a driver that reaches srv through the official client over
// gRPC. The caller (or the portable Store it is given to) closes it.
func open(t *testing.T, srv *fakegcp.Server, opts gcp.Options) *gcp.Store {
	t.Helper()
	opts.ClientOptions = append(opts.ClientOptions, srv.ClientOptions()...)
	if opts.Backoff == (gax.Backoff{}) {
		opts.Backoff = fastBackoff
	}
	d, err := gcp.New(t.Context(), project, opts)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestConformance runs the whole storetest suite through the official
// client against the fake service, once with Remove deleting secrets and
// once with Remove disabling their versions. Small list pages make List
// page.
func TestConformance(t *testing.T) {
	for _, mode := range []struct {
		name    string
		disable bool
	}{{"Delete", false}, {"DisableOnRemove", true}} {
		t.Run(mode.name, func(t *testing.T) {
			srv := startFake(t, fakegcp.Options{MaxPageSize: 7})
			storetest.Run(t, storetest.Harness{
				AsTargets: []any{new(*secretmanager.Client)},
				Open: func(t *testing.T) driver.Store {
					return open(t, srv, gcp.Options{DisableOnRemove: mode.disable})
				},
				MaxValueSize:  gcp.MaxValueSize,
				NoEmptyValues: true,
			})
		})
	}
}

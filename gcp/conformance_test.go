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

// open returns a driver with escaped names (see openWith), the mode most
// tests here use, since their names hold portable punctuation.
func open(t *testing.T, srv *fakegcp.Server, opts gcp.Options) *gcp.Store {
	t.Helper()
	opts.Names = gcp.NamesEscaped
	return openWith(t, srv, opts)
}

// openWith returns a driver that reaches srv through the official client
// over gRPC, with opts as given. The caller (or the portable Store it is
// given to) closes it.
func openWith(t *testing.T, srv *fakegcp.Server, opts gcp.Options) *gcp.Store {
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

// nativeName maps a name of the suite to a secret id, character by
// character and without collisions: with the escaped mode's own mapping,
// whose ids are as native as any (letters, digits, '_' and '-').
func nativeName(name string) string {
	id, err := gcp.SecretID(name)
	if err != nil {
		return name // refused by the driver, which the suite reports
	}
	return id
}

// TestConformance runs the whole storetest suite through the official
// client against the fake service, in both name modes, each once with
// Remove deleting secrets and once with Remove disabling their versions.
// Small list pages make List page.
func TestConformance(t *testing.T) {
	for _, names := range []gcp.Names{gcp.NamesNative, gcp.NamesEscaped} {
		for _, mode := range []struct {
			name    string
			disable bool
		}{{"Delete", false}, {"DisableOnRemove", true}} {
			t.Run(names.String()+"/"+mode.name, func(t *testing.T) {
				srv := startFake(t, fakegcp.Options{MaxPageSize: 7})
				h := storetest.Harness{
					AsTargets: []any{new(*secretmanager.Client)},
					Open: func(t *testing.T) driver.Store {
						return openWith(t, srv, gcp.Options{DisableOnRemove: mode.disable, Names: names})
					},
					MaxValueSize:  gcp.MaxValueSize,
					NoEmptyValues: true,
				}
				if names == gcp.NamesNative {
					h.NativeName = nativeName
				}
				storetest.Run(t, h)
			})
		}
	}
}

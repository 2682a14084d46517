package gcp_test

import (
	"crypto/rand"
	"encoding/hex"
	"testing"

	"cloud.google.com/go/auth/credentials"
	secretmanager "cloud.google.com/go/secretmanager/apiv1"
	"cloud.google.com/go/secretmanager/apiv1/secretmanagerpb"
	"github.com/secretstore-go/secretstore/driver"
	"github.com/secretstore-go/secretstore/gcp"
	"github.com/secretstore-go/secretstore/internal/testenv"
	"github.com/secretstore-go/secretstore/storetest"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// TestLive runs the conformance suite and the driver's assumptions about
// the service against a real project: set SECRETSTORE_GCP_PROJECT to its id
// and provide Application Default Credentials allowed to create, read and
// delete secrets there (roles/secretmanager.admin). Every secret it makes
// starts with "storetest" and is deleted at the end.
func TestLive(t *testing.T) {
	project := testenv.Live(t, "Secret Manager", "SECRETSTORE_GCP_PROJECT")[0]
	if _, err := credentials.DetectDefault(&credentials.DetectOptions{Scopes: secretmanager.DefaultAuthScopes()}); err != nil {
		t.Skipf("SECRETSTORE_GCP_PROJECT is set but Application Default Credentials are missing (%v): the live test is skipped", err)
	}
	openLive := func(t *testing.T, opts gcp.Options) *gcp.Store {
		t.Helper()
		d, err := gcp.New(t.Context(), project, opts)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	for _, names := range []gcp.Names{gcp.NamesNative, gcp.NamesEscaped} {
		t.Run("Conformance/"+names.String(), func(t *testing.T) {
			h := storetest.Harness{
				AsTargets:     []any{new(*secretmanager.Client)},
				Open:          func(t *testing.T) driver.Store { return openLive(t, gcp.Options{Names: names}) },
				MaxValueSize:  gcp.MaxValueSize,
				NoEmptyValues: true,
			}
			if names == gcp.NamesNative {
				h.NativeName = nativeName
			}
			storetest.Run(t, h)
		})
	}

	d := openLive(t, gcp.Options{Names: gcp.NamesEscaped})
	t.Cleanup(func() { _ = d.Close() })
	var c *secretmanager.Client
	d.As(&c)
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	prefix := "storetest/live-" + hex.EncodeToString(b) + "/"
	t.Cleanup(func() {
		names, err := d.List(t.Context(), prefix)
		if err != nil {
			t.Logf("cleanup: %v", err)
		}
		for _, n := range names {
			if err := d.Remove(t.Context(), n); err != nil {
				t.Logf("cleanup: %v", err)
			}
		}
	})

	// The driver refuses the empty value because the service does; if the
	// service ever takes it, the refusal should go.
	t.Run("ServiceRefusesEmptyPayload", func(t *testing.T) {
		name := prefix + "empty"
		mustSet(t, d, name, "placeholder")
		_, err := c.AddSecretVersion(t.Context(), &secretmanagerpb.AddSecretVersionRequest{
			Parent: d.Project() + "/secrets/" + mustID(t, name), Payload: &secretmanagerpb.SecretPayload{},
		})
		if status.Code(err) != codes.InvalidArgument {
			t.Errorf("AddSecretVersion with an empty payload: %v; the driver assumes INVALID_ARGUMENT", err)
		}
	})

	// Disabling the newest version rolls Get back, whichever way the
	// service resolves "latest".
	t.Run("RollbackByDisabling", func(t *testing.T) {
		name := prefix + "rollback"
		mustSet(t, d, name, "one")
		mustSet(t, d, name, "two")
		disable(t, c, d.Project()+"/secrets/"+mustID(t, name), 2)
		_, err := c.AccessSecretVersion(t.Context(), &secretmanagerpb.AccessSecretVersionRequest{
			Name: d.Project() + "/secrets/" + mustID(t, name) + "/versions/latest",
		})
		t.Logf("the service answers AccessSecretVersion(latest) with the newest version disabled: %v", status.Code(err))
		wantValue(t, d, name, "one")
		wantVersions(t, d, name, ptr("one"), nil)
	})

	t.Run("DisableOnRemove", func(t *testing.T) {
		dd := openLive(t, gcp.Options{DisableOnRemove: true, Names: gcp.NamesEscaped})
		t.Cleanup(func() { _ = dd.Close() })
		name := prefix + "disable"
		mustSet(t, dd, name, "one")
		if err := dd.Remove(t.Context(), name); err != nil {
			t.Fatal(err)
		}
		wantMissing(t, dd, name)
		mustSet(t, dd, name, "two")
		wantValue(t, dd, name, "two")
	})
}

func mustID(t *testing.T, name string) string {
	t.Helper()
	id, err := gcp.SecretID(name)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

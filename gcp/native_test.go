package gcp_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"cloud.google.com/go/secretmanager/apiv1/secretmanagerpb"
	"github.com/secretstore-go/secretstore/driver"
	"github.com/secretstore-go/secretstore/gcp"
	"github.com/secretstore-go/secretstore/gcp/internal/fakegcp"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/fieldmaskpb"
)

// stopped is a clock that stays in one minute, so that the fake's read
// quota is never renewed during a test.
func stopped() time.Time { return time.Date(2026, 1, 1, 0, 0, 30, 0, time.UTC) }

// consoleSecrets are secrets named the way the console, gcloud and
// Terraform name them, with their values.
var consoleSecrets = map[string]string{
	"DB_PASSWORD":    "upper-snake",
	"db_password":    "lower-snake",
	"db-password":    "kebab",
	"StripeApiKey":   "pascal",
	"stripe-api-key": "kebab-stripe",
	"_leading":       "underscore first",
	"9lives":         "digit first",
}

// In native mode (the default) a name is the secret id: the secrets others
// made are read, listed and written under the names they show.
func TestNativeNamesReadConsoleSecrets(t *testing.T) {
	srv := startFake(t, fakegcp.Options{MaxPageSize: 3})
	for id, v := range consoleSecrets {
		srv.Seed(project, id, nil, v)
	}
	d := openWith(t, srv, gcp.Options{})
	t.Cleanup(func() { _ = d.Close() })
	ctx := t.Context()
	names := slices.Sorted(func(yield func(string) bool) {
		for n := range consoleSecrets {
			if !yield(n) {
				return
			}
		}
	})
	got, err := d.Get(ctx, names)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		if got[n] != consoleSecrets[n] {
			t.Errorf("Get(%q) = %q, want %q", n, got[n], consoleSecrets[n])
		}
	}
	listed, err := d.List(ctx, "")
	if slices.Sort(listed); err != nil || !slices.Equal(listed, names) {
		t.Fatalf("List = %q, %v; want %q", listed, err, names)
	}
	if listed, err := d.List(ctx, "db"); err != nil || !slices.Equal(listed, []string{"db-password", "db_password"}) {
		t.Fatalf(`List("db") = %q, %v`, listed, err)
	}
	// A write lands on the same secret as a new version.
	mustSet(t, d, "DB_PASSWORD", "rotated")
	if _, vs, _ := srv.Secret("projects/" + project + "/secrets/DB_PASSWORD"); len(vs) != 2 {
		t.Fatalf("DB_PASSWORD has %d versions after Set, want 2", len(vs))
	}
	wantValue(t, d, "DB_PASSWORD", "rotated")
	wantValue(t, d, "db_password", "lower-snake")
	// Through the portable Store, by URL default.
	s := portable(t, openWith(t, srv, gcp.Options{}))
	ss, err := s.Require(ctx, "db_password", "StripeApiKey")
	if err != nil || ss.Reveal("StripeApiKey") != "pascal" {
		t.Fatalf("Require through the portable Store: %v", err)
	}
}

// A name that is not a secret id is refused before any call, with a
// message that states Secret Manager's rule.
func TestNativeNamesRefusedBeforeAnyCall(t *testing.T) {
	srv := startFake(t, fakegcp.Options{})
	calls := 0
	srv.SetHook(func(context.Context, string, any) error { calls++; return nil })
	d := openWith(t, srv, gcp.Options{})
	t.Cleanup(func() { _ = d.Close() })
	ctx := t.Context()
	for _, name := range []string{"db/password", "tenant:acme:key", "a.b", "a@b", "a+b", "a=b", "rds!db", strings.Repeat("x", 256)} {
		_, err := d.Get(ctx, []string{name})
		if driver.CodeOf(err) != driver.InvalidName || !strings.Contains(err.Error(), "letters, digits, '-' and '_'") {
			t.Errorf("Get(%q): %v, want invalid_name stating the rule", name, err)
		}
		if err := d.Set(ctx, name, "v"); driver.CodeOf(err) != driver.InvalidName {
			t.Errorf("Set(%q): %v, want invalid_name", name, err)
		}
		if err := d.Remove(ctx, name); driver.CodeOf(err) != driver.InvalidName {
			t.Errorf("Remove(%q): %v, want invalid_name", name, err)
		}
		if _, _, err := d.GetVersions(ctx, name); driver.CodeOf(err) != driver.InvalidName {
			t.Errorf("GetVersions(%q): %v, want invalid_name", name, err)
		}
	}
	if got, err := d.List(ctx, "db/"); err != nil || len(got) != 0 {
		t.Errorf(`List("db/") = %q, %v; want nothing`, got, err)
	}
	s := portable(t, openWith(t, srv, gcp.Options{}))
	if _, err := s.Get(ctx, "db/password"); err == nil || !strings.Contains(err.Error(), "secret id") {
		t.Errorf("portable Get of db/password: %v", err)
	}
	if calls != 0 {
		t.Fatalf("%d calls reached the service for refused names", calls)
	}
	// The escaped mode takes them all.
	e := open(t, srv, gcp.Options{})
	t.Cleanup(func() { _ = e.Close() })
	mustSet(t, e, "db/password", "v")
	wantValue(t, e, "db/password", "v")
}

// List is one paged ListSecrets call whatever the number of secrets, also
// with DisableOnRemove: at 1,000 secrets it stays far inside Secret
// Manager's quota of 600 read requests per minute, which the fake enforces.
func TestListQuotaAtThousandSecrets(t *testing.T) {
	for _, disable := range []bool{false, true} {
		t.Run(fmt.Sprintf("DisableOnRemove=%v", disable), func(t *testing.T) {
			srv := startFake(t, fakegcp.Options{ReadQuota: 600, Now: stopped})
			for i := range 1000 {
				var labels map[string]string
				if i%10 == 0 {
					labels = map[string]string{gcp.RemovedLabel: "true"} // removed by this driver
				}
				srv.Seed(project, fmt.Sprintf("svc-%04d", i), labels, "v")
			}
			d := openWith(t, srv, gcp.Options{DisableOnRemove: disable, MaxRetries: -1})
			t.Cleanup(func() { _ = d.Close() })
			for range 3 {
				before := srv.Reads()
				got, err := d.List(t.Context(), "svc-")
				if err != nil {
					t.Fatalf("List: %v", err)
				}
				want := 1000
				if disable {
					want = 900
				}
				if len(got) != want {
					t.Fatalf("List returned %d names, want %d", len(got), want)
				}
				if n := srv.Reads() - before; n != 1 {
					t.Fatalf("List made %d read requests, want 1 (one page of 1,000)", n)
				}
			}
		})
	}
}

// The fake refuses reads past its quota, as the service does: a client
// that lists each secret's versions (what List did before) runs out.
func TestFakeReadQuota(t *testing.T) {
	srv := startFake(t, fakegcp.Options{ReadQuota: 600, Now: stopped})
	c := client(t, srv)
	srv.Seed(project, "s", nil, "v")
	var err error
	for i := 0; i < 601 && err == nil; i++ {
		_, err = c.GetSecret(t.Context(), &secretmanagerpb.GetSecretRequest{Name: "projects/" + project + "/secrets/s"})
	}
	if status.Code(err) != codes.ResourceExhausted {
		t.Fatalf("read 601: %v, want RESOURCE_EXHAUSTED", err)
	}
	// Value accesses have a quota of their own.
	if _, err := c.AccessSecretVersion(t.Context(), &secretmanagerpb.AccessSecretVersionRequest{Name: "projects/" + project + "/secrets/s/versions/latest"}); err != nil {
		t.Fatalf("access past the read quota: %v", err)
	}
}

// Remove labels the secret and Set takes the label off again, keeping the
// secret's other labels; List reads no versions.
func TestRemovedLabel(t *testing.T) {
	srv := startFake(t, fakegcp.Options{})
	srv.Seed(project, "API_KEY", map[string]string{"team": "payments"}, "v1")
	d := openWith(t, srv, gcp.Options{DisableOnRemove: true})
	t.Cleanup(func() { _ = d.Close() })
	ctx := t.Context()
	const full = "projects/" + project + "/secrets/API_KEY"
	labels := func() map[string]string {
		sec, _, _ := srv.Secret(full)
		return sec.GetLabels()
	}
	if err := d.Remove(ctx, "API_KEY"); err != nil {
		t.Fatal(err)
	}
	if l := labels(); l[gcp.RemovedLabel] != "true" || l["team"] != "payments" {
		t.Fatalf("labels after Remove: %v", l)
	}
	if got := states(t, srv, full); got != "DISABLED" {
		t.Fatalf("versions after Remove: %s", got)
	}
	versions := srv.Calls("ListSecretVersions")
	if got, err := d.List(ctx, ""); err != nil || len(got) != 0 {
		t.Fatalf("List after Remove = %q, %v", got, err)
	}
	if n := srv.Calls("ListSecretVersions") - versions; n != 0 {
		t.Fatalf("List made %d ListSecretVersions calls", n)
	}
	mustSet(t, d, "API_KEY", "v2")
	if l := labels(); l[gcp.RemovedLabel] != "" || l["team"] != "payments" {
		t.Fatalf("labels after Set: %v", l)
	}
	if got, err := d.List(ctx, ""); err != nil || !slices.Equal(got, []string{"API_KEY"}) {
		t.Fatalf("List after Set = %q, %v", got, err)
	}
	// A Set of a name that was never removed updates no labels.
	updates := srv.Calls("UpdateSecret")
	mustSet(t, d, "API_KEY", "v3")
	if n := srv.Calls("UpdateSecret") - updates; n != 0 {
		t.Fatalf("Set of a live secret made %d UpdateSecret calls", n)
	}
}

// GetVersions reads older versions by number, which costs value accesses
// only; the disabled-latest fallback costs one ListSecretVersions.
func TestGetVersionsCost(t *testing.T) {
	srv := startFake(t, fakegcp.Options{})
	srv.Seed(project, "KEY", nil, "a", "b", "b", "b")
	d := openWith(t, srv, gcp.Options{})
	t.Cleanup(func() { _ = d.Close() })
	before := srv.Reads()
	wantVersions(t, d, "KEY", ptr("b"), ptr("a"))
	if n := srv.Reads() - before; n != 0 {
		t.Fatalf("GetVersions made %d read requests other than accesses, want 0", n)
	}
	disable(t, client(t, srv), "projects/"+project+"/secrets/KEY", 4)
	before = srv.Reads()
	wantVersions(t, d, "KEY", ptr("b"), ptr("a"))
	if n := srv.Reads() - before; n != 1 {
		t.Fatalf("GetVersions with a disabled latest made %d read requests, want 1", n)
	}
	// Past directTries identical versions, it lists the enabled ones once.
	vals := []string{"old"}
	for range 20 {
		vals = append(vals, "same")
	}
	srv.Seed(project, "LONG", nil, vals...)
	before = srv.Reads()
	wantVersions(t, d, "LONG", ptr("same"), ptr("old"))
	if n := srv.Reads() - before; n != 1 {
		t.Fatalf("GetVersions over 20 versions made %d read requests, want 1", n)
	}
}

// A label change by someone else between Remove's GetSecret and its
// UpdateSecret is kept: the etag makes the update fail, and Remove reads
// the labels again.
func TestRemovedLabelKeepsConcurrentLabels(t *testing.T) {
	srv := startFake(t, fakegcp.Options{})
	srv.Seed(project, "K", nil, "v")
	c := client(t, srv)
	d := openWith(t, srv, gcp.Options{DisableOnRemove: true})
	t.Cleanup(func() { _ = d.Close() })
	const full = "projects/" + project + "/secrets/K"
	var first atomic.Bool
	srv.SetHook(func(ctx context.Context, method string, _ any) error {
		if method != "UpdateSecret" || !first.CompareAndSwap(false, true) {
			return nil
		}
		// The other writer's update, before the driver's reaches the
		// server (its own call passes this hook untouched).
		_, err := c.UpdateSecret(ctx, &secretmanagerpb.UpdateSecretRequest{
			Secret:     &secretmanagerpb.Secret{Name: full, Labels: map[string]string{"owner": "ops"}},
			UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"labels"}},
		})
		return err
	})
	if err := d.Remove(t.Context(), "K"); err != nil {
		t.Fatal(err)
	}
	sec, _, _ := srv.Secret(full)
	if l := sec.GetLabels(); l["owner"] != "ops" || l[gcp.RemovedLabel] != "true" {
		t.Fatalf("labels after a concurrent change: %v, want both", l)
	}
	if n := srv.Calls("UpdateSecret"); n != 3 {
		t.Fatalf("%d UpdateSecret calls, want 3 (the other writer's, a refused one, a retry)", n)
	}
}

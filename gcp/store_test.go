package gcp_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	secretmanager "cloud.google.com/go/secretmanager/apiv1"
	"cloud.google.com/go/secretmanager/apiv1/secretmanagerpb"
	"github.com/googleapis/gax-go/v2/apierror"
	"github.com/secretstore-go/secretstore"
	"github.com/secretstore-go/secretstore/driver"
	"github.com/secretstore-go/secretstore/gcp"
	"github.com/secretstore-go/secretstore/gcp/internal/fakegcp"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// fullName returns the resource name of the secret holding a portable name.
func fullName(t *testing.T, name string) string {
	t.Helper()
	id, err := gcp.SecretID(name)
	if err != nil {
		t.Fatal(err)
	}
	return "projects/" + project + "/secrets/" + id
}

// client returns a raw official client connected to srv, to change the
// fake's state as an operator would.
func client(t *testing.T, srv *fakegcp.Server) *secretmanager.Client {
	t.Helper()
	c, err := secretmanager.NewClient(t.Context(), srv.ClientOptions()...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// portable wraps d in a portable Store with every operation enabled; the
// Store closes d.
func portable(t *testing.T, d driver.Store) *secretstore.Store {
	t.Helper()
	s := secretstore.New(d, secretstore.EnableSet(true), secretstore.EnableRemove(true), secretstore.WithName("gcp-test"))
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func mustSet(t *testing.T, d *gcp.Store, name, value string) {
	t.Helper()
	if err := d.Set(t.Context(), name, value); err != nil {
		t.Fatalf("Set(%q): %v", name, err)
	}
}

func wantValue(t *testing.T, d *gcp.Store, name, want string) {
	t.Helper()
	m, err := d.Get(t.Context(), []string{name})
	if err != nil {
		t.Fatalf("Get(%q): %v", name, err)
	}
	got, ok := m[name]
	if !ok || got != want {
		t.Fatalf("Get(%q) = %q, %v; want %q", name, got, ok, want)
	}
}

func wantMissing(t *testing.T, d *gcp.Store, name string) {
	t.Helper()
	m, err := d.Get(t.Context(), []string{name, name + "-other"})
	if err != nil || len(m) != 0 {
		t.Fatalf("Get(%q) = %d values, %v; want missing", name, len(m), err)
	}
}

func disable(t *testing.T, c *secretmanager.Client, secret string, version int) {
	t.Helper()
	_, err := c.DisableSecretVersion(t.Context(), &secretmanagerpb.DisableSecretVersionRequest{Name: fmt.Sprintf("%s/versions/%d", secret, version)})
	if err != nil {
		t.Fatal(err)
	}
}

func states(t *testing.T, srv *fakegcp.Server, secret string) string {
	t.Helper()
	_, vs, ok := srv.Secret(secret)
	if !ok {
		return "deleted"
	}
	var out []string
	for _, v := range vs {
		out = append(out, v.GetState().String())
	}
	return strings.Join(out, ",")
}

func show(p *string) string {
	if p == nil {
		return "nil"
	}
	return fmt.Sprintf("%q", *p)
}

func wantVersions(t *testing.T, d *gcp.Store, name string, cur, prev *string) {
	t.Helper()
	c, p, err := d.GetVersions(t.Context(), name)
	if err != nil {
		t.Fatalf("GetVersions(%q): %v", name, err)
	}
	if show(c) != show(cur) || show(p) != show(prev) {
		t.Fatalf("GetVersions(%q) = %s, %s; want %s, %s", name, show(c), show(p), show(cur), show(prev))
	}
}

func ptr(s string) *string { return &s }

// Disabling the newest version rolls Get back to the version before it,
// whether the service's "latest" stays on the disabled version (as
// documented) or skips it.
func TestRollbackByDisabling(t *testing.T) {
	for _, skip := range []bool{false, true} {
		t.Run(fmt.Sprintf("LatestSkipsDisabled=%v", skip), func(t *testing.T) {
			srv := startFake(t, fakegcp.Options{LatestSkipsDisabled: skip})
			d := open(t, srv, gcp.Options{})
			t.Cleanup(func() { _ = d.Close() })
			c := client(t, srv)
			name := "app/db:password"
			mustSet(t, d, name, "one")
			mustSet(t, d, name, "two")
			mustSet(t, d, name, "three")
			disable(t, c, fullName(t, name), 3)
			wantValue(t, d, name, "two")
			wantVersions(t, d, name, ptr("two"), ptr("one"))
			disable(t, c, fullName(t, name), 2)
			wantValue(t, d, name, "one")
			wantVersions(t, d, name, ptr("one"), nil)
			disable(t, c, fullName(t, name), 1)
			wantMissing(t, d, name)
			wantVersions(t, d, name, nil, nil)
			mustSet(t, d, name, "four")
			wantValue(t, d, name, "four")
		})
	}
}

func TestGetVersions(t *testing.T) {
	srv := startFake(t, fakegcp.Options{})
	d := open(t, srv, gcp.Options{})
	t.Cleanup(func() { _ = d.Close() })
	name := "rotating/key"
	wantVersions(t, d, name, nil, nil)
	mustSet(t, d, name, "a")
	wantVersions(t, d, name, ptr("a"), nil)
	mustSet(t, d, name, "b")
	wantVersions(t, d, name, ptr("b"), ptr("a"))
	mustSet(t, d, name, "b") // the same value again keeps the previous one
	wantVersions(t, d, name, ptr("b"), ptr("a"))
	mustSet(t, d, name, "c")
	wantVersions(t, d, name, ptr("c"), ptr("b"))
	if err := d.Remove(t.Context(), name); err != nil {
		t.Fatal(err)
	}
	wantVersions(t, d, name, nil, nil)
	if _, _, err := d.GetVersions(t.Context(), strings.Repeat("x", 256)); driver.CodeOf(err) != driver.InvalidName {
		t.Fatalf("GetVersions of a name too long for an id: %v, want invalid_name", err)
	}
}

func TestDisableOnRemove(t *testing.T) {
	srv := startFake(t, fakegcp.Options{})
	d := open(t, srv, gcp.Options{DisableOnRemove: true})
	t.Cleanup(func() { _ = d.Close() })
	c := client(t, srv)
	ctx := t.Context()
	name, other := "svc/token", "svc/other"
	mustSet(t, d, name, "v1")
	mustSet(t, d, name, "v2")
	mustSet(t, d, other, "stays")
	if err := d.Remove(ctx, name); err != nil {
		t.Fatal(err)
	}
	if got := states(t, srv, fullName(t, name)); got != "DISABLED,DISABLED" {
		t.Fatalf("versions after Remove: %s, want all disabled (and the secret kept)", got)
	}
	wantMissing(t, d, name)
	wantVersions(t, d, name, nil, nil)
	if got, err := d.List(ctx, "svc/"); err != nil || !slices.Equal(got, []string{other}) {
		t.Fatalf("List after Remove = %q, %v; want only %q", got, err, other)
	}
	if err := d.Remove(ctx, name); err != nil {
		t.Fatalf("second Remove: %v", err)
	}
	// Recoverable: enabling a version brings the name back.
	if _, err := c.EnableSecretVersion(ctx, &secretmanagerpb.EnableSecretVersionRequest{Name: fullName(t, name) + "/versions/2"}); err != nil {
		t.Fatal(err)
	}
	wantValue(t, d, name, "v2")
	if err := d.Remove(ctx, name); err != nil {
		t.Fatal(err)
	}
	mustSet(t, d, name, "v3")
	wantValue(t, d, name, "v3")
	wantVersions(t, d, name, ptr("v3"), nil)
	if got := states(t, srv, fullName(t, name)); got != "DISABLED,DISABLED,ENABLED" {
		t.Fatalf("versions after Set: %s", got)
	}
	if err := d.Remove(ctx, "never/set"); err != nil {
		t.Fatalf("Remove of a missing name: %v", err)
	}
}

func TestRemoveDeletes(t *testing.T) {
	srv := startFake(t, fakegcp.Options{})
	d := open(t, srv, gcp.Options{})
	t.Cleanup(func() { _ = d.Close() })
	mustSet(t, d, "x", "v")
	if err := d.Remove(t.Context(), "x"); err != nil {
		t.Fatal(err)
	}
	if got := states(t, srv, fullName(t, "x")); got != "deleted" {
		t.Fatalf("secret after Remove: %s, want deleted", got)
	}
}

func TestSetCreatesSecret(t *testing.T) {
	srv := startFake(t, fakegcp.Options{})
	d := open(t, srv, gcp.Options{})
	t.Cleanup(func() { _ = d.Close() })
	adds, creates := srv.Calls("AddSecretVersion"), srv.Calls("CreateSecret")
	mustSet(t, d, "fresh", "v1")
	if srv.Calls("AddSecretVersion")-adds != 2 || srv.Calls("CreateSecret")-creates != 1 {
		t.Fatalf("first Set made %d AddSecretVersion and %d CreateSecret calls, want 2 and 1",
			srv.Calls("AddSecretVersion")-adds, srv.Calls("CreateSecret")-creates)
	}
	mustSet(t, d, "fresh", "v2")
	if srv.Calls("CreateSecret")-creates != 1 || srv.Calls("AccessSecretVersion") != 0 || srv.Calls("GetSecret") != 0 {
		t.Fatal("Set of an existing secret created it again or read something")
	}
	sec, vs, ok := srv.Secret(fullName(t, "fresh"))
	if !ok || sec.GetReplication().GetAutomatic() == nil || len(vs) != 2 || !vs[1].GetClientSpecifiedPayloadChecksum() {
		t.Fatalf("secret %v with %d versions: want automatic replication and checksummed versions", sec, len(vs))
	}

	rep := &secretmanagerpb.Replication{Replication: &secretmanagerpb.Replication_UserManaged_{UserManaged: &secretmanagerpb.Replication_UserManaged{
		Replicas: []*secretmanagerpb.Replication_UserManaged_Replica{{Location: "europe-west1"}},
	}}}
	d2 := open(t, srv, gcp.Options{Replication: rep, Labels: map[string]string{"team": "payments"}})
	t.Cleanup(func() { _ = d2.Close() })
	mustSet(t, d2, "regional", "v")
	sec, _, _ = srv.Secret(fullName(t, "regional"))
	if got := sec.GetReplication().GetUserManaged().GetReplicas(); len(got) != 1 || got[0].GetLocation() != "europe-west1" || sec.GetLabels()["team"] != "payments" {
		t.Fatalf("secret created with replication %v, labels %v", sec.GetReplication(), sec.GetLabels())
	}
}

// Two writers of a new name both find it missing and both create it: the
// loser's ALREADY_EXISTS is no error, and both values are written.
func TestSetRaceCreatingSecret(t *testing.T) {
	srv := startFake(t, fakegcp.Options{})
	d := open(t, srv, gcp.Options{})
	t.Cleanup(func() { _ = d.Close() })
	arrived := make(chan struct{}, 2)
	both := make(chan struct{})
	var once sync.Once
	var n int
	var mu sync.Mutex
	srv.SetHook(func(ctx context.Context, method string, _ any) error {
		if method != "AddSecretVersion" {
			return nil
		}
		mu.Lock()
		n++
		first := n <= 2
		if n == 2 {
			once.Do(func() { close(both) })
		}
		mu.Unlock()
		if !first {
			return nil
		}
		arrived <- struct{}{}
		select { // the first two adds wait for each other, so both miss
		case <-both:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	errs := make(chan error, 2)
	for _, v := range []string{"from-a", "from-b"} {
		go func() { errs <- d.Set(ctx, "race", v) }()
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatalf("racing Set: %v", err)
		}
	}
	if got := srv.Calls("CreateSecret"); got != 2 {
		t.Fatalf("CreateSecret calls = %d, want 2 (both writers found the secret missing)", got)
	}
	if got := states(t, srv, fullName(t, "race")); got != "ENABLED,ENABLED" {
		t.Fatalf("versions after the race: %s, want two", got)
	}
}

// A secret deleted again after each creation ends Set with a conflict
// rather than a loop.
func TestSetAgainstConcurrentDeletes(t *testing.T) {
	srv := startFake(t, fakegcp.Options{})
	d := open(t, srv, gcp.Options{})
	s := portable(t, d)
	srv.SetHook(func(ctx context.Context, method string, req any) error {
		if r, ok := req.(*secretmanagerpb.AddSecretVersionRequest); ok {
			_, _ = srv.DeleteSecret(ctx, &secretmanagerpb.DeleteSecretRequest{Name: r.GetParent()})
		}
		return nil
	})
	err := s.Set(t.Context(), "doomed", "v")
	if !errors.Is(err, secretstore.ErrConflict) {
		t.Fatalf("Set against a deleter: %v, want ErrConflict", err)
	}
	if got := srv.Calls("AddSecretVersion"); got != 3 {
		t.Fatalf("AddSecretVersion calls = %d, want 3", got)
	}
}

func TestRetries(t *testing.T) {
	srv := startFake(t, fakegcp.Options{})
	d := open(t, srv, gcp.Options{MaxRetries: 2})
	s := portable(t, d)
	ctx := t.Context()
	mustSet(t, d, "k", "v")

	srv.Fail("AccessSecretVersion", codes.Unavailable, 1)
	srv.Fail("AccessSecretVersion", codes.ResourceExhausted, 1)
	before := srv.Calls("AccessSecretVersion")
	wantValue(t, d, "k", "v")
	if got := srv.Calls("AccessSecretVersion") - before; got != 3 {
		t.Fatalf("Get after two transient faults made %d calls, want 3", got)
	}

	for _, m := range []string{"AddSecretVersion", "CreateSecret", "DeleteSecret", "ListSecrets"} {
		srv.Fail(m, codes.Unavailable, 2)
	}
	mustSet(t, d, "k", "w")       // AddSecretVersion retried
	mustSet(t, d, "new-one", "x") // CreateSecret retried
	wantValue(t, d, "new-one", "x")
	if err := d.Remove(ctx, "k"); err != nil { // DeleteSecret retried
		t.Fatalf("Remove after transient faults: %v", err)
	}
	if got, err := d.List(ctx, ""); err != nil || !slices.Equal(got, []string{"new-one"}) { // ListSecrets retried
		t.Fatalf("List after transient faults = %q, %v", got, err)
	}

	// Out of attempts: unavailable, after exactly MaxRetries+1 calls.
	srv.Fail("AccessSecretVersion", codes.Unavailable, 3)
	before = srv.Calls("AccessSecretVersion")
	_, err := s.Get(ctx, "new-one")
	if !errors.Is(err, secretstore.ErrUnavailable) {
		t.Fatalf("Get after MaxRetries+1 faults: %v, want ErrUnavailable", err)
	}
	if got := srv.Calls("AccessSecretVersion") - before; got != 3 {
		t.Fatalf("Get made %d calls, want MaxRetries+1 = 3", got)
	}
	srv.Fail("AddSecretVersion", codes.ResourceExhausted, 3)
	if err := s.Set(ctx, "new-one", "y"); !errors.Is(err, secretstore.ErrUnavailable) {
		t.Fatalf("Set throttled past MaxRetries: %v, want ErrUnavailable", err)
	}

	// Permanent errors are not retried.
	srv.Fail("AccessSecretVersion", codes.PermissionDenied, 1)
	before = srv.Calls("AccessSecretVersion")
	if _, err := s.Get(ctx, "new-one"); !errors.Is(err, secretstore.ErrPermissionDenied) {
		t.Fatalf("Get refused: %v, want ErrPermissionDenied", err)
	}
	if got := srv.Calls("AccessSecretVersion") - before; got != 1 {
		t.Fatalf("a refused Get made %d calls, want 1", got)
	}
	wantValue(t, d, "new-one", "x")
}

func TestErrorClasses(t *testing.T) {
	srv := startFake(t, fakegcp.Options{})
	d := open(t, srv, gcp.Options{MaxRetries: -1})
	s := portable(t, d)
	ctx := t.Context()
	if err := s.Set(ctx, "k", "v"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		code  codes.Code
		class error
		dc    driver.Code
	}{
		{codes.PermissionDenied, secretstore.ErrPermissionDenied, driver.PermissionDenied},
		{codes.Unauthenticated, secretstore.ErrPermissionDenied, driver.PermissionDenied},
		{codes.Unavailable, secretstore.ErrUnavailable, driver.Unavailable},
		{codes.ResourceExhausted, secretstore.ErrUnavailable, driver.Unavailable},
		{codes.FailedPrecondition, secretstore.ErrConflict, driver.Conflict},
		{codes.Aborted, secretstore.ErrConflict, driver.Conflict},
		{codes.Unimplemented, secretstore.ErrNotSupported, driver.NotSupported},
		{codes.Internal, nil, driver.Unknown},
	} {
		srv.Fail("AddSecretVersion", c.code, 1)
		err := s.Set(ctx, "k", "w")
		if c.class != nil && !errors.Is(err, c.class) || secretstore.Code(err) != c.dc {
			t.Errorf("Set failing with %v: %v (code %v), want %v", c.code, err, secretstore.Code(err), c.dc)
		}
	}
	// NOT_FOUND where absence is an error: deleting a version listed a
	// moment ago is not, but a project that does not exist is.
	srv.Fail("ListSecrets", codes.NotFound, 1)
	if _, err := s.List(ctx, ""); !errors.Is(err, secretstore.ErrNotFound) {
		t.Errorf("List failing with NotFound: %v, want ErrNotFound", err)
	}
}

// Errors carry the call, the name and the status code, never the service's
// message; the message stays reachable for callers who ask.
func TestErrorsHideServiceMessages(t *testing.T) {
	srv := startFake(t, fakegcp.Options{})
	d := open(t, srv, gcp.Options{})
	s := portable(t, d)
	const detail = "service-detail-5f3a"
	srv.SetHook(func(_ context.Context, method string, _ any) error {
		if method == "AccessSecretVersion" {
			return status.Error(codes.PermissionDenied, "Permission denied on "+detail)
		}
		return nil
	})
	_, err := s.Get(t.Context(), "a/b")
	if err == nil || strings.Contains(err.Error(), detail) {
		t.Fatalf("error %q contains the service's message", err)
	}
	if !strings.Contains(err.Error(), "AccessSecretVersion") || !strings.Contains(err.Error(), "a/b") || !strings.Contains(err.Error(), "PermissionDenied") {
		t.Fatalf("error %q does not name the call, the name and the code", err)
	}
	// The service's own message is one errors.As away, for a caller who
	// asks for it.
	var ae *apierror.APIError
	if !errors.As(err, &ae) || ae.GRPCStatus().Code() != codes.PermissionDenied || !strings.Contains(ae.GRPCStatus().Message(), detail) {
		t.Fatalf("errors.As(*apierror.APIError) does not reach the service's status")
	}
	if got := status.Code(err); got != codes.PermissionDenied {
		t.Fatalf("status.Code of the portable error = %v", got)
	}
}

func TestCorruptPayload(t *testing.T) {
	srv := startFake(t, fakegcp.Options{})
	d := open(t, srv, gcp.Options{})
	s := portable(t, d)
	ctx := t.Context()
	const value = "canary-7b1e9d2c-value"
	if err := s.Set(ctx, "k", value); err != nil {
		t.Fatal(err)
	}
	if err := s.Set(ctx, "other", "fine"); err != nil {
		t.Fatal(err)
	}
	srv.CorruptNextAccess(1)
	ss, err := s.Get(ctx, "k")
	if !errors.Is(err, gcp.ErrCorrupt) || secretstore.Code(err) != driver.Unknown || ss != nil {
		t.Fatalf("Get of a corrupted payload: %d secrets, %v (code %v); want ErrCorrupt, unknown", len(ss), err, secretstore.Code(err))
	}
	if strings.Contains(err.Error(), value) || strings.Contains(err.Error(), "canary") {
		t.Fatalf("the error reveals the value: %q", err)
	}
	srv.CorruptNextAccess(1)
	if _, _, err := d.GetVersions(ctx, "k"); !errors.Is(err, gcp.ErrCorrupt) {
		t.Fatalf("GetVersions of a corrupted payload: %v, want ErrCorrupt", err)
	}
	ss, err = s.Get(ctx, "k", "other")
	if err != nil || ss.Reveal("k") != value || ss.Reveal("other") != "fine" {
		t.Fatalf("Get after the corruption passed: %v", err)
	}
}

// Values over 64 KiB, the empty value and names too long for a secret id
// are refused before any call.
func TestRefusedBeforeAnyCall(t *testing.T) {
	srv := startFake(t, fakegcp.Options{})
	d := open(t, srv, gcp.Options{})
	s := portable(t, d)
	ctx := t.Context()
	calls := func() int {
		n := 0
		for _, m := range []string{"AddSecretVersion", "CreateSecret", "AccessSecretVersion", "DeleteSecret", "ListSecretVersions", "ListSecrets"} {
			n += srv.Calls(m)
		}
		return n
	}
	if err := s.Set(ctx, "big", strings.Repeat("x", gcp.MaxValueSize+1)); !errors.Is(err, secretstore.ErrInvalidValue) {
		t.Fatalf("Set over 64 KiB: %v, want ErrInvalidValue", err)
	}
	if err := s.Set(ctx, "empty", ""); !errors.Is(err, secretstore.ErrInvalidValue) {
		t.Fatalf("Set of the empty value: %v, want ErrInvalidValue", err)
	}
	long := strings.Repeat("a.", 128) // 256 bytes, a 384-character id
	if err := s.Set(ctx, long, "v"); !errors.Is(err, secretstore.ErrInvalidName) {
		t.Fatalf("Set of a name too long for an id: %v, want ErrInvalidName", err)
	}
	if _, err := s.Get(ctx, "fine", long); !errors.Is(err, secretstore.ErrInvalidName) {
		t.Fatalf("Get of a name too long for an id: %v, want ErrInvalidName", err)
	}
	if err := s.Remove(ctx, long); !errors.Is(err, secretstore.ErrInvalidName) {
		t.Fatalf("Remove of a name too long for an id: %v, want ErrInvalidName", err)
	}
	if got, err := d.List(ctx, long); err != nil || len(got) != 0 {
		t.Fatalf("List of a prefix too long for an id = %q, %v", got, err)
	}
	if n := calls(); n != 0 {
		t.Fatalf("%d calls reached the service, want none", n)
	}
	if err := s.Set(ctx, "max", strings.Repeat("x", gcp.MaxValueSize)); err != nil {
		t.Fatalf("Set of exactly 64 KiB: %v", err)
	}
}

// Get has at most Options.Parallel calls in flight, and really has that
// many. A client interceptor (so it counts as the driver calls, before the
// network) holds every AccessSecretVersion and lets one through each time a
// call arrives with the limit reached, and all of them once every name has
// arrived: a driver that never reaches the limit never finishes, and one
// that passes it piles calls up while a released call makes its round trip.
func TestGetConcurrency(t *testing.T) {
	srv := startFake(t, fakegcp.Options{})
	const limit, total = 3, 12
	var mu sync.Mutex
	inFlight, peak, arrived := 0, 0, 0
	tokens := make(chan struct{}, total)
	all := make(chan struct{})
	hold := func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
		if !strings.HasSuffix(method, "/AccessSecretVersion") {
			return invoker(ctx, method, req, reply, cc, opts...)
		}
		mu.Lock()
		inFlight++
		arrived++
		peak = max(peak, inFlight)
		if inFlight >= limit {
			tokens <- struct{}{}
		}
		if arrived == total {
			close(all)
		}
		mu.Unlock()
		defer func() {
			mu.Lock()
			inFlight--
			mu.Unlock()
		}()
		select {
		case <-tokens:
		case <-all:
		case <-ctx.Done():
			return ctx.Err()
		}
		return invoker(ctx, method, req, reply, cc, opts...)
	}
	setter := open(t, srv, gcp.Options{})
	t.Cleanup(func() { _ = setter.Close() })
	var names []string
	for i := range total {
		n := fmt.Sprintf("conc/%02d", i)
		mustSet(t, setter, n, "v"+n)
		names = append(names, n)
	}
	d := open(t, srv, gcp.Options{Parallel: limit, ClientOptions: []option.ClientOption{
		option.WithGRPCDialOption(grpc.WithChainUnaryInterceptor(hold)),
	}})
	t.Cleanup(func() { _ = d.Close() })
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	m, err := d.Get(ctx, names)
	if err != nil {
		t.Fatalf("Get: %v (it never had %d calls in flight)", err, limit)
	}
	if len(m) != len(names) {
		t.Fatalf("Get returned %d values, want %d", len(m), len(names))
	}
	for _, n := range names {
		if m[n] != "v"+n {
			t.Fatalf("%q has the wrong value", n)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if peak != limit {
		t.Fatalf("peak calls in flight = %d, want %d", peak, limit)
	}
}

func TestListSkipsForeignIDs(t *testing.T) {
	srv := startFake(t, fakegcp.Options{MaxPageSize: 2})
	d := open(t, srv, gcp.Options{})
	t.Cleanup(func() { _ = d.Close() })
	c := client(t, srv)
	for _, id := range []string{"foreign_q", "trailing_", "_s", "a_s_s_db", "UPPER-case"} {
		_, err := c.CreateSecret(t.Context(), &secretmanagerpb.CreateSecretRequest{
			Parent: "projects/" + project, SecretId: id,
			Secret: &secretmanagerpb.Secret{Replication: &secretmanagerpb.Replication{Replication: &secretmanagerpb.Replication_Automatic_{Automatic: &secretmanagerpb.Replication_Automatic{}}}},
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	mustSet(t, d, "app/key", "v")
	got, err := d.List(t.Context(), "")
	slices.Sort(got)
	// "_s" is "/" and "a_s_s_db" is "a//db": not valid names.
	if want := []string{"UPPER-case", "app/key"}; err != nil || !slices.Equal(got, want) {
		t.Fatalf("List = %q, %v; want %q", got, err, want)
	}
}

// A service that refuses the name filter is listed without it.
func TestListWithoutFilter(t *testing.T) {
	srv := startFake(t, fakegcp.Options{})
	d := open(t, srv, gcp.Options{})
	t.Cleanup(func() { _ = d.Close() })
	for _, n := range []string{"p/a", "p/b", "q/a"} {
		mustSet(t, d, n, "v")
	}
	srv.SetHook(func(_ context.Context, method string, req any) error {
		if r, ok := req.(*secretmanagerpb.ListSecretsRequest); ok && r.GetFilter() != "" {
			return status.Error(codes.InvalidArgument, "filter not supported")
		}
		return nil
	})
	got, err := d.List(t.Context(), "p/")
	slices.Sort(got)
	if err != nil || !slices.Equal(got, []string{"p/a", "p/b"}) {
		t.Fatalf("List = %q, %v", got, err)
	}
	if n := srv.Calls("ListSecrets"); n != 2 {
		t.Fatalf("ListSecrets calls = %d, want 2 (filtered, then not)", n)
	}
}

func TestAsAndClientOwnership(t *testing.T) {
	srv := startFake(t, fakegcp.Options{})
	c := client(t, srv)
	d, err := gcp.New(t.Context(), project, gcp.Options{Client: c})
	if err != nil {
		t.Fatal(err)
	}
	var got *secretmanager.Client
	if !d.As(&got) || got != c {
		t.Fatal("As(**secretmanager.Client) does not give the client")
	}
	var wrong *string
	if d.As(&wrong) {
		t.Fatal("As accepted an unsupported target")
	}
	mustSet(t, d, "k", "v")
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	// Close left the caller's client open.
	if _, err := c.GetSecret(t.Context(), &secretmanagerpb.GetSecretRequest{Name: fullName(t, "k")}); err != nil {
		t.Fatalf("the caller's client after Close: %v", err)
	}
	if _, err := gcp.New(t.Context(), project, gcp.Options{Client: c, ClientOptions: srv.ClientOptions()}); err == nil {
		t.Fatal("New took both Client and ClientOptions")
	}
	if _, err := gcp.New(t.Context(), "bad/project", gcp.Options{Client: c}); err == nil {
		t.Fatal("New took a project with a slash")
	}
}

func TestOpenURL(t *testing.T) {
	srv := startFake(t, fakegcp.Options{})
	ctx := t.Context()
	s, err := secretstore.Open(ctx, "gcpsm://projects/"+project+"?endpoint="+srv.Addr()+"&tls=0&remove=disable&parallel=4&retries=1&names=escaped",
		secretstore.EnableSet(true), secretstore.EnableRemove(true))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if err := s.Set(ctx, "url/key", "v"); err != nil {
		t.Fatal(err)
	}
	ss, err := s.Require(ctx, "url/key")
	if err != nil || ss.Reveal("url/key") != "v" {
		t.Fatalf("Require after Set through a URL: %v", err)
	}
	if err := s.Remove(ctx, "url/key"); err != nil {
		t.Fatal(err)
	}
	if got := states(t, srv, fullName(t, "url/key")); got != "DISABLED" {
		t.Fatalf("remove=disable: versions %s, want DISABLED", got)
	}
	var c *secretmanager.Client
	if !s.As(&c) || c == nil {
		t.Fatal("As through the portable Store")
	}
	if _, err := secretstore.Open(ctx, "gcpsm://projects/"+project+"?endpont=x"); err == nil || !strings.Contains(err.Error(), "endpont") {
		t.Fatalf("Open with a misspelt parameter: %v", err)
	}
}

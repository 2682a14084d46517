package fakegcp_test

import (
	"bytes"
	"context"
	"hash/crc32"
	"strings"
	"testing"

	secretmanager "cloud.google.com/go/secretmanager/apiv1"
	"cloud.google.com/go/secretmanager/apiv1/secretmanagerpb"
	gax "github.com/googleapis/gax-go/v2"
	"github.com/secretstore-go/secretstore/gcp/internal/fakegcp"
	"google.golang.org/api/iterator"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/fieldmaskpb"
)

// parent names the test project by id; numbered is how responses name it.
const parent, numbered = "projects/p", "projects/100000000001"

// start starts a fake and returns the official client connected to it over
// gRPC.
func start(t *testing.T, opts fakegcp.Options) (*fakegcp.Server, *secretmanager.Client) {
	t.Helper()
	srv, err := fakegcp.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	if got := srv.ProjectNumber("p"); "projects/"+got != numbered {
		t.Fatalf("ProjectNumber(p) = %s", got)
	}
	c, err := secretmanager.NewClient(t.Context(), srv.ClientOptions()...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return srv, c
}

// noRetry turns off the client's own retries, so that injected faults reach
// the test.
var noRetry = gax.WithRetry(nil)

func automatic() *secretmanagerpb.Replication {
	return &secretmanagerpb.Replication{Replication: &secretmanagerpb.Replication_Automatic_{Automatic: &secretmanagerpb.Replication_Automatic{}}}
}

func create(t *testing.T, c *secretmanager.Client, id string) string {
	t.Helper()
	sec, err := c.CreateSecret(t.Context(), &secretmanagerpb.CreateSecretRequest{
		Parent: parent, SecretId: id, Secret: &secretmanagerpb.Secret{Replication: automatic()},
	})
	if err != nil {
		t.Fatalf("CreateSecret(%s): %v", id, err)
	}
	if want := numbered + "/secrets/" + id; sec.GetName() != want {
		t.Fatalf("CreateSecret name = %q, want %q (with the project's number)", sec.GetName(), want)
	}
	return sec.GetName()
}

func add(t *testing.T, c *secretmanager.Client, secret, data string) string {
	t.Helper()
	v, err := c.AddSecretVersion(t.Context(), &secretmanagerpb.AddSecretVersionRequest{
		Parent: secret, Payload: &secretmanagerpb.SecretPayload{Data: []byte(data)},
	})
	if err != nil {
		t.Fatalf("AddSecretVersion: %v", err)
	}
	if v.GetState() != secretmanagerpb.SecretVersion_ENABLED {
		t.Fatalf("new version state = %v, want ENABLED", v.GetState())
	}
	return v.GetName()
}

func access(ctx context.Context, c *secretmanager.Client, name string) (string, string, error) {
	resp, err := c.AccessSecretVersion(ctx, &secretmanagerpb.AccessSecretVersionRequest{Name: name}, noRetry)
	if err != nil {
		return "", "", err
	}
	return resp.GetName(), string(resp.GetPayload().GetData()), nil
}

func wantCode(t *testing.T, what string, err error, code codes.Code) {
	t.Helper()
	if got := status.Code(err); got != code {
		t.Fatalf("%s: status %v (%v), want %v", what, got, err, code)
	}
}

func TestSecretsAndVersions(t *testing.T) {
	_, c := start(t, fakegcp.Options{})
	ctx := t.Context()
	name := create(t, c, "db_spassword")

	_, err := c.CreateSecret(ctx, &secretmanagerpb.CreateSecretRequest{
		Parent: parent, SecretId: "db_spassword", Secret: &secretmanagerpb.Secret{Replication: automatic()},
	})
	wantCode(t, "duplicate CreateSecret", err, codes.AlreadyExists)

	_, _, err = access(ctx, c, name+"/versions/latest")
	wantCode(t, "latest of a secret without versions", err, codes.NotFound)

	v1 := add(t, c, name, "one")
	v2 := add(t, c, name, "two")
	if v1 != name+"/versions/1" || v2 != name+"/versions/2" {
		t.Fatalf("version names %q, %q", v1, v2)
	}
	got, data, err := access(ctx, c, name+"/versions/latest")
	if err != nil || got != v2 || data != "two" {
		t.Fatalf("latest = %q %q %v, want version 2", got, data, err)
	}

	// Disabling the newest version leaves "latest" on it, as documented.
	if _, err := c.DisableSecretVersion(ctx, &secretmanagerpb.DisableSecretVersionRequest{Name: v2}); err != nil {
		t.Fatal(err)
	}
	_, _, err = access(ctx, c, name+"/versions/latest")
	wantCode(t, "latest when it is disabled", err, codes.FailedPrecondition)
	if _, data, err := access(ctx, c, v1); err != nil || data != "one" {
		t.Fatalf("version 1 = %q %v", data, err)
	}
	meta, err := c.GetSecretVersion(ctx, &secretmanagerpb.GetSecretVersionRequest{Name: name + "/versions/latest"})
	if err != nil || meta.GetName() != v2 || meta.GetState() != secretmanagerpb.SecretVersion_DISABLED {
		t.Fatalf("GetSecretVersion(latest) = %v, %v", meta, err)
	}
	if _, err := c.EnableSecretVersion(ctx, &secretmanagerpb.EnableSecretVersionRequest{Name: v2}); err != nil {
		t.Fatal(err)
	}
	if _, data, err := access(ctx, c, name+"/versions/latest"); err != nil || data != "two" {
		t.Fatalf("latest after enabling = %q %v", data, err)
	}

	// Destroyed is final.
	if _, err := c.DestroySecretVersion(ctx, &secretmanagerpb.DestroySecretVersionRequest{Name: v1}); err != nil {
		t.Fatal(err)
	}
	_, _, err = access(ctx, c, v1)
	wantCode(t, "access of a destroyed version", err, codes.FailedPrecondition)
	_, err = c.EnableSecretVersion(ctx, &secretmanagerpb.EnableSecretVersionRequest{Name: v1})
	wantCode(t, "enable of a destroyed version", err, codes.FailedPrecondition)

	_, _, err = access(ctx, c, name+"/versions/9")
	wantCode(t, "missing version", err, codes.NotFound)
	_, _, err = access(ctx, c, parent+"/secrets/nope/versions/latest")
	wantCode(t, "missing secret", err, codes.NotFound)

	if err := c.DeleteSecret(ctx, &secretmanagerpb.DeleteSecretRequest{Name: name}); err != nil {
		t.Fatal(err)
	}
	_, _, err = access(ctx, c, v2)
	wantCode(t, "version of a deleted secret", err, codes.NotFound)
	err = c.DeleteSecret(ctx, &secretmanagerpb.DeleteSecretRequest{Name: name})
	wantCode(t, "second delete", err, codes.NotFound)
}

func TestLatestSkipsDisabledOption(t *testing.T) {
	_, c := start(t, fakegcp.Options{LatestSkipsDisabled: true})
	name := create(t, c, "s")
	add(t, c, name, "one")
	v2 := add(t, c, name, "two")
	if _, err := c.DisableSecretVersion(t.Context(), &secretmanagerpb.DisableSecretVersionRequest{Name: v2}); err != nil {
		t.Fatal(err)
	}
	if _, data, err := access(t.Context(), c, name+"/versions/latest"); err != nil || data != "one" {
		t.Fatalf("latest = %q %v, want the enabled version 1", data, err)
	}
}

func TestCreateValidation(t *testing.T) {
	_, c := start(t, fakegcp.Options{})
	ctx := t.Context()
	for _, id := range []string{"", "a.b", "a/b", strings.Repeat("x", 256), "ä"} {
		_, err := c.CreateSecret(ctx, &secretmanagerpb.CreateSecretRequest{
			Parent: parent, SecretId: id, Secret: &secretmanagerpb.Secret{Replication: automatic()},
		})
		wantCode(t, "CreateSecret("+id+")", err, codes.InvalidArgument)
	}
	create(t, c, strings.Repeat("x", 255))
	_, err := c.CreateSecret(ctx, &secretmanagerpb.CreateSecretRequest{Parent: parent, SecretId: "norep", Secret: &secretmanagerpb.Secret{}})
	wantCode(t, "CreateSecret without replication", err, codes.InvalidArgument)
	_, err = c.CreateSecret(ctx, &secretmanagerpb.CreateSecretRequest{Parent: parent, SecretId: "um", Secret: &secretmanagerpb.Secret{
		Replication: &secretmanagerpb.Replication{Replication: &secretmanagerpb.Replication_UserManaged_{UserManaged: &secretmanagerpb.Replication_UserManaged{}}},
	}})
	wantCode(t, "CreateSecret with user-managed replication and no replicas", err, codes.InvalidArgument)
}

func TestPayloads(t *testing.T) {
	_, c := start(t, fakegcp.Options{})
	ctx := t.Context()
	name := create(t, c, "p")
	addData := func(data []byte, crc *int64) error {
		_, err := c.AddSecretVersion(ctx, &secretmanagerpb.AddSecretVersionRequest{
			Parent: name, Payload: &secretmanagerpb.SecretPayload{Data: data, DataCrc32C: crc},
		})
		return err
	}
	wantCode(t, "empty payload", addData(nil, nil), codes.InvalidArgument)
	wantCode(t, "payload over 64 KiB", addData(make([]byte, fakegcp.MaxPayload+1), nil), codes.InvalidArgument)
	bad := int64(12345)
	wantCode(t, "wrong checksum", addData([]byte("abc"), &bad), codes.InvalidArgument)

	data := bytes.Repeat([]byte{0, 0xff, 'x'}, fakegcp.MaxPayload/3)
	crc := int64(crc32.Checksum(data, crc32.MakeTable(crc32.Castagnoli)))
	if err := addData(data, &crc); err != nil {
		t.Fatalf("payload of %d bytes with its checksum: %v", len(data), err)
	}
	resp, err := c.AccessSecretVersion(ctx, &secretmanagerpb.AccessSecretVersionRequest{Name: name + "/versions/latest"})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(resp.GetPayload().GetData(), data) || resp.GetPayload().GetDataCrc32C() != crc {
		t.Fatal("AccessSecretVersion does not return the payload and its checksum")
	}
	if err := addData([]byte("no checksum sent"), nil); err != nil {
		t.Fatal(err)
	}
	resp, err = c.AccessSecretVersion(ctx, &secretmanagerpb.AccessSecretVersionRequest{Name: name + "/versions/latest"})
	if err != nil || resp.GetPayload().DataCrc32C == nil ||
		uint32(resp.GetPayload().GetDataCrc32C()) != crc32.Checksum([]byte("no checksum sent"), crc32.MakeTable(crc32.Castagnoli)) {
		t.Fatalf("the server does not compute a missing checksum: %v", err)
	}
}

func TestListPagingAndFilters(t *testing.T) {
	_, c := start(t, fakegcp.Options{MaxPageSize: 2})
	ctx := t.Context()
	for _, id := range []string{"b-1", "a-1", "a-2", "a-3", "c", "xa-9"} {
		create(t, c, id)
	}
	list := func(filter string) []string {
		t.Helper()
		var out []string
		it := c.ListSecrets(ctx, &secretmanagerpb.ListSecretsRequest{Parent: parent, Filter: filter})
		for {
			s, err := it.Next()
			if err == iterator.Done {
				return out
			}
			if err != nil {
				t.Fatalf("ListSecrets(%q): %v", filter, err)
			}
			out = append(out, strings.TrimPrefix(s.GetName(), numbered+"/secrets/"))
		}
	}
	if got := strings.Join(list(""), ","); got != "a-1,a-2,a-3,b-1,c,xa-9" {
		t.Fatalf("list = %s", got)
	}
	if got := strings.Join(list(`name:"a-"`), ","); got != "a-1,a-2,a-3,xa-9" {
		t.Fatalf("list name:\"a-\" = %s (a name filter matches a substring)", got)
	}
	if got := strings.Join(list(`name:b-`), ","); got != "b-1" {
		t.Fatalf("list name:b- = %s", got)
	}
	it := c.ListSecrets(ctx, &secretmanagerpb.ListSecretsRequest{Parent: parent, Filter: "labels.x=y"}, noRetry)
	_, err := it.Next()
	wantCode(t, "unsupported filter", err, codes.InvalidArgument)

	// Pages really are at most 2 long.
	resp, next, err := c.ListSecrets(ctx, &secretmanagerpb.ListSecretsRequest{Parent: parent}).InternalFetch(0, "")
	if err != nil || len(resp) != 2 || next == "" {
		t.Fatalf("first page: %d secrets, %v; want 2", len(resp), err)
	}

	name := numbered + "/secrets/c"
	for _, d := range []string{"1", "2", "3", "4", "5"} {
		add(t, c, name, d)
	}
	for _, v := range []string{"2", "4"} {
		if _, err := c.DisableSecretVersion(ctx, &secretmanagerpb.DisableSecretVersionRequest{Name: name + "/versions/" + v}); err != nil {
			t.Fatal(err)
		}
	}
	versions := func(filter string) string {
		var out []string
		it := c.ListSecretVersions(ctx, &secretmanagerpb.ListSecretVersionsRequest{Parent: name, Filter: filter})
		for {
			v, err := it.Next()
			if err == iterator.Done {
				return strings.Join(out, ",")
			}
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, strings.TrimPrefix(v.GetName(), name+"/versions/"))
		}
	}
	if got := versions(""); got != "5,4,3,2,1" {
		t.Fatalf("versions = %s, want newest first", got)
	}
	if got := versions("state:ENABLED"); got != "5,3,1" {
		t.Fatalf("enabled versions = %s", got)
	}
	it2 := c.ListSecretVersions(ctx, &secretmanagerpb.ListSecretVersionsRequest{Parent: parent + "/secrets/none"}, noRetry)
	_, err = it2.Next()
	wantCode(t, "versions of a missing secret", err, codes.NotFound)
}

func TestFaults(t *testing.T) {
	srv, c := start(t, fakegcp.Options{})
	ctx := t.Context()
	name := create(t, c, "f")
	add(t, c, name, "value")

	srv.Fail("AccessSecretVersion", codes.Unavailable, 1)
	srv.Fail("AccessSecretVersion", codes.ResourceExhausted, 1)
	before := srv.Calls("AccessSecretVersion")
	_, _, err := access(ctx, c, name+"/versions/latest")
	wantCode(t, "first injected fault", err, codes.Unavailable)
	_, _, err = access(ctx, c, name+"/versions/latest")
	wantCode(t, "second injected fault", err, codes.ResourceExhausted)
	if _, data, err := access(ctx, c, name+"/versions/latest"); err != nil || data != "value" {
		t.Fatalf("after the faults: %q %v", data, err)
	}
	if n := srv.Calls("AccessSecretVersion") - before; n != 3 {
		t.Fatalf("Calls counted %d, want 3", n)
	}

	srv.CorruptNextAccess(1)
	resp, err := c.AccessSecretVersion(ctx, &secretmanagerpb.AccessSecretVersionRequest{Name: name + "/versions/latest"})
	if err != nil {
		t.Fatal(err)
	}
	if uint32(resp.GetPayload().GetDataCrc32C()) == crc32.Checksum(resp.GetPayload().GetData(), crc32.MakeTable(crc32.Castagnoli)) {
		t.Fatal("a corrupted response matches its checksum")
	}

	srv.SetHook(func(_ context.Context, method string, req any) error {
		if r, ok := req.(*secretmanagerpb.GetSecretRequest); ok && method == "GetSecret" && r.GetName() == name {
			return status.Error(codes.PermissionDenied, "hooked")
		}
		return nil
	})
	_, err = c.GetSecret(ctx, &secretmanagerpb.GetSecretRequest{Name: name})
	wantCode(t, "hooked GetSecret", err, codes.PermissionDenied)
	srv.SetHook(nil)
	if _, err := c.GetSecret(ctx, &secretmanagerpb.GetSecretRequest{Name: name}); err != nil {
		t.Fatal(err)
	}
}

// UpdateSecret changes labels under an etag, checks them as documented, and
// takes only the paths its mask names.
func TestUpdateSecretLabels(t *testing.T) {
	_, c := start(t, fakegcp.Options{})
	ctx := t.Context()
	name := create(t, c, "s")
	sec, err := c.GetSecret(ctx, &secretmanagerpb.GetSecretRequest{Name: name})
	if err != nil {
		t.Fatal(err)
	}
	mask := &fieldmaskpb.FieldMask{Paths: []string{"labels"}}
	up, err := c.UpdateSecret(ctx, &secretmanagerpb.UpdateSecretRequest{
		Secret:     &secretmanagerpb.Secret{Name: name, Labels: map[string]string{"team": "a"}, Etag: sec.GetEtag()},
		UpdateMask: mask,
	}, noRetry)
	if err != nil || up.GetLabels()["team"] != "a" || up.GetEtag() == sec.GetEtag() {
		t.Fatalf("UpdateSecret = %v, %v; want the label and a new etag", up, err)
	}
	_, err = c.UpdateSecret(ctx, &secretmanagerpb.UpdateSecretRequest{
		Secret: &secretmanagerpb.Secret{Name: name, Labels: map[string]string{"team": "b"}, Etag: sec.GetEtag()}, UpdateMask: mask,
	}, noRetry)
	if status.Code(err) != codes.Aborted {
		t.Fatalf("UpdateSecret with a stale etag: %v, want ABORTED", err)
	}
	for _, labels := range []map[string]string{{"Team": "a"}, {"9x": "a"}, {"team": "A"}, {strings.Repeat("k", 64): "v"}} {
		_, err = c.UpdateSecret(ctx, &secretmanagerpb.UpdateSecretRequest{
			Secret: &secretmanagerpb.Secret{Name: name, Labels: labels}, UpdateMask: mask,
		}, noRetry)
		if status.Code(err) != codes.InvalidArgument {
			t.Errorf("UpdateSecret with labels %v: %v, want INVALID_ARGUMENT", labels, err)
		}
	}
	for _, paths := range [][]string{nil, {"replication"}} {
		_, err = c.UpdateSecret(ctx, &secretmanagerpb.UpdateSecretRequest{
			Secret: &secretmanagerpb.Secret{Name: name}, UpdateMask: &fieldmaskpb.FieldMask{Paths: paths},
		}, noRetry)
		if status.Code(err) != codes.InvalidArgument {
			t.Errorf("UpdateSecret with mask %v: %v, want INVALID_ARGUMENT", paths, err)
		}
	}
	if got, _ := c.GetSecret(ctx, &secretmanagerpb.GetSecretRequest{Name: name}); got.GetLabels()["team"] != "a" {
		t.Fatalf("labels after refused updates: %v", got.GetLabels())
	}
}

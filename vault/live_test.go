package vault_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/vault/api"
	"github.com/secretstore-go/secretstore"
	"github.com/secretstore-go/secretstore/driver"
	"github.com/secretstore-go/secretstore/internal/testenv"
	"github.com/secretstore-go/secretstore/vault"
)

// The tests in this file run against a real Vault: the dev server CI
// starts (.ci/services/vault.sh exports VAULT_ADDR and VAULT_TOKEN, a root
// token) and, for TestServerStopped, one the test starts itself from
// VAULT_BIN. Without a server they skip, unless CI is set: then they fail.

// live is the shared server and a root client for test setup.
type live struct {
	addr, token string
	root        *api.Client
}

func liveVault(t testing.TB) *live {
	t.Helper()
	env := testenv.Env(t, "vault", "VAULT_ADDR", "VAULT_TOKEN")
	addr, tok := env[0], env[1]
	root := rootClient(t, addr, tok)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	h, err := root.Sys().HealthWithContext(ctx)
	if err != nil || !h.Initialized || h.Sealed {
		t.Fatalf("the Vault at VAULT_ADDR is not ready: %v", err)
	}
	return &live{addr: addr, token: tok, root: root}
}

func rootClient(t testing.TB, addr, tok string) *api.Client {
	t.Helper()
	cfg := api.DefaultConfig()
	cfg.Address = addr
	c, err := api.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c.SetToken(tok)
	return c
}

func randHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// quiet discards the driver's and the store's log events.
var quiet = slog.New(slog.DiscardHandler)

// logBuffer is a concurrency-safe log sink.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func (l *logBuffer) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// eventually calls cond every 50 ms until it reports true, failing the
// test if that takes longer than within.
func eventually(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %v: still not %s", within, what)
		}
		select {
		case <-tick.C:
		case <-t.Context().Done():
			t.Fatal(t.Context().Err())
		}
	}
}

// mount enables a fresh KV engine of version kv and returns its path.
func (l *live) mount(t *testing.T, kv int) string {
	t.Helper()
	p := fmt.Sprintf("t-kv%d-%s", kv, randHex(4))
	err := l.root.Sys().MountWithContext(t.Context(), p, &api.MountInput{
		Type: "kv", Options: map[string]string{"version": strconv.Itoa(kv)},
	})
	if err != nil {
		t.Fatalf("mount KV v%d: %v", kv, err)
	}
	t.Cleanup(func() { l.root.Sys().Unmount(p) })
	if kv == 2 {
		// A new KV v2 engine refuses writes until it has set itself up.
		probe := p + "/data/probe"
		eventually(t, 20*time.Second, "a new KV v2 mount accepting writes", func() bool {
			_, err := l.root.Logical().WriteWithContext(t.Context(), probe, map[string]any{"data": map[string]any{"x": "y"}})
			return err == nil
		})
		l.root.Logical().DeleteWithContext(t.Context(), p+"/metadata/probe")
	}
	return p
}

// policy writes a policy giving full use of the KV mount and returns its
// name.
func (l *live) policy(t *testing.T, mount string, kv int) string {
	t.Helper()
	name := "p-" + randHex(4)
	hcl := fmt.Sprintf("path %q { capabilities = [\"create\", \"read\", \"update\", \"delete\", \"list\"] }\n", mount+"/*")
	if kv == 2 {
		hcl = fmt.Sprintf("path %q { capabilities = [\"create\", \"read\", \"update\", \"delete\"] }\n", mount+"/data/*") +
			fmt.Sprintf("path %q { capabilities = [\"read\", \"list\", \"delete\"] }\n", mount+"/metadata/*")
	}
	if err := l.root.Sys().PutPolicyWithContext(t.Context(), name, hcl); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.root.Sys().DeletePolicy(name) })
	return name
}

// approle enables AppRole at a fresh path with a role whose tokens have
// the policy and the given TTLs, and returns the auth mount and the files
// holding the role id and a secret id.
func (l *live) approle(t *testing.T, policy, ttl, maxTTL string) (authMount, roleIDFile, secretIDFile string) {
	t.Helper()
	ctx := t.Context()
	authMount = "ar-" + randHex(4)
	if err := l.root.Sys().EnableAuthWithOptionsWithContext(ctx, authMount, &api.EnableAuthOptions{Type: "approle"}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.root.Sys().DisableAuth(authMount) })
	role := "auth/" + authMount + "/role/svc"
	if _, err := l.root.Logical().WriteWithContext(ctx, role, map[string]any{
		"token_policies": []string{policy}, "token_ttl": ttl, "token_max_ttl": maxTTL,
	}); err != nil {
		t.Fatal(err)
	}
	rid, err := l.root.Logical().ReadWithContext(ctx, role+"/role-id")
	if err != nil {
		t.Fatal(err)
	}
	sid, err := l.root.Logical().WriteWithContext(ctx, role+"/secret-id", nil)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	roleIDFile, secretIDFile = filepath.Join(dir, "role-id"), filepath.Join(dir, "secret-id")
	writeFile(t, roleIDFile, rid.Data["role_id"].(string)+"\n")
	writeFile(t, secretIDFile, sid.Data["secret_id"].(string)+"\n")
	return authMount, roleIDFile, secretIDFile
}

// newToken creates an orphan token with the policies and TTL ("" for the
// default), that cannot be renewed past its TTL.
func (l *live) newToken(t *testing.T, ttl string, policies ...string) string {
	t.Helper()
	no := false
	req := &api.TokenCreateRequest{Policies: policies, TTL: ttl, NoParent: true}
	if ttl != "" {
		req.ExplicitMaxTTL = ttl
		req.Renewable = &no
	}
	s, err := l.root.Auth().Token().CreateWithContext(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	return s.Auth.ClientToken
}

// expired reports whether Vault no longer knows tok.
func (l *live) expired(t *testing.T, tok string) bool {
	_, err := l.root.Auth().Token().LookupWithContext(t.Context(), tok)
	var re *api.ResponseError
	if errors.As(err, &re) && (re.StatusCode == http.StatusForbidden || re.StatusCode == http.StatusBadRequest) {
		return true
	}
	if err != nil {
		t.Fatalf("token lookup: %v", err)
	}
	return false
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func open(t *testing.T, o vault.Options) driver.Store {
	t.Helper()
	if o.Logger == nil {
		o.Logger = quiet
	}
	d, err := vault.New(o)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func portable(t *testing.T, d driver.Store, opts ...secretstore.Option) *secretstore.Store {
	t.Helper()
	s := secretstore.New(d, append([]secretstore.Option{secretstore.EnableSet(true), secretstore.EnableRemove(true),
		secretstore.WithLogger(quiet)}, opts...)...)
	t.Cleanup(func() { s.Close() })
	return s
}

func mustGet(t *testing.T, s *secretstore.Store, name, want string) {
	t.Helper()
	sec, ok, err := s.Lookup(t.Context(), name)
	if err != nil || !ok || sec.Reveal() != want {
		t.Fatalf("Lookup(%q) = ok %v, err %v, right value %v", name, ok, err, sec.Reveal() == want)
	}
}

func mustMiss(t *testing.T, s *secretstore.Store, name string) {
	t.Helper()
	if _, ok, err := s.Lookup(t.Context(), name); ok || err != nil {
		t.Fatalf("Lookup(%q) = ok %v, err %v; want missing", name, ok, err)
	}
}

func TestOpenFromEnvironment(t *testing.T) {
	l := liveVault(t)
	// No host: VAULT_ADDR; no auth: VAULT_TOKEN.
	s, err := secretstore.Open(t.Context(), "vault:///secret?kv=2", secretstore.EnableSet(true), secretstore.EnableRemove(true), secretstore.WithLogger(quiet))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	name := "vaulttest/" + randHex(4) + "/env"
	if err := s.Set(t.Context(), name, "v"); err != nil {
		t.Fatal(err)
	}
	mustGet(t, s, name, "v")
	got, err := l.root.KVv2("secret").Get(t.Context(), name)
	if err != nil || got.Data["value"] != "v" {
		t.Fatalf("the secret is not at secret/data/%s, field value: %v", name, err)
	}
	s.Remove(t.Context(), name)
}

func TestReferenceLayout(t *testing.T) {
	l := liveVault(t)
	for _, kv := range []int{2, 1} {
		t.Run("KVv"+strconv.Itoa(kv), func(t *testing.T) {
			mount := "secret"
			if kv == 1 {
				mount = l.mount(t, 1)
			}
			s := portable(t, open(t, vault.Options{Address: l.addr, Mount: mount, KV: kv, Auth: vault.Token(l.token)}))
			put := func(name string, data map[string]any) {
				var err error
				if kv == 2 {
					_, err = l.root.KVv2(mount).Put(t.Context(), name, data)
				} else {
					err = l.root.KVv1(mount).Put(t.Context(), name, data)
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			get := func(name string) map[string]any {
				var sec *api.KVSecret
				var err error
				if kv == 2 {
					sec, err = l.root.KVv2(mount).Get(t.Context(), name)
				} else {
					sec, err = l.root.KVv1(mount).Get(t.Context(), name)
				}
				if err != nil {
					t.Fatal(err)
				}
				return sec.Data
			}
			base := "vaulttest/" + randHex(4) + "/"
			// Written by another client in the reference's layout.
			put(base+"ref1", map[string]any{"value": "from-elsewhere"})
			mustGet(t, s, base+"ref1", "from-elsewhere")
			// Other fields besides: the secret is the JSON object of its
			// fields, and the value is its field "value".
			put(base+"ref", map[string]any{"value": "from-elsewhere", "note": "another field"})
			mustGet(t, s, base+"ref", `{"note":"another field","value":"from-elsewhere"}`)
			mustGet(t, s, base+"ref#value", "from-elsewhere")
			// A secret without the field: the JSON object of its fields.
			put(base+"other", map[string]any{"password": "x"})
			mustGet(t, s, base+"other", `{"password":"x"}`)
			mustGet(t, s, base+"other#password", "x")
			// Written by the driver, read by another client.
			if err := s.Set(t.Context(), base+"mine", "pässwörd\n"); err != nil {
				t.Fatal(err)
			}
			if d := get(base + "mine"); d["value"] != "pässwörd\n" || len(d) != 1 {
				t.Fatalf("the driver wrote %d fields, value right %v; want the one field value", len(d), d["value"] == "pässwörd\n")
			}
			// Bytes JSON cannot carry: base64 with a marker, exact both ways.
			bin := "\xff\x00\xfe binary"
			if err := s.Set(t.Context(), base+"bin", bin); err != nil {
				t.Fatal(err)
			}
			if d := get(base + "bin"); d["value_encoding"] != "base64" || d["value"] != "/wD+IGJpbmFyeQ==" {
				t.Fatalf("a non-UTF-8 value is stored as %v, want base64 with value_encoding", d)
			}
			mustGet(t, s, base+"bin", bin)
			// "/" is a level of Vault's path.
			if err := s.Set(t.Context(), base+"a/b/c", "deep"); err != nil {
				t.Fatal(err)
			}
			if d := get(base + "a/b/c"); d["value"] != "deep" {
				t.Fatal("a/b/c is not the path a/b/c")
			}
			listed, err := s.List(t.Context(), base)
			if err != nil {
				t.Fatal(err)
			}
			want := []string{base + "a/b/c", base + "bin", base + "mine", base + "other", base + "ref", base + "ref1"}
			if strings.Join(sorted(listed), ",") != strings.Join(want, ",") {
				t.Fatalf("List = %q, want %q", listed, want)
			}
		})
	}
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func TestFieldOption(t *testing.T) {
	l := liveVault(t)
	s := portable(t, open(t, vault.Options{Address: l.addr, Mount: "secret", Field: "password", Auth: vault.Token(l.token)}))
	name := "vaulttest/" + randHex(4) + "/field"
	if err := s.Set(t.Context(), name, "pw"); err != nil {
		t.Fatal(err)
	}
	got, err := l.root.KVv2("secret").Get(t.Context(), name)
	if err != nil || got.Data["password"] != "pw" {
		t.Fatalf("Field: the value is not in field password: %v", err)
	}
	// A secret of several fields is its field password alone, as before.
	if _, err := l.root.KVv2("secret").Put(t.Context(), name+"2", map[string]any{"username": "app", "password": "pw2"}); err != nil {
		t.Fatal(err)
	}
	mustGet(t, s, name+"2", "pw2")
	// A JSON object value stays in the field.
	obj := `{"a":"1","b":"2"}`
	if err := s.Set(t.Context(), name, obj); err != nil {
		t.Fatal(err)
	}
	if got, err := l.root.KVv2("secret").Get(t.Context(), name); err != nil || got.Data["password"] != obj || len(got.Data) != 1 {
		t.Fatalf("Field: a JSON object was not written to the field: %v", err)
	}
}

func TestRemoveKeepsVersions(t *testing.T) {
	l := liveVault(t)
	d := open(t, vault.Options{Address: l.addr, Mount: "secret", Auth: vault.Token(l.token)})
	s := portable(t, d)
	ctx := t.Context()
	dir := "vaulttest/" + randHex(4) + "/"
	name := dir + "k"
	for _, v := range []string{"v1", "v2", "v2"} { // a repeated value is not a new previous
		if err := s.Set(ctx, name, v); err != nil {
			t.Fatal(err)
		}
	}
	cur, prev, err := d.(*vault.Store).GetVersions(ctx, name)
	if err != nil || cur == nil || *cur != "v2" || prev == nil || *prev != "v1" {
		t.Fatalf("GetVersions = %v, %v, %v; want v2, v1", cur != nil, prev != nil, err)
	}
	if err := s.Remove(ctx, name); err != nil {
		t.Fatal(err)
	}
	mustMiss(t, s, name)
	if cur, prev, err := d.(*vault.Store).GetVersions(ctx, name); cur != nil || prev != nil || err != nil {
		t.Fatalf("GetVersions of a removed name = %v, %v, %v; want nothing", cur != nil, prev != nil, err)
	}
	if got, err := s.List(ctx, dir); err != nil || len(got) != 0 {
		t.Fatalf("List after Remove = %q, %v; want nothing", got, err)
	}
	// Soft delete: nothing is lost; undeleting brings the value back.
	meta, err := l.root.KVv2("secret").GetMetadata(ctx, name)
	if err != nil || meta.CurrentVersion != 3 {
		t.Fatalf("metadata after Remove: %v", err)
	}
	if err := l.root.KVv2("secret").Undelete(ctx, name, []int{3}); err != nil {
		t.Fatal(err)
	}
	mustGet(t, s, name, "v2")
	if err := s.Remove(ctx, name); err != nil {
		t.Fatal(err)
	}
	// Set after Remove writes a new version.
	if err := s.Set(ctx, name, "v4"); err != nil {
		t.Fatal(err)
	}
	mustGet(t, s, name, "v4")
	if cur, prev, err := d.(*vault.Store).GetVersions(ctx, name); err != nil || *cur != "v4" || prev != nil {
		t.Fatalf("GetVersions after a Set that follows Remove = %v, %v, %v; want v4 and no previous (the version before was deleted)", cur != nil, prev != nil, err)
	}
	if err := s.Set(ctx, name, "v5"); err != nil {
		t.Fatal(err)
	}
	if cur, prev, err := d.(*vault.Store).GetVersions(ctx, name); err != nil || *cur != "v5" || prev == nil || *prev != "v4" {
		t.Fatalf("GetVersions = %v, %v, %v; want v5, v4", cur != nil, prev != nil, err)
	}
	l.root.KVv2("secret").DeleteMetadata(ctx, name)
}

func TestCASRequiredMount(t *testing.T) {
	l := liveVault(t)
	mount := l.mount(t, 2)
	if _, err := l.root.Logical().WriteWithContext(t.Context(), mount+"/config", map[string]any{"cas_required": true}); err != nil {
		t.Fatal(err)
	}
	s := portable(t, open(t, vault.Options{Address: l.addr, Mount: mount, Auth: vault.Token(l.token)}))
	for _, v := range []string{"first", "second"} {
		if err := s.Set(t.Context(), "k", v); err != nil {
			t.Fatalf("Set on a cas_required mount: %v", err)
		}
		mustGet(t, s, "k", v)
	}
	// The plain write really is refused there.
	if _, err := l.root.KVv2(mount).Put(t.Context(), "k", map[string]any{"value": "x"}); err == nil {
		t.Fatal("the mount does not require check-and-set")
	}
}

func TestRemoveDestroy(t *testing.T) {
	l := liveVault(t)
	s := portable(t, open(t, vault.Options{Address: l.addr, Mount: "secret", Destroy: true, Auth: vault.Token(l.token)}))
	ctx := t.Context()
	name := "vaulttest/" + randHex(4) + "/gone"
	s.Set(ctx, name, "a")
	s.Set(ctx, name, "b")
	if err := s.Remove(ctx, name); err != nil {
		t.Fatal(err)
	}
	mustMiss(t, s, name)
	if _, err := l.root.KVv2("secret").GetMetadata(ctx, name); err == nil {
		t.Fatal("remove=destroy left the metadata and versions")
	}
	if err := s.Set(ctx, name, "again"); err != nil {
		t.Fatal(err)
	}
	mustGet(t, s, name, "again")
	s.Remove(ctx, name)
}

func TestWrongMountOrVersion(t *testing.T) {
	l := liveVault(t)
	kv1 := l.mount(t, 1)
	for _, c := range []struct {
		mount string
		kv    int
	}{{"secret", 1}, {kv1, 2}, {"no-such-mount-" + randHex(3), 2}} {
		s := portable(t, open(t, vault.Options{Address: l.addr, Mount: c.mount, KV: c.kv, Auth: vault.Token(l.token)}))
		if _, err := s.Get(t.Context(), "x"); err == nil {
			t.Errorf("Get through KV v%d on %q: no error (a wrong mount must not look like a missing secret)", c.kv, c.mount)
		}
		if err := s.Set(t.Context(), "x", "v"); err == nil {
			t.Errorf("Set through KV v%d on %q: no error", c.kv, c.mount)
		}
	}
}

func TestPermissionDenied(t *testing.T) {
	l := liveVault(t)
	dir := "vaulttest/" + randHex(4)
	pol := "ro-" + randHex(4)
	if err := l.root.Sys().PutPolicyWithContext(t.Context(), pol,
		fmt.Sprintf("path %q { capabilities = [\"read\"] }", "secret/data/"+dir+"/ro/*")); err != nil {
		t.Fatal(err)
	}
	defer l.root.Sys().DeletePolicy(pol)
	if _, err := l.root.KVv2("secret").Put(t.Context(), dir+"/ro/a", map[string]any{"value": "readable"}); err != nil {
		t.Fatal(err)
	}
	tokFile := filepath.Join(t.TempDir(), "token")
	writeFile(t, tokFile, l.newToken(t, "", pol))
	var logs logBuffer
	s := portable(t, open(t, vault.Options{Address: l.addr, Mount: "secret", Auth: vault.TokenFile(tokFile), Logger: logs.logger()}))
	mustGet(t, s, dir+"/ro/a", "readable")
	if err := s.Set(t.Context(), dir+"/ro/a", "w"); !errors.Is(err, secretstore.ErrPermissionDenied) {
		t.Fatalf("Set without the policy: %v, want ErrPermissionDenied", err)
	}
	if _, err := s.Get(t.Context(), dir+"/other"); !errors.Is(err, secretstore.ErrPermissionDenied) {
		t.Fatalf("Get without the policy: %v, want ErrPermissionDenied", err)
	}
	// The token is valid: a refusal is not a reason to log in again.
	if n := strings.Count(logs.String(), "vault: logged in"); n != 1 {
		t.Fatalf("%d logins, want 1: a valid token's refusals must not cause logins", n)
	}
}

func TestBadCredentials(t *testing.T) {
	l := liveVault(t)
	pol := l.policy(t, "secret", 2)
	authMount, roleID, _ := l.approle(t, pol, "1h", "1h")
	wrong := filepath.Join(t.TempDir(), "secret-id")
	writeFile(t, wrong, "not-the-secret-id")
	for what, auth := range map[string]vault.Auth{
		"token":   vault.Token("hvs.not-a-token"),
		"approle": vault.AppRole(vault.AppRoleOptions{RoleIDFile: roleID, SecretIDFile: wrong, Mount: authMount}),
		"file":    vault.TokenFile(filepath.Join(t.TempDir(), "missing")),
	} {
		s := portable(t, open(t, vault.Options{Address: l.addr, Mount: "secret", Auth: auth}))
		_, err := s.Get(t.Context(), "x")
		if !errors.Is(err, secretstore.ErrPermissionDenied) {
			t.Errorf("%s: Get with bad credentials: %v, want ErrPermissionDenied", what, err)
		}
		if err != nil && strings.Contains(err.Error(), "not-the-secret-id") {
			t.Errorf("%s: the error reveals the secret id", what)
		}
	}
}

// TestAppRoleTokenExpires uses tokens that live two seconds: the driver
// must log in again, before or after the token expires, and keep working.
func TestAppRoleTokenExpires(t *testing.T) {
	l := liveVault(t)
	pol := l.policy(t, "secret", 2)
	authMount, roleID, secretID := l.approle(t, pol, "2s", "2s")
	var logs logBuffer
	d := open(t, vault.Options{Address: l.addr, Mount: "secret", Logger: logs.logger(),
		Auth: vault.AppRole(vault.AppRoleOptions{RoleIDFile: roleID, SecretIDFile: secretID, Mount: authMount})})
	s := portable(t, d)
	name := "vaulttest/" + randHex(4) + "/approle"
	if err := s.Set(t.Context(), name, "v"); err != nil {
		t.Fatal(err)
	}
	var c *api.Client
	if !s.As(&c) {
		t.Fatal("As(**api.Client) = false")
	}
	first := c.Token()
	eventually(t, 30*time.Second, "the first token expired", func() bool { return l.expired(t, first) })
	mustGet(t, s, name, "v")
	if err := s.Set(t.Context(), name, "w"); err != nil {
		t.Fatalf("Set after the first token expired: %v", err)
	}
	if c.Token() == first {
		t.Fatal("the driver still holds the expired token")
	}
	if n := strings.Count(logs.String(), "vault: logged in"); n < 2 {
		t.Fatalf("%d logins, want at least 2", n)
	}
	if strings.Contains(logs.String(), first) || strings.Contains(logs.String(), c.Token()) {
		t.Fatal("the log reveals a token")
	}
	s.Remove(t.Context(), name)
}

// TestTokenFileRotated lets a token expire, then puts a new one in the
// token file, as Vault Agent does: the next request fails with 403, the
// driver finds its token invalid, reads the file again and sends the
// request again.
func TestTokenFileRotated(t *testing.T) {
	l := liveVault(t)
	pol := l.policy(t, "secret", 2)
	tokFile := filepath.Join(t.TempDir(), "token")
	old := l.newToken(t, "2s", pol)
	writeFile(t, tokFile, old)
	var logs logBuffer
	s := portable(t, open(t, vault.Options{Address: l.addr, Mount: "secret", Auth: vault.TokenFile(tokFile), Logger: logs.logger()}))
	name := "vaulttest/" + randHex(4) + "/file"
	if err := s.Set(t.Context(), name, "v"); err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, "the token expired", func() bool { return l.expired(t, old) })
	if _, err := s.Get(t.Context(), name); !errors.Is(err, secretstore.ErrPermissionDenied) {
		t.Fatalf("Get with an expired token and nothing new in the file: %v, want ErrPermissionDenied", err)
	}
	fresh := l.newToken(t, "", pol)
	writeFile(t, tokFile, fresh+"\n")
	mustGet(t, s, name, "v")
	if strings.Contains(logs.String(), old) || strings.Contains(logs.String(), fresh) {
		t.Fatal("the log reveals a token")
	}
	s.Remove(t.Context(), name)
}

// startVault starts a dev server of the test's own, to stop it, and returns
// its address, its root token and the function that stops it.
func startVault(t *testing.T) (addr, token string, stop func()) {
	t.Helper()
	bin := testenv.Binary(t, "vault", "VAULT_BIN", "vault")
	token = randHex(16)
	home := t.TempDir() // dev mode writes ~/.vault-token
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "VAULT_") && !strings.HasPrefix(kv, "HOME=") {
			env = append(env, kv)
		}
	}
	for try := 0; try < 5; try++ {
		port := freePortPair(t)
		var out logBuffer
		cmd := exec.Command(bin, "server", "-dev", "-dev-root-token-id="+token, "-dev-listen-address=127.0.0.1:"+strconv.Itoa(port))
		cmd.Env = append(env, "HOME="+home)
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan struct{})
		go func() { cmd.Wait(); close(exited) }()
		stop = func() {
			cmd.Process.Kill()
			<-exited
		}
		addr = "http://127.0.0.1:" + strconv.Itoa(port)
		if waitHealthy(t, addr, exited) {
			t.Cleanup(stop)
			return addr, token, stop
		}
		stop()
		t.Logf("vault did not start on port %d (try %d)", port, try+1)
	}
	t.Fatal("could not start a vault dev server")
	return "", "", nil
}

// freePortPair returns a port P of 127.0.0.1 such that P and P+1 are free
// now (vault -dev listens on both).
func freePortPair(t *testing.T) int {
	t.Helper()
	for {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		l2, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port+1))
		l.Close()
		if err == nil {
			l2.Close()
			return port
		}
	}
}

// waitHealthy polls /v1/sys/health until it answers 200, the process exits
// or 30 s pass.
func waitHealthy(t *testing.T, addr string, exited <-chan struct{}) bool {
	deadline := time.After(30 * time.Second)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		resp, err := http.Get(addr + "/v1/sys/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return true
			}
		}
		select {
		case <-exited:
			return false
		case <-deadline:
			return false
		case <-tick.C:
		case <-t.Context().Done():
			return false
		}
	}
}

// TestServerStopped stops a server while stores use it: with
// stale-if-error, callers keep getting the value; without it, they get
// ErrUnavailable promptly, not a hang.
func TestServerStopped(t *testing.T) {
	addr, token, stop := startVault(t)
	ctx := t.Context()
	newDriver := func() driver.Store {
		return open(t, vault.Options{Address: addr, Mount: "secret", Auth: vault.Token(token),
			MinWait: 10 * time.Millisecond, MaxWait: 50 * time.Millisecond})
	}
	var staleLog logBuffer
	stale := portable(t, newDriver(), secretstore.WithLogger(staleLog.logger()),
		secretstore.WithCache(secretstore.CacheOptions{TTL: 100 * time.Millisecond, StaleIfError: time.Hour}))
	cached := portable(t, newDriver(), secretstore.WithCache(secretstore.CacheOptions{TTL: 100 * time.Millisecond}))
	plain := portable(t, newDriver())
	if err := plain.Set(ctx, "k", "value"); err != nil {
		t.Fatal(err)
	}
	for _, s := range []*secretstore.Store{stale, cached, plain} {
		mustGet(t, s, "k", "value")
	}

	stop()

	// Without a cache: unavailable, at once (after two quick retries).
	start := time.Now()
	dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	_, err := plain.Get(dctx, "k")
	if !errors.Is(err, secretstore.ErrUnavailable) || errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Get from a stopped server: %v, want ErrUnavailable", err)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Fatalf("Get from a stopped server took %v", took)
	}
	// With a cache but no stale-if-error: the value until it expires, then
	// unavailable.
	eventually(t, 20*time.Second, "ErrUnavailable once the cached value expired", func() bool {
		ss, err := cached.Get(dctx, "k")
		if err == nil {
			if ss.Reveal("k") != "value" {
				t.Fatal("the cache served a wrong value")
			}
			return false
		}
		if !errors.Is(err, secretstore.ErrUnavailable) {
			t.Fatalf("cached Get from a stopped server: %v, want ErrUnavailable", err)
		}
		return true
	})
	// With stale-if-error: the value, past its TTL, served stale.
	eventually(t, 20*time.Second, "a stale value served", func() bool {
		ss, err := stale.Get(dctx, "k")
		if err != nil || ss.Reveal("k") != "value" {
			t.Fatalf("Get with stale-if-error from a stopped server: %v (value right: %v)", err, ss.Reveal("k") == "value")
		}
		return strings.Contains(staleLog.String(), "serving a stale value")
	})
	mustGet(t, stale, "k", "value")
}

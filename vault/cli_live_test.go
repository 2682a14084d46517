package vault_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/secretstore-go/secretstore"
	"github.com/secretstore-go/secretstore/internal/testenv"
	"github.com/secretstore-go/secretstore/vault"
)

// vaultCLI runs Vault's own command line client (VAULT_BIN, which CI
// exports) against the live server and returns its standard output.
func (l *live) cli(t *testing.T, args ...string) string {
	t.Helper()
	bin := testenv.Env(t, "vault", "VAULT_BIN")[0]
	cmd := exec.CommandContext(t.Context(), bin, args...)
	cmd.Env = []string{"VAULT_ADDR=" + l.addr, "VAULT_TOKEN=" + l.token, "HOME=" + t.TempDir()}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("vault %s: %v: %s", strings.Join(args[:2], " "), err, stderr.String())
	}
	return string(out)
}

// TestInteropWithVaultCLI proves issue 17's Vault part with the vault
// command teams use: secrets it writes with several fields are read whole
// (a JSON object) and field by field ("db#password") through the portable
// Store, and what the driver writes, fields included, the command reads. On
// KV v2 and KV v1.
func TestInteropWithVaultCLI(t *testing.T) {
	l := liveVault(t)
	for _, kv := range []int{2, 1} {
		t.Run("KVv"+strconv.Itoa(kv), func(t *testing.T) {
			mount := "secret"
			if kv == 1 {
				mount = l.mount(t, 1)
			}
			s := portable(t, open(t, vault.Options{Address: l.addr, Mount: mount, KV: kv, Auth: vault.Token(l.token)}))
			ctx := t.Context()
			base := "clitest/" + randHex(4) + "/"
			kvget := func(field, name string) string {
				return strings.TrimSuffix(l.cli(t, "kv", "get", "-mount="+mount, "-field="+field, name), "\n")
			}

			// vault kv put → the driver reads the secret whole and field by field.
			l.cli(t, "kv", "put", "-mount="+mount, base+"db", "username=app", "password=p@ss wörd", "port=5432")
			ss, err := s.Require(ctx, base+"db#username", base+"db#password", base+"db#port", base+"db")
			if err != nil {
				t.Fatal(err)
			}
			for n, want := range map[string]string{
				base + "db#username": "app", base + "db#password": "p@ss wörd", base + "db#port": "5432",
				base + "db": `{"password":"p@ss wörd","port":"5432","username":"app"}`,
			} {
				if got := ss[n].Reveal(); got != want {
					t.Errorf("%s = %q, want %q", n, got, want)
				}
			}
			if _, err := s.Require(ctx, base+"db#nope"); !errors.Is(err, secretstore.ErrNotFound) {
				t.Fatalf("a missing field: %v", err)
			}
			// A secret of the value field alone is the value, as before.
			l.cli(t, "kv", "put", "-mount="+mount, base+"single", "value=just-this")
			mustGet(t, s, base+"single", "just-this")
			if _, err := s.Get(ctx, base+"single#value"); !errors.Is(err, secretstore.ErrInvalidValue) {
				t.Fatalf("a field of a plain value: %v", err)
			}
			// The driver writes → vault kv get reads.
			if err := s.Set(ctx, base+"plain", "from-the-driver"); err != nil {
				t.Fatal(err)
			}
			if got := kvget("value", base+"plain"); got != "from-the-driver" {
				t.Fatalf("vault kv get -field=value = %q", got)
			}
			obj := `{"api_key":"k-123","region":"eu"}`
			if err := s.Set(ctx, base+"obj", obj); err != nil {
				t.Fatal(err)
			}
			if got := kvget("api_key", base+"obj"); got != "k-123" {
				t.Fatalf("a JSON object is not written as fields: -field=api_key gives %q", got)
			}
			mustGet(t, s, base+"obj", obj)

			// Field writes: a conditional read-modify-write on KV v2;
			// KV v1 cannot write conditionally.
			err = s.Set(ctx, base+"db#password", "rotated")
			if kv == 1 {
				if !errors.Is(err, secretstore.ErrNotSupported) {
					t.Fatalf("a field write on KV v1: %v, want ErrNotSupported", err)
				}
				if got := kvget("password", base+"db"); got != "p@ss wörd" {
					t.Fatal("the refused write changed the secret")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := kvget("password", base+"db"); got != "rotated" {
				t.Fatalf("vault kv get -field=password = %q", got)
			}
			if got := kvget("username", base+"db"); got != "app" {
				t.Fatalf("the field write lost username: %q", got)
			}
			if err := s.Remove(ctx, base+"db#port"); err != nil {
				t.Fatal(err)
			}
			var answer struct {
				Data struct {
					Data map[string]any `json:"data"`
				} `json:"data"`
			}
			if err := json.Unmarshal([]byte(l.cli(t, "kv", "get", "-mount="+mount, "-format=json", base+"db")), &answer); err != nil {
				t.Fatal(err)
			}
			if d := answer.Data.Data; len(d) != 2 || d["username"] != "app" || d["password"] != "rotated" {
				t.Fatalf("after removing port the secret has %d fields", len(d))
			}

			// Concurrent field writes through separate stores: each is a
			// check-and-set write, so none is lost.
			var wg sync.WaitGroup
			for i := range 4 {
				other := portable(t, open(t, vault.Options{Address: l.addr, Mount: mount, Auth: vault.Token(l.token)}))
				wg.Go(func() {
					if err := other.Set(ctx, fmt.Sprintf("%sdb#k%d", base, i), fmt.Sprint("v", i)); err != nil {
						t.Errorf("writer %d: %v", i, err)
					}
				})
			}
			wg.Wait()
			for i := range 4 {
				if got := kvget(fmt.Sprint("k", i), base+"db"); got != fmt.Sprint("v", i) {
					t.Errorf("field k%d = %q: a concurrent write was lost", i, got)
				}
			}
			if got := kvget("username", base+"db"); got != "app" {
				t.Fatal("concurrent field writes lost username")
			}
		})
	}
}

package vault_test

import (
	"context"
	"testing"
	"time"

	"github.com/secretstore-go/secretstore/storetest"
	"github.com/secretstore-go/secretstore/vault"
)

// TestPrintsNoToken prints the auth methods, the options holding them and
// the driver, before and after it logged in, in every way storetest knows:
// no token or role id shows. The live conformance suite prints drivers
// logged in to a real server too.
func TestPrintsNoToken(t *testing.T) {
	const token = "hvs.token-printed-nowhere-0123456789"
	const envToken = "hvs.env-token-printed-nowhere-9876543210"
	const roleID = "role-id-printed-nowhere-24680"
	t.Setenv("VAULT_TOKEN", envToken)
	secrets := []string{token, envToken, roleID}
	approle := vault.AppRoleOptions{RoleID: roleID, SecretIDFile: "/run/secret-id"}
	for what, v := range map[string]any{
		"Token":                       vault.Token(token),
		"TokenFile":                   vault.TokenFile("/run/token"),
		"AppRole":                     vault.AppRole(approle),
		"AppRoleOptions":              approle,
		"options with a token":        vault.Options{Address: "http://127.0.0.1:1", Mount: "secret", Auth: vault.Token(token)},
		"options with AppRole":        &vault.Options{Mount: "secret", Auth: vault.AppRole(approle)},
		"a token in a caller's field": struct{ a vault.Auth }{vault.Token(token)},
	} {
		storetest.CheckPrinting(t, what, v, secrets...)
	}
	for _, kv := range []int{1, 2} {
		d, err := vault.New(vault.Options{Address: "http://127.0.0.1:1", Mount: "secret", KV: kv, Auth: vault.Token(token), MaxRetries: -1})
		if err != nil {
			t.Fatal(err)
		}
		storetest.CheckPrinting(t, "a driver", d, secrets...)
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		_, err = d.Get(ctx, []string{"x"}) // logs in (with the token: no request), then fails to connect
		cancel()
		if err == nil {
			t.Fatal("a Get from an address nothing listens at succeeded")
		}
		storetest.CheckPrinting(t, "a driver after a login", d, secrets...)
		storetest.CheckPrinting(t, "the error of a failed Get", err, secrets...)
		d.Close()
	}
}

package azure_test

import (
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/security/keyvault/azsecrets"
	"github.com/secretstore-go/secretstore/azure"
	"github.com/secretstore-go/secretstore/driver"
	"github.com/secretstore-go/secretstore/internal/testenv"
	"github.com/secretstore-go/secretstore/storetest"
)

// TestLiveVault runs the conformance suite against a real Key Vault, with
// azidentity's DefaultAzureCredential, when SECRETSTORE_AZURE_VAULT_URL is
// set (for example https://myvault.vault.azure.net/). The identity needs the
// secrets get, list, set, delete, recover and purge permissions: the suite's
// names are purged on removal, so that a run leaves nothing behind, not even
// recoverable.
func TestLiveVault(t *testing.T) {
	u := testenv.Live(t, "Key Vault", "SECRETSTORE_AZURE_VAULT_URL")[0]
	for _, names := range []azure.Names{azure.NamesNative, azure.NamesEscaped} {
		t.Run(names.String(), func(t *testing.T) {
			h := storetest.Harness{
				AsTargets: []any{new(*azsecrets.Client)},
				Open: func(t *testing.T) driver.Store {
					d, err := azure.New(u, azure.Options{PurgeOnRemove: true, Names: names})
					if err != nil {
						t.Fatal(err)
					}
					return d
				},
				MaxValueSize: azure.MaxValueSize,
			}
			if names == azure.NamesNative {
				h.NativeName, h.MaxNameLen = nativeName, azure.MaxNameLen
			}
			storetest.Run(t, h)
		})
	}
}

package azure_test

import (
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/secretstore-go/secretstore/azure"
	"github.com/secretstore-go/secretstore/storetest"
)

// TestPrintsNoCredential prints options holding a client-secret credential,
// and a driver made with them, in every way storetest knows. (The
// conformance suite prints a driver talking to the fake Key Vault.)
func TestPrintsNoCredential(t *testing.T) {
	const secret = "azure-client-secret-printed-nowhere"
	cred, err := azidentity.NewClientSecretCredential("00000000-0000-0000-0000-000000000001", "00000000-0000-0000-0000-000000000002", secret, nil)
	if err != nil {
		t.Fatal(err)
	}
	o := azure.Options{Credential: cred}
	for what, v := range map[string]any{"options": o, "a pointer to options": &o, "options in an exported field": struct{ O azure.Options }{o}} {
		storetest.CheckPrinting(t, what, v, secret)
	}
	s, err := azure.New("https://example.vault.azure.net/", o)
	if err != nil {
		t.Fatal(err)
	}
	storetest.CheckPrinting(t, "a driver", s, secret)
}

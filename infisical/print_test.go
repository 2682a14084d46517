package infisical

import (
	"sync"
	"testing"

	sdk "github.com/infisical/go-sdk"

	"github.com/secretstore-go/secretstore/storetest"
)

// TestPrintsNoCredentials prints a logged-in driver and its options in every
// way storetest knows: neither the client secret nor the access token shows.
func TestPrintsNoCredentials(t *testing.T) {
	fx := newFixture(t, nil)
	var mu sync.Mutex
	var tokens []string
	s := fx.open(t, func(o *Options) {
		o.ClientIDFile, o.ClientSecretFile = "", ""
		o.Login = func(a sdk.AuthInterface) (sdk.MachineIdentityCredential, error) {
			c, err := a.UniversalAuthLogin(testID, testSecret)
			mu.Lock()
			tokens = append(tokens, c.AccessToken)
			mu.Unlock()
			return c, err
		}
	})
	if _, err := s.Get(t.Context(), []string{"a"}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	secrets := append([]string{testSecret}, tokens...)
	mu.Unlock()
	if len(secrets) < 2 || secrets[1] == "" {
		t.Fatal("the driver did not log in")
	}
	storetest.CheckPrinting(t, "a logged-in driver", s, secrets...)
	storetest.CheckPrinting(t, "the options", fx.options(), secrets...)
}

package dapr

import (
	"strings"
	"testing"

	"github.com/secretstore-go/secretstore/storetest"
)

// TestPrintsNoToken prints the options and the driver, which hold the API
// token, in every way storetest knows. (The conformance suite prints a
// driver talking to the fake sidecar too.)
func TestPrintsNoToken(t *testing.T) {
	const token = "dapr-api-token-printed-nowhere"
	o := Options{Endpoint: "http://127.0.0.1:1", Store: "vault", Token: token, Metadata: map[string]string{"a": "b"}}
	storetest.CheckPrinting(t, "options", o, token)
	storetest.CheckPrinting(t, "a pointer to options", &o, token)
	// (fmt cannot call a method of a caller's unexported field: Options
	// kept in one prints field by field, Token included.)
	s, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	storetest.CheckPrinting(t, "a driver", s, token)
	if got := o.String(); got == "" || !strings.Contains(got, "vault") {
		t.Errorf("Options print as %q, without the store's name", got)
	}
}

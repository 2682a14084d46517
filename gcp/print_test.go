package gcp_test

import (
	"testing"

	"google.golang.org/api/option"

	"github.com/secretstore-go/secretstore/gcp"
	"github.com/secretstore-go/secretstore/storetest"
)

// TestOptionsPrintNoCredentials prints options whose client options hold
// credentials (a service account key, an API key) in every way storetest
// knows. (The conformance suite prints an opened driver.)
func TestOptionsPrintNoCredentials(t *testing.T) {
	const privateKey = "-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC-printed-nowhere\\n-----END PRIVATE KEY-----\\n"
	const apiKey = "AIzaSy-api-key-printed-nowhere"
	sa := []byte(`{"type":"service_account","project_id":"p","private_key_id":"k1","private_key":"` + privateKey + `","client_email":"x@p.iam.gserviceaccount.com"}`)
	o := gcp.Options{
		ClientOptions: []option.ClientOption{option.WithAuthCredentialsJSON(option.ServiceAccount, sa), option.WithAPIKey(apiKey)},
		Labels:        map[string]string{"team": "billing"},
	}
	for what, v := range map[string]any{"options": o, "a pointer to options": &o, "options in an exported field": struct{ O gcp.Options }{o}} {
		storetest.CheckPrinting(t, what, v, privateKey, apiKey, "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC-printed-nowhere")
	}
}

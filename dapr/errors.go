package dapr

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/secretstore-go/secretstore/driver"
)

// apiError is the JSON body of an error answer of Dapr's HTTP API. Its
// message is read to tell a missing secret apart, and never copied into an
// error: it may quote what the store behind the sidecar answered.
type apiError struct {
	ErrorCode string `json:"errorCode"`
	Message   string `json:"message"`
}

// Dapr 1.14's error codes for the secrets API (pkg/messages/predefined.go).
const (
	codeSecretGet          = "ERR_SECRET_GET"                   // 500: the component failed, or the secret is missing
	codeStoresNotConfigued = "ERR_SECRET_STORES_NOT_CONFIGURED" // 500: no secret store at all
	codeStoreNotFound      = "ERR_SECRET_STORE_NOT_FOUND"       // 401: no secret store of that name
	codePermissionDenied   = "ERR_PERMISSION_DENIED"            // 403: the secret scoping denies the secret
)

// missing reports whether an error answer to a read of secret from store
// means that the secret does not exist.
//
// Dapr answers a component's failure with HTTP 500 ERR_SECRET_GET and the
// message "failed getting secret with key KEY from secret store STORE: ERR",
// where ERR is the component's error text; a missing secret is such a
// failure too. Only ERR tells the two apart, so the whole message must be
// one that a component gives for a missing secret, about exactly this secret:
//
//   - secretstores.local.file: "secret KEY not found"
//   - secretstores.kubernetes: `secrets "KEY" not found` (the API server's
//     NotFound status)
//   - secretstores.hashicorp.vault: "getSecret KEY failed secret key or
//     version not exist" (Vault answered 404)
//
// Any other ERR_SECRET_GET, including the not-found wording of components
// not listed, is a failing store: never silently missing.
func (e apiError) missing(store, secret string, status int) bool {
	if status != http.StatusInternalServerError || e.ErrorCode != codeSecretGet {
		return false
	}
	prefix := "failed getting secret with key " + secret + " from secret store " + store + ": "
	if len(e.Message) <= len(prefix) || e.Message[:len(prefix)] != prefix {
		return false
	}
	switch e.Message[len(prefix):] {
	case "secret " + secret + " not found",
		"secrets " + strconv.Quote(secret) + " not found",
		"getSecret " + secret + " failed secret key or version not exist":
		return true
	}
	return false
}

// statusError classifies an error answer by its status and Dapr error code:
// Dapr's error codes first, then [driver.HTTPCode], except that a 404 is
// Unknown (the endpoint is not a Dapr sidecar's secrets API: a missing
// secret is told apart before). The answer's body is not quoted.
func (s *Store) statusError(secret string, status int, code string) error {
	switch {
	case code == codeStoreNotFound:
		return s.errorf(driver.Unknown, secret, "the sidecar has no secret store of this name (HTTP %d %s)", status, code)
	case code == codeStoresNotConfigued:
		return s.errorf(driver.Unknown, secret, "the sidecar has no secret store configured (HTTP %d %s)", status, code)
	case code == codePermissionDenied || status == http.StatusForbidden:
		return s.errorf(driver.PermissionDenied, secret, "the sidecar's secret scoping denies this secret (HTTP %d)", status)
	case status == http.StatusUnauthorized && s.cfg.token == "":
		return s.errorf(driver.PermissionDenied, secret, "the sidecar wants an API token (HTTP 401); set %s or token-file", EnvAPIToken)
	case status == http.StatusUnauthorized:
		return s.errorf(driver.PermissionDenied, secret, "the sidecar refused the API token (HTTP 401)")
	case code == codeSecretGet:
		return s.errorf(driver.Unavailable, secret, "the secret store behind the sidecar failed (HTTP %d %s)", status, code)
	case status == http.StatusNotFound:
		return s.errorf(driver.Unknown, secret, "the endpoint does not serve Dapr's secrets API (HTTP 404)")
	}
	return s.errorf(driver.HTTPCode(status), secret, "the sidecar answered HTTP %d", status)
}

// errorf returns a classified error naming the store and, unless it is a
// bulk read, the Dapr secret.
func (s *Store) errorf(code driver.Code, secret, format string, args ...any) error {
	what := fmt.Sprintf("dapr: store %q", s.cfg.store)
	if secret != "" {
		what += fmt.Sprintf(", secret %q", secret)
	} else {
		what += ", bulk read"
	}
	return driver.Errorf(code, "%s: %s", what, fmt.Sprintf(format, args...))
}

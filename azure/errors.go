package azure

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/secretstore-go/secretstore/driver"
)

// Key Vault's inner error codes the driver acts on.
const (
	codeDeletedButRecoverable = "ObjectIsDeletedButRecoverable"
)

// kvError is an error of a Key Vault call. Its message names the operation,
// the Key Vault name, the HTTP status and Key Vault's error codes, and
// nothing else: azcore.ResponseError's own message carries the response
// body, which is never repeated. Unwrap still reaches the SDK's error, for
// errors.As.
type kvError struct {
	op     string // "get", "set", "delete", ...
	kvName string
	status int    // HTTP status, 0 when there was no response
	code   string // Key Vault's error code
	inner  string // Key Vault's inner error code
	msg    string // a message of the driver's own, when there is no status
	class  driver.Code
	err    error
}

func (e *kvError) Error() string {
	s := "azurekv: " + e.op
	if e.kvName != "" {
		s += fmt.Sprintf(" secret %q", e.kvName)
	}
	if e.msg != "" {
		s += ": " + e.msg
	}
	if e.status != 0 {
		s += fmt.Sprintf(": HTTP %d", e.status)
		if t := http.StatusText(e.status); t != "" {
			s += " " + t
		}
		switch {
		case e.code != "" && e.inner != "":
			s += " (" + e.code + "/" + e.inner + ")"
		case e.code != "":
			s += " (" + e.code + ")"
		}
	}
	return s
}

func (e *kvError) Unwrap() error { return e.err }

// authError is an error of the token credential. azidentity's
// AuthenticationFailedError prints the identity provider's response body;
// this prints only its status.
type authError struct{ err error }

func (e *authError) Error() string {
	var af *azidentity.AuthenticationFailedError
	if errors.As(e.err, &af) {
		if af.RawResponse != nil {
			return fmt.Sprintf("azurekv: authentication failed: HTTP %d from the identity provider", af.RawResponse.StatusCode)
		}
		return "azurekv: authentication failed"
	}
	return "azurekv: no credential: " + e.err.Error()
}

func (e *authError) Unwrap() error { return e.err }

// credential wraps the caller's credential so that its errors are known as
// such and printed without a response body.
type credential struct{ azcore.TokenCredential }

func (c credential) GetToken(ctx context.Context, opts policy.TokenRequestOptions) (azcore.AccessToken, error) {
	tok, err := c.TokenCredential.GetToken(ctx, opts)
	if err != nil && ctx.Err() == nil {
		err = &authError{err: err}
	}
	return tok, err
}

// wrapErr turns an error of the SDK into the driver's: context errors keep
// their identity, response errors lose their body.
func wrapErr(op, kvName string, err error) error {
	if err == nil {
		return nil
	}
	var re *azcore.ResponseError
	if errors.As(err, &re) {
		code, inner := errorCodes(re)
		return &kvError{op: op, kvName: kvName, status: re.StatusCode, code: code, inner: inner,
			class: statusClass(op, re.StatusCode), err: err}
	}
	var ae *authError
	if errors.As(err, &ae) {
		return &kvError{op: op, kvName: kvName, msg: ae.Error(), class: driver.PermissionDenied, err: err}
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("azurekv: %s secret %q: %w", op, kvName, err)
	}
	class := driver.Unknown
	var ne net.Error
	if errors.As(err, &ne) {
		class = driver.Unavailable
	}
	return &kvError{op: op, kvName: kvName, msg: err.Error(), class: class, err: err}
}

// errorCodes returns Key Vault's error code and inner error code, read from
// the response body ({"error":{"code":..., "innererror":{"code":...}}}).
func errorCodes(re *azcore.ResponseError) (code, inner string) {
	code = re.ErrorCode
	if re.RawResponse == nil {
		return code, ""
	}
	body, err := runtime.Payload(re.RawResponse)
	if err != nil {
		return code, ""
	}
	var kv struct {
		Error struct {
			Code       string `json:"code"`
			InnerError *struct {
				Code string `json:"code"`
			} `json:"innererror"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &kv) != nil {
		return code, ""
	}
	if code == "" {
		code = kv.Error.Code
	}
	if kv.Error.InnerError != nil {
		inner = kv.Error.InnerError.Code
	}
	return code, inner
}

// statusClass maps an HTTP status of Key Vault to a portable code:
// [driver.HTTPCode], except that a 400 Bad Request to a Set is InvalidValue
// (the name is checked before the call; what is left to refuse is the
// value).
func statusClass(op string, status int) driver.Code {
	if status == http.StatusBadRequest && op == opSet {
		return driver.InvalidValue
	}
	return driver.HTTPCode(status)
}

// status returns the HTTP status of a Key Vault error, or 0.
func status(err error) int {
	var ke *kvError
	if errors.As(err, &ke) {
		return ke.status
	}
	var re *azcore.ResponseError
	if errors.As(err, &re) {
		return re.StatusCode
	}
	return 0
}

// innerCode returns Key Vault's inner error code of err, or "".
func innerCode(err error) string {
	var ke *kvError
	if errors.As(err, &ke) {
		return ke.inner
	}
	return ""
}

// ErrorCode classifies the driver's errors, and the SDK's own
// (*azcore.ResponseError by HTTP status, credential errors as permission
// denied, network errors as unavailable), into portable codes.
func (s *Store) ErrorCode(err error) driver.Code {
	var ke *kvError
	if errors.As(err, &ke) {
		return ke.class
	}
	var re *azcore.ResponseError
	if errors.As(err, &re) {
		return statusClass("", re.StatusCode)
	}
	var ae *authError
	var af *azidentity.AuthenticationFailedError
	if errors.As(err, &ae) || errors.As(err, &af) {
		return driver.PermissionDenied
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return driver.Unavailable
	}
	return driver.Unknown
}

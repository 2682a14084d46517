package awssm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/secretstore-go/secretstore/driver"
)

// AWS error codes the driver acts on.
const (
	codeNotFound       = "ResourceNotFoundException"
	codeExists         = "ResourceExistsException"
	codeInvalidRequest = "InvalidRequestException"
)

// Error is the error of a failed AWS call. Its message names the API
// operation, the secret and AWS's error code, and never holds AWS's error
// message or any part of a response body (AWS messages may echo request
// parameters). The SDK's error is reachable with errors.As through Unwrap.
type Error struct {
	Op         string // the API operation, such as "GetSecretValue"
	Name       string // the portable name involved, or ""
	Code       string // AWS's error code, such as "ResourceNotFoundException", or ""
	StatusCode int    // the HTTP status, or 0
	RequestID  string // AWS's request ID, or ""
	Err        error  // the SDK's error; nil for a per-secret error in a batch
}

// Error names the operation, the secret, AWS's error code, the HTTP status
// and the request ID.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("awssm: ")
	b.WriteString(e.Op)
	if e.Name != "" {
		fmt.Fprintf(&b, " %q", e.Name)
	}
	b.WriteString(": ")
	switch {
	case e.Code != "":
		b.WriteString(e.Code)
	case e.StatusCode != 0 && errors.Is(e.Err, io.ErrUnexpectedEOF):
		b.WriteString("response cut short")
	case e.StatusCode != 0:
		b.WriteString("response not understood")
	case e.Err != nil:
		b.WriteString(e.Err.Error())
	default:
		b.WriteString("failed")
	}
	if e.StatusCode != 0 {
		fmt.Fprintf(&b, " (HTTP %d", e.StatusCode)
		if e.RequestID != "" {
			b.WriteString(", request ID " + e.RequestID)
		}
		b.WriteString(")")
	}
	return b.String()
}

// Unwrap returns the SDK's error.
func (e *Error) Unwrap() error { return e.Err }

// wrap turns an SDK error into an [*Error]; other errors pass unchanged.
func wrap(op string, names []string, err error) error {
	var de *driver.Error
	var e *Error
	if err == nil || errors.As(err, &e) || errors.As(err, &de) {
		return err
	}
	e = &Error{Op: op, Err: err}
	if len(names) == 1 {
		e.Name = names[0]
	}
	var api smithy.APIError
	if errors.As(err, &api) {
		e.Code = api.ErrorCode()
	}
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) && re.Response != nil && re.Response.Response != nil {
		e.StatusCode = re.HTTPStatusCode()
	}
	var are *awshttp.ResponseError
	if errors.As(err, &are) {
		e.RequestID = are.ServiceRequestID()
	}
	if e.Code == "" && e.StatusCode == 0 {
		// No response: a transport or context error, or one from the
		// credential chain. Keep its text without the SDK's preamble.
		var oe *smithy.OperationError
		if errors.As(err, &oe) && oe.Err != nil {
			e.Err = &causeError{msg: oe.Err.Error(), err: err}
		}
	}
	return e
}

// causeError shows the cause of an SDK error but unwraps to all of it.
type causeError struct {
	msg string
	err error
}

func (c *causeError) Error() string { return c.msg }
func (c *causeError) Unwrap() error { return c.err }

// ErrorCode classifies an error of this driver:
//
//   - ResourceNotFoundException: NotFound;
//   - access and credential refusals and DecryptionFailure: PermissionDenied;
//   - throttling, LimitExceededException (a quota on the rate of new
//     versions, which the SDK retries as throttling), AWS's internal errors,
//     network failures and responses cut short: Unavailable (the SDK's
//     retryer has already retried what it retries);
//   - InvalidRequestException (a secret scheduled for deletion, for
//     example) and ResourceExistsException: Conflict;
//   - a parameter error (ValidationException, InvalidParameterException)
//     from PutSecretValue or CreateSecret: InvalidValue, since the driver
//     sends only valid names;
//   - without an error code of AWS's that says otherwise, the HTTP status
//     by [driver.HTTPCode] (429 and 5xx Unavailable, 403 PermissionDenied,
//     ...).
func (s *Store) ErrorCode(err error) driver.Code { return classify(err) }

func classify(err error) driver.Code {
	var e *Error
	op, code, status := "", "", 0
	if errors.As(err, &e) {
		op, code, status = e.Op, e.Code, e.StatusCode
	} else {
		var api smithy.APIError
		if errors.As(err, &api) {
			code = api.ErrorCode()
		}
	}
	switch code {
	case codeNotFound:
		return driver.NotFound
	case "AccessDeniedException", "AccessDenied", "UnrecognizedClientException", "InvalidClientTokenId",
		"InvalidSignatureException", "SignatureDoesNotMatch", "IncompleteSignature", "MissingAuthenticationToken",
		"ExpiredTokenException", "ExpiredToken", "DecryptionFailure", "KMSAccessDeniedException":
		return driver.PermissionDenied
	case "ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded",
		"InternalServiceError", "InternalFailure", "ServiceUnavailable", "ServiceUnavailableException",
		"RequestTimeout", "RequestTimeoutException", "LimitExceededException":
		return driver.Unavailable
	case codeInvalidRequest, codeExists:
		return driver.Conflict
	case "InvalidParameterException", "ValidationException":
		if op == "PutSecretValue" || op == "CreateSecret" {
			return driver.InvalidValue
		}
	}
	if c := driver.HTTPCode(status); c != driver.Unknown {
		return c // no error code of AWS's said otherwise
	}
	if errors.Is(err, context.Canceled) {
		return driver.Canceled
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return driver.DeadlineExceeded
	}
	var ne net.Error
	if code == "" && (status == 0 && errors.As(err, &ne) || errors.Is(err, io.ErrUnexpectedEOF)) {
		return driver.Unavailable // unreachable, or the response was cut short
	}
	return driver.Unknown
}

// apiCode returns AWS's error code and message in err, if it has one.
func apiCode(err error) (code, msg string) {
	var api smithy.APIError
	if errors.As(err, &api) {
		return api.ErrorCode(), api.ErrorMessage()
	}
	return "", ""
}

func isCode(err error, code string) bool {
	c, _ := apiCode(err)
	return c == code
}

// aboutDeletion reports whether an InvalidRequestException's message is
// about a secret scheduled for deletion, the only state of a secret that
// makes AWS refuse to read, write or create it with this code.
func aboutDeletion(msg string) bool { return strings.Contains(strings.ToLower(msg), "delet") }

// pendingDeletion reports AWS's refusal to act on a secret scheduled for
// deletion.
func pendingDeletion(err error) bool {
	code, msg := apiCode(err)
	return code == codeInvalidRequest && aboutDeletion(msg)
}

// missing reports an error that means the secret (or the version asked for)
// does not exist for a reader: it never existed, was deleted, or is
// scheduled for deletion.
func missing(err error) bool { return isCode(err, codeNotFound) || pendingDeletion(err) }

// batchRefused reports an error of BatchGetSecretValue as a whole that
// GetSecretValue may not share: the caller may not call it, or the endpoint
// (an emulator) does not implement it.
func batchRefused(err error) bool {
	code, _ := apiCode(err)
	switch code {
	case "AccessDeniedException", "AccessDenied", "InvalidAction", "UnknownOperationException",
		"UnknownOperation", "NotImplemented", "InvalidActionException":
		return true
	}
	var re *smithyhttp.ResponseError
	return errors.As(err, &re) && re.Response != nil && re.Response.Response != nil && re.HTTPStatusCode() == 501
}

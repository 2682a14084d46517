package infisical

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	sdkerrors "github.com/infisical/go-sdk/packages/errors"

	"github.com/secretstore-go/secretstore/driver"
)

// Error is the error of a failed Infisical call. Its message names the
// operation, the portable secret name and the HTTP status. It never holds
// Infisical's error message or any other part of a response body: the SDK's
// own error types carry the body's message, so the driver keeps only the
// status and drops the SDK's error. Every Error the driver returns is wrapped
// in a [driver.Error] with the same Code.
type Error struct {
	Op         string      // "login", "retrieve", "list", "create", "update", "delete", "create folder", ...
	Name       string      // the portable name (or List prefix) involved, or ""
	StatusCode int         // the HTTP status Infisical answered, or 0 when there was no answer
	Reason     string      // why, when there is no status: a transport failure, a configuration error
	Code       driver.Code // the portable class
}

// Error names the operation, the secret and the status or reason.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("infisical: ")
	b.WriteString(e.Op)
	if e.Name != "" {
		fmt.Fprintf(&b, " %q", e.Name)
	}
	switch {
	case e.StatusCode != 0:
		fmt.Fprintf(&b, ": HTTP %d %s", e.StatusCode, http.StatusText(e.StatusCode))
		if e.Reason != "" {
			b.WriteString(" (" + e.Reason + ")")
		}
	case e.Reason != "":
		b.WriteString(": " + e.Reason)
	default:
		b.WriteString(": " + e.Code.String())
	}
	return b.String()
}

// newError returns e wrapped in a [driver.Error] of its class.
func newError(e *Error) error { return &driver.Error{Code: e.Code, Err: e} }

// transient reports whether a call that failed with err may succeed if
// repeated: throttling (429), a gateway or overloaded server (502, 503, 504),
// or no answer at all. A 500 is not repeated: it is more often a bug than a
// passing state.
func transient(err error) bool {
	var e *Error
	if !errors.As(err, &e) {
		return false
	}
	switch e.StatusCode {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	case 0:
		// No answer; but a certificate Infisical's server does not pass
		// will not pass on a second try either.
		return e.Code == driver.Unavailable && !strings.Contains(e.Reason, "x509:") && !strings.Contains(e.Reason, "certificate")
	}
	return false
}

// classify turns an error from the SDK into the driver's error, dropping the
// SDK's error (and with it any part of a response body). Context errors pass
// unchanged; errors already classified pass unchanged.
func classify(op, name string, err error) error {
	if err == nil {
		return nil
	}
	var de *driver.Error
	if errors.As(err, &de) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	e := &Error{Op: op, Name: name}
	var api *sdkerrors.APIError
	var req *sdkerrors.RequestError
	switch {
	case errors.As(err, &api):
		e.StatusCode = api.StatusCode
		e.Code = driver.HTTPCode(api.StatusCode)
		if folderNotFound(api) {
			// Older servers answer a write into a missing folder with 400
			// "Folder not found" where current ones answer 404.
			e.Reason, e.Code = "folder not found", driver.NotFound
		}
	case errors.As(err, &req):
		// No answer: the message is the HTTP client's, such as a refused
		// connection. It has no body in it, but it may quote the URL or, for
		// a malformed answer, a piece of it; quoted parts are dropped.
		e.Reason = "request failed: " + unquote(req.Error())
		e.Code = driver.Unavailable
		if strings.Contains(e.Reason, "invalid character") || strings.Contains(e.Reason, "cannot unmarshal") ||
			strings.Contains(e.Reason, "unexpected end of JSON") {
			e.Reason = "the answer was not the JSON the SDK expects"
			e.Code = driver.Unknown
		}
	default:
		e.Reason = unquote(err.Error())
		e.Code = driver.Unknown
	}
	return newError(e)
}

// folderNotFound reports an answer that says the folder is missing: a 400
// whose message says so, as older Infisical servers answer a write into a
// missing folder. The message is read, never kept.
func folderNotFound(api *sdkerrors.APIError) bool {
	if api.StatusCode != http.StatusBadRequest {
		return false
	}
	m := strings.ToLower(api.ErrorMessage)
	return strings.Contains(m, "folder") && strings.Contains(m, "not found")
}

// unquote removes every "double-" or 'single-quoted' part of msg, and the
// SDK's operation prefix, keeping the shape of the message.
func unquote(msg string) string {
	if i := strings.Index(msg, "[err="); i >= 0 {
		msg = strings.TrimSuffix(msg[i+len("[err="):], "]")
	}
	var b strings.Builder
	for i := 0; i < len(msg); i++ {
		c := msg[i]
		if c != '"' && c != '\'' {
			b.WriteByte(c)
			continue
		}
		end := strings.IndexByte(msg[i+1:], c)
		if end < 0 {
			break // an unterminated quote: drop the rest
		}
		b.WriteString("…")
		i += end + 1
	}
	out := b.String()
	if len(out) > 200 {
		out = out[:200] + "…"
	}
	return out
}

// codeOf returns the class of an error the driver returned.
func codeOf(err error) driver.Code { return driver.CodeOf(err) }

// statusOf returns the HTTP status of an error the driver returned, or 0.
func statusOf(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.StatusCode
	}
	return 0
}

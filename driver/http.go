package driver

import "net/http"

// HTTPCode is the one classification of an HTTP status that drivers of
// HTTP backends share. A driver calls it for a failed answer and departs
// from it only where its backend documents a different meaning, which the
// driver's package documentation lists.
//
//	401 Unauthorized, 403 Forbidden                 PermissionDenied
//	404 Not Found                                   NotFound
//	405 Method Not Allowed, 501 Not Implemented     NotSupported
//	409 Conflict                                    Conflict
//	413 Content Too Large                           InvalidValue
//	408 Request Timeout, 429 Too Many Requests,
//	  and every other 5xx                           Unavailable
//	anything else (other 4xx, 1xx-3xx, 0)           Unknown
//
// A 400 Bad Request is Unknown: whether it is about the name or the value is
// for the driver to say, knowing what it sent.
func HTTPCode(status int) Code {
	switch status {
	case http.StatusUnauthorized, http.StatusForbidden:
		return PermissionDenied
	case http.StatusNotFound:
		return NotFound
	case http.StatusMethodNotAllowed, http.StatusNotImplemented:
		return NotSupported
	case http.StatusConflict:
		return Conflict
	case http.StatusRequestEntityTooLarge:
		return InvalidValue
	case http.StatusRequestTimeout, http.StatusTooManyRequests:
		return Unavailable
	}
	if status >= 500 && status <= 599 {
		return Unavailable
	}
	return Unknown
}

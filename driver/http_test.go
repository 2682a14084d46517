package driver_test

import (
	"testing"

	"github.com/secretstore-go/secretstore/driver"
)

func TestHTTPCode(t *testing.T) {
	want := map[int]driver.Code{
		0: driver.Unknown, 200: driver.Unknown, 204: driver.Unknown, 304: driver.Unknown,
		400: driver.Unknown, 402: driver.Unknown, 412: driver.Unknown, 422: driver.Unknown,
		401: driver.PermissionDenied, 403: driver.PermissionDenied,
		404: driver.NotFound,
		405: driver.NotSupported, 501: driver.NotSupported,
		409: driver.Conflict,
		413: driver.InvalidValue,
		408: driver.Unavailable, 429: driver.Unavailable, 500: driver.Unavailable, 502: driver.Unavailable,
		503: driver.Unavailable, 504: driver.Unavailable, 599: driver.Unavailable,
		600: driver.Unknown, -1: driver.Unknown,
	}
	for status, code := range want {
		if got := driver.HTTPCode(status); got != code {
			t.Errorf("HTTPCode(%d) = %v, want %v", status, got, code)
		}
	}
	// No status maps to a class only the portable Store gives.
	for status := -1; status < 1000; status++ {
		if c := driver.HTTPCode(status); c.PortableOnly() || c == driver.Canceled || c == driver.DeadlineExceeded {
			t.Errorf("HTTPCode(%d) = %v, a class no HTTP status means", status, c)
		}
	}
}

func TestPortableOnly(t *testing.T) {
	for c := driver.Unknown; c <= driver.Closed; c++ {
		if got, want := c.PortableOnly(), c == driver.Disabled || c == driver.Closed; got != want {
			t.Errorf("%v.PortableOnly() = %v, want %v", c, got, want)
		}
	}
}

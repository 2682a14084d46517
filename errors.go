package secretstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/secretstore-go/secretstore/driver"
)

// The portable error classes. Every error a Store returns matches at most one
// of them with [errors.Is]; context errors also match [context.Canceled] or
// [context.DeadlineExceeded]. Use [Code] for a switch over all classes.
var (
	// ErrNotFound: a name that had to exist does not ([Store.Require]).
	ErrNotFound = errors.New("secret not found")
	// ErrDisabled: the operation is disabled by the store's configuration
	// (see [EnableSet], [EnableRemove], [EnableGet], [Store.Narrow]).
	ErrDisabled = errors.New("operation disabled by config")
	// ErrInvalidName: the name breaks the portable grammar (see
	// [ValidateName]) or a limit of the backend.
	ErrInvalidName = errors.New("invalid secret name")
	// ErrInvalidValue: the value breaks a documented limit of the backend.
	ErrInvalidValue = errors.New("invalid secret value")
	// ErrNotSupported: the backend does not offer the operation.
	ErrNotSupported = errors.New("operation not supported by the backend")
	// ErrPermissionDenied: the backend refused this caller.
	ErrPermissionDenied = errors.New("permission denied by the backend")
	// ErrUnavailable: the backend could not be reached or is throttling; the
	// call may succeed later.
	ErrUnavailable = errors.New("backend unavailable")
	// ErrConflict: a concurrent change or a backend state prevented the
	// operation.
	ErrConflict = errors.New("conflict")
	// ErrClosed: the store has been closed.
	ErrClosed = errors.New("store closed")
)

var codeErr = [...]error{
	driver.NotFound:         ErrNotFound,
	driver.InvalidName:      ErrInvalidName,
	driver.InvalidValue:     ErrInvalidValue,
	driver.NotSupported:     ErrNotSupported,
	driver.PermissionDenied: ErrPermissionDenied,
	driver.Unavailable:      ErrUnavailable,
	driver.Conflict:         ErrConflict,
	driver.Canceled:         nil,
	driver.DeadlineExceeded: nil,
	driver.Disabled:         ErrDisabled,
	driver.Closed:           ErrClosed,
}

// Error is the error type of every failed Store operation. Its message names
// the store, the operation and the secret names involved; it never contains a
// value.
type Error struct {
	Store string      // the store's name (see WithName)
	Op    string      // "get", "require", "lookup", "set", "remove", "list", "scope"
	Names []string    // the secret names involved, as the caller gave them
	Code  driver.Code // the error's class
	Err   error       // the underlying error, or nil
	class error       // the portable sentinel, or nil
}

// Error names the store, the operation, the secret names and the cause.
func (e *Error) Error() string {
	msg := "secretstore"
	if e.Store != "" {
		msg += fmt.Sprintf(" %q", e.Store)
	}
	msg += ": " + e.Op
	if len(e.Names) > 0 {
		msg += " " + joinNames(e.Names)
	}
	switch {
	case e.Err != nil:
		msg += ": " + e.Err.Error()
	case e.class != nil:
		msg += ": " + e.class.Error()
	}
	return msg
}

// Unwrap returns the underlying error (a driver's, or a context error).
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is the portable class of e.
func (e *Error) Is(target error) bool { return target != nil && target == e.class }

// Code returns the portable class of err: the code of the first [*Error] in its
// chain, [driver.Canceled] or [driver.DeadlineExceeded] for context errors,
// and [driver.Unknown] otherwise (or for nil).
func Code(err error) driver.Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return driver.CodeOf(err)
}

// newError builds the portable error for a class known to the portable layer.
func (s *Store) newError(op string, names []string, code driver.Code, err error) *Error {
	e := &Error{Store: s.sh.name, Op: op, Names: names, Code: code, Err: err}
	if int(code) < len(codeErr) {
		e.class = codeErr[code]
	}
	return e
}

// wrap classifies an error returned by the driver — once, here — and wraps it
// with the operation and the caller's names.
func (s *Store) wrap(op string, names []string, err error) error {
	if err == nil {
		return nil
	}
	code := driver.CodeOf(err)
	if code == driver.Unknown {
		if ec, ok := s.sh.drv.(driver.ErrorCoder); ok {
			code = ec.ErrorCode(err)
		}
	}
	if code == driver.Unknown {
		// A context error wrapped by an SDK in its own type still counts.
		if errors.Is(err, context.Canceled) {
			code = driver.Canceled
		} else if errors.Is(err, context.DeadlineExceeded) {
			code = driver.DeadlineExceeded
		}
	}
	return s.newError(op, names, code, err)
}

// ErrorAs lets a caller reach the backend's own error type behind err, when
// the driver implements [driver.ErrorAser].
func (s *Store) ErrorAs(err error, target any) bool {
	if ea, ok := s.sh.drv.(driver.ErrorAser); ok {
		return ea.ErrorAs(err, target)
	}
	return errors.As(err, target)
}

// As lets a caller reach the driver's own types (its client, for example),
// when the driver implements [driver.Aser]. Each driver documents what it
// supports.
func (s *Store) As(target any) bool {
	if a, ok := s.sh.drv.(driver.Aser); ok {
		return a.As(target)
	}
	return false
}

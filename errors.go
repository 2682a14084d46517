package secretstore

import (
	"errors"
	"fmt"

	"github.com/secretstore-go/secretstore/driver"
)

// ErrorCode is the class of an error a Store returns, as [Code] reports it.
// It is the driver contract's [driver.Code] under a name of this package (a
// type alias, not a new type): business code switches over classes with
// this package alone, drivers keep classifying with package driver, and
// the two are the same values with no conversion between them. (A third,
// neutral package, as go-cloud's gcerrors, would have made business code
// import one package more for the same thing.) The constants below name
// every class; String gives the snake_case name used in metrics, logs and
// audit events.
type ErrorCode = driver.Code

// The error classes, for a switch over [Code]. Each but the context classes
// and CodeUnknown has a sentinel error matched with [errors.Is].
const (
	CodeUnknown          = driver.Unknown          // not classified
	CodeNotFound         = driver.NotFound         // [ErrNotFound]
	CodeInvalidName      = driver.InvalidName      // [ErrInvalidName]
	CodeInvalidValue     = driver.InvalidValue     // [ErrInvalidValue]
	CodeNotSupported     = driver.NotSupported     // [ErrNotSupported]
	CodePermissionDenied = driver.PermissionDenied // [ErrPermissionDenied]
	CodeUnavailable      = driver.Unavailable      // [ErrUnavailable]
	CodeConflict         = driver.Conflict         // [ErrConflict]
	CodeCanceled         = driver.Canceled         // [context.Canceled]
	CodeDeadlineExceeded = driver.DeadlineExceeded // [context.DeadlineExceeded]
	CodeDisabled         = driver.Disabled         // [ErrDisabled]
	CodeClosed           = driver.Closed           // [ErrClosed]
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
	Store string    // the store's name (see WithName)
	Op    string    // "get", "require", "lookup", "set", "remove", "list", "scope"
	Names []string  // the secret names involved, as the caller gave them
	Code  ErrorCode // the error's class
	Err   error     // the underlying error, or nil
	class error     // the portable sentinel, or nil
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

// Unwrap returns the underlying error (a driver's, or a context error), so
// that [errors.As] reaches a backend's own error type behind e: each driver
// documents the types it wraps.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is the portable class of e.
func (e *Error) Is(target error) bool { return target != nil && target == e.class }

// Code returns the portable class of err: the code of the first [*Error] in
// its chain; otherwise err is classified as a driver's error would be,
// without a driver (see classify), which gives [CodeCanceled] or
// [CodeDeadlineExceeded] for context errors and [CodeUnknown] for the rest
// (and for nil).
func Code(err error) ErrorCode {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return classify(nil, err)
}

// classify is the one place an error a driver returned gets its class, in
// the order package driver documents under "Error classes": the first
// [*driver.Error] in its chain or a context error ([driver.CodeOf]), then the
// driver's [driver.ErrorCoder], if drv has one. A class only the portable
// layer gives (Disabled, Closed) is not believed from a driver: it becomes
// Unknown.
func classify(drv driver.Store, err error) ErrorCode {
	code := driver.CodeOf(err)
	if code == driver.Unknown && err != nil {
		if ec, ok := drv.(driver.ErrorCoder); ok {
			code = ec.ErrorCode(err)
		}
	}
	if code.PortableOnly() {
		return driver.Unknown
	}
	return code
}

// newError builds the portable error of one class. Every *Error is made
// here.
func newError(store, op string, names []string, code ErrorCode, err error) *Error {
	e := &Error{Store: store, Op: op, Names: names, Code: code, Err: err}
	if int(code) < len(codeErr) {
		e.class = codeErr[code]
	}
	return e
}

// newError builds the portable error for a class known to the portable layer.
func (s *Store) newError(op string, names []string, code ErrorCode, err error) *Error {
	return newError(s.sh.name, op, names, code, err)
}

// wrap classifies an error returned by the driver and wraps it with the
// operation and the caller's names.
func (s *Store) wrap(op string, names []string, err error) error {
	if err == nil {
		return nil
	}
	return s.newError(op, names, classify(s.sh.drv, err), err)
}

// As lets a caller reach the driver's own types (its client, for example),
// when the driver implements [driver.Aser]. Each driver documents what it
// supports. A backend's error types are reached with [errors.As] on the
// error itself.
func (s *Store) As(target any) bool {
	if a, ok := s.sh.drv.(driver.Aser); ok {
		return a.As(target)
	}
	return false
}

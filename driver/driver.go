// Package driver defines the contract a secret backend implements to be used
// through the portable [github.com/secretstore-go/secretstore.Store].
//
// A driver is deliberately small: it maps already-validated portable names to
// its backend and moves values in and out. Everything common — permissions,
// name checks, tenant scoping, caching, request coalescing, logging, tracing,
// metrics and error classification — is done once by the portable Store, so a
// custom driver inherits all of it.
//
// # Required behaviour
//
//   - Get receives every requested name in one call and must reach the backend
//     concurrently or through a batch API, never one round trip after another.
//     Names that do not exist are absent from the result; that is not an error.
//   - Values are arbitrary bytes held in a Go string: binary, non-UTF-8, empty
//     and multi-line values must round-trip exactly. A driver returns an error
//     with code [InvalidValue] only for a limit its backend documents.
//   - Remove of a name that does not exist succeeds.
//   - Errors must never contain a secret value, and should not contain a
//     provider's response body. Classify them as described under "Error
//     classes" below.
//   - Names given to a driver are valid portable names (see the root package's
//     name grammar). A driver maps them to its backend's alphabet reversibly,
//     so that distinct names never collide.
//
// # Optional capabilities
//
// As in database/sql/driver, optional capabilities are separate interfaces
// that the portable layer discovers with a type assertion:
//
//   - [Lookuper]: a one-name read without allocation (in-memory drivers).
//   - [Lister]: listing names under a prefix.
//   - [Versioner]: the previous value of a secret, for rotation.
//   - [Swapper]: a conditional write, for rotation without lost updates.
//   - [Watcher]: changes pushed by the backend, instead of polling.
//   - [ErrorCoder]: classifying backend errors into portable [Code]s.
//   - [Aser]: an escape hatch to the backend's own client.
//
// The conformance suite every driver must pass is in package storetest.
//
// # Error classes
//
// Every error the portable Store returns has one [Code]. The portable layer
// classifies an error a driver returned in one place, in this order:
//
//  1. the code of the first [*Error] in its chain (made with [NewError] or
//     [Errorf]);
//  2. a context error in its chain (even wrapped by an SDK's own type):
//     [Canceled] or [DeadlineExceeded];
//  3. the driver's [ErrorCoder], when it implements one;
//  4. otherwise [Unknown].
//
// Steps 1 and 2 are [CodeOf]. [Disabled] and [Closed] are the portable
// layer's own verdicts: a driver must not return them (the conformance
// suite checks it), and the portable layer reclassifies a driver error
// carrying one of them as [Unknown]. A driver whose backend is closed
// returns an error of its own (code [Unknown] or [Unavailable]); the
// portable Store refuses calls after its Close before they reach the driver.
//
// A backend's own error type stays reachable behind the portable error with
// [errors.As], as long as the driver wraps it (with %w or an Unwrap method)
// rather than replacing it; a driver documents which types it wraps. No
// interface is needed for that.
//
// Drivers that speak HTTP classify a status with [HTTPCode] and document
// only where their backend departs from it.
package driver

import (
	"context"
	"errors"
	"fmt"
)

// Store is what a backend implements: a many-name read, a write and a
// delete, and Close.
//
// Implementations must be safe for concurrent use.
type Store interface {
	// Get returns the values of the names that exist. Names that do not
	// exist are absent from the map and cause no error. The map may be nil
	// when no name exists.
	Get(ctx context.Context, names []string) (map[string]string, error)
	// Set creates or replaces the value of name.
	Set(ctx context.Context, name, value string) error
	// Remove deletes name. Removing a name that does not exist is not an
	// error.
	Remove(ctx context.Context, name string) error
	// Close releases the driver's clients and connections. The portable
	// Store calls it once.
	Close() error
}

// Lookuper is implemented by drivers that answer reads from memory without
// allocating, such as memstore. The portable Store uses it for Lookup and Get
// instead of [Store.Get]. The strings the returned pointers refer to must
// never be modified afterwards: a driver replaces a pointer on Set instead.
// Reads from memory never block, so a Lookuper need not consult ctx; the
// portable Store checks it before calling.
type Lookuper interface {
	// Lookup returns a pointer to the value of name, or nil if name does not
	// exist.
	Lookup(ctx context.Context, name string) (*string, error)
	// LookupAll sets vals[i] to a pointer to the value of names[i], or nil
	// if it does not exist, each as of some moment during the call.
	// len(vals) == len(names). Neither slice may be kept after the call.
	LookupAll(ctx context.Context, names []string, vals []*string) error
}

// Lister is implemented by drivers that can enumerate names.
type Lister interface {
	// List returns the names that start with prefix (all names when prefix
	// is empty), in any order. Only names, never values.
	List(ctx context.Context, prefix string) ([]string, error)
}

// Versioner is implemented by drivers that keep the previous value of a
// secret after Set, for rotation windows in which both the old and the new
// credential must work.
type Versioner interface {
	// GetVersions returns pointers to the current and the previous value of
	// name; either is nil when there is none (a name never set, or set
	// once). A removed name has no current value. Setting a name to the
	// value it has changes nothing: the previous value stays, so a repeated
	// write cannot end a rotation window early. After Remove and a new Set,
	// whether the value from before the removal counts as previous depends
	// on the backend (soft-deleting backends such as AWS and Azure restore
	// it; memstore and filestore forget it); portable code should not rely
	// on either.
	GetVersions(ctx context.Context, name string) (current, previous *string, err error)
}

// Swapper is implemented by drivers whose backend can write conditionally
// (a transaction, Vault's cas, an etcd revision compare), so that rotating a
// secret cannot silently overwrite a concurrent rotation.
type Swapper interface {
	// CompareAndSwap sets name to value only if its current value is still
	// old (nil: only if name does not exist). Otherwise it changes nothing
	// and returns an error with code [Conflict].
	CompareAndSwap(ctx context.Context, name string, old *string, value string) error
}

// Watcher is implemented by drivers whose backend pushes changes (such as
// etcd's watches), so that the portable Store's Watch need not poll.
type Watcher interface {
	// Watch calls ready once the backend watches names, then changed with
	// a name from names each time its value may have changed (set,
	// overwritten or removed), until ctx ends. It returns nil when ctx
	// ends, or an error when it cannot go on; the portable Store then
	// reports it, backs off and calls Watch again. While its connection
	// holds, a driver reports each change once, in the order the changes
	// were made, and nothing else. It resumes after a reconnect without
	// missing a change, and may then report a change that did not happen:
	// the Store reads the names again (after ready too, to catch what
	// changed before the watch began) and compares. ready and changed are
	// called from one goroutine at a time and must not block. The
	// conformance suite checks both (storetest's Watch and WatchResumes).
	Watch(ctx context.Context, names []string, ready func(), changed func(name string)) error
}

// ErrorCoder is implemented by drivers whose backend errors need a
// translation into portable codes (for example an SDK's typed errors). The
// portable Store consults it for every error the driver returns that is not
// already a [*Error] or a context error (see "Error classes" in the package
// documentation). It must not return [Disabled] or [Closed].
type ErrorCoder interface {
	ErrorCode(err error) Code
}

// Aser is implemented by drivers that expose their backend's types, following
// gocloud.dev's As convention. As reports whether it could set target (a
// pointer to a backend type, documented by the driver) to the driver's
// underlying client or configuration. Errors need no such method: the
// backend's error types are reached with [errors.As] (see "Error classes").
type Aser interface {
	As(target any) bool
}

// Code classifies an error in a backend-neutral way. The portable package maps
// each code to one of its sentinel errors.
type Code int

// The portable error codes.
const (
	// Unknown is any error the driver did not classify.
	Unknown Code = iota
	// NotFound: the secret does not exist (for operations where absence is
	// an error).
	NotFound
	// InvalidName: the backend cannot hold this name.
	InvalidName
	// InvalidValue: the value breaks a documented backend limit (size, ...).
	InvalidValue
	// NotSupported: the backend does not offer the operation.
	NotSupported
	// PermissionDenied: the backend refused the credentials for this
	// operation.
	PermissionDenied
	// Unavailable: the backend could not be reached, or is throttling, or
	// answered with a transient server error; the call may succeed later.
	Unavailable
	// Conflict: a concurrent change or a state of the backend (such as a
	// pending deletion) prevented the operation.
	Conflict
	// Canceled: the context was canceled.
	Canceled
	// DeadlineExceeded: the context's deadline passed.
	DeadlineExceeded
	// Disabled: the operation is disabled by the store's configuration. Set
	// by the portable Store only: a driver never returns it.
	Disabled
	// Closed: the store has been closed. Set by the portable Store only: a
	// driver never returns it.
	Closed
)

// PortableOnly reports whether c is a class only the portable Store may
// give ([Disabled], [Closed]), never a driver.
func (c Code) PortableOnly() bool { return c == Disabled || c == Closed }

var codeNames = [...]string{
	Unknown:          "unknown",
	NotFound:         "not_found",
	InvalidName:      "invalid_name",
	InvalidValue:     "invalid_value",
	NotSupported:     "not_supported",
	PermissionDenied: "permission_denied",
	Unavailable:      "unavailable",
	Conflict:         "conflict",
	Canceled:         "canceled",
	DeadlineExceeded: "deadline_exceeded",
	Disabled:         "disabled",
	Closed:           "closed",
}

// String returns the code's snake_case name, as used in metrics and logs.
func (c Code) String() string {
	if c >= 0 && int(c) < len(codeNames) {
		return codeNames[c]
	}
	return fmt.Sprintf("code(%d)", int(c))
}

// Error is an error a driver has classified. Drivers return it (directly or
// wrapped) through [NewError] or [Errorf].
type Error struct {
	Code Code
	Err  error
}

// NewError classifies err with code. It returns nil when err is nil.
func NewError(code Code, err error) error {
	if err == nil {
		return nil
	}
	return &Error{Code: code, Err: err}
}

// Errorf formats an error message and classifies it with code. Never format a
// secret value or a provider's response body into it.
func Errorf(code Code, format string, args ...any) error {
	return &Error{Code: code, Err: fmt.Errorf(format, args...)}
}

// Error returns the underlying error's message, or the code's name.
func (e *Error) Error() string {
	if e.Err == nil {
		return e.Code.String()
	}
	return e.Err.Error()
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// CodeOf returns the code of the first [*Error] in err's chain, the code a
// context error stands for, or [Unknown]: steps 1 and 2 of the
// classification described under "Error classes" in the package
// documentation, without the driver's [ErrorCoder]. Tests of a driver use it
// to check the class of a raw driver error.
func CodeOf(err error) Code {
	var de *Error
	switch {
	case err == nil:
		return Unknown
	case errors.As(err, &de):
		return de.Code
	case errors.Is(err, context.Canceled):
		return Canceled
	case errors.Is(err, context.DeadlineExceeded):
		return DeadlineExceeded
	}
	return Unknown
}

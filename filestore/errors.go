package filestore

import (
	"context"
	"errors"
	"io/fs"

	"github.com/secretstore-go/secretstore/driver"
)

// Sentinel errors. Every error this package returns for one of these
// conditions matches the sentinel with [errors.Is]; errors returned by [Store]
// methods are also classified with a [driver.Code] (see [driver.CodeOf]), as
// listed with each sentinel. Errors never contain a secret value or key
// material; they may contain secret names and file paths.
var (
	// ErrWrongKey: the key source does not open the store — a wrong key
	// file, key or passphrase, or a key of the wrong kind (a key file for a
	// store protected by a passphrase, or the reverse). Code
	// [driver.PermissionDenied].
	ErrWrongKey = errors.New("filestore: wrong key")

	// ErrCorrupt: the file or a record is damaged, truncated or was tampered
	// with: the header's checksum does not match, a record does not
	// authenticate under its name and store, the database structure is
	// broken, or the file is not a filestore database. Nothing is ever
	// returned from a record that does not authenticate. Code
	// [driver.Unknown].
	ErrCorrupt = errors.New("filestore: store is damaged or was tampered with")

	// ErrLocked: another process held the file's lock for longer than
	// [Options.LockTimeout] (or than the context's deadline). The call may
	// succeed later. Code [driver.Unavailable].
	ErrLocked = errors.New("filestore: store is locked by another process")

	// ErrUnsupportedFormat: the file or a record was written in a format
	// version this package does not know (a newer release wrote it). Code
	// [driver.Unknown].
	ErrUnsupportedFormat = errors.New("filestore: unsupported file format version")

	// ErrReplaced: in the default (per-operation) locking mode, the file at
	// the store's path is now a different store (its random store id
	// changed), for example because it was deleted and initialised again.
	// Reopen it. Code [driver.Conflict].
	ErrReplaced = errors.New("filestore: the file was replaced by a different store")

	// ErrInsecureKeyFile: a key file or passphrase file can be read or
	// written by its group or by others, or is not a regular file. Code
	// [driver.PermissionDenied].
	ErrInsecureKeyFile = errors.New("filestore: key file is accessible by group or others")

	// ErrClosed: the Store was closed. Code [driver.Unknown] (the portable
	// Store reports closed stores itself).
	ErrClosed = errors.New("filestore: store is closed")
)

// errNoChange makes an update transaction roll back instead of committing
// (and paying for an fsync) when the operation changes nothing.
var errNoChange = errors.New("filestore: no change")

// codeOf returns the portable code of an error of this package.
func codeOf(err error) driver.Code {
	switch {
	case errors.Is(err, context.Canceled):
		return driver.Canceled
	case errors.Is(err, context.DeadlineExceeded):
		return driver.DeadlineExceeded
	case errors.Is(err, ErrWrongKey), errors.Is(err, ErrInsecureKeyFile), errors.Is(err, fs.ErrPermission):
		return driver.PermissionDenied
	case errors.Is(err, ErrLocked):
		return driver.Unavailable
	case errors.Is(err, ErrReplaced):
		return driver.Conflict
	}
	return driver.Unknown
}

// classify wraps err in a [driver.Error] carrying its code. Context errors
// and already classified errors are returned unchanged.
func classify(err error) error {
	if err == nil {
		return nil
	}
	var de *driver.Error
	if errors.As(err, &de) {
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return driver.NewError(codeOf(err), err)
}

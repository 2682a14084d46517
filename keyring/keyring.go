package keyring

import (
	"context"
	"errors"
	"strings"

	"github.com/godbus/dbus/v5"
	gokeyring "github.com/zalando/go-keyring"

	"github.com/secretstore-go/secretstore/driver"
)

// DefaultParallel is how many keychain calls a Get makes at once when
// [Options.Parallel] is 0.
const DefaultParallel = 4

// Options configures a [Store].
type Options struct {
	// Service scopes the entries: each secret is the keychain entry of
	// this service whose account (user name) is the secret's name.
	// Required.
	Service string
	// Parallel bounds the keychain calls one Get makes at once (default
	// [DefaultParallel]).
	Parallel int
}

// Store is the operating system's keychain, through
// github.com/zalando/go-keyring. It implements [driver.Store]; on Linux
// (and the BSDs) and Windows the value [New] returns also implements
// [driver.Lister].
type Store struct {
	service  string
	parallel int
}

// New returns a driver over the keychain entries of o.Service. It does not
// reach the keychain: the first call does.
func New(o Options) (driver.Store, error) {
	if o.Service == "" {
		return nil, errors.New("keyring: no service name given")
	}
	if o.Parallel < 0 {
		return nil, errors.New("keyring: Parallel is negative")
	}
	s := &Store{service: o.Service, parallel: o.Parallel}
	if s.parallel == 0 {
		s.parallel = DefaultParallel
	}
	if canList {
		return &listingStore{s}, nil
	}
	return s, nil
}

// listingStore is a Store on a platform whose keychain can enumerate a
// service's entries.
type listingStore struct{ *Store }

// List returns the names of the service's entries that start with prefix.
func (s *listingStore) List(ctx context.Context, prefix string) ([]string, error) {
	var names []string
	err := s.call(ctx, func() error {
		all, err := listNames(s.service)
		for _, n := range all {
			if strings.HasPrefix(n, prefix) {
				names = append(names, n)
			}
		}
		return err
	})
	return names, err
}

var _ driver.Lister = (*listingStore)(nil)

// Service returns the service name that scopes the store's entries.
func (s *Store) Service() string { return s.service }

// Get reads the names' entries, [Options.Parallel] at once.
func (s *Store) Get(ctx context.Context, names []string) (map[string]string, error) {
	return driver.GetEach(ctx, names, s.parallel, func(ctx context.Context, name string) (string, bool, error) {
		var v string
		found := true
		err := s.call(ctx, func() error {
			var err error
			v, err = gokeyring.Get(s.service, name)
			if errors.Is(err, gokeyring.ErrNotFound) {
				found = false
				return nil
			}
			return err
		})
		return v, found && err == nil, err
	})
}

// Set creates or replaces name's entry.
func (s *Store) Set(ctx context.Context, name, value string) error {
	return s.call(ctx, func() error { return gokeyring.Set(s.service, name, value) })
}

// Remove deletes name's entry; a missing entry is not an error.
func (s *Store) Remove(ctx context.Context, name string) error {
	return s.call(ctx, func() error {
		err := gokeyring.Delete(s.service, name)
		if errors.Is(err, gokeyring.ErrNotFound) {
			return nil
		}
		return err
	})
}

// Close does nothing: the keychain's connection is shared by the process.
func (s *Store) Close() error { return nil }

// call runs a keychain call, which takes no context, and stops waiting for
// it when ctx ends (a keychain waiting for the user to unlock it can block
// for long); the call itself then finishes in the background.
func (s *Store) call(ctx context.Context, f func() error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		return classify(err)
	case <-ctx.Done():
		return ctx.Err()
	}
}

// classify gives keychain errors a portable code. None holds a value.
func classify(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, gokeyring.ErrSetDataTooBig) {
		return driver.NewError(driver.InvalidValue, errors.New("keyring: the value is too large for this platform's keychain"))
	}
	var de dbus.Error
	if errors.As(err, &de) {
		switch {
		case strings.HasPrefix(de.Name, "org.freedesktop.Secret.Error.IsLocked"),
			strings.HasPrefix(de.Name, "org.freedesktop.DBus.Error.AccessDenied"):
			return driver.NewError(driver.PermissionDenied, wrap(err))
		case strings.HasPrefix(de.Name, "org.freedesktop.DBus.Error.ServiceUnknown"),
			strings.HasPrefix(de.Name, "org.freedesktop.DBus.Error.NoReply"),
			strings.HasPrefix(de.Name, "org.freedesktop.DBus.Error.Disconnected"):
			return driver.NewError(driver.Unavailable, wrap(err))
		}
	}
	if strings.Contains(err.Error(), "DBUS_SESSION_BUS_ADDRESS") || strings.Contains(err.Error(), "dbus") {
		return driver.NewError(driver.Unavailable, wrap(err))
	}
	return driver.NewError(driver.Unknown, wrap(err))
}

func wrap(err error) error { return &keyringError{err} }

// keyringError prefixes the keychain's error with the package name.
type keyringError struct{ err error }

func (e *keyringError) Error() string { return "keyring: " + e.err.Error() }
func (e *keyringError) Unwrap() error { return e.err }

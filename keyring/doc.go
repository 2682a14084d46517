// Package keyring is the secretstore driver for the operating system's
// keychain: the Secret Service API on Linux and the BSDs (GNOME Keyring,
// KWallet, KeePassXC), the login Keychain on macOS and Credential Manager on
// Windows. It is the natural store on a developer's machine, where a key
// file beside the data protects little.
//
//	import _ "github.com/secretstore-go/secretstore/keyring"
//
//	store, err := secretstore.Open(ctx, "keyring://com.example.myapp")
//
// or, in code, secretstore.New(d) with d from [New] and [Options]. The
// package is a module of its own, so that only its users build D-Bus and
// Credential Manager bindings.
//
// # Entries and names
//
// A service name scopes the entries (Options.Service, the URL's host): a
// secret is the keychain entry of that service whose account (user name) is
// the portable name, byte for byte, so the mapping is the identity and
// names never collide, and other tools see the same entries: on Linux
// `secret-tool lookup service SERVICE username NAME` reads one (the
// entry's attributes are "service" and "username", in the default
// collection). Values are any bytes on Linux (the Secret Service carries
// them as a byte array; 64 KiB values are tested). On Windows a value is
// at most 2560 bytes, on macOS about 3000 bytes with the names; a larger
// value is refused with [driver.InvalidValue]. Windows compares target
// names without regard to case, so there names differing only in case
// collide.
//
// List ([driver.Lister]) is offered where the platform can enumerate a
// service's entries: on Linux (a Secret Service search by the "service"
// attribute) and on Windows (Credential Manager's filtered enumeration).
// macOS's keychain, reached through the security command, cannot list, and
// the value [New] returns there has no List method. There are no previous
// versions, conditional writes or pushed changes; the portable Store's
// Watch polls.
//
// Keychain calls take no context: a call waits for the keychain (which may
// be asking the user to unlock it); when the context ends first, the
// driver returns the context's error and the call finishes in the
// background.
//
// # Why github.com/zalando/go-keyring
//
// The two well-known Go libraries were compared.
// github.com/99designs/keyring offers more backends (KWallet directly, pass,
// an encrypted-file fallback) and a Keys listing, but its macOS backend
// needs cgo (github.com/99designs/go-keychain), so a cross-compiled or
// CGO_ENABLED=0 binary has no macOS keychain; its Secret Service backend
// goes through an unmaintained binding (github.com/gsterjov/go-libsecret),
// and its last release, v1.2.2, is years old. The zalando library is small
// and maintained, pure Go on every platform (godbus on Linux, the security
// command on macOS, wincred on Windows, no cgo), uses the entry layout other
// tools read (secret-tool on Linux), passes macOS passwords on the security
// command's standard input rather than its arguments, and its exported
// secret_service package lets this driver list a service's entries on Linux.
// Its one gap, listing, is filled here on Linux and Windows.
//
// # Filestore keys in the keychain
//
// Importing the package also registers [FileKeyLoader] with filestore, so
// a file store's key can live in the keychain instead of a key file:
//
//	file:///home/me/.local/share/app/secrets.db?key=keyring:app&create=1
//
// keeps the 32-byte key of that store in the entry "app" of the service
// [FileKeyService], in hexadecimal; create=1 makes the key when it creates
// the store.
//
// # URLs
//
//	keyring://SERVICE
//	keyring://com.example.myapp?parallel=2
//
// Parameters: parallel=N, how many keychain calls a Get makes at once
// (Options.Parallel, default [DefaultParallel]).
//
// # Proven by
//
// On Linux, in CI: the conformance suite (package storetest), the filestore
// key loader and interoperation with secret-tool, through the real Secret
// Service protocol, against Debian's gnome-keyring-daemon started headless
// on a private D-Bus session bus and unlocked non-interactively
// (.ci/services/keyring.sh). macOS and Windows are compiled (GOOS=darwin and
// GOOS=windows, by TestCrossCompile) but not tested here.
package keyring

package secretstore

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"sync"

	"github.com/secretstore-go/secretstore/driver"
	"github.com/secretstore-go/secretstore/internal/urlopt"
	"github.com/secretstore-go/secretstore/memstore"
)

// Opener opens a driver from a URL. Drivers register one per URL scheme with
// [Register], usually from their package's init function.
type Opener func(ctx context.Context, u *url.URL) (driver.Store, error)

var (
	regMu   sync.RWMutex
	openers = map[string]Opener{}
)

func init() { Register(memstore.Scheme, openMem) }

// openMem opens an empty in-memory store for "mem://", which takes no host,
// path or parameter.
func openMem(_ context.Context, u *url.URL) (driver.Store, error) {
	if _, err := urlopt.Parse(u, memstore.Scheme); err != nil {
		return nil, err
	}
	if u.Host != "" || (u.Path != "" && u.Path != "/") {
		return nil, errors.New("mem: mem:// takes no host, path or parameters")
	}
	return memstore.New(nil), nil
}

// Register makes a driver available to [Open] under a URL scheme. As with
// database/sql, registering the same scheme twice or a nil opener panics: both
// are programming errors.
func Register(scheme string, open Opener) {
	regMu.Lock()
	defer regMu.Unlock()
	if open == nil {
		panic("secretstore: Register opener is nil")
	}
	if _, dup := openers[scheme]; dup {
		panic("secretstore: Register called twice for scheme " + scheme)
	}
	openers[scheme] = open
}

// Schemes returns the registered URL schemes, sorted.
func Schemes() []string {
	regMu.RLock()
	defer regMu.RUnlock()
	out := make([]string, 0, len(openers))
	for s := range openers {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// Open opens the store a URL names and wraps it with every guard, as [New]
// does. The scheme selects the driver: "mem://" is built in; other drivers
// register theirs when their package is imported (for example
// `import _ "github.com/secretstore-go/secretstore/filestore"` for "file://").
// Driver settings are query parameters, documented in each driver's package.
// The store is named after the scheme unless [WithName] says otherwise.
//
// Errors never repeat the URL's user information or query, which may hold
// credentials.
func Open(ctx context.Context, rawURL string, opts ...Option) (*Store, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme == "" {
		return nil, fmt.Errorf("secretstore: open: not a store URL (want scheme://...)")
	}
	regMu.RLock()
	open := openers[u.Scheme]
	regMu.RUnlock()
	if open == nil {
		return nil, fmt.Errorf("secretstore: open: no driver registered for scheme %q (registered: %v; import the driver package)", u.Scheme, Schemes())
	}
	d, err := open(ctx, u)
	if err != nil {
		// Classified like any driver error, so that errors.Is(err,
		// ErrPermissionDenied) holds for a wrong key at open.
		return nil, newError(u.Scheme, "open", nil, classify(nil, err), err)
	}
	return New(d, append([]Option{WithName(u.Scheme)}, opts...)...), nil
}

package driver

import "strconv"

// NameMode says how a driver maps the portable names it is given to its
// backend's names. Drivers whose backend's alphabet is narrower than the
// portable grammar (AWS, Azure, GCP, Infisical) take one in their Options
// and read it from the URL parameter names=native|escaped; each documents
// its exact mapping in both modes.
type NameMode int

const (
	// NamesNative, the default, takes a name as the backend's own name, so
	// that the secrets a console, a CLI or Terraform made are read by the
	// name they show. A name the backend cannot hold is refused with code
	// [InvalidName], stating the backend's rule, before any request.
	NamesNative NameMode = iota
	// NamesEscaped maps every portable name to a backend name that only it
	// stands for, so that any portable name fits; secrets other tools named
	// are reachable only if their names are such a mapping.
	NamesEscaped
)

// String returns the mode's spelling in URLs: "native" or "escaped".
func (m NameMode) String() string {
	switch m {
	case NamesNative:
		return "native"
	case NamesEscaped:
		return "escaped"
	}
	return "NameMode(" + strconv.Itoa(int(m)) + ")"
}

// Valid reports whether m is one of the modes above.
func (m NameMode) Valid() bool { return m == NamesNative || m == NamesEscaped }

//go:build windows

package keyring

import (
	"strings"

	"github.com/danieljoos/wincred"
)

// canList: Credential Manager enumerates credentials by target name.
const canList = true

// listNames returns the user names of the service's generic credentials,
// whose target names go-keyring makes "SERVICE:USER".
func listNames(service string) ([]string, error) {
	creds, err := wincred.FilteredList(service + ":*")
	if err != nil {
		return nil, err
	}
	var names []string
	for _, c := range creds {
		if n, ok := strings.CutPrefix(c.TargetName, service+":"); ok {
			names = append(names, n)
		}
	}
	return names, nil
}

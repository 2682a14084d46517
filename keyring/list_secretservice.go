//go:build (dragonfly && cgo) || (freebsd && cgo) || linux || netbsd || openbsd

package keyring

import (
	ss "github.com/zalando/go-keyring/secret_service"
)

// canList: the Secret Service can search a collection by attribute.
const canList = true

// listNames returns the accounts of the service's items in the default
// collection, where go-keyring stores them (attributes "service" and
// "username").
func listNames(service string) ([]string, error) {
	svc, err := ss.NewSecretService()
	if err != nil {
		return nil, err
	}
	collection := svc.GetLoginCollection()
	if err := svc.Unlock(collection.Path()); err != nil {
		return nil, err
	}
	items, err := svc.SearchItems(collection, map[string]string{"service": service})
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(items))
	for _, item := range items {
		v, err := svc.Object("org.freedesktop.secrets", item).GetProperty("org.freedesktop.Secret.Item.Attributes")
		if err != nil {
			continue // removed meanwhile
		}
		var attrs map[string]string
		if err := v.Store(&attrs); err != nil {
			continue
		}
		if n, ok := attrs["username"]; ok && attrs["service"] == service {
			names = append(names, n)
		}
	}
	return names, nil
}

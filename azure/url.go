package azure

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/secretstore-go/secretstore"
	"github.com/secretstore-go/secretstore/driver"
)

// Scheme is the URL scheme the package registers with
// [secretstore.Register]: azurekv://<vault-name>.vault.azure.net.
const Scheme = "azurekv"

// Importing the package registers [OpenURL] for "azurekv" URLs, so that
// secretstore.Open(ctx, "azurekv://myvault.vault.azure.net") works.
func init() { secretstore.Register(Scheme, OpenURL) }

// OpenURL opens the driver for an azurekv URL (see "URLs" in the package
// documentation). It makes no request.
func OpenURL(_ context.Context, u *url.URL) (driver.Store, error) {
	vaultURL, opts, err := parseURL(u)
	if err != nil {
		return nil, err
	}
	return New(vaultURL, opts)
}

// parseURL returns the vault URL and the options an azurekv URL stands for.
// Its errors never quote the URL's values.
func parseURL(u *url.URL) (string, Options, error) {
	var opts Options
	if u.Scheme != Scheme {
		return "", opts, fmt.Errorf("azurekv: the URL scheme must be %q", Scheme)
	}
	if u.Host == "" || u.Port() != "" || u.User != nil || (u.Path != "" && u.Path != "/") || u.Opaque != "" || u.Fragment != "" {
		return "", opts, errors.New("azurekv: the URL must be azurekv://<vault-name>.vault.azure.net[?options], with no port, user, path or fragment")
	}
	q := u.Query()
	for k, vs := range q {
		if len(vs) != 1 {
			return "", opts, fmt.Errorf("azurekv: URL parameter %q is given more than once", k)
		}
	}
	cred, clientID := "default", ""
	for k, vs := range q {
		v := vs[0]
		var err error
		switch k {
		case "rawnames":
			opts.RawNames, err = parseBool(v)
		case "contenttype":
			opts.ContentType = v
		case "ondeleted":
			switch v {
			case "recover":
			case "purge":
				opts.PurgeDeleted = true
			default:
				err = errors.New("want recover or purge")
			}
		case "purgeonremove":
			opts.PurgeOnRemove, err = parseBool(v)
		case "concurrency":
			opts.MaxConcurrency, err = strconv.Atoi(v)
			if err != nil || opts.MaxConcurrency < 1 {
				err = errors.New("want a positive number")
			}
		case "pollinterval":
			opts.PollInterval, err = positiveDuration(v)
		case "maxwait":
			opts.MaxWait, err = positiveDuration(v)
		case "credential":
			cred = v
		case "clientid":
			clientID = v
		default:
			return "", opts, fmt.Errorf("azurekv: unknown URL parameter %q", k)
		}
		if err != nil {
			return "", opts, fmt.Errorf("azurekv: URL parameter %q: %v", k, err)
		}
	}
	c, err := newCredential(cred, clientID)
	if err != nil {
		return "", opts, err
	}
	opts.Credential = c
	return "https://" + u.Host + "/", opts, nil
}

// parseBool parses a boolean parameter; its error does not quote v.
func parseBool(v string) (bool, error) {
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, errors.New("want true or false")
	}
	return b, nil
}

func positiveDuration(v string) (time.Duration, error) {
	d, err := time.ParseDuration(v)
	if err == nil && d <= 0 {
		err = errors.New("want a positive duration")
	}
	if err != nil {
		return 0, errors.New("want a positive duration such as 500ms or 2m")
	}
	return d, nil
}

// newCredential makes the credential a URL names. "default" is left to New.
func newCredential(kind, clientID string) (azcore.TokenCredential, error) {
	if clientID != "" && kind != "managedidentity" && kind != "workloadidentity" {
		return nil, errors.New("azurekv: URL parameter \"clientid\" needs credential=managedidentity or credential=workloadidentity")
	}
	var (
		c   azcore.TokenCredential
		err error
	)
	switch kind {
	case "default":
		return nil, nil
	case "environment":
		c, err = azidentity.NewEnvironmentCredential(nil)
	case "managedidentity":
		o := &azidentity.ManagedIdentityCredentialOptions{}
		if clientID != "" {
			o.ID = azidentity.ClientID(clientID)
		}
		c, err = azidentity.NewManagedIdentityCredential(o)
	case "workloadidentity":
		c, err = azidentity.NewWorkloadIdentityCredential(&azidentity.WorkloadIdentityCredentialOptions{ClientID: clientID})
	case "azurecli":
		c, err = azidentity.NewAzureCLICredential(nil)
	default:
		return nil, errors.New("azurekv: URL parameter \"credential\": want default, environment, managedidentity, workloadidentity or azurecli")
	}
	if err != nil {
		return nil, &authError{err: err}
	}
	return c, nil
}

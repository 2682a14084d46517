package azure

import (
	"context"
	"errors"
	"net/url"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/secretstore-go/secretstore"
	"github.com/secretstore-go/secretstore/driver"
	"github.com/secretstore-go/secretstore/internal/urlopt"
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
	cfg, err := parseURL(u)
	if err != nil {
		return nil, err
	}
	if cfg.opts.Credential, err = newCredential(cfg.credential, cfg.clientID); err != nil {
		return nil, err
	}
	return New(cfg.vaultURL, cfg.opts)
}

// urlConfig is what an azurekv URL asks for: the vault, the Options, and
// the credential OpenURL makes.
type urlConfig struct {
	vaultURL   string
	opts       Options
	credential string // one of credentialKinds
	clientID   string
}

// credentialKinds are the values of the credential parameter.
var credentialKinds = []string{"default", "environment", "managedidentity", "workloadidentity", "azurecli"}

// parseURL returns what an azurekv URL stands for. It makes no credential
// and reads no environment variable; its errors never quote the URL's
// values.
func parseURL(u *url.URL) (urlConfig, error) {
	var cfg urlConfig
	q, err := urlopt.Parse(u, Scheme, "names", "content-type", "on-deleted", "remove", "parallel",
		"poll-interval", "poll-timeout", "credential", "client-id")
	if err != nil {
		return cfg, err
	}
	if u.Host == "" || u.Port() != "" || (u.Path != "" && u.Path != "/") {
		return cfg, errors.New("azurekv: the URL must be azurekv://<vault-name>.vault.azure.net[?options], with no port or path")
	}
	cfg.vaultURL = "https://" + u.Host + "/"
	o := &cfg.opts
	if q.Enum("names", "native", "native", "escaped") == "escaped" {
		o.Names = NamesEscaped
	}
	o.ContentType = q.String("content-type", "")
	o.PurgeDeleted = q.Enum("on-deleted", "recover", "recover", "purge") == "purge"
	o.PurgeOnRemove = q.Enum("remove", "delete", "delete", "purge") == "purge"
	o.Parallel = q.Int("parallel", 1, urlopt.MaxInt, 0)
	o.PollInterval = q.Duration("poll-interval", 0)
	o.PollTimeout = q.Duration("poll-timeout", 0)
	cfg.credential = q.Enum("credential", "default", credentialKinds...)
	cfg.clientID = q.String("client-id", "")
	if cfg.clientID != "" && cfg.credential != "managedidentity" && cfg.credential != "workloadidentity" {
		q.Fail("client-id", "needs credential=managedidentity or credential=workloadidentity")
	}
	if err := q.Err(); err != nil {
		return urlConfig{}, err
	}
	return cfg, nil
}

// newCredential makes the credential a URL names. "default" is left to New.
func newCredential(kind, clientID string) (azcore.TokenCredential, error) {
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
		return nil, errors.New("azurekv: unknown credential kind")
	}
	if err != nil {
		return nil, &authError{err: err}
	}
	return c, nil
}

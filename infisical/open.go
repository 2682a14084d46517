package infisical

import (
	"context"
	"errors"
	"net/url"
	"strings"

	sdk "github.com/infisical/go-sdk"

	"github.com/secretstore-go/secretstore"
	"github.com/secretstore-go/secretstore/driver"
	"github.com/secretstore-go/secretstore/internal/urlopt"
)

// Scheme is the URL scheme this package registers with
// [secretstore.Register].
const Scheme = "infisical"

// DefaultKubernetesTokenFile is where a pod's service account token is read
// from for "auth=kubernetes" unless "token-file" says otherwise.
const DefaultKubernetesTokenFile = "/var/run/secrets/kubernetes.io/serviceaccount/token"

// Importing the package registers [OpenURL] for "infisical" URLs with the
// portable package, so secretstore.Open(ctx, "infisical://...") works.
func init() { secretstore.Register(Scheme, OpenURL) }

// urlParams are the query parameters OpenURL knows.
var urlParams = []string{
	"project", "env", "path", "auth", "client-id-file", "client-secret-file", "identity",
	"token-file", "org", "ca-file", "parallel", "retries", "names",
}

// authMethods are the values of the auth parameter.
var authMethods = []string{"universal", "token", "kubernetes", "aws-iam", "gcp-id-token", "azure"}

// OpenURL opens the driver an "infisical://" URL describes (see "URLs" in
// the package documentation). The URL never holds credentials: they are read
// from files, or from the platform for the cloud login methods.
func OpenURL(ctx context.Context, u *url.URL) (driver.Store, error) {
	opts, err := parseURL(u)
	if err != nil {
		return nil, err
	}
	return New(ctx, opts)
}

// parseURL returns the Options an "infisical://" URL describes. It reads no
// file: the credential and CA files are read by New and at each login.
func parseURL(u *url.URL) (Options, error) {
	q, err := urlopt.Parse(u, Scheme, urlParams...)
	if err != nil {
		return Options{}, err
	}
	if u.Host == "" {
		return Options{}, errors.New("infisical: the URL must name the Infisical host, as in infisical://app.infisical.com?project=ID&env=prod")
	}
	opts := Options{
		SiteURL:          "https://" + u.Host + strings.TrimSuffix(u.EscapedPath(), "/"),
		ProjectID:        q.String("project", ""),
		Environment:      q.String("env", ""),
		Path:             q.String("path", ""),
		OrganizationSlug: q.String("org", ""),
		CAFile:           q.File("ca-file"),
		Parallel:         q.Int("parallel", 1, urlopt.MaxInt, 0),
		MaxRetries:       q.Retries("retries", 100),
	}
	if q.Enum("names", "native", "native", "escaped") == "escaped" {
		opts.Names = NamesEscaped
	}
	q.Require("project")
	q.Require("env")
	auth := q.Enum("auth", "universal", authMethods...)
	identity, tokenFile := q.String("identity", ""), q.File("token-file")
	if auth == "universal" {
		q.Require("client-id-file")
		q.Require("client-secret-file")
		opts.ClientIDFile, opts.ClientSecretFile = q.File("client-id-file"), q.File("client-secret-file")
	} else {
		for _, k := range []string{"client-id-file", "client-secret-file"} {
			if q.Has(k) {
				q.Fail(k, "belongs to auth=universal only")
			}
		}
	}
	switch auth {
	case "universal", "token":
		if q.Has("identity") {
			q.Fail("identity", "belongs to auth=kubernetes, aws-iam, gcp-id-token and azure")
		}
	default:
		q.Require("identity") // the machine identity's ID
	}
	switch auth {
	case "universal", "aws-iam", "gcp-id-token", "azure":
		if q.Has("token-file") {
			q.Fail("token-file", "belongs to auth=token and auth=kubernetes only")
		}
	}
	switch auth {
	case "token":
		q.Require("token-file")
		opts.Login = TokenFileLogin(tokenFile)
	case "kubernetes":
		if tokenFile == "" {
			tokenFile = DefaultKubernetesTokenFile
		}
		opts.Login = func(a sdk.AuthInterface) (sdk.MachineIdentityCredential, error) {
			return a.KubernetesAuthLogin(identity, tokenFile)
		}
	case "aws-iam":
		opts.Login = func(a sdk.AuthInterface) (sdk.MachineIdentityCredential, error) { return a.AwsIamAuthLogin(identity) }
	case "gcp-id-token":
		opts.Login = func(a sdk.AuthInterface) (sdk.MachineIdentityCredential, error) {
			return a.GcpIdTokenAuthLogin(identity)
		}
	case "azure":
		opts.Login = func(a sdk.AuthInterface) (sdk.MachineIdentityCredential, error) {
			return a.AzureAuthLogin(identity, "")
		}
	}
	if err := q.Err(); err != nil {
		return Options{}, err
	}
	return opts, nil
}

// TokenFileLogin returns an [Options.Login] that uses the access token held
// in path, as an Infisical Agent's token sink writes it. The file is read
// again whenever the driver needs a new token (the old one expired or was
// refused), so a renewed token is picked up.
func TokenFileLogin(path string) func(sdk.AuthInterface) (sdk.MachineIdentityCredential, error) {
	return func(a sdk.AuthInterface) (sdk.MachineIdentityCredential, error) {
		tok, err := readCredential(path, "access token")
		if err != nil {
			return sdk.MachineIdentityCredential{}, err
		}
		a.SetAccessToken(tok)
		return sdk.MachineIdentityCredential{AccessToken: tok, TokenType: "Bearer"}, nil
	}
}

package infisical

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"

	sdk "github.com/infisical/go-sdk"

	"github.com/secretstore-go/secretstore"
	"github.com/secretstore-go/secretstore/driver"
)

// Scheme is the URL scheme this package registers with
// [secretstore.Register].
const Scheme = "infisical"

// DefaultKubernetesTokenFile is where a pod's service account token is read
// from for "auth=kubernetes" unless "token_file" says otherwise.
const DefaultKubernetesTokenFile = "/var/run/secrets/kubernetes.io/serviceaccount/token"

func init() {
	secretstore.Register(Scheme, func(ctx context.Context, u *url.URL) (driver.Store, error) {
		return OpenURL(ctx, u)
	})
}

// urlParams are the query parameters OpenURL knows.
var urlParams = []string{
	"project", "env", "path", "auth", "client_id_file", "client_secret_file", "identity",
	"token_file", "org", "ca_file", "concurrency",
}

// OpenURL opens the driver an "infisical://" URL describes (see "URLs" in
// the package documentation). The URL never holds credentials: they are read
// from files, or from the platform for the cloud login methods.
func OpenURL(ctx context.Context, u *url.URL) (*Store, error) {
	if u.User != nil {
		return nil, errors.New("credentials do not belong in the URL: use client_id_file and client_secret_file")
	}
	if u.Host == "" || u.Opaque != "" {
		return nil, errors.New("the URL must name the Infisical host, as in infisical://app.infisical.com?project=ID&env=prod")
	}
	q := u.Query()
	for k, v := range q {
		switch {
		case k == "client_id" || k == "client_secret" || k == "token" || k == "access_token" || k == "password":
			return nil, fmt.Errorf("credentials do not belong in the URL (parameter %q): give a file, such as client_secret_file", k)
		case !slices.Contains(urlParams, k):
			return nil, fmt.Errorf("unknown parameter %q (known: %s)", k, strings.Join(urlParams, ", "))
		case len(v) > 1:
			return nil, fmt.Errorf("parameter %q is given more than once", k)
		}
	}
	opts := Options{
		SiteURL:          "https://" + u.Host + strings.TrimSuffix(u.EscapedPath(), "/"),
		ProjectID:        q.Get("project"),
		Environment:      q.Get("env"),
		Path:             q.Get("path"),
		OrganizationSlug: q.Get("org"),
	}
	if opts.ProjectID == "" || opts.Environment == "" {
		return nil, errors.New("parameters project and env are required")
	}
	if c := q.Get("concurrency"); c != "" {
		n, err := strconv.Atoi(c)
		if err != nil || n <= 0 {
			return nil, errors.New("parameter concurrency must be a positive integer")
		}
		opts.Concurrency = n
	}
	if f := q.Get("ca_file"); f != "" {
		pem, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("reading ca_file: %w", err)
		}
		opts.CACertificate = string(pem)
	}
	identity, tokenFile := q.Get("identity"), q.Get("token_file")
	needIdentity := func(method string) error {
		if identity == "" {
			return fmt.Errorf("auth=%s needs parameter identity (the machine identity's ID)", method)
		}
		return nil
	}
	switch auth := q.Get("auth"); auth {
	case "", "universal":
		opts.ClientIDFile, opts.ClientSecretFile = q.Get("client_id_file"), q.Get("client_secret_file")
		if opts.ClientIDFile == "" || opts.ClientSecretFile == "" {
			return nil, errors.New("universal auth needs parameters client_id_file and client_secret_file")
		}
	case "token":
		if tokenFile == "" {
			return nil, errors.New("auth=token needs parameter token_file")
		}
		opts.Login = TokenFileLogin(tokenFile)
	case "kubernetes":
		if err := needIdentity(auth); err != nil {
			return nil, err
		}
		if tokenFile == "" {
			tokenFile = DefaultKubernetesTokenFile
		}
		opts.Login = func(a sdk.AuthInterface) (sdk.MachineIdentityCredential, error) {
			return a.KubernetesAuthLogin(identity, tokenFile)
		}
	case "aws-iam":
		if err := needIdentity(auth); err != nil {
			return nil, err
		}
		opts.Login = func(a sdk.AuthInterface) (sdk.MachineIdentityCredential, error) { return a.AwsIamAuthLogin(identity) }
	case "gcp-id-token":
		if err := needIdentity(auth); err != nil {
			return nil, err
		}
		opts.Login = func(a sdk.AuthInterface) (sdk.MachineIdentityCredential, error) {
			return a.GcpIdTokenAuthLogin(identity)
		}
	case "azure":
		if err := needIdentity(auth); err != nil {
			return nil, err
		}
		opts.Login = func(a sdk.AuthInterface) (sdk.MachineIdentityCredential, error) {
			return a.AzureAuthLogin(identity, "")
		}
	default:
		return nil, fmt.Errorf("unknown auth %q (known: universal, token, kubernetes, aws-iam, gcp-id-token, azure)", auth)
	}
	if q.Get("auth") != "" && q.Get("auth") != "universal" && (q.Has("client_id_file") || q.Has("client_secret_file")) {
		return nil, errors.New("client_id_file and client_secret_file belong to auth=universal only")
	}
	return New(ctx, opts)
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

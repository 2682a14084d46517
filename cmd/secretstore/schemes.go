package main

import (
	"strings"
)

// scheme documents one store URL scheme in --help. This table is the one
// place the command describes its drivers: parameter names follow each
// driver's package documentation ("go doc" of the package named), which is
// the reference for every parameter.
type scheme struct {
	name  string // the URL scheme
	url   string // the URL's shape
	what  string // the backend
	creds string // where the credentials come from
	pkg   string // the driver's import path, for go doc
}

// schemes lists every driver the command imports (drivers.go), in the order
// --help shows them.
var schemes = []scheme{
	{
		name:  "file",
		url:   "file:///abs/path/secrets.db?key-file=/abs/path/key",
		what:  "an encrypted file on this machine (the default store)",
		creds: "the key file, or passphrase-file=PATH instead of key-file; create=1 creates a missing store; also keep-open=1, lock-timeout=10s",
		pkg:   "github.com/secretstore-go/secretstore/filestore",
	},
	{
		name:  "mem",
		url:   "mem://",
		what:  "an empty store in memory, gone when the command ends (for trying things out)",
		creds: "none",
		pkg:   "github.com/secretstore-go/secretstore/memstore",
	},
	{
		name:  "dir",
		url:   "dir:///run/secrets",
		what:  "a directory of secret files, one file a secret (Kubernetes Secret volumes, Docker and Swarm secrets, systemd credentials with dir://?dir-env=CREDENTIALS_DIRECTORY); read-only unless writable=1",
		creds: "the directory's file permissions",
		pkg:   "github.com/secretstore-go/secretstore/dirstore",
	},
	{
		name:  "keyring",
		url:   "keyring://SERVICE",
		what:  "the operating system's keychain (Secret Service on Linux, Keychain on macOS, Credential Manager on Windows), entries of service SERVICE",
		creds: "the desktop session's unlocked keychain",
		pkg:   "github.com/secretstore-go/secretstore/keyring",
	},
	{
		name:  "vault",
		url:   "vault://HOST:8200/MOUNT?kv=2",
		what:  "HashiCorp Vault or OpenBao, a KV v2 (kv=2) or v1 (kv=1) mount; https unless tls=0",
		creds: "$VAULT_TOKEN, else ~/.vault-token; or token-file=PATH; or auth=approle with role-id-file=PATH and secret-id-file=PATH. Without HOST, $VAULT_ADDR; the vault command's VAULT_* variables apply",
		pkg:   "github.com/secretstore-go/secretstore/vault",
	},
	{
		name:  "etcd",
		url:   "etcd://HOST:2379[,HOST:2379...]/PREFIX?key-file=/abs/path/key",
		what:  "etcd, every value sealed on this side with the key file (or passphrase-file=PATH)",
		creds: "the key file; etcd users with username=NAME and password-file=PATH; TLS with tls=1, ca-file, client-cert, client-key",
		pkg:   "github.com/secretstore-go/secretstore/etcd",
	},
	{
		name:  "dapr",
		url:   "dapr://127.0.0.1:3500/STORE",
		what:  "the secret store component STORE of a Dapr sidecar (read-only: set, rm and rotate are refused)",
		creds: "$DAPR_API_TOKEN, or token-file=PATH. Without HOST:PORT, $DAPR_HTTP_ENDPOINT, else 127.0.0.1:$DAPR_HTTP_PORT",
		pkg:   "github.com/secretstore-go/secretstore/dapr",
	},
	{
		name:  "awssm",
		url:   "awssm://?region=eu-west-1",
		what:  "AWS Secrets Manager; endpoint=URL for a VPC endpoint or an emulator",
		creds: "the AWS SDK's default chain: AWS_* variables, profile=NAME of ~/.aws/config and credentials, SSO, web identity, container and instance roles",
		pkg:   "github.com/secretstore-go/secretstore/aws",
	},
	{
		name:  "azurekv",
		url:   "azurekv://VAULT-NAME.vault.azure.net",
		what:  "Azure Key Vault",
		creds: "azidentity's DefaultAzureCredential (AZURE_* variables, workload or managed identity, az login); credential= chooses one",
		pkg:   "github.com/secretstore-go/secretstore/azure",
	},
	{
		name:  "gcpsm",
		url:   "gcpsm://projects/PROJECT",
		what:  "Google Secret Manager",
		creds: "Application Default Credentials ($GOOGLE_APPLICATION_CREDENTIALS, gcloud auth application-default login, the metadata server)",
		pkg:   "github.com/secretstore-go/secretstore/gcp",
	},
	{
		name:  "infisical",
		url:   "infisical://app.infisical.com?project=ID&env=prod",
		what:  "Infisical (over HTTPS), secrets under path=/FOLDERS of the environment",
		creds: "a machine identity: universal auth with its client ID and secret read from files named by parameters, a token file, or Kubernetes, AWS, GCP or Azure login",
		pkg:   "github.com/secretstore-go/secretstore/infisical",
	},
}

// schemesHelp renders the store URLs for --help.
func schemesHelp() string {
	var b strings.Builder
	for i, s := range schemes {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString("    " + s.url + "\n")
		b.WriteString(wrap(s.what+".", "        ", 78))
		b.WriteString(wrap("Credentials: "+s.creds+".", "        ", 78))
		b.WriteString("        Parameters: go doc " + s.pkg + "\n")
	}
	return b.String()
}

// wrap fills text into lines of at most width columns, each starting with
// indent.
func wrap(text, indent string, width int) string {
	var b strings.Builder
	line := indent
	for _, w := range strings.Fields(text) {
		if line != indent && len(line)+1+len(w) > width {
			b.WriteString(line + "\n")
			line = indent
		}
		if line != indent {
			line += " "
		}
		line += w
	}
	if line != indent {
		b.WriteString(line + "\n")
	}
	return b.String()
}

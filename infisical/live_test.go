package infisical

import (
	"os"
	"strings"
	"testing"

	sdk "github.com/infisical/go-sdk"

	"github.com/secretstore-go/secretstore/driver"
	"github.com/secretstore-go/secretstore/internal/testenv"
	"github.com/secretstore-go/secretstore/storetest"
)

// TestLive runs the conformance suite against a real Infisical project. It
// runs only when these are set, and is skipped (saying so) otherwise:
//
//	SECRETSTORE_INFISICAL_PROJECT             the project's ID
//	SECRETSTORE_INFISICAL_CLIENT_ID_FILE      a file holding a machine identity's client ID
//	SECRETSTORE_INFISICAL_CLIENT_SECRET_FILE  a file holding its client secret
//	SECRETSTORE_INFISICAL_ENV                 the environment's slug (default "dev")
//	SECRETSTORE_INFISICAL_SITE                the site (default DefaultSiteURL)
//	SECRETSTORE_INFISICAL_PATH                the base path (default "/secretstore-live")
//
// The identity needs to read, create, edit and delete secrets and folders
// under the base path. The suite removes the secrets it writes; the test
// then deletes the folders it made.
func TestLive(t *testing.T) {
	env := testenv.Live(t, "Infisical", "SECRETSTORE_INFISICAL_PROJECT", "SECRETSTORE_INFISICAL_CLIENT_ID_FILE", "SECRETSTORE_INFISICAL_CLIENT_SECRET_FILE")
	project, idFile, secretFile := env[0], env[1], env[2]
	for _, f := range []string{idFile, secretFile} {
		if _, err := os.Stat(f); err != nil {
			t.Skipf("live Infisical test skipped: credential file: %v", err)
		}
	}
	opts := Options{
		SiteURL:          os.Getenv("SECRETSTORE_INFISICAL_SITE"),
		ProjectID:        project,
		Environment:      envOr("SECRETSTORE_INFISICAL_ENV", "dev"),
		Path:             envOr("SECRETSTORE_INFISICAL_PATH", "/secretstore-live"),
		ClientIDFile:     idFile,
		ClientSecretFile: secretFile,
	}
	t.Cleanup(func() { deleteLiveFolders(t, opts) })
	for _, names := range []Names{NamesNative, NamesEscaped} {
		t.Run(names.String(), func(t *testing.T) {
			o := opts
			o.Names = names
			h := storetest.Harness{
				AsTargets: []any{new(sdk.InfisicalClientInterface)},
				Open: func(t *testing.T) driver.Store {
					s, err := New(t.Context(), o)
					if err != nil {
						t.Fatalf("New: %v", err)
					}
					return s
				},
			}
			if names == NamesNative {
				h.NativeName = nativeName
			}
			storetest.Run(t, h)
		})
	}
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// deleteLiveFolders deletes the "storetest" folder the suite's names made
// under the base path.
func deleteLiveFolders(t *testing.T, opts Options) {
	s, err := New(t.Context(), opts)
	if err != nil {
		t.Logf("cleanup: %v", err)
		return
	}
	defer s.Close()
	var c sdk.InfisicalClientInterface
	if !s.As(&c) {
		return
	}
	_, err = c.Folders().Delete(sdk.DeleteFolderOptions{
		FolderName: "storetest", ProjectID: opts.ProjectID, Environment: opts.Environment, Path: s.base,
	})
	if err != nil && !strings.Contains(err.Error(), "404") {
		t.Logf("cleanup: deleting the folder %s/storetest failed (status only): %v", s.base, classify("delete folder", "", err))
	}
}

package awssm_test

import (
	"fmt"
	"net/url"
	"os"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	awssm "github.com/secretstore-go/secretstore/aws"
	"github.com/secretstore-go/secretstore/driver"
	"github.com/secretstore-go/secretstore/internal/testenv"
	"github.com/secretstore-go/secretstore/storetest"
)

// motoURL returns the URL of the moto server CI starts
// (.ci/services/moto.sh exports MOTO_URL). Without it the test skips, and
// under CI=true it fails, unless the script said moto_server is not on
// the machine (SECRETSTORE_CI_NO_MOTO=1, after its loud notice): then it
// skips, saying so in capitals.
func motoURL(t *testing.T) string {
	t.Helper()
	if u := os.Getenv("MOTO_URL"); u != "" {
		return u
	}
	if testenv.InCI() && os.Getenv("SECRETSTORE_CI_NO_MOTO") == "1" {
		t.Skip("SKIPPED IN CI: moto_server is not installed on this machine (see .ci/services/moto.sh); the AWS driver is not proven against moto in this run")
	}
	return testenv.Env(t, "moto", "MOTO_URL")[0]
}

// openMoto opens the driver by URL against moto, with the SDK's default
// configuration chain and static test credentials.
func openMoto(t *testing.T, endpoint, params string) *awssm.Store {
	t.Helper()
	u, err := url.Parse("awssm://?region=us-east-1&endpoint=" + url.QueryEscape(endpoint) + params)
	if err != nil {
		t.Fatal(err)
	}
	d, err := awssm.OpenURL(t.Context(), u)
	if err != nil {
		t.Fatal(err)
	}
	return d.(*awssm.Store)
}

// TestConformanceMoto runs the whole conformance suite through the real
// SDK against moto (a third-party AWS emulator, so that no test here
// proves only our own reading of AWS's documentation), opened by URL: with
// the default options (batch reads, the recovery window, restore before
// write, compare-and-swap through staging labels), then with remove=force,
// each in native names (the suite's names with ':' as '!') and in
// names=escaped.
func TestConformanceMoto(t *testing.T) {
	endpoint := motoURL(t)
	testEnv(t)
	for _, m := range nameModes {
		for _, remove := range []string{"", "&remove=force"} {
			params := remove
			if m.mode == awssm.NamesEscaped {
				params += "&names=escaped"
			}
			t.Run(fmt.Sprintf("names=%v/force=%v", m.mode, remove != ""), func(t *testing.T) {
				storetest.Run(t, storetest.Harness{
					AsTargets:   []any{new(*secretsmanager.Client), new(*awssm.Store)},
					Credentials: []string{"test-secret-key"},
					Open: func(t *testing.T) driver.Store {
						return openMoto(t, endpoint, params)
					},
					MaxValueSize:  awssm.MaxValueSize,
					NoEmptyValues: true,
					NativeName:    m.native,
				})
			})
		}
	}
}

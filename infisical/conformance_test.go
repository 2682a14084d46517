package infisical

import (
	"testing"

	sdk "github.com/infisical/go-sdk"
	"github.com/secretstore-go/secretstore/driver"
	"github.com/secretstore-go/secretstore/storetest"
)

// TestConformance runs the storetest suite through the real SDK against the
// fake Infisical, with names at the environment's root and under a base
// path. Every value kind round-trips, so neither TextOnly nor NoEmptyValues
// is set.
func TestConformance(t *testing.T) {
	for _, path := range []string{"/", "/apps/billing-svc"} {
		t.Run("path="+path, func(t *testing.T) {
			fx := newFixture(t, nil)
			storetest.Run(t, storetest.Harness{
				AsTargets:   []any{new(sdk.InfisicalClientInterface)},
				Credentials: []string{testSecret},
				Open: func(t *testing.T) driver.Store {
					return fx.open(t, func(o *Options) { o.Path = path })
				},
			})
		})
	}
}

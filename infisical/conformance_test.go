package infisical

import (
	"strings"
	"testing"

	sdk "github.com/infisical/go-sdk"
	"github.com/secretstore-go/secretstore/driver"
	"github.com/secretstore-go/secretstore/storetest"
)

// nativeEscapes maps each byte of a portable name that an Infisical folder
// cannot hold to two that it can, for nativeName.
var nativeEscapes = map[byte]string{'_': "__", '.': "_d", ':': "_c", '@': "_a", '+': "_p", '=': "_e", '!': "_x"}

// nativeName maps a name of the suite to one native mode takes (folders of
// letters, digits, '-' and '_', keys without ':'), character by character
// and without collisions: '/' stays the folder separator, and the
// punctuation a folder cannot hold becomes an escape that starts with '_'
// ('_' itself becomes "__"), a prefix code.
func nativeName(name string) string {
	var b strings.Builder
	for i := 0; i < len(name); i++ {
		if e, ok := nativeEscapes[name[i]]; ok {
			b.WriteString(e)
		} else {
			b.WriteByte(name[i])
		}
	}
	return b.String()
}

// TestConformance runs the storetest suite through the real SDK against the
// fake Infisical, in both name modes, with names at the environment's root
// and under a base path. Every value kind round-trips, so neither TextOnly
// nor NoEmptyValues is set.
func TestConformance(t *testing.T) {
	for _, names := range []Names{NamesNative, NamesEscaped} {
		for _, path := range []string{"/", "/apps/billing-svc"} {
			t.Run(names.String()+"/path="+path, func(t *testing.T) {
				fx := newFixture(t, nil)
				h := storetest.Harness{
					AsTargets:   []any{new(sdk.InfisicalClientInterface)},
					Credentials: []string{testSecret},
					Open: func(t *testing.T) driver.Store {
						return fx.open(t, func(o *Options) { o.Path, o.Names = path, names })
					},
				}
				if names == NamesNative {
					h.NativeName = nativeName
				}
				storetest.Run(t, h)
			})
		}
	}
}

// Command fixturegen writes the Dapr resources the dapr driver's tests need
// (package fixture) into a directory, for .ci/services/dapr.sh:
//
//	go run ./dapr/internal/fixturegen -vault-addr 127.0.0.1:PORT DIR
//
// DIR/components is then daprd's --resources-path.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/secretstore-go/secretstore/dapr/internal/fixture"
)

func main() {
	vault := flag.String("vault-addr", "", "host:port of the fake Vault behind the vault component")
	flag.Parse()
	if flag.NArg() != 1 || *vault == "" {
		fmt.Fprintln(os.Stderr, "usage: fixturegen -vault-addr HOST:PORT DIR")
		os.Exit(2)
	}
	if err := fixture.Write(flag.Arg(0), *vault); err != nil {
		fmt.Fprintln(os.Stderr, "fixturegen:", err)
		os.Exit(1)
	}
}

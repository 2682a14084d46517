// Command secretstore keeps secrets — API keys, passwords, tokens — in an
// encrypted store and hands them to scripts and programs without ever taking
// them from, or putting them on, a command line.
//
// Usage:
//
//	secretstore [--store URL] COMMAND [ARGS]
//
// The commands are init, get, set, rm, ls, redact, rekey, rotate, watch,
// verify, version and quickstart; "secretstore --help" and "secretstore COMMAND --help" document
// them, with the store selection, environment, files and exit status. To try
// it on a fresh machine:
//
//	go run ./cmd/secretstore quickstart
//
// from the repository's root (the workspace, go.work, includes this
// command's module); to install it, "go install -C cmd/secretstore ." from
// the root, which works with GOWORK=off too.
//
// By default the store is the encrypted file
// $XDG_DATA_HOME/secretstore/secrets.db (~/.local/share/...) with its key in
// $XDG_CONFIG_HOME/secretstore/key (~/.config/...), made by "secretstore
// init"; --store or SECRETSTORE_URL select any store URL instead: the
// command includes every driver of the repository (file, mem, vault, etcd,
// dapr, awssm, azurekv, gcpsm, infisical).
//
// Exit status: 0 success, 1 error, 2 usage error, 3 a secret that was asked
// for does not exist, 4 verify found damage, 130 and 143 interrupted by
// SIGINT and SIGTERM.
package main

import (
	"context"
	"os"
)

func main() { os.Exit(runMain(func() {})) }

// runMain runs the command line of the process with its streams, and
// returns the exit status. SIGINT and SIGTERM are caught before started is
// called.
func runMain(started func()) int {
	ctx := interrupts.start(context.Background())
	started()
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	return interrupts.status(code)
}

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/secretstore-go/secretstore"
)

// Exit statuses.
const (
	exitOK       = 0
	exitError    = 1
	exitUsage    = 2
	exitNotFound = 3
)

// app holds what the commands need from their surroundings, so that tests
// can run them in-process.
type app struct {
	// storeURL is the --store flag.
	storeURL string
	// isTerminal reports whether a stream (os.Stdin, os.Stdout, ...) is a
	// terminal.
	isTerminal func(stream any) bool
	// readPassword reads a line without echo from a terminal stream, and
	// returns it without its newline.
	readPassword func(stream any) ([]byte, error)
}

func newApp() *app {
	return &app{isTerminal: isTerminal, readPassword: readPassword}
}

type fder interface{ Fd() uintptr }

func isTerminal(stream any) bool {
	f, ok := stream.(fder)
	return ok && term.IsTerminal(int(f.Fd()))
}

func readPassword(stream any) ([]byte, error) {
	f, ok := stream.(fder)
	if !ok {
		return nil, errors.New("standard input is not a terminal")
	}
	return term.ReadPassword(int(f.Fd()))
}

// run executes the command line args with the given streams and returns the
// exit status.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return newApp().run(ctx, args, stdin, stdout, stderr)
}

func (a *app) run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root := a.rootCmd()
	if args == nil {
		args = []string{}
	}
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return exitOK
	}
	code := exitCode(err)
	fmt.Fprintf(stderr, "secretstore: %v\n", err)
	if code == exitUsage {
		if cmd == nil {
			cmd = root
		}
		fmt.Fprintf(stderr, "Run '%s --help' for usage.\n", cmd.CommandPath())
	}
	return code
}

// statusError carries an exit status other than 1.
type statusError struct {
	code int
	err  error
}

func (e *statusError) Error() string { return e.err.Error() }
func (e *statusError) Unwrap() error { return e.err }

func usageErrorf(format string, args ...any) error {
	return &statusError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

// usageArgs makes the errors of an argument check usage errors.
func usageArgs(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := check(cmd, args); err != nil {
			return &statusError{code: exitUsage, err: err}
		}
		return nil
	}
}

// exitCode returns the exit status for an error.
func exitCode(err error) int {
	var se *statusError
	switch {
	case errors.As(err, &se):
		return se.code
	case errors.Is(err, secretstore.ErrNotFound):
		return exitNotFound
	}
	return exitError
}

// notFoundError reports missing secrets with exit status 3, naming them (a
// name is never secret; a value never appears here).
func notFoundError(err error) error {
	var se *secretstore.Error
	if errors.As(err, &se) && errors.Is(err, secretstore.ErrNotFound) && len(se.Names) > 0 {
		return &statusError{code: exitNotFound, err: fmt.Errorf("not found: %s", strings.Join(se.Names, ", "))}
	}
	return err
}

const rootLong = `secretstore keeps secrets — API keys, passwords, tokens — in an encrypted
store, and hands them to scripts and programs without ever taking them from,
or putting them on, a command line.

The default store is a file on this machine whose values are encrypted at rest
with a key kept in a separate file (see FILES); 'secretstore init' creates both.
Any store the secretstore library can open by URL can be used instead, with
--store or SECRETSTORE_URL.

A value is any bytes, binary included, and comes back exactly as it was stored.
It is never taken from a command-line argument, which every user of the machine
can read (ps, /proc): 'set' reads it from standard input, from a file, or from a
prompt that does not echo. Commands that only read (get, ls, redact) open the
store read-only; only set and rm change secrets (and quickstart, its demo
secret), and only init and rekey touch the key.

Secret names are 1 to 256 bytes of ASCII letters, digits and ! . _ - : @ + = /,
with '/' separating levels (for example prod/db/password).

STORE SELECTION
  The store is --store URL if given, else $SECRETSTORE_URL if set and not
  empty, else the default store:

    file://$XDG_DATA_HOME/secretstore/secrets.db?key-file=$XDG_CONFIG_HOME/secretstore/key

  Store URLs:
    file:///abs/path/secrets.db?key-file=/abs/path/key
        an encrypted file store with its key file; also passphrase-file=PATH
        instead of key-file, and create=1, keep-open=1, lock-timeout=10s (see
        the documentation of the filestore package).
    mem://
        an empty store in memory, gone when the command ends (for trying
        things out).

ENVIRONMENT
  SECRETSTORE_URL  the store to use when --store is not given.
  XDG_DATA_HOME    base directory of the default store (default ~/.local/share).
  XDG_CONFIG_HOME  base directory of the default key file (default ~/.config).
  HOME             the user's home directory, base of both defaults.
  On macOS both defaults are in ~/Library/Application Support, and on Windows
  in %AppData% (key) and %LocalAppData% (store).

FILES
  $XDG_DATA_HOME/secretstore/secrets.db
      the default store (mode 0600): a bbolt database whose values are
      encrypted with XChaCha20-Poly1305. Names are stored in clear.
  $XDG_CONFIG_HOME/secretstore/key
      its key: 32 random bytes, mode 0600, in a directory of mode 0700.
      Whoever has both files can read every secret: keep the key out of
      backups of the store, and never commit either.
  $XDG_CONFIG_HOME/secretstore/key.new
      a new key while 'rekey' runs; left behind only if rekey was interrupted
      (run 'secretstore rekey' again to finish or undo it).

EXIT STATUS
  0  success.
  1  an error: the store cannot be opened or is locked, a wrong key, an
     invalid name, a value JSON cannot carry, an I/O error, ...
  2  a usage error: an unknown command or flag, a wrong number of arguments.
  3  a secret that was asked for does not exist (get, rm, redact --names).
  Errors are written to standard error. They may contain secret names and
  file paths, never values.`

const rootExample = `  # Create the default store and its key.
  secretstore init

  # Store secrets: from a pipe, from a prompt (no echo), from a file.
  printf %s "$TOKEN" | secretstore set ci/deploy-token
  secretstore set prod/db/password
  secretstore set tls/server.key --from-file server.key

  # Use them.
  curl -H "Authorization: Bearer $(secretstore get ci/deploy-token)" https://example.com/
  secretstore get -o json prod/db/password ci/deploy-token
  secretstore ls prod/

  # Mask every stored value in a log.
  ./deploy.sh 2>&1 | secretstore redact

  # Work on another store.
  secretstore --store "file:///srv/app/secrets.db?key-file=/etc/app/key" ls`

func (a *app) rootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:     "secretstore [--store URL] COMMAND [ARGS]",
		Short:   "Keep secrets in an encrypted store and use them from scripts",
		Long:    rootLong,
		Example: rootExample,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageErrorf("missing command")
			}
			msg := fmt.Sprintf("unknown command %q", args[0])
			if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
				msg += fmt.Sprintf(" (did you mean %q?)", s[0])
			}
			return usageErrorf("%s", msg)
		},
		RunE:                  func(*cobra.Command, []string) error { return nil },
		SilenceErrors:         true,
		SilenceUsage:          true,
		DisableAutoGenTag:     true,
		DisableFlagsInUseLine: true,

		SuggestionsMinimumDistance: 2,
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return &statusError{code: exitUsage, err: err}
	})
	root.PersistentFlags().StringVar(&a.storeURL, "store", "",
		"the store's `URL` (default: $SECRETSTORE_URL, else the default file store)")
	root.AddCommand(
		a.initCmd(),
		a.getCmd(),
		a.setCmd(),
		a.rmCmd(),
		a.lsCmd(),
		a.redactCmd(),
		a.rekeyCmd(),
		a.rotateCmd(),
		a.watchCmd(),
		a.versionCmd(),
		a.quickstartCmd(),
	)
	return root
}

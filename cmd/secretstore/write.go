package main

import (
	"bytes"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/secretstore-go/secretstore"
)

// maxValue bounds what set reads: the file store's limit.
const maxValue = 64 << 20

const setLong = `Set stores a value under NAME, replacing the one it had. The value is read:

  - from the file PATH with --from-file PATH, exactly;
  - otherwise from standard input when it is not a terminal (a pipe or a
    file), exactly, up to its end. Nothing is trimmed: 'echo s3cret |
    secretstore set NAME' stores "s3cret" and a newline; use printf %s to
    leave the newline out (a here-string, <<<, adds one too);
  - otherwise, on a terminal, from a prompt that does not echo, asked twice;
    the newline that ends the line typed is not part of the value.

Never from a command-line argument: every user of the machine can read those
(ps, /proc/PID/cmdline), and shells keep them in their history.

Values are bytes and are kept exactly: binary data, NUL bytes, text that is
not UTF-8, any line endings. An empty value is refused unless --allow-empty is
given, since it is most often a mistake (an empty pipe). Values are limited to
64 MiB. Nothing is printed on success. The file store keeps the replaced value
as the previous version of the secret.`

const setExample = `  printf %s "$API_KEY" | secretstore set prod/api-key
  secretstore set prod/db/password              # prompts twice, no echo
  secretstore set tls/server.key --from-file server.key
  openssl rand 32 | secretstore set signing/hmac-key
  secretstore set feature/empty --allow-empty < /dev/null`

func (a *app) setCmd() *cobra.Command {
	var fromFile string
	var allowEmpty bool
	cmd := &cobra.Command{
		Use:     "set NAME",
		Short:   "Store a secret read from standard input, a file or a prompt",
		Long:    setLong,
		Example: setExample,
		Args:    nameOnly("set", "pipe it in (printf %s \"$VALUE\" | secretstore set NAME), give --from-file PATH, or run set on a terminal to type it at a prompt"),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := args[0]
			if err := secretstore.ValidateRequestName(name); err != nil {
				return err
			}
			value, err := a.readValue(cmd, name, fromFile)
			if err != nil {
				return err
			}
			if len(value) == 0 && !allowEmpty {
				return errors.New("the value is empty; give --allow-empty to store an empty value")
			}
			s, _, err := a.open(cmd.Context(), secretstore.EnableSet(true))
			if err != nil {
				return err
			}
			defer s.Close()
			err = s.Set(cmd.Context(), name, string(value))
			clear(value)
			if err != nil {
				return err
			}
			return s.Close()
		},
	}
	cmd.Flags().StringVar(&fromFile, "from-file", "", "read the value from the file at `PATH`")
	cmd.Flags().BoolVar(&allowEmpty, "allow-empty", false, "allow storing an empty value")
	return cmd
}

// readValue reads the value of set. Until it returns, nothing has been
// written: a signal ends the command at once.
func (a *app) readValue(cmd *cobra.Command, name, fromFile string) ([]byte, error) {
	defer interrupts.waitInput(nil)()
	if fromFile != "" {
		f, err := os.Open(fromFile)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		return readLimited(f, fromFile)
	}
	in := cmd.InOrStdin()
	if !a.isTerminal(in) {
		return readLimited(in, "standard input")
	}
	errw := cmd.ErrOrStderr()
	fmt.Fprintf(errw, "Value for %s (not echoed; Ctrl-D ends, Ctrl-C cancels): ", name)
	v, err := a.readPassword(in)
	fmt.Fprintln(errw)
	if errors.Is(err, io.EOF) && len(v) == 0 {
		// Ctrl-D on an empty line: the end of the input, and no value.
		return nil, errors.New("no value typed (end of input); nothing was stored")
	}
	if err != nil {
		return nil, fmt.Errorf("read the value: %w", err)
	}
	fmt.Fprintf(errw, "Again, to confirm: ")
	again, err := a.readPassword(in)
	fmt.Fprintln(errw)
	if err != nil {
		clear(v)
		return nil, fmt.Errorf("read the value: %w", err)
	}
	same := subtle.ConstantTimeCompare(v, again) == 1 || (len(v) == 0 && len(again) == 0)
	clear(again)
	if !same {
		clear(v)
		return nil, errors.New("the two values typed differ; nothing was stored")
	}
	return v, nil
}

// readLimited reads all of r, up to maxValue bytes.
func readLimited(r io.Reader, what string) ([]byte, error) {
	var buf bytes.Buffer
	n, err := buf.ReadFrom(io.LimitReader(r, maxValue+1))
	if err != nil {
		clear(buf.Bytes())
		return nil, fmt.Errorf("read the value from %s: %w", what, err)
	}
	if n > maxValue {
		clear(buf.Bytes())
		return nil, fmt.Errorf("the value in %s is larger than %d MiB", what, maxValue>>20)
	}
	return buf.Bytes(), nil
}

const rmLong = `Rm removes the secret NAME. If it does not exist, rm fails with exit status 3,
unless -f is given. The file store forgets its previous version too.`

const rmExample = `  secretstore rm ci/old-token
  secretstore rm -f maybe/there`

func (a *app) rmCmd() *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:     "rm NAME",
		Aliases: []string{"remove", "delete"},
		Short:   "Remove a secret",
		Long:    rmLong,
		Example: rmExample,
		Args:    usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := args[0]
			if err := secretstore.ValidateRequestName(name); err != nil {
				return err
			}
			s, _, err := a.open(cmd.Context(), secretstore.EnableRemove(true))
			if err != nil {
				return err
			}
			defer s.Close()
			if !force {
				// Removing a missing name succeeds in the store; the
				// command says so, like rm(1).
				ss, err := s.Get(cmd.Context(), name)
				if err != nil {
					return err
				}
				if !ss.Has(name) {
					return &statusError{code: exitNotFound, err: fmt.Errorf("not found: %s", name)}
				}
			}
			if err := s.Remove(cmd.Context(), name); err != nil {
				return err
			}
			return s.Close()
		},
	}
	cmd.Flags().BoolVarP(&force, "force", "f", false, "succeed if the secret does not exist")
	return cmd
}

// nameOnly checks that a command got exactly one argument, a NAME. A second
// one is most likely a value, which the command refuses to take from the
// command line: it says so, and how to give one.
func nameOnly(cmd, how string) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		switch {
		case len(args) == 0:
			return usageErrorf("%s needs the NAME of a secret", cmd)
		case len(args) > 1:
			return usageErrorf("%s takes one argument, the NAME: values are never taken from the command line, "+
				"where every user of the machine can read them (ps) and shells keep them; %s", cmd, how)
		}
		return nil
	}
}

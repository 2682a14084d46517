package main

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/secretstore-go/secretstore"
)

const rotateLong = `Rotate replaces the value of NAME with a new one and prints nothing of it.

The new value is, by default, a random string of --length characters drawn
uniformly from --alphabet: alnum, urlsafe, printable, hex, or the characters
given, each once (characters, not bytes: --alphabet 'äöü' --length 12 makes
12 characters of valid UTF-8, 24 bytes; a repeated character is refused,
since it would be drawn more often); with --bytes N, N random bytes
(binary, for HMAC keys); with --stdin,
the value read from standard input exactly, as 'set' reads it. Randomness
comes from the operating system's secure generator.

Where the store can write conditionally (the file store does), the write only
succeeds if nobody changed the secret since rotate read it: when two rotations
race, one fails with a conflict and the other's value stands. The store keeps
the replaced value as the previous version, so a service can accept both
during a rotation window. Use 'secretstore get NAME' to read the new value.`

const rotateExample = `  secretstore rotate internal/db-password                 # 32 alphanumeric characters
  secretstore rotate api/signing-key --bytes 32           # 32 random bytes
  secretstore rotate svc/token --length 48 --alphabet urlsafe
  vault-generated-token | secretstore rotate ext/token --stdin`

var alphabets = map[string]string{
	"alnum":     secretstore.Alphanumeric,
	"urlsafe":   secretstore.URLSafe,
	"printable": secretstore.Printable,
	"hex":       "0123456789abcdef",
}

func (a *app) rotateCmd() *cobra.Command {
	var length, nbytes int
	var alphabet string
	var fromStdin bool
	cmd := &cobra.Command{
		Use:     "rotate NAME",
		Short:   "Replace a secret with a new random value (or one from standard input)",
		Long:    rotateLong,
		Example: rotateExample,
		Args:    nameOnly("rotate", "rotate makes a random value, or reads it from standard input with --stdin"),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := args[0]
			if err := secretstore.ValidateName(name); err != nil {
				return err
			}
			gen, err := a.generator(cmd, length, nbytes, alphabet, fromStdin)
			if err != nil {
				return err
			}
			s, _, err := a.open(cmd.Context(), secretstore.EnableSet(true))
			if err != nil {
				return err
			}
			defer s.Close()
			if _, err := s.Rotate(cmd.Context(), name, gen); err != nil {
				if errors.Is(err, secretstore.ErrConflict) {
					return fmt.Errorf("%w\n(another rotation changed %s first; its value stands)", err, name)
				}
				return err
			}
			return s.Close()
		},
	}
	f := cmd.Flags()
	f.IntVar(&length, "length", 32, "number of characters of a random value")
	f.StringVar(&alphabet, "alphabet", "alnum", "alnum, urlsafe, printable, hex, or the distinct characters to draw from")
	f.IntVar(&nbytes, "bytes", 0, "make `N` random bytes instead of characters")
	f.BoolVar(&fromStdin, "stdin", false, "read the new value from standard input")
	return cmd
}

// generator returns how rotate makes the new value, checking the flags first.
func (a *app) generator(cmd *cobra.Command, length, nbytes int, alphabet string, fromStdin bool) (secretstore.Generator, error) {
	set := cmd.Flags().Changed
	switch {
	case fromStdin && (set("bytes") || set("length") || set("alphabet")):
		return nil, usageErrorf("--stdin takes the value as it is: no --bytes, --length or --alphabet")
	case set("bytes") && (set("length") || set("alphabet")):
		return nil, usageErrorf("--bytes makes bytes: no --length or --alphabet")
	}
	if fromStdin {
		in := cmd.InOrStdin()
		if a.isTerminal(in) {
			return nil, usageErrorf("--stdin needs a pipe or a file on standard input")
		}
		done := interrupts.waitInput(nil) // nothing written yet
		v, err := readLimited(in, "standard input")
		done()
		if err != nil {
			return nil, err
		}
		if len(v) == 0 {
			return nil, errors.New("standard input is empty; nothing was rotated")
		}
		return func(io.Reader) (string, error) {
			s := string(v)
			clear(v)
			return s, nil
		}, nil
	}
	if nbytes < 0 || (nbytes == 0 && cmd.Flags().Changed("bytes")) {
		return nil, usageErrorf("--bytes must be positive")
	}
	if nbytes > 0 {
		return secretstore.RandomBytes(nbytes), nil
	}
	if length <= 0 || length > 4096 {
		return nil, usageErrorf("--length must be between 1 and 4096")
	}
	chars, ok := alphabets[alphabet]
	if !ok {
		chars = alphabet
		if err := checkAlphabet(chars); err != nil {
			return nil, err
		}
	}
	return secretstore.RandomValue(length, chars), nil
}

// checkAlphabet refuses an --alphabet that is not two or more distinct
// characters of valid UTF-8: a repeated character would be drawn more often
// than the others.
func checkAlphabet(chars string) error {
	if !utf8.ValidString(chars) {
		return usageErrorf("--alphabet is not valid UTF-8")
	}
	seen := map[rune]bool{}
	for _, r := range chars {
		if seen[r] {
			return usageErrorf("--alphabet has %q more than once: give each character once, so that all are drawn equally often", r)
		}
		seen[r] = true
	}
	if len(seen) < 2 {
		return usageErrorf("--alphabet must name an alphabet (alnum, urlsafe, printable, hex) or give two or more distinct characters")
	}
	return nil
}

const watchLong = `Watch polls the secrets NAME... and prints a line on standard output whenever
one changes, appears or disappears, until interrupted:

  2026-11-28T12:00:00Z changed NAME
  2026-11-28T12:05:00Z removed NAME

It prints names and times, never values. A failed poll is reported on
standard error and retried, backing off up to five minutes. Polls are spread
by up to a tenth of --interval either way.`

const watchExample = `  secretstore watch prod/api-key prod/db/password
  secretstore watch --interval 5s app/token | while read -r when what name; do systemctl reload app; done`

func (a *app) watchCmd() *cobra.Command {
	var interval time.Duration
	cmd := &cobra.Command{
		Use:     "watch NAME...",
		Short:   "Print a line whenever a secret changes (never its value)",
		Long:    watchLong,
		Example: watchExample,
		Args:    usageArgs(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, names []string) error {
			for _, n := range names {
				if err := secretstore.ValidateName(n); err != nil {
					return err
				}
			}
			if interval <= 0 {
				return usageErrorf("--interval must be positive")
			}
			ctx := cmd.Context()
			s, _, err := a.open(ctx)
			if err != nil {
				return err
			}
			defer s.Close()
			ch, err := s.Watch(ctx, names, secretstore.WatchOptions{Interval: interval})
			if err != nil {
				return err
			}
			out, errw := cmd.OutOrStdout(), cmd.ErrOrStderr()
			fmt.Fprintf(errw, "watching %s every %s; interrupt to stop\n", strings.Join(names, ", "), interval)
			for c := range ch {
				now := time.Now().UTC().Format(time.RFC3339)
				switch {
				case c.Err != nil:
					fmt.Fprintf(errw, "%s error: %v\n", now, c.Err)
				case c.Exists:
					fmt.Fprintf(out, "%s changed %s\n", now, c.Name)
				default:
					fmt.Fprintf(out, "%s removed %s\n", now, c.Name)
				}
			}
			return nil
		},
	}
	cmd.Flags().DurationVar(&interval, "interval", 30*time.Second, "how often to poll")
	return cmd
}

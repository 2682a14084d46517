package main

import (
	"context"
	"io"

	"github.com/spf13/cobra"

	"github.com/secretstore-go/secretstore"
	"github.com/secretstore-go/secretstore/secretlog"
)

const redactLong = `Redact copies standard input to standard output with every value of the
store, or of the secrets named by --names, replaced by [REDACTED].

It streams: output follows input as it arrives, holding back only bytes that
could be the beginning of a value (fewer than the longest value's length), so
it can sit at the end of a long-running pipe. A value split across reads is
masked all the same. Where values overlap, the one that starts first is
masked, and of those starting at the same byte, the longest; values are
compared as bytes. All values are matched in one pass (an Aho–Corasick
automaton), whatever their number.

A value is also masked in the forms --forms names (default json,quote):
  json    as JSON log records carry it: log/slog's JSON handler,
          encoding/json (& < > as \u0026 \u003c \u003e, U+2028 and U+2029
          as \u2028 \u2029), and ASCII-only JSON as Python writes it (é as
          \u00e9, surrogate pairs), hex digits in lower or upper case
  quote   Go's %q and %+q: \" \\ \n, \x.., \u...., \U........
  base64  standard and URL alphabets, padded or not, alone or inside a
          longer encoded text (opt-in)
  hex     lower and upper case (opt-in)
  all, none, default
A form shorter than 4 bytes is not masked. The memory and start-up time of
redact grow with the number of values, not their size: only the first bytes
of each value are indexed, and the rest is compared where they occur.

Short values mask every occurrence of their bytes, wherever they appear: a
one-character value masks that character throughout. Empty values are
ignored. Values are read once, when redact starts; the store is opened
read-only. With --names, a name that does not exist is an error (exit
status 3) and nothing is copied.`

const redactExample = `  ./deploy.sh 2>&1 | secretstore redact | tee deploy.log
  kubectl logs -f my-pod | secretstore redact --names prod/db/password,prod/api-key
  secretstore redact < build.log > build-redacted.log`

func (a *app) redactCmd() *cobra.Command {
	var names []string
	forms := secretlog.DefaultForms.String()
	cmd := &cobra.Command{
		Use:     "redact",
		Short:   "Copy standard input to standard output with secret values masked",
		Long:    redactLong,
		Example: redactExample,
		Args:    usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			for _, n := range names {
				if err := secretstore.ValidateName(n); err != nil {
					return err
				}
			}
			f, err := secretlog.ParseForms(forms)
			if err != nil {
				return usageErrorf("--forms: %w", err)
			}
			s, _, err := a.open(cmd.Context())
			if err != nil {
				return err
			}
			values, err := storeValues(cmd.Context(), s, names)
			s.Close()
			if err != nil {
				return err
			}
			// The same registry and writer as the secretlog package, so a
			// value is also masked in the form JSON escapes it to (a log
			// line of JSON records). Every value counts, however short.
			reg := secretlog.NewRegistry(secretlog.WithMinLen(1), secretlog.WithForms(f))
			reg.AddAll(values...)
			w := secretlog.NewWriter(cmd.OutOrStdout(), reg)
			if _, err := io.Copy(w, cmd.InOrStdin()); err != nil {
				w.Close()
				return err
			}
			return w.Close()
		},
	}
	cmd.Flags().StringSliceVar(&names, "names", nil, "mask only the values of these secrets (`NAME,NAME,...`; default all)")
	cmd.Flags().StringVar(&forms, "forms", forms, "also mask values in these `FORMS`: json, quote, base64, hex, all or none")
	return cmd
}

// storeValues returns the values of the named secrets, or of all when names
// is empty.
func storeValues(ctx context.Context, s *secretstore.Store, names []string) ([]string, error) {
	var ss secretstore.Secrets
	var err error
	if len(names) > 0 {
		ss, err = s.Require(ctx, names...)
		if err != nil {
			return nil, notFoundError(err)
		}
	} else {
		all, err := s.List(ctx, "")
		if err != nil {
			return nil, err
		}
		if len(all) == 0 {
			return nil, nil
		}
		// A secret removed since List is simply absent.
		ss, err = s.Get(ctx, all...)
		if err != nil {
			return nil, err
		}
	}
	values := make([]string, 0, len(ss))
	for _, sec := range ss {
		values = append(values, sec.Reveal())
	}
	return values, nil
}

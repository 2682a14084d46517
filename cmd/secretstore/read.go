package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/secretstore-go/secretstore"
)

// Output formats of get and ls.
const (
	outRaw        = "raw"
	outJSON       = "json"
	outJSONBase64 = "json-base64"
)

const getLong = `Get prints the values of the named secrets.

With one name, the value is printed raw: its bytes exactly, with no newline
added unless standard output is a terminal, so that $(secretstore get NAME)
and 'secretstore get NAME > file' give the value exactly, binary included.

With several names, or with -o json, it prints a JSON object mapping each name
to its value. JSON strings can only carry valid UTF-8, so a value that is not
valid UTF-8 is refused with an error naming it (nothing is printed), rather
than changed: read it raw, or use -o json-base64, where every value is the
standard base64 encoding (RFC 4648, with padding) of its bytes.

If a name does not exist, nothing is printed, the missing names are written
to standard error and the exit status is 3. The store is opened read-only.`

const getExample = `  curl -u "deploy:$(secretstore get ci/password)" https://example.com/
  secretstore get tls/server.key > server.key
  secretstore get -o json db/user db/password
  secretstore get -o json-base64 signing/key | jq -r '.["signing/key"]' | base64 -d`

func (a *app) getCmd() *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:     "get NAME...",
		Short:   "Print the values of secrets",
		Long:    getLong,
		Example: getExample,
		Args:    usageArgs(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, names []string) error {
			if output == "" {
				output = outRaw
				if len(names) > 1 {
					output = outJSON
				}
			}
			switch output {
			case outRaw:
				if len(names) > 1 {
					return usageErrorf("-o raw prints one value; with %d names use -o json", len(names))
				}
			case outJSON, outJSONBase64:
			default:
				return usageErrorf("unknown output format %q (want raw, json or json-base64)", output)
			}
			for _, n := range names {
				if err := secretstore.ValidateRequestName(n); err != nil {
					return err
				}
			}
			s, _, err := a.open(cmd.Context())
			if err != nil {
				return err
			}
			defer s.Close()
			ss, err := s.Require(cmd.Context(), names...)
			if err != nil {
				return notFoundError(err)
			}
			out := cmd.OutOrStdout()
			if output == outRaw {
				v := ss.Reveal(names[0])
				if a.isTerminal(out) {
					v += "\n"
				}
				_, err := io.WriteString(out, v)
				return err
			}
			return writeJSON(out, names, ss, output == outJSONBase64)
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "", "output `format`: raw, json or json-base64 (default raw for one name, json for several)")
	return cmd
}

// writeJSON prints the secrets as a JSON object, checking every value first
// so that nothing is printed when one cannot be.
func writeJSON(w io.Writer, names []string, ss secretstore.Secrets, b64 bool) error {
	obj := make(map[string]string, len(names))
	for _, n := range names {
		v := ss.Reveal(n)
		switch {
		case b64:
			v = base64.StdEncoding.EncodeToString([]byte(v))
		case !utf8.ValidString(v):
			return fmt.Errorf("the value of %s is not valid UTF-8, which JSON cannot carry exactly: print it raw ('secretstore get %s') or use -o json-base64", n, n)
		}
		obj[n] = v
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(obj)
}

const lsLong = `Ls prints the names of the secrets that start with PREFIX (all of them
without PREFIX), one per line in byte order, or as a JSON array with -o json.
It never prints values. The store is opened read-only.`

const lsExample = `  secretstore ls
  secretstore ls prod/
  secretstore ls -o json tenant:acme:`

func (a *app) lsCmd() *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:     "ls [PREFIX]",
		Aliases: []string{"list"},
		Short:   "List the names of secrets",
		Long:    lsLong,
		Example: lsExample,
		Args:    usageArgs(cobra.MaximumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if output != "" && output != "text" && output != outJSON {
				return usageErrorf("unknown output format %q (want text or json)", output)
			}
			prefix := ""
			if len(args) == 1 {
				prefix = args[0]
			}
			s, _, err := a.open(cmd.Context())
			if err != nil {
				return err
			}
			defer s.Close()
			names, err := s.List(cmd.Context(), prefix)
			if err != nil {
				return err
			}
			slices.Sort(names)
			out := cmd.OutOrStdout()
			if output == outJSON {
				if names == nil {
					names = []string{}
				}
				enc := json.NewEncoder(out)
				enc.SetEscapeHTML(false)
				return enc.Encode(names)
			}
			for _, n := range names {
				if _, err := fmt.Fprintln(out, n); err != nil {
					return err
				}
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "text", "output `format`: text or json")
	return cmd
}

package main

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/secretstore-go/secretstore"
	"github.com/secretstore-go/secretstore/internal/redact"
)

// demoName is the secret quickstart stores.
const demoName = "quickstart/demo-api-key"

const quickstartLong = `Quickstart shows the whole job on this machine, in a few seconds:

  1. it creates the default store and its key if they do not exist (see
     'secretstore init'; it honours XDG_DATA_HOME, XDG_CONFIG_HOME and HOME,
     and --store or SECRETSTORE_URL if given);
  2. it stores a new random value as the secret ` + demoName + `
     (replacing the one an earlier run stored) — the value is never printed;
  3. it reads the secret back through a read-only view of the store and
     checks that it is the value stored;
  4. it pipes a log line that contains the value through the redactor, as
     'secretstore redact' does, and prints the line that comes out;
  5. it prints the commands to try next.

It is safe to run any number of times: it never overwrites a store or key,
and touches no secret but ` + demoName + `.`

func (a *app) quickstartCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "quickstart",
		Short:   "Create the default store if needed and try it on a demo secret",
		Long:    quickstartLong,
		Example: "  go run ./cmd/secretstore quickstart\n  secretstore quickstart",
		Args:    usageArgs(cobra.NoArgs),
		RunE:    a.quickstart,
	}
}

func (a *app) quickstart(cmd *cobra.Command, _ []string) error {
	ctx := cmd.Context()
	out := cmd.OutOrStdout()
	t, err := a.target()
	if err != nil {
		return err
	}

	fmt.Fprintln(out, "secretstore quickstart")
	fmt.Fprintln(out)
	// 1. The store: created if missing, then opened for writing before
	// anything is reported, so that a store that cannot be opened (its key
	// file missing, say) is reported as such.
	var created *initResult
	if t.db != "" {
		if _, err := os.Stat(t.db); errors.Is(err, fs.ErrNotExist) {
			res, err := initStore(t)
			if err != nil {
				return fmt.Errorf("create the store: %w", err)
			}
			created = &res
		}
	}
	// 2. Store a demo secret. The store can write; a read-only view of it
	// does the rest, as get, ls and redact do.
	s, _, err := a.open(ctx, secretstore.EnableSet(true))
	if err != nil {
		return err
	}
	defer s.Close()
	switch {
	case created != nil:
		fmt.Fprintf(out, "  ok  created the store  %s\n", t.db)
		if created.newKey {
			fmt.Fprintf(out, "      and its key file   %s (back it up apart from the store)\n", t.key)
		} else {
			fmt.Fprintf(out, "      with the key file  %s (it existed)\n", t.key)
		}
	case t.db != "":
		fmt.Fprintf(out, "  ok  using the store    %s\n", t.db)
		fmt.Fprintf(out, "      and its key file   %s\n", t.key)
	default:
		fmt.Fprintf(out, "  ok  using the store    %s\n", t.describe())
	}
	value := "demo-" + rand.Text()
	if err := s.Set(ctx, demoName, value); err != nil {
		return err
	}
	fmt.Fprintf(out, "  ok  stored a random %d-byte value as %s (never printed)\n", len(value), demoName)

	// 3. Read it back.
	ro := s.Narrow(secretstore.PermGet)
	ss, err := ro.Require(ctx, demoName)
	if err != nil {
		return notFoundError(err)
	}
	if !ss[demoName].Equal(value) {
		return fmt.Errorf("read %s back, but it differs from the value just stored", demoName)
	}
	fmt.Fprintf(out, "  ok  read it back through a read-only view: the same %d bytes\n", ss[demoName].Len())

	// 4. Redact a log line, fed in two pieces that split the value.
	values, err := storeValues(ctx, ro, nil)
	if err != nil {
		return err
	}
	head := time.Now().UTC().Format(time.DateTime) + " INFO calling payments API api_key="
	tail := " user=alice status=200\n"
	line := head + value + tail
	var redacted bytes.Buffer
	w := redact.NewWriter(&redacted, values)
	cut := len(head) + len(value)/2
	w.Write([]byte(line[:cut]))
	w.Write([]byte(line[cut:]))
	if err := w.Close(); err != nil {
		return err
	}
	got := redacted.String()
	if strings.Contains(got, value) || got != head+redact.Mask+tail {
		return errors.New("the redactor did not mask the demo secret")
	}
	fmt.Fprintf(out, "  ok  redacted a log line holding the value, as 'secretstore redact' does:\n")
	fmt.Fprintf(out, "        in:  %s<the value>%s", head, tail)
	fmt.Fprintf(out, "        out: %s", got)
	if err := s.Close(); err != nil {
		return err
	}

	// 5. What next.
	io.WriteString(out, `
Try next (after 'go install -C cmd/secretstore .' in the clone, or with
'go run ./cmd/secretstore' in place of 'secretstore'):

  secretstore ls                                     list the secrets' names
  secretstore get `+demoName+` | wc -c    use a value (here: count its bytes)
  printf %s "$MY_TOKEN" | secretstore set app/token  store a secret from a pipe
  secretstore set app/password                       store one typed at a prompt (no echo)
  ./build.sh 2>&1 | secretstore redact               mask every stored value in a log
  secretstore rm `+demoName+`             remove the demo secret
  secretstore --help                                 all commands, files and exit codes
`)
	return nil
}

func (a *app) versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version of secretstore and of Go it was built with",
		Long: `Version prints the module version this binary was built as — a release
version when installed with 'go install MODULE@VERSION', a pseudo-version
(v0.0.0-DATE-REVISION, with +dirty for uncommitted changes) when built in a
git work tree, "(devel)" when the build recorded no version — the source
revision when the build recorded one, and the version of Go and the platform
it was built for. This binary prints:

  ` + versionString(),
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintln(cmd.OutOrStdout(), versionString())
			return err
		},
	}
}

// versionString describes this build.
func versionString() string {
	version, extra := "(unknown)", []string{}
	if bi, ok := debug.ReadBuildInfo(); ok {
		version = bi.Main.Version
		if version == "" {
			version = "(devel)"
		}
		var rev, modified string
		for _, kv := range bi.Settings {
			switch kv.Key {
			case "vcs.revision":
				rev = kv.Value
			case "vcs.modified":
				modified = kv.Value
			}
		}
		if rev != "" {
			if len(rev) > 12 {
				rev = rev[:12]
			}
			if modified == "true" {
				rev += "+modified"
			}
			extra = append(extra, "revision "+rev)
		}
	}
	extra = append(extra, runtime.Version(), runtime.GOOS+"/"+runtime.GOARCH)
	return "secretstore " + version + " (" + strings.Join(extra, ", ") + ")"
}

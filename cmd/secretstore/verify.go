package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/secretstore-go/secretstore/filestore"
)

const verifyLong = `Verify checks a file store: that both of the database's meta pages are
intact, that its header is, and that every record decrypts and authenticates
under its own name with the store's key. It reads every record, prints no
value, and changes nothing.

It finds what the other commands cannot see. The file keeps two meta pages
and reads through the newer one; if that one is damaged (a single flipped
bit is enough), the database silently falls back to the older one, and the
last write is gone: get says "not found" and ls succeeds. A record damaged
or moved to another name fails to authenticate, but only when read.

Exit status 0: the store is intact; 4: damage was found (each finding is
written to standard error; restore the file from a backup); 1: the check
could not be made (a wrong key, a missing file). Run it on a backup after
copying it, and on the store regularly (see the filestore package's
documentation for what a backup should be).

Verify does not walk the database's page structure: for that run
"bbolt check" (go.etcd.io/bbolt/cmd/bbolt) on a copy of the file.`

func (a *app) verifyCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "verify",
		Short:   "Check a file store for damage: meta pages, header and every record",
		Long:    verifyLong,
		Example: "  secretstore verify\n  secretstore --store \"file:///backup/secrets.db?key-file=/etc/app/key\" verify",
		Args:    usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			t, err := a.target()
			if err != nil {
				return err
			}
			db, key := keyFileStore(t.url)
			var src filestore.KeySource = filestore.KeyFile(key)
			if db == "" {
				var pass string
				db, pass = passphraseStore(t.url)
				src = filestore.PassphraseFile(pass)
			}
			if db == "" {
				return fmt.Errorf("verify checks file stores (file:///path?key-file=PATH or passphrase-file=PATH), not %s", t.describe())
			}
			a.warnPermissions(t)
			s, err := filestore.Open(db, src, filestore.Options{})
			if err != nil {
				if errors.Is(err, filestore.ErrCorrupt) {
					return &statusError{code: exitDamaged, err: fmt.Errorf("the store %s is damaged: %w", db, err)}
				}
				return t.explain(err)
			}
			defer s.Close()
			ctx := cmd.Context()
			if err := s.Verify(ctx); err != nil {
				if errors.Is(err, filestore.ErrCorrupt) {
					return &statusError{code: exitDamaged, err: fmt.Errorf("the store %s is damaged:\n%w", db, err)}
				}
				return err
			}
			names, err := s.List(ctx, "")
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "ok: %s is intact: both meta pages, the header and all %d records (each authenticates under its name)\n", db, len(names))
			return s.Close()
		},
	}
}

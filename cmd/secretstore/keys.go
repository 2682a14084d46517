package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/secretstore-go/secretstore/filestore"
)

// rekeySuffix names the new key file while rekey runs: KEY.new.
const rekeySuffix = ".new"

const initLong = `Init creates the store: by default the file
$XDG_DATA_HOME/secretstore/secrets.db (mode 0600, in a directory of mode 0700)
and its key, 32 random bytes in $XDG_CONFIG_HOME/secretstore/key (mode 0600,
in a directory of mode 0700). With --store, the file store and key file of
that URL (file:///path?key-file=/path); a passphrase-file URL creates a store
protected by that passphrase, which must exist.

Init never overwrites anything: if the store file exists it fails. A key file
that exists already is kept and protects the new store (say, after the store
was deleted); it must be private (mode 0600 or 0400).

Keep the key file out of backups of the store: whoever has both can read every
secret. Back the key up separately: without it the store cannot be opened.`

const initExample = `  secretstore init
  secretstore --store "file:///srv/app/secrets.db?key-file=/etc/app/secrets.key" init`

func (a *app) initCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "init",
		Short:   "Create the store and its key",
		Long:    initLong,
		Example: initExample,
		Args:    usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			t, err := a.target()
			if err != nil {
				return err
			}
			res, err := initStore(t)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "Created the store %s\n", t.db)
			if res.newKey {
				fmt.Fprintf(out, "Created its key file %s: back it up apart from the store\n", t.key)
			} else if t.key != "" {
				fmt.Fprintf(out, "Protected it with the existing key file %s\n", t.key)
			}
			return nil
		},
	}
}

type initResult struct {
	newKey bool // a key file was created
}

// initStore creates the file store t names, and its key file if missing. It
// fails with an error matching fs.ErrExist if the store exists.
func initStore(t target) (initResult, error) {
	var res initResult
	if t.db == "" {
		return res, initPassphraseStore(t)
	}
	if _, err := os.Lstat(t.db); err == nil {
		return res, fmt.Errorf("the store %s exists already; init overwrites nothing: %w", t.db, fs.ErrExist)
	}
	if _, err := os.Lstat(t.key); errors.Is(err, fs.ErrNotExist) {
		if err := filestore.NewKeyFile(t.key); err != nil {
			return res, err
		}
		res.newKey = true
	} else if err != nil {
		return res, err
	}
	if err := filestore.Init(t.db, filestore.KeyFile(t.key), filestore.Options{}); err != nil {
		if res.newKey {
			os.Remove(t.key) // created for this store only
		}
		return res, err
	}
	return res, nil
}

// initPassphraseStore creates a file store protected by a passphrase file.
func initPassphraseStore(t target) error {
	db, pass := passphraseStore(t.url)
	if db == "" {
		return fmt.Errorf("init creates file stores (file:///path?key-file=PATH or passphrase-file=PATH); %s needs no init", t.describe())
	}
	if _, err := os.Lstat(db); err == nil {
		return fmt.Errorf("the store %s exists already; init overwrites nothing: %w", db, fs.ErrExist)
	}
	return filestore.Init(db, filestore.PassphraseFile(pass), filestore.Options{})
}

const rekeyLong = `Rekey protects the store with a new key: it writes a new random key file,
re-wraps the store's data key with it (one small transaction; the secrets are
not rewritten), and moves the new key file over the old one. Afterwards the
old key no longer opens the store. Rekey works on file stores with a key
file: the default store, or --store file:///path?key-file=/path.

Rekey changes the key that protects the data key, not the data key itself:
whoever had a copy of the store file together with its old key can still read
what later copies of the file hold. Rekey limits what a leaked key file opens
from now on in combination with files made before the leak; after a
suspected compromise of the store file and key together, create a new store
and copy the secrets over.

Crash safety. The steps are: (1) write the new key to KEY.new (made durable
before the next step); (2) re-wrap the data key in the store, atomically; (3)
rename KEY.new over KEY, atomically, and make the rename durable. If rekey is
interrupted after (1), the old key still opens the store and the next rekey
deletes the stale KEY.new. If it is interrupted after (2), only KEY.new opens
the store: other commands say so, and running rekey again finishes the job by
moving KEY.new over KEY. At no point is the store without a key file that
opens it. Processes that have the store open keep working throughout; one
that opens it between (2) and (3) fails with "wrong key" and can retry.

Back the new key up, apart from the store, and discard backups of the old key
together with backups of the store made before the rekey only once you no
longer need those.`

const rekeyExample = `  secretstore rekey
  secretstore --store "file:///srv/app/secrets.db?key-file=/etc/app/secrets.key" rekey`

func (a *app) rekeyCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "rekey",
		Short:   "Protect the store with a new key file",
		Long:    rekeyLong,
		Example: rekeyExample,
		Args:    usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			t, err := a.target()
			if err != nil {
				return err
			}
			if t.db == "" {
				return fmt.Errorf("rekey works on file stores with a key file (file:///path?key-file=PATH), not on %s", t.describe())
			}
			finished, err := rekey(cmd.Context(), t.db, t.key)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if finished {
				fmt.Fprintf(out, "Finished an interrupted rekey of %s: %s holds its new key\n", t.db, t.key)
			} else {
				fmt.Fprintf(out, "Rekeyed %s: %s holds its new key; the old key no longer opens it\n", t.db, t.key)
			}
			fmt.Fprintln(out, "Back the new key up, apart from the store.")
			return nil
		},
	}
}

// rekey re-wraps the store at db with a new key file that replaces key (see
// rekeyLong for the steps and their crash safety). It reports finished when
// it found an interrupted rekey and completed it instead.
func rekey(ctx context.Context, db, key string) (finished bool, err error) {
	newKey := key + rekeySuffix
	if _, err := os.Lstat(newKey); err == nil {
		// A rekey was interrupted. Which key opens the store?
		s, err := filestore.Open(db, filestore.KeyFile(newKey), filestore.Options{})
		switch {
		case err == nil:
			s.Close()
			return true, replaceKey(newKey, key)
		case errors.Is(err, filestore.ErrWrongKey):
			// Interrupted before the store changed: the new key is
			// unused, but only delete it if the old key really opens
			// the store.
			s, oerr := filestore.Open(db, filestore.KeyFile(key), filestore.Options{})
			if oerr != nil {
				return false, fmt.Errorf("neither %s nor %s opens the store %s: %w", key, newKey, db, oerr)
			}
			s.Close()
			if err := os.Remove(newKey); err != nil {
				return false, err
			}
		default:
			return false, err
		}
	}

	s, err := filestore.Open(db, filestore.KeyFile(key), filestore.Options{})
	if err != nil {
		return false, err
	}
	defer s.Close()
	if err := filestore.NewKeyFile(newKey); err != nil {
		return false, err
	}
	if err := s.Rekey(ctx, filestore.KeyFile(newKey)); err != nil {
		// The transaction may or may not have committed: keep the new key
		// unless the old one still opens the store.
		if o, oerr := filestore.Open(db, filestore.KeyFile(key), filestore.Options{}); oerr == nil {
			o.Close()
			os.Remove(newKey)
			return false, err
		}
		return false, fmt.Errorf("%w (the store may now open only with %s: run 'secretstore rekey' again to finish)", err, newKey)
	}
	if err := replaceKey(newKey, key); err != nil {
		return false, fmt.Errorf("%w (the store now opens only with %s: run 'secretstore rekey' again to finish)", err, newKey)
	}
	// Check the result.
	check, err := filestore.Open(db, filestore.KeyFile(key), filestore.Options{})
	if err != nil {
		return false, fmt.Errorf("rekeyed, but the new key file does not open the store: %w", err)
	}
	return false, check.Close()
}

// replaceKey moves the key file from over to, atomically, and makes the
// move durable.
func replaceKey(from, to string) error {
	if err := os.Rename(from, to); err != nil {
		return err
	}
	if d, err := os.Open(filepath.Dir(to)); err == nil {
		err = d.Sync()
		d.Close()
		if err != nil && !errors.Is(err, fs.ErrInvalid) {
			return fmt.Errorf("make the new key file durable: %w", err)
		}
	}
	return nil
}

// passphraseStore returns the paths of the store file and passphrase file of
// a file store URL with a passphrase-file parameter, or empty strings.
func passphraseStore(raw string) (db, pass string) {
	return fileStorePaths(raw, "passphrase-file")
}

// Package dirstore is the secretstore driver for a directory of secret
// files: where most services actually receive their secrets. Kubernetes
// mounts a Secret as a directory, Docker and Swarm put secrets in
// /run/secrets, systemd passes LoadCredential= files in
// $CREDENTIALS_DIRECTORY, and Vault Agent, the Secrets Store CSI driver and
// External Secrets Operator all end in files.
//
//	import _ "github.com/secretstore-go/secretstore/dirstore"
//
//	store, err := secretstore.Open(ctx, "dir:///etc/db")
//
// or, in code, secretstore.New(d) with d from [New] and [Options].
//
// # Names and values
//
// Each regular file below the directory is a secret; its name is its path
// below the directory, with "/" between levels. A Kubernetes Secret with the
// keys username and password mounted at /etc/db reads as "username" and
// "password" under dir:///etc/db, or as "db/username" and "db/password"
// under dir:///etc. The mapping is the identity, so it is reversible and
// names never collide (on a case-insensitive file system, names differing
// only in case do). Files whose name is not a portable name level (a space,
// a "~", non-ASCII) are not listed and cannot be read.
//
// A value is the file's bytes, exactly: no newline is trimmed unless
// [Options.TrimNewline] (trim-newline=1) asks to remove one trailing "\n"
// or "\r\n". A file larger than [Options.MaxSize] (1 MiB, the Kubernetes
// limit, by default) is an error with code [driver.InvalidValue]. A
// directory, pipe, socket or device is not a secret: it reads as missing.
//
// # Kubernetes, Docker and systemd
//
// kubelet writes a Secret volume with an atomic writer: the files are in a
// timestamped directory (..2026_12_06_21_00_00.123456789), ..data is a
// symbolic link to it, and every visible entry is a link into ..data. An
// update writes a new timestamped directory, points a new link ..data_tmp
// at it, renames ..data_tmp over ..data (the one atomic step), and removes
// the old directory. The driver reads a directory that has a ..data link
// through that link's target, resolved once per call and checked again
// after the reads: a read that overlapped a swap is repeated, so a Get of
// several names returns the old set or the new set, never a mix. Entries
// whose name starts with ".." in such a directory are kubelet's, not
// secrets. Docker's /run/secrets and systemd's credentials directory are
// plain directories of files; dir://?dir-env=CREDENTIALS_DIRECTORY reads the
// directory systemd names (see [SystemdCredentials]).
//
// Every path is resolved with [os.Root]: a name, or a symbolic link inside
// the directory, that leads out of it is refused (an error with code
// [driver.PermissionDenied]), so a crafted link cannot read /etc/shadow.
// Links that stay inside the directory are followed.
//
// # Writing
//
// The store is read-only by default, as mounts are: Set and Remove fail
// with [driver.NotSupported]. [Options.Writable] (writable=1) makes a plain
// directory writable, for local development: Set writes a temporary 0600
// file beside the target, syncs it, renames it over the target and syncs
// the directory, so a reader sees the old or the new value; missing
// directories are made with mode 0700, and Remove deletes the directories
// it leaves empty. A name that is also a level of another ("a" and "a/b")
// keeps its value in the file ".~value" of the directory; turning the file
// "a" into that directory takes two renames, between which "a" reads as
// missing. Writes are serialised within a Store, not between processes. A
// directory kubelet manages is never written.
//
// # Watching
//
// The Store implements [driver.Watcher] with fsnotify, so the portable
// Store's Watch is pushed, not polled: see [Store.Watch]. List
// ([driver.Lister]) walks the directory. The Store holds no file or
// directory open between calls, so replacing the whole directory (a new
// mount, a rename over it) is followed by reads and by watches.
//
// # URLs
//
//	dir:///run/secrets
//	dir:///etc/db?trim-newline=1
//	dir://?dir-env=CREDENTIALS_DIRECTORY
//	dir:///home/me/.config/app/secrets?writable=1
//
// The path is the directory (three slashes: no host). Parameters:
//
//   - dir-env=NAME: instead of a path, the directory in the environment
//     variable NAME, read when the store opens ([Options.DirEnv]).
//   - writable=1: Set and Remove are allowed ([Options.Writable]).
//   - trim-newline=1: remove one trailing newline from values
//     ([Options.TrimNewline]); not with writable=1.
//   - max-size=N: the largest file, in bytes ([Options.MaxSize]).
//
// # Proven by
//
// The conformance suite (package storetest) in read-only mode over a seeded
// plain directory and a kubelet-written one, and in writable mode,
// including its Watcher contract (each change once, in order) and a watch
// that goes on after the directory is replaced by a copy; tests that follow kubelet's atomic writer
// step by step, Docker's flat layout and systemd's credentials directory;
// watch tests through a kubelet swap, in-place rewrites, new and removed
// files and the directory being replaced; and a fuzz test of names and
// symbolic links against the directory's boundary. The watch tests run on
// Linux (inotify); other platforms compile the same code.
package dirstore

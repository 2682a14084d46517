// Package filestore is an encrypted, persistent secret store for one machine:
// a single [bbolt] file whose values are encrypted at rest. It implements
// [driver.Store], [driver.Lister], [driver.Versioner] and [driver.Swapper],
// so it is used through the portable
// [secretstore.Store], directly or by URL:
//
//	// once, e.g. from an install step
//	filestore.NewKeyFile("/etc/app/secrets.key")
//	filestore.Init("/var/lib/app/secrets.db", filestore.KeyFile("/etc/app/secrets.key"), filestore.Options{})
//
//	// then
//	d, err := filestore.Open("/var/lib/app/secrets.db", filestore.KeyFile("/etc/app/secrets.key"), filestore.Options{})
//	store := secretstore.New(d, ...)
//	// or
//	store, err := secretstore.Open(ctx, "file:///var/lib/app/secrets.db?key-file=/etc/app/secrets.key")
//
// [Store.GetVersions] reads a secret's previous value (kept by every Set for
// rotation windows), [Store.CompareAndSwap] writes conditionally in one
// transaction, [Store.Rekey] changes the key protecting the file and
// [Store.Verify] checks every record.
//
// # Keys
//
// Records are encrypted with a random 32-byte data key. The file holds the
// data key only wrapped (encrypted) with a key-encryption key (KEK), which
// comes from a [KeySource]:
//
//   - [KeyFile]: 32 random bytes in a file made by [NewKeyFile]. The file
//     must not be accessible by its group or others ([ErrInsecureKeyFile]).
//   - [Key]: the same 32 bytes, from wherever the caller keeps them.
//   - [Passphrase] or [PassphraseFile]: the KEK is argon2id(passphrase,
//     salt), with a random salt and the parameters ([Argon2Params]) stored
//     in the file.
//
// [Store.Rekey] wraps the same data key with a new KEK, in one small
// transaction, without rewriting records.
//
// # File format
//
// The file is a bbolt database (one file, B+tree, copy-on-write pages, two
// alternating meta pages, fsync on every commit) with two buckets:
//
//   - "meta", key "header": magic "SSFS", the format version (1), the cipher
//     (1 = XChaCha20-Poly1305), a random 32-byte store id, the KDF (1 = raw
//     key, 2 = argon2id followed by its time, memory, threads and salt), then
//     the wrap nonce and the data key sealed with the KEK, whose associated
//     data is every header byte before the nonce; then a SHA-256 of all of
//     it, which tells accidental damage ([ErrCorrupt]) from a wrong key
//     ([ErrWrongKey]).
//   - "secrets": one record per secret, under the secret's portable name
//     as-is. A record is the format version byte (1), a fresh random 24-byte
//     nonce and the XChaCha20-Poly1305 sealing, under the data key, of a
//     flags byte followed by the current value (flags 0) or by the current
//     value's length as a uvarint, the current value and the previous value
//     (flags 1). The associated data is the version byte, the store id and
//     the name, so a record copied to another name, or into another store,
//     does not open.
//
// Every Set writes a new nonce drawn from crypto/rand; XChaCha20's 192-bit
// nonces make random nonces safe for any number of writes. A reader of a
// version it does not know fails with [ErrUnsupportedFormat].
//
// # Threat model
//
// Encryption at rest protects the secrets in the file against someone who
// gets the file but not the KEK: a backup, a copied disk or image, a stolen
// laptop, a file accidentally committed or shared, another local user who can
// read the file but not the key file. They learn the names of the secrets
// (names are stored in clear, to allow listing and lookups), the number of
// secrets, the approximate size of each value and whether it has a previous
// value, and when the file changed; not the values. Any change they make to a
// record or the header is detected: a record that does not authenticate is an
// [ErrCorrupt] error, never a wrong value.
//
// It does not protect against:
//
//   - someone who has the KEK too: the key file next to the store in the
//     same backup, or a weak passphrase (argon2id only slows guessing);
//   - anyone who can run code as the process's user or as root on the
//     running machine: they can read the key file, the passphrase or the
//     process's memory, which holds the data key while the Store is open;
//   - rollback: replacing the file, or a record, with an older copy from
//     the same store restores older values without any error;
//   - deletion or denial of service: anyone who can write the file can
//     delete records or destroy it (damage to bbolt's page structure can make
//     records silently disappear; [Store.Verify] checks the structure);
//   - a compromised old key: Rekey changes the KEK but not the data key, so
//     whoever held an old copy of the file and its old key keeps being able
//     to decrypt records of later copies. Create a new store and copy the
//     secrets to change the data key.
//
// Values are copied into ordinary Go strings: the garbage collector may
// leave copies in memory, and memory may be swapped. The package clears the
// keys and plaintext buffers it owns on a best-effort basis only.
//
// # Locking
//
// bbolt takes an flock(2) lock on the file: exclusive for a read-write
// handle, shared for a read-only one, held as long as the handle is open. A
// process that keeps a read-write handle open would therefore lock out every
// other process, such as a command-line tool editing secrets next to a
// running service, for as long as the service runs.
//
// By default a Store therefore opens the file for each operation and closes
// it afterwards: Get, GetVersions and List open it read-only under a shared
// lock (readers run in parallel, in one process or many), Set, Remove and
// Rekey open it read-write under the exclusive lock. Processes take turns
// per operation; a writer never shares the file with anyone, and a crash at
// any point leaves the last committed transaction (bbolt's copy-on-write and
// meta pages). An operation waiting for another process's lock gives up
// after [Options.LockTimeout] (default 5 s, shortened by the context's
// deadline) with [ErrLocked]. Within one process, Stores of the same file
// queue on a process-wide readers-writer lock that honours contexts, so
// they never wait through bbolt's 50 ms lock polling. The store id is
// checked on every operation, so a file that was replaced by another store
// fails with [ErrReplaced] instead of being misread.
//
// The cost is an open, mmap and close of the file per operation, and reads
// through a fresh mapping: about 40 µs more per Get (44 µs instead of 4 µs
// for one name among 10,000, on a 2-core VM), and about 0.1 to 0.3 ms more
// per Set. Where an fsync takes milliseconds that is small; on storage that
// acknowledges fsync in a fraction of a millisecond, a Set takes up to about
// twice a bare bbolt Put. (Before a write the file is also opened read-only
// to check its length, unless this process wrote it last and its inode,
// size and modification time are unchanged.) The portable Store's cache
// absorbs most reads. A process that owns the file alone can set
// [Options.KeepOpen] (URL parameter keep-open=1) to hold it open, and
// locked, from Open to Close: a Set then costs about 1.1 times a bare bbolt
// Put. BENCHMARKS.md in the repository has the measurements.
//
// # Errors
//
// Errors match the sentinels of this package with [errors.Is] and carry a
// [driver.Code]: [ErrWrongKey] and [ErrInsecureKeyFile] are
// [driver.PermissionDenied], [ErrLocked] is [driver.Unavailable],
// [ErrReplaced] is [driver.Conflict], and [ErrCorrupt],
// [ErrUnsupportedFormat] and [ErrClosed] are [driver.Unknown]. A truncated
// file, a flipped byte or a file that is not a store is [ErrCorrupt]: the
// package checks the file's length against the database before reading it
// and turns a panic or memory fault while reading a damaged file into
// [ErrCorrupt]. Errors contain names and paths, never values or keys.
//
// # URLs
//
// [OpenURL], registered for the "file" scheme, opens
//
//	file:///absolute/path/secrets.db?key-file=/absolute/path/secrets.key
//
// The path must be absolute; the host must be empty or "localhost". Query
// parameters:
//
//   - key-file=PATH: the key is the key file at the absolute PATH ([KeyFile]).
//   - passphrase-file=PATH: the key is the passphrase in the file at the
//     absolute PATH ([PassphraseFile]). Exactly one of key-file and
//     passphrase-file is required. A key or passphrase itself is never
//     accepted in a URL, since URLs end up in logs and process listings.
//   - create=1: if the store file does not exist, create it (and, with
//     key-file, a new key file if that does not exist either) before opening
//     it. A passphrase store is created with [DefaultArgon2].
//   - keep-open=1: [Options.KeepOpen].
//   - lock-timeout=DURATION: [Options.LockTimeout], as a Go duration ("10s").
//
// Unknown or repeated parameters are an error, so that a typo does not go
// unnoticed. The README has one table of every driver's URL parameters.
//
// [bbolt]: https://pkg.go.dev/go.etcd.io/bbolt
package filestore

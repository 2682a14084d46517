// Package etcd is a secretstore driver that keeps secrets on an etcd
// cluster, encrypted on the client, so the cluster (its members, snapshots
// and backups) never sees a value in plaintext; it uses etcd's watch to push
// changes to [secretstore.Store.Watch] instead of polling.
//
//	store, err := secretstore.Open(ctx,
//		"etcd://10.0.0.1:2379,10.0.0.2:2379,10.0.0.3:2379/secretstore/payments?key-file=/etc/payments/secrets.key")
//
// or, with a client of your own, [New]:
//
//	d, err := etcd.New(ctx, client, etcd.Options{Prefix: "/secretstore/payments", Key: etcd.KeyFile(path)})
//	store := secretstore.New(d)
//
// It speaks the etcd v3 API through the official client
// (go.etcd.io/etcd/client/v3), with etcd 3.4 and newer servers.
//
// # Encryption
//
// Values are sealed exactly as the filestore seals its records, by the same
// code: XChaCha20-Poly1305 under a random 32-byte data key, with the format
// version, the store's random id and the secret's name as associated data, so
// a record copied to another name or another store does not open. The data
// key is kept wrapped by a key-encryption key from a key file or [Key] (the
// 32 bytes themselves, as created by filestore.NewKeyFile) or from a
// passphrase stretched with argon2id, in the store's metadata key. Any client
// with the key file or passphrase opens the store; the first one creates the
// metadata key, in a transaction that fails if another client created it
// first, so all agree on one data key.
//
// # Key layout
//
// Under the key prefix P (the URL's path, such as /secretstore/payments):
//
//   - P/meta: the metadata: magic "SSET", format version 1, cipher 1
//     (XChaCha20-Poly1305), the 32-byte store id, the key derivation (1 = a
//     raw key; 2 = argon2id with its time, memory, threads and salt), the
//     wrap nonce and the wrapped data key, then a SHA-256 of all of it.
//   - P/s/NAME: the secret NAME (a portable name, which etcd keys hold
//     as-is, so the mapping is reversible): one record sealing the current
//     value and, after a second Set, the previous one. Keeping both in one
//     sealed record makes the previous version atomic with the current one
//     and impossible to swap or replay on its own; [Store.GetVersions]
//     returns it ([driver.Versioner]).
//
// List reads keys only, under P/s/, so it never meets the metadata. Names
// are visible to whoever can read the cluster; values are not.
//
// # Operations
//
//   - Get of many names is one transaction of reads (one round trip, a
//     linearizable read); beyond etcd's 128 operations per transaction,
//     concurrent transactions of 128.
//   - Set reads the key and writes the new record in a single-key
//     transaction conditional on the key's mod revision, retrying if another
//     writer came in between, so no previous version is lost. Remove is a
//     single-key delete transaction.
//   - CompareAndSwap ([driver.Swapper]) compares the decrypted current value
//     with the expected one, then writes only if the key's mod revision is
//     still the one it read; otherwise [driver.Conflict].
//   - Watch ([driver.Watcher]) opens an etcd watch from the revision of a
//     read made first and resumes from the last revision it saw when the
//     stream breaks (a member stopped or lost its leader); if that revision
//     was compacted, it reports every watched name as changed (the Store
//     reads them again and compares).
//
// Values may have up to [MaxValueSize] bytes (etcd refuses requests over
// 1.5 MiB by default, and a record holds two values).
//
// # Errors
//
// Connection failures, timeouts of the client and a cluster without a
// leader are [driver.Unavailable]; authentication and permission errors, a
// wrong key ([ErrWrongKey]) and a key file others can read
// ([ErrInsecureKeyFile]) are [driver.PermissionDenied]. A record that does not
// authenticate is [ErrCorrupt]; nothing is returned from it. Errors contain
// names and keys, never values or key material.
//
// # URLs
//
//	etcd://HOST:PORT[,HOST:PORT...]/PREFIX?key-file=/abs/key[&PARAMS]
//
// The endpoints are comma-separated host:port pairs (IPv6 literals in
// brackets only as a single endpoint); PREFIX is the key prefix, without a
// trailing "/". User information in the URL is refused (give username and
// password-file). Parameters, each at most once:
//
//   - key-file=PATH: the 32-byte key file at the absolute PATH ([KeyFile]).
//   - passphrase-file=PATH: the passphrase in the file at the absolute PATH
//     ([PassphraseFile]). Exactly one of key-file and passphrase-file.
//   - username=NAME and password-file=PATH: etcd authentication, the
//     password read from the file (one trailing newline removed).
//   - tls=1: connect with TLS, verifying the server against the system's
//     roots; ca-file=PATH: against the PEM certificates in PATH instead;
//     client-cert=PATH and client-key=PATH: a client certificate. ca-file
//     and client-cert imply tls=1.
//   - dial-timeout=DURATION: how long the client waits for a connection
//     (default 5s).
//
// # Proof
//
// The tests run against a real three-member etcd cluster (Debian's
// etcd-server 3.4.23, started on 127.0.0.1 by .ci/services/etcd.sh): the
// full storetest conformance suite (including versions, compare-and-swap and
// the rotation window seen through a watch); a watched change arriving
// through a watch whose poll interval is an hour; the raw keys read with the
// etcd client holding no plaintext, and a record moved to another name not
// opening; a second client opening the store with the same key file, and a
// wrong key refused; a closed port reported as unavailable; and, on a
// three-member cluster the test starts itself, the member the client uses
// killed, then the leader, while a writer, a reader and a watcher run: every
// acknowledged Set stays readable (the test logs the failover time); a
// member killed while a store reads, writes and watches through it; and,
// with authentication enabled, a user with the root role served, a user
// without a role and a wrong password refused as permission denied; and a
// member requiring TLS client certificates reached with ca-file,
// client-cert and client-key, and refusing a client without them. The name
// to key mapping, URL parsing and metadata decoding are fuzzed. Without a cluster the live tests
// skip, unless CI is set.
package etcd

package filestore

import (
	"github.com/secretstore-go/secretstore/internal/envelope"
)

// FormatVersion is the version of the on-disk format this package writes,
// stored as the first byte of the header and of every record.
const FormatVersion = 1

// MaxValueSize is the largest value Set accepts, in bytes. A record holds the
// current and the previous value, so it can be twice as large.
const MaxValueSize = 64 << 20

// Records are sealed by the shared envelope; its record version is this
// package's format version.
var _ [0]struct{} = [FormatVersion - envelope.RecordVersion]struct{}{}

// envErrors makes the shared envelope report this package's sentinels.
var envErrors = &envelope.Errors{
	Prefix:          "filestore",
	WrongKey:        ErrWrongKey,
	Corrupt:         ErrCorrupt,
	Unsupported:     ErrUnsupportedFormat,
	InsecureKeyFile: ErrInsecureKeyFile,
}

// headerFormat is the store's metadata, stored under meta/header: an
// [envelope.Header] that starts with "SSFS" and the format version (see the
// package documentation for the layout). A newer version is refused with
// ErrUnsupportedFormat; any other wrong version byte is damage, ErrCorrupt.
var headerFormat = &envelope.Format{
	Magic:   [4]byte{'S', 'S', 'F', 'S'},
	Version: FormatVersion,
	What:    "header",
	Errors:  envErrors,
}

// Bucket and key names in the bbolt file.
var (
	bucketMeta    = []byte("meta")
	bucketSecrets = []byte("secrets")
	keyHeader     = []byte("header")
)

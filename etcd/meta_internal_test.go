package etcd

import (
	"bytes"
	"errors"
	"testing"
)

// TestMetaFormat: the metadata is the envelope's "SSET" format of version
// 1, whose bytes internal/envelope's TestHeaderPinned pins.
func TestMetaFormat(t *testing.T) {
	if f := metaFormat; string(f.Magic[:]) != "SSET" || f.Version != 1 || !f.StrictVersion {
		t.Fatalf("metadata format %q version %d (strict %v), want the pinned SSET version 1, strict", f.Magic, f.Version, f.StrictVersion)
	}
}

// TestMetaVersions: metadata of another version or cipher is refused as
// unsupported, and a new store's metadata opens only with its key.
func TestMetaVersions(t *testing.T) {
	m, dk, err := newMeta(Key([32]byte{1}), nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := metaFormat.Open(m, Key([32]byte{1}))
	if err != nil || !bytes.Equal(got, dk) {
		t.Fatalf("Open with the store's key: %v", err)
	}
	if _, err := metaFormat.Open(m, Key([32]byte{2})); !errors.Is(err, ErrWrongKey) {
		t.Fatalf("Open with another key: %v, want ErrWrongKey", err)
	}
	for _, v := range []struct{ version, cipher byte }{{0, 1}, {2, 1}, {1, 2}} {
		o := *m
		o.Version, o.Cipher = v.version, v.cipher
		if _, err := metaFormat.Decode(o.Encode()); !errors.Is(err, ErrUnsupportedFormat) {
			t.Errorf("metadata of version %d, cipher %d: %v, want ErrUnsupportedFormat", v.version, v.cipher, err)
		}
	}
}

package filestore

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"os"
)

// bbolt's meta pages: the file's first two pages, written alternately by
// commits (transaction id modulo 2). Each is a 16-byte page header followed
// by the meta: magic, version, page size, flags, root bucket (root page and
// sequence), free list page, high-water page, transaction id, and an FNV-64a
// checksum of the meta's bytes before it, all in the machine's byte order.
// bbolt reads through the valid meta page with the highest transaction id,
// and silently falls back to the other one if that page is damaged: the
// last committed write is then lost without an error. checkMetaPages finds
// that.
const (
	boltPageHeader = 16
	boltMetaSize   = 64
	boltMagic      = 0xED0CDAED
	boltVersion    = 2
)

type boltMeta struct {
	pageSize uint32
	txid     uint64
}

// parseBoltMeta decodes and checks a meta page.
func parseBoltMeta(page []byte) (boltMeta, error) {
	m := page[boltPageHeader : boltPageHeader+boltMetaSize]
	ne := binary.NativeEndian
	switch {
	case ne.Uint32(m[0:]) != boltMagic:
		return boltMeta{}, errors.New("no bbolt magic number")
	case ne.Uint32(m[4:]) != boltVersion:
		return boltMeta{}, fmt.Errorf("bbolt format version %d", ne.Uint32(m[4:]))
	}
	h := fnv.New64a()
	h.Write(m[:56])
	if h.Sum64() != ne.Uint64(m[56:]) {
		return boltMeta{}, errors.New("its checksum does not match")
	}
	return boltMeta{pageSize: ne.Uint32(m[8:]), txid: ne.Uint64(m[48:])}, nil
}

// checkMetaPages checks both meta pages of the bbolt file at path. A
// damaged one is an [ErrCorrupt] error saying what it means.
func checkMetaPages(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("filestore: %w", err)
	}
	defer f.Close()
	read := func(off int64) ([]byte, error) {
		b := make([]byte, boltPageHeader+boltMetaSize)
		_, err := f.ReadAt(b, off)
		return b, err
	}
	p0, err := read(0)
	if err != nil {
		return fmt.Errorf("%w: %s is too short for a database: %v", ErrCorrupt, path, err)
	}
	m0, err0 := parseBoltMeta(p0)
	// The second meta page follows the first page; if the first is
	// damaged, its page size is unknown: try the usual ones.
	sizes := []uint32{m0.pageSize}
	if err0 != nil {
		sizes = []uint32{uint32(os.Getpagesize()), 4096, 8192, 16384, 65536}
	}
	var m1 boltMeta
	err1 := errors.New("not found")
	for _, size := range sizes {
		if size < boltPageHeader+boltMetaSize {
			continue
		}
		p1, err := read(int64(size))
		if err != nil {
			err1 = err
			continue
		}
		if m1, err1 = parseBoltMeta(p1); err1 == nil {
			break
		}
	}
	switch {
	case err0 == nil && err1 == nil:
		return nil
	case err0 != nil && err1 != nil:
		return fmt.Errorf("%w: both of bbolt's meta pages of %s are damaged (page 0: %v; page 1: %v)", ErrCorrupt, path, err0, err1)
	}
	bad, badErr, good := 0, err0, m1
	if err1 != nil {
		bad, badErr, good = 1, err1, m0
	}
	return fmt.Errorf("%w: bbolt's meta page %d of %s is damaged (%v): the file is read as of transaction %d, "+
		"through the other meta page, so the last write before the damage may be missing without any other error; "+
		"restore the file from a backup if that write mattered", ErrCorrupt, bad, path, badErr, good.txid)
}

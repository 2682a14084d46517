package filestore_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/secretstore-go/secretstore/filestore"
)

const benchSecrets = 10_000

// benchStore makes a store of benchSecrets secrets of 64 bytes and returns
// its path and key; the store is closed.
func benchStore(b *testing.B) (string, filestore.KeySource) {
	b.Helper()
	s, path, key := newStore(b, filestore.Options{})
	kv := make(map[string]string, benchSecrets)
	for i := range benchSecrets {
		kv[benchName(i)] = benchValue(i)
	}
	if err := s.SetMany(context.Background(), kv); err != nil {
		b.Fatal(err)
	}
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	return path, key
}

func benchName(i int) string  { return fmt.Sprintf("app/service-%05d/password", i) }
func benchValue(i int) string { return fmt.Sprintf("%064d", i) }

// BenchmarkSet measures a durable Set of a 64-byte value into a store of
// 10,000 secrets, against a bare bbolt Put of the same record bytes, in one
// transaction with bbolt's fsync, into a copy of the same file.
func BenchmarkSet(b *testing.B) {
	ctx := context.Background()
	name := benchName(benchSecrets / 2)
	for _, m := range modes {
		b.Run("filestore/"+m.name, func(b *testing.B) {
			path, key := benchStore(b)
			s, err := filestore.Open(path, key, m.opts)
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			values := [2]string{strings.Repeat("a", 64), strings.Repeat("b", 64)}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				if err := s.Set(ctx, name, values[i%2]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("bbolt-put", func(b *testing.B) {
		path, key := benchStore(b)
		s, err := filestore.Open(path, key, filestore.Options{})
		if err != nil {
			b.Fatal(err)
		}
		// A record of the size Set writes: current and previous value.
		mustSet(b, s, name, strings.Repeat("a", 64))
		mustSet(b, s, name, strings.Repeat("b", 64))
		s.Close()
		rec := rawRecord(b, path, name)
		db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		bucket, key2 := []byte("secrets"), []byte(name)
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			err := db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucket).Put(key2, rec) })
			if err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkGet measures a Get of one name from a store of 10,000 secrets.
func BenchmarkGet(b *testing.B) {
	ctx := context.Background()
	path, key := benchStore(b)
	names := []string{benchName(benchSecrets / 3)}
	for _, m := range modes {
		b.Run(m.name, func(b *testing.B) {
			s, err := filestore.Open(path, key, m.opts)
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			b.ReportAllocs()
			for b.Loop() {
				got, err := s.Get(ctx, names)
				if err != nil || len(got) != 1 {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkOpen measures opening (and closing) a store of 10,000 secrets:
// with a key file, and with a passphrase at DefaultArgon2, which is nearly
// all argon2id.
func BenchmarkOpen(b *testing.B) {
	path, key := benchStore(b)
	for _, m := range modes {
		b.Run("keyfile/"+m.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				s, err := filestore.Open(path, key, m.opts)
				if err != nil {
					b.Fatal(err)
				}
				s.Close()
			}
		})
	}
	b.Run("passphrase/DefaultArgon2", func(b *testing.B) {
		path, key := benchStore(b)
		s, err := filestore.Open(path, key, filestore.Options{})
		if err != nil {
			b.Fatal(err)
		}
		pass := filestore.Passphrase([]byte("benchmark passphrase"))
		err = s.Rekey(context.Background(), pass) // Options.Argon2 nil: the default
		s.Close()
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			s, err := filestore.Open(path, pass, filestore.Options{})
			if err != nil {
				b.Fatal(err)
			}
			s.Close()
		}
	})
}

// BenchmarkSetVsBolt alternates a durable filestore Set with a bare bbolt
// Put of the same record bytes (in one transaction, with bbolt's fsync, into
// a copy of the same 10,000-secret file), so that both see the same disk
// load, and reports the median time of each and their ratio. On a shared
// machine whose fsync times drift, this ratio is steadier than the one
// between separate runs of BenchmarkSet.
func BenchmarkSetVsBolt(b *testing.B) {
	ctx := context.Background()
	name := benchName(benchSecrets / 2)
	for _, m := range modes {
		b.Run(m.name, func(b *testing.B) {
			path, key := benchStore(b)
			s, err := filestore.Open(path, key, filestore.Options{})
			if err != nil {
				b.Fatal(err)
			}
			mustSet(b, s, name, strings.Repeat("a", 64))
			mustSet(b, s, name, strings.Repeat("b", 64))
			s.Close()
			rec := rawRecord(b, path, name)
			boltPath := filepath.Join(b.TempDir(), "bare.db")
			copyFile(b, path, boltPath)
			db, err := bolt.Open(boltPath, 0o600, &bolt.Options{Timeout: time.Second})
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			if s, err = filestore.Open(path, key, m.opts); err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			values := [2]string{strings.Repeat("a", 64), strings.Repeat("b", 64)}
			bucket, boltKey := []byte("secrets"), []byte(name)
			var fsTimes, boltTimes []time.Duration
			set := func(i int) {
				t0 := time.Now()
				if err := s.Set(ctx, name, values[i%2]); err != nil {
					b.Fatal(err)
				}
				fsTimes = append(fsTimes, time.Since(t0))
			}
			put := func() {
				t0 := time.Now()
				if err := db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucket).Put(boltKey, rec) }); err != nil {
					b.Fatal(err)
				}
				boltTimes = append(boltTimes, time.Since(t0))
			}
			for i := 0; b.Loop(); i++ {
				// Alternate the order: a write right after another one's
				// fsync can wait for the file system's journal.
				if i%2 == 0 {
					set(i)
					put()
				} else {
					put()
					set(i)
				}
			}
			fsMed, boltMed := median(fsTimes), median(boltTimes)
			b.ReportMetric(float64(fsMed.Nanoseconds()), "filestore-median-ns")
			b.ReportMetric(float64(boltMed.Nanoseconds()), "bbolt-median-ns")
			b.ReportMetric(float64(fsMed)/float64(boltMed), "ratio")
		})
	}
}

// median returns the median of d (which it sorts); medians shrug off the
// fsync stalls a busy shared disk adds at random.
func median(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return 0
	}
	slices.Sort(d)
	return d[len(d)/2]
}

func copyFile(b *testing.B, from, to string) {
	b.Helper()
	src, err := os.Open(from)
	if err != nil {
		b.Fatal(err)
	}
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		b.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		b.Fatal(err)
	}
}

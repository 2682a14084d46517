package filestore

import (
	"context"

	bolt "go.etcd.io/bbolt"
)

// SetMany writes many secrets in one transaction, to build large stores for
// tests and benchmarks quickly.
func (s *Store) SetMany(ctx context.Context, kv map[string]string) error {
	return s.run(ctx, true, true, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSecrets)
		for k, v := range kv {
			if err := b.Put([]byte(k), s.rc.Seal(k, v, nil)); err != nil {
				return err
			}
		}
		return nil
	})
}

// DataKey returns a copy of the store's unwrapped data key, for the printing
// tests to search for.
func (s *Store) DataKey() []byte { return append([]byte(nil), s.dataKey...) }

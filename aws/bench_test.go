package awssm_test

import (
	"context"
	"testing"

	"github.com/sivchari/kumo"

	"github.com/secretstore-go/secretstore"
	awssm "github.com/secretstore-go/secretstore/aws"
	"github.com/secretstore-go/secretstore/aws/internal/fakeaws"
)

// BenchmarkGet compares Get of 1 name with Get of 20 through the real SDK,
// without a cache, on loopback: against the protocol fake, 20 names are one
// BatchGetSecretValue round trip ("batch"); with the batch call refused,
// 20 concurrent GetSecretValue calls ("fallback"); against kumo, which has
// no batch call, the same fallback. requests/op is counted at the fake.
func BenchmarkGet(b *testing.B) {
	ctx := context.Background()
	ns := names(20)
	run := func(b *testing.B, st *secretstore.Store, f *fakeaws.Server) {
		seed(b, st, ns)
		for _, n := range []int{1, 20} {
			b.Run(names1(n), func(b *testing.B) {
				if f != nil {
					f.ResetCounts()
				}
				for b.Loop() {
					ss, err := st.Get(ctx, ns[:n]...)
					if err != nil || len(ss) != n {
						b.Fatalf("Get: %d secrets, %v", len(ss), err)
					}
				}
				if f != nil {
					b.ReportMetric(float64(f.Count(""))/float64(b.N), "requests/op")
				}
			})
		}
	}
	b.Run("batch", func(b *testing.B) {
		f := fakeaws.New(b)
		run(b, secretstore.New(newStore(b, f.HTTP.URL, nil, awssm.Options{}), secretstore.EnableSet(true)), f)
	})
	b.Run("fallback", func(b *testing.B) {
		f := fakeaws.New(b)
		f.Fail = func(action string, _ *fakeaws.Request) (int, string, string) {
			if action == "BatchGetSecretValue" {
				return 400, "AccessDeniedException", ""
			}
			return 0, "", ""
		}
		run(b, secretstore.New(newStore(b, f.HTTP.URL, nil, awssm.Options{}), secretstore.EnableSet(true)), f)
	})
	b.Run("kumo", func(b *testing.B) {
		srv := kumo.NewServer() // directly, not through startKumo's one-at-a-time proxy
		b.Cleanup(srv.Close)
		run(b, secretstore.New(newStore(b, srv.URL, nil, awssm.Options{ForceDelete: true}), secretstore.EnableSet(true)), nil)
	})
}

func names1(n int) string {
	if n == 1 {
		return "1name"
	}
	return "20names"
}

package vault_test

import (
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/secretstore-go/secretstore"
	"github.com/secretstore-go/secretstore/vault"
)

// BenchmarkGet compares, against the live server's secret/ (KV v2), the
// driver's Get of one name with the api client's own KVv2.Get of the same
// secret, and the driver's Get of ten names with its Get of one; also ten
// names one request after another (parallel=1, as the reference does). The
// rtt=2ms variants go through a local proxy that delays each direction by
// 1 ms, as a network between a service and its Vault cluster would.
//
//	go test -run '^$' -bench . -benchtime 2000x -count 6 ./vault
func BenchmarkGet(b *testing.B) {
	l := liveVault(b)
	b.Run("loopback", func(b *testing.B) { benchGet(b, l, l.addr) })
	b.Run("rtt=2ms", func(b *testing.B) { benchGet(b, l, delayProxy(b, l.addr, time.Millisecond)) })
}

func benchGet(b *testing.B, l *live, addr string) {
	ctx := b.Context()
	d, err := vault.New(vault.Options{Address: addr, Mount: "secret", Auth: vault.Token(l.token), Logger: quiet})
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	seq, err := vault.New(vault.Options{Address: addr, Mount: "secret", Auth: vault.Token(l.token), Logger: quiet, Parallel: 1})
	if err != nil {
		b.Fatal(err)
	}
	defer seq.Close()
	dir := "vaultbench/" + randHex(4) + "/"
	names := make([]string, 10)
	for i := range names {
		names[i] = fmt.Sprintf("%sk%02d", dir, i)
		if err := d.Set(ctx, names[i], fmt.Sprintf("value-%02d", i)); err != nil {
			b.Fatal(err)
		}
	}
	defer func() {
		for _, n := range names {
			l.root.KVv2("secret").DeleteMetadata(ctx, n)
		}
	}()
	kv := rootClient(b, addr, l.token).KVv2("secret")
	store := secretstore.New(d, secretstore.WithLogger(quiet))

	b.Run("raw-KVv2.Get/1", func(b *testing.B) {
		for b.Loop() {
			s, err := kv.Get(ctx, names[0])
			if err != nil || s.Data["value"] != "value-00" {
				b.Fatal(err)
			}
		}
	})
	b.Run("driver.Get/1", func(b *testing.B) {
		one := names[:1]
		for b.Loop() {
			m, err := d.Get(ctx, one)
			if err != nil || m[names[0]] != "value-00" {
				b.Fatal(err)
			}
		}
	})
	b.Run("driver.Get/10", func(b *testing.B) {
		for b.Loop() {
			m, err := d.Get(ctx, names)
			if err != nil || len(m) != 10 {
				b.Fatal(err)
			}
		}
	})
	b.Run("driver.Get/10/parallel=1", func(b *testing.B) {
		for b.Loop() {
			m, err := seq.Get(ctx, names)
			if err != nil || len(m) != 10 {
				b.Fatal(err)
			}
		}
	})
	b.Run("Store.Get/1", func(b *testing.B) {
		for b.Loop() {
			ss, err := store.Get(ctx, names[0])
			if err != nil || !ss.Has(names[0]) {
				b.Fatal(err)
			}
		}
	})
}

// delayProxy forwards TCP connections to the server at addr (http://...),
// delaying every chunk by delay in each direction, and returns its own
// address.
func delayProxy(b *testing.B, addr string, delay time.Duration) string {
	b.Helper()
	target := strings.TrimPrefix(addr, "http://")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { ln.Close() })
	pipe := func(dst, src net.Conn) {
		defer dst.Close()
		buf := make([]byte, 64<<10)
		for {
			n, err := src.Read(buf)
			if n > 0 {
				time.Sleep(delay) // the network's latency, not synchronisation
				if _, werr := dst.Write(buf[:n]); werr != nil {
					return
				}
			}
			if err != nil {
				return
			}
		}
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			go pipe(up, c)
			go pipe(c, up)
		}
	}()
	return "http://" + ln.Addr().String()
}

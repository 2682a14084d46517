package secretstore_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/secretstore-go/secretstore"
	"github.com/secretstore-go/secretstore/driver"
	"github.com/secretstore-go/secretstore/memstore"
)

// jsonBackend is a map-backed driver that counts its reads and the names
// they carry. With swap, it implements driver.Swapper (see swapBackend).
type jsonBackend struct {
	mu    sync.Mutex
	m     map[string]string
	gets  atomic.Int64
	names []string // every name read, in order
}

func newJSONBackend(m map[string]string) *jsonBackend { return &jsonBackend{m: m} }

func (b *jsonBackend) Get(_ context.Context, names []string) (map[string]string, error) {
	b.gets.Add(1)
	b.mu.Lock()
	defer b.mu.Unlock()
	b.names = append(b.names, names...)
	out := map[string]string{}
	for _, n := range names {
		if v, ok := b.m[n]; ok {
			out[n] = v
		}
	}
	return out, nil
}

func (b *jsonBackend) Set(_ context.Context, name, value string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.m[name] = value
	return nil
}

func (b *jsonBackend) Remove(_ context.Context, name string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.m, name)
	return nil
}

func (b *jsonBackend) Close() error { return nil }

// swapBackend adds CompareAndSwap; before each of its first `interfere`
// calls, another writer changes the secret, so that the call conflicts.
type swapBackend struct {
	*jsonBackend
	interfere int
	swaps     int
}

func (b *swapBackend) CompareAndSwap(_ context.Context, name string, old *string, value string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.swaps++
	if b.swaps <= b.interfere {
		// A concurrent writer adds a field of its own.
		b.m[name] = fmt.Sprintf(`{"other%d":"x","username":"app"}`, b.swaps)
	}
	cur, ok := b.m[name]
	if ok != (old != nil) || (ok && cur != *old) {
		return driver.Errorf(driver.Conflict, "changed")
	}
	b.m[name] = value
	return nil
}

const dbJSON = `{"username":"app","password":"s3cr3t-pw","port":5432,"tls":true,"opt":null,"nested":{"a":1}}`

func TestFieldsGet(t *testing.T) {
	ctx := context.Background()
	for _, cached := range []bool{false, true} {
		t.Run(fmt.Sprint("cached=", cached), func(t *testing.T) {
			b := newJSONBackend(map[string]string{"db": dbJSON, "plain": "not json"})
			opts := []secretstore.Option{secretstore.WithLogger(nil)}
			if cached {
				opts = append(opts, secretstore.WithCache(secretstore.CacheOptions{}))
			}
			s := secretstore.New(b, opts...)
			ss, err := s.Get(ctx, "db#username", "db#password", "db#port", "db#tls", "db#opt", "db#nested", "db#absent", "plain", "nosuch#x")
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]string{"db#username": "app", "db#password": "s3cr3t-pw", "db#port": "5432", "db#tls": "true", "db#nested": `{"a":1}`, "plain": "not json"}
			if len(ss) != len(want) {
				t.Fatalf("got %d names, want %d", len(ss), len(want))
			}
			for n, v := range want {
				if got := ss[n].Reveal(); got != v {
					t.Errorf("%s = %q, want %q", n, got, v)
				}
			}
			if n := b.gets.Load(); n != 1 {
				t.Fatalf("%d backend reads, want 1", n)
			}
			if got := strings.Join(b.names, ","); got != "db,plain,nosuch" {
				t.Fatalf("the backend was asked for %s", got)
			}
			// Lookup of a field, and of the secret as a whole.
			sec, ok, err := s.Lookup(ctx, "db#password")
			if err != nil || !ok || sec.Reveal() != "s3cr3t-pw" {
				t.Fatalf("lookup: %v %v", ok, err)
			}
			if _, ok, err := s.Lookup(ctx, "db#absent"); err != nil || ok {
				t.Fatalf("lookup of a missing field: %v %v", ok, err)
			}
			whole, ok, err := s.Lookup(ctx, "db")
			if err != nil || !ok || whole.Reveal() != dbJSON {
				t.Fatalf("lookup of the whole secret: %v %v", ok, err)
			}
			if cached && b.gets.Load() != 1 {
				t.Fatalf("a cached store read %d times, want 1", b.gets.Load())
			}
		})
	}
}

func TestFieldsTenFieldsOneRead(t *testing.T) {
	ctx := context.Background()
	var obj []string
	var names []string
	for i := range 10 {
		obj = append(obj, fmt.Sprintf(`"f%d":"v%d"`, i, i))
		names = append(names, fmt.Sprintf("app/db#f%d", i))
	}
	b := newJSONBackend(map[string]string{"app/db": "{" + strings.Join(obj, ",") + "}"})
	s := secretstore.New(b, secretstore.WithLogger(nil), secretstore.WithCache(secretstore.CacheOptions{}))
	ss, err := s.Require(ctx, names...)
	if err != nil || len(ss) != 10 {
		t.Fatal(len(ss), err)
	}
	for i, n := range names {
		if got := ss[n].Reveal(); got != fmt.Sprintf("v%d", i) {
			t.Fatalf("%s = %q", n, got)
		}
	}
	if got := strings.Join(b.names, ","); b.gets.Load() != 1 || got != "app/db" {
		t.Fatalf("%d reads of %s, want 1 of app/db", b.gets.Load(), got)
	}
	// Concurrent readers of different fields share the cache's one read.
	if _, err := s.Refresh(ctx, "app/db#f0"); err != nil {
		t.Fatal(err)
	}
	if b.gets.Load() != 2 {
		t.Fatalf("refresh: %d reads, want 2", b.gets.Load())
	}
	var wg sync.WaitGroup
	for _, n := range names {
		wg.Go(func() {
			if _, ok, err := s.Lookup(ctx, n); err != nil || !ok {
				t.Errorf("%s: %v %v", n, ok, err)
			}
		})
	}
	wg.Wait()
	if b.gets.Load() != 2 {
		t.Fatalf("cached lookups of fields read the backend: %d reads", b.gets.Load())
	}
}

func TestFieldsRequireNamesMissing(t *testing.T) {
	s := secretstore.New(newJSONBackend(map[string]string{"db": dbJSON}), secretstore.WithLogger(nil))
	_, err := s.Require(context.Background(), "db#username", "db#nope", "db#opt", "gone#password")
	if !errors.Is(err, secretstore.ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
	var e *secretstore.Error
	if !errors.As(err, &e) || strings.Join(e.Names, ",") != "db#nope,db#opt,gone#password" {
		t.Fatalf("names = %v", e.Names)
	}
}

func TestFieldsNotAnObject(t *testing.T) {
	const value = "hunter2-plain-value"
	s := secretstore.New(newJSONBackend(map[string]string{"plain": value, "list": `["a"]`, "db": dbJSON}), secretstore.WithLogger(nil))
	for _, name := range []string{"plain#a", "list#a"} {
		_, err := s.Get(context.Background(), "db#username", name)
		if !errors.Is(err, secretstore.ErrInvalidValue) {
			t.Fatalf("%s: err = %v, want ErrInvalidValue", name, err)
		}
		var e *secretstore.Error
		secret, _, _ := strings.Cut(name, "#")
		if !errors.As(err, &e) || len(e.Names) != 1 || e.Names[0] != secret {
			t.Fatalf("%s: the error names %v, want the secret", name, e.Names)
		}
		if strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), `["a"]`) {
			t.Fatal("the error quotes the value")
		}
		if _, _, err := s.Lookup(context.Background(), name); !errors.Is(err, secretstore.ErrInvalidValue) {
			t.Fatalf("lookup %s: %v", name, err)
		}
	}
}

func TestFieldsInvalidNames(t *testing.T) {
	s := secretstore.New(newJSONBackend(map[string]string{}), secretstore.WithLogger(nil), secretstore.EnableSet(true))
	for _, name := range []string{"db#", "#x", "db#a#b", "db#a b", "../db#x", "db#\n"} {
		if _, err := s.Get(context.Background(), name); !errors.Is(err, secretstore.ErrInvalidName) {
			t.Errorf("get %q: %v, want ErrInvalidName", name, err)
		}
		if _, _, err := s.Lookup(context.Background(), name); !errors.Is(err, secretstore.ErrInvalidName) {
			t.Errorf("lookup %q: %v, want ErrInvalidName", name, err)
		}
		if err := s.Set(context.Background(), name, "v"); !errors.Is(err, secretstore.ErrInvalidName) {
			t.Errorf("set %q: %v, want ErrInvalidName", name, err)
		}
	}
}

func TestFieldsScoped(t *testing.T) {
	b := newJSONBackend(map[string]string{"tenant:acme:db": `{"password":"acme-pw"}`, "db": `{"password":"root-pw"}`})
	s := secretstore.New(b, secretstore.WithLogger(nil))
	v, err := s.Scope("tenant:acme:")
	if err != nil {
		t.Fatal(err)
	}
	ss, err := v.Require(context.Background(), "db#password")
	if err != nil || ss["db#password"].Reveal() != "acme-pw" {
		t.Fatalf("%v", err)
	}
	if got := strings.Join(b.names, ","); got != "tenant:acme:db" {
		t.Fatalf("read %s", got)
	}
}

func TestFieldsKnownValues(t *testing.T) {
	for _, cached := range []bool{false, true} {
		k := &known{v: map[string]bool{}}
		opts := []secretstore.Option{secretstore.WithLogger(nil), secretstore.WithKnownValues(k)}
		if cached {
			opts = append(opts, secretstore.WithCache(secretstore.CacheOptions{}))
		}
		s := secretstore.New(newJSONBackend(map[string]string{"db": dbJSON}), opts...)
		if _, err := s.Get(context.Background(), "db#password"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.Lookup(context.Background(), "db#port"); err != nil {
			t.Fatal(err)
		}
		for _, v := range []string{"s3cr3t-pw", "5432", dbJSON} {
			if !k.v[v] {
				t.Errorf("cached=%v: %q not registered", cached, v)
			}
		}
		if k.v["app"] {
			t.Errorf("cached=%v: a field not asked for was registered", cached)
		}
	}
}

func TestFieldsWrite(t *testing.T) {
	ctx := context.Background()
	for _, interfere := range []int{0, 1, 4} {
		t.Run(fmt.Sprint("conflicts=", interfere), func(t *testing.T) {
			b := &swapBackend{jsonBackend: newJSONBackend(map[string]string{"db": `{"username":"app","password":"old"}`}), interfere: interfere}
			k := &known{v: map[string]bool{}}
			s := secretstore.New(b, secretstore.WithLogger(nil), secretstore.EnableSet(true), secretstore.EnableRemove(true),
				secretstore.WithCache(secretstore.CacheOptions{}), secretstore.WithKnownValues(k))
			if _, err := s.Get(ctx, "db#password"); err != nil { // fill the cache
				t.Fatal(err)
			}
			if err := s.Set(ctx, "db#password", "new-pw"); err != nil {
				t.Fatal(err)
			}
			want := `{"password":"new-pw","username":"app"}`
			if interfere > 0 {
				// The concurrent writer's field survives.
				want = fmt.Sprintf(`{"other%d":"x","password":"new-pw","username":"app"}`, interfere)
			}
			if got := b.m["db"]; got != want {
				t.Fatalf("stored %s, want %s", got, want)
			}
			if b.swaps != interfere+1 {
				t.Fatalf("%d swaps, want %d", b.swaps, interfere+1)
			}
			if ss, err := s.Get(ctx, "db#password"); err != nil || ss["db#password"].Reveal() != "new-pw" {
				t.Fatalf("read after write: %v", err)
			}
			if !k.v["new-pw"] {
				t.Fatal("the written value is not registered")
			}
			if err := s.Remove(ctx, "db#password"); err != nil {
				t.Fatal(err)
			}
			if _, ok, err := s.Lookup(ctx, "db#password"); err != nil || ok {
				t.Fatalf("after remove: %v %v", ok, err)
			}
			if _, ok, _ := s.Lookup(ctx, "db#username"); !ok {
				t.Fatal("removing a field removed another")
			}
			n := b.swaps
			if err := s.Remove(ctx, "db#password"); err != nil || b.swaps != n {
				t.Fatalf("removing an absent field: %v, %d swaps", err, b.swaps-n)
			}
			if err := s.Remove(ctx, "gone#password"); err != nil || b.swaps != n {
				t.Fatalf("removing a field of a missing secret: %v", err)
			}
		})
	}
}

func TestFieldsWriteGivesUp(t *testing.T) {
	b := &swapBackend{jsonBackend: newJSONBackend(map[string]string{"db": `{"username":"app"}`}), interfere: 100}
	s := secretstore.New(b, secretstore.WithLogger(nil), secretstore.EnableSet(true))
	err := s.Set(context.Background(), "db#password", "pw")
	if !errors.Is(err, secretstore.ErrConflict) {
		t.Fatalf("err = %v, want ErrConflict", err)
	}
	if b.swaps != 5 {
		t.Fatalf("%d attempts, want 5", b.swaps)
	}
	if strings.Contains(b.m["db"], "pw\"") {
		t.Fatal("the value was written")
	}
}

func TestFieldsWriteCreatesAndRefuses(t *testing.T) {
	ctx := context.Background()
	b := &swapBackend{jsonBackend: newJSONBackend(map[string]string{"plain": "text"})}
	s := secretstore.New(b, secretstore.WithLogger(nil), secretstore.EnableSet(true))
	if err := s.Set(ctx, "new#password", "pw"); err != nil || b.m["new"] != `{"password":"pw"}` {
		t.Fatalf("%v: %s", err, b.m["new"])
	}
	if err := s.Set(ctx, "plain#a", "b"); !errors.Is(err, secretstore.ErrInvalidValue) || b.m["plain"] != "text" {
		t.Fatalf("a field of a non-object: %v", err)
	}
	if err := s.Set(ctx, "new#bin", "\xff"); !errors.Is(err, secretstore.ErrInvalidValue) {
		t.Fatalf("a non-UTF-8 field: %v", err)
	}
	if err := s.Narrow(secretstore.PermGet).Set(ctx, "new#password", "x"); !errors.Is(err, secretstore.ErrDisabled) {
		t.Fatalf("read-only view: %v", err)
	}
	if err := s.Remove(ctx, "new#password"); !errors.Is(err, secretstore.ErrDisabled) {
		t.Fatalf("remove without EnableRemove: %v", err)
	}
}

func TestFieldsWriteNotSupported(t *testing.T) {
	b := newJSONBackend(map[string]string{"db": `{"username":"app"}`})
	s := secretstore.New(b, secretstore.WithLogger(nil), secretstore.EnableSet(true), secretstore.EnableRemove(true))
	for _, err := range []error{s.Set(context.Background(), "db#password", "pw"), s.Remove(context.Background(), "db#username")} {
		if !errors.Is(err, secretstore.ErrNotSupported) {
			t.Fatalf("err = %v, want ErrNotSupported", err)
		}
	}
	if b.m["db"] != `{"username":"app"}` || b.gets.Load() != 0 {
		t.Fatal("the secret was touched")
	}
}

// Fields of a JSON object secret are asked for with "secret#field": the
// secret is read once for both.
func ExampleStore_Get_fields() {
	ctx := context.Background()
	store := secretstore.New(memstore.New(map[string]string{
		"db": `{"username": "app", "password": "s3cr3t", "port": 5432}`,
	}))
	defer store.Close()
	secrets, err := store.Require(ctx, "db#username", "db#password", "db#port")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(secrets.Reveal("db#username"), secrets.Reveal("db#port"), secrets["db#password"])
	_, err = store.Require(ctx, "db#host")
	fmt.Println(err)
	// Output:
	// app 5432 [REDACTED]
	// secretstore "secretstore": require "db#host": secret not found
}

func TestValidateRequestName(t *testing.T) {
	for name, ok := range map[string]bool{"db": true, "db#password": true, "a/b#x.y": true, "db#": false, "#x": false, "a b": false, "db#a b": false} {
		err := secretstore.ValidateRequestName(name)
		if (err == nil) != ok || (err != nil && !errors.Is(err, secretstore.ErrInvalidName)) {
			t.Errorf("ValidateRequestName(%q) = %v, want ok %v", name, err, ok)
		}
		if hasSep := strings.Contains(name, "#"); hasSep && secretstore.ValidateName(name) == nil {
			t.Errorf("ValidateName admits %q", name)
		}
	}
}

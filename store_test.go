package secretstore_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/secretstore-go/secretstore"
	"github.com/secretstore-go/secretstore/driver"
	"github.com/secretstore-go/secretstore/memstore"
)

func seeded() *memstore.Store {
	return memstore.New(map[string]string{"paymentApiKey": "pk-1", "dbPassword": "db-1", "tenant:acme:stripeApiKey": "sk-acme"})
}

func TestDefaultsReadOnly(t *testing.T) {
	var logs bytes.Buffer
	s := secretstore.New(seeded(), secretstore.WithName("users"), secretstore.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	ctx := context.Background()
	if _, err := s.Get(ctx, "paymentApiKey"); err != nil {
		t.Fatalf("get is enabled by default: %v", err)
	}
	for op, err := range map[string]error{
		"set":    s.Set(ctx, "paymentApiKey", "new-value-xyz"),
		"remove": s.Remove(ctx, "paymentApiKey"),
	} {
		if !errors.Is(err, secretstore.ErrDisabled) {
			t.Fatalf("%s by default: %v, want ErrDisabled", op, err)
		}
		msg := err.Error()
		if !strings.Contains(msg, op+" secret at store is disabled by config") || !strings.Contains(msg, `"users"`) || !strings.Contains(msg, "paymentApiKey") {
			t.Errorf("%s error %q should name the store, the operation and the name", op, msg)
		}
		if secretstore.Code(err) != driver.Disabled {
			t.Errorf("Code = %v, want disabled", secretstore.Code(err))
		}
	}
	if !strings.Contains(logs.String(), "level=ERROR") || !strings.Contains(logs.String(), "op=set") || !strings.Contains(logs.String(), "op=remove") {
		t.Errorf("refused operations are not logged at error level: %s", logs.String())
	}
	if strings.Contains(logs.String(), "new-value-xyz") {
		t.Fatal("a refused Set logged its value")
	}
	got, _ := s.Get(ctx, "paymentApiKey")
	if got.Reveal("paymentApiKey") != "pk-1" {
		t.Fatal("a refused write changed the store")
	}
}

func TestGetCanBeDisabled(t *testing.T) {
	s := secretstore.New(seeded(), secretstore.EnableGet(false), secretstore.EnableSet(true), secretstore.WithLogger(nil))
	ctx := context.Background()
	if _, err := s.Get(ctx, "dbPassword"); !errors.Is(err, secretstore.ErrDisabled) {
		t.Fatalf("Get: %v", err)
	}
	if _, _, err := s.Lookup(ctx, "dbPassword"); !errors.Is(err, secretstore.ErrDisabled) {
		t.Fatalf("Lookup: %v", err)
	}
	if _, err := s.List(ctx, ""); !errors.Is(err, secretstore.ErrDisabled) {
		t.Fatalf("List: %v", err)
	}
	if err := s.Set(ctx, "x", "y"); err != nil {
		t.Fatalf("Set: %v", err)
	}
}

func TestViewsNeverWiden(t *testing.T) {
	ctx := context.Background()
	rw := secretstore.New(seeded(), secretstore.EnableSet(true), secretstore.WithLogger(nil))
	ro := rw.Narrow(secretstore.PermGet)
	if err := ro.Set(ctx, "a", "b"); !errors.Is(err, secretstore.ErrDisabled) {
		t.Fatalf("narrowed Set: %v", err)
	}
	wide := ro.Narrow(secretstore.PermGet | secretstore.PermSet | secretstore.PermRemove)
	if wide.Permissions() != secretstore.PermGet {
		t.Fatalf("Narrow widened %v to %v", ro.Permissions(), wide.Permissions())
	}
	if err := wide.Set(ctx, "a", "b"); !errors.Is(err, secretstore.ErrDisabled) {
		t.Fatalf("re-narrowed Set: %v", err)
	}
	sc, err := ro.Scope("tenant:acme:")
	if err != nil {
		t.Fatal(err)
	}
	if err := sc.Set(ctx, "stripeApiKey", "x"); !errors.Is(err, secretstore.ErrDisabled) {
		t.Fatalf("scope of a read-only view allowed Set: %v", err)
	}
	if err := rw.Remove(ctx, "a"); !errors.Is(err, secretstore.ErrDisabled) {
		t.Fatalf("Remove without EnableRemove: %v", err)
	}
}

func TestScope(t *testing.T) {
	ctx := context.Background()
	s := secretstore.New(seeded(), secretstore.EnableSet(true), secretstore.WithLogger(nil))
	acme, err := s.Scope("tenant:acme:")
	if err != nil {
		t.Fatal(err)
	}
	sec, ok, err := acme.Lookup(ctx, "stripeApiKey")
	if err != nil || !ok || sec.Reveal() != "sk-acme" {
		t.Fatalf("scoped Lookup: %v %v", ok, err)
	}
	ss, err := acme.Get(ctx, "stripeApiKey", "paymentApiKey")
	if err != nil || !ss.Has("stripeApiKey") || ss.Has("paymentApiKey") {
		t.Fatalf("scoped Get reached outside its prefix or missed its own name: %v %v", ss, err)
	}
	nested, err := acme.Scope("eu/")
	if err != nil || nested.Prefix() != "tenant:acme:eu/" {
		t.Fatalf("nested scope: %q %v", nested.Prefix(), err)
	}
	for _, bad := range []string{"", "/x", "../", "a//", "a/../", ".", "..", "x y", "ｘ"} {
		if _, err := s.Scope(bad); !errors.Is(err, secretstore.ErrInvalidName) {
			t.Errorf("Scope(%q) = %v, want ErrInvalidName", bad, err)
		}
	}
	if _, err := s.Scope(strings.Repeat("p", secretstore.MaxNameLen)); !errors.Is(err, secretstore.ErrInvalidName) {
		t.Error("a scope with no room for a name was accepted")
	}
	long := strings.Repeat("n", secretstore.MaxNameLen-2)
	if err := acme.Set(ctx, long, "v"); !errors.Is(err, secretstore.ErrInvalidName) {
		t.Errorf("a name too long with its prefix: %v", err)
	}
	names, err := acme.List(ctx, "")
	if err != nil || len(names) != 1 || names[0] != "stripeApiKey" {
		t.Fatalf("scoped List = %q, %v", names, err)
	}
}

// lister returns names outside the prefix it was asked for, as a buggy
// driver might: the view must not pass them on.
type lister struct{ *memstore.Store }

func (lister) List(context.Context, string) ([]string, error) {
	return []string{"tenant:acme:k", "tenant:globex:k", "tenant:acme:"}, nil
}

func TestListNeverLeavesTheScope(t *testing.T) {
	s := secretstore.New(lister{memstore.New(nil)}, secretstore.WithLogger(nil))
	acme, _ := s.Scope("tenant:acme:")
	got, err := acme.List(context.Background(), "")
	if err != nil || len(got) != 1 || got[0] != "k" {
		t.Fatalf("List = %q, %v; want [k]", got, err)
	}
}

func TestRequireNamesTheMissing(t *testing.T) {
	s := secretstore.New(seeded(), secretstore.WithLogger(nil))
	ctx := context.Background()
	ss, err := s.Require(ctx, "paymentApiKey", "dbPassword")
	if err != nil || len(ss) != 2 {
		t.Fatalf("Require of present names: %v", err)
	}
	_, err = s.Require(ctx, "paymentApiKey", "nope1", "nope2", "nope1")
	var e *secretstore.Error
	if !errors.Is(err, secretstore.ErrNotFound) || !errors.As(err, &e) {
		t.Fatalf("Require: %v", err)
	}
	if len(e.Names) != 2 || e.Names[0] != "nope1" || e.Names[1] != "nope2" || e.Op != "require" {
		t.Fatalf("Require error names %q (op %s), want [nope1 nope2]", e.Names, e.Op)
	}
}

// failing returns classified and unclassified errors.
type failing struct {
	*memstore.Store
	err error
}

func (f failing) Get(context.Context, []string) (map[string]string, error) { return nil, f.err }
func (f failing) Lookup(context.Context, string) (*string, error)          { return nil, f.err }
func (f failing) LookupAll(context.Context, []string, []*string) error     { return f.err }
func (f failing) Set(context.Context, string, string) error                { return f.err }

type coder struct{ failing }

func (coder) ErrorCode(err error) driver.Code {
	if err.Error() == "throttled" {
		return driver.Unavailable
	}
	return driver.Unknown
}

func TestErrorsClassifiedOnce(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		drv  driver.Store
		want error
		code driver.Code
	}{
		{failing{memstore.New(nil), driver.Errorf(driver.Unavailable, "connection refused")}, secretstore.ErrUnavailable, driver.Unavailable},
		{failing{memstore.New(nil), driver.Errorf(driver.PermissionDenied, "403")}, secretstore.ErrPermissionDenied, driver.PermissionDenied},
		{failing{memstore.New(nil), driver.Errorf(driver.InvalidValue, "too big")}, secretstore.ErrInvalidValue, driver.InvalidValue},
		{coder{failing{memstore.New(nil), errors.New("throttled")}}, secretstore.ErrUnavailable, driver.Unavailable},
		{failing{memstore.New(nil), errors.New("boom")}, nil, driver.Unknown},
		{failing{memstore.New(nil), context.DeadlineExceeded}, context.DeadlineExceeded, driver.DeadlineExceeded},
		// Classes only the portable layer gives are not believed from a driver.
		{failing{memstore.New(nil), driver.Errorf(driver.Closed, "gone")}, nil, secretstore.CodeUnknown},
		{failing{memstore.New(nil), driver.Errorf(driver.Disabled, "off")}, nil, secretstore.CodeUnknown},
	}
	for _, c := range cases {
		s := secretstore.New(c.drv, secretstore.EnableSet(true), secretstore.WithLogger(nil))
		_, err := s.Get(ctx, "a", "b")
		_, _, lerr := s.Lookup(ctx, "a")
		serr := s.Set(ctx, "a", "v")
		for _, err := range []error{err, lerr, serr} {
			if err == nil {
				t.Fatalf("%T: no error", c.drv)
			}
			if c.want != nil && !errors.Is(err, c.want) {
				t.Errorf("%v: does not match %v", err, c.want)
			}
			if got := secretstore.Code(err); got != c.code {
				t.Errorf("%v: Code = %v, want %v", err, got, c.code)
			}
			for _, other := range []error{secretstore.ErrNotFound, secretstore.ErrDisabled, secretstore.ErrClosed} {
				if errors.Is(err, other) {
					t.Errorf("%v matches %v too", err, other)
				}
			}
		}
	}
}

func TestClose(t *testing.T) {
	ctx := context.Background()
	s := secretstore.New(seeded(), secretstore.WithLogger(nil))
	view, _ := s.Scope("tenant:acme:")
	ro := s.Narrow(secretstore.PermGet)
	if err := view.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := view.Get(ctx, "stripeApiKey"); !errors.Is(err, secretstore.ErrClosed) {
		t.Fatalf("closed view: %v", err)
	}
	if _, err := s.Get(ctx, "paymentApiKey"); err != nil {
		t.Fatalf("closing a view closed its parent: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := ro.Lookup(ctx, "paymentApiKey"); !errors.Is(err, secretstore.ErrClosed) {
		t.Fatalf("view of a closed store: %v", err)
	}
	if _, err := s.Scope("x:"); !errors.Is(err, secretstore.ErrClosed) {
		t.Fatalf("Scope of a closed store: %v", err)
	}
}

type closeCounter struct {
	*memstore.Store
	n *int
}

func (c closeCounter) Close() error { *c.n++; return errors.New("close failed") }

func TestCloseClosesDriverOnce(t *testing.T) {
	n := 0
	s := secretstore.New(closeCounter{memstore.New(nil), &n}, secretstore.WithLogger(nil))
	err1, err2 := s.Close(), s.Close()
	if n != 1 {
		t.Fatalf("driver closed %d times", n)
	}
	if err1 == nil || err1 != err2 {
		t.Fatalf("Close errors: %v, %v", err1, err2)
	}
}

func TestContext(t *testing.T) {
	s := secretstore.New(seeded())
	ctx := secretstore.NewContext(context.Background(), s)
	got, ok := secretstore.FromContext(ctx)
	if !ok || got != s {
		t.Fatal("FromContext did not return the store")
	}
	if _, ok := secretstore.FromContext(context.Background()); ok {
		t.Fatal("FromContext found a store in an empty context")
	}
}

func TestOpen(t *testing.T) {
	ctx := context.Background()
	s, err := secretstore.Open(ctx, "mem://", secretstore.EnableSet(true))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Name() != "mem" {
		t.Errorf("Name = %q", s.Name())
	}
	if err := s.Set(ctx, "k", "v"); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"nope://x", "not a url", "mem://host", "mem://?a=b", "://"} {
		if _, err := secretstore.Open(ctx, bad); err == nil {
			t.Errorf("Open(%q) succeeded", bad)
		}
	}
	if _, err := secretstore.Open(ctx, "nope://user:pa55word@host/?token=t0ken"); err == nil || strings.Contains(err.Error(), "pa55word") || strings.Contains(err.Error(), "t0ken") {
		t.Errorf("Open error repeats URL credentials: %v", err)
	}
}

func TestRegisterPanics(t *testing.T) {
	for name, f := range map[string]func(){
		"twice": func() {
			secretstore.Register("mem", func(context.Context, *url.URL) (driver.Store, error) { return nil, nil })
		},
		"nil": func() { secretstore.Register("x-nil", nil) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Register %s did not panic", name)
				}
			}()
			f()
		}()
	}
}

// FuzzOpenURL checks that Open never panics and never echoes credentials in
// a URL into its error.
func FuzzOpenURL(f *testing.F) {
	for _, s := range []string{"mem://", "mem://x?y=z", "file:///tmp/x", "::", "mem:", "%zz://"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		s, err := secretstore.Open(context.Background(), raw+"#pw=S3CR3TPW", secretstore.WithLogger(nil))
		if err == nil {
			s.Close()
			return
		}
		if strings.Contains(err.Error(), "S3CR3TPW") {
			t.Fatalf("error echoes the URL: %v", err)
		}
	})
}

func TestCloseDriverFalse(t *testing.T) {
	n := 0
	d := closeCounter{memstore.New(nil), &n}
	a := secretstore.New(d, secretstore.CloseDriver(false), secretstore.WithLogger(nil))
	if err := a.Close(); err != nil || n != 0 {
		t.Fatalf("CloseDriver(false) closed the driver: %d, %v", n, err)
	}
	if _, err := a.Get(context.Background(), "x"); !errors.Is(err, secretstore.ErrClosed) {
		t.Fatalf("the Store itself must still close: %v", err)
	}
	b := secretstore.New(d, secretstore.WithLogger(nil))
	b.Close()
	if n != 1 {
		t.Fatal("the owning Store did not close the driver")
	}
}

// registerDenied registers the scheme x-denied once, so that the test can
// run with -count above 1 (Register refuses a second registration).
var registerDenied = sync.OnceFunc(func() {
	secretstore.Register("x-denied", func(context.Context, *url.URL) (driver.Store, error) {
		return nil, driver.Errorf(driver.PermissionDenied, "wrong key")
	})
})

func TestOpenClassifiesDriverErrors(t *testing.T) {
	registerDenied()
	_, err := secretstore.Open(context.Background(), "x-denied://")
	if !errors.Is(err, secretstore.ErrPermissionDenied) || secretstore.Code(err) != driver.PermissionDenied {
		t.Fatalf("an opener's classified error: %v", err)
	}
	if !strings.Contains(err.Error(), "wrong key") || !strings.Contains(err.Error(), "open") {
		t.Fatalf("message: %q", err)
	}
}

package infisical

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	sdk "github.com/infisical/go-sdk"
	sdkerrors "github.com/infisical/go-sdk/packages/errors"

	"github.com/secretstore-go/secretstore"
	"github.com/secretstore-go/secretstore/driver"
	"github.com/secretstore-go/secretstore/infisical/internal/fakeinfisical"
)

// TestExpiredTokenLogsInAgain: a token Infisical refuses (401) costs one new
// login, shared by every concurrent caller, and the calls succeed.
func TestExpiredTokenLogsInAgain(t *testing.T) {
	fx := newFixture(t, nil)
	d := fx.open(t, nil)
	s := store(t, d)
	ctx := t.Context()
	if err := s.Set(ctx, "db/password", "hunter2"); err != nil {
		t.Fatal(err)
	}
	logins := fx.fake.Requests(fakeinfisical.OpLogin)
	fx.fake.ExpireTokens()

	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			ss, err := s.Get(ctx, "db/password")
			switch {
			case err != nil:
				errs <- err
			case ss.Reveal("db/password") != "hunter2":
				errs <- errors.New("wrong value after a new login")
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := fx.fake.Requests(fakeinfisical.OpLogin) - logins; got != 1 {
		t.Errorf("%d logins after the token expired, want 1", got)
	}
	if fx.fake.Unauthorized() == 0 {
		t.Error("the fake never refused the expired token: the test proves nothing")
	}
}

// TestRenewsBeforeExpiry: the driver logs in again shortly before the
// token's expiresIn, so that no request is refused.
func TestRenewsBeforeExpiry(t *testing.T) {
	fx := newFixture(t, nil)
	fx.fake.SetTokenTTL(3600)
	var mu sync.Mutex
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	d := fx.open(t, func(o *Options) { o.now = clock })
	ctx := t.Context()

	logins := fx.fake.Requests(fakeinfisical.OpLogin)
	advance(50 * time.Minute) // 3600 s tokens are renewed from 59 minutes on
	if _, err := d.Get(ctx, []string{"a"}); err != nil {
		t.Fatal(err)
	}
	if got := fx.fake.Requests(fakeinfisical.OpLogin); got != logins {
		t.Fatalf("logged in again %d minutes before expiry", 10)
	}
	advance(9*time.Minute + time.Second)
	if _, err := d.Get(ctx, []string{"a"}); err != nil {
		t.Fatal(err)
	}
	if got := fx.fake.Requests(fakeinfisical.OpLogin); got != logins+1 {
		t.Fatalf("%d new logins a minute before expiry, want 1", got-logins)
	}
	if n := fx.fake.Unauthorized(); n != 0 {
		t.Fatalf("%d requests refused with 401: the renewal came too late", n)
	}
}

// TestThrottledRequestsAreRetried: 429 answers are repeated with backoff
// until one succeeds.
func TestThrottledRequestsAreRetried(t *testing.T) {
	fx := newFixture(t, nil)
	d := fx.open(t, nil)
	s := store(t, d)
	ctx := t.Context()
	if err := s.Set(ctx, "k", "v"); err != nil {
		t.Fatal(err)
	}
	before := fx.fake.Requests(fakeinfisical.OpRetrieve)
	fx.fake.Fail(fakeinfisical.OpRetrieve, http.StatusTooManyRequests,
		`{"statusCode":429,"error":"Too Many Requests","message":"Rate limit exceeded, retry in 1 minute"}`, 3)
	ss, err := s.Get(ctx, "k")
	if err != nil || ss.Reveal("k") != "v" {
		t.Fatalf("Get through 3 throttled answers: %v", err)
	}
	if got := fx.fake.Requests(fakeinfisical.OpRetrieve) - before; got != 4 {
		t.Fatalf("%d retrieve requests, want 4 (3 throttled, 1 served)", got)
	}

	// Writes too, and a throttled login.
	fx.fake.Fail(fakeinfisical.OpUpdate, http.StatusTooManyRequests, `{}`, 2)
	if err := s.Set(ctx, "k", "w"); err != nil {
		t.Fatalf("Set through 2 throttled answers: %v", err)
	}
	fx.fake.ExpireTokens()
	fx.fake.Fail(fakeinfisical.OpLogin, http.StatusServiceUnavailable, `{}`, 1)
	if ss, err := s.Get(ctx, "k"); err != nil || ss.Reveal("k") != "w" {
		t.Fatalf("Get through a refused token and an unavailable login: %v", err)
	}
}

// TestThrottlingGivesUp: after MaxRetries the error is Unavailable, and a
// 500 is not repeated at all.
func TestThrottlingGivesUp(t *testing.T) {
	fx := newFixture(t, nil)
	d := fx.open(t, func(o *Options) { o.MaxRetries = 2 })
	s := store(t, d)
	before := fx.fake.Requests(fakeinfisical.OpRetrieve)
	fx.fake.Fail(fakeinfisical.OpRetrieve, http.StatusTooManyRequests, `{}`, 100)
	_, err := s.Get(t.Context(), "k")
	if !errors.Is(err, secretstore.ErrUnavailable) {
		t.Fatalf("Get while throttled: %v, want ErrUnavailable", err)
	}
	if got := fx.fake.Requests(fakeinfisical.OpRetrieve) - before; got != 3 {
		t.Fatalf("%d requests with MaxRetries 2, want 3", got)
	}
	if !strings.Contains(err.Error(), "429") {
		t.Errorf("the error does not give the status: %q", err)
	}
}

// TestErrorsHoldNoResponseBody: a 500 (or 422, which the SDK keeps whole)
// whose body holds a canary never lets it reach the error, on any
// operation; the class is right and the SDK's error is not reachable.
func TestErrorsHoldNoResponseBody(t *testing.T) {
	fx := newFixture(t, nil)
	d := fx.open(t, nil)
	s := store(t, d)
	ctx := t.Context()
	if err := s.Set(ctx, "a/x", "1"); err != nil {
		t.Fatal(err)
	}
	const canary = "canary-6f1d0b9a"
	body := `{"reqId":"` + canary + `","statusCode":500,"message":"decrypt failed for value ` + canary + `","error":"` + canary + `"}`
	cases := []struct {
		op, what string
		status   int
		want     error
		call     func() error
	}{
		{fakeinfisical.OpRetrieve, "Get", 500, secretstore.ErrUnavailable, func() error { _, err := s.Get(ctx, "a/x"); return err }},
		{fakeinfisical.OpList, "Get of two", 500, secretstore.ErrUnavailable, func() error { _, err := s.Get(ctx, "a/x", "a/y"); return err }},
		{fakeinfisical.OpList, "List", 500, secretstore.ErrUnavailable, func() error { _, err := s.List(ctx, "a/"); return err }},
		{fakeinfisical.OpUpdate, "Set", 500, secretstore.ErrUnavailable, func() error { return s.Set(ctx, "a/x", "2") }},
		{fakeinfisical.OpDelete, "Remove", 500, secretstore.ErrUnavailable, func() error { return s.Remove(ctx, "a/x") }},
		{fakeinfisical.OpRetrieve, "Get (422)", 422, nil, func() error { _, err := s.Get(ctx, "a/x"); return err }},
		{fakeinfisical.OpRetrieve, "Get (403)", 403, secretstore.ErrPermissionDenied, func() error { _, err := s.Get(ctx, "a/x"); return err }},
		{fakeinfisical.OpRetrieve, "Get (501)", 501, secretstore.ErrNotSupported, func() error { _, err := s.Get(ctx, "a/x"); return err }},
	}
	for _, c := range cases {
		before := fx.fake.Requests(c.op)
		fx.fake.Fail(c.op, c.status, body, 1)
		err := c.call()
		if err == nil {
			t.Errorf("%s with a %d answer: no error", c.what, c.status)
			continue
		}
		if strings.Contains(err.Error(), canary) {
			t.Errorf("%s: the error holds the response body: %q", c.what, err)
		}
		if c.want != nil && !errors.Is(err, c.want) {
			t.Errorf("%s with a %d answer: %v, want %v", c.what, c.status, err, c.want)
		}
		if c.want == nil && secretstore.Code(err) != driver.Unknown {
			t.Errorf("%s with a %d answer: code %v, want unknown", c.what, c.status, secretstore.Code(err))
		}
		var api *sdkerrors.APIError
		if errors.As(err, &api) {
			t.Errorf("%s: the SDK's error, which holds the body's message, is reachable", c.what)
		}
		var e *Error
		if !errors.As(err, &e) || e.StatusCode != c.status {
			t.Errorf("%s: the driver's *Error is not reachable or has the wrong status: %v", c.what, err)
		}
		if got := fx.fake.Requests(c.op) - before; got != 1 {
			t.Errorf("%s: a %d answer was repeated (%d requests)", c.what, c.status, got)
		}
	}
}

// TestPermissionErrors: wrong credentials fail New, a project the identity
// is not a member of fails every call, both as PermissionDenied; a missing
// environment fails New as NotFound.
func TestPermissionErrors(t *testing.T) {
	fx := newFixture(t, nil)
	writeFile(t, fx.secretFile, "wrong-secret")
	_, err := New(t.Context(), fx.options())
	if driver.CodeOf(err) != driver.PermissionDenied || !strings.Contains(err.Error(), "401") {
		t.Fatalf("New with a wrong client secret: %v, want permission denied (401)", err)
	}
	if strings.Contains(err.Error(), "wrong-secret") {
		t.Fatalf("the error holds the client secret: %q", err)
	}
	writeFile(t, fx.secretFile, testSecret)

	fx.fake.AddProject("other-project", testEnv)
	d := fx.open(t, func(o *Options) { o.ProjectID = "other-project" })
	_, err = store(t, d).Get(t.Context(), "k")
	if !errors.Is(err, secretstore.ErrPermissionDenied) {
		t.Fatalf("Get in a project the identity is not in: %v, want ErrPermissionDenied", err)
	}

	_, err = New(t.Context(), func() Options { o := fx.options(); o.Environment = "staging"; return o }())
	if driver.CodeOf(err) != driver.NotFound {
		t.Fatalf("New with a missing environment: %v, want not found", err)
	}
}

// TestRoundTrips: the names of one folder cost one list request, lone names
// one retrieve each; a list Infisical refuses because of one hidden secret
// falls back to retrieving the asked names, and only the hidden one is
// refused.
func TestRoundTrips(t *testing.T) {
	fx := newFixture(t, nil)
	d := fx.open(t, nil)
	s := store(t, d)
	ctx := t.Context()
	for _, n := range []string{"db/host", "db/user", "db/password", "db/port", "api/key", "smtp/password", "top"} {
		if err := s.Set(ctx, n, "value of "+n); err != nil {
			t.Fatal(err)
		}
	}
	lists, retrieves := fx.fake.Requests(fakeinfisical.OpList), fx.fake.Requests(fakeinfisical.OpRetrieve)
	names := []string{"db/host", "db/user", "db/password", "db/missing", "api/key", "smtp/password", "top", "nowhere/x"}
	ss, err := s.Get(ctx, names...)
	if err != nil {
		t.Fatal(err)
	}
	if len(ss) != 6 || ss.Reveal("db/password") != "value of db/password" || ss.Reveal("top") != "value of top" {
		t.Fatalf("Get returned %d secrets, want 6 with the right values", len(ss))
	}
	if got := fx.fake.Requests(fakeinfisical.OpList) - lists; got != 1 {
		t.Errorf("%d list requests, want 1 (for the 4 names in db/)", got)
	}
	if got := fx.fake.Requests(fakeinfisical.OpRetrieve) - retrieves; got != 4 {
		t.Errorf("%d retrieve requests, want 4 (api/key, smtp/password, top, nowhere/x)", got)
	}

	fx.fake.Hide(testProject, testEnv, "/db", "port")
	lists, retrieves = fx.fake.Requests(fakeinfisical.OpList), fx.fake.Requests(fakeinfisical.OpRetrieve)
	ss, err = s.Get(ctx, "db/host", "db/user")
	if err != nil || ss.Reveal("db/host") != "value of db/host" || ss.Reveal("db/user") != "value of db/user" {
		t.Fatalf("Get beside a hidden secret: %v", err)
	}
	if l, r := fx.fake.Requests(fakeinfisical.OpList)-lists, fx.fake.Requests(fakeinfisical.OpRetrieve)-retrieves; l != 1 || r != 2 {
		t.Errorf("Get beside a hidden secret: %d lists and %d retrieves, want 1 refused list and 2 retrieves", l, r)
	}
	if _, err := s.Get(ctx, "db/host", "db/port"); !errors.Is(err, secretstore.ErrPermissionDenied) {
		t.Errorf("Get of a hidden secret: %v, want ErrPermissionDenied", err)
	}
}

// TestConcurrencyBound: the requests of one Get run concurrently, never more
// than Options.Parallel at once.
func TestConcurrencyBound(t *testing.T) {
	const limit = 3
	var mu sync.Mutex
	inflight, peak := 0, 0
	reached := make(chan struct{})
	var gate sync.Once
	open := func() { gate.Do(func() { close(reached) }) }
	wrap := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodGet || !strings.HasPrefix(r.URL.Path, "/api/v3/secrets/raw/") {
				h.ServeHTTP(w, r)
				return
			}
			mu.Lock()
			inflight++
			peak = max(peak, inflight)
			first := inflight == limit
			mu.Unlock()
			if first {
				// The limit is reached: give a driver that overshoots it
				// a moment to send more before anything is answered.
				<-time.After(100 * time.Millisecond)
				open()
			}
			// Hold the first requests until the limit is reached, so that a
			// driver that sends them one after another fails (after the
			// safety timeout) rather than passes.
			select {
			case <-reached:
			case <-time.After(5 * time.Second):
				open()
			}
			h.ServeHTTP(w, r)
			mu.Lock()
			inflight--
			mu.Unlock()
		})
	}
	fx := newFixture(t, wrap)
	d := fx.open(t, func(o *Options) { o.Parallel = limit })
	var names []string
	for i := range 10 {
		names = append(names, fmt.Sprintf("f%d/k", i)) // one name per folder: 10 retrieves
	}
	if _, err := d.Get(t.Context(), names); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if peak != limit {
		t.Fatalf("at most %d requests were in flight at once, want exactly %d", peak, limit)
	}
}

// TestCanceledWhileWaiting: a Get returns as soon as its context is done,
// although the SDK's call cannot be canceled.
func TestCanceledWhileWaiting(t *testing.T) {
	fx := newFixture(t, nil)
	d := fx.open(t, nil)
	entered, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	fx.fake.SetHook(func(op string) {
		if op == fakeinfisical.OpRetrieve {
			once.Do(func() { close(entered) })
			<-release
		}
	})
	t.Cleanup(func() { close(release) })
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		_, err := d.Get(ctx, []string{"k"})
		done <- err
	}()
	<-entered
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Get canceled while the request was held: %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Get did not return after its context was canceled")
	}
}

// TestApprovalPolicy: a change Infisical holds for approval is a conflict,
// not a success.
func TestApprovalPolicy(t *testing.T) {
	fx := newFixture(t, nil)
	s := store(t, fx.open(t, nil))
	if err := s.Set(t.Context(), "k", "v"); err != nil {
		t.Fatal(err)
	}
	fx.fake.SetApproval(true)
	if err := s.Set(t.Context(), "k", "w"); !errors.Is(err, secretstore.ErrConflict) {
		t.Fatalf("Set under an approval policy: %v, want ErrConflict", err)
	}
	if err := s.Remove(t.Context(), "k"); !errors.Is(err, secretstore.ErrConflict) {
		t.Fatalf("Remove under an approval policy: %v, want ErrConflict", err)
	}
	if v, _ := fx.fake.Value(testProject, testEnv, "/", "k"); v != "v" {
		t.Fatal("the fake applied a change held for approval")
	}
}

// TestRacingCreates: writers that create the same new secret (and its new
// folders) at once all succeed; one value wins.
func TestRacingCreates(t *testing.T) {
	fx := newFixture(t, nil)
	d := fx.open(t, nil)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := range 8 {
		wg.Go(func() {
			if err := d.Set(t.Context(), "new/folder/key", fmt.Sprint("v", i)); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("a racing Set failed: %v", err)
	}
	m, err := d.Get(t.Context(), []string{"new/folder/key"})
	if err != nil || !strings.HasPrefix(m["new/folder/key"], "v") {
		t.Fatalf("after racing Sets: %q, %v", m, err)
	}
	if creates := fx.fake.Requests(fakeinfisical.OpCreate); creates < 2 {
		t.Logf("only %d create requests: the race did not happen this time", creates)
	}
}

// TestStoredForm: names become folders and keys as documented, values are
// stored plain when Infisical keeps them and encoded otherwise, and the fake
// trims written values as Infisical does (which is why).
func TestStoredForm(t *testing.T) {
	fx := newFixture(t, nil)
	d := fx.open(t, func(o *Options) { o.Path = "/svc" })
	ctx := t.Context()
	pem := "-----BEGIN KEY-----\nabc\n-----END KEY-----\n"
	for name, value := range map[string]string{
		"tenant:acme/db.primary/DB_PASSWORD": "s3cret",
		"tenant:acme/db.primary/a:b=c":       "  padded  ",
		"pem":                                pem,
		"empty":                              "",
	} {
		if err := d.Set(ctx, name, value); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"/", "/svc", "/svc/tenant_3Aacme", "/svc/tenant_3Aacme/db_2Eprimary"}
	if got := fx.fake.Folders(testProject, testEnv); !slices.Equal(got, want) {
		t.Errorf("folders %q, want %q", got, want)
	}
	if got := fx.fake.Keys(testProject, testEnv, "/svc/tenant_3Aacme/db_2Eprimary"); !slices.Equal(got, []string{"DB_PASSWORD", "a=3Ab=3Dc"}) {
		t.Errorf("keys %q", got)
	}
	stored := func(path, key string) string {
		v, _ := fx.fake.Value(testProject, testEnv, path, key)
		return v
	}
	if v := stored("/svc/tenant_3Aacme/db_2Eprimary", "DB_PASSWORD"); v != "s3cret" {
		t.Errorf("a plain value is stored as %q", v)
	}
	if v := stored("/svc", "pem"); v != pem {
		t.Errorf("a PEM block is stored as %q", v)
	}
	for _, k := range []string{"empty"} {
		if v := stored("/svc", k); !strings.HasPrefix(v, ValuePrefix) {
			t.Errorf("%s is stored as %q, want the base64 form", k, v)
		}
	}
	if v := stored("/svc/tenant_3Aacme/db_2Eprimary", "a=3Ab=3Dc"); v != ValuePrefix+"ICBwYWRkZWQgIA==" {
		t.Errorf("a padded value is stored as %q", v)
	}
	names, err := d.List(ctx, "tenant:acme/")
	slices.Sort(names)
	if err != nil || !slices.Equal(names, []string{"tenant:acme/db.primary/DB_PASSWORD", "tenant:acme/db.primary/a:b=c"}) {
		t.Errorf("List = %q, %v", names, err)
	}

	// Through the SDK directly, as Infisical does, a padded value loses its
	// padding: the driver's encoding is what keeps it.
	var c sdk.InfisicalClientInterface
	if !d.As(&c) {
		t.Fatal("As(*sdk.InfisicalClientInterface) = false")
	}
	if _, err := c.Secrets().Create(sdk.CreateSecretOptions{SecretKey: "raw", ProjectID: testProject, Environment: testEnv,
		SecretPath: "/svc", SecretValue: "  padded  "}); err != nil {
		t.Fatal(err)
	}
	if v := stored("/svc", "raw"); v != "padded" {
		t.Errorf("the fake stored %q for %q: it does not trim as Infisical does", v, "  padded  ")
	}
}

// TestListLeavesOutForeignSecrets: secrets made by other means whose key or
// folder is not the image of a portable name are not listed; those that are
// (plain keys) are, and read as written.
func TestListLeavesOutForeignSecrets(t *testing.T) {
	fx := newFixture(t, nil)
	d := fx.open(t, nil)
	fx.fake.Put(testProject, testEnv, "/", "DATABASE_URL", "postgres://x")
	fx.fake.Put(testProject, testEnv, "/", "has space", "x")
	fx.fake.Put(testProject, testEnv, "/", "a=3a", "x") // lower-case escape: not canonical
	fx.fake.Put(testProject, testEnv, "/team_x", "K", "x")
	fx.fake.Put(testProject, testEnv, "/team-y", "K", "y")
	names, err := d.List(t.Context(), "")
	slices.Sort(names)
	if err != nil || !slices.Equal(names, []string{"DATABASE_URL", "team-y/K"}) {
		t.Fatalf("List = %q, %v; want [DATABASE_URL team-y/K]", names, err)
	}
	m, err := d.Get(t.Context(), []string{"DATABASE_URL"})
	if err != nil || m["DATABASE_URL"] != "postgres://x" {
		t.Fatalf("Get of a secret made in Infisical: %q, %v", m, err)
	}
}

// TestClosed: a closed driver refuses calls, with code Unknown: Closed is the
// portable Store's class, never a driver's.
func TestClosed(t *testing.T) {
	fx := newFixture(t, nil)
	d := fx.open(t, nil)
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Get(t.Context(), []string{"k"}); err == nil || driver.CodeOf(err) != driver.Unknown {
		t.Fatalf("Get after Close: %v, want code unknown", err)
	}
	if err := d.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

// TestOptionsRefused: invalid options fail New before any request.
func TestOptionsRefused(t *testing.T) {
	fx := newFixture(t, nil)
	for name, edit := range map[string]func(*Options){
		"no project":       func(o *Options) { o.ProjectID = "" },
		"no environment":   func(o *Options) { o.Environment = "" },
		"relative path":    func(o *Options) { o.Path = "apps" },
		"dotted path":      func(o *Options) { o.Path = "/apps/a.b" },
		"no login":         func(o *Options) { o.ClientIDFile, o.ClientSecretFile = "", "" },
		"two logins":       func(o *Options) { o.Login = TokenFileLogin("x") },
		"not a URL":        func(o *Options) { o.SiteURL = "app.infisical.com" },
		"negative workers": func(o *Options) { o.Parallel = -1 },
	} {
		opts := fx.options()
		edit(&opts)
		if _, err := New(t.Context(), opts); err == nil {
			t.Errorf("%s: New succeeded", name)
		}
	}
	if n := fx.fake.Requests(""); n != 0 {
		t.Errorf("invalid options sent %d requests", n)
	}
}

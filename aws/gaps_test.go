package awssm_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/secretstore-go/secretstore"
	awssm "github.com/secretstore-go/secretstore/aws"
	"github.com/secretstore-go/secretstore/aws/internal/fakeaws"
	"github.com/secretstore-go/secretstore/driver"
)

// TestForceDeleteCompletesLater: AWS deletes a secret removed with
// ForceDeleteWithoutRecovery asynchronously, refusing to create its name
// meanwhile (the fake for ForceDeleteLag requests). Set and
// CompareAndSwap back off and create again; they give up, Unavailable,
// after a bounded number of waits, and stop waiting when ctx ends.
func TestForceDeleteCompletesLater(t *testing.T) {
	f := fakeaws.New(t)
	f.ForceDeleteLag = 6
	d := newStore(t, f.HTTP.URL, nil, awssm.Options{ForceDelete: true})
	var waits atomic.Int32
	awssm.SetBackoff(d, func(int) time.Duration { waits.Add(1); return 0 })
	ctx := t.Context()
	for _, op := range []string{"set", "swap"} {
		if err := d.Set(ctx, "k", "one"); err != nil {
			t.Fatal(err)
		}
		if err := d.Remove(ctx, "k"); err != nil {
			t.Fatal(err)
		}
		f.Mu.Lock()
		_, pending := f.Gone["k"]
		f.Mu.Unlock()
		if !pending {
			t.Fatal("the fake did not keep the force-deleted name pending")
		}
		waits.Store(0)
		var err error
		if op == "set" {
			err = d.Set(ctx, "k", "two")
		} else {
			err = d.CompareAndSwap(ctx, "k", nil, "two")
		}
		if err != nil {
			t.Fatalf("%s right after a forced deletion: %v", op, err)
		}
		if waits.Load() == 0 {
			t.Fatalf("%s did not wait for the deletion to complete", op)
		}
		if cur, _, err := d.GetVersions(ctx, "k"); err != nil || cur == nil || *cur != "two" {
			t.Fatalf("after %s: %v", op, err)
		}
		if err := d.Remove(ctx, "k"); err != nil {
			t.Fatal(err)
		}
	}

	// A deletion that never completes: bounded.
	f.Mu.Lock()
	f.ForceDeleteLag = 1 << 30
	f.Mu.Unlock()
	if err := d.Set(ctx, "slow", "one"); err != nil {
		t.Fatal(err)
	}
	if err := d.Remove(ctx, "slow"); err != nil {
		t.Fatal(err)
	}
	waits.Store(0)
	err := d.Set(ctx, "slow", "two")
	if driver.CodeOf(err) != driver.Unavailable || !strings.Contains(err.Error(), "still being deleted") {
		t.Fatalf("Set while the deletion never completes: %v, want Unavailable", err)
	}
	if n := waits.Load(); n == 0 || n > 20 {
		t.Fatalf("%d waits, want a few", n)
	}
	// The context ends while waiting.
	cctx, cancel := context.WithCancel(ctx)
	awssm.SetBackoff(d, func(int) time.Duration { cancel(); return time.Hour })
	err = d.Set(cctx, "slow", "two")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Set whose context ends while it waits: %v", err)
	}
	if c := d.ErrorCode(err); c != driver.Canceled {
		t.Fatalf("classified %v, want Canceled", c)
	}
}

// TestForceDeleteMissing: AWS answers a forced deletion of a missing
// secret as done, and so does Remove.
func TestForceDeleteMissing(t *testing.T) {
	f := fakeaws.New(t)
	d := newStore(t, f.HTTP.URL, nil, awssm.Options{ForceDelete: true})
	f.Mu.Lock()
	f.Fail = func(action string, _ *fakeaws.Request) (int, string, string) {
		if action == "DeleteSecret" && len(f.Secrets) != 0 {
			return 500, "Unexpected", ""
		}
		return 0, "", ""
	}
	f.Mu.Unlock()
	if err := d.Remove(t.Context(), "never/written"); err != nil {
		t.Fatalf("force-deleting a missing secret: %v", err)
	}
	if n := f.Count("DeleteSecret"); n != 1 {
		t.Fatalf("%d DeleteSecret calls, want 1", n)
	}
}

// TestBatchEmptyPages: BatchGetSecretValue answers that start with a page
// holding nothing but a token are followed to the end; an answer whose
// pages never end fails after MaxBatchPages pages, Unavailable.
func TestBatchEmptyPages(t *testing.T) {
	f := fakeaws.New(t)
	st := secretstore.New(newStore(t, f.HTTP.URL, nil, awssm.Options{}), secretstore.EnableSet(true))
	ns := names(5)
	seed(t, st, ns)
	f.Mu.Lock()
	f.EmptyPages, f.BatchPage = true, 2
	f.Mu.Unlock()
	f.ResetCounts()
	ss, err := st.Get(t.Context(), ns...)
	if err != nil || len(ss) != len(ns) {
		t.Fatalf("Get over an empty first page: %d secrets, %v", len(ss), err)
	}
	if n := f.Count("BatchGetSecretValue"); n != 4 {
		t.Fatalf("%d pages read, want 4 (one empty, three with values)", n)
	}

	var pages atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pages.Add(1)
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		_ = json.NewEncoder(w).Encode(map[string]any{"SecretValues": []any{}, "NextToken": "more"})
	}))
	defer srv.Close()
	st = secretstore.New(newStore(t, srv.URL, nil, awssm.Options{}))
	_, err = st.Get(t.Context(), "a", "b")
	if !errors.Is(err, secretstore.ErrUnavailable) || !strings.Contains(err.Error(), "next page") {
		t.Fatalf("Get whose pages never end: %v", err)
	}
	if n := pages.Load(); n != awssm.MaxBatchPages {
		t.Fatalf("%d pages read, want %d", n, awssm.MaxBatchPages)
	}
}

// TestVersionQuota: PutSecretValue beyond AWS's quota of versions fails
// with LimitExceededException, which Set reports as InvalidValue (retrying
// will not help for hours), naming the code.
func TestVersionQuota(t *testing.T) {
	f := fakeaws.New(t)
	f.MaxVersions = 2
	st := secretstore.New(newStore(t, f.HTTP.URL, nil, awssm.Options{}), secretstore.EnableSet(true))
	ctx := t.Context()
	for _, v := range []string{"one", "two"} {
		if err := st.Set(ctx, "busy", v); err != nil {
			t.Fatal(err)
		}
	}
	err := st.Set(ctx, "busy", "three")
	if !errors.Is(err, secretstore.ErrInvalidValue) || errors.Is(err, secretstore.ErrUnavailable) || !strings.Contains(err.Error(), "LimitExceededException") {
		t.Fatalf("Set beyond the version quota: %v, want ErrInvalidValue naming LimitExceededException", err)
	}
}

// TestPartialARN: AWS may take a name ending in '-' and six characters for
// the partial ARN of another secret (prod/db, whose ARN ends in
// "prod/db-master"), and answer with that secret. The driver checks the
// Name AWS answers with: the name reads as missing, in one read and in a
// batch, Set creates the secret of that very name without touching the
// other, and Remove of the missing name deletes nothing.
func TestPartialARN(t *testing.T) {
	f := fakeaws.New(t)
	d := newStore(t, f.HTTP.URL, nil, awssm.Options{})
	st := secretstore.New(d, secretstore.EnableSet(true), secretstore.EnableRemove(true))
	ctx := t.Context()
	v := "the db secret"
	f.Seed("prod/db", &v, nil)
	f.Mu.Lock()
	f.Secrets["prod/db"].Suffix = "master"
	f.Mu.Unlock()
	if _, ok, err := st.Lookup(ctx, "prod/db-master"); ok || err != nil {
		t.Fatalf("Lookup of a partial ARN of another secret: found %v, %v", ok, err)
	}
	ss, err := st.Get(ctx, "prod/db-master", "other")
	if err != nil || ss.Has("prod/db-master") {
		t.Fatalf("batch Get of a partial ARN of another secret: %v, found %v", err, ss.Has("prod/db-master"))
	}
	if cur, _, err := d.GetVersions(ctx, "prod/db-master"); cur != nil || err != nil {
		t.Fatalf("GetVersions of a partial ARN of another secret: %v", err)
	}
	if err := st.Remove(ctx, "prod/db-master"); err != nil {
		t.Fatal(err)
	}
	f.Mu.Lock()
	_, kept := f.Secrets["prod/db"]
	f.Mu.Unlock()
	if !kept {
		t.Fatal("Remove of a missing name deleted the secret whose partial ARN it is")
	}
	if err := st.Set(ctx, "prod/db-master", "master"); err != nil {
		t.Fatal(err)
	}
	ss, err = st.Get(ctx, "prod/db", "prod/db-master")
	if err != nil || ss.Reveal("prod/db") != v || ss.Reveal("prod/db-master") != "master" {
		t.Fatalf("after Set: %v; want both secrets with their own values", err)
	}
	if err := st.Remove(ctx, "prod/db-master"); err != nil {
		t.Fatal(err)
	}
	f.Mu.Lock()
	_, kept = f.Secrets["prod/db"]
	m := f.Secrets["prod/db-master"]
	f.Mu.Unlock()
	if !kept || m == nil || !m.Deleted {
		t.Fatal("Remove deleted the wrong secret")
	}
}

// TestStageAlwaysNamed: every GetSecretValue names its VersionStage (moto
// answers a stage-less read from its own idea of the default version).
func TestStageAlwaysNamed(t *testing.T) {
	f := fakeaws.New(t)
	d := newStore(t, f.HTTP.URL, nil, awssm.Options{})
	st := secretstore.New(d, secretstore.EnableSet(true))
	var stageless atomic.Int32
	f.Mu.Lock()
	f.Fail = func(action string, req *fakeaws.Request) (int, string, string) {
		if action == "GetSecretValue" && req.VersionStage == "" {
			stageless.Add(1)
		}
		return 0, "", ""
	}
	f.Mu.Unlock()
	ctx := t.Context()
	if err := st.Set(ctx, "k", "one"); err != nil {
		t.Fatal(err)
	}
	if err := st.Set(ctx, "k", "two"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Get(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Versions(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	two := "two"
	if err := d.CompareAndSwap(ctx, "k", &two, "three"); err != nil {
		t.Fatal(err)
	}
	if f.Count("GetSecretValue") < 5 || stageless.Load() != 0 {
		t.Fatalf("%d of %d reads named no stage", stageless.Load(), f.Count("GetSecretValue"))
	}
}

// TestNativeNames: in native mode (the default) a name is the AWS secret
// name; one AWS cannot hold is refused before any request, naming AWS's
// rule; List lists every secret whose name is valid, whoever wrote it.
func TestNativeNames(t *testing.T) {
	f := fakeaws.New(t)
	d := newStore(t, f.HTTP.URL, nil, awssm.Options{})
	st := secretstore.New(d, secretstore.EnableSet(true), secretstore.EnableRemove(true))
	ctx := t.Context()
	v := "v"
	for _, n := range []string{"p/myapp-secret", "p/prod/db-master", "p/a=b", "p/rds!db-1", "p/has space", "p//double", "p/ünï", "p/-abcdef", "q/other"} {
		f.Seed(n, &v, nil)
	}
	got, err := st.List(ctx, "p/")
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	if want := []string{"p/-abcdef", "p/a=b", "p/myapp-secret", "p/prod/db-master", "p/rds!db-1"}; !slices.Equal(got, want) {
		t.Fatalf("List = %q, want %q", got, want)
	}
	if got, err := st.List(ctx, "p/rds!"); err != nil || !slices.Equal(got, []string{"p/rds!db-1"}) {
		t.Fatalf("List(p/rds!) = %q, %v", got, err)
	}
	ss, err := st.Get(ctx, "p/myapp-secret", "p/rds!db-1")
	if err != nil || ss.Reveal("p/myapp-secret") != v || ss.Reveal("p/rds!db-1") != v {
		t.Fatalf("Get of natively named secrets: %v", err)
	}
	f.ResetCounts()
	for _, op := range []func() error{
		func() error { _, err := st.Get(ctx, "a:b"); return err },
		func() error { _, err := st.Get(ctx, "ok", "a:b"); return err },
		func() error { return st.Set(ctx, "a:b", "x") },
		func() error { return st.Remove(ctx, "a:b") },
		func() error { _, err := st.Versions(ctx, "a:b"); return err },
		func() error { return d.CompareAndSwap(ctx, "a:b", nil, "x") },
	} {
		err := op()
		if driver.CodeOf(err) != driver.InvalidName && !errors.Is(err, secretstore.ErrInvalidName) {
			t.Fatalf("a name with ':' in native mode: %v, want ErrInvalidName", err)
		}
		if !strings.Contains(err.Error(), "/ _ + = . @ -") {
			t.Fatalf("the error %q does not state AWS's rule", err)
		}
	}
	if got, err := st.List(ctx, "a:"); err != nil || len(got) != 0 {
		t.Fatalf("List of a prefix no AWS name has: %q, %v", got, err)
	}
	if n := f.Count(""); n != 0 {
		t.Fatalf("names AWS cannot hold made %d requests", n)
	}
	if _, err := awssm.New(newClient(f.HTTP.URL, nil), awssm.Options{Names: 7}); err == nil {
		t.Fatal("New accepted an unknown name mode")
	}
}

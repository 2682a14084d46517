package vault_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/secretstore-go/secretstore"
	"github.com/secretstore-go/secretstore/driver"
	"github.com/secretstore-go/secretstore/vault"
)

// These tests need no Vault: a local HTTP server answers what a Vault in
// trouble answers, to pin down retries, deadlines and what errors say.

const bodyCanary = "body-canary-7f3a9c"

// troubled serves lookup-self and the mount's description (the driver
// asks for each once) and answers every other request with status and a
// body holding bodyCanary.
func troubled(t *testing.T, status int, header http.Header) (addr string, hits *atomic.Int64) {
	addr, hits, _ = troubledFirst(t, status, header)
	return addr, hits
}

// troubledFirst is troubled that also closes first when the first answer
// is on its way.
func troubledFirst(t *testing.T, status int, header http.Header) (addr string, hits *atomic.Int64, first chan struct{}) {
	t.Helper()
	hits = new(atomic.Int64)
	first = make(chan struct{})
	var once sync.Once
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v1/auth/token/lookup-self":
			w.Write([]byte(`{"data":{"ttl":0,"renewable":false}}`))
			return
		case "/v1/sys/internal/ui/mounts/secret":
			w.Write([]byte(`{"data":{"type":"kv","path":"secret/","options":{"version":"2"}}}`))
			return
		}
		hits.Add(1)
		defer once.Do(func() { close(first) })
		for k, vs := range header {
			w.Header()[k] = vs
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		w.Write([]byte(`{"errors":["` + bodyCanary + `"]}`))
	}))
	t.Cleanup(srv.Close)
	return srv.URL, hits, first
}

func openTroubled(t *testing.T, addr string, o vault.Options) *secretstore.Store {
	t.Helper()
	o.Address, o.Mount, o.Auth = addr, "secret", vault.Token("test-token-"+bodyCanary[:4])
	o.Logger = slog.New(slog.DiscardHandler)
	d, err := vault.New(o)
	if err != nil {
		t.Fatal(err)
	}
	s := secretstore.New(d, secretstore.EnableSet(true), secretstore.EnableRemove(true), secretstore.WithLogger(slog.New(slog.DiscardHandler)))
	t.Cleanup(func() { s.Close() })
	return s
}

func TestRetriesThenUnavailable(t *testing.T) {
	for _, status := range []int{http.StatusServiceUnavailable, http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusPreconditionFailed} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			addr, hits := troubled(t, status, http.Header{"Retry-After": {"0"}})
			s := openTroubled(t, addr, vault.Options{MaxRetries: 3, MinWait: time.Millisecond, MaxWait: 5 * time.Millisecond})
			_, err := s.Get(t.Context(), "a")
			if !errors.Is(err, secretstore.ErrUnavailable) {
				t.Fatalf("Get from a server answering %d: %v, want ErrUnavailable", status, err)
			}
			if n := hits.Load(); n != 4 {
				t.Fatalf("%d requests, want 1 + 3 retries", n)
			}
			if strings.Contains(err.Error(), bodyCanary) {
				t.Fatalf("the error repeats the response body: %q", err)
			}
		})
	}
}

func TestNoRetryOnRefusals(t *testing.T) {
	for _, c := range []struct {
		status int
		class  error
	}{
		{http.StatusForbidden, secretstore.ErrPermissionDenied},
		{http.StatusUnauthorized, secretstore.ErrPermissionDenied},
		{http.StatusRequestEntityTooLarge, secretstore.ErrInvalidValue},
		{http.StatusBadRequest, nil},
		{http.StatusNotFound, nil}, // a 404 with errors: no KV engine there
		{http.StatusNotImplemented, secretstore.ErrNotSupported},
		{http.StatusMethodNotAllowed, secretstore.ErrNotSupported},
	} {
		t.Run(http.StatusText(c.status), func(t *testing.T) {
			addr, hits := troubled(t, c.status, nil)
			s := openTroubled(t, addr, vault.Options{MinWait: time.Millisecond, MaxWait: time.Millisecond})
			err := s.Set(t.Context(), "a", "v")
			if err == nil {
				t.Fatalf("Set against a server answering %d: no error", c.status)
			}
			if c.class != nil && !errors.Is(err, c.class) {
				t.Fatalf("Set against a server answering %d: %v, want %v", c.status, err, c.class)
			}
			if c.class == nil && secretstore.Code(err) != driver.Unknown {
				t.Fatalf("Set against a server answering %d: class %v, want unknown", c.status, secretstore.Code(err))
			}
			if strings.Contains(err.Error(), bodyCanary) {
				t.Fatalf("the error repeats the response body: %q", err)
			}
			want := int64(1)
			if c.status == http.StatusBadRequest {
				want = 2 // Set reads the version to write with check-and-set (a cas_required mount)
			}
			if n := hits.Load(); n != want {
				t.Fatalf("%d requests for a refusal, want %d", n, want)
			}
			if c.status == http.StatusNotFound {
				// A Get must not take "no engine here" for "missing".
				if _, err := s.Get(t.Context(), "a"); err == nil {
					t.Fatal("Get through a path with no KV engine reported a missing secret, not an error")
				}
			}
		})
	}
}

func TestRetryWaitsRespectTheDeadline(t *testing.T) {
	addr, hits := troubled(t, http.StatusServiceUnavailable, nil)
	// Every wait would be at least a minute: none fits in the deadline.
	s := openTroubled(t, addr, vault.Options{MaxRetries: 5, MinWait: time.Minute, MaxWait: time.Hour})
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	start := time.Now()
	_, err := s.Get(ctx, "a")
	if !errors.Is(err, secretstore.ErrUnavailable) {
		t.Fatalf("Get: %v, want ErrUnavailable (the last answer, not a context error)", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Fatalf("Get took %v: it waited for a retry the deadline cut short", took)
	}
	if n := hits.Load(); n != 1 {
		t.Fatalf("%d requests, want one and no retry", n)
	}
}

func TestCanceledWhileWaiting(t *testing.T) {
	addr, _, first := troubledFirst(t, http.StatusServiceUnavailable, nil)
	// A request may take two hours: an hour's wait fits in it.
	s := openTroubled(t, addr, vault.Options{MaxRetries: 5, MinWait: time.Hour, MaxWait: time.Hour, Timeout: 2 * time.Hour})
	ctx, cancel := context.WithCancel(t.Context())
	// Cancel once the first answer is out: the driver then waits an hour
	// to retry (there is no deadline to stop it), unless it honours the
	// cancellation.
	go func() {
		<-first
		cancel()
	}()
	_, err := s.Get(ctx, "a")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Get canceled during a retry wait: %v, want context.Canceled", err)
	}
}

func TestUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	addr := srv.URL
	srv.Close() // nothing listens there now
	s := openTroubled(t, addr, vault.Options{MaxRetries: 2, MinWait: time.Millisecond, MaxWait: 2 * time.Millisecond})
	_, err := s.Get(t.Context(), "a")
	if !errors.Is(err, secretstore.ErrUnavailable) {
		t.Fatalf("Get from a closed port: %v, want ErrUnavailable", err)
	}
}

func TestTokenNeverInErrorsOrLogs(t *testing.T) {
	addr, _ := troubled(t, http.StatusForbidden, nil)
	var logs bytes.Buffer
	tok := "hvs.token-canary-5d1e"
	d, err := vault.New(vault.Options{Address: addr, Mount: "secret", Auth: vault.Token(tok),
		Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	s := secretstore.New(d, secretstore.WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	defer s.Close()
	_, err = s.Get(t.Context(), "a")
	if !errors.Is(err, secretstore.ErrPermissionDenied) {
		t.Fatalf("Get: %v, want ErrPermissionDenied", err)
	}
	for what, text := range map[string]string{"error": err.Error(), "log": logs.String(),
		"Auth": fmtAll(vault.Token(tok))} {
		if strings.Contains(text, tok) || strings.Contains(text, "token-canary") {
			t.Errorf("the %s reveals the token: %q", what, text)
		}
	}
}

// fmtAll prints v every way fmt can.
func fmtAll(v any) string {
	return fmt.Sprintf("%v %+v %#v %s %q %x %d", v, v, v, v, v, v, v)
}

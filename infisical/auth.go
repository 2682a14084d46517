package infisical

// Logging in: the session an SDK client holds, one login shared by its
// callers, and the credential files.

import (
	"context"
	"os"
	"strings"
	"time"

	sdk "github.com/infisical/go-sdk"

	"github.com/secretstore-go/secretstore/driver"
)

// session is an SDK client logged in with one access token. The driver never
// changes a published session's client: a new login makes a new client, so
// that requests in flight never race with a token change.
type session struct {
	client  sdk.InfisicalClientInterface
	refresh time.Time // log in again from then on; zero: never
	stale   bool      // Infisical refused the token (guarded by Store.mu)
}

// flight is one login, shared by every caller that needs it.
type flight struct {
	done chan struct{}
	sess *session
	err  error
}

// readCredential reads a credential file. Its errors name the file, never its
// content.
func readCredential(path, what string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", newError(&Error{Op: "login", Reason: "reading the " + what + " file: " + unquote(err.Error()), Code: driver.PermissionDenied})
	}
	v := strings.TrimSpace(string(b))
	if v == "" {
		return "", newError(&Error{Op: "login", Reason: "the " + what + " file " + path + " is empty", Code: driver.PermissionDenied})
	}
	return v, nil
}

// session returns the logged-in session, logging in first when there is
// none, when its token is due for renewal, or when Infisical refused it.
func (s *Store) session(ctx context.Context) (*session, error) {
	s.mu.Lock()
	cur := s.cur
	if cur != nil && !cur.stale && (cur.refresh.IsZero() || s.now().Before(cur.refresh)) {
		s.mu.Unlock()
		return cur, nil
	}
	f := s.flight
	if f == nil {
		f = &flight{done: make(chan struct{})}
		s.flight = f
		go s.doLogin(f)
	}
	s.mu.Unlock()
	select {
	case <-f.done:
		if f.err == nil {
			return f.sess, nil
		}
		s.mu.Lock()
		keep := cur != nil && s.cur == cur && !cur.stale
		s.mu.Unlock()
		if keep {
			// A renewal ahead of expiry failed: the token may still be
			// good. Infisical will say (401) when it is not.
			return cur, nil
		}
		return nil, f.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// doLogin logs in on a new SDK client and publishes it. It runs on its own
// goroutine, so that a caller's canceled context does not waste a login
// others wait for.
func (s *Store) doLogin(f *flight) {
	defer close(f.done)
	client := sdk.NewInfisicalClient(s.ctx, s.sdkConfig())
	auth := client.Auth()
	if s.org != "" {
		auth = auth.WithOrganizationSlug(s.org)
	}
	start := s.now()
	cred, err := s.login(auth)
	if err == nil && auth.GetAccessToken() == "" {
		err = newError(&Error{Op: "login", Reason: "the login gave no access token", Code: driver.PermissionDenied})
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.flight = nil
	if err != nil {
		f.err = classify("login", "", err)
		if s.cur != nil && !s.cur.stale {
			s.cur.refresh = s.now().Add(10 * time.Second) // try again then, not on every call
		}
		return
	}
	sess := &session{client: client}
	if cred.ExpiresIn > 0 {
		ttl := time.Duration(cred.ExpiresIn) * time.Second
		sess.refresh = start.Add(ttl - min(ttl/5, time.Minute))
	}
	s.cur, f.sess = sess, sess
}

// expire marks sess as refused, so that the next call logs in again.
func (s *Store) expire(sess *session) {
	s.mu.Lock()
	sess.stale = true
	s.mu.Unlock()
}

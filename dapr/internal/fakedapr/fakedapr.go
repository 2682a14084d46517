// Package fakedapr is an in-process fake of the secrets part of Dapr 1.14's
// HTTP API, for the dapr driver's tests.
package fakedapr

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// Sidecar is an in-process fake of the secrets part of Dapr 1.14's HTTP API,
// written from daprd's source (pkg/api/http): it routes on the cleaned,
// escaped path, decodes the route parameters with url.QueryUnescape, checks
// the dapr-api-token header as APITokenAuthMiddleware does, reads metadata
// from metadata.* query parameters and answers errors with Dapr's codes,
// statuses and messages.
type Sidecar struct {
	Token  string // the API token the sidecar requires; "" for none
	Stores map[string]*Store
	// Hook, when set, runs before a request is answered; it may answer
	// instead (and return true).
	Hook func(w http.ResponseWriter, r *http.Request) bool

	mu   sync.Mutex
	reqs []Request

	inFlight, maxInFlight atomic.Int32
}

// Request is what the fake recorded of a request.
type Request struct {
	RequestURI string
	Token      string
	HasToken   bool
	Store, Key string // decoded route parameters; key "" for bulk
	Bulk       bool
	Metadata   map[string]string
}

// Store is a secret store component behind the fake sidecar.
type Store struct {
	Secrets map[string]map[string]string
	// NotFound is the component's error text for a missing secret, such
	// as LocalFileNotFound.
	NotFound func(name string) string
	// Fail, when set, is the component's error text for every read: a
	// failing store.
	Fail string
	// Denied lists secrets the sidecar's secret scoping denies.
	Denied map[string]bool
}

// TokenHeader is the header Dapr reads the API token from.
const TokenHeader = "dapr-api-token"

// Components' error texts for a missing secret (components-contrib 1.14).

// LocalFileNotFound is secretstores.local.file's error text for a missing secret.
func LocalFileNotFound(name string) string { return "secret " + name + " not found" }

// KubernetesNotFound is secretstores.kubernetes' error text for a missing secret.
func KubernetesNotFound(name string) string {
	return "secrets " + strconv.Quote(name) + " not found"
}

// VaultNotFound is secretstores.hashicorp.vault's error text for a missing secret.
func VaultNotFound(name string) string {
	return "getSecret " + name + " failed secret key or version not exist"
}

// AWSNotFound is secretstores.aws.secretmanager's error text for a missing
// secret, which the driver cannot tell from a failure.
func AWSNotFound(string) string {
	return "couldn't get secret: ResourceNotFoundException: Secrets Manager can't find the specified secret."
}

// Start serves f on a local HTTP server, stopped when the test ends.
func Start(t *testing.T, f *Sidecar) (*Sidecar, *httptest.Server) {
	t.Helper()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

// Requests returns what the fake recorded of the requests so far.
func (f *Sidecar) Requests() []Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Request(nil), f.reqs...)
}

// ServeHTTP answers a request as daprd does.
func (f *Sidecar) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := f.inFlight.Add(1)
	defer f.inFlight.Add(-1)
	for {
		m := f.maxInFlight.Load()
		if n <= m || f.maxInFlight.CompareAndSwap(m, n) {
			break
		}
	}
	rec := Request{RequestURI: r.RequestURI, Token: r.Header.Get(TokenHeader)}
	_, rec.HasToken = r.Header[http.CanonicalHeaderKey(TokenHeader)]
	defer func() {
		f.mu.Lock()
		f.reqs = append(f.reqs, rec)
		f.mu.Unlock()
	}()

	if f.Token != "" && rec.Token != f.Token {
		http.Error(w, "invalid api token", http.StatusUnauthorized)
		return
	}
	segs := strings.Split(strings.TrimPrefix(path.Clean(r.URL.EscapedPath()), "/"), "/")
	if r.Method != http.MethodGet || len(segs) != 4 || segs[0] != "v1.0" || segs[1] != "secrets" {
		WriteAPIError(w, http.StatusNotFound, "ERR_DIRECT_INVOKE", "method not found")
		return
	}
	store, err1 := url.QueryUnescape(segs[2])
	key, err2 := url.QueryUnescape(segs[3])
	if err1 != nil || err2 != nil {
		http.Error(w, "failed to unescape request parameter", http.StatusBadRequest)
		return
	}
	rec.Store, rec.Bulk = store, segs[3] == "bulk"
	if !rec.Bulk {
		rec.Key = key
	}
	rec.Metadata = map[string]string{}
	for k, v := range r.URL.Query() {
		if name, ok := strings.CutPrefix(k, "metadata."); ok {
			rec.Metadata[name] = v[0]
		}
	}
	if f.Hook != nil && f.Hook(w, r) {
		return
	}
	if len(f.Stores) == 0 {
		WriteAPIError(w, http.StatusInternalServerError, "ERR_SECRET_STORES_NOT_CONFIGURED", "secret store is not configured")
		return
	}
	st, ok := f.Stores[store]
	if !ok {
		WriteAPIError(w, http.StatusUnauthorized, "ERR_SECRET_STORE_NOT_FOUND", "failed finding secret store with key "+store)
		return
	}
	if rec.Bulk {
		if st.Fail != "" {
			WriteAPIError(w, http.StatusInternalServerError, "ERR_SECRET_GET",
				fmt.Sprintf("failed getting secrets from secret store %s: %v", store, st.Fail))
			return
		}
		out := map[string]map[string]string{}
		for k, v := range st.Secrets {
			if !st.Denied[k] {
				out[k] = v
			}
		}
		writeJSON(w, out)
		return
	}
	if st.Denied[key] {
		WriteAPIError(w, http.StatusForbidden, "ERR_PERMISSION_DENIED",
			fmt.Sprintf("access denied by policy to get %q from %q", key, store))
		return
	}
	failure := st.Fail
	data, ok := st.Secrets[key]
	if failure == "" && !ok {
		failure = st.NotFound(key)
	}
	if failure != "" {
		WriteAPIError(w, http.StatusInternalServerError, "ERR_SECRET_GET",
			fmt.Sprintf("failed getting secret with key %s from secret store %s: %s", key, store, failure))
		return
	}
	if data == nil {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	writeJSON(w, data)
}

// WriteAPIError writes an error answer in Dapr's format.
func WriteAPIError(w http.ResponseWriter, status int, code, msg string) {
	b, _ := json.Marshal(map[string]string{"errorCode": code, "message": msg})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// Single returns Single-value secrets as a local.file store holds them.
func Single(kv map[string]string) map[string]map[string]string {
	m := make(map[string]map[string]string, len(kv))
	for k, v := range kv {
		m[k] = map[string]string{k: v}
	}
	return m
}

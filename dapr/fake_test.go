package dapr

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

// fakeDapr is an in-process fake of the secrets part of Dapr 1.14's HTTP API,
// written from daprd's source (pkg/api/http): it routes on the cleaned,
// escaped path, decodes the route parameters with url.QueryUnescape, checks
// the dapr-api-token header as APITokenAuthMiddleware does, reads metadata
// from metadata.* query parameters and answers errors with Dapr's codes,
// statuses and messages.
type fakeDapr struct {
	token  string // the API token the sidecar requires; "" for none
	stores map[string]*fakeStore
	// hook, when set, runs before a request is answered; it may answer
	// instead (and return true).
	hook func(w http.ResponseWriter, r *http.Request) bool

	mu   sync.Mutex
	reqs []fakeRequest

	inFlight, maxInFlight atomic.Int32
}

// fakeRequest is what the fake recorded of a request.
type fakeRequest struct {
	requestURI string
	token      string
	hasToken   bool
	store, key string // decoded route parameters; key "" for bulk
	bulk       bool
	metadata   map[string]string
}

// fakeStore is a secret store component behind the fake sidecar.
type fakeStore struct {
	secrets map[string]map[string]string
	// notFound is the component's error text for a missing secret, such
	// as localFileNotFound.
	notFound func(name string) string
	// fail, when set, is the component's error text for every read: a
	// failing store.
	fail string
	// denied lists secrets the sidecar's secret scoping denies.
	denied map[string]bool
}

// Components' error texts for a missing secret (components-contrib 1.14).
func localFileNotFound(name string) string { return "secret " + name + " not found" }
func kubernetesNotFound(name string) string {
	return "secrets " + strconv.Quote(name) + " not found"
}
func vaultNotFound(name string) string {
	return "getSecret " + name + " failed secret key or version not exist"
}
func awsNotFound(string) string {
	return "couldn't get secret: ResourceNotFoundException: Secrets Manager can't find the specified secret."
}

func newFakeDapr(t *testing.T, f *fakeDapr) (*fakeDapr, *httptest.Server) {
	t.Helper()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

func (f *fakeDapr) requests() []fakeRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]fakeRequest(nil), f.reqs...)
}

func (f *fakeDapr) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := f.inFlight.Add(1)
	defer f.inFlight.Add(-1)
	for {
		m := f.maxInFlight.Load()
		if n <= m || f.maxInFlight.CompareAndSwap(m, n) {
			break
		}
	}
	rec := fakeRequest{requestURI: r.RequestURI, token: r.Header.Get(tokenHeader)}
	_, rec.hasToken = r.Header[http.CanonicalHeaderKey(tokenHeader)]
	defer func() {
		f.mu.Lock()
		f.reqs = append(f.reqs, rec)
		f.mu.Unlock()
	}()

	if f.token != "" && rec.token != f.token {
		http.Error(w, "invalid api token", http.StatusUnauthorized)
		return
	}
	segs := strings.Split(strings.TrimPrefix(path.Clean(r.URL.EscapedPath()), "/"), "/")
	if r.Method != http.MethodGet || len(segs) != 4 || segs[0] != "v1.0" || segs[1] != "secrets" {
		writeAPIError(w, http.StatusNotFound, "ERR_DIRECT_INVOKE", "method not found")
		return
	}
	store, err1 := url.QueryUnescape(segs[2])
	key, err2 := url.QueryUnescape(segs[3])
	if err1 != nil || err2 != nil {
		http.Error(w, "failed to unescape request parameter", http.StatusBadRequest)
		return
	}
	rec.store, rec.bulk = store, segs[3] == bulkSegment
	if !rec.bulk {
		rec.key = key
	}
	rec.metadata = map[string]string{}
	for k, v := range r.URL.Query() {
		if name, ok := strings.CutPrefix(k, "metadata."); ok {
			rec.metadata[name] = v[0]
		}
	}
	if f.hook != nil && f.hook(w, r) {
		return
	}
	if len(f.stores) == 0 {
		writeAPIError(w, http.StatusInternalServerError, codeStoresNotConfigued, "secret store is not configured")
		return
	}
	st, ok := f.stores[store]
	if !ok {
		writeAPIError(w, http.StatusUnauthorized, codeStoreNotFound, "failed finding secret store with key "+store)
		return
	}
	if rec.bulk {
		if st.fail != "" {
			writeAPIError(w, http.StatusInternalServerError, codeSecretGet,
				fmt.Sprintf("failed getting secrets from secret store %s: %v", store, st.fail))
			return
		}
		out := map[string]map[string]string{}
		for k, v := range st.secrets {
			if !st.denied[k] {
				out[k] = v
			}
		}
		writeJSON(w, out)
		return
	}
	if st.denied[key] {
		writeAPIError(w, http.StatusForbidden, codePermissionDenied,
			fmt.Sprintf("access denied by policy to get %q from %q", key, store))
		return
	}
	failure := st.fail
	data, ok := st.secrets[key]
	if failure == "" && !ok {
		failure = st.notFound(key)
	}
	if failure != "" {
		writeAPIError(w, http.StatusInternalServerError, codeSecretGet,
			fmt.Sprintf("failed getting secret with key %s from secret store %s: %s", key, store, failure))
		return
	}
	if data == nil {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	writeJSON(w, data)
}

func writeAPIError(w http.ResponseWriter, status int, code, msg string) {
	b, _ := json.Marshal(apiError{ErrorCode: code, Message: msg})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// single returns single-value secrets as a local.file store holds them.
func single(kv map[string]string) map[string]map[string]string {
	m := make(map[string]map[string]string, len(kv))
	for k, v := range kv {
		m[k] = map[string]string{k: v}
	}
	return m
}

// Package fakeazure is an in-process fake of the Azure Key Vault secrets REST
// API, for the tests of the azure driver: no Key Vault emulator can be
// installed here. It speaks the documented wire protocol (paths, JSON
// bodies, status codes, error bodies with inner error codes, paging with
// nextLink) to the real azsecrets client, and behaves as Key Vault documents:
//
//   - challenge authentication: a request without the expected bearer token
//     gets 401 with a WWW-Authenticate challenge naming the tenant and the
//     resource https://vault.azure.net;
//   - names of 1 to 127 ASCII letters, digits and dashes, compared without
//     regard to case (the case of the first write is kept); others get 400;
//   - values of at most 25,600 characters (Unicode code points, not
//     bytes: a value of 25,600 non-ASCII characters is taken), content types of at most 255
//     characters, at most 15 tags; larger get 400;
//   - every write a new version with a random 32-hex-digit id; creation
//     times to the second, as Key Vault keeps them;
//   - soft delete: a deleted secret keeps its name in a deleted but
//     recoverable state, in which a write gets 409 Conflict with inner code
//     ObjectIsDeletedButRecoverable, until it is recovered (with all its
//     versions) or purged;
//   - deletion, recovery and purge finish asynchronously: for the next Lag
//     requests that touch the name, it is in neither the active nor the
//     deleted collection (reads get 404, writes 409), then the operation
//     completes. Counting requests rather than time makes this
//     deterministic;
//   - disabled versions answer 403 Forbidden with inner code SecretDisabled;
//   - injected failures (FailNext), such as 429 with Retry-After.
//
// A Server is an http.Handler: serve it with httptest.NewTLSServer, or
// in-process with [Server.Transport].
package fakeazure

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// Limits of Key Vault that the fake enforces.
const (
	MaxNameLen        = 127
	MaxValueSize      = 25600 // characters
	MaxContentTypeLen = 255
	MaxTags           = 15
	MaxTagValueLen    = 256
	maxPageSize       = 25
)

// Token is the bearer token the fake accepts. [Credential] returns it.
const Token = "fakeazure-token"

// BodyMarker appears in every error body the fake sends, so that a test can
// check that no response body reaches an error message.
const BodyMarker = "fakeazure-body-marker"

// The states of a name. Transitional states last Lag requests.
const (
	StateActive     = "active"
	StateDeleting   = "deleting"
	StateDeleted    = "deleted"
	StateRecovering = "recovering"
	StatePurging    = "purging"
)

// Server is a fake Key Vault. Set its fields before the first request.
type Server struct {
	// Tenant is named in the authentication challenge.
	Tenant string
	// Lag is how many requests touching a name a deletion, recovery or
	// purge takes to finish.
	Lag int
	// SoftDelete says whether deleted secrets are kept recoverable (Key
	// Vault's default). Without it, a deletion purges.
	SoftDelete bool
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// OnGetSecret, if set, is called (without the fake's lock held) by every
	// GetSecret request after it counts as in flight, and before it is
	// answered: a test can block in it to observe concurrency.
	OnGetSecret func()

	mu          sync.Mutex
	secrets     map[string]*secret // by lower-case name
	faults      []*fault
	log         []Request
	inFlight    int
	maxInFlight int
}

// Request is one request the fake answered.
type Request struct {
	Op     string // the REST operation, e.g. "GetSecret"
	Name   string // the secret name in the path, or ""
	Status int
	Time   time.Time
}

type secret struct {
	name     string // as first written
	versions []*version
	state    string
	lag      int    // requests left in a transitional state
	after    string // the state a transitional state ends in ("" = gone)
	deleted  int64
}

type version struct {
	id          string
	value       string
	contentType *string
	tags        map[string]string
	enabled     bool
	created     int64
}

type fault struct {
	op      string
	n       int
	status  int
	code    string
	headers http.Header
}

// New returns an empty fake vault with soft delete and a lag of 2.
func New() *Server {
	return &Server{Tenant: "00000000-0000-0000-0000-00000000fa4e", Lag: 2, SoftDelete: true, secrets: map[string]*secret{}}
}

// Credential is an azcore.TokenCredential for the fake: it returns [Token]
// for any scope, and records the scopes and tenants it was asked for. Err,
// when set, is returned instead.
type Credential struct {
	mu      sync.Mutex
	scopes  []string
	tenants []string
	err     error
}

// GetToken returns [Token], valid for an hour.
func (c *Credential) GetToken(_ context.Context, opts policy.TokenRequestOptions) (azcore.AccessToken, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return azcore.AccessToken{}, c.err
	}
	c.scopes = append(c.scopes, opts.Scopes...)
	c.tenants = append(c.tenants, opts.TenantID)
	return azcore.AccessToken{Token: Token, ExpiresOn: time.Now().Add(time.Hour)}, nil
}

// Fail makes GetToken return err from now on (nil: succeed again).
func (c *Credential) Fail(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.err = err
}

// Requested returns the scopes and tenants tokens were requested for.
func (c *Credential) Requested() (scopes, tenants []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.scopes), slices.Clone(c.tenants)
}

// Transport returns a transport that serves requests in-process, without a
// network, for azcore.ClientOptions.Transport. It honours the request's
// context as a real transport does: a request whose context is done is not
// sent.
func (s *Server) Transport() *Transport { return &Transport{h: s} }

// Transport serves requests with a handler, in-process.
type Transport struct{ h http.Handler }

// Do serves req.
func (t *Transport) Do(req *http.Request) (*http.Response, error) {
	if err := req.Context().Err(); err != nil {
		return nil, err
	}
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, req)
	resp := rec.Result()
	resp.Request = req
	return resp, nil
}

// FailNext makes the next n requests of operation op ("*" for any) fail with
// status and Key Vault error code, with extra response headers (for example
// Retry-After).
func (s *Server) FailNext(op string, n, status int, code string, headers http.Header) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &fault{op: op, n: n, status: status, code: code, headers: headers})
}

// Requests returns a copy of the log of answered requests.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.log)
}

// Count returns how many requests of operation op the fake answered.
func (s *Server) Count(op string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.log {
		if r.Op == op {
			n++
		}
	}
	return n
}

// InFlight returns how many GetSecret requests are in flight now.
func (s *Server) InFlight() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.inFlight
}

// MaxInFlight returns the most GetSecret requests seen in flight at once.
func (s *Server) MaxInFlight() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.maxInFlight
}

// State returns the state of a name ("" if the vault has no trace of it),
// without counting as a request.
func (s *Server) State(name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sec := s.secrets[strings.ToLower(name)]; sec != nil {
		return sec.state
	}
	return ""
}

// Names returns the names of the active secrets, as Key Vault keeps them.
func (s *Server) Names() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, sec := range s.secrets {
		if sec.state == StateActive {
			out = append(out, sec.name)
		}
	}
	slices.Sort(out)
	return out
}

// Latest returns the value, content type and tags of the newest version of
// an active secret, without counting as a request.
func (s *Server) Latest(name string) (value string, contentType *string, tags map[string]string, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sec := s.secrets[strings.ToLower(name)]
	if sec == nil || sec.state != StateActive {
		return "", nil, nil, false
	}
	v := sec.versions[len(sec.versions)-1]
	return v.value, v.contentType, maps.Clone(v.tags), true
}

// Put writes a version directly, as another tool would, and returns its id.
func (s *Server) Put(name, value string, contentType *string, tags map[string]string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.put(name, value, contentType, tags).id
}

// Disable disables the newest version of an active secret.
func (s *Server) Disable(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sec := s.secrets[strings.ToLower(name)]; sec != nil && sec.state == StateActive {
		sec.versions[len(sec.versions)-1].enabled = false
	}
}

func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Server) put(name, value string, contentType *string, tags map[string]string) *version {
	key := strings.ToLower(name)
	sec := s.secrets[key]
	if sec == nil {
		sec = &secret{name: name, state: StateActive}
		s.secrets[key] = sec
	}
	id := make([]byte, 16)
	_, _ = rand.Read(id)
	v := &version{id: hex.EncodeToString(id), value: value, contentType: contentType, tags: tags, enabled: true, created: s.now().Unix()}
	sec.versions = append(sec.versions, v)
	return v
}

// touch advances a name's transitional state by one request, and returns the
// secret (nil if the vault has no trace of it).
func (s *Server) touch(name string) *secret {
	key := strings.ToLower(name)
	sec := s.secrets[key]
	if sec == nil {
		return nil
	}
	switch sec.state {
	case StateDeleting, StateRecovering, StatePurging:
		if sec.lag > 0 {
			sec.lag--
			return sec
		}
		if sec.after == "" {
			delete(s.secrets, key)
			return nil
		}
		sec.state = sec.after
	}
	return sec
}

// transition puts sec in a transitional state that ends in after.
func (s *Server) transition(sec *secret, state, after string) {
	sec.state, sec.after, sec.lag = state, after, s.Lag
	if s.Lag == 0 {
		if after == "" {
			delete(s.secrets, strings.ToLower(sec.name))
			return
		}
		sec.state = after
	}
}

// ServeHTTP answers one request of Key Vault's secrets API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	op, name, ver := route(r)
	rw := &recorder{ResponseWriter: w}
	defer func() {
		s.mu.Lock()
		s.log = append(s.log, Request{Op: op, Name: name, Status: rw.status, Time: s.now()})
		s.mu.Unlock()
	}()
	if got := r.Header.Get("Authorization"); got != "Bearer "+Token {
		rw.Header().Set("WWW-Authenticate",
			fmt.Sprintf(`Bearer authorization="https://login.microsoftonline.com/%s", resource="https://vault.azure.net"`, s.Tenant))
		writeError(rw, http.StatusUnauthorized, "Unauthorized", "", "AKV10000: Request is missing a Bearer or PoP token.")
		return
	}
	if r.URL.Query().Get("api-version") == "" {
		writeError(rw, http.StatusBadRequest, "BadParameter", "", "The api-version query parameter is required.")
		return
	}
	if op == "" {
		writeError(rw, http.StatusNotFound, "NotFound", "", "No such operation.")
		return
	}
	if name != "" && !validName(name) {
		writeError(rw, http.StatusBadRequest, "BadParameter", "", "The secret name is invalid: it must be 1 to 127 letters, digits and dashes.")
		return
	}
	if s.injected(rw, op) {
		return
	}
	if op == "GetSecret" {
		s.mu.Lock()
		s.inFlight++
		s.maxInFlight = max(s.maxInFlight, s.inFlight)
		s.mu.Unlock()
		defer func() {
			s.mu.Lock()
			s.inFlight--
			s.mu.Unlock()
		}()
		if s.OnGetSecret != nil {
			s.OnGetSecret()
		}
	}
	var body []byte
	if r.Body != nil {
		body, _ = io.ReadAll(r.Body)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	base := "https://" + host(r)
	switch op {
	case "SetSecret":
		s.setSecret(rw, base, name, body)
	case "GetSecret":
		s.getSecret(rw, base, name, ver)
	case "DeleteSecret":
		s.deleteSecret(rw, base, name)
	case "GetDeletedSecret":
		s.getDeletedSecret(rw, base, name)
	case "RecoverDeletedSecret":
		s.recoverDeletedSecret(rw, base, name)
	case "PurgeDeletedSecret":
		s.purgeDeletedSecret(rw, name)
	case "ListSecretProperties":
		s.list(rw, r, base, "", false)
	case "ListSecretPropertiesVersions":
		s.list(rw, r, base, name, false)
	case "ListDeletedSecretProperties":
		s.list(rw, r, base, "", true)
	}
}

// route names the REST operation of a request, with its secret name and
// version.
func route(r *http.Request) (op, name, ver string) {
	var segs []string
	for _, p := range strings.Split(strings.Trim(r.URL.EscapedPath(), "/"), "/") {
		u, err := url.PathUnescape(p)
		if err != nil {
			return "", "", ""
		}
		segs = append(segs, u)
	}
	m := r.Method
	switch {
	case len(segs) == 1 && segs[0] == "secrets" && m == http.MethodGet:
		return "ListSecretProperties", "", ""
	case len(segs) == 1 && segs[0] == "deletedsecrets" && m == http.MethodGet:
		return "ListDeletedSecretProperties", "", ""
	case len(segs) == 2 && segs[0] == "secrets":
		switch m {
		case http.MethodPut:
			return "SetSecret", segs[1], ""
		case http.MethodGet:
			return "GetSecret", segs[1], ""
		case http.MethodDelete:
			return "DeleteSecret", segs[1], ""
		}
	case len(segs) == 3 && segs[0] == "secrets" && m == http.MethodGet:
		if segs[2] == "versions" {
			return "ListSecretPropertiesVersions", segs[1], ""
		}
		return "GetSecret", segs[1], segs[2]
	case len(segs) == 2 && segs[0] == "deletedsecrets":
		switch m {
		case http.MethodGet:
			return "GetDeletedSecret", segs[1], ""
		case http.MethodDelete:
			return "PurgeDeletedSecret", segs[1], ""
		}
	case len(segs) == 3 && segs[0] == "deletedsecrets" && segs[2] == "recover" && m == http.MethodPost:
		return "RecoverDeletedSecret", segs[1], ""
	}
	return "", "", ""
}

func host(r *http.Request) string {
	if r.URL.Host != "" {
		return r.URL.Host
	}
	return r.Host
}

func validName(name string) bool {
	if name == "" || len(name) > MaxNameLen {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// injected answers r with an injected failure, if one is due.
func (s *Server) injected(w http.ResponseWriter, op string) bool {
	s.mu.Lock()
	var f *fault
	for i, c := range s.faults {
		if c.op == op || c.op == "*" {
			f = c
			if c.n--; c.n <= 0 {
				s.faults = slices.Delete(s.faults, i, i+1)
			}
			break
		}
	}
	s.mu.Unlock()
	if f == nil {
		return false
	}
	for k, vs := range f.headers {
		w.Header()[k] = vs
	}
	writeError(w, f.status, f.code, "", "Injected failure.")
	return true
}

// The wire format, as Key Vault documents it.

type attributes struct {
	Enabled         bool   `json:"enabled"`
	Created         int64  `json:"created"`
	Updated         int64  `json:"updated"`
	RecoveryLevel   string `json:"recoveryLevel"`
	RecoverableDays *int   `json:"recoverableDays,omitempty"`
}

type secretBundle struct {
	Value       *string           `json:"value,omitempty"`
	ID          string            `json:"id"`
	ContentType *string           `json:"contentType,omitempty"`
	Attributes  attributes        `json:"attributes"`
	Tags        map[string]string `json:"tags,omitempty"`
	// Deleted secrets only.
	RecoveryID         string `json:"recoveryId,omitempty"`
	DeletedDate        int64  `json:"deletedDate,omitempty"`
	ScheduledPurgeDate int64  `json:"scheduledPurgeDate,omitempty"`
}

type listResult struct {
	Value    []secretBundle `json:"value"`
	NextLink *string        `json:"nextLink"`
}

type setParameters struct {
	Value       *string           `json:"value"`
	ContentType *string           `json:"contentType"`
	Tags        map[string]string `json:"tags"`
	Attributes  *struct {
		Enabled *bool `json:"enabled"`
	} `json:"attributes"`
}

func (s *Server) recoveryLevel() (string, *int) {
	if s.SoftDelete {
		days := 90
		return "Recoverable+Purgeable", &days
	}
	return "Purgeable", nil
}

func (s *Server) bundle(base string, sec *secret, v *version, withValue, withVersion bool) secretBundle {
	level, days := s.recoveryLevel()
	b := secretBundle{
		ID:          base + "/secrets/" + sec.name,
		ContentType: v.contentType,
		Attributes:  attributes{Enabled: v.enabled, Created: v.created, Updated: v.created, RecoveryLevel: level, RecoverableDays: days},
		Tags:        v.tags,
	}
	if withVersion {
		b.ID += "/" + v.id
	}
	if withValue {
		val := v.value
		b.Value = &val
	}
	return b
}

func (s *Server) deletedBundle(base string, sec *secret) secretBundle {
	b := s.bundle(base, sec, sec.versions[len(sec.versions)-1], false, true)
	b.RecoveryID = base + "/deletedsecrets/" + sec.name
	b.DeletedDate = sec.deleted
	b.ScheduledPurgeDate = sec.deleted + 90*24*3600
	return b
}

func (s *Server) setSecret(w http.ResponseWriter, base, name string, body []byte) {
	var p setParameters
	if err := json.Unmarshal(body, &p); err != nil || p.Value == nil {
		writeError(w, http.StatusBadRequest, "BadParameter", "", "The request body is not a secret: a value is required.")
		return
	}
	switch {
	case utf8.RuneCountInString(*p.Value) > MaxValueSize:
		writeError(w, http.StatusBadRequest, "BadParameter", "", "The secret value exceeds the maximum length of 25600 characters.")
		return
	case p.ContentType != nil && len(*p.ContentType) > MaxContentTypeLen:
		writeError(w, http.StatusBadRequest, "BadParameter", "", "The content type is too long.")
		return
	case len(p.Tags) > MaxTags:
		writeError(w, http.StatusBadRequest, "BadParameter", "", "Too many tags.")
		return
	}
	for _, v := range p.Tags {
		if len(v) > MaxTagValueLen {
			writeError(w, http.StatusBadRequest, "BadParameter", "", "A tag value is too long.")
			return
		}
	}
	sec := s.touch(name)
	if sec != nil {
		switch sec.state {
		case StateDeleted:
			writeError(w, http.StatusConflict, "Conflict", "ObjectIsDeletedButRecoverable",
				fmt.Sprintf("Secret %s is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the secret can only be recovered or purged.", name))
			return
		case StateDeleting:
			writeError(w, http.StatusConflict, "Conflict", "ObjectIsBeingDeleted",
				fmt.Sprintf("Secret %s is currently being deleted.", name))
			return
		case StateRecovering:
			writeError(w, http.StatusConflict, "Conflict", "ObjectIsBeingRecovered",
				fmt.Sprintf("Secret %s is currently being recovered.", name))
			return
		case StatePurging:
			writeError(w, http.StatusConflict, "Conflict", "",
				fmt.Sprintf("Secret %s is currently being purged.", name))
			return
		}
	}
	v := s.put(name, *p.Value, p.ContentType, p.Tags)
	if p.Attributes != nil && p.Attributes.Enabled != nil {
		v.enabled = *p.Attributes.Enabled
	}
	writeJSON(w, http.StatusOK, s.bundle(base, s.secrets[strings.ToLower(name)], v, true, true))
}

func notFound(w http.ResponseWriter, name string) {
	writeError(w, http.StatusNotFound, "SecretNotFound", "",
		fmt.Sprintf("A secret with (name/id) %s was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command.", name))
}

func (s *Server) getSecret(w http.ResponseWriter, base, name, ver string) {
	sec := s.touch(name)
	if sec == nil || sec.state != StateActive {
		notFound(w, name)
		return
	}
	v := sec.versions[len(sec.versions)-1]
	if ver != "" {
		i := slices.IndexFunc(sec.versions, func(v *version) bool { return v.id == ver })
		if i < 0 {
			notFound(w, name+"/"+ver)
			return
		}
		v = sec.versions[i]
	}
	if !v.enabled {
		writeError(w, http.StatusForbidden, "Forbidden", "SecretDisabled", "Operation get is not allowed on a disabled secret.")
		return
	}
	writeJSON(w, http.StatusOK, s.bundle(base, sec, v, true, true))
}

func (s *Server) deleteSecret(w http.ResponseWriter, base, name string) {
	sec := s.touch(name)
	if sec == nil || sec.state != StateActive {
		notFound(w, name)
		return
	}
	sec.deleted = s.now().Unix()
	var b secretBundle
	if s.SoftDelete {
		b = s.deletedBundle(base, sec)
		s.transition(sec, StateDeleting, StateDeleted)
	} else {
		b = s.bundle(base, sec, sec.versions[len(sec.versions)-1], false, true)
		s.transition(sec, StatePurging, "")
	}
	writeJSON(w, http.StatusOK, b)
}

func (s *Server) getDeletedSecret(w http.ResponseWriter, base, name string) {
	sec := s.touch(name)
	if sec == nil || sec.state != StateDeleted {
		writeError(w, http.StatusNotFound, "SecretNotFound", "", fmt.Sprintf("Deleted Secret not found: %s", name))
		return
	}
	writeJSON(w, http.StatusOK, s.deletedBundle(base, sec))
}

func (s *Server) recoverDeletedSecret(w http.ResponseWriter, base, name string) {
	sec := s.touch(name)
	if sec == nil || sec.state != StateDeleted {
		writeError(w, http.StatusNotFound, "SecretNotFound", "", fmt.Sprintf("Deleted Secret not found: %s", name))
		return
	}
	b := s.bundle(base, sec, sec.versions[len(sec.versions)-1], false, true)
	s.transition(sec, StateRecovering, StateActive)
	writeJSON(w, http.StatusOK, b)
}

func (s *Server) purgeDeletedSecret(w http.ResponseWriter, name string) {
	sec := s.touch(name)
	if sec == nil || sec.state != StateDeleted {
		writeError(w, http.StatusNotFound, "SecretNotFound", "", fmt.Sprintf("Deleted Secret not found: %s", name))
		return
	}
	s.transition(sec, StatePurging, "")
	w.WriteHeader(http.StatusNoContent)
}

// list answers the three list operations: secrets (name ""), the versions
// of one secret, or deleted secrets. Pages hold maxresults items (at most
// 25); nextLink carries a $skiptoken.
func (s *Server) list(w http.ResponseWriter, r *http.Request, base, name string, deleted bool) {
	q := r.URL.Query()
	size := maxPageSize
	if m := q.Get("maxresults"); m != "" {
		n, err := strconv.Atoi(m)
		if err != nil || n < 1 || n > maxPageSize {
			writeError(w, http.StatusBadRequest, "BadParameter", "", "maxresults must be between 1 and 25.")
			return
		}
		size = n
	}
	skip := 0
	if t := q.Get("$skiptoken"); t != "" {
		b, err := base64.RawURLEncoding.DecodeString(t)
		if err == nil {
			skip, err = strconv.Atoi(string(b))
		}
		if err != nil || skip < 0 {
			writeError(w, http.StatusBadRequest, "BadParameter", "", "The skip token is invalid.")
			return
		}
	}
	var items []secretBundle
	switch {
	case name != "":
		sec := s.touch(name)
		if sec == nil || sec.state != StateActive {
			notFound(w, name)
			return
		}
		for _, v := range sec.versions {
			items = append(items, s.bundle(base, sec, v, false, true))
		}
	default:
		keys := slices.Sorted(maps.Keys(s.secrets))
		for _, k := range keys {
			sec := s.secrets[k]
			switch {
			case deleted && sec.state == StateDeleted:
				items = append(items, s.deletedBundle(base, sec))
			case !deleted && sec.state == StateActive:
				items = append(items, s.bundle(base, sec, sec.versions[len(sec.versions)-1], false, false))
			}
		}
	}
	res := listResult{Value: []secretBundle{}}
	if skip < len(items) {
		end := min(skip+size, len(items))
		res.Value = items[skip:end]
		if end < len(items) {
			next := *r.URL
			next.Scheme, next.Host = "https", host(r)
			nq := next.Query()
			nq.Set("$skiptoken", base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(end))))
			nq.Set("maxresults", strconv.Itoa(size))
			next.RawQuery = nq.Encode()
			link := next.String()
			res.NextLink = &link
		}
	}
	writeJSON(w, http.StatusOK, res)
}

type recorder struct {
	http.ResponseWriter
	status int
}

func (r *recorder) WriteHeader(status int) {
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":{"code":"InternalError"}}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// writeError sends Key Vault's error body:
// {"error":{"code":...,"message":...,"innererror":{"code":...}}}.
func writeError(w http.ResponseWriter, status int, code, inner, msg string) {
	type innerError struct {
		Code string `json:"code"`
	}
	var e struct {
		Error struct {
			Code       string      `json:"code"`
			Message    string      `json:"message"`
			InnerError *innerError `json:"innererror,omitempty"`
		} `json:"error"`
	}
	e.Error.Code = code
	e.Error.Message = msg + " (" + BodyMarker + ")"
	if inner != "" {
		e.Error.InnerError = &innerError{Code: inner}
	}
	writeJSON(w, status, e)
}

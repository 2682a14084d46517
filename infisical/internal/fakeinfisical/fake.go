// Package fakeinfisical is an in-process Infisical server for tests. It
// speaks the REST endpoints the official Go SDK (github.com/infisical/go-sdk
// v0.8.0) calls for machine-identity login, secrets and folders, with the
// paths, methods, query parameters, JSON shapes and status codes of
// Infisical's API, and keeps state per project, environment and secret path.
//
// Served, under the site's /api prefix:
//
//	POST   /v1/auth/universal-auth/login   {clientId, clientSecret, organizationSlug}
//	POST   /v1/auth/kubernetes-auth/login  {identityId, jwt, organizationSlug}
//	GET    /v1/folders                     ?workspaceId&environment&path
//	POST   /v1/folders                     {workspaceId, environment, name, path}
//	GET    /v3/secrets/raw                 ?workspaceId&environment&secretPath&recursive&include_imports&expandSecretReferences
//	GET    /v3/secrets/raw/{key}           ?workspaceId&environment&secretPath&type&include_imports&expandSecretReferences
//	POST   /v3/secrets/raw/{key}           {workspaceId, environment, secretPath, secretValue, type, ...}
//	PATCH  /v3/secrets/raw/{key}           {workspaceId, environment, secretPath, secretValue, type, ...}
//	DELETE /v3/secrets/raw/{key}           {workspaceId, environment, secretPath, type}
//
// Behaviour copied from Infisical's server: a secret path is trimmed and
// loses a trailing slash; a written value is trimmed of white space at both
// ends, keeping one final "\n" when it ended with one; a secret key may not
// contain ':' or '/' (422); creating an existing secret is 400 ("Secret
// already exists"); a secret in a folder that does not exist is 404, as is a
// list of such a folder (a write into it is 400 "Folder not found" with
// SetOldFolderErrors, as older servers answer); creating a folder creates its missing parents and
// is 400 when the folder exists; folder names are ASCII letters, digits, '-'
// and '_'; a missing or expired token is 401, a project the identity is not
// a member of 403; a secret the identity may not read is 403 to retrieve and
// makes a non-recursive list of its folder 403, and is left out of a
// recursive list from a parent folder; under an approval policy a change
// answers 200 with an approval request and does nothing. Error bodies are
// {"reqId", "statusCode", "message", "error"}.
//
// Tests inject failures (Fail), expire tokens (ExpireTokens), count requests
// (Requests) and observe requests in flight (SetHook).
package fakeinfisical

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode"
)

// Operation names, as used by Fail, Requests and SetHook.
const (
	OpLogin        = "login"            // universal-auth login
	OpKubeLogin    = "kubernetes-login" // kubernetes-auth login
	OpListFolders  = "list-folders"
	OpCreateFolder = "create-folder"
	OpList         = "list"
	OpRetrieve     = "retrieve"
	OpCreate       = "create"
	OpUpdate       = "update"
	OpDelete       = "delete"
)

// Server is the fake. Its methods are safe for concurrent use.
type Server struct {
	mu           sync.Mutex
	clients      map[string]*identity // universal-auth client ID → identity
	kube         map[string]*identity // identity ID → identity (kubernetes auth)
	tokens       map[string]*token
	projects     map[string]map[string]*env // project ID → env slug → env
	tokenTTL     int64
	approval     bool
	oldFolders   bool
	failures     []*failure
	requests     map[string]int
	unauthorized int
	hook         func(op string)
	seq          int
}

type identity struct {
	id       string
	secret   string // client secret, or service account JWT
	projects map[string]bool
}

type token struct {
	identity *identity
	expired  bool
}

type env struct {
	folders map[string]bool               // "/", "/a", "/a/b"
	secrets map[string]map[string]*secret // path → key → secret
}

type secret struct {
	id       string
	version  int
	value    string
	hidden   bool // the identity may see it listed but not read it
	comment  string
	modified time.Time
}

type failure struct {
	op     string
	status int
	body   string
	times  int
}

// New returns an empty server: add projects and identities before use.
func New() *Server {
	return &Server{
		clients:  map[string]*identity{},
		kube:     map[string]*identity{},
		tokens:   map[string]*token{},
		projects: map[string]map[string]*env{},
		tokenTTL: 7200,
		requests: map[string]int{},
	}
}

// Start serves s on a new httptest server (TLS when tls is set) that the test
// closes when it ends, and returns it. The SDK's site URL is its URL.
func (s *Server) Start(t interface{ Cleanup(func()) }, tls bool) *httptest.Server {
	var srv *httptest.Server
	if tls {
		srv = httptest.NewTLSServer(s)
	} else {
		srv = httptest.NewServer(s)
	}
	t.Cleanup(srv.Close)
	return srv
}

// AddProject creates a project's environment, with its root folder.
func (s *Server) AddProject(projectID, envSlug string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.projects[projectID] == nil {
		s.projects[projectID] = map[string]*env{}
	}
	if s.projects[projectID][envSlug] == nil {
		s.projects[projectID][envSlug] = &env{folders: map[string]bool{"/": true}, secrets: map[string]map[string]*secret{}}
	}
}

// AddIdentity adds a machine identity with universal auth that is a member
// of projects.
func (s *Server) AddIdentity(clientID, clientSecret string, projects ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clients[clientID] = &identity{id: clientID, secret: clientSecret, projects: set(projects)}
}

// AddKubernetesIdentity adds a machine identity with Kubernetes auth that
// accepts the service account token jwt and is a member of projects.
func (s *Server) AddKubernetesIdentity(identityID, jwt string, projects ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.kube[identityID] = &identity{id: identityID, secret: jwt, projects: set(projects)}
}

func set(list []string) map[string]bool {
	m := map[string]bool{}
	for _, v := range list {
		m[v] = true
	}
	return m
}

// SetTokenTTL sets the expiresIn, in seconds, of the tokens issued from now.
func (s *Server) SetTokenTTL(seconds int64) {
	s.mu.Lock()
	s.tokenTTL = seconds
	s.mu.Unlock()
}

// ExpireTokens makes every token issued so far answer 401.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.tokens {
		t.expired = true
	}
}

// IssueToken returns a new access token for the identity with a
// universal-auth clientID, as a login would, or "" when there is none.
func (s *Server) IssueToken(clientID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.clients[clientID]
	if id == nil {
		return ""
	}
	return s.newToken(id)
}

// Tokens returns how many tokens have been issued.
func (s *Server) Tokens() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.tokens)
}

// SetApproval puts every path under a secret approval policy (or lifts it).
func (s *Server) SetApproval(on bool) {
	s.mu.Lock()
	s.approval = on
	s.mu.Unlock()
}

// SetOldFolderErrors makes a write (create, update, delete) into a folder
// that does not exist answer 400 "Folder not found", as older Infisical
// servers do, instead of the 404 current ones answer (or back, with
// false).
func (s *Server) SetOldFolderErrors(on bool) {
	s.mu.Lock()
	s.oldFolders = on
	s.mu.Unlock()
}

// SetHook calls hook with the operation at the start of every request,
// outside the server's lock; hook may block.
func (s *Server) SetHook(hook func(op string)) {
	s.mu.Lock()
	s.hook = hook
	s.mu.Unlock()
}

// Fail makes the next times requests of op ("" for any) answer status with
// body, before any other check.
func (s *Server) Fail(op string, status int, body string, times int) {
	s.mu.Lock()
	s.failures = append(s.failures, &failure{op: op, status: status, body: body, times: times})
	s.mu.Unlock()
}

// Requests returns how many requests of op ("" for all) the server received.
func (s *Server) Requests(op string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if op != "" {
		return s.requests[op]
	}
	n := 0
	for _, c := range s.requests {
		n += c
	}
	return n
}

// Unauthorized returns how many requests were refused with 401 for their
// token.
func (s *Server) Unauthorized() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.unauthorized
}

// Put stores a secret as it is, creating its folders, bypassing the API.
func (s *Server) Put(projectID, envSlug, path, key, value string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.projects[projectID][envSlug]
	path = cleanPath(path)
	s.mkdirAll(e, path)
	if e.secrets[path] == nil {
		e.secrets[path] = map[string]*secret{}
	}
	e.secrets[path][key] = &secret{id: s.newID(), version: 1, value: value, modified: time.Now()}
}

// Hide makes a stored secret one the identities may see listed but not read.
func (s *Server) Hide(projectID, envSlug, path, key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sec := s.projects[projectID][envSlug].secrets[cleanPath(path)][key]; sec != nil {
		sec.hidden = true
	}
}

// Value returns the stored value of a secret as Infisical holds it.
func (s *Server) Value(projectID, envSlug, path, key string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sec := s.projects[projectID][envSlug].secrets[cleanPath(path)][key]
	if sec == nil {
		return "", false
	}
	return sec.value, true
}

// Keys returns the secret keys of a folder, sorted.
func (s *Server) Keys(projectID, envSlug, path string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for k := range s.projects[projectID][envSlug].secrets[cleanPath(path)] {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Folders returns the folder paths of an environment, sorted.
func (s *Server) Folders(projectID, envSlug string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for p := range s.projects[projectID][envSlug].folders {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

func (s *Server) newID() string {
	s.seq++
	return fmt.Sprintf("%08x-0000-4000-8000-%012x", s.seq, s.seq)
}

func (s *Server) mkdirAll(e *env, path string) {
	for p := path; ; p = parent(p) {
		e.folders[p] = true
		if p == "/" {
			return
		}
	}
}

// ServeHTTP answers one API request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p, ok := strings.CutPrefix(r.URL.Path, "/api")
	if !ok {
		apiError(w, http.StatusNotFound, "NotFound", "Route not found")
		return
	}
	var op, key string
	switch {
	case r.Method == http.MethodPost && p == "/v1/auth/universal-auth/login":
		op = OpLogin
	case r.Method == http.MethodPost && p == "/v1/auth/kubernetes-auth/login":
		op = OpKubeLogin
	case r.Method == http.MethodGet && p == "/v1/folders":
		op = OpListFolders
	case r.Method == http.MethodPost && p == "/v1/folders":
		op = OpCreateFolder
	case r.Method == http.MethodGet && p == "/v3/secrets/raw":
		op = OpList
	case strings.HasPrefix(p, "/v3/secrets/raw/"):
		key = strings.TrimSpace(p[len("/v3/secrets/raw/"):])
		switch r.Method {
		case http.MethodGet:
			op = OpRetrieve
		case http.MethodPost:
			op = OpCreate
		case http.MethodPatch:
			op = OpUpdate
		case http.MethodDelete:
			op = OpDelete
		}
	}
	if op == "" {
		apiError(w, http.StatusNotFound, "NotFound", "Route "+r.Method+":"+p+" not found")
		return
	}

	s.mu.Lock()
	s.requests[op]++
	hook := s.hook
	s.mu.Unlock()
	if hook != nil {
		hook(op)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.failures {
		if f.op == "" || f.op == op {
			if f.times--; f.times <= 0 {
				s.failures = append(s.failures[:i], s.failures[i+1:]...)
			}
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.WriteHeader(f.status)
			_, _ = w.Write([]byte(f.body))
			return
		}
	}

	switch op {
	case OpLogin:
		s.login(w, r)
		return
	case OpKubeLogin:
		s.kubeLogin(w, r)
		return
	}
	id, ok := s.authorize(w, r)
	if !ok {
		return
	}
	switch op {
	case OpListFolders:
		s.listFolders(w, r, id)
	case OpCreateFolder:
		s.createFolder(w, r, id)
	case OpList:
		s.list(w, r, id)
	case OpRetrieve:
		s.retrieve(w, r, id, key)
	default:
		s.write(w, r, id, op, key)
	}
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	var req struct {
		ClientID     string `json:"clientId"`
		ClientSecret string `json:"clientSecret"`
	}
	if !decode(w, r, &req) {
		return
	}
	id := s.clients[req.ClientID]
	if id == nil || id.secret != req.ClientSecret {
		apiError(w, http.StatusUnauthorized, "UnauthorizedError", "Invalid credentials")
		return
	}
	s.issue(w, id)
}

func (s *Server) kubeLogin(w http.ResponseWriter, r *http.Request) {
	var req struct {
		IdentityID string `json:"identityId"`
		JWT        string `json:"jwt"`
	}
	if !decode(w, r, &req) {
		return
	}
	id := s.kube[req.IdentityID]
	if id == nil {
		apiError(w, http.StatusNotFound, "NotFound", "Kubernetes auth method not found for identity")
		return
	}
	if strings.TrimSpace(req.JWT) != id.secret {
		apiError(w, http.StatusUnauthorized, "UnauthorizedError", "Access denied: Kubernetes token review failed")
		return
	}
	s.issue(w, id)
}

func (s *Server) newToken(id *identity) string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	tok := hex.EncodeToString(b)
	s.tokens[tok] = &token{identity: id}
	return tok
}

func (s *Server) issue(w http.ResponseWriter, id *identity) {
	tok := s.newToken(id)
	reply(w, map[string]any{
		"accessToken": tok, "expiresIn": s.tokenTTL, "accessTokenMaxTTL": s.tokenTTL, "tokenType": "Bearer",
	})
}

func (s *Server) authorize(w http.ResponseWriter, r *http.Request) (*identity, bool) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	t := s.tokens[tok]
	switch {
	case !ok || tok == "":
		s.unauthorized++
		apiError(w, http.StatusUnauthorized, "UnauthorizedError", "Token missing")
		return nil, false
	case t == nil:
		s.unauthorized++
		apiError(w, http.StatusUnauthorized, "UnauthorizedError", "Invalid token")
		return nil, false
	case t.expired:
		s.unauthorized++
		apiError(w, http.StatusUnauthorized, "UnauthorizedError", "Identity access token has expired")
		return nil, false
	}
	return t.identity, true
}

// scope finds the environment a request names, answering 403 for a project
// the identity is not a member of and 404 for a missing environment.
func (s *Server) scope(w http.ResponseWriter, id *identity, projectID, envSlug string) (*env, bool) {
	if projectID == "" {
		apiError(w, http.StatusBadRequest, "BadRequest", "Missing project id or environment")
		return nil, false
	}
	if !id.projects[projectID] || s.projects[projectID] == nil {
		apiError(w, http.StatusForbidden, "PermissionDenied", "You are not allowed to access this project")
		return nil, false
	}
	e := s.projects[projectID][envSlug]
	if e == nil {
		apiError(w, http.StatusNotFound, "NotFound", fmt.Sprintf("Environment with slug '%s' in project with ID '%s' not found", envSlug, projectID))
		return nil, false
	}
	return e, true
}

// boolParam parses a "true"/"false" query parameter (zod's enum).
func boolParam(w http.ResponseWriter, q map[string][]string, name string) (bool, bool) {
	v := ""
	if l := q[name]; len(l) > 0 {
		v = l[0]
	}
	switch v {
	case "", "false":
		return false, true
	case "true":
		return true, true
	}
	apiError(w, http.StatusUnprocessableEntity, "ValidationFailure", name+": Invalid enum value")
	return false, false
}

func (s *Server) listFolders(w http.ResponseWriter, r *http.Request, id *identity) {
	q := r.URL.Query()
	e, ok := s.scope(w, id, q.Get("workspaceId"), q.Get("environment"))
	if !ok {
		return
	}
	path := cleanPath(q.Get("path"))
	if !e.folders[path] {
		apiError(w, http.StatusNotFound, "NotFound", fmt.Sprintf("Folder with path '%s' not found", path))
		return
	}
	folders := []map[string]any{}
	for p := range e.folders {
		if p != "/" && parent(p) == path {
			folders = append(folders, map[string]any{"id": p, "name": p[strings.LastIndexByte(p, '/')+1:], "version": 1})
		}
	}
	reply(w, map[string]any{"folders": folders})
}

var folderName = regexp.MustCompile(`^[a-zA-Z0-9-_]+$`)

func (s *Server) createFolder(w http.ResponseWriter, r *http.Request, id *identity) {
	var req struct {
		WorkspaceID string `json:"workspaceId"`
		Environment string `json:"environment"`
		Name        string `json:"name"`
		Path        string `json:"path"`
	}
	if !decode(w, r, &req) {
		return
	}
	e, ok := s.scope(w, id, req.WorkspaceID, strings.TrimSpace(req.Environment))
	if !ok {
		return
	}
	name := strings.TrimSpace(req.Name)
	if !folderName.MatchString(name) {
		apiError(w, http.StatusUnprocessableEntity, "ValidationFailure", "Invalid folder name. Only alphanumeric characters, dashes, and underscores are allowed.")
		return
	}
	dir := cleanPath(req.Path)
	full := dir + "/" + name
	if dir == "/" {
		full = "/" + name
	}
	if e.folders[full] {
		apiError(w, http.StatusBadRequest, "BadRequest", fmt.Sprintf("Folder with name '%s' already exists in path '%s'", name, dir))
		return
	}
	s.mkdirAll(e, full)
	reply(w, map[string]any{"folder": map[string]any{"id": s.newID(), "name": name, "version": 1, "path": full}})
}

func (s *Server) list(w http.ResponseWriter, r *http.Request, id *identity) {
	q := r.URL.Query()
	e, ok := s.scope(w, id, q.Get("workspaceId"), q.Get("environment"))
	if !ok {
		return
	}
	recursive, ok := boolParam(w, q, "recursive")
	if !ok {
		return
	}
	for _, b := range []string{"include_imports", "expandSecretReferences"} {
		if _, ok := boolParam(w, q, b); !ok {
			return
		}
	}
	path := cleanPath(q.Get("secretPath"))
	if !e.folders[path] {
		apiError(w, http.StatusNotFound, "NotFound", fmt.Sprintf("Folder with path '%s' in environment '%s' was not found. Please ensure the environment slug and secret path is correct.", path, q.Get("environment")))
		return
	}
	paths := []string{path}
	if recursive {
		for p := range e.folders {
			if p != path && within(p, path) {
				paths = append(paths, p)
			}
		}
	}
	out := []map[string]any{}
	for _, p := range paths {
		for k, sec := range e.secrets[p] {
			if sec.hidden {
				if p == path {
					apiError(w, http.StatusForbidden, "PermissionDenied", "You are not allowed to read the value of secret "+k)
					return
				}
				continue // a recursive secret the identity may not read is left out
			}
			out = append(out, s.secretJSON(q.Get("workspaceId"), q.Get("environment"), p, k, sec))
		}
	}
	w.Header().Set("ETag", `"fake"`)
	reply(w, map[string]any{"secrets": out, "imports": []any{}})
}

func (s *Server) retrieve(w http.ResponseWriter, r *http.Request, id *identity, key string) {
	q := r.URL.Query()
	e, ok := s.scope(w, id, q.Get("workspaceId"), q.Get("environment"))
	if !ok {
		return
	}
	for _, b := range []string{"include_imports", "expandSecretReferences"} {
		if _, ok := boolParam(w, q, b); !ok {
			return
		}
	}
	path := cleanPath(q.Get("secretPath"))
	if !e.folders[path] {
		apiError(w, http.StatusNotFound, "GetSecretByName", fmt.Sprintf("Folder with path '%s' in environment with slug '%s' not found", path, q.Get("environment")))
		return
	}
	sec := e.secrets[path][key]
	if t := q.Get("type"); t != "" && t != "shared" {
		sec = nil // no personal overrides for machine identities
	}
	if sec == nil {
		apiError(w, http.StatusNotFound, "NotFound", fmt.Sprintf("Secret with name '%s' not found", key))
		return
	}
	if sec.hidden {
		apiError(w, http.StatusForbidden, "PermissionDenied", "You are not allowed to read the value of secret "+key)
		return
	}
	reply(w, map[string]any{"secret": s.secretJSON(q.Get("workspaceId"), q.Get("environment"), path, key, sec)})
}

func (s *Server) write(w http.ResponseWriter, r *http.Request, id *identity, op, key string) {
	var req struct {
		WorkspaceID string  `json:"workspaceId"`
		Environment string  `json:"environment"`
		SecretPath  string  `json:"secretPath"`
		SecretValue *string `json:"secretValue"`
		Type        string  `json:"type"`
	}
	if !decode(w, r, &req) {
		return
	}
	if key == "" {
		apiError(w, http.StatusUnprocessableEntity, "ValidationFailure", "secretName: String must contain at least 1 character(s)")
		return
	}
	if op == OpCreate && strings.ContainsAny(key, ":/") {
		apiError(w, http.StatusUnprocessableEntity, "ValidationFailure", "Secret name cannot contain colon or forward slash.")
		return
	}
	if op == OpCreate && req.SecretValue == nil {
		apiError(w, http.StatusUnprocessableEntity, "ValidationFailure", "secretValue: Required")
		return
	}
	if req.Type != "" && req.Type != "shared" {
		apiError(w, http.StatusBadRequest, "BadRequest", "Must be user to create personal secret")
		return
	}
	envSlug := strings.TrimSpace(req.Environment)
	e, ok := s.scope(w, id, req.WorkspaceID, envSlug)
	if !ok {
		return
	}
	path := cleanPath(req.SecretPath)
	if !e.folders[path] {
		if s.oldFolders {
			apiError(w, http.StatusBadRequest, "BadRequest", "Folder not found")
			return
		}
		apiError(w, http.StatusNotFound, "NotFound", fmt.Sprintf("Folder with path '%s' in environment with slug '%s' not found", path, envSlug))
		return
	}
	sec := e.secrets[path][key]
	switch {
	case op == OpCreate && sec != nil:
		apiError(w, http.StatusBadRequest, "BadRequest", "Secret already exists")
		return
	case op != OpCreate && sec == nil:
		apiError(w, http.StatusNotFound, "NotFound", fmt.Sprintf("Secret named '%s' does not exist", key))
		return
	}
	if s.approval {
		reply(w, map[string]any{"approval": map[string]any{"id": s.newID(), "slug": "approval-" + key, "status": "open"}})
		return
	}
	now := time.Now()
	switch op {
	case OpCreate:
		sec = &secret{id: s.newID(), version: 1, value: trimValue(*req.SecretValue), modified: now}
		if e.secrets[path] == nil {
			e.secrets[path] = map[string]*secret{}
		}
		e.secrets[path][key] = sec
	case OpUpdate:
		if req.SecretValue != nil {
			sec.value = trimValue(*req.SecretValue)
		}
		sec.version++
		sec.modified = now
	case OpDelete:
		delete(e.secrets[path], key)
	}
	reply(w, map[string]any{"secret": s.secretJSON(req.WorkspaceID, envSlug, path, key, sec)})
}

func (s *Server) secretJSON(projectID, envSlug, path, key string, sec *secret) map[string]any {
	return map[string]any{
		"id": sec.id, "_id": sec.id, "workspace": projectID, "environment": envSlug, "version": sec.version,
		"type": "shared", "secretKey": key, "secretValue": sec.value, "secretComment": sec.comment,
		"secretPath": path, "secretValueHidden": false, "skipMultilineEncoding": false,
		"tags": []any{}, "secretMetadata": []any{},
		"createdAt": sec.modified.UTC().Format(time.RFC3339Nano), "updatedAt": sec.modified.UTC().Format(time.RFC3339Nano),
	}
}

// trimValue is Infisical's transform of a written value:
// val.at(-1) === "\n" ? `${val.trim()}\n` : val.trim()
func trimValue(v string) string {
	if strings.HasSuffix(v, "\n") {
		return strings.TrimFunc(v, jsSpace) + "\n"
	}
	return strings.TrimFunc(v, jsSpace)
}

// jsSpace reports what JavaScript's String.prototype.trim removes.
func jsSpace(r rune) bool {
	switch r {
	case '\t', '\n', '\v', '\f', '\r', 0x2028, 0x2029, 0xFEFF:
		return true
	}
	return unicode.Is(unicode.Zs, r)
}

// cleanPath is Infisical's handling of a secret path: trimmed, "/" when
// empty, without a trailing slash; empty segments do not count.
func cleanPath(p string) string {
	var segs []string
	for _, s := range strings.Split(strings.TrimSpace(p), "/") {
		if s != "" {
			segs = append(segs, s)
		}
	}
	return "/" + strings.Join(segs, "/")
}

func parent(p string) string {
	i := strings.LastIndexByte(p, '/')
	if i <= 0 {
		return "/"
	}
	return p[:i]
}

func within(p, dir string) bool {
	return dir == "/" || strings.HasPrefix(p, dir+"/")
}

func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		apiError(w, http.StatusBadRequest, "BadRequest", "Body is not valid JSON")
		return false
	}
	return true
}

func reply(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(v)
}

var reqSeq struct {
	sync.Mutex
	n int
}

func apiError(w http.ResponseWriter, status int, name, msg string) {
	reqSeq.Lock()
	reqSeq.n++
	n := reqSeq.n
	reqSeq.Unlock()
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"reqId": fmt.Sprintf("req-%d", n), "statusCode": status, "message": msg, "error": name,
	})
}

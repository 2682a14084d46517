package infisical

import (
	"encoding/pem"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/secretstore-go/secretstore"
	"github.com/secretstore-go/secretstore/driver"
	"github.com/secretstore-go/secretstore/infisical/internal/fakeinfisical"
)

// tlsFixture serves a fake Infisical over TLS and writes its certificate to
// a PEM file, for URLs (which always use https) with ca-file.
func tlsFixture(t *testing.T) (fake *fakeinfisical.Server, host, caFile, dir string) {
	t.Helper()
	fake = fakeinfisical.New()
	fake.AddProject(testProject, testEnv)
	fake.AddIdentity(testID, testSecret, testProject)
	srv := fake.Start(t, true)
	dir = t.TempDir()
	caFile = filepath.Join(dir, "ca.pem")
	writeFile(t, caFile, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})))
	writeFile(t, filepath.Join(dir, "id"), testID)
	writeFile(t, filepath.Join(dir, "secret"), testSecret)
	return fake, strings.TrimPrefix(srv.URL, "https://"), caFile, dir
}

// TestOpenURL opens the driver by URL, over TLS with a private CA, and uses
// it through the portable Store.
func TestOpenURL(t *testing.T) {
	if !slices.Contains(secretstore.Schemes(), Scheme) {
		t.Fatalf("scheme %q is not registered: %v", Scheme, secretstore.Schemes())
	}
	fake, host, caFile, dir := tlsFixture(t)
	q := url.Values{
		"project": {testProject}, "env": {testEnv}, "path": {"/apps/web"},
		"client-id-file": {filepath.Join(dir, "id")}, "client-secret-file": {filepath.Join(dir, "secret")},
		"parallel": {"4"},
	}
	u2 := "infisical://" + host + "?" + q.Encode()
	q.Set("ca-file", caFile)
	u := "infisical://" + host + "?" + q.Encode()
	s, err := secretstore.Open(t.Context(), u, secretstore.EnableSet(true))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if s.Name() != Scheme {
		t.Errorf("store name %q", s.Name())
	}
	if err := s.Set(t.Context(), "session/key", "k1"); err != nil {
		t.Fatal(err)
	}
	if v, _ := fake.Value(testProject, testEnv, "/apps/web/session", "key"); v != "k1" {
		t.Errorf("the URL's path was not used: stored %q", v)
	}
	ss, err := s.Get(t.Context(), "session/key")
	if err != nil || ss.Reveal("session/key") != "k1" {
		t.Fatalf("Get: %v", err)
	}

	// Without the CA the TLS handshake fails, as Unavailable, at once.
	_, err = secretstore.Open(t.Context(), u2)
	if secretstore.Code(err) != driver.Unavailable || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("Open without the private CA: %v, want unavailable, naming the certificate", err)
	}
}

// TestOpenURLKubernetes logs in with Kubernetes auth, the service account
// token read from token-file.
func TestOpenURLKubernetes(t *testing.T) {
	fake, host, caFile, dir := tlsFixture(t)
	const identity, jwt = "b1e2-identity", "eyJhbGciOi.fake.jwt"
	fake.AddKubernetesIdentity(identity, jwt, testProject)
	tokenFile := filepath.Join(dir, "sa-token")
	writeFile(t, tokenFile, jwt)
	d, err := OpenURL(t.Context(), mustURL(t, "infisical://"+host+"?"+url.Values{
		"project": {testProject}, "env": {testEnv}, "auth": {"kubernetes"}, "identity": {identity},
		"token-file": {tokenFile}, "ca-file": {caFile},
	}.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	if fake.Requests(fakeinfisical.OpKubeLogin) != 1 || fake.Requests(fakeinfisical.OpLogin) != 0 {
		t.Fatalf("logins: kubernetes %d, universal %d; want 1, 0", fake.Requests(fakeinfisical.OpKubeLogin), fake.Requests(fakeinfisical.OpLogin))
	}
	if _, err := d.Get(t.Context(), []string{"x"}); err != nil {
		t.Fatal(err)
	}
}

// TestOpenURLTokenFile uses an access token from a file, and reads the file
// again when Infisical refuses the token.
func TestOpenURLTokenFile(t *testing.T) {
	fake, host, caFile, dir := tlsFixture(t)
	tokenFile := filepath.Join(dir, "token")
	writeFile(t, tokenFile, fake.IssueToken(testID)+"\n")
	d, err := OpenURL(t.Context(), mustURL(t, "infisical://"+host+"?"+url.Values{
		"project": {testProject}, "env": {testEnv}, "auth": {"token"}, "token-file": {tokenFile}, "ca-file": {caFile},
	}.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	fake.Put(testProject, testEnv, "/", "k", "v")
	fake.ExpireTokens()
	writeFile(t, tokenFile, fake.IssueToken(testID)) // the agent renewed it
	m, err := d.Get(t.Context(), []string{"k"})
	if err != nil || m["k"] != "v" {
		t.Fatalf("Get after the token was renewed in its file: %q, %v", m, err)
	}
	if fake.Unauthorized() != 1 {
		t.Fatalf("%d refused requests, want 1 (the expired token)", fake.Unauthorized())
	}
}

// TestOpenURLRefused: malformed URLs, and URLs with credentials in them, are
// refused without echoing values, before any request.
func TestOpenURLRefused(t *testing.T) {
	fake, host, _, dir := tlsFixture(t)
	const secret = "s3cr3t-in-the-url"
	files := "&client-id-file=" + filepath.Join(dir, "id") + "&client-secret-file=" + filepath.Join(dir, "secret")
	for _, raw := range []string{
		"infisical://id:" + secret + "@" + host + "?project=p&env=dev" + files,
		"infisical://" + host + "?project=p&env=dev&client_secret=" + secret,
		"infisical://" + host + "?project=p&env=dev&token=" + secret,
		"infisical://" + host + "?project=p&env=dev&clientsecret=" + secret + files,
		"infisical://" + host + "?project=p&env=dev&env=prod" + files,
		"infisical://" + host + "?env=dev" + files,
		"infisical://" + host + "?project=p" + files,
		"infisical://?project=p&env=dev" + files,
		"infisical://" + host + "?project=p&env=dev",
		"infisical://" + host + "?project=p&env=dev&auth=kubernetes",
		"infisical://" + host + "?project=p&env=dev&auth=token",
		"infisical://" + host + "?project=p&env=dev&auth=magic",
		"infisical://" + host + "?project=p&env=dev&auth=aws-iam&identity=x" + files,
		"infisical://" + host + "?project=p&env=dev&parallel=0" + files,
		"infisical://" + host + "?project=p&env=dev&ca-file=/nonexistent" + files,
		"infisical://" + host + "?project=p&env=dev&identity=x" + files,
		"infisical://" + host + "?project=p&env=dev&token-file=/t" + files,
	} {
		_, err := OpenURL(t.Context(), mustURL(t, raw))
		if err == nil {
			t.Errorf("OpenURL(%q) succeeded", raw)
			continue
		}
		if strings.Contains(err.Error(), secret) {
			t.Errorf("OpenURL error repeats a value from the URL: %q", err)
		}
	}
	if n := fake.Requests(""); n != 0 {
		t.Errorf("refused URLs sent %d requests", n)
	}
	// Through secretstore.Open too, which never repeats the query.
	_, err := secretstore.Open(t.Context(), "infisical://"+host+"?project=p&env=dev&client_secret="+secret)
	if err == nil || strings.Contains(err.Error(), secret) {
		t.Errorf("secretstore.Open with a secret in the URL: %v", err)
	}
	var e *Error
	if errors.As(err, &e) {
		t.Errorf("a URL error is a backend error: %v", err)
	}
}

// TestParseURL checks the Options a URL gives, without reading a file or
// making a request.
func TestParseURL(t *testing.T) {
	o, err := parseURL(mustURL(t, "infisical://eu.infisical.com/base/?project=p1&env=prod&path=/apps&org=o"+
		"&client-id-file=/run/id&client-secret-file=/run/secret&ca-file=/etc/ca.pem&parallel=3&retries=0"))
	if err != nil {
		t.Fatal(err)
	}
	if o.SiteURL != "https://eu.infisical.com/base" || o.ProjectID != "p1" || o.Environment != "prod" || o.Path != "/apps" ||
		o.OrganizationSlug != "o" || o.ClientIDFile != "/run/id" || o.ClientSecretFile != "/run/secret" ||
		o.CAFile != "/etc/ca.pem" || o.Parallel != 3 || o.MaxRetries != -1 || o.Login != nil || o.Names != NamesNative {
		t.Errorf("parseURL = %+v", o)
	}
	for q, want := range map[string]Names{"native": NamesNative, "escaped": NamesEscaped} {
		o, err := parseURL(mustURL(t, "infisical://h?project=p&env=e&client-id-file=/i&client-secret-file=/s&names="+q))
		if err != nil || o.Names != want {
			t.Errorf("names=%s: %v, %v", q, o.Names, err)
		}
	}
	if _, err := parseURL(mustURL(t, "infisical://h?project=p&env=e&client-id-file=/i&client-secret-file=/s&names=raw")); err == nil ||
		!strings.Contains(err.Error(), `"names"`) {
		t.Errorf("names=raw: %v", err)
	}
	for _, auth := range []string{"token&token-file=/t", "kubernetes&identity=i", "kubernetes&identity=i&token-file=/t",
		"aws-iam&identity=i", "gcp-id-token&identity=i", "azure&identity=i"} {
		o, err := parseURL(mustURL(t, "infisical://h?project=p&env=e&auth="+auth))
		if err != nil || o.Login == nil || o.ClientIDFile != "" {
			t.Errorf("auth=%s: %+v, %v", auth, o, err)
		}
	}
}

func mustURL(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestCredentialFilesReadAtLogin: rotated credential files are used at the
// next login, and a missing file fails it as PermissionDenied naming the
// file, not its content.
func TestCredentialFilesReadAtLogin(t *testing.T) {
	fx := newFixture(t, nil)
	d := fx.open(t, nil)
	fx.fake.AddIdentity("rotated-id", "rotated-secret", testProject)
	writeFile(t, fx.idFile, "rotated-id")
	writeFile(t, fx.secretFile, "rotated-secret")
	fx.fake.ExpireTokens()
	if _, err := d.Get(t.Context(), []string{"k"}); err != nil {
		t.Fatalf("Get after the credentials were rotated: %v", err)
	}
	if err := os.Remove(fx.secretFile); err != nil {
		t.Fatal(err)
	}
	fx.fake.ExpireTokens()
	_, err := d.Get(t.Context(), []string{"k"})
	if err == nil || !strings.Contains(err.Error(), fx.secretFile) || strings.Contains(err.Error(), "rotated-secret") {
		t.Fatalf("Get with the secret file gone: %v", err)
	}
}

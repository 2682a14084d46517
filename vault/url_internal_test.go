package vault

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestParseURL checks the Options a URL gives, without a server, a file or
// the environment.
func TestParseURL(t *testing.T) {
	u, _ := url.Parse("vault://127.0.0.1:8200/kv/team-a?kv=1&field=pw&namespace=ns&remove=destroy&tls=0" +
		"&ca-file=/ca.pem&ca-dir=/cas&client-cert=/c.pem&client-key=/k.pem&server-name=v" +
		"&token-file=/run/token&parallel=4&retries=0&min-wait=10ms&max-wait=1s&timeout=5s")
	o, err := parseURL(u)
	if err != nil {
		t.Fatal(err)
	}
	if o.Address != "http://127.0.0.1:8200" || o.Mount != "kv/team-a" || o.KV != 1 || o.Field != "pw" || o.Namespace != "ns" ||
		!o.Destroy || o.Parallel != 4 || o.MaxRetries != -1 || o.MinWait != 10*time.Millisecond || o.MaxWait != time.Second ||
		o.Timeout != 5*time.Second || o.TLS != (TLSOptions{"/ca.pem", "/cas", "/c.pem", "/k.pem", "v"}) ||
		o.Auth == nil || o.Auth.String() != TokenFile("/run/token").String() {
		t.Errorf("parseURL = %+v", o)
	}
	u, _ = url.Parse("vault:///secret?auth=approle&role-id-file=/r&secret-id-file=/s&auth-mount=ar")
	if o, err := parseURL(u); err != nil || o.Address != "" || o.Auth == nil || o.Auth.String() != "approle at ar" {
		t.Errorf("parseURL(approle) = %+v, %v", o, err)
	}
	for _, c := range []struct{ url, want string }{
		{"vault://h/secret?token-file=run/token", `"token-file": want an absolute file path`},
		{"vault://h/secret?kv=3", `"kv": want 1 or 2`},
		{"vault://h/secret?auth=approle", `"role-id-file": required`},
		{"vault://h/secret?role-id-file=/r", `"role-id-file": needs auth=approle`},
		{"vault://h/secret?auth=approle&role-id-file=/r&token-file=/t", `"token-file": cannot be combined with auth=approle`},
		{"vault://h/secret?client-cert=/c", `"client-cert": goes together with client-key`},
		{"vault:///secret?tls=0", `"tls": needs a host`},
		{"vault://h/secret?token=hvs.s3cr3tvalue", "credential"},
		{"vault://h/secret?parallel=0", `"parallel"`},
	} {
		u, _ := url.Parse(c.url)
		_, err := parseURL(u)
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "s3cr3t") {
			t.Errorf("parseURL(%s) = %v, want an error containing %q", c.url, err, c.want)
		}
	}
}

package gcp

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/secretstore-go/secretstore/driver"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func TestParseURL(t *testing.T) {
	good := []struct {
		url     string
		project string
		check   func(Options) bool
	}{
		{"gcpsm://projects/my-project", "my-project", func(o Options) bool {
			return len(o.ClientOptions) == 0 && o.Replication == nil && !o.DisableOnRemove && o.Names == NamesNative
		}},
		{"gcpsm://projects/p?names=escaped", "p", func(o Options) bool { return o.Names == NamesEscaped }},
		{"gcpsm://projects/p?names=native", "p", func(o Options) bool { return o.Names == NamesNative }},
		{"gcpsm://projects/123456789", "123456789", nil},
		{"gcpsm://projects/example.com:proj", "example.com:proj", nil},
		{"gcpsm://projects/p?endpoint=127.0.0.1:9000&tls=0", "p", func(o Options) bool { return len(o.ClientOptions) == 3 }},
		{"gcpsm://projects/p?endpoint=eu-secretmanager.example:443", "p", func(o Options) bool { return len(o.ClientOptions) == 1 }},
		{"gcpsm://projects/p?remove=disable", "p", func(o Options) bool { return o.DisableOnRemove }},
		{"gcpsm://projects/p?remove=delete", "p", func(o Options) bool { return !o.DisableOnRemove }},
		{"gcpsm://projects/p?parallel=4&retries=0", "p", func(o Options) bool { return o.Parallel == 4 && o.MaxRetries == -1 }},
		{"gcpsm://projects/p?retries=2", "p", func(o Options) bool { return o.MaxRetries == 2 }},
		{"gcpsm://projects/p?replica-locations=us-east1,europe-west1", "p", func(o Options) bool {
			r := o.Replication.GetUserManaged().GetReplicas()
			return len(r) == 2 && r[0].GetLocation() == "us-east1" && r[1].GetLocation() == "europe-west1"
		}},
	}
	for _, c := range good {
		u, err := url.Parse(c.url)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := parseURL(u)
		if err != nil || cfg.project != c.project || (c.check != nil && !c.check(cfg.opts)) {
			t.Errorf("parseURL(%s) = %+v, %v", c.url, cfg, err)
		}
	}
	bad := map[string]string{
		"gcpsm://projects/":                               "gcpsm://projects/PROJECT",
		"gcpsm://projects/p/secrets/x":                    "gcpsm://projects/PROJECT",
		"gcpsm://project/p":                               "gcpsm://projects/PROJECT",
		"gcpsm://user:pw@projects/p":                      "credentials",
		"gcpsm://projects/p#frag":                         "fragment",
		"gcpsm://projects/p?tls=0":                        "needs endpoint",
		"gcpsm://projects/p?tls=yes&endpoint=h:1":         `"tls"`,
		"gcpsm://projects/p?remove=purge":                 "remove",
		"gcpsm://projects/p?names=raw":                    `"names"`,
		"gcpsm://projects/p?parallel=0":                   `"parallel"`,
		"gcpsm://projects/p?retries=x":                    `"retries"`,
		"gcpsm://projects/p?replica-locations=a,,b":       "without empty items",
		"gcpsm://projects/p?endpoint=":                    `"endpoint"`,
		"gcpsm://projects/p?endpoint=http://h:1/":         "endpoint",
		"gcpsm://projects/p?credentials=/tmp/key.json":    "credentials do not belong",
		"gcpsm://projects/p?region=x":                     "unknown parameter",
		"gcpsm://projects/p?remove=delete&remove=disable": "more than once",
		"gcpsm://projects/p%20q":                          "not allowed",
		"file://projects/p":                               "scheme",
	}
	for raw, want := range bad {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := parseURL(u); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("parseURL(%s) = %v, want an error about %q", raw, err, want)
		}
	}
}

func TestErrorCode(t *testing.T) {
	s := &Store{}
	rpc := func(call string, code codes.Code, msg string) error {
		return &rpcError{call: call, name: "n", code: code, err: status.Error(code, msg)}
	}
	for _, c := range []struct {
		err  error
		want driver.Code
	}{
		{rpc("AccessSecretVersion", codes.NotFound, ""), driver.NotFound},
		{rpc("AccessSecretVersion", codes.PermissionDenied, ""), driver.PermissionDenied},
		{rpc("AccessSecretVersion", codes.Unauthenticated, ""), driver.PermissionDenied},
		{rpc("AccessSecretVersion", codes.Unavailable, ""), driver.Unavailable},
		{rpc("AccessSecretVersion", codes.ResourceExhausted, ""), driver.Unavailable},
		{rpc("AccessSecretVersion", codes.DeadlineExceeded, ""), driver.Unavailable},
		{rpc("CreateSecret", codes.AlreadyExists, ""), driver.Conflict},
		{rpc("AccessSecretVersion", codes.FailedPrecondition, ""), driver.Conflict},
		{rpc("AddSecretVersion", codes.InvalidArgument, "Secret payload size 70000 bytes exceeds the limit"), driver.InvalidValue},
		{rpc("AddSecretVersion", codes.InvalidArgument, "Field [payload] is required."), driver.InvalidValue},
		{rpc("AddSecretVersion", codes.InvalidArgument, "Invalid resource field value in the request: parent"), driver.Unknown},
		{rpc("CreateSecret", codes.InvalidArgument, "replication location too large"), driver.Unknown},
		{rpc("ListSecrets", codes.Unimplemented, ""), driver.NotSupported},
		{rpc("ListSecrets", codes.Internal, ""), driver.Unknown},
		{ErrCorrupt, driver.Unknown},
		{errors.New("other"), driver.Unknown},
	} {
		if got := s.ErrorCode(c.err); got != c.want {
			t.Errorf("ErrorCode(%v: %v) = %v, want %v", c.err, status.Convert(errors.Unwrap(c.err)).Message(), got, c.want)
		}
	}
}
